import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { getPodsToDelete, comparePodsForDeletion } from '../../../src/controllers/replicaset/ranking.ts';
import { calculateReplicaSetStatus, planReplicaChange, slowStartBatches, replicaSetStatusChanged } from '../../../src/controllers/replicaset/status.ts';
import { BurstReplicas } from '../../../src/controllers/replicaset/controller.ts';
import { MAX_TIMER_MS, realClock } from '../../../src/util/clock.ts';
import { Expectations } from '../../../src/controllers/replicaset/expectations.ts';
import { isPodAvailable } from '../../../src/controllers/replicaset/pods.ts';
import { FakeClock } from '../../../src/util/clock.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: number; cost?: number; restarts?: number; created?: number; uid?: string } = {}): Pod {
  return {
    metadata: { name, uid: o.uid ?? name, creationTimestamp: ago(o.created ?? 1000), annotations: o.cost !== undefined ? { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } : {} },
    spec: { nodeName: o.node, containers: [{ name: 'c' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: ago(o.readySince ?? 500) }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0, ready: o.ready !== false, image: 'x', imageID: '' }],
    },
  };
}

test('deletion ranking: each upstream rule decides in order', () => {
  const rules: [string, Pod, Pod, number?, number?][] = [
    ['unassigned before assigned', pod('a'), pod('b', { node: 'n1' })],
    ['pending before running', pod('a', { node: 'n', phase: 'Pending' }), pod('b', { node: 'n', phase: 'Running' })],
    ['unknown before running', pod('a', { node: 'n', phase: 'Unknown' }), pod('b', { node: 'n', phase: 'Running' })],
    ['pending before unknown', pod('a', { node: 'n', phase: 'Pending' }), pod('b', { node: 'n', phase: 'Unknown' })],
    ['not ready before ready', pod('a', { node: 'n', ready: false }), pod('b', { node: 'n' })],
    ['lower deletion cost first', pod('a', { node: 'n', cost: -5 }), pod('b', { node: 'n', cost: 10 })],
    ['more pods on the same node first', pod('a', { node: 'n1' }), pod('b', { node: 'n2' }), 3, 1],
    ['ready for a shorter time first (log scale)', pod('a', { node: 'n', readySince: 10 }), pod('b', { node: 'n', readySince: 5000 })],
    ['more restarts first', pod('a', { node: 'n', restarts: 5 }), pod('b', { node: 'n', restarts: 1 })],
    ['newer first (log scale)', pod('a', { node: 'n', readySince: 500, created: 60 }), pod('b', { node: 'n', readySince: 500, created: 100000 })],
  ];
  for (const [name, a, b, ra, rb] of rules) {
    assert.ok(comparePodsForDeletion(a, b, ra ?? 0, rb ?? 0, NOW) < 0, name);
    assert.ok(comparePodsForDeletion(b, a, rb ?? 0, ra ?? 0, NOW) > 0, `${name} (reversed)`);
  }
});

test('deletion ranking: an earlier rule wins over a later one', () => {
  // ready-but-unassigned still goes before not-ready-assigned
  assert.ok(comparePodsForDeletion(pod('a'), pod('b', { node: 'n', ready: false }), 0, 0, NOW) < 0);
  // high cost but pending goes before low cost running
  assert.ok(comparePodsForDeletion(pod('a', { node: 'n', phase: 'Pending', cost: 100 }), pod('b', { node: 'n', cost: -100 }), 0, 0, NOW) < 0);
  // times in the same log2 bucket fall to the uid
  assert.ok(comparePodsForDeletion(pod('a', { node: 'n', readySince: 100, uid: 'a' }), pod('b', { node: 'n', readySince: 101, uid: 'b' }), 0, 0, NOW) < 0);
});

test('getPodsToDelete: picks the lowest-ranked, counts related pods per node, all when diff ≥ pods', () => {
  const pods = [pod('running', { node: 'n1' }), pod('pending', { node: 'n1', phase: 'Pending' }), pod('unsched'), pod('notready', { node: 'n2', ready: false })];
  assert.deepEqual(getPodsToDelete(pods, pods, 2, NOW).map((p) => p.metadata!.name), ['unsched', 'pending']);
  assert.deepEqual(getPodsToDelete(pods, pods, 3, NOW).map((p) => p.metadata!.name), ['unsched', 'pending', 'notready']);
  assert.equal(getPodsToDelete(pods, pods, 4, NOW).length, 4);
  const x = pod('x', { node: 'crowded' }), y = pod('y', { node: 'alone' });
  const related = [x, y, pod('r1', { node: 'crowded' }), pod('r2', { node: 'crowded' })];
  assert.deepEqual(getPodsToDelete([y, x], related, 1, NOW).map((p) => p.metadata!.name), ['x']);
});

