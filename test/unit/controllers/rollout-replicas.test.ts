// Rollout replica arithmetic (reference §4.3/§4.4): the weight → (canary, stable) split, the surge/unavailable
// budget of one pass, traffic-routed counts, when a step is reached, and the new RS size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Rollout, RS } from '../../../src/controllers/rollout/types.ts';
import {
  approximateWeightedCounts, basicCanaryCounts, trafficRoutedCounts, atDesiredReplicaCounts, newRSNewReplicas,
  weightToReplicas, replicasForScaleDown, isSaturated, getStableRS, getOtherRSs,
} from '../../../src/controllers/rollout/replicas.ts';
import { intOrPercent, maxSurge, maxUnavailable, resolveFenceposts } from '../../../src/controllers/rollout/defaults.ts';

function rollout(o: { replicas: number; weight?: number; surge?: number | string; unavailable?: number | string; promoteFull?: boolean; abort?: boolean; routed?: boolean; dynamic?: boolean; scs?: any; minPods?: number; abortDelay?: number }): Rollout {
  const step: any = o.scs ? { setCanaryScale: o.scs } : { setWeight: o.weight ?? 0 };
  const steps = o.scs ? [{ setWeight: o.weight ?? 0 }, step] : [step];
  return {
    metadata: { name: 'r', namespace: 'default' },
    spec: {
      replicas: o.replicas, selector: { matchLabels: { app: 'r' } },
      strategy: { canary: {
        maxSurge: o.surge, maxUnavailable: o.unavailable, steps,
        trafficRouting: o.routed ? { plugins: { 'kubelite.io/service-proxy': {} } } : undefined,
        dynamicStableScale: o.dynamic, minPodsPerReplicaSet: o.minPods, abortScaleDownDelaySeconds: o.abortDelay,
      } },
    },
    status: { stableRS: 'stable', currentPodHash: 'canary', promoteFull: o.promoteFull, abort: o.abort, currentStepIndex: o.scs ? 1 : 0 },
  };
}
const rs = (hash: string, spec: number, avail: number, extra: Partial<{ replicas: number; desired: string }> = {}): RS => ({
  metadata: { name: hash, labels: { 'rollouts-pod-template-hash': hash }, annotations: extra.desired ? { 'rollout.argoproj.io/desired-replicas': extra.desired } : {} },
  spec: { replicas: spec, selector: {}, template: {} },
  status: { replicas: extra.replicas ?? spec, availableReplicas: avail },
});

test('approximateWeightedCounts: the closest (canary, stable) pair for a weight', () => {
  // [replicas, weight, surge, canary, stable]
  const rows: [number, number, number, number, number][] = [
    [0, 0, 0, 0, 0], [0, 50, 1, 0, 0], [0, 100, 0, 0, 0],
    [1, 0, 0, 0, 1], [1, 1, 0, 0, 1], [1, 49, 0, 0, 1], [1, 50, 0, 1, 0], [1, 99, 0, 1, 0], [1, 100, 0, 1, 0],
    [1, 0, 1, 0, 1], [1, 1, 1, 1, 1], [1, 50, 1, 1, 1], [1, 99, 1, 1, 1], [1, 100, 1, 1, 0],
    [2, 0, 0, 0, 2], [2, 1, 0, 1, 1], [2, 50, 0, 1, 1], [2, 99, 0, 1, 1], [2, 100, 0, 2, 0],
    [2, 1, 1, 1, 2], [2, 50, 1, 1, 1], [2, 99, 1, 2, 1], [2, 100, 1, 2, 0],
    [3, 10, 0, 1, 2], [3, 33, 0, 1, 2], [3, 49, 0, 1, 2], [3, 50, 0, 2, 1],
    [3, 10, 1, 1, 3], [3, 25, 1, 1, 3], [3, 34, 1, 1, 2], [3, 49, 1, 2, 2], [3, 50, 1, 2, 2],
    [10, 1, 0, 1, 9], [10, 14, 0, 1, 9], [10, 15, 0, 2, 8], [10, 99, 0, 9, 1], [10, 100, 1, 10, 0],
    [10, 1, 1, 1, 10], [10, 18, 1, 2, 9], [10, 20, 1, 2, 8], [10, 23, 1, 2, 8], [10, 24, 1, 3, 8], [10, 99, 1, 10, 1],
  ];
  for (const [R, W, S, canary, stable] of rows) {
    assert.deepEqual(approximateWeightedCounts(R, W, S), { canary, stable }, `R=${R} W=${W} surge=${S}`);
  }
});

