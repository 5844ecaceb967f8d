// The upstream conformance-style checks on Deployment/ReplicaSet lifecycle and subresources, with the
// controllers running (kubectl + client against `kubelite up --no-node` and the test-only sim node).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { startSimNode, type SimNode } from './sim-node.ts';
import { ok, deployment, createDeployment, replicaSetsOf, podsOf } from './controllers-helpers.ts';
import { R } from '../../src/client/resources.ts';

let c: Cluster;
let node: SimNode;
before(async () => { c = await startCluster(); node = await startSimNode({ client: c.client }); });
after(async () => { await node?.stop(); await c?.stop(); });

async function retryOnConflict(f: () => Promise<void>): Promise<void> {
  for (let i = 0; ; i++) {
    try { return await f(); } catch (e: any) { if (e.code !== 409 || i >= 20) throw e; }
  }
}

test('Deployment lifecycle: create, patch, list by label, update, status get/patch (conditions kept), deletecollection', async () => {
  await createDeployment(c, deployment('life', { replicas: 1 }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/life', '--timeout=60s']));
  await c.client.patch(R.deployments, 'default', 'life', { metadata: { labels: { 'test-deployment': 'patched' } }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:patched' }] } } } }, 'strategic');
  ok(await c.kubectl(['rollout', 'status', 'deployment/life', '--timeout=60s']));
  const listed = await c.client.list<Deployment>(R.deployments, 'default', { labelSelector: 'test-deployment=patched' });
  assert.deepEqual(listed.items.map((d) => d.metadata!.name), ['life']);
  // A read-modify-write races the controller's status writes: retry on 409 as client-go's RetryOnConflict does.
  await retryOnConflict(async () => {
    const cur = await c.client.get<Deployment>(R.deployments, 'default', 'life');
    (cur.metadata!.labels as any)['test-deployment'] = 'updated';
    await c.client.update(R.deployments, 'default', cur);
  });
  const st = await c.client.get<Deployment>(R.deployments, 'default', 'life', 'status');
  assert.equal(st.status!.readyReplicas, 2);
  await c.client.patch(R.deployments, 'default', 'life', { status: { conditions: [{ type: 'StatusPatched', status: 'True', reason: 'E2E', message: 'set by the test' }] } }, 'strategic', 'status');
  // The controller keeps foreign conditions while it keeps writing status.
  ok(await c.kubectl(['scale', 'deployment/life', '--replicas=3']));
  ok(await c.kubectl(['rollout', 'status', 'deployment/life', '--timeout=60s']));
  const after = await c.client.get<Deployment>(R.deployments, 'default', 'life');
  assert.ok(after.status!.conditions!.some((x) => x.type === 'StatusPatched'), 'the patched condition survives controller status writes');
  assert.equal(after.status!.observedGeneration, after.metadata!.generation);
  await c.client.request('DELETE', '/apis/apps/v1/namespaces/default/deployments?labelSelector=test-deployment%3Dupdated');
  await waitFor(async () => (await replicaSetsOf(c, 'life')).length === 0 && (await podsOf(c, 'life')).length === 0, { message: 'dependents collected after deletecollection' });
});

test('ReplicaSet scale subresource (get, update, patch), status, list and deletecollection', async () => {
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'scaled', labels: { app: 'scaled' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'scaled' } }, template: { metadata: { labels: { app: 'scaled' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
  await c.client.create(R.replicasets, 'default', rs);
  const scale = await c.client.get(R.replicasets, 'default', 'scaled', 'scale');
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.spec.replicas, 1);
  // As upstream's e2e: an empty resourceVersion makes the scale update unconditional (the controller writes the
  // ReplicaSet's status meanwhile, which moves its resourceVersion).
  await c.client.update(R.replicasets, 'default', { ...scale, metadata: { ...scale.metadata, resourceVersion: '' }, spec: { replicas: 2 } }, 'scale');
  await waitFor(async () => (await podsOf(c, 'scaled')).length === 2, { message: 'two pods after PUT scale' });
  await c.client.patch(R.replicasets, 'default', 'scaled', { spec: { replicas: 3 } }, 'merge', 'scale');
  const st = await waitFor(async () => {
    const r = await c.client.get<ReplicaSet>(R.replicasets, 'default', 'scaled', 'status');
    return r.status?.availableReplicas === 3 ? r.status : undefined;
  }, { message: 'three available' });
  assert.equal(st.readyReplicas, 3);
  assert.equal(st.fullyLabeledReplicas, 3);
  const s2 = await c.client.get(R.replicasets, 'default', 'scaled', 'scale');
  assert.equal(s2.status.replicas, 3);
  assert.equal(s2.status.selector, 'app=scaled');
  const listed = await c.client.list(R.replicasets, 'default', { labelSelector: 'app=scaled' });
  assert.equal(listed.items.length, 1);
  await c.client.request('DELETE', '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dscaled');
  await waitFor(async () => (await podsOf(c, 'scaled')).length === 0, { message: 'pods collected' });
});
