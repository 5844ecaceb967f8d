/**
 * API semantics over HTTPS against a real `kubelite up` (control plane only): authentication, limits and bad
 * input, resourceVersion/generation, no-op writes, optimistic concurrency, selectors, pagination, watch
 * (RV=0, from RV, bookmarks, timeoutSeconds, selectors), finalizers, graceful pod deletion, namespaces,
 * Service IP/nodePort allocation, dryRun, fieldValidation, subresources.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { startCluster, startEtcd, waitFor, type Cluster } from './harness.ts';
import { R } from '../../src/client/resources.ts';
import type { WatchEvent } from '../../src/client/client.ts';

let c: Cluster;

interface RawResp { code: number; headers: Record<string, any>; body: string; json?: any }
function raw(method: string, path: string, opts: { body?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {}): Promise<RawResp> {
  const cfg = c.client.config;
  const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? cfg.token : opts.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: c.port, path, method, headers, ca: cfg.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try { json = JSON.parse(body); } catch { /* not json */ }
        resolve({ code: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const pod = (name: string, labels: Record<string, string> = {}, extra: any = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels, ...(extra.metadata ?? {}) },
  spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], ...(extra.spec ?? {}) },
});
const cm = (name: string, data: Record<string, string> = {}, meta: any = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data });

// The same suite on both stores (the etcd run starts its own etcd on loopback).
for (const store of ['sqlite', 'etcd'] as const) describe(`API on ${store}`, () => {
let etcd: { endpoint: string; stop(): Promise<void> } | undefined;
before(async () => {
  if (store === 'etcd') etcd = await startEtcd();
  c = await startCluster({ store, args: etcd ? ['--etcd-endpoints', etcd.endpoint] : [], env: { KUBELITE_COMPACT_INTERVAL_MS: '1500' } });
});
after(async () => { await c?.stop(); await etcd?.stop(); });

test('401 without credentials or with a bad token; public health and version', async () => {
  assert.equal((await raw('GET', '/api/v1/pods', { token: null })).code, 401);
  const bad = await raw('GET', '/api/v1/namespaces', { token: 'nope' });
  assert.equal(bad.code, 401);
  assert.equal(bad.json.reason, 'Unauthorized');
  assert.equal((await raw('GET', '/readyz', { token: null })).body, 'ok');
  assert.equal((await raw('GET', '/livez', { token: null })).code, 200);
  assert.equal((await raw('GET', '/healthz', { token: null })).code, 200);
  const v = await raw('GET', '/version', { token: null });
  assert.equal(v.json.major, '1');
  assert.equal(v.json.minor, '32');
  assert.match(v.json.gitVersion, /^v1\.32\./);
});

test('client certificate from the kubeconfig authenticates', async () => {
  const cfg = c.client.config;
  const code = await new Promise<number>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port: c.port, path: '/api/v1/namespaces', ca: cfg.ca, cert: cfg.cert, key: cfg.key }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
  });
  assert.equal(code, 200);
});