test('§4.3 examples from a fully stable start', () => {
  // [R, W, surge, unavailable, canary, stable]
  const rows: [number, number, number, number, number, number, string][] = [
    [10, 10, 1, 1, 1, 9, 'one canary, one stable pod removed'],
    [10, 30, 3, 0, 3, 10, 'first pass surges 3 canaries, stable waits for their availability'],
    [1, 5, 1, 0, 1, 1, 'a single replica with surge runs one of each'],
    [1, 95, 1, 0, 1, 1, 'same at 95%'],
    [3, 50, 0, 1, 0, 2, 'no surge: the first pass only frees room (stable 3 → 2)'],
  ];
  for (const [R, W, S, U, canary, stable, why] of rows) {
    const r = rollout({ replicas: R, weight: W, surge: S, unavailable: U });
    assert.deepEqual(basicCanaryCounts(r, rs('canary', 0, 0), rs('stable', R, R), []), { canary, stable }, why);
  }
  // The targets themselves: 3 at 50% → 2/1 without surge, 2/2 with (R+1 reaches 50% exactly).
  assert.deepEqual(approximateWeightedCounts(3, 50, 0), { canary: 2, stable: 1 });
  assert.deepEqual(approximateWeightedCounts(3, 50, 1), { canary: 2, stable: 2 });
});

test('basicCanaryCounts: one pass of the surge / unavailable budget', () => {
  // [name, R, W, surge, unav, stable spec/avail, canary spec/avail, older RS spec/avail, promoteFull, want canary, want stable]
  type Row = [string, number, number, number | string, number | string, [number, number], [number, number], [number, number] | null, boolean, number, number];
  const rows: Row[] = [
    ['extra availability above spec is not counted', 10, 100, 3, 0, [7, 8], [6, 3], null, false, 6, 7],
    ['surge (int) scales the canary up', 10, 20, 2, 0, [10, 10], [0, 0], null, false, 2, 10],
    ['surge (percent) scales the canary up', 10, 20, '20%', 0, [10, 10], [0, 0], null, false, 2, 10],
    ['stable shrinks once canaries are available', 10, 20, '20%', 0, [10, 10], [2, 2], null, false, 2, 8],
    ['never past the surge', 10, 30, 2, 0, [10, 10], [0, 0], null, false, 2, 10],
    ['unavailable budget shrinks stable first when there is no surge', 10, 20, 0, 2, [10, 10], [0, 0], null, false, 0, 8],
    ['unavailable (percent)', 10, 20, 0, '20%', [10, 10], [0, 0], null, false, 0, 8],
    ['never past the unavailable budget', 10, 30, 0, 2, [10, 10], [0, 0], null, false, 0, 8],
    ['surge and unavailable together', 10, 50, 2, 1, [10, 10], [0, 0], null, false, 2, 9],
    ['weight 0 removes the canary', 10, 0, 1, 1, [10, 10], [1, 1], null, false, 0, 10],
    ['weight 100 removes stable', 10, 100, 1, 1, [1, 1], [10, 10], null, false, 10, 0],
    ['one replica, weight 20: a canary beside the stable pod', 1, 20, 1, 0, [1, 1], [0, 0], null, false, 1, 1],
    ['one replica, weight 90: same', 1, 90, 1, 0, [1, 1], [0, 0], null, false, 1, 1],
    ['stable is raised before the canary while an older RS drains', 10, 30, 1, 0, [1, 1], [0, 0], [3, 3], false, 1, 7],
    ['both shrink toward their targets', 10, 30, 0, 3, [8, 5], [4, 4], null, false, 3, 7],
    ['unavailable stable pods do not block the scale-down', 10, 100, 1, 0, [10, 2], [10, 8], null, false, 9, 2],
    ['an older RS with pods stops the scale-down', 10, 30, 0, 1, [8, 6], [4, 2], [3, 3], false, 4, 8],
    ['uneven weight cannot round past the surge', 10, 5, 0, 1, [10, 10], [0, 0], null, false, 0, 9],
    ['uneven weight, second pass', 10, 5, 0, 1, [9, 9], [0, 0], null, false, 1, 9],
    ['0% surge and 0% unavailable resolve to unavailable 1', 10, 10, '0%', '0%', [10, 10], [0, 0], null, false, 0, 9],
    ['surge honoured while stable is unavailable', 4, 100, 1, 0, [4, 1], [0, 0], null, false, 1, 4],
    ['scale down to maxUnavailable within the surge', 3, 99, 0, 2, [3, 3], [0, 0], null, false, 0, 1],
    ['…then the canary fills the room', 3, 99, 0, 2, [1, 1], [0, 0], null, false, 2, 1],
    ['unavailable honoured while stable is unavailable', 4, 100, 1, 0, [4, 1], [1, 1], null, false, 1, 3],
    ['lowering the weight: stable surges first', 4, 0, 1, 0, [0, 0], [4, 4], null, false, 4, 1],
    ['lowering the weight: nothing moves until stable is available', 4, 0, 1, 0, [1, 0], [4, 4], null, false, 4, 1],
    ['lowering the weight: one canary goes per available stable pod', 4, 0, 1, 0, [1, 1], [4, 4], null, false, 3, 1],
    ['promote full ignores the step weight', 4, 1, 4, 4, [4, 4], [0, 0], null, true, 4, 0],
    ['promote full still honours surge and unavailable', 4, 1, 3, 0, [4, 4], [0, 0], null, true, 3, 4],
  ];
  for (const [name, R, W, S, U, st, ca, older, promoteFull, wantC, wantS] of rows) {
    const r = rollout({ replicas: R, weight: W, surge: S, unavailable: U, promoteFull });
    const others = older ? [rs('older', older[0], older[1])] : [];
    assert.deepEqual(basicCanaryCounts(r, rs('canary', ca[0], ca[1]), rs('stable', st[0], st[1]), others), { canary: wantC, stable: wantS }, name);
  }
});

