/**
 * What the official Python client (kubernetes-client/python) depends on byte for byte: its
 * utils.create_from_yaml raises FailToCreateError whose text is `Error from server (<reason>): <raw body>`,
 * so an error body must be the text upstream's API server writes — metav1.Status keys in the struct's
 * field order and the newline Go's json.Encoder ends every document with.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, PYTHON_HEADERS, type TestServer } from './server-fixture.ts';
import { internalError } from '../../../src/api/errors.ts';

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

const post = (path: string, body: unknown) => s.request('POST', path, { headers: PYTHON_HEADERS, body: JSON.stringify(body) });

test('a second create answers 409 with the exact Status text upstream writes (core and named group)', async () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'dup' }, spec: { ports: [{ port: 99, protocol: 'TCP', targetPort: 9949 }], selector: { app: 'dup' } } };
  assert.equal((await post('/api/v1/namespaces/default/services', svc)).status, 201);
  const again = await post('/api/v1/namespaces/default/services', svc);
  assert.equal(again.status, 409);
  assert.equal(again.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"services \\"dup\\" already exists","reason":"AlreadyExists","details":{"name":"dup","kind":"services"},"code":409}\n');

  const dep = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dup' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
  assert.equal((await post('/apis/apps/v1/namespaces/default/deployments', dep)).status, 201);
  const d2 = await post('/apis/apps/v1/namespaces/default/deployments', dep);
  assert.equal(d2.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"dup\\" already exists","reason":"AlreadyExists","details":{"name":"dup","group":"apps","kind":"deployments"},"code":409}\n');
});

test('every JSON answer ends with a newline, as Go\'s json.Encoder writes it: objects, lists, Status without details', async () => {
  const cm = await post('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nl' } });
  assert.equal(cm.status, 201);
  assert.ok(cm.text.endsWith('}\n'), JSON.stringify(cm.text.slice(-5)));
  assert.equal(Number(cm.headers['content-length']), cm.body.length);
  const list = await s.request('GET', '/api/v1/namespaces/default/configmaps', { headers: PYTHON_HEADERS });
  assert.ok(list.text.endsWith('}\n'));
  const missing = await s.request('GET', '/api/v1/namespaces/default/configmaps/nope', { headers: PYTHON_HEADERS });
  assert.equal(missing.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}\n');
  const bad = await s.request('GET', '/api/v1/namespaces/default/configmaps?labelSelector=%3D%3D', { headers: PYTHON_HEADERS });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /^\{"kind":"Status","apiVersion":"v1","metadata":\{\},"status":"Failure","message":".*","reason":"BadRequest","code":400\}\n$/);
});

test('a resource no route serves (a kind kubelite does not serve, in a served group) answers upstream\'s generic 404 with empty details', async () => {
  const r = await post('/apis/apps/v1/namespaces/default/daemonsets', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x' } });
  assert.equal(r.status, 404);
  assert.equal(r.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}\n');
  const g = await s.request('GET', '/apis/no.such.group', { headers: PYTHON_HEADERS });
  assert.equal(g.json().details && JSON.stringify(g.json().details), '{}');
});

test('a method no route takes answers upstream\'s generic 405 with empty details', async () => {
  const r = await s.request('GET', '/apis/authentication.k8s.io/v1/tokenreviews', { headers: PYTHON_HEADERS });
  assert.equal(r.status, 405);
  assert.equal(r.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server does not allow this method on the requested resource","reason":"MethodNotAllowed","details":{},"code":405}\n');
});

test('an internal error names its cause in details, as upstream\'s NewInternalError', () => {
  assert.equal(JSON.stringify(internalError('failed to allocate a serviceIP: range is full').toStatus()),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: failed to allocate a serviceIP: range is full","reason":"InternalError","details":{"causes":[{"message":"failed to allocate a serviceIP: range is full"}]},"code":500}');
});