test('413 over 3 MiB; 400 for malformed JSON, YAML, protobuf; 415 unknown type; never a 500', async () => {
  const big = JSON.stringify(cm('big', { a: 'x'.repeat(3 * 1024 * 1024 + 10) }));
  const r = await raw('POST', '/api/v1/namespaces/default/configmaps', { body: big, headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.code, 413);
  const bodies: [string, string][] = [
    ['application/json', '{"apiVersion":'],
    ['application/json', '[1,2,3]'],
    ['application/json', '"str"'],
    ['application/json', '{"metadata":"x"}'],
    ['application/json', '{"metadata":{"name":5}}'],
    ['application/json', '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x"}}'],
    ['application/json', '['.repeat(100000) + ']'.repeat(100000)],
    ['application/json', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)],
    ['application/yaml', 'a: [\n  b: :'],
    ['application/yaml', 'a: &x [*x]'],
    ['application/vnd.kubernetes.protobuf', 'k8s\x00\xff\xff\xff\xff'],
    ['application/vnd.kubernetes.protobuf', 'garbage'],
    ['application/json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x'.repeat(100000) } })],
    ['application/json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok-typed', labels: 'notamap' } })],
    ['application/json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok-typed2' }, data: [1, 2] })],
  ];
  for (const [ct, body] of bodies) {
    const res = await raw('POST', '/api/v1/namespaces/default/configmaps', { body, headers: { 'Content-Type': ct } });
    assert.ok(res.code >= 400 && res.code < 500, `${ct} ${body.slice(0, 40)} -> ${res.code} ${res.body.slice(0, 200)}`);
    assert.equal(res.json?.kind, 'Status', res.body.slice(0, 200));
  }
  const u = await raw('POST', '/api/v1/namespaces/default/configmaps', { body: '{}', headers: { 'Content-Type': 'text/html' } });
  assert.equal(u.code, 415);
  // unknown kinds / paths
  assert.equal((await raw('GET', '/apis/nope.io/v1/things')).code, 404);
  assert.equal((await raw('GET', '/api/v1/namespaces/default/nothings/x')).code, 404);
  assert.equal((await raw('GET', '/api/v1/namespaces/%E0%A4%A/pods')).code, 400);
  // limit is an int64 (strconv.ParseInt): a negative one is no limit, as upstream; a non-number is 400.
  assert.equal((await raw('GET', '/api/v1/namespaces/default/pods?limit=-1')).code, 200);
  assert.equal((await raw('GET', '/api/v1/namespaces/default/pods?limit=abc')).code, 400);
  assert.equal((await raw('GET', '/api/v1/namespaces/default/pods?continue=garbage')).code, 400);
  assert.equal((await raw('GET', '/api/v1/namespaces/default/pods?watch=true&resourceVersion=abc')).code, 400);
  // bad patches
  await c.client.create(R.configmaps, 'default', cm('patchme', { a: '1' }));
  for (const [ct, body] of [['application/json-patch+json', '{"op":"x"}'], ['application/json-patch+json', '[{"op":"replace","path":"/nope/x","value":1}]'],
    ['application/merge-patch+json', '[1]'], ['application/strategic-merge-patch+json', '{"data":{"$patch":"bogus"}}'], ['application/strategic-merge-patch+json', '{bad']]) {
    const res = await raw('PATCH', '/api/v1/namespaces/default/configmaps/patchme', { body, headers: { 'Content-Type': ct } });
    assert.ok(res.code >= 400 && res.code < 500, `${ct} ${body} -> ${res.code} ${res.body}`);
  }
  // the server still answers and the stored object is intact
  const got = await c.client.get(R.configmaps, 'default', 'patchme');
  assert.deepEqual(got.data, { a: '1' });
});

