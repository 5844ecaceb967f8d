// Garbage collection, adoption/release and namespace deletion, with the real kubectl and the test-only sim node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { startSimNode, type SimNode } from './sim-node.ts';
import { ok, deployment, createDeployment, replicaSetsOf, podsOf } from './controllers-helpers.ts';
import { R } from '../../src/client/resources.ts';

let c: Cluster;
let node: SimNode;
before(async () => {
  c = await startCluster();
  node = await startSimNode({ client: c.client, terminateDelayMs: 300 });
});
after(async () => { await node?.stop(); await c?.stop(); });

const listRS = async (app: string) => (await c.client.list<ReplicaSet>(R.replicasets, 'default', { labelSelector: `app=${app}` })).items;

test('delete (background cascade): the ReplicaSets and pods go too', async () => {
  await createDeployment(c, deployment('bg', { replicas: 3 }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/bg', '--timeout=60s']));
  const t0 = Date.now();
  ok(await c.kubectl(['delete', 'deployment', 'bg', '--timeout=30s']));
  const t1 = Date.now();
  await waitFor(async () => (await listRS('bg')).length === 0 && (await podsOf(c, 'bg')).length === 0, { message: 'RS and pods collected' });
  if (process.env.KUBELITE_E2E_VERBOSE) console.error(`kubectl delete ${t1 - t0} ms, collection ${Date.now() - t1} ms`);
});

test('delete --cascade=foreground: the Deployment waits (foregroundDeletion) until its dependents are gone', async () => {
  await createDeployment(c, deployment('fg', { replicas: 3 }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/fg', '--timeout=60s']));
  const seen: string[][] = [];
  const w = c.client.watch(R.deployments, 'default', { fieldSelector: 'metadata.name=fg' }, (ev) => {
    if (ev.type === 'MODIFIED') seen.push([...(ev.object.metadata.finalizers ?? []), String((ev.object as any).metadata.deletionTimestamp ? 'deleting' : '')]);
  });
  ok(await c.kubectl(['delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=60s']));
  w.stop();
  assert.ok(seen.some((f) => f.includes('foregroundDeletion') && f.includes('deleting')), `the Deployment was held by foregroundDeletion: ${JSON.stringify(seen)}`);
  assert.equal((await listRS('fg')).length, 0, 'RS gone before the Deployment');
  assert.equal((await podsOf(c, 'fg')).length, 0, 'pods gone before the Deployment');
  await assert.rejects(c.client.get(R.deployments, 'default', 'fg'), (e: any) => e.code === 404);
});

test('delete --cascade=orphan keeps the ReplicaSet and pods without owner; a new Deployment adopts them', async () => {
  const d = await createDeployment(c, deployment('orph', { replicas: 2 }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/orph', '--timeout=60s']));
  const [rs] = await replicaSetsOf(c, 'orph');
  const podNames = (await podsOf(c, 'orph')).map((p) => p.metadata!.name).sort();
  ok(await c.kubectl(['delete', 'deployment', 'orph', '--cascade=orphan', '--timeout=30s']));
  const orphan = await waitFor(async () => {
    const r = (await listRS('orph'))[0];
    return r && !(r.metadata!.ownerReferences ?? []).some((o) => o.uid === d.metadata!.uid) ? r : undefined;
  }, { message: 'ownerReference removed' });
  assert.equal(orphan.metadata!.uid, rs.metadata!.uid);
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual((await podsOf(c, 'orph')).map((p) => p.metadata!.name).sort(), podNames, 'pods kept');
  // Adoption: the same template hashes to the same RS name, which the new Deployment claims by selector.
  const d2 = await createDeployment(c, deployment('orph', { replicas: 2 }));
  await waitFor(async () => {
    const r = (await listRS('orph'))[0];
    return r?.metadata!.ownerReferences?.some((o) => o.uid === d2.metadata!.uid && o.controller);
  }, { message: 'adopted by the new Deployment' });
  ok(await c.kubectl(['rollout', 'status', 'deployment/orph', '--timeout=60s']));
  assert.equal((await listRS('orph')).length, 1, 'no second ReplicaSet');
  assert.deepEqual((await podsOf(c, 'orph')).map((p) => p.metadata!.name).sort(), podNames, 'same pods');
});

test('ReplicaSet adopts a matching orphan pod and releases a pod whose labels stop matching', async () => {
  const orphan: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  await c.client.create(R.pods, 'default', orphan);
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'adopt' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'adopt' } }, template: { metadata: { labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
  const created = await c.client.create<ReplicaSet>(R.replicasets, 'default', rs);
  await waitFor(async () => {
    const pods = await podsOf(c, 'adopt');
    const stray = pods.find((p) => p.metadata!.name === 'stray');
    return pods.length === 2 && stray?.metadata?.ownerReferences?.[0]?.uid === created.metadata!.uid;
  }, { message: 'stray adopted, one pod created' });
  const pods = await podsOf(c, 'adopt');
  const made = pods.find((p) => p.metadata!.name !== 'stray')!;
  assert.match(made.metadata!.name!, /^adopt-[a-z0-9]{5}$/);
  ok(await c.kubectl(['label', 'pod', 'stray', 'app=gone', '--overwrite']));
  await waitFor(async () => {
    const s = await c.client.get<Pod>(R.pods, 'default', 'stray');
    return !(s.metadata!.ownerReferences ?? []).length && (await podsOf(c, 'adopt')).length === 2;
  }, { message: 'stray released and replaced' });
  const st = await waitFor(async () => { const r = await c.client.get<ReplicaSet>(R.replicasets, 'default', 'adopt'); return r.status?.availableReplicas === 2 ? r.status : undefined; });
  assert.equal(st.replicas, 2);
  assert.equal(st.fullyLabeledReplicas, 2);
  assert.equal(st.readyReplicas, 2);
  const ev = ok(await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=adopt']));
  assert.match(ev, /SuccessfulCreate\s+replicaset\/adopt\s+Created pod: adopt-[a-z0-9]{5}/);
  ok(await c.kubectl(['scale', 'rs', 'adopt', '--replicas=0']));
  await waitFor(async () => (await podsOf(c, 'adopt')).length === 0, { message: 'scaled to 0' });
  const ev2 = ok(await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=adopt']));
  assert.match(ev2, /SuccessfulDelete\s+replicaset\/adopt\s+Deleted pod: adopt-[a-z0-9]{5}/);
  await c.client.delete(R.pods, 'default', 'stray');
});

test('deleting a namespace shows Terminating, deletes its contents, then removes it', async () => {
  await c.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
  await createDeployment(c, deployment('inside', { replicas: 2, ns: 'doomed' }));
  await c.client.create(R.configmaps, 'doomed', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } });
  await waitFor(async () => (await podsOf(c, 'inside', 'doomed')).length === 2, { message: 'pods in the namespace' });
  // The controller may empty and remove the namespace within a few hundred ms: watch it rather than poll.
  const nsObj = await c.client.get(R.namespaces, undefined, 'doomed');
  const seen: string[] = [];
  const w = c.client.watch(R.namespaces, undefined, { fieldSelector: 'metadata.name=doomed', resourceVersion: nsObj.metadata.resourceVersion },
    (ev) => { seen.push(`${ev.type}:${ev.object?.status?.phase ?? ''}`); });
  try {
    ok(await c.kubectl(['delete', 'namespace', 'doomed', '--wait=false']));
    const st = await c.kubectl(['get', 'namespace', 'doomed', '--no-headers']);
    if (st.code === 0) assert.match(st.stdout, /Terminating/); // unless it is already gone
    await waitFor(() => seen.some((s) => s.startsWith('DELETED')), { timeoutMs: 60000, message: `namespace removed (events: ${seen.join(', ')})` });
  } finally { w.stop(); }
  const terminating = seen.indexOf('MODIFIED:Terminating');
  assert.ok(terminating >= 0 && terminating < seen.findIndex((s) => s.startsWith('DELETED')), `Terminating before removal: ${seen.join(', ')}`);
  assert.equal((await c.client.list(R.pods, 'doomed')).items.length, 0);
  assert.equal((await c.client.list(R.configmaps, 'doomed')).items.length, 0);
});