test('basicCanaryCounts: no stable RS (first deploy) or stable == new → all replicas on the new RS', () => {
  const r = rollout({ replicas: 10, weight: 10, surge: 0, unavailable: 1 });
  const n = rs('stable', 9, 9);
  assert.deepEqual(basicCanaryCounts(r, n, undefined, []), { canary: 10, stable: 0 });
  assert.deepEqual(basicCanaryCounts(r, n, n, []), { canary: 10, stable: 0 });
});

test('trafficRoutedCounts: canary jumps to ⌈W·R/100⌉, stable stays full unless dynamicStableScale', () => {
  // setCanaryScale.replicas overrides the weight; setCanaryScale.weight too (even 200%); matchTrafficWeight cancels it.
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 1, weight: 100, routed: true, scs: { replicas: 9 } }), undefined), { canary: 9, stable: 1 });
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 4, weight: 100, routed: true, scs: { weight: 200 } }), undefined), { canary: 8, stable: 4 });
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 10, weight: 20, routed: true, scs: { replicas: 9, weight: 100, matchTrafficWeight: true } }), undefined), { canary: 2, stable: 10 });
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 10, weight: 10, routed: true }), undefined), { canary: 1, stable: 10 });
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 10, weight: 5, routed: true, minPods: 2 }), undefined), { canary: 2, stable: 10 }, 'minPodsPerReplicaSet');
  // setCanaryScale is ignored without traffic routing: the basic split applies.
  assert.deepEqual(basicCanaryCounts(rollout({ replicas: 10, weight: 20, surge: '20%', unavailable: 0, scs: { replicas: 9, weight: 100 } }), rs('canary', 0, 0), rs('stable', 10, 10), []), { canary: 2, stable: 10 });
  // Aborted: setCanaryScale only stays in force with abortScaleDownDelaySeconds 0.
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 1, routed: true, scs: { replicas: 1 }, abort: true, abortDelay: 0 }), undefined), { canary: 1, stable: 1 });
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 1, routed: true, scs: { replicas: 1 }, abort: true, abortDelay: 30 }), undefined), { canary: 0, stable: 1 });
});

test('trafficRoutedCounts with dynamicStableScale follows the larger of desired and actual weights', () => {
  const w = (canary: number) => ({ canary: { weight: canary }, stable: { weight: 100 - canary } });
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 10, weight: 10, routed: true, dynamic: true }), w(10)), { canary: 1, stable: 9 });
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 10, weight: 20, routed: true, dynamic: true }), w(10)), { canary: 2, stable: 9 }, 'stable keeps pods for the traffic it still has');
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 10, weight: 20, routed: true, dynamic: true, abort: true }), w(20)), { canary: 2, stable: 10 }, 'aborting: canary keeps pods while traffic still flows to it');
  assert.deepEqual(trafficRoutedCounts(rollout({ replicas: 10, weight: 20, routed: true, dynamic: true, abort: true }), w(10)), { canary: 1, stable: 10 });
  assert.deepEqual([0, 20, 25, 33, 99, 100].map((x) => weightToReplicas(10, x)), [0, 2, 3, 4, 10, 10]);
});

test('atDesiredReplicaCounts: the canary available at its count, stable created, older RSs empty (basic)', () => {
  const r = rollout({ replicas: 10, weight: 20, surge: '20%', unavailable: 0 });
  assert.equal(atDesiredReplicaCounts(r, rs('canary', 2, 2), rs('stable', 8, 8), [], undefined), true);
  assert.equal(atDesiredReplicaCounts(r, rs('canary', 2, 1), rs('stable', 8, 8), [], undefined), false, 'canary not yet available');
  assert.equal(atDesiredReplicaCounts(r, rs('canary', 2, 2), rs('stable', 10, 10), [], undefined), false, 'stable not yet scaled down');
  assert.equal(atDesiredReplicaCounts(r, rs('canary', 2, 2), rs('stable', 8, 8, { replicas: 9 }), [], undefined), false, 'a stable pod still terminating');
  assert.equal(atDesiredReplicaCounts(r, rs('canary', 2, 2), rs('stable', 8, 8), [rs('old', 0, 1)], undefined), false, 'an older RS still has an available pod');
  const routed = rollout({ replicas: 10, weight: 20, routed: true });
  assert.equal(atDesiredReplicaCounts(routed, rs('canary', 2, 2), rs('stable', 10, 10), [rs('old', 3, 3)], undefined), true, 'routed: older RSs get no traffic anyway');
});

