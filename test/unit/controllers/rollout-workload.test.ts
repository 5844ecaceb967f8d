// workloadRef to a Deployment (template and selector from the Deployment, scaleDown never/onsuccess/progressively)
// and spec.restartAt (pods older than restartAt evicted, maxUnavailable at a time, restartedAt recorded), against
// the in-memory API of rollout-world.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, service } from './rollout-world.ts';
import { desiredDeploymentReplicas } from '../../../src/controllers/rollout/workloadref.ts';
import { needsRestart } from '../../../src/controllers/rollout/restart.ts';

const DEP = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true };
const POD = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };

function deployment(image: string) {
  return { metadata: { name: 'app' }, spec: { replicas: 4, selector: { matchLabels: { app: 'app' } }, template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'c', image }] } } } };
}
function refRollout(scaleDown: string) {
  return { metadata: { name: 'r' }, spec: { replicas: 4, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app', scaleDown }, strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } } } };
}

test('workloadRef: the template comes from the Deployment; onsuccess scales it to 0 once Healthy', async () => {
  const w = world();
  w.put(DEP, deployment('v1'));
  w.put(w.RO, refRollout('onsuccess'));
  await w.drive();
  const r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(r.spec.template, undefined, 'never persisted back');
  const [rs] = w.rss();
  assert.equal(rs.spec.template.spec.containers[0].image, 'v1');
  assert.equal(rs.spec.replicas, 4);
  await w.drive();
  assert.equal(w.get(DEP, 'app').spec.replicas, 0, 'traffic migrated: the Deployment is scaled down');
  assert.equal(w.get(w.RO, 'r').status.workloadObservedGeneration, String(w.get(DEP, 'app').metadata.generation));
  // A Deployment template change is a new revision of the Rollout.
  await w.client.patch(DEP, 'default', 'app', { spec: { template: { spec: { containers: [{ name: 'c', image: 'v2' }] } } } }, 'merge');
  await w.drive();
  assert.deepEqual(w.rss().map((x) => [x.spec.template.spec.containers[0].image, x.spec.replicas]), [['v1', 2], ['v2', 2]]);
  assert.equal(w.get(w.RO, 'r').status.workloadObservedGeneration, String(w.get(DEP, 'app').metadata.generation));
});

test('workloadRef.scaleDown rules: never, onsuccess, progressively (revision 1 only)', () => {
  const ro = (mode: string, phase: string, ready: number, rev = '1') => ({ metadata: { name: 'r', namespace: 'd', annotations: { 'rollout.argoproj.io/revision': rev } }, spec: { replicas: 4, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app', scaleDown: mode as any }, strategy: {} }, status: { phase, readyReplicas: ready } });
  const d = deployment('v1');
  assert.equal(desiredDeploymentReplicas(ro('never', 'Healthy', 4), d), undefined);
  assert.equal(desiredDeploymentReplicas(ro('onsuccess', 'Progressing', 2), d), undefined);
  assert.equal(desiredDeploymentReplicas(ro('onsuccess', 'Healthy', 4), d), 0);
  assert.equal(desiredDeploymentReplicas(ro('progressively', 'Progressing', 1), d), 3);
  assert.equal(desiredDeploymentReplicas(ro('progressively', 'Healthy', 4), d), 0);
  assert.equal(desiredDeploymentReplicas(ro('progressively', 'Progressing', 1, '2'), d), undefined, 'only revision 1 migrates');
});

test('a missing workloadRef target is an InvalidSpec', async () => {
  const w = world();
  w.put(w.RO, refRollout('never'));
  await w.drive();
  assert.equal(w.get(w.RO, 'r').status.message, 'InvalidSpec: The Rollout "r" is invalid: spec.workloadRef.name: Invalid value: "app": deployments.apps "app" not found');
});

test('restartAt: older pods evicted max(maxUnavailable, 1) at a time (stable first), then restartedAt recorded', async () => {
  const w = world();
  w.put(w.SVC, service('s', { app: 'r' }));
  w.put(w.RO, { metadata: { name: 'r' }, spec: { replicas: 4, selector: { matchLabels: { app: 'r' } }, template: { metadata: { labels: { app: 'r' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } }, strategy: { canary: { maxUnavailable: 1, maxSurge: 0 } } } });
  await w.drive();
  const [rs] = w.rss();
  const ready = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' }], phase: 'Running' };
  for (let i = 0; i < 4; i++) w.put(POD, { metadata: { name: `p${i}`, labels: { app: 'r' }, creationTimestamp: '2025-12-31T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true }] }, spec: {}, status: ready });
  w.clock.advance(60_000);
  const at = new Date(w.clock.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  await w.client.patch(w.RO, 'default', 'r', { spec: { restartAt: at } }, 'merge');
  await w.drive();
  let r = w.get(w.RO, 'r');
  const evictions = () => w.actions.filter((a) => a.sub === 'eviction').map((a) => a.name);
  assert.deepEqual(evictions(), ['p0'], 'one at a time (maxUnavailable 1)');
  assert.equal(r.status.phase, 'Progressing');
  assert.equal(r.status.message, 'rollout is restarting');
  // The RS controller replaces each evicted pod (newer than restartAt); each check evicts the next one.
  const replace = (name: string) => w.put(POD, { metadata: { name, labels: { app: 'r' }, creationTimestamp: new Date(w.clock.now()).toISOString(), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true }] }, spec: {}, status: ready });
  for (let i = 0; i < 3; i++) {
    replace(`new${i}`);
    w.clock.advance(30_000);
    await w.drive();
    assert.deepEqual(evictions(), ['p0', 'p1', 'p2', 'p3'].slice(0, i + 2));
  }
  // Every pod left is newer than restartAt (as upstream, the evicted ones need not be back yet).
  r = w.get(w.RO, 'r');
  assert.equal(r.status.restartedAt, at);
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(needsRestart(at, at, w.clock.now()), false);
  assert.equal(needsRestart(new Date(w.clock.now() + 60_000).toISOString(), undefined, w.clock.now()), false, 'a future restartAt waits');
});