test('create: uid, creationTimestamp, generation, generateName, resourceVersion; missing namespace is 404', async () => {
  const d = await c.client.create(R.configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' }, data: {} });
  assert.match(d.metadata.name, /^gen-[a-z0-9]{5}$/);
  assert.match(d.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(d.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Number(d.metadata.resourceVersion) > 0);
  await assert.rejects(c.client.create(R.configmaps, 'nope-ns', cm('x')), (e: any) => e.code === 404 && /namespaces "nope-ns" not found/.test(e.message));
});

test('update: 409 on stale resourceVersion, generation bumps on spec change only, no-op keeps RV', async () => {
  const dep = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gen' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'gen' } }, template: { metadata: { labels: { app: 'gen' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
  };
  // (the deployment controller writes status concurrently: always update from a fresh read)
  const d1 = await c.client.create(R.deployments, 'default', dep);
  assert.equal(d1.metadata.generation, 1);
  const fresh = () => c.client.get(R.deployments, 'default', 'gen');
  // update from a fresh read, retrying when the controller wrote in between (client-go RetryOnConflict)
  const upd = async (f: (d: any) => any, sub?: string): Promise<any> => {
    for (let i = 0; ; i++) {
      try { return await c.client.update(R.deployments, 'default', f(await fresh()), sub); } catch (e: any) { if (e.code !== 409 || i > 20) throw e; }
    }
  };
  const d2 = await upd((d) => ({ ...d, metadata: { ...d.metadata, labels: { l: '1' } } }));
  assert.equal(d2.metadata.generation, 1);
  const d3 = await upd((d) => ({ ...d, spec: { ...d.spec, replicas: 3 } }));
  assert.equal(d3.metadata.generation, 2);
  await assert.rejects(c.client.update(R.deployments, 'default', { ...d1, spec: { ...d1.spec, replicas: 5 } }), (e: any) => e.code === 409 && e.reason === 'Conflict');
  // writes that change nothing keep the resourceVersion
  let before = '';
  const d4 = await upd((d) => { before = d.metadata.resourceVersion; return d; });
  assert.equal(d4.metadata.resourceVersion, before);
  const p = await c.client.patch(R.deployments, 'default', 'gen', { spec: { replicas: 3 } }, 'merge');
  assert.equal(p.metadata.generation, 2);
  const withStatus = await upd((d) => ({ ...d, status: { ...(d.status ?? {}), replicas: 77 } }));
  assert.notEqual(withStatus.status?.replicas, 77);
  const st = await upd((d) => ({ ...d, status: { ...(d.status ?? {}), replicas: 77 } }), 'status');
  assert.equal(st.status.replicas, 77);
  assert.equal(st.metadata.generation, 2);
  // immutable selector
  await assert.rejects(c.client.patch(R.deployments, 'default', 'gen', { spec: { selector: { matchLabels: { app: 'x' } } } }, 'merge'), (e: any) => e.code === 422);
});

test('422 lists every field error', async () => {
  try {
    await c.client.create(R.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name', labels: { 'bad key!': 'v' } }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] } });
    assert.fail('should be invalid');
  } catch (e: any) {
    assert.equal(e.code, 422);
    const fields = (e.details?.causes ?? []).map((x: any) => x.field);
    for (const f of ['metadata.name', 'spec.containers[1].name', 'spec.containers[1].ports[0].containerPort']) assert.ok(fields.includes(f), `${f} in ${fields}`);
    assert.ok(fields.some((f: string) => f.startsWith('metadata.labels')), String(fields));
  }
});

test('dryRun=All writes nothing; fieldValidation Strict/Warn/Ignore', async () => {
  const r = await raw('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: JSON.stringify(cm('dry')), headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.code, 201);
  assert.equal(r.json.metadata.name, 'dry');
  await assert.rejects(c.client.get(R.configmaps, 'default', 'dry'), (e: any) => e.code === 404);
  const body = JSON.stringify({ ...cm('fv'), bogus: 1 });
  const strict = await raw('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { body, headers: { 'Content-Type': 'application/json' } });
  assert.equal(strict.code, 400);
  assert.match(strict.json.message, /strict decoding error: unknown field "bogus"/);
  const warn = await raw('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', { body, headers: { 'Content-Type': 'application/json' } });
  assert.equal(warn.code, 201);
  assert.match(String(warn.headers.warning), /299 - "unknown field \\"bogus\\""/);
  const ign = await raw('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', { body: JSON.stringify({ ...cm('fv2'), bogus: 1 }), headers: { 'Content-Type': 'application/json' } });
  assert.equal(ign.code, 201);
  assert.equal(ign.headers.warning, undefined);
  assert.equal((await c.client.get(R.configmaps, 'default', 'fv')).bogus, undefined);
});

/** A namespace as upstream makes it: the root CA publisher adds its kube-root-ca.crt ConfigMap, awaited here so
 * the counts below are exact and no watch from a later resourceVersion sees it arrive. */
async function namespaceWithRootCA(name: string): Promise<void> {
  await c.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await waitFor(async () => { try { return !!(await c.client.get(R.configmaps, name, 'kube-root-ca.crt')); } catch { return false; } },
    { timeoutMs: 20000, message: `kube-root-ca.crt in ${name}` });
}
const ROOT_CA = 'kube-root-ca.crt';

test('list: label and field selectors, limit/continue, resourceVersion', async () => {
  await namespaceWithRootCA('sel');
  for (let i = 0; i < 12; i++) await c.client.create(R.configmaps, 'sel', cm(`cm-${String(i).padStart(2, '0')}`, {}, { labels: { i: String(i), parity: i % 2 ? 'odd' : 'even' } }));
  const all = await c.client.list(R.configmaps, 'sel');
  assert.deepEqual(all.items.map((x: any) => x.metadata.name).filter((n: string) => n !== ROOT_CA).length, 12);
  assert.equal(all.items.length, 13, 'the twelve and kube-root-ca.crt');
  assert.ok(Number(all.metadata.resourceVersion) > 0);
  assert.equal((await c.client.list(R.configmaps, 'sel', { labelSelector: 'parity=odd' })).items.length, 6);
  // != and notin match objects without the label too (kube-root-ca.crt has none), as upstream
  assert.equal((await c.client.list(R.configmaps, 'sel', { labelSelector: 'parity!=odd,i notin (0,2)' })).items.length, 5);
  assert.equal((await c.client.list(R.configmaps, 'sel', { labelSelector: 'i in (1,2,3)' })).items.length, 3);
  assert.deepEqual((await c.client.list(R.configmaps, 'sel', { labelSelector: '!parity' })).items.map((x: any) => x.metadata.name), [ROOT_CA]);
  assert.equal((await c.client.list(R.configmaps, 'sel', { fieldSelector: 'metadata.name=cm-03' })).items.length, 1);
  assert.equal((await c.client.list(R.configmaps, 'sel', { fieldSelector: 'metadata.name!=cm-03' })).items.length, 12);
  await assert.rejects(c.client.list(R.configmaps, 'sel', { fieldSelector: 'spec.bogus=1' }), (e: any) => e.code === 400);
  await assert.rejects(c.client.list(R.configmaps, 'sel', { labelSelector: 'a in (' }), (e: any) => e.code === 400);
  // pagination, with and without a selector
  const names: string[] = [];
  let cont: string | undefined;
  let pages = 0;
  do {
    const page: any = await c.client.list(R.configmaps, 'sel', { limit: 5, continue: cont });
    names.push(...page.items.map((x: any) => x.metadata.name));
    if (page.metadata.continue) assert.equal(page.metadata.remainingItemCount, 13 - names.length);
    cont = page.metadata.continue;
    pages++;
  } while (cont);
  assert.equal(pages, 3);
  assert.deepEqual(names, [...names].sort());
  assert.equal(new Set(names).size, 13);
  const odd: string[] = [];
  cont = undefined;
  do {
    const page: any = await c.client.list(R.configmaps, 'sel', { limit: 2, continue: cont, labelSelector: 'parity=odd' });
    odd.push(...page.items.map((x: any) => x.metadata.name));
    cont = page.metadata.continue;
  } while (cont);
  assert.equal(odd.length, 6);
  // a continue token reads the snapshot of the first page
  const first = await c.client.list(R.configmaps, 'sel', { limit: 6 });
  await c.client.create(R.configmaps, 'sel', cm('cm-99'));
  const second = await c.client.list(R.configmaps, 'sel', { limit: 100, continue: first.metadata.continue });
  // the rest of the snapshot: cm-06..cm-11 and kube-root-ca.crt, not cm-99
  assert.deepEqual(second.items.map((x: any) => x.metadata.name), ['cm-06', 'cm-07', 'cm-08', 'cm-09', 'cm-10', 'cm-11', ROOT_CA]);
  assert.equal((await c.client.list(R.configmaps, 'sel')).items.length, 14);
  // events by involvedObject field selectors
  await c.client.create(R.events, 'sel', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'ev1' }, involvedObject: { kind: 'Pod', name: 'p1', namespace: 'sel' }, reason: 'R', message: 'm', type: 'Normal' });
  assert.equal((await c.client.list(R.events, 'sel', { fieldSelector: 'involvedObject.name=p1,involvedObject.kind=Pod' })).items.length, 1);
  assert.equal((await c.client.list(R.events, 'sel', { fieldSelector: 'involvedObject.name=p2' })).items.length, 0);
});

function collect(ns: string, opts: any, ref = R.configmaps) {
  const events: WatchEvent[] = [];
  const h = c.client.watch(ref, ns, opts, (e) => { events.push(e); });
  return { events, h };
}

test('watch: RV=0 sends current state, from RV sends later changes, selectors turn leaves into DELETED', async () => {
  await namespaceWithRootCA('wt');
  const a = await c.client.create(R.configmaps, 'wt', cm('a', {}, { labels: { w: 'y' } }));
  const w0 = collect('wt', { resourceVersion: '0' });
  const w1 = collect('wt', { resourceVersion: a.metadata.resourceVersion });
  const ws = collect('wt', { resourceVersion: a.metadata.resourceVersion, labelSelector: 'w=y' });
  await waitFor(() => w0.events.length >= 1);
  assert.equal(w0.events[0].type, 'ADDED');
  assert.equal(w0.events[0].object.metadata.name, 'a');
  await c.client.create(R.configmaps, 'wt', cm('b'));
  await c.client.patch(R.configmaps, 'wt', 'a', { data: { x: '1' } }, 'merge');
  await c.client.patch(R.configmaps, 'wt', 'a', { metadata: { labels: { w: 'n' } } }, 'merge');
  const del = await c.client.delete(R.configmaps, 'wt', 'b');
  void del;
  await waitFor(() => w1.events.length >= 4, { message: 'from-RV watcher' });
  assert.deepEqual(w1.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED b', 'MODIFIED a', 'MODIFIED a', 'DELETED b']);
  const rvs = w1.events.map((e) => Number(e.object.metadata.resourceVersion));
  assert.deepEqual(rvs, [...rvs].sort((x, y) => x - y));
  await waitFor(() => ws.events.length >= 2, { message: 'selector watcher' });
  assert.deepEqual(ws.events.map((e) => e.type), ['MODIFIED', 'DELETED']);
  for (const w of [w0, w1, ws]) w.h.stop();
});

test('watch: timeoutSeconds ends the stream, bookmarks arrive, 410 for a compacted revision, headers at once', async () => {
  const t0 = Date.now();
  const h = c.client.watch(R.configmaps, 'default', { resourceVersion: '0', timeoutSeconds: 1 }, () => undefined);
  const r = await h.done;
  assert.equal(r.error, undefined);
  assert.ok(Date.now() - t0 < 10000);
  const bm = collect('default', { allowWatchBookmarks: true, resourceVersion: (await c.client.list(R.configmaps, 'default')).metadata.resourceVersion });
  await waitFor(() => bm.events.some((e) => e.type === 'BOOKMARK'), { timeoutMs: 20000, message: 'bookmark' });
  const b = bm.events.find((e) => e.type === 'BOOKMARK')!;
  assert.equal(b.object.kind, 'ConfigMap');
  assert.ok(Number(b.object.metadata.resourceVersion) > 0);
  bm.h.stop();
  // compaction runs every 1.5 s in this cluster: after a few writes and two rounds, revision 1 is gone
  for (let i = 0; i < 3; i++) { await c.client.create(R.configmaps, 'default', cm(`compact-${i}`)); await new Promise((r) => setTimeout(r, 1600)); }
  const old = collect('default', { resourceVersion: '1' });
  const res = await old.h.done;
  assert.equal(res.error, undefined);
  assert.equal(old.events.length, 1);
  assert.equal(old.events[0].type, 'ERROR');
  assert.equal(old.events[0].object.code, 410);
  assert.equal(old.events[0].object.reason, 'Expired');
  // headers flushed before any event
  const cfg = c.client.config;
  const gotHeaders = await new Promise<number>((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: c.port, path: `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${b.object.metadata.resourceVersion}`, ca: cfg.ca, headers: { Authorization: `Bearer ${cfg.token}` } }, (res) => { resolve(res.statusCode ?? 0); req.destroy(); });
    req.on('error', (e) => { if (!(e as any).code?.includes('RESET')) reject(e); });
  });
  assert.equal(gotHeaders, 200);
});

test('finalizers: delete only marks; removing the last finalizer deletes; propagationPolicy adds GC finalizers', async () => {
  await c.client.create(R.configmaps, 'default', cm('fin', {}, { finalizers: ['example.com/keep'] }));
  const marked = await c.client.delete(R.configmaps, 'default', 'fin');
  assert.ok(marked.metadata.deletionTimestamp);
  const still = await c.client.get(R.configmaps, 'default', 'fin');
  assert.ok(still.metadata.deletionTimestamp);
  await c.client.patch(R.configmaps, 'default', 'fin', { metadata: { finalizers: null } }, 'merge');
  await assert.rejects(c.client.get(R.configmaps, 'default', 'fin'), (e: any) => e.code === 404);
  await c.client.create(R.configmaps, 'default', cm('fg'));
  const fg = await c.client.delete(R.configmaps, 'default', 'fg', { propagationPolicy: 'Foreground' });
  assert.deepEqual(fg.metadata.finalizers, ['foregroundDeletion']);
  await c.client.create(R.configmaps, 'default', cm('or'));
  const or = await c.client.delete(R.configmaps, 'default', 'or', { propagationPolicy: 'Orphan' });
  assert.deepEqual(or.metadata.finalizers, ['orphan']);
  // preconditions
  const pc = await c.client.create(R.configmaps, 'default', cm('pc'));
  await assert.rejects(c.client.delete(R.configmaps, 'default', 'pc', { preconditions: { uid: 'other' } }), (e: any) => e.code === 409);
  await c.client.delete(R.configmaps, 'default', 'pc', { preconditions: { uid: pc.metadata.uid } });
});

test('pods: binding (409 when bound), graceful deletion on a node, immediate when unscheduled, eviction', async () => {
  await c.client.create(R.pods, 'default', pod('unsched'));
  await c.client.delete(R.pods, 'default', 'unsched');
  await assert.rejects(c.client.get(R.pods, 'default', 'unsched'), (e: any) => e.code === 404);
  await c.client.create(R.pods, 'default', pod('bound'));
  const b = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } };
  const st = await c.client.create(R.pods, 'default', b, {}, 'binding', 'bound');
  assert.equal(st.status, 'Success');
  const bound = await c.client.get(R.pods, 'default', 'bound');
  assert.equal(bound.spec.nodeName, 'n1');
  await assert.rejects(c.client.create(R.pods, 'default', { ...b, target: { kind: 'Node', name: 'n2' } }, {}, 'binding', 'bound'), (e: any) => e.code === 409);
  const marked = await c.client.delete(R.pods, 'default', 'bound');
  assert.ok(marked.metadata.deletionTimestamp);
  assert.equal(marked.metadata.deletionGracePeriodSeconds, 30);
  assert.ok(await c.client.get(R.pods, 'default', 'bound'));
  await c.client.delete(R.pods, 'default', 'bound', { gracePeriodSeconds: 0 });
  await assert.rejects(c.client.get(R.pods, 'default', 'bound'), (e: any) => e.code === 404);
  await c.client.create(R.pods, 'default', pod('evict'));
  await c.client.create(R.pods, 'default', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evict' } }, {}, 'eviction', 'evict');
  await assert.rejects(c.client.get(R.pods, 'default', 'evict'), (e: any) => e.code === 404);
});

