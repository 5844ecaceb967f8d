// Canary through kubelite's traffic router (reference §4.4, ROLLOUTS-CONTRACT.md), against the in-memory API: the
// stable Service carries canary-service / canary-weight, status.canary.weights follows, replica counts jump per
// weight, the old stable waits scaleDownDelaySeconds, abort drops the weight at once, dynamicStableScale shrinks
// stable as traffic leaves it, and a Rollout that stops routing (or is deleted) lets go of its Services.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, service, canaryRollout } from './rollout-world.ts';

const HASH = 'rollouts-pod-template-hash';
const W = 'traffic.kubelite.io/canary-weight', S = 'traffic.kubelite.io/canary-service';
const routing = { trafficRouting: { plugins: { 'kubelite.io/service-proxy': {} } } };
const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];

async function setup(extra: any = {}, replicas = 10) {
  const w = world();
  w.put(w.SVC, service('r-stable', { app: 'r' }));
  w.put(w.SVC, service('r-canary', { app: 'r' }));
  const ro = canaryRollout('r', 'v1', steps, { ...routing, ...extra });
  ro.spec.replicas = replicas;
  w.put(w.RO, ro);
  await w.drive();
  await w.client.patch(w.RO, 'default', 'r', { spec: { template: { spec: { containers: [{ name: 'web', image: 'v2' }] } } } }, 'merge');
  await w.drive();
  return w;
}
const ann = (w: ReturnType<typeof world>) => w.get(w.SVC, 'r-stable').metadata.annotations ?? {};
const sizes = (w: ReturnType<typeof world>) => w.rss().map((rs) => [rs.spec.template.spec.containers[0].image, rs.spec.replicas]);
const promote = (w: ReturnType<typeof world>) => w.client.patch(w.RO, 'default', 'r', { status: { pauseConditions: null } }, 'merge', 'status');

test('setWeight 20 with 10 replicas: 2 canary pods, 10 stable, 20% on the stable Service, weights in status', async () => {
  const w = await setup();
  const r = w.get(w.RO, 'r');
  assert.equal(r.status.currentStepIndex, 1);
  assert.deepEqual(sizes(w), [['v1', 10], ['v2', 2]], 'the canary jumps to ⌈20%·10⌉, stable stays full');
  assert.equal(ann(w)[S], 'r-canary');
  assert.equal(ann(w)[W], '20');
  assert.deepEqual(r.status.canary.weights, {
    canary: { weight: 20, serviceName: 'r-canary', podTemplateHash: r.status.currentPodHash },
    stable: { weight: 80, serviceName: 'r-stable', podTemplateHash: r.status.stableRS },
  });
  assert.equal(w.get(w.SVC, 'r-canary').spec.selector[HASH], r.status.currentPodHash);
  assert.equal(r.status.phase, 'Paused');
  await (w.ctrl as any).recorder.flush();
  const ev = w.actions.filter((a) => a.resource === 'events' && a.body?.reason === 'TrafficWeightUpdated').map((a) => a.body.message);
  assert.ok(ev.includes('Traffic weight updated from 0 to 20'), ev.join('\n'));
});

test('one canary pod can take 20%: setCanaryScale replicas 1', async () => {
  const w = world();
  w.put(w.SVC, service('r-stable', { app: 'r' }));
  w.put(w.SVC, service('r-canary', { app: 'r' }));
  const ro = canaryRollout('r', 'v1', [{ setCanaryScale: { replicas: 1 } }, { setWeight: 20 }, { pause: {} }], routing);
  ro.spec.replicas = 9;
  w.put(w.RO, ro);
  await w.drive();
  await w.client.patch(w.RO, 'default', 'r', { spec: { template: { spec: { containers: [{ name: 'web', image: 'v2' }] } } } }, 'merge');
  await w.drive();
  assert.deepEqual(sizes(w), [['v1', 9], ['v2', 1]]);
  assert.equal(ann(w)[W], '20');
});

test('promotion: weight 0 (both Services on the new pods), the old stable kept for scaleDownDelaySeconds', async () => {
  const w = await setup();
  await promote(w);
  await w.drive();
  assert.equal(ann(w)[W], '50');
  assert.deepEqual(sizes(w), [['v1', 10], ['v2', 5]]);
  await promote(w);
  await w.drive();
  const r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(ann(w)[W], '0');
  assert.equal(ann(w)[S], 'r-canary', 'still routed: the annotations stay');
  assert.equal(w.get(w.SVC, 'r-stable').spec.selector[HASH], r.status.stableRS);
  assert.deepEqual(sizes(w), [['v1', 10], ['v2', 10]], 'the previous stable waits for its delay');
  assert.ok(w.rss()[0].metadata.annotations['scale-down-deadline']);
  w.clock.advance(31_000);
  await w.drive();
  assert.deepEqual(sizes(w), [['v1', 0], ['v2', 10]]);
});

test('abort: weight 0 at once, canary Service back on stable, canary scaled down after abortScaleDownDelaySeconds', async () => {
  const w = await setup({ abortScaleDownDelaySeconds: 10 });
  const stable = w.get(w.RO, 'r').status.stableRS;
  await w.client.patch(w.RO, 'default', 'r', { status: { abort: true } }, 'merge', 'status');
  await w.drive();
  const r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Degraded');
  assert.equal(ann(w)[W], '0');
  assert.equal(w.get(w.SVC, 'r-canary').spec.selector[HASH], stable);
  assert.deepEqual(sizes(w), [['v1', 10], ['v2', 2]], 'kept for the abort delay');
  w.clock.advance(11_000);
  await w.drive();
  assert.deepEqual(sizes(w), [['v1', 10], ['v2', 0]]);
});

test('dynamicStableScale: stable shrinks as the canary weight rises', async () => {
  const w = await setup({ dynamicStableScale: true });
  await w.drive();
  assert.deepEqual(sizes(w), [['v1', 8], ['v2', 2]], 'stable follows the 80% it still serves');
  await promote(w);
  await w.drive();
  await w.drive();
  assert.deepEqual(sizes(w), [['v1', 5], ['v2', 5]]);
});

test('no longer routed: the annotations go; deleting the Rollout releases its Services', async () => {
  const w = await setup();
  await w.client.patch(w.RO, 'default', 'r', { spec: { strategy: { canary: { trafficRouting: null } } } }, 'merge');
  await w.drive();
  assert.equal(ann(w)[W], undefined);
  assert.equal(ann(w)[S], undefined);
  assert.equal(w.get(w.RO, 'r').status.canary.weights, undefined);
  await w.client.delete(w.RO, 'default', 'r');
  await w.drive();
  const svc = w.get(w.SVC, 'r-stable');
  assert.equal(svc.spec.selector[HASH], undefined);
  assert.equal(svc.metadata.annotations['argo-rollouts.argoproj.io/managed-by-rollouts'], undefined);
});
