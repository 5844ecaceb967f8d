import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseSelector, parseLabelSelectorParam, selectorToString, selectorMatches, labelSelectorToSelector,
  formatLabelSelector, labelSelectorMatcher, isQualifiedName, isValidLabelValue, selectorFromSet,
} from '../../../src/api/labels.ts';
import { StatusError } from '../../../src/api/errors.ts';

test('parse: upstream good strings round-trip (spaces removed)', () => {
  for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5']) {
    assert.equal(selectorToString(parseSelector(s)), s.replace(/ /g, ''), s);
  }
});

test('parse: upstream bad strings', () => {
  for (const s of ['x=a||y=b', 'x==a==b', '!x=a', 'x<a', 'x in a', 'x in (a', 'x in (a,b', 'x=(a,b)', 'x in in', ',x', 'x,', '-x=a']) {
    assert.throws(() => parseSelector(s), Error, s);
  }
});

test('parse: set-based syntax and canonical string', () => {
  assert.equal(selectorToString(parseSelector('x in (b,a),y notin (c)')), 'x in (a,b),y notin (c)');
  assert.equal(selectorToString(parseSelector('x in (foo,,baz),y,z notin ()')), 'x in (,baz,foo),y,z notin ()');
  assert.equal(selectorToString(parseSelector('z=1, a == 2')), 'a==2,z=1'); // sorted by key, == kept
  assert.equal(selectorToString(parseSelector('value in (in)')), 'value in (in)');
  assert.equal(selectorToString(parseSelector('x=a,a=x')), selectorToString(parseSelector('a=x,x=a')));
});

test('parse: upstream error texts', () => {
  const msg = (s: string) => { try { parseSelector(s); } catch (e) { return (e as Error).message; } return 'no error'; };
  assert.match(msg('x=a||y=b'), /^unable to parse requirement: values\[0\]\[x\]: Invalid value: "a\|\|y": a valid label must be/);
  assert.equal(msg('x in a'), "unable to parse requirement: found 'a' expected: '('");
  assert.equal(msg('x in (a'), "unable to parse requirement: found '', expected: ',' or ')'");
  assert.equal(msg('x==a==b'), "found '==', expected: ',' or 'end of string'");
  assert.equal(msg('!x=a'), "found '=', expected: ',' or 'end of string'");
  assert.equal(msg('x,'), "found '', expected: identifier after ','");
  assert.equal(msg('x y'), "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt");
  assert.match(msg('-x'), /^unable to parse requirement: <nil>: Invalid value: "-x": name part must consist of alphanumeric characters/);
  assert.match(msg('x=-a-'), /^unable to parse requirement: values\[0\]\[x\]: Invalid value: "-a-": a valid label must be an empty string/);
});