test('namespaces: Terminating on delete, 403 for new content, finalize removes it; default may not be deleted', async () => {
  await c.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'term' } });
  const ns = await c.client.get(R.namespaces, undefined, 'term');
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  assert.equal(ns.status.phase, 'Active');
  await c.client.create(R.configmaps, 'term', cm('inside'));
  // the namespace controller (if running) may finalize it; either way new content is refused while Terminating
  await c.client.delete(R.namespaces, undefined, 'term');
  const t = await c.client.get(R.namespaces, undefined, 'term').catch(() => undefined);
  if (t) {
    assert.equal(t.status.phase, 'Terminating');
    assert.ok(t.metadata.deletionTimestamp);
    await assert.rejects(c.client.create(R.configmaps, 'term', cm('late')), (e: any) => e.code === 403 &&
      /configmaps "late" is forbidden: unable to create new content in namespace term because it is being terminated/.test(e.message));
    const cur = await c.client.get(R.namespaces, undefined, 'term').catch(() => undefined);
    if (cur) await c.client.update(R.namespaces, undefined, { ...cur, spec: { finalizers: [] } }, 'finalize').catch((e) => { if (e.code !== 404) throw e; });
  }
  await waitFor(async () => { try { await c.client.get(R.namespaces, undefined, 'term'); return false; } catch (e: any) { return e.code === 404; } });
  await assert.rejects(c.client.delete(R.namespaces, undefined, 'default'), (e: any) => e.code === 403);
});

