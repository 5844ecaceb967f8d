/**
 * Query parameters decoded as upstream's parameter codec and validated as upstream (src/api/options.ts).
 * The expected strings are upstream's: runtime.Convert_Slice_string_To_bool, strconv.ParseInt / ParseBool error
 * texts, and the messages of apimachinery's ValidateListOptions tests (validation_test.go).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  queryBool, goParseBool, goParseInt64, queryInt64, isPrettyPrint, decodeListOptions, validateListOptions, decodeTableOptions,
  decodeWriteOptions, decodeDeleteOptionsQuery, validateDeleteOptions, decodePodLogOptions, decodePodExecOptions,
  encodePodExecOptions, decodeKubeletStreamOptions, decodePortForwardPorts, type ListOptions,
} from '../../../src/api/options.ts';
import { StatusError } from '../../../src/api/errors.ts';

const q = (s: string) => new URLSearchParams(s);
/** What upstream's field.ErrorList renders for each error: `<field>: <body>`. */
const rendered = (e: StatusError) => (e.details?.causes ?? []).map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
function fails(fn: () => unknown, code: number, check: (e: StatusError) => void) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code, e.message);
    check(e);
    return true;
  });
}

test('booleans as runtime.Convert_Slice_string_To_bool: only 0 and false (any case) are false; Python\'s True is true', () => {
  const table: [string, boolean | undefined][] = [
    ['watch=true', true], ['watch=True', true], ['watch=TRUE', true], ['watch=1', true], ['watch=t', true], ['watch=T', true],
    ['watch=yes', true], ['watch=', true], ['watch=on', true],
    ['watch=false', false], ['watch=False', false], ['watch=FALSE', false], ['watch=fAlSe', false], ['watch=0', false],
    // "f" is not one of the false spellings of the query conversion (it is for strconv.ParseBool).
    ['watch=f', true],
    ['', undefined], ['other=1', undefined],
    // The first value of a repeated parameter wins.
    ['watch=false&watch=true', false], ['watch=True&watch=0', true],
  ];
  for (const [query, want] of table) assert.equal(queryBool(q(query), 'watch'), want, query);
});

test('strconv.ParseBool (pretty): the twelve spellings, anything else is not a bool', () => {
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(goParseBool(t), true, t);
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(goParseBool(f), false, f);
  for (const x of ['', 'yes', 'tRUE', 'fALSE', ' true', '2']) assert.equal(goParseBool(x), undefined, x);
  // isPrettyPrint: an unparsable value is false; absent, curl / Wget / browsers get indented output.
  assert.equal(isPrettyPrint(q('pretty=True'), 'kubectl/v1.32'), true);
  assert.equal(isPrettyPrint(q('pretty=yes'), 'curl/8.0'), false);
  assert.equal(isPrettyPrint(q('pretty=0'), 'curl/8.0'), false);
  assert.equal(isPrettyPrint(q(''), 'curl/8.0'), true);
  assert.equal(isPrettyPrint(q(''), 'Wget/1.21'), true);
  assert.equal(isPrettyPrint(q(''), 'Mozilla/5.0 (X11)'), true);
  assert.equal(isPrettyPrint(q(''), 'OpenAPI-Generator/32.0.1/python'), false);
});

