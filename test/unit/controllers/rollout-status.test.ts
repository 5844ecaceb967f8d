// Rollout steps, phase/message, conditions, the status merge patch and the pause context (reference §4.1, §7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Rollout, RolloutStatus } from '../../../src/controllers/rollout/types.ts';
import { currentCanaryStep, currentSetWeight, previousSetWeight, stepString, beforeStartingStep, canaryReplicasOrWeight } from '../../../src/controllers/rollout/steps.ts';
import { calculatePhase, rolloutHealthy, rolloutProgressing, rolloutTimedOut, setCondition, newCondition, isIndefiniteStep } from '../../../src/controllers/rollout/conditions.ts';
import { compactStatus, createMergePatch, statusPatch, PauseContext, needsBlueGreenControllerPause } from '../../../src/controllers/rollout/status.ts';
import { pauseDurationSeconds, computeStepHash, computePodTemplateHash, abortScaleDownDelay, scaleDownDelaySeconds } from '../../../src/controllers/rollout/defaults.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: { duration: '30s' } }, { analysis: { templates: [{ templateName: 't' }] } }, { setWeight: 100 }];
function canary(status: RolloutStatus = {}, spec: Partial<Rollout['spec']> = {}, s = steps): Rollout {
  return { metadata: { name: 'r', namespace: 'default', generation: 3 }, spec: { replicas: 4, selector: { matchLabels: { a: 'b' } }, strategy: { canary: { steps: s } }, ...spec }, status: { observedGeneration: '3', ...status } };
}

test('current step, weight in force, previous weight, display strings', () => {
  // [index, step kind, weight in force, previous setWeight]
  const rows: [number | undefined, string | undefined, number, number][] = [
    [undefined, 'setWeight: 20', 20, 0], [0, 'setWeight: 20', 20, 0], [1, 'pause', 20, 20], [2, 'setWeight: 50', 50, 20],
    [3, 'pause: 30s', 50, 50], [4, 'analysis', 50, 50], [5, 'setWeight: 100', 100, 50], [6, undefined, 100, 100],
  ];
  for (const [i, str, w, prev] of rows) {
    const r = canary({ currentStepIndex: i });
    const { step, index } = currentCanaryStep(r);
    assert.equal(index, i ?? 0);
    assert.equal(step ? stepString(step) : undefined, str);
    assert.equal(currentSetWeight(r), w, `weight at ${i}`);
    assert.equal(previousSetWeight(r, i ?? 0), prev, `previous at ${i}`);
  }
  assert.equal(currentSetWeight(canary({ currentStepIndex: 2, abort: true })), 0, 'aborted → 0');
  assert.equal(currentSetWeight(canary({ currentStepIndex: 0 }, {}, [{ pause: {} }, { setWeight: 10 }])), 0, 'no setWeight yet → 0');
  assert.deepEqual(currentCanaryStep(canary({}, {}, [])), {}, 'no steps: no index');
  assert.equal(stepString({ setCanaryScale: { replicas: 3 } }), 'setCanaryScale{replicas: 3}');
  assert.equal(stepString({ setCanaryScale: { matchTrafficWeight: true } }), 'setCanaryScale{matchTrafficWeight: true}');
  assert.equal(stepString({ pause: { duration: 10 } }), 'pause: 10');
  // Full weight on first deploy, when fully promoted, or on promote full.
  assert.deepEqual(canaryReplicasOrWeight(canary({ currentStepIndex: 0 })), { weight: 100 }, 'no stable yet');
  assert.deepEqual(canaryReplicasOrWeight(canary({ currentStepIndex: 0, stableRS: 'a', currentPodHash: 'b' })), { weight: 20 });
  assert.deepEqual(canaryReplicasOrWeight(canary({ currentStepIndex: 0, stableRS: 'a', currentPodHash: 'b', promoteFull: true })), { weight: 100 });
  assert.deepEqual(canaryReplicasOrWeight(canary({ currentStepIndex: 0, stableRS: 'a', currentPodHash: 'a' })), { weight: 100 });
});

test('pause durations: integers and digit strings are seconds, else Go durations, unparseable is -1', () => {
  const rows: [number | string | undefined, number][] = [[30, 30], ['30', 30], ['30s', 30], ['5m', 300], ['1h', 3600], ['1h30m', 5400], ['1.5m', 90], ['500ms', 0], ['oops', -1], [undefined, 0]];
  for (const [d, s] of rows) assert.equal(pauseDurationSeconds(d), s, String(d));
});