test('services: clusterIP allocated once, explicit IP honoured or 422, nodePorts, freed on delete', async () => {
  const svc = (name: string, spec: any = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } });
  const ips = new Set<string>();
  const created = await Promise.all(Array.from({ length: 20 }, (_, i) => c.client.create(R.services, 'default', svc(`s${i}`))));
  for (const s of created) {
    assert.match(s.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    assert.deepEqual(s.spec.clusterIPs, [s.spec.clusterIP]);
    assert.equal(s.spec.type, 'ClusterIP');
    assert.equal(s.spec.sessionAffinity, 'None');
    assert.deepEqual(s.spec.ipFamilies, ['IPv4']);
    assert.equal(s.spec.ipFamilyPolicy, 'SingleStack');
    ips.add(s.spec.clusterIP);
  }
  assert.equal(ips.size, 20);
  assert.ok(!ips.has('10.96.0.1'));
  const fixed = await c.client.create(R.services, 'default', svc('fixed', { clusterIP: '10.96.0.50' }));
  assert.equal(fixed.spec.clusterIP, '10.96.0.50');
  await assert.rejects(c.client.create(R.services, 'default', svc('fixed2', { clusterIP: '10.96.0.50' })), (e: any) => e.code === 422 && /provided IP is already allocated/.test(e.message));
  await assert.rejects(c.client.create(R.services, 'default', svc('outside', { clusterIP: '192.168.1.1' })), (e: any) => e.code === 422);
  await c.client.delete(R.services, 'default', 'fixed');
  const again = await c.client.create(R.services, 'default', svc('fixed3', { clusterIP: '10.96.0.50' }));
  assert.equal(again.spec.clusterIP, '10.96.0.50');
  const np = await c.client.create(R.services, 'default', svc('np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81, nodePort: 30081 }] }));
  assert.ok(np.spec.ports[0].nodePort >= 30000 && np.spec.ports[0].nodePort <= 32767);
  assert.equal(np.spec.ports[1].nodePort, 30081);
  await assert.rejects(c.client.create(R.services, 'default', svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] })), (e: any) => e.code === 422 && /provided port is already allocated/.test(e.message));
  // an update that omits the allocated values keeps them
  const cur = await c.client.get(R.services, 'default', 'np');
  const upd = await c.client.update(R.services, 'default', { ...cur, spec: { ...cur.spec, clusterIP: undefined, clusterIPs: undefined, ports: cur.spec.ports.map((p: any) => ({ ...p, nodePort: undefined })) } });
  assert.equal(upd.spec.clusterIP, np.spec.clusterIP);
  assert.deepEqual(upd.spec.ports.map((p: any) => p.nodePort), np.spec.ports.map((p: any) => p.nodePort));
  await c.client.delete(R.services, 'default', 'np');
  const np3 = await c.client.create(R.services, 'default', svc('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] }));
  assert.equal(np3.spec.ports[0].nodePort, 30081);
  const headless = await c.client.create(R.services, 'default', svc('headless', { clusterIP: 'None' }));
  assert.equal(headless.spec.clusterIP, 'None');
  // the kubernetes service and its endpoints
  const k = await c.client.get(R.services, 'default', 'kubernetes');
  assert.equal(k.spec.clusterIP, '10.96.0.1');
  assert.equal(k.spec.ports[0].port, 443);
  const ep = await c.client.get(R.endpoints, 'default', 'kubernetes');
  assert.equal(ep.subsets[0].ports[0].port, c.port);
});

