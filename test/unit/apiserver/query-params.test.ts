/**
 * Query parameters through the real API server (in process), as other clients send them — in particular the
 * official Python client, which spells booleans `True`/`False` (urlencode of a Python bool) and watches with
 * `watch=True&_preload_content=False` (kubernetes/base/watch/watch.py).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, PYTHON_HEADERS, type TestServer } from './server-fixture.ts';

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

const cm = (name: string, data: Record<string, string> = { a: '1' }) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const post = (path: string, body: string, headers: Record<string, string> = {}) => s.request('POST', path, { headers: { ...PYTHON_HEADERS, ...headers }, body });

test('the Python client\'s watch=True is a watch (events), watch=False a list', async () => {
  assert.equal((await post('/api/v1/namespaces/default/configmaps', cm('py-1'))).status, 201);
  const w = await s.stream('/api/v1/namespaces/default/configmaps?timeoutSeconds=5&watch=True', PYTHON_HEADERS);
  assert.equal(w.status, 200);
  const first = JSON.parse((await w.next())!);
  assert.equal(first.type, 'ADDED');
  assert.equal(first.object.kind, 'ConfigMap');
  assert.equal(first.object.metadata.name, 'py-1');
  // A change arrives as its own line on the open stream.
  assert.equal((await post('/api/v1/namespaces/default/configmaps', cm('py-2'))).status, 201);
  const second = JSON.parse((await w.next())!);
  assert.deepEqual([second.type, second.object.metadata.name], ['ADDED', 'py-2']);
  w.close();

  const l = await s.request('GET', '/api/v1/namespaces/default/configmaps?watch=False', { headers: PYTHON_HEADERS });
  assert.equal(l.status, 200);
  assert.equal(l.json().kind, 'ConfigMapList');
  for (const spelling of ['TRUE', '1', 't']) {
    const x = await s.stream(`/api/v1/namespaces/default/configmaps?watch=${spelling}&timeoutSeconds=1`, PYTHON_HEADERS);
    assert.equal(JSON.parse((await x.next())!).type, 'ADDED', spelling);
    x.close();
  }
});

test('a watch sends only events: nothing while idle without bookmarks; sendInitialEvents ends its state with an annotated BOOKMARK', async () => {
  const w = await s.stream('/api/v1/namespaces/default/configmaps?watch=True&allowWatchBookmarks=True&sendInitialEvents=True&resourceVersionMatch=NotOlderThan&timeoutSeconds=2', PYTHON_HEADERS);
  const lines: any[] = [];
  for (let l = await w.next(); l !== undefined; l = await w.next()) {
    assert.notEqual(l.trim(), '', 'no blank lines in a watch stream');
    lines.push(JSON.parse(l));
  }
  const types = lines.map((e) => e.type);
  const end = types.indexOf('BOOKMARK');
  assert.ok(end > 0, `a BOOKMARK after the initial ADDED events: ${types}`);
  assert.ok(types.slice(0, end).every((t) => t === 'ADDED'));
  assert.deepEqual(lines[end].object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
  assert.match(lines[end].object.metadata.resourceVersion, /^[0-9]+$/);
  assert.equal(lines[end].object.kind, 'ConfigMap');

  // sendInitialEvents=false from "now": no state, only what changes.
  const n = await s.stream('/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&timeoutSeconds=3', PYTHON_HEADERS);
  assert.equal((await post('/api/v1/namespaces/default/configmaps', cm('after-now'))).status, 201);
  const ev = JSON.parse((await n.next())!);
  assert.deepEqual([ev.type, ev.object.metadata.name], ['ADDED', 'after-now']);
  n.close();

  const bad = await s.request('GET', '/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=1', { headers: PYTHON_HEADERS });
  assert.equal(bad.status, 422);
  assert.equal(bad.json().message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
});

test('/watch/ paths watch a collection or one named object', async () => {
  const one = await s.stream('/api/v1/watch/namespaces/default/configmaps/py-1?timeoutSeconds=1', PYTHON_HEADERS);
  const names: string[] = [];
  for (let l = await one.next(); l !== undefined; l = await one.next()) names.push(JSON.parse(l).object.metadata.name);
  assert.deepEqual(names, ['py-1']);
  const mismatch = await s.request('GET', '/api/v1/watch/namespaces/default/configmaps/py-1?fieldSelector=metadata.name%3Dother', { headers: PYTHON_HEADERS });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.json().message, "fieldSelector metadata.name doesn't match requested name");
});

test('malformed integers are 400 with strconv\'s words; limit paginates', async () => {
  for (const p of ['limit=ten', 'timeoutSeconds=1.5&watch=true']) {
    const r = await s.request('GET', `/api/v1/namespaces/default/configmaps?${p}`, { headers: PYTHON_HEADERS });
    assert.equal(r.status, 400, p);
    assert.equal(r.json().reason, 'BadRequest');
    assert.match(r.json().message, /^strconv\.ParseInt: parsing "(ten|1\.5)": invalid syntax$/);
  }
  const page = await s.request('GET', '/api/v1/namespaces/default/configmaps?limit=1', { headers: PYTHON_HEADERS });
  assert.equal(page.json().items.length, 1);
  assert.ok(page.json().metadata.continue);
  // A negative limit is no limit (upstream only pages for limit > 0).
  assert.ok((await s.request('GET', '/api/v1/namespaces/default/configmaps?limit=-1', { headers: PYTHON_HEADERS })).json().items.length >= 2);
  const d = await s.request('DELETE', '/api/v1/namespaces/default/configmaps/py-2?gracePeriodSeconds=soon', { headers: PYTHON_HEADERS });
  assert.equal(d.status, 400);
  assert.equal(d.json().message, 'strconv.ParseInt: parsing "soon": invalid syntax');
});

test('write options are validated: force only on apply, fieldValidation and dryRun values, dryRun=All writes nothing', async () => {
  const merge = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/py-1?force=True', { headers: { ...PYTHON_HEADERS, 'Content-Type': 'application/merge-patch+json' }, body: '{"data":{"b":"2"}}' });
  assert.equal(merge.status, 422);
  assert.equal(merge.json().message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  const fv = await post('/api/v1/namespaces/default/configmaps?fieldValidation=strict', cm('fv'));
  assert.equal(fv.status, 422);
  assert.equal(fv.json().details.kind, 'CreateOptions');
  const dry = await post('/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
  assert.equal(dry.status, 201);
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/dry', { headers: PYTHON_HEADERS })).status, 404);
  const badDry = await post('/api/v1/namespaces/default/configmaps?dryRun=true', cm('dry'));
  assert.equal(badDry.status, 422);
  assert.equal(badDry.json().message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"true"}: supported values: "All"');
  // An apply with force=True (Python spelling) takes the fields.
  const apply = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/py-1?fieldManager=py&force=True', {
    headers: { ...PYTHON_HEADERS, 'Content-Type': 'application/apply-patch+yaml' }, body: cm('py-1', { a: 'applied' }),
  });
  assert.equal(apply.status, 200, apply.text);
  assert.equal(apply.json().data.a, 'applied');
});

test('DeleteOptions come from the body when there is one (the query is then ignored), else from the query', async () => {
  await post('/api/v1/namespaces/default/configmaps', cm('del-a'));
  await post('/api/v1/namespaces/default/configmaps', cm('del-b'));
  // The body says Orphan: the bad query value is not read.
  const a = await s.request('DELETE', '/api/v1/namespaces/default/configmaps/del-a?propagationPolicy=Bogus', { headers: PYTHON_HEADERS, body: '{"propagationPolicy":"Orphan"}' });
  // Orphan: marked with the orphan finalizer for the garbage collector (202 Accepted, as upstream).
  assert.equal(a.status, 202, a.text);
  assert.deepEqual(a.json().metadata.finalizers, ['orphan']);
  const b = await s.request('DELETE', '/api/v1/namespaces/default/configmaps/del-b?propagationPolicy=Bogus', { headers: PYTHON_HEADERS });
  assert.equal(b.status, 422);
  assert.equal(b.json().message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Bogus": supported values: "Foreground", "Background", "Orphan", "nil"');
  const both = await s.request('DELETE', '/api/v1/namespaces/default/configmaps/del-b?propagationPolicy=Orphan&orphanDependents=True', { headers: PYTHON_HEADERS });
  assert.equal(both.status, 422);
  assert.match(both.json().message, /orphanDependents and deletionPropagation cannot be both set/);
});

test('pretty: strconv.ParseBool spellings indent the JSON; curl gets it by default', async () => {
  const p = await s.request('GET', '/api/v1/namespaces/default/configmaps/py-1?pretty=True', { headers: PYTHON_HEADERS });
  assert.match(p.text, /^\{\n {2}"apiVersion": "v1",\n {2}"kind": "ConfigMap",\n/);
  const no = await s.request('GET', '/api/v1/namespaces/default/configmaps/py-1?pretty=yes', { headers: { ...PYTHON_HEADERS, 'User-Agent': 'curl/8.5.0' } });
  assert.match(no.text, /^\{"apiVersion":"v1","kind":"ConfigMap"/);
  const curl = await s.request('GET', '/api/v1/namespaces/default/configmaps/py-1', { headers: { Accept: 'application/json', 'User-Agent': 'curl/8.5.0' } });
  assert.match(curl.text, /^\{\n {2}"apiVersion"/);
  assert.deepEqual(JSON.parse(curl.text), JSON.parse(no.text));
});

test('Table options: includeObject is validated when a Table is asked for', async () => {
  const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io';
  const ok = await s.request('GET', '/api/v1/namespaces/default/configmaps?includeObject=Object', { headers: { Accept: accept } });
  assert.equal(ok.json().kind, 'Table');
  assert.equal(ok.json().rows[0].object.kind, 'ConfigMap');
  const bad = await s.request('GET', '/api/v1/namespaces/default/configmaps?includeObject=Everything', { headers: { Accept: accept } });
  assert.equal(bad.status, 400);
  assert.match(bad.json().message, /^Unable to convert to Table as requested: includeObject: Invalid value: "Everything"/);
});