test('background analysis startingStep', () => {
  const r = (i: number, start?: number) => canary({ currentStepIndex: i }, { strategy: { canary: { steps, analysis: { templates: [], startingStep: start } } } });
  assert.equal(beforeStartingStep(r(0, 2)), true);
  assert.equal(beforeStartingStep(r(2, 2)), false);
  assert.equal(beforeStartingStep(r(0)), false, 'no startingStep: from the start');
});

test('phase and message in upstream order', () => {
  const spec = canary().spec;
  const cond = (type: string, status: any, reason: string, message: string) => newCondition(type, status, reason, message, T0);
  const full: RolloutStatus = { updatedReplicas: 4, availableReplicas: 4, replicas: 4, stableRS: 'a', currentPodHash: 'a' };
  const rows: [string, Partial<Rollout['spec']>, RolloutStatus, string, string][] = [
    ['invalid spec first', { paused: true }, { ...full, conditions: [cond('InvalidSpec', 'True', 'InvalidSpec', 'The Rollout "r" is invalid: x')] }, 'Degraded', 'InvalidSpec: The Rollout "r" is invalid: x'],
    ['aborted', {}, { ...full, conditions: [cond('Progressing', 'False', 'RolloutAborted', 'Rollout aborted update to revision 2')] }, 'Degraded', 'RolloutAborted: Rollout aborted update to revision 2'],
    ['deadline', {}, { ...full, conditions: [cond('Progressing', 'False', 'ProgressDeadlineExceeded', 'ReplicaSet "r-x" has timed out progressing.')] }, 'Degraded', 'ProgressDeadlineExceeded: ReplicaSet "r-x" has timed out progressing.'],
    ['manually paused', { paused: true }, { ...full, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '' }] }, 'Paused', 'manually paused'],
    ['pause condition', {}, { ...full, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '' }] }, 'Paused', 'CanaryPauseStep'],
    ['restarting', { restartAt: '2026-01-01T00:00:00Z' }, full, 'Progressing', 'rollout is restarting'],
    ['restart honoured', { restartAt: '2026-01-01T00:00:00Z' }, { ...full, restartedAt: '2026-01-01T00:00:00Z' }, 'Healthy', ''],
    ['more to update', {}, { ...full, updatedReplicas: 1 }, 'Progressing', 'more replicas need to be updated'],
    ['becoming available', {}, { ...full, availableReplicas: 3 }, 'Progressing', 'updated replicas are still becoming available'],
    ['old pods pending termination (basic canary)', {}, { ...full, replicas: 5 }, 'Progressing', 'old replicas are pending termination'],
    ['steps pending', {}, { ...full, stableRS: 'b' }, 'Progressing', 'waiting for all steps to complete'],
    ['healthy', {}, full, 'Healthy', ''],
  ];
  for (const [name, sp, st, phase, message] of rows) assert.deepEqual(calculatePhase({ ...spec, ...sp }, st), { phase, message }, name);
  const bg = { ...spec, strategy: { blueGreen: { activeService: 'a', postPromotionAnalysis: { templates: [] } } } };
  assert.deepEqual(calculatePhase(bg, { ...full, blueGreen: { activeSelector: 'b' } }), { phase: 'Progressing', message: 'active service cutover pending' });
  assert.deepEqual(calculatePhase(bg, { ...full, stableRS: 'b', blueGreen: { activeSelector: 'a' } }), { phase: 'Progressing', message: 'waiting for analysis to complete' });
  assert.deepEqual(calculatePhase(bg, { ...full, stableRS: 'b', blueGreen: { activeSelector: 'a', postPromotionAnalysisRunStatus: { name: 'x', status: 'Successful' } } }), { phase: 'Progressing', message: 'waiting for post-promotion verification to complete' });
  assert.deepEqual(calculatePhase(bg, { ...full, blueGreen: { activeSelector: 'a' } }), { phase: 'Healthy', message: '' });
});