test('deletecollection and scale subresource', async () => {
  await namespaceWithRootCA('dc');
  for (let i = 0; i < 5; i++) await c.client.create(R.configmaps, 'dc', cm(`x${i}`, {}, { labels: { g: i < 3 ? 'a' : 'b' } }));
  await c.client.request('DELETE', '/api/v1/namespaces/dc/configmaps?labelSelector=g%3Da');
  assert.deepEqual((await c.client.list(R.configmaps, 'dc')).items.map((x: any) => x.metadata.name), [ROOT_CA, 'x3', 'x4']);
  const rs = await c.client.create(R.replicasets, 'dc', {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' },
    spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
  });
  let sc = await c.client.get(R.replicasets, 'dc', 'rs', 'scale');
  assert.equal(sc.apiVersion, 'autoscaling/v1');
  assert.equal(sc.spec.replicas, 1);
  assert.equal(sc.status.selector, 'a=b');
  // The ReplicaSet controller writes status meanwhile (moving the resourceVersion): a conditional update that
  // loses that race gets 409 and is retried on a fresh read, as client-go's RetryOnConflict does.
  let upd: any;
  for (let i = 0; !upd; i++) {
    try { upd = await c.client.update(R.replicasets, 'dc', { ...sc, spec: { replicas: 4 } }, 'scale'); } catch (e: any) {
      if (e.code !== 409 || i >= 20) throw e;
      sc = await c.client.get(R.replicasets, 'dc', 'rs', 'scale');
    }
  }
  assert.equal(upd.spec.replicas, 4);
  const after = await c.client.get(R.replicasets, 'dc', 'rs');
  assert.equal(after.spec.replicas, 4);
  assert.equal(after.metadata.generation, rs.metadata.generation + 1);
  await assert.rejects(c.client.update(R.replicasets, 'dc', { ...sc, spec: { replicas: 5 } }, 'scale'), (e: any) => e.code === 409);
});