test('int64 parameters as strconv.ParseInt(s, 10, 64), with its error text as the 400 message', () => {
  const ok: [string, number][] = [['0', 0], ['500', 500], ['-5', -5], ['+7', 7], ['007', 7], ['9007199254740991', 9007199254740991]];
  for (const [s, n] of ok) assert.equal(goParseInt64(s), n, s);
  const bad: [string, string][] = [
    ['abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    [' 1', 'strconv.ParseInt: parsing " 1": invalid syntax'],
    ['0x10', 'strconv.ParseInt: parsing "0x10": invalid syntax'],
    ['1_000', 'strconv.ParseInt: parsing "1_000": invalid syntax'],
    ['9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    ['-9223372036854775809', 'strconv.ParseInt: parsing "-9223372036854775809": value out of range'],
  ];
  for (const [s, msg] of bad) assert.throws(() => goParseInt64(s), { message: msg }, s);
  for (const name of ['limit', 'timeoutSeconds', 'gracePeriodSeconds']) {
    fails(() => queryInt64(q(`${name}=ten`), name), 400, (e) => {
      assert.equal(e.reason, 'BadRequest');
      assert.equal(e.message, 'strconv.ParseInt: parsing "ten": invalid syntax');
    });
  }
  assert.equal(queryInt64(q(''), 'limit'), undefined);
});

test('list options: decoded, a watch from "" or "0" defaulted to sendInitialEvents (WatchList on)', () => {
  const o = decodeListOptions(q('labelSelector=app%3Dweb&fieldSelector=metadata.name%3Dx&limit=500&continue=abc&resourceVersion=12&timeoutSeconds=30&allowWatchBookmarks=True'));
  assert.deepEqual(
    { ...o },
    { labelSelector: 'app=web', fieldSelector: 'metadata.name=x', watch: false, allowWatchBookmarks: true, resourceVersion: '12', resourceVersionMatch: undefined, timeoutSeconds: 30, limit: 500, continue: 'abc', sendInitialEvents: undefined },
  );
  const w = decodeListOptions(q('watch=True'));
  assert.equal(w.watch, true);
  assert.equal(w.sendInitialEvents, true);
  assert.equal(w.resourceVersionMatch, 'NotOlderThan');
  assert.equal(decodeListOptions(q('watch=1&resourceVersion=0')).sendInitialEvents, true);
  // A watch from a version is not defaulted; the /watch/ path is a watch whatever the parameter says.
  assert.equal(decodeListOptions(q('watch=true&resourceVersion=7')).sendInitialEvents, undefined);
  assert.equal(decodeListOptions(q('watch=false'), true).watch, true);
  assert.equal(decodeListOptions(q('watch=False')).watch, false);
});

test('ValidateListOptions: upstream\'s table (WatchList enabled)', () => {
  const T = true, F = false;
  const cases: [string, Partial<ListOptions>, string[]][] = [
    ['valid-default', {}, []],
    ['valid-resourceversionmatch-exact', { resourceVersion: '1', resourceVersionMatch: 'Exact' }, []],
    ['invalid-resourceversionmatch-exact', { resourceVersion: '0', resourceVersionMatch: 'Exact' }, ['resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"']],
    ['valid-resourceversionmatch-notolderthan', { resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' }, []],
    ['invalid-resourceversionmatch', { resourceVersion: '0', resourceVersionMatch: 'foo' }, ['resourceVersionMatch: Unsupported value: "foo": supported values: "Exact", "NotOlderThan", ""']],
    ['match-without-rv', { resourceVersionMatch: 'NotOlderThan' }, ['resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided']],
    ['list-sendInitialEvents-forbidden', { sendInitialEvents: T }, ['sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list']],
    ['valid-watch-default', { watch: T }, []],
    ['valid-watch-sendInitialEvents-on', { watch: T, sendInitialEvents: T, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: T }, []],
    ['valid-watch-sendInitialEvents-off', { watch: T, sendInitialEvents: F, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: T }, []],
    ['watch-resourceversionmatch-without-sendInitialEvents-forbidden', { watch: T, resourceVersionMatch: 'NotOlderThan' }, ['resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided']],
    ['watch-sendInitialEvents-with-exact-resourceversionmatch-forbidden', { watch: T, sendInitialEvents: T, resourceVersionMatch: 'Exact', allowWatchBookmarks: T }, ['resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan', 'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"']],
    ['watch-sendInitialEvents-on-with-empty-resourceversionmatch-forbidden', { watch: T, sendInitialEvents: T }, ['resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan']],
    ['watch-sendInitialEvents-with-incorrect-resourceversionmatch-forbidden', { watch: T, sendInitialEvents: T, resourceVersionMatch: 'incorrect', allowWatchBookmarks: T }, ['resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan', 'resourceVersionMatch: Unsupported value: "incorrect": supported values: "NotOlderThan"']],
    ['watch-sendInitialEvents-no-allowWatchBookmark', { watch: T, sendInitialEvents: T, resourceVersionMatch: 'NotOlderThan' }, []],
    ['watch-continue', { watch: T, sendInitialEvents: T, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: T, continue: '123' }, ['resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided']],
  ];
  for (const [name, o, want] of cases) {
    const errs = validateListOptions({ watch: false, allowWatchBookmarks: false, ...o });
    assert.deepEqual(errs.map((e) => `${e.field}: ${e.message}`), want, name);
  }
  // Through the decoder: 422 Invalid on ListOptions.meta.k8s.io.
  fails(() => decodeListOptions(q('watch=true&sendInitialEvents=true')), 422, (e) => {
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    assert.equal(e.details?.kind, 'ListOptions');
    assert.equal(e.details?.group, 'meta.k8s.io');
  });
});

test('TableOptions: includeObject None, Metadata (default), Object; anything else is 400', () => {
  assert.equal(decodeTableOptions(q('')).includeObject, 'Metadata');
  assert.equal(decodeTableOptions(q('includeObject=Object')).includeObject, 'Object');
  assert.equal(decodeTableOptions(q('includeObject=None')).includeObject, 'None');
  fails(() => decodeTableOptions(q('includeObject=object')), 400, (e) => {
    assert.equal(e.message, 'Unable to convert to Table as requested: includeObject: Invalid value: "object": must be \'Metadata\', \'Object\', \'None\', or empty');
  });
});

test('Create/Update/PatchOptions: dryRun, fieldManager, fieldValidation, force, validated as upstream', () => {
  assert.deepEqual(decodeWriteOptions(q(''), 'CreateOptions'), { dryRun: false, fieldManager: undefined, fieldValidation: 'Warn', force: undefined });
  assert.deepEqual(decodeWriteOptions(q('dryRun=All&fieldManager=kubectl-create&fieldValidation=Strict'), 'CreateOptions'), { dryRun: true, fieldManager: 'kubectl-create', fieldValidation: 'Strict', force: undefined });
  assert.equal(decodeWriteOptions(q('fieldManager=m&force=True'), 'PatchOptions', 'apply').force, true);
  assert.equal(decodeWriteOptions(q('fieldManager=m&force=false'), 'PatchOptions', 'apply').force, false);
  const cases: [string, 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', string | undefined, string][] = [
    ['fieldValidation=strict', 'CreateOptions', undefined, 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"'],
    ['dryRun=true', 'UpdateOptions', undefined, 'UpdateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"true"}: supported values: "All"'],
    ['force=true', 'PatchOptions', 'merge', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'],
    ['force=false', 'PatchOptions', 'strategic', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'],
    ['', 'PatchOptions', 'apply', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'],
    [`fieldManager=${'m'.repeat(129)}`, 'CreateOptions', undefined, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes'],
    ['fieldManager=a%0Ab', 'CreateOptions', undefined, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\nb": invalid character U+000A (at position 1)'],
  ];
  for (const [query, kind, pt, msg] of cases) {
    fails(() => decodeWriteOptions(q(query), kind, pt), 422, (e) => assert.equal(e.message, msg, query));
  }
});

test('DeleteOptions from the query, validated as ValidateDeleteOptions', () => {
  assert.deepEqual(decodeDeleteOptionsQuery(q('gracePeriodSeconds=0&propagationPolicy=Foreground&dryRun=All')), { gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] });
  assert.deepEqual(decodeDeleteOptionsQuery(q('orphanDependents=True')), { orphanDependents: true });
  fails(() => decodeDeleteOptionsQuery(q('gracePeriodSeconds=now')), 400, (e) => assert.equal(e.message, 'strconv.ParseInt: parsing "now": invalid syntax'));
  fails(() => validateDeleteOptions({ propagationPolicy: 'Sometimes' }), 422, (e) => {
    assert.equal(e.message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sometimes": supported values: "Foreground", "Background", "Orphan", "nil"');
  });
  fails(() => validateDeleteOptions({ propagationPolicy: 'Orphan', orphanDependents: true }), 422, (e) => {
    assert.deepEqual(rendered(e), ['propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set']);
  });
  fails(() => validateDeleteOptions({ dryRun: ['Some'] }), 422, (e) => assert.deepEqual(rendered(e), ['dryRun: Unsupported value: []string{"Some"}: supported values: "All"']));
});

test('pod log, exec and port-forward options: parsed as the API server does, handed to the node agent canonically', () => {
  const lo = decodePodLogOptions(q('follow=True&tailLines=10&timestamps=1&container=c&previous=False'));
  assert.deepEqual({ ...lo }, { container: 'c', follow: true, previous: false, timestamps: true, sinceSeconds: undefined, sinceTime: undefined, tailLines: 10, limitBytes: undefined, insecureSkipTLSVerifyBackend: false });
  fails(() => decodePodLogOptions(q('tailLines=-1'), 'web'), 422, (e) => assert.equal(e.message, 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0'));
  fails(() => decodePodLogOptions(q('limitBytes=0'), 'web'), 422, (e) => assert.deepEqual(rendered(e), ['limitBytes: Invalid value: 0: must be greater than 0']));
  fails(() => decodePodLogOptions(q('tailLines=ten')), 400, (e) => assert.equal(e.message, 'strconv.ParseInt: parsing "ten": invalid syntax'));

  // The Python client's exec: stdin=False&stdout=True&stderr=True&tty=False.
  const eo = decodePodExecOptions(q('command=sh&command=-c&command=echo%20hi&stderr=True&stdin=False&stdout=True&tty=False'));
  assert.deepEqual(eo, { container: undefined, command: ['sh', '-c', 'echo hi'], stdin: false, stdout: true, stderr: true, tty: false });
  const wire = encodePodExecOptions(eo);
  assert.equal(wire.toString(), 'output=1&error=1&command=sh&command=-c&command=echo+hi');
  assert.deepEqual(decodeKubeletStreamOptions(wire), { command: ['sh', '-c', 'echo hi'], stdin: false, stdout: true, stderr: true, tty: false });
  fails(() => decodePodExecOptions(q('command=ls&stdout=false')), 400, (e) => assert.equal(e.message, 'you must specify at least one of stdin, stdout, stderr'));
  fails(() => decodePodExecOptions(q('stdout=true')), 400, (e) => assert.equal(e.message, 'you must specify at least 1 command'));
  assert.deepEqual(decodePodExecOptions(q('stdout=true&stdin=1'), true).command, []);

  assert.deepEqual(decodePortForwardPorts(q('ports=80&ports=443,8080')), [80, 443, 8080]);
  fails(() => decodePortForwardPorts(q('ports=http')), 400, (e) => assert.equal(e.message, 'cannot convert to []int32: strconv.ParseUint: parsing "http": invalid syntax'));
  fails(() => decodePortForwardPorts(q('ports=70000')), 400, (e) => assert.equal(e.message, 'cannot convert to []int32: strconv.ParseUint: parsing "70000": value out of range'));
});