test('newRSNewReplicas: canary follows the split; blue-green uses previewReplicaCount until promotion', () => {
  const r = rollout({ replicas: 10, weight: 20, surge: 2, unavailable: 0 });
  const stable = rs('stable', 10, 10), canary = rs('canary', 0, 0);
  assert.equal(newRSNewReplicas(r, [stable, canary], canary, undefined), 2);
  const bg = (o: any = {}): Rollout => ({
    metadata: { name: 'b', namespace: 'default' },
    spec: { replicas: 4, selector: { matchLabels: { app: 'b' } }, strategy: { blueGreen: { activeService: 'a', previewReplicaCount: o.preview } } },
    status: { currentPodHash: o.current ?? 'new', blueGreen: { activeSelector: o.active ?? 'old', scaleUpPreviewCheckPoint: o.checkpoint }, promoteFull: o.promoteFull, pauseConditions: o.paused ? [{ reason: 'BlueGreenPause', startTime: '' }] : undefined },
  });
  const old = rs('old', 4, 4), nw = rs('new', 0, 0);
  assert.equal(newRSNewReplicas(bg(), [old, nw], nw, undefined), 4, 'no previewReplicaCount: full size');
  assert.equal(newRSNewReplicas(bg({ preview: 1 }), [old, nw], nw, undefined), 1, 'preview size');
  assert.equal(newRSNewReplicas(bg({ preview: 1, active: 'new' }), [old, nw], nw, undefined), 4, 'already active');
  assert.equal(newRSNewReplicas(bg({ preview: 1, promoteFull: true }), [old, nw], nw, undefined), 4, 'promote full');
  assert.equal(newRSNewReplicas(bg({ preview: 1, current: 'other' }), [old, nw], nw, undefined), 1, 'a newer update starts at the preview size');
  assert.equal(newRSNewReplicas(bg({ preview: 1, checkpoint: true }), [old, nw], nw, undefined), 4, 'resumed past the checkpoint');
  assert.equal(newRSNewReplicas(bg({ preview: 1, checkpoint: true, paused: true }), [old, nw], nw, undefined), 1, 'still paused');
});

test('fence posts: Argo treats every string as a percentage (issue #4567), integers as pods', () => {
  assert.equal(intOrPercent('25%', 10, true), 3);
  assert.equal(intOrPercent('25', 10, true), 3, '"25" is 25 %');
  assert.equal(intOrPercent('1', 10, false), 0, '"1" is 1 %, not one pod');
  assert.equal(intOrPercent(1, 10, false), 1);
  assert.throws(() => intOrPercent('abc', 10, true), /not an integer or percentage/);
  assert.deepEqual(resolveFenceposts(0, 0, 10), { surge: 0, unavailable: 1 });
  const r = rollout({ replicas: 10, weight: 0 });
  assert.equal(maxSurge(r), 3, 'default 25 % rounds up');
  assert.equal(maxUnavailable(r), 2, 'default 25 % rounds down');
  assert.equal(maxUnavailable(rollout({ replicas: 0, weight: 0 })), 0);
  assert.equal(maxUnavailable(rollout({ replicas: 2, weight: 0, unavailable: 5 })), 2, 'capped at replicas');
});

test('replicasForScaleDown, saturation, stable and other RSs', () => {
  assert.equal(replicasForScaleDown(rs('a', 3, 5), false), 3, 'spec when more are available than wanted');
  assert.equal(replicasForScaleDown(rs('a', 5, 2), true), 5);
  assert.equal(replicasForScaleDown(rs('a', 5, 2), false), 2);
  const r = rollout({ replicas: 4, weight: 0 });
  assert.equal(isSaturated(r, rs('a', 4, 4, { desired: '4' })), true);
  assert.equal(isSaturated(r, rs('a', 4, 4)), false, 'no desired-replicas annotation');
  assert.equal(isSaturated(r, rs('a', 4, 3, { desired: '4' })), false);
  const a = rs('stable', 1, 1), b = rs('canary', 1, 1), c = rs('x', 1, 1);
  assert.equal(getStableRS(r, b, [a, c]), a);
  assert.deepEqual(getOtherRSs(b, a, [a, b, c]), [c]);
});