test('tables for lists and watch events (Accept as=Table)', async () => {
  const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
  const t = await raw('GET', '/api/v1/namespaces/default/services?limit=500', { headers: { Accept: accept } });
  assert.equal(t.json.kind, 'Table');
  assert.deepEqual(t.json.columnDefinitions.map((x: any) => x.name).slice(0, 6), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age']);
  const row = t.json.rows.find((r: any) => r.cells[0] === 'kubernetes');
  assert.equal(row.object.kind, 'PartialObjectMetadata');
  const full = await raw('GET', '/api/v1/namespaces/default/services?includeObject=Object', { headers: { Accept: accept } });
  assert.equal(full.json.rows[0].object.kind, 'Service');
  const one = await raw('GET', '/api/v1/namespaces/default/services/kubernetes', { headers: { Accept: accept } });
  assert.equal(one.json.rows.length, 1);
});

test('discovery: aggregated v2 with its Content-Type, legacy lists with subresources', async () => {
  const agg = await raw('GET', '/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
  assert.match(String(agg.headers['content-type']), /^application\/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList/);
  const apps = agg.json.items.find((g: any) => g.metadata.name === 'apps');
  const deploy = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
  assert.deepEqual(deploy.shortNames, ['deploy']);
  assert.deepEqual(deploy.categories, ['all']);
  assert.ok(deploy.subresources.some((s: any) => s.subresource === 'scale' && s.responseKind.kind === 'Scale'));
  const core = await raw('GET', '/api', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
  assert.equal(core.json.items[0].metadata.name, '');
  const legacy = await raw('GET', '/api/v1');
  const names = legacy.json.resources.map((r: any) => r.name);
  for (const n of ['pods', 'pods/status', 'pods/binding', 'pods/eviction', 'services/status', 'namespaces/finalize', 'nodes/status']) assert.ok(names.includes(n), n);
  const groups = await raw('GET', '/apis');
  assert.ok(groups.json.groups.some((g: any) => g.name === 'coordination.k8s.io'));
  assert.equal((await raw('GET', '/apis/apps/v1')).json.groupVersion, 'apps/v1');
  const v2 = await raw('GET', '/openapi/v2');
  assert.equal(v2.code, 200, 'OpenAPI v2 is served (kubectl validates a kind: List client-side with it)');
  assert.equal(v2.json.swagger, '2.0');
  const idx = await raw('GET', '/openapi/v3');
  assert.ok(idx.json.paths['apis/apps/v1']);
});
});
