import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestTarget } from '../../../src/apiserver/context.ts';

test('parseRequestTarget gives what new URL() gives, for plain and odd request targets', () => {
  const targets = [
    '/', '/api', '/api/', '/api/v1/namespaces/default/configmaps', '/api/v1/namespaces/default/configmaps?fieldManager=kubectl&fieldValidation=Strict',
    '/apis/apps/v1/namespaces/x/deployments/web/scale?dryRun=All&dryRun=x', '/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+(a,b)&limit=5&continue=eyJ2Ijoi%3D%3D',
    '/api/v1/namespaces/a%2Fb/pods', '/api/v1/namespaces/%zz/pods', '/api/v1/watch/pods?watch=1&timeoutSeconds=3&allowWatchBookmarks=true',
    '/api/v1/namespaces/default/pods/../secrets', '/api/v1/./pods', '/api/v1/%2e%2e/x', '/api/v1/.%2E/x', '/api/v1/.hidden/x', '/api/v1/pods/..',
    '//evil/api/v1', '/api\\v1\\pods', '/api/v1/pods#frag', '/api/v1/pods?x=1#frag', '/api/v1/pods?a="b"&c=<d>&e=`f`', '/api/{x}/pods',
    '/api/v1/pods?q=caf\u00e9', '/api/v\u00e91/pods', '/api/v1/pods?=&&a&b=&=c', '/api/v1/pods?a=1;b=2', '/api/v1/pods|x^[y]', '/openapi/v3/apis/apps/v1?hash=ABC',
    'http://localhost:6443/api/v1/pods?x=1', '*', '/api/v1/pods?%', '/api/v1/pods?a=%2', '/api/v1/pods?a=+%2B+',
  ];
  // Dot segments are the one difference: kept as sent (Go's net/url does not resolve them), never resolved to the parent.
  const dotSegment = (t: string) => /(^|\/)(\.|%2e){1,2}(\/|$|\?|#)/i.test(t.replace(/^https?:\/\/[^/]*/, ''));
  for (const t of targets) {
    const got = parseRequestTarget(t);
    const want = new URL(dotSegment(t) ? t.replace(/(^|\/)((?:\.|%2e){1,2})(?=\/|$|\?|#)/gi, (_, a, d) => `${a}DOT${d.length}`) : t, 'https://localhost');
    const wantPath = dotSegment(t) ? want.pathname.replace(/DOT(\d)/g, (_, n) => t.match(/(?:^|\/)((?:\.|%2e){1,2})(?=\/|$|\?|#)/gi)!.map((x) => x.replace(/^\//, '')).find((d) => d.length === Number(n))!) : want.pathname;
    assert.equal(got.pathname, wantPath, `pathname of ${JSON.stringify(t)}`);
    assert.deepEqual([...got.searchParams], [...want.searchParams], `query of ${JSON.stringify(t)}`);
  }
});

test('dot segments (also %2e-encoded) stay in the path: a name position never resolves to the parent', () => {
  for (const [t, p] of [
    ['/api/v1/namespaces/default/configmaps/%2e%2e', '/api/v1/namespaces/default/configmaps/%2e%2e'],
    ['/api/v1/namespaces/default/configmaps/..', '/api/v1/namespaces/default/configmaps/..'],
    ['/api/v1/namespaces/default/configmaps/.', '/api/v1/namespaces/default/configmaps/.'],
    ['/api/v1/namespaces/default/configmaps/.%2E?x=1', '/api/v1/namespaces/default/configmaps/.%2E'],
    ['/api/v1/namespaces/default/pods/../secrets', '/api/v1/namespaces/default/pods/../secrets'],
    ['/api/v1/{x}/../y', '/api/v1/%7Bx%7D/../y'],
  ]) assert.equal(parseRequestTarget(t).pathname, p, t);
});