test('conditions: same status+reason unchanged, transition time kept while status holds', () => {
  const s: RolloutStatus = {};
  assert.equal(setCondition(s, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'a', T0)), true);
  assert.equal(setCondition(s, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'b', T0 + 5000)), false);
  assert.equal(setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', 'c', T0 + 9000)), true);
  assert.equal(s.conditions![0].lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(s.conditions![0].lastUpdateTime, '2026-01-01T00:00:09Z');
  setCondition(s, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', 'd', T0 + 20000));
  assert.equal(s.conditions![0].lastTransitionTime, '2026-01-01T00:00:20Z');
});

test('health, progress, timeout', () => {
  const done: RolloutStatus = { updatedReplicas: 4, availableReplicas: 4, replicas: 4, stableRS: 'a', currentPodHash: 'a', currentStepIndex: 6 };
  assert.equal(rolloutHealthy(canary(), done), true);
  assert.equal(rolloutHealthy(canary(), { ...done, currentStepIndex: 5 }), false, 'steps left');
  assert.equal(rolloutHealthy(canary(), { ...done, replicas: 5 }), false, 'an old pod left');
  assert.equal(rolloutHealthy(canary({ observedGeneration: '2' }), done), false, 'spec not observed');
  const old = canary({ replicas: 4, updatedReplicas: 1, readyReplicas: 4, availableReplicas: 4, currentStepIndex: 0, stableRS: 'a', currentStepHash: 'h' });
  assert.equal(rolloutProgressing(old, { ...old.status, updatedReplicas: 2 }), true);
  assert.equal(rolloutProgressing(old, { ...old.status, currentStepIndex: 1 }), true, 'a step is progress');
  assert.equal(rolloutProgressing(old, { ...old.status }), false);
  assert.equal(rolloutProgressing(old, { ...old.status, availableReplicas: 3 }), false, 'losing pods is not progress');
  const st = (reason: string, at: number): RolloutStatus => ({ conditions: [newCondition('Progressing', 'True', reason, '', at)] });
  const r = canary({}, { progressDeadlineSeconds: 10 });
  assert.equal(rolloutTimedOut(r, st('ReplicaSetUpdated', T0), T0 + 9000), false);
  assert.equal(rolloutTimedOut(r, st('ReplicaSetUpdated', T0), T0 + 11000), true);
  assert.equal(rolloutTimedOut(r, st('RolloutAborted', T0), T0 + 60000), false, 'never from an abort');
  assert.equal(isIndefiniteStep(canary({ currentStepIndex: 1 })), true);
  assert.equal(isIndefiniteStep(canary({ currentStepIndex: 0 })), false);
});

test('status serialisation follows omitempty; the merge patch sets changes and nulls removals', () => {
  assert.deepEqual(compactStatus({ abort: false, replicas: 0, currentStepIndex: 0, message: '', conditions: [], canary: {}, HPAReplicas: 3 }), { currentStepIndex: 0, HPAReplicas: 3, canary: {}, blueGreen: {} });
  assert.deepEqual(compactStatus({ canary: { weights: { canary: { weight: 0, serviceName: 'c' }, stable: { weight: 100 } } } }).canary, { weights: { canary: { weight: 0, serviceName: 'c' }, stable: { weight: 100 } } });
  const prev: RolloutStatus = { abort: true, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 't' }], currentStepIndex: 1, phase: 'Paused', canary: {}, blueGreen: {} };
  const next: RolloutStatus = { currentStepIndex: 2, phase: 'Progressing', message: 'more replicas need to be updated', canary: {} };
  assert.deepEqual(statusPatch(prev, next), { abort: null, pauseConditions: null, currentStepIndex: 2, phase: 'Progressing', message: 'more replicas need to be updated' });
  assert.deepEqual(statusPatch({ ...next, blueGreen: {} }, { ...next }), {}, 'unchanged: nothing to write');
  assert.deepEqual(statusPatch(next, { ...next }), { blueGreen: {} }, 'the never-omitted structs are written once');
  assert.deepEqual(createMergePatch({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } }), { a: { c: 3 } });
});

test('pause context: abort wins (keeping abortedAt), pauses are added once, removed, or cleared', () => {
  const apply = (status: RolloutStatus, f: (p: PauseContext) => void, now = T0) => {
    const p = new PauseContext(canary(status));
    f(p);
    const s: RolloutStatus = {};
    p.apply(s, now);
    return s;
  };
  assert.deepEqual(apply({}, (p) => p.addPauseCondition('CanaryPauseStep')), { controllerPause: true, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }] });
  const paused = { controllerPause: true, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 'x' }] };
  assert.deepEqual(apply(paused, (p) => p.addPauseCondition('CanaryPauseStep')), paused, 'added once');
  assert.deepEqual(apply(paused, (p) => p.removePauseCondition('CanaryPauseStep')), {}, 'none left: controllerPause drops');
  assert.deepEqual(apply({ abort: true, abortedAt: 'then', ...paused }, () => {}), { abort: true, abortedAt: 'then' });
  assert.deepEqual(apply({}, (p) => p.addAbort('m')), { abort: true, abortedAt: '2026-01-01T00:00:00Z' });
  assert.deepEqual(apply({ abort: true }, (p) => p.removeAbort()), {});
  assert.deepEqual(apply(paused, (p) => p.clearPauseConditions()), {});
  // Pause steps: a user resume (condition gone while controllerPause) or the duration elapsing.
  const p1 = new PauseContext(canary({ controllerPause: true }));
  assert.equal(p1.completedCanaryPauseStep({}, T0), true);
  const p2 = new PauseContext(canary({ controllerPause: true, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }] }));
  assert.equal(p2.completedCanaryPauseStep({}, T0 + 1e9), false, 'indefinite');
  assert.equal(p2.completedCanaryPauseStep({ duration: '30s' }, T0 + 29_000), false);
  assert.equal(p2.completedCanaryPauseStep({ duration: '30s' }, T0 + 31_000), true);
});

