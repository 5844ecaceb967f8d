// Garbage collector decisions against an in-memory API (no server): background, foreground, orphan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GarbageCollector } from '../../../src/controllers/garbagecollector/controller.ts';
import { R } from '../../../src/client/resources.ts';
import { StatusError } from '../../../src/api/errors.ts';
import { FakeClock } from '../../../src/util/clock.ts';

function world() {
  const objs = new Map<string, any>();
  const key = (ref: any, ns: any, name: string) => `${ref.plural}/${ref.namespaced ? ns : ''}/${name}`;
  const actions: { verb: string; key: string; body?: any; opts?: any }[] = [];
  const client = {
    async get(ref: any, ns: any, name: string) { const o = objs.get(key(ref, ns, name)); if (!o) throw new StatusError(404, 'NotFound', `${name} not found`); return structuredClone(o); },
    async update(ref: any, ns: any, obj: any) { const k = key(ref, ns, obj.metadata.name); actions.push({ verb: 'update', key: k, body: structuredClone(obj) }); objs.set(k, structuredClone(obj)); return obj; },
    async delete(ref: any, ns: any, name: string, opts: any) { const k = key(ref, ns, name); actions.push({ verb: 'delete', key: k, opts }); return {}; },
  };
  const handlers = new Map<string, any>();
  const informers = { get: (ref: any) => ({ addHandler: (h: any) => handlers.set(ref.plural, h) }) };
  const gc = new GarbageCollector([R.pods, R.replicasets, R.deployments]);
  gc.init({ client: client as any, informers: informers as any, clock: new FakeClock() });
  const put = (ref: any, o: any) => { objs.set(key(ref, o.metadata.namespace, o.metadata.name), o); handlers.get(ref.plural).add(structuredClone(o)); };
  const remove = (ref: any, o: any) => { objs.delete(key(ref, o.metadata.namespace, o.metadata.name)); handlers.get(ref.plural).delete(o); };
  return { gc, objs, actions, put, remove, key };
}
const owner = (kind: string, name: string, uid: string, block = true) => ({ apiVersion: kind === 'Deployment' || kind === 'ReplicaSet' ? 'apps/v1' : 'v1', kind, name, uid, controller: true, blockOwnerDeletion: block });
const meta = (name: string, uid: string, extra: any = {}) => ({ name, uid, namespace: 'default', ...extra });

test('background: a dependent whose owner is gone is deleted (uid precondition); one with a live owner is kept', async () => {
  const w = world();
  const rs = { metadata: meta('rs', 'rs-uid') };
  const pod = { metadata: meta('pod', 'pod-uid', { ownerReferences: [owner('ReplicaSet', 'rs', 'rs-uid')] }) };
  w.put(R.replicasets, rs);
  w.put(R.pods, pod);
  await w.gc.attemptToDelete('pod-uid');
  assert.equal(w.actions.length, 0, 'owner alive: nothing to do');
  w.remove(R.replicasets, rs);
  await w.gc.attemptToDelete('pod-uid');
  assert.equal(w.actions.length, 1);
  assert.equal(w.actions[0].verb, 'delete');
  assert.deepEqual(w.actions[0].opts, { propagationPolicy: 'Background', preconditions: { uid: 'pod-uid' } });
});

test('an owner with the same name but another uid is gone (dangling)', async () => {
  const w = world();
  w.put(R.replicasets, { metadata: meta('rs', 'new-uid') });
  w.put(R.pods, { metadata: meta('pod', 'pod-uid', { ownerReferences: [owner('ReplicaSet', 'rs', 'old-uid')] }) });
  await w.gc.attemptToDelete('pod-uid');
  assert.equal(w.actions[0]?.verb, 'delete');
});

test('with one solid owner, dangling references are removed instead of deleting the object', async () => {
  const w = world();
  w.put(R.replicasets, { metadata: meta('alive', 'alive-uid') });
  w.put(R.pods, { metadata: meta('pod', 'pod-uid', { ownerReferences: [owner('ReplicaSet', 'alive', 'alive-uid'), { ...owner('ReplicaSet', 'gone', 'gone-uid'), controller: false }] }) });
  await w.gc.attemptToDelete('pod-uid');
  assert.equal(w.actions.length, 1);
  assert.equal(w.actions[0].verb, 'update');
  assert.deepEqual(w.actions[0].body.metadata.ownerReferences.map((r: any) => r.uid), ['alive-uid']);
});

test('foreground: dependents of a deleting owner are deleted (foreground when they have dependents); the finalizer goes when none blocks', async () => {
  const w = world();
  const d = { metadata: meta('d', 'd-uid') };
  const rs = { metadata: meta('rs', 'rs-uid', { ownerReferences: [owner('Deployment', 'd', 'd-uid')] }) };
  const pod = { metadata: meta('pod', 'pod-uid', { ownerReferences: [owner('ReplicaSet', 'rs', 'rs-uid')] }) };
  w.put(R.deployments, d); w.put(R.replicasets, rs); w.put(R.pods, pod);
  const deleting = { metadata: { ...d.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] } };
  w.put(R.deployments, deleting);
  await w.gc.attemptToDelete('d-uid');
  assert.equal(w.actions.length, 0, 'a blocking dependent remains: wait');
  await w.gc.attemptToDelete('rs-uid');
  assert.deepEqual(w.actions.map((a) => [a.verb, a.key, a.opts?.propagationPolicy]), [['delete', 'replicasets/default/rs', 'Foreground']]);
  w.remove(R.pods, pod);
  w.remove(R.replicasets, rs);
  await w.gc.attemptToDelete('d-uid');
  const last = w.actions.at(-1)!;
  assert.equal(last.verb, 'update');
  assert.equal(last.key, 'deployments/default/d');
  assert.deepEqual(last.body.metadata.finalizers, []);
});

test('foreground: a dependent with blockOwnerDeletion=false does not hold the owner', async () => {
  const w = world();
  w.put(R.replicasets, { metadata: meta('rs', 'rs-uid', { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }) });
  w.put(R.pods, { metadata: meta('pod', 'pod-uid', { ownerReferences: [owner('ReplicaSet', 'rs', 'rs-uid', false)] }) });
  await w.gc.attemptToDelete('rs-uid');
  assert.equal(w.actions.at(-1)!.verb, 'update');
  assert.deepEqual(w.actions.at(-1)!.body.metadata.finalizers, []);
});

test('orphan: the owner reference is removed from every dependent, then the orphan finalizer', async () => {
  const w = world();
  w.put(R.replicasets, { metadata: meta('rs', 'rs-uid') });
  w.put(R.pods, { metadata: meta('p1', 'p1-uid', { ownerReferences: [owner('ReplicaSet', 'rs', 'rs-uid')] }) });
  w.put(R.pods, { metadata: meta('p2', 'p2-uid', { ownerReferences: [owner('ReplicaSet', 'rs', 'rs-uid')] }) });
  w.put(R.replicasets, { metadata: meta('rs', 'rs-uid', { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'] }) });
  await w.gc.attemptToOrphan('rs-uid');
  assert.deepEqual(w.actions.map((a) => a.key), ['pods/default/p1', 'pods/default/p2', 'replicasets/default/rs']);
  assert.deepEqual(w.objs.get('pods/default/p1').metadata.ownerReferences, []);
  assert.deepEqual(w.objs.get('replicasets/default/rs').metadata.finalizers, []);
});