test('parseLabelSelectorParam: 400 BadRequest', () => {
  assert.throws(() => parseLabelSelectorParam('x in a'), (e: unknown) => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest');
  assert.equal(parseLabelSelectorParam(undefined).requirements.length, 0);
});

test('matching: =, ==, !=, in, notin, exists, !exists, gt, lt', () => {
  const ls = { foo: 'bar', baz: 'blah', n: '5' };
  const yes = ['foo=bar', 'foo==bar', 'baz!=x', 'foo in (bar,x)', 'foo notin (x)', 'nope notin (x)', 'foo', '!nope', 'foo=bar,baz=blah', 'n>4', 'n<6', 'nope!=x', ''];
  const no = ['foo=baz', 'foo!=bar', 'foo in (x)', 'foo notin (bar)', 'nope', '!foo', 'foo=bar,baz=x', 'n>5', 'nope>1', 'nope in (x)'];
  for (const s of yes) assert.ok(selectorMatches(parseSelector(s), ls), s);
  for (const s of no) assert.ok(!selectorMatches(parseSelector(s), ls), s);
  assert.ok(!selectorMatches(parseSelector('foo'), undefined));
  assert.ok(selectorMatches(parseSelector('!foo'), undefined));
});

test('metav1.LabelSelector', () => {
  const sel = labelSelectorToSelector({ matchLabels: { app: 'web' }, matchExpressions: [
    { key: 'tier', operator: 'In', values: ['fe', 'be'] }, { key: 'canary', operator: 'DoesNotExist' },
    { key: 'env', operator: 'NotIn', values: ['dev'] }, { key: 'team', operator: 'Exists' }] });
  assert.equal(selectorToString(sel), 'app=web,!canary,env notin (dev),team,tier in (be,fe)');
  assert.deepEqual(sel.requirements.map((r) => r.key), ['app', 'canary', 'env', 'team', 'tier']);
  const m = labelSelectorMatcher({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] });
  assert.ok(m({ app: 'web', tier: 'fe' }));
  assert.ok(!m({ app: 'web', tier: 'be' }));
  assert.ok(!labelSelectorMatcher(undefined)({ a: 'b' }), 'nil selector matches nothing');
  assert.ok(labelSelectorMatcher({})({ a: 'b' }), 'empty selector matches everything');
  assert.throws(() => labelSelectorToSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), /"Bogus" is not a valid label selector operator/);
  assert.throws(() => labelSelectorToSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), /values set can't be empty/);
});

test('formatLabelSelector', () => {
  assert.equal(formatLabelSelector({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'In', values: ['b', 'a'] }] }), 'app=web,x in (a,b)');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'Nope' }] }), '<error>');
  assert.equal(selectorToString(selectorFromSet({ z: '1', a: '2' })), 'a=2,z=1');
});

test('label key and value syntax', () => {
  assert.deepEqual(isQualifiedName('app'), []);
  assert.deepEqual(isQualifiedName('example.com/tier'), []);
  assert.deepEqual(isQualifiedName('kubernetes.io/role'), []);
  assert.equal(isQualifiedName('a/b/c').length, 1);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('Example.com/x'), ["prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]);
  assert.deepEqual(isQualifiedName('x'.repeat(64)), ['name part must be no more than 63 characters']);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('v1.2_x-y'), []);
  assert.deepEqual(isValidLabelValue('-bad'), ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]);
});

test('parse: upstream TestSetSelectorParser cases', () => {
  const good: [string, string][] = [
    ['', ''], ['\rx', 'x'], ['this-is-a-dns.domain.com/key-with-dash', 'this-is-a-dns.domain.com/key-with-dash'],
    ['this-is-another-dns.domain.com/key-with-dash in (so,what)', 'this-is-another-dns.domain.com/key-with-dash in (so,what)'],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tock.clock)', '0.1.2.domain/99 notin (10.10.100.1,tick.tock.clock)'],
    ['foo  in\t (abc)', 'foo in (abc)'], ['x notin\n (abc)', 'x notin (abc)'], ['x  notin\t\t(abc,def)', 'x notin (abc,def)'],
    ['x in (abc,def)', 'x in (abc,def)'], ['x in (abc,)', 'x in (,abc)'], ['x in ()', 'x in ()'],
    ['x notin (abc,,def),bar,z in (),w', 'bar,w,x notin (,abc,def),z in ()'], ['x,y in (a)', 'x,y in (a)'],
    ['x=a,y!=b', 'x=a,y!=b'], ['x=a,y!=b,z in (h,i,j)', 'x=a,y!=b,z in (h,i,j)'], ['x notin ( )', 'x notin ()'],
    ['x notin (, a)', 'x notin (,a)'], ['a ', 'a'], ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
  ];
  for (const [s, want] of good) assert.equal(selectorToString(parseSelector(s)), want, JSON.stringify(s));
  for (const s of ['x=a||y=b', 'x,,y', ',x,y', 'x nott in (y)', 'a in (xyz),', 'a in (xyz)b notin ()', 'a in (xyz abc)', 'a notin(', 'a (', '(']) {
    assert.throws(() => parseSelector(s), Error, JSON.stringify(s));
  }
});