test('blue-green pause: when the controller pauses, and when the pause is over', () => {
  const bg = (o: any, status: RolloutStatus = {}): Rollout => ({ metadata: { name: 'b', namespace: 'd' }, spec: { strategy: { blueGreen: { activeService: 'a', ...o } } }, status });
  assert.equal(needsBlueGreenControllerPause({ activeService: 'a' }), false);
  assert.equal(needsBlueGreenControllerPause({ activeService: 'a', autoPromotionEnabled: false }), true);
  assert.equal(needsBlueGreenControllerPause({ activeService: 'a', autoPromotionSeconds: 10 }), true);
  const cond = { reason: 'BlueGreenPause', startTime: '2026-01-01T00:00:00Z' };
  assert.equal(new PauseContext(bg({ autoPromotionSeconds: 10 }, { pauseConditions: [cond], controllerPause: true })).completedBlueGreenPause(T0 + 5000), false);
  assert.equal(new PauseContext(bg({ autoPromotionSeconds: 10 }, { pauseConditions: [cond], controllerPause: true })).completedBlueGreenPause(T0 + 11000), true);
  assert.equal(new PauseContext(bg({ autoPromotionEnabled: false }, { pauseConditions: [cond], controllerPause: true })).completedBlueGreenPause(T0 + 1e9), false, 'manual promotion only');
  assert.equal(new PauseContext(bg({ autoPromotionEnabled: false }, { controllerPause: true })).completedBlueGreenPause(T0), true, 'promoted by the user');
  assert.equal(new PauseContext(bg({ autoPromotionEnabled: false }, {})).completedBlueGreenPause(T0), false, 'not paused yet');
  assert.equal(new PauseContext(bg({}, {})).completedBlueGreenPause(T0), true, 'auto-promotion without delay');
});

test('hashes are deterministic and change with the template, the steps or the collision count', () => {
  const t = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const h = computePodTemplateHash(t);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(computePodTemplateHash(structuredClone(t)), h);
  assert.notEqual(computePodTemplateHash({ ...t, spec: { containers: [{ name: 'c', image: 'httpd' }] } }), h);
  assert.notEqual(computePodTemplateHash(t, 1), h);
  assert.notEqual(computePodTemplateHash(t, 1), computePodTemplateHash(t, 2));
  assert.equal(computeStepHash(canary()), computeStepHash(canary()));
  assert.notEqual(computeStepHash(canary()), computeStepHash(canary({}, {}, [{ setWeight: 10 }])));
  assert.notEqual(computeStepHash(canary({}, {}, [{ pause: {} }])), computeStepHash(canary({}, {}, [])), 'an empty pause counts');
});

test('scale-down delays by strategy', () => {
  const routed = canary({}, { strategy: { canary: { steps, trafficRouting: { plugins: { 'kubelite.io/service-proxy': {} } } } } });
  assert.equal(scaleDownDelaySeconds(canary()), 0, 'basic canary: no delay');
  assert.equal(scaleDownDelaySeconds(routed), 30);
  assert.deepEqual(abortScaleDownDelay(canary()), { delay: 0, wasSet: false });
  assert.deepEqual(abortScaleDownDelay(routed), { delay: 30, wasSet: false });
  routed.spec.strategy.canary!.abortScaleDownDelaySeconds = 0;
  assert.deepEqual(abortScaleDownDelay(routed), { delay: null, wasSet: true }, '0 = leave the canary up');
});

test('write-back: a just-written object wins over an older cached copy until the cache catches up', async () => {
  const { WriteBack } = await import('../../../src/controllers/rollout/controller.ts');
  const wb = new WriteBack<{ metadata: { resourceVersion: string }; v: string }>();
  const o = (rv: string, v: string) => ({ metadata: { resourceVersion: rv }, v });
  assert.equal(wb.pick('k', o('5', 'cache'))?.v, 'cache', 'nothing remembered');
  wb.remember('k', o('9', 'mine'));
  assert.equal(wb.pick('k', o('5', 'cache'))?.v, 'mine', 'the cache lags');
  assert.equal(wb.pick('k', undefined), undefined, 'gone from the cache: deleted');
  wb.remember('k', o('9', 'mine'));
  assert.equal(wb.pick('k', o('12', 'cache'))?.v, 'cache', 'caught up');
  assert.equal(wb.pick('k', o('8', 'older'))?.v, 'older', 'forgotten once caught up');
});