test('ReplicaSet status: counts, fully labeled, availability with minReadySeconds, ReplicaFailure', () => {
  const rs: ReplicaSet = { metadata: { name: 'rs', generation: 2 }, spec: { replicas: 4, minReadySeconds: 60, selector: {}, template: { metadata: { labels: { app: 'web', tier: 'fe' } } } }, status: { replicas: 0 } };
  const full = { app: 'web', tier: 'fe' };
  const p1 = pod('p1', { readySince: 120 }); p1.metadata!.labels = full;
  const p2 = pod('p2', { readySince: 30 }); p2.metadata!.labels = full;
  const p3 = pod('p3', { ready: false }); p3.metadata!.labels = { app: 'web' };
  const st = calculateReplicaSetStatus(rs, [p1, p2, p3], undefined, NOW);
  assert.deepEqual([st.replicas, st.fullyLabeledReplicas, st.readyReplicas, st.availableReplicas], [3, 2, 2, 1]);
  const failed = calculateReplicaSetStatus(rs, [p1], new Error('pods "x" is forbidden: exceeded quota'), NOW);
  assert.equal(failed.conditions![0].type, 'ReplicaFailure');
  assert.equal(failed.conditions![0].reason, 'FailedCreate');
  assert.equal(failed.conditions![0].message, 'pods "x" is forbidden: exceeded quota');
  const healed = calculateReplicaSetStatus({ ...rs, status: failed }, [p1], undefined, NOW);
  assert.equal(healed.conditions, undefined);
  assert.equal(replicaSetStatusChanged({ ...rs, status: { ...st, observedGeneration: 2 } }, st), false);
  assert.equal(replicaSetStatusChanged({ ...rs, status: { ...st, observedGeneration: 1 } }, st), true);
});

test('isPodAvailable: strictly more than minReadySeconds since Ready', () => {
  assert.equal(isPodAvailable(pod('a', { readySince: 10 }), 10, NOW), false);
  assert.equal(isPodAvailable(pod('a', { readySince: 11 }), 10, NOW), true);
  assert.equal(isPodAvailable(pod('a', { readySince: 0 }), 0, NOW), true);
  assert.equal(isPodAvailable(pod('a', { ready: false }), 0, NOW), false);
});

test('slow start batches: 1, 2, 4, … capped by what remains', () => {
  assert.deepEqual(slowStartBatches(10), [1, 2, 4, 3]);
  assert.deepEqual(slowStartBatches(1), [1]);
  assert.deepEqual(slowStartBatches(0), []);
  assert.deepEqual(slowStartBatches(100).reduce((a, b) => a + b, 0), 100);
});

test('expectations: not satisfied until observed; deletions counted once per pod; expire after 5 minutes', () => {
  const clock = new FakeClock();
  const e = new Expectations(clock);
  assert.equal(e.satisfied('ns/rs'), true);
  e.expectCreations('ns/rs', 2);
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), true);
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a');
  assert.equal(e.satisfied('ns/rs'), false, 'the same pod observed twice counts once');
  clock.advance(5 * 60 * 1000 + 1);
  assert.equal(e.satisfied('ns/rs'), true, 'expired');
});

test('planReplicaChange: a sync creates or deletes at most burstReplicas, creations in slow-start batches, whatever is stored', () => {
  assert.equal(BurstReplicas, 500);
  // An absurd stored count (stored before the decoder's range check, or int32's own maximum): one sync creates 500.
  for (const absurd of [1e12, 2147483647, Number.MAX_SAFE_INTEGER, Infinity]) {
    const p = planReplicaChange(0, absurd, BurstReplicas);
    assert.equal(p.create, absurd === Infinity ? 0 : 500, String(absurd));
    if (p.create) assert.deepEqual(p.batches, [1, 2, 4, 8, 16, 32, 64, 128, 245]);
    assert.equal(p.delete, 0);
  }
  // The next sync (500 observed) again at most 500.
  assert.equal(planReplicaChange(500, 1e12, BurstReplicas).create, 500);
  // Scaling down from many: at most 500 deletions per sync.
  assert.deepEqual(planReplicaChange(10_000, 0, BurstReplicas), { create: 0, batches: [], delete: 500 });
  // Junk in the stored spec is zero pods, never NaN arithmetic.
  for (const junk of [-5, NaN, '3', null, { x: 1 }]) assert.deepEqual(planReplicaChange(2, junk, BurstReplicas), { create: 0, batches: [], delete: 2 }, String(junk));
  assert.deepEqual(planReplicaChange(3, 3, BurstReplicas), { create: 0, batches: [], delete: 0 });
  assert.deepEqual(planReplicaChange(1, 4, BurstReplicas), { create: 3, batches: [1, 2], delete: 0 });
});

test('realClock: a delay past the 32-bit timer limit is chained, never fired at once', async () => {
  let fired = false;
  const t = realClock.setTimeout(() => { fired = true; }, MAX_TIMER_MS * 3);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(fired, false);
  t.cancel();
  let soon = false;
  realClock.setTimeout(() => { soon = true; }, NaN);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(soon, true);
});
