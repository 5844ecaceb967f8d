// Deployment rollouts end to end: the real kubectl against `kubelite up --no-node` with the test-only sim node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { startSimNode, type SimNode } from './sim-node.ts';
import { ok, deployment, createDeployment, replicaSetsOf, byImage, sizes, podsOf } from './controllers-helpers.ts';
import { R } from '../../src/client/resources.ts';

let c: Cluster;
let node: SimNode;
before(async () => {
  c = await startCluster();
  node = await startSimNode({ client: c.client, failImages: ['bad:v2', 'bad:v3', 'bad:rollover', 'bad:deadline', 'bad:prop', 'bad:paused'] });
});
after(async () => { await node?.stop(); await c?.stop(); });

const getD = (name: string) => c.client.get<Deployment>(R.deployments, 'default', name);

test('v1 → v2 (stuck) → v3 before v2 finishes → undo --to-revision=1: the ReplicaSets are resized as upstream', async () => {
  await createDeployment(c, deployment('multi', { replicas: 10, image: 'nginx:v1' }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/multi', '--timeout=60s']));
  ok(await c.kubectl(['set', 'image', 'deployment/multi', 'nginx=bad:v2']));
  await waitFor(async () => {
    const rss = await replicaSetsOf(c, 'multi');
    return JSON.stringify([sizes(byImage(rss, 'nginx:v1')), sizes(byImage(rss, 'bad:v2'))]) === JSON.stringify([[8, 8, 8], [5, 5, 0]]);
  }, { message: 'v1 8, v2 5' });
  ok(await c.kubectl(['set', 'image', 'deployment/multi', 'nginx=bad:v3']));
  // v2's unavailable pods are cleaned up first, then v3 gets the surge: v1 8, v2 0, v3 5.
  await waitFor(async () => {
    const rss = await replicaSetsOf(c, 'multi');
    return rss.length === 3 && JSON.stringify([sizes(byImage(rss, 'nginx:v1')), sizes(byImage(rss, 'bad:v2')), sizes(byImage(rss, 'bad:v3'))]) === JSON.stringify([[8, 8, 8], [0, 0, 0], [5, 5, 0]]);
  }, { message: 'v1 8, v2 0, v3 5' });
  const hist = ok(await c.kubectl(['rollout', 'history', 'deployment/multi']));
  assert.deepEqual(hist.split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(/\s+/)[0]), ['1', '2', '3']);
  ok(await c.kubectl(['rollout', 'undo', 'deployment/multi', '--to-revision=1']));
  await waitFor(async () => {
    const rss = await replicaSetsOf(c, 'multi');
    return rss.length === 3 && JSON.stringify([sizes(byImage(rss, 'nginx:v1')), sizes(byImage(rss, 'bad:v2')), sizes(byImage(rss, 'bad:v3'))]) === JSON.stringify([[10, 10, 10], [0, 0, 0], [0, 0, 0]]);
  }, { message: 'v1 10, others 0' });
  const rss = await replicaSetsOf(c, 'multi');
  assert.equal(byImage(rss, 'nginx:v1')!.metadata!.annotations!['deployment.kubernetes.io/revision'], '4');
  assert.equal(byImage(rss, 'nginx:v1')!.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1');
  const hist2 = ok(await c.kubectl(['rollout', 'history', 'deployment/multi']));
  assert.deepEqual(hist2.split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(/\s+/)[0]), ['2', '3', '4']);
  const d = await getD('multi');
  assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '4');
  ok(await c.kubectl(['rollout', 'status', 'deployment/multi', '--timeout=30s']));
});

test('rollout status fails on ProgressDeadlineExceeded; the conditions carry upstream reasons', async () => {
  await createDeployment(c, deployment('slow', { replicas: 2, progressDeadlineSeconds: 2 }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/slow', '--timeout=60s']));
  let d = await getD('slow');
  const prog = d.status!.conditions!.find((x) => x.type === 'Progressing')!;
  assert.equal(prog.reason, 'NewReplicaSetAvailable');
  assert.match(prog.message!, /^ReplicaSet "slow-[a-z0-9]+" has successfully progressed\.$/);
  assert.equal(d.status!.conditions!.find((x) => x.type === 'Available')!.reason, 'MinimumReplicasAvailable');
  ok(await c.kubectl(['set', 'image', 'deployment/slow', 'nginx=bad:deadline']));
  const r = await c.kubectl(['rollout', 'status', 'deployment/slow', '--timeout=60s']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /exceeded its progress deadline/);
  d = await getD('slow');
  const p2 = d.status!.conditions!.find((x) => x.type === 'Progressing')!;
  assert.equal(p2.status, 'False');
  assert.equal(p2.reason, 'ProgressDeadlineExceeded');
  assert.match(p2.message!, /^ReplicaSet "slow-[a-z0-9]+" has timed out progressing\.$/);
});

test('pause: template changes make no new ReplicaSet, scaling still works proportionally; resume rolls out', async () => {
  await createDeployment(c, deployment('pz', { replicas: 4, image: 'nginx:pz1' }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/pz', '--timeout=60s']));
  ok(await c.kubectl(['set', 'image', 'deployment/pz', 'nginx=nginx']));
  ok(await c.kubectl(['rollout', 'status', 'deployment/pz', '--timeout=60s']));
  ok(await c.kubectl(['rollout', 'pause', 'deployment/pz']));
  await waitFor(async () => (await getD('pz')).status?.conditions?.find((x) => x.type === 'Progressing')?.reason === 'DeploymentPaused', { message: 'DeploymentPaused' });
  ok(await c.kubectl(['set', 'image', 'deployment/pz', 'nginx=nginx:paused']));
  ok(await c.kubectl(['scale', 'deployment/pz', '--replicas=6']));
  await waitFor(async () => { const rss = await replicaSetsOf(c, 'pz'); return rss.length === 2 && byImage(rss, 'nginx')?.status?.availableReplicas === 6; }, { message: 'scaled while paused, no new RS' });
  const undo = await c.kubectl(['rollout', 'undo', 'deployment/pz']);
  assert.notEqual(undo.code, 0, 'undo refuses a paused deployment');
  assert.match(undo.stderr, /paused/);
  ok(await c.kubectl(['rollout', 'resume', 'deployment/pz']));
  ok(await c.kubectl(['rollout', 'status', 'deployment/pz', '--timeout=60s']));
  const rss = await replicaSetsOf(c, 'pz');
  assert.equal(rss.length, 3);
  assert.deepEqual(sizes(byImage(rss, 'nginx:paused')), [6, 6, 6]);
  assert.deepEqual(sizes(byImage(rss, 'nginx:pz1')), [0, 0, 0]);
  assert.deepEqual(sizes(byImage(rss, 'nginx')), [0, 0, 0]);
});

test('rollout restart makes a new ReplicaSet with the restartedAt annotation; scale down deletes pods', async () => {
  await createDeployment(c, deployment('rs-restart', { replicas: 3 }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/rs-restart', '--timeout=60s']));
  ok(await c.kubectl(['rollout', 'restart', 'deployment/rs-restart']));
  ok(await c.kubectl(['rollout', 'status', 'deployment/rs-restart', '--timeout=60s']));
  const rss = await replicaSetsOf(c, 'rs-restart');
  assert.equal(rss.length, 2);
  // Both ReplicaSets may carry the same creation second: tell them apart by the restart annotation.
  const restarted = rss.filter((r) => r.spec!.template!.metadata!.annotations?.['kubectl.kubernetes.io/restartedAt']);
  assert.equal(restarted.length, 1);
  assert.deepEqual(sizes(restarted[0]), [3, 3, 3]);
  assert.deepEqual(sizes(rss.find((r) => r !== restarted[0])!), [0, 0, 0]);
  ok(await c.kubectl(['scale', 'deployment/rs-restart', '--replicas=1']));
  await waitFor(async () => (await podsOf(c, 'rs-restart')).length === 1, { message: 'one pod left' });
  const scale = JSON.parse(ok(await c.kubectl(['get', '--raw', '/apis/apps/v1/namespaces/default/deployments/rs-restart/scale'])));
  assert.equal(scale.spec.replicas, 1);
  assert.equal(scale.status.replicas, 1);
});

test('proportional scaling of a stalled rollout (upstream e2e): 10 → 30 splits 20 / 13', async () => {
  await createDeployment(c, deployment('prop', { replicas: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/prop', '--timeout=60s']));
  ok(await c.kubectl(['set', 'image', 'deployment/prop', 'nginx=bad:prop']));
  await waitFor(async () => {
    const rss = await replicaSetsOf(c, 'prop');
    return JSON.stringify([sizes(byImage(rss, 'nginx')), sizes(byImage(rss, 'bad:prop'))]) === JSON.stringify([[8, 8, 8], [5, 5, 0]]);
  }, { message: 'stalled at 8 + 5' });
  ok(await c.kubectl(['scale', 'deployment/prop', '--replicas=30']));
  await waitFor(async () => {
    const rss = await replicaSetsOf(c, 'prop');
    return byImage(rss, 'nginx')?.spec?.replicas === 20 && byImage(rss, 'bad:prop')?.spec?.replicas === 13;
  }, { message: 'old 20, new 13' });
  const rss = await replicaSetsOf(c, 'prop');
  for (const r of rss) {
    assert.equal(r.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '30');
    assert.equal(r.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '33');
  }
});

test('rollover (upstream e2e): minReadySeconds, maxSurge 1, maxUnavailable 0, bad image then a new template: older RSs end at 0', async () => {
  await createDeployment(c, deployment('rollover', { replicas: 1, minReadySeconds: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/rollover', '--timeout=60s']));
  ok(await c.kubectl(['set', 'image', 'deployment/rollover', 'nginx=bad:rollover']));
  await waitFor(async () => { const rss = await replicaSetsOf(c, 'rollover'); return byImage(rss, 'bad:rollover')?.status?.replicas === 1; }, { message: 'bad pod created' });
  ok(await c.kubectl(['set', 'image', 'deployment/rollover', 'nginx=nginx:rollover']));
  ok(await c.kubectl(['rollout', 'status', 'deployment/rollover', '--timeout=60s']));
  const rss = await replicaSetsOf(c, 'rollover');
  assert.equal(rss.length, 3);
  assert.deepEqual(sizes(byImage(rss, 'nginx')), [0, 0, 0]);
  assert.deepEqual(sizes(byImage(rss, 'bad:rollover')), [0, 0, 0]);
  assert.deepEqual(sizes(byImage(rss, 'nginx:rollover')), [1, 1, 1]);
  const d = await getD('rollover');
  assert.equal(d.status!.availableReplicas, 1);
  assert.equal(d.status!.updatedReplicas, 1);
});

test('revisionHistoryLimit 0 deletes old ReplicaSets after the rollout (upstream e2e)', async () => {
  await createDeployment(c, deployment('rhl', { replicas: 2, revisionHistoryLimit: 0 }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/rhl', '--timeout=60s']));
  ok(await c.kubectl(['set', 'image', 'deployment/rhl', 'nginx=nginx:two']));
  ok(await c.kubectl(['rollout', 'status', 'deployment/rhl', '--timeout=60s']));
  await waitFor(async () => (await replicaSetsOf(c, 'rhl')).length === 1, { message: 'old RS deleted' });
  assert.equal((await replicaSetsOf(c, 'rhl'))[0].spec!.template!.spec!.containers[0].image, 'nginx:two');
});

test('Recreate never runs new pods alongside old ones (upstream e2e)', async () => {
  await createDeployment(c, deployment('recreate', { replicas: 3, strategy: { type: 'Recreate' } }));
  ok(await c.kubectl(['rollout', 'status', 'deployment/recreate', '--timeout=60s']));
  const live = new Map<string, string>();
  let overlap = false;
  const w = c.client.watch<Pod>(R.pods, 'default', { labelSelector: 'app=recreate', resourceVersion: '0' }, (ev) => {
    const p = ev.object;
    if (ev.type === 'DELETED') live.delete(p.metadata!.name!);
    else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') live.set(p.metadata!.name!, p.spec!.containers[0].image!);
    if (new Set(live.values()).size > 1) overlap = true;
  });
  ok(await c.kubectl(['set', 'image', 'deployment/recreate', 'nginx=nginx:recreated']));
  ok(await c.kubectl(['rollout', 'status', 'deployment/recreate', '--timeout=60s']));
  await waitFor(() => [...live.values()].length === 3 && [...live.values()].every((i) => i === 'nginx:recreated'), { message: 'three new pods' });
  w.stop();
  assert.equal(overlap, false, 'old and new pods existed at the same time');
});
