/**
 * Normalization of the metrics' proposal, with upstream's horizontal_test.go tables ported: TestScalingWithRules,
 * TestStoreScaleEvents, TestNormalizeDesiredReplicasWithBehavior, TestNormalizeDesiredReplicas and the scale
 * limit cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HPAScalingRules } from 'kubernetes-types/autoscaling/v2.d.ts';
import {
  calculateScaleDownLimitWithBehaviors, calculateScaleUpLimitWithScalingRules, convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules, getReplicasChangePerPeriod, newHistory, stabilizeRecommendation, stabilizeRecommendationWithBehaviors,
  storeScaleEvent, type Recommendation, type ScaleEvent,
} from '../../../src/controllers/podautoscaler/behavior.ts';
import { scalingRules } from '../../../src/api/kinds/hpa-conversion.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const MIN = 60_000;

/** generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow) */
function rules(pods: number, podsPeriod: number, percent: number, percentPeriod: number, window: number): HPAScalingRules {
  const policies: HPAScalingRules['policies'] = [];
  if (pods) policies.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent) policies.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  return { stabilizationWindowSeconds: window, selectPolicy: 'Max', policies };
}

/** generateEventsUniformDistribution: events spread over the last periodSeconds, each in the middle of its segment. */
function uniform(raw: number[], periodSeconds: number): ScaleEvent[] {
  const seg = periodSeconds / raw.length;
  return raw.map((change, i) => ({ change, atMs: NOW - (periodSeconds - seg * (i + 1) + seg / 2) * 1000, outdated: false }));
}

interface RulesCase {
  name: string; current: number; desired: number; min: number; max: number;
  up?: HPAScalingRules; down?: HPAScalingRules; upEvents?: ScaleEvent[]; downEvents?: ScaleEvent[];
  expected: number; condition: string;
}
const SCALING_WITH_RULES: RulesCase[] = [
  { name: 'prenormalized desired replicas within range', current: 5, desired: 7, min: 3, max: 8, expected: 7, condition: 'DesiredWithinRange' },
  { name: 'prenormalized desired replicas < minReplicas', current: 3, desired: 1, min: 2, max: 8, expected: 2, condition: 'TooFewReplicas' },
  { name: 'prenormalized desired replicas within range when minReplicas is 0', current: 1, desired: 0, min: 0, max: 10, expected: 0, condition: 'DesiredWithinRange' },
  { name: 'maxReplicas is the limit because maxReplicas < scaleUpLimit', current: 20, desired: 1000, min: 1, max: 10, expected: 10, condition: 'TooManyReplicas' },
  { name: 'desired replica count is more than the maximum replica count', current: 100, desired: 1000, min: 100, max: 150, expected: 150, condition: 'TooManyReplicas' },
  { name: 'scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies', current: 3, desired: 1000, min: 1, max: 2000, up: rules(0, 0, 1, 60, 0), expected: 4, condition: 'ScaleUpLimit' },
  { name: 'scaleUp with default behavior', current: 10, desired: 50, min: 1, max: 1000, expected: 20, condition: 'ScaleUpLimit' },
  { name: 'scaleUp with pods policy larger than percent policy', current: 10, desired: 500, min: 1, max: 1000, up: rules(100, 60, 100, 60, 0), expected: 110, condition: 'ScaleUpLimit' },
  { name: 'scaleUp with percent policy larger than pods policy', current: 10, desired: 500, min: 1, max: 1000, up: rules(2, 60, 100, 60, 0), expected: 20, condition: 'ScaleUpLimit' },
  { name: 'scaleUp with spec MaxReplicas limitation with large pod policy', current: 10, desired: 50, min: 1, max: 1000, up: rules(100, 60, 0, 0, 0), expected: 50, condition: 'DesiredWithinRange' },
  { name: 'scaleUp with spec MaxReplicas limitation with large percent policy', current: 10, desired: 50, min: 1, max: 1000, up: rules(10000, 60, 0, 0, 0), expected: 50, condition: 'DesiredWithinRange' },
  { name: 'scaleUp with pod policy limitation', current: 10, desired: 50, min: 1, max: 1000, up: rules(30, 60, 0, 0, 0), expected: 40, condition: 'ScaleUpLimit' },
  { name: 'scaleUp with percent policy limitation', current: 10, desired: 50, min: 1, max: 1000, up: rules(0, 0, 200, 60, 0), expected: 30, condition: 'ScaleUpLimit' },
  { name: 'scaleDown with percent policy larger than pod policy', current: 100, desired: 2, min: 1, max: 1000, down: rules(20, 60, 1, 60, 300), expected: 80, condition: 'ScaleDownLimit' },
  { name: 'scaleDown with pod policy larger than percent policy', current: 100, desired: 2, min: 1, max: 1000, down: rules(2, 60, 1, 60, 300), expected: 98, condition: 'ScaleDownLimit' },
  { name: 'scaleDown with spec MinReplicas=nil limitation with large pod policy', current: 10, desired: 0, min: 1, max: 1000, down: rules(100, 60, 0, 0, 300), expected: 1, condition: 'TooFewReplicas' },
  { name: 'scaleDown with spec MinReplicas limitation with large percent policy', current: 10, desired: 2, min: 5, max: 1000, down: rules(0, 0, 100, 60, 300), expected: 5, condition: 'TooFewReplicas' },
  { name: 'scaleDown with pod policy limitation', current: 10, desired: 2, min: 1, max: 1000, down: rules(5, 60, 0, 0, 300), expected: 5, condition: 'ScaleDownLimit' },
  { name: 'scaleDown with percent policy limitation', current: 10, desired: 5, min: 1, max: 1000, down: rules(0, 0, 50, 60, 300), expected: 5, condition: 'DesiredWithinRange' },
  { name: 'scaleUp with spec MaxReplicas limitation with large pod policy and events', upEvents: uniform([1, 5, 9], 120), current: 100, desired: 500, min: 1, max: 200, up: rules(300, 60, 0, 0, 0), expected: 200, condition: 'TooManyReplicas' },
  { name: 'scaleUp with spec MaxReplicas limitation with large percent policy and events', upEvents: uniform([1, 5, 9], 120), current: 100, desired: 500, min: 1, max: 200, up: rules(0, 0, 10000, 60, 0), expected: 200, condition: 'TooManyReplicas' },
  { name: 'scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events', upEvents: uniform([1, 5, 9], 120), current: 100, desired: 500, min: 1, max: 1000, up: rules(5, 120, 0, 0, 0), expected: 100, condition: 'ScaleUpLimit' },
  { name: 'scaleUp with pod policy and previous scale up events', upEvents: uniform([1, 5, 9], 120), current: 100, desired: 500, min: 1, max: 1000, up: rules(150, 120, 0, 0, 0), expected: 235, condition: 'ScaleUpLimit' },
  { name: 'scaleUp with percent policy and previous scale up events', upEvents: uniform([1, 5, 9], 120), current: 100, desired: 500, min: 1, max: 1000, up: rules(0, 0, 200, 120, 0), expected: 255, condition: 'ScaleUpLimit' },
  { name: 'scaleUp with percent policy and previous scale up and down events', upEvents: uniform([4], 120), downEvents: uniform([2], 120), current: 6, desired: 24, min: 1, max: 1000, up: rules(0, 0, 300, 300, 0), expected: 16, condition: 'ScaleUpLimit' },
  { name: 'scaleDown with default policy and previous events', downEvents: uniform([1, 5, 9], 120), current: 10, desired: 5, min: 1, max: 1000, expected: 5, condition: 'DesiredWithinRange' },
  { name: 'scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events', downEvents: uniform([1, 5, 9], 120), current: 100, desired: 0, min: 1, max: 1000, down: rules(115, 120, 0, 0, 300), expected: 1, condition: 'TooFewReplicas' },
  { name: 'scaleDown with spec MinReplicas limitation with large pod policy and previous events', downEvents: uniform([1, 5, 9], 120), current: 100, desired: 0, min: 5, max: 1000, down: rules(130, 120, 0, 0, 300), expected: 5, condition: 'TooFewReplicas' },
  { name: 'scaleDown with spec MinReplicas limitation with large percent policy and previous events', downEvents: uniform([1, 5, 9], 120), current: 100, desired: 2, min: 5, max: 1000, down: rules(0, 0, 100, 120, 300), expected: 5, condition: 'TooFewReplicas' },
  { name: 'scaleDown with pod policy limitation and previous events', downEvents: uniform([1, 5, 9], 120), current: 100, desired: 2, min: 1, max: 1000, down: rules(5, 120, 0, 0, 300), expected: 100, condition: 'ScaleDownLimit' },
  { name: 'scaleDown with percent policy limitation and previous events', downEvents: uniform([2, 4, 6], 120), current: 100, desired: 0, min: 1, max: 1000, down: rules(0, 0, 50, 120, 300), expected: 56, condition: 'ScaleDownLimit' },
  { name: 'scaleDown with percent policy and previous scale up and down events', upEvents: uniform([2], 120), downEvents: uniform([4], 120), current: 10, desired: 1, min: 1, max: 1000, down: rules(0, 0, 50, 180, 0), expected: 6, condition: 'ScaleDownLimit' },
  { name: 'scaleDown with previous events preventing further scale down', downEvents: uniform([10, 10, 10], 120), current: 100, desired: 0, min: 1, max: 1000, down: rules(0, 0, 10, 120, 300), expected: 100, condition: 'ScaleDownLimit' },
  { name: 'scaleDown with with previous events still allowing more scale down', downEvents: uniform([10, 10, 10], 120), current: 10, desired: 5, min: 1, max: 1000, down: rules(0, 0, 1000, 120, 300), expected: 5, condition: 'DesiredWithinRange' },
  { name: "check 'outdated' flag for events for one behavior for up", upEvents: uniform([8, 12, 9, 11], 120), current: 100, desired: 200, min: 1, max: 1000, up: rules(1000, 60, 0, 0, 0), expected: 200, condition: 'DesiredWithinRange' },
  { name: "check that events were not marked 'outdated' for two different policies in the behavior for up", upEvents: uniform([8, 12, 9, 11], 120), current: 100, desired: 200, min: 1, max: 1000, up: rules(1000, 120, 100, 60, 0), expected: 200, condition: 'DesiredWithinRange' },
  { name: "check that events were marked 'outdated' for two different policies in the behavior for up", upEvents: uniform([8, 12, 9, 11], 120), current: 100, desired: 200, min: 1, max: 1000, up: rules(1000, 30, 100, 60, 0), expected: 200, condition: 'DesiredWithinRange' },
  { name: "check 'outdated' flag for events for one behavior for down", downEvents: uniform([8, 12, 9, 11], 120), current: 100, desired: 5, min: 1, max: 1000, down: rules(1000, 60, 0, 0, 300), expected: 5, condition: 'DesiredWithinRange' },
  { name: "check that events were not marked 'outdated' for two different policies in the behavior for down", downEvents: uniform([8, 12, 9, 11], 120), current: 100, desired: 5, min: 1, max: 1000, down: rules(1000, 120, 100, 60, 300), expected: 5, condition: 'DesiredWithinRange' },
  { name: "check that events were marked 'outdated' for two different policies in the behavior for down", downEvents: uniform([8, 12, 9, 11], 120), current: 100, desired: 5, min: 1, max: 1000, down: rules(1000, 30, 100, 60, 300), expected: 5, condition: 'DesiredWithinRange' },
];

for (const tc of SCALING_WITH_RULES) {
  test(`TestScalingWithRules: ${tc.name}`, () => {
    const h = { ...newHistory(), scaleUpEvents: tc.upEvents ?? [], scaleDownEvents: tc.downEvents ?? [] };
    const d = convertDesiredReplicasWithBehaviorRate(h, {
      scaleUp: scalingRules(tc.up, true), scaleDown: scalingRules(tc.down, false),
      minReplicas: tc.min, maxReplicas: tc.max, currentReplicas: tc.current, desiredReplicas: tc.desired,
    }, NOW);
    assert.equal(d.replicas, tc.expected);
    assert.equal(d.reason, tc.condition);
  });
}

test('scale limits with a Max/Min/Disabled select policy (upstream TestCalculateScale{Up,Down}Limit…)', () => {
  const two = (select: 'Max' | 'Min' | 'Disabled', pods: number, percent: number): HPAScalingRules =>
    ({ stabilizationWindowSeconds: 300, selectPolicy: select, policies: [{ type: 'Pods', value: pods, periodSeconds: 60 }, { type: 'Percent', value: percent, periodSeconds: 60 }] });
  assert.equal(calculateScaleUpLimitWithScalingRules(5, [], [], two('Max', 2, 50), NOW), 8);
  assert.equal(calculateScaleUpLimitWithScalingRules(5, [], [], two('Min', 2, 50), NOW), 7);
  assert.equal(calculateScaleUpLimitWithScalingRules(5, [], [], two('Disabled', 2, 50), NOW), 5);
  assert.equal(calculateScaleDownLimitWithBehaviors(5, [], [], two('Max', 2, 50), NOW), 2);
  assert.equal(calculateScaleDownLimitWithBehaviors(5, [], [], two('Min', 2, 50), NOW), 3);
  assert.equal(calculateScaleDownLimitWithBehaviors(5, [], [], two('Disabled', 2, 50), NOW), 5);
});

const ev = (change: number, agoS: number, outdated = false): ScaleEvent => ({ change, atMs: NOW - agoS * 1000, outdated });
const STORE_CASES: { name: string; change: number; prev: ScaleEvent[]; next: [number, boolean][]; rules?: HPAScalingRules; expectedChange: number }[] = [
  { name: 'empty entries with default behavior', change: 5, prev: [], next: [], expectedChange: 0 },
  { name: 'empty entries with two-policy-behavior', change: 5, prev: [], next: [[5, false]], rules: rules(10, 60, 100, 60, 0), expectedChange: 0 },
  { name: 'one outdated entry to be kept untouched without behavior', change: 5, prev: [ev(7, 61)], next: [[7, false]], expectedChange: 0 },
  { name: 'one outdated entry to be replaced with behavior', change: 5, prev: [ev(7, 61)], next: [[5, false]], rules: rules(10, 60, 100, 60, 0), expectedChange: 0 },
  { name: 'one actual entry to be not touched with behavior', change: 5, prev: [ev(7, 58)], next: [[7, false], [5, false]], rules: rules(10, 60, 100, 60, 0), expectedChange: 7 },
  { name: 'two entries, one of them to be replaced', change: 5, prev: [ev(7, 61), ev(6, 59)], next: [[5, false], [6, false]], rules: rules(10, 60, 0, 0, 0), expectedChange: 6 },
  { name: 'replace one entry, use policies with different periods', change: 5, prev: [ev(8, 29), ev(6, 59), ev(7, 61), ev(9, 61)], next: [[8, false], [6, false], [7, true], [5, false]], rules: rules(10, 60, 100, 30, 0), expectedChange: 14 },
  { name: 'two entries, both actual', change: 5, prev: [ev(7, 58), ev(6, 59)], next: [[7, false], [6, false], [5, false]], rules: rules(10, 120, 100, 30, 0), expectedChange: 13 },
];
for (const tc of STORE_CASES) {
  test(`TestStoreScaleEvents: ${tc.name}`, () => {
    for (const up of [true, false]) {
      const h = newHistory();
      const events = tc.prev.map((e) => ({ ...e }));
      if (up) h.scaleUpEvents = events; else h.scaleDownEvents = events;
      assert.equal(getReplicasChangePerPeriod(60, events, NOW), tc.expectedChange);
      storeScaleEvent(h, tc.rules && (up ? { scaleUp: tc.rules } : { scaleDown: tc.rules }), 10, up ? 10 + tc.change : 10 - tc.change, NOW);
      const got = up ? h.scaleUpEvents : h.scaleDownEvents;
      assert.deepEqual(got.map((e) => [e.change, e.outdated]), tc.next, up ? 'up' : 'down');
    }
  });
}

const rec = (replicas: number, agoMs: number): Recommendation => ({ replicas, atMs: NOW - agoMs });
const WITH_BEHAVIOR: { name: string; recs: Recommendation[]; current: number; desired: number; expected: number; stored?: number[]; upWindow?: number; downWindow?: number }[] = [
  { name: 'empty recommendations for scaling down', recs: [], current: 100, desired: 5, expected: 5, stored: [5] },
  { name: 'simple scale down stabilization', recs: [rec(4, 2 * MIN), rec(5, MIN)], current: 100, desired: 3, expected: 5, stored: [4, 5, 3], downWindow: 180 },
  { name: 'simple scale up stabilization', recs: [rec(4, 2 * MIN), rec(5, MIN)], current: 1, desired: 7, expected: 4, stored: [4, 5, 7], upWindow: 300 },
  { name: 'no scale down stabilization', recs: [rec(1, 2 * MIN), rec(2, MIN)], current: 100, desired: 3, expected: 3, stored: [1, 2, 3], upWindow: 300 },
  { name: 'no scale up stabilization', recs: [rec(4, 2 * MIN), rec(5, MIN)], current: 1, desired: 3, expected: 3, stored: [4, 5, 3], downWindow: 300 },
  { name: 'no scale down stabilization, reuse recommendation element', recs: [rec(10, 10 * MIN), rec(9, 9 * MIN)], current: 100, desired: 3, expected: 3, stored: [10, 3] },
  { name: 'no scale up stabilization, reuse recommendation element', recs: [rec(10, 10 * MIN), rec(9, 9 * MIN)], current: 1, desired: 100, expected: 100, stored: [10, 100] },
  { name: 'scale down stabilization, reuse one of obsolete recommendation element', recs: [rec(10, 10 * MIN), rec(4, MIN), rec(5, 2 * MIN), rec(9, 9 * MIN)], current: 100, desired: 3, expected: 5, stored: [10, 4, 5, 3], downWindow: 180 },
  { name: 'scale up stabilization, reuse one of obsolete recommendation element', recs: [rec(10, 100 * MIN), rec(6, MIN), rec(5, 2 * MIN), rec(9, 3 * MIN)], current: 1, desired: 100, expected: 5, stored: [100, 6, 5, 9], upWindow: 300 },
  { name: 'scale up and down stabilization, do not scale up when prenormalized rec goes down', recs: [rec(2, 100 * MIN), rec(3, 3 * MIN)], current: 2, desired: 1, expected: 2, upWindow: 300, downWindow: 300 },
  { name: 'scale up and down stabilization, do not scale down when prenormalized rec goes up', recs: [rec(2, 100 * MIN), rec(1, 3 * MIN)], current: 2, desired: 3, expected: 2, upWindow: 300, downWindow: 300 },
];
for (const tc of WITH_BEHAVIOR) {
  test(`TestNormalizeDesiredReplicasWithBehavior: ${tc.name}`, () => {
    const h = { ...newHistory(), recommendations: tc.recs.map((r) => ({ ...r })) };
    const d = stabilizeRecommendationWithBehaviors(h, {
      scaleUp: { stabilizationWindowSeconds: tc.upWindow ?? 0 }, scaleDown: { stabilizationWindowSeconds: tc.downWindow ?? 0 },
      minReplicas: 1, maxReplicas: 1000, currentReplicas: tc.current, desiredReplicas: tc.desired,
    }, NOW);
    assert.equal(d.replicas, tc.expected);
    if (tc.stored) assert.deepEqual(h.recommendations.map((r) => r.replicas), tc.stored);
  });
}

const WITHOUT_BEHAVIOR: { name: string; recs: Recommendation[]; desired: number; expected: number; logLength: number }[] = [
  { name: 'empty log', recs: [], desired: 5, expected: 5, logLength: 1 },
  { name: 'stabilize', recs: [rec(4, 2 * MIN), rec(5, MIN)], desired: 3, expected: 5, logLength: 3 },
  { name: 'no stabilize', recs: [rec(1, 2 * MIN), rec(2, MIN)], desired: 3, expected: 3, logLength: 3 },
  { name: 'no stabilize - old recommendations', recs: [rec(10, 10 * MIN), rec(9, 9 * MIN)], desired: 3, expected: 3, logLength: 2 },
  { name: 'stabilize - old recommendations', recs: [rec(10, 10 * MIN), rec(4, MIN), rec(5, 2 * MIN), rec(9, 9 * MIN)], desired: 3, expected: 5, logLength: 4 },
];
for (const tc of WITHOUT_BEHAVIOR) {
  test(`TestNormalizeDesiredReplicas: ${tc.name}`, () => {
    const h = { ...newHistory(), recommendations: tc.recs.map((r) => ({ ...r })) };
    assert.equal(stabilizeRecommendation(h, tc.desired, NOW, 5 * MIN), tc.expected);
    assert.equal(h.recommendations.length, tc.logLength);
  });
}

test('convertDesiredReplicasWithRules: min, max and the classic scale-up limit max(2×current, 4)', () => {
  assert.deepEqual(convertDesiredReplicasWithRules(3, 20, 1, 100), { replicas: 6, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
  assert.deepEqual(convertDesiredReplicasWithRules(1, 20, 1, 100).replicas, 4);
  assert.deepEqual(convertDesiredReplicasWithRules(5, 20, 1, 8), { replicas: 8, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' });
  assert.deepEqual(convertDesiredReplicasWithRules(5, 1, 2, 8), { replicas: 2, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' });
  assert.deepEqual(convertDesiredReplicasWithRules(5, 6, 2, 8).reason, 'DesiredWithinRange');
});

test('an absurd maxReplicas (stored before the range check) still scales up at the bounded rate', () => {
  // Classic rules: max(2 × current, 4).
  assert.deepEqual(convertDesiredReplicasWithRules(1, 1e12, 1, 1e12).replicas, 4);
  assert.equal(convertDesiredReplicasWithRules(10, 1e12, 1, 1e12).replicas, 20);
  // Default v2 behavior: 4 pods or 100% per 15 s, whichever is more.
  const d = convertDesiredReplicasWithBehaviorRate(newHistory(), {
    scaleUp: scalingRules(undefined, true), scaleDown: scalingRules(undefined, false),
    minReplicas: 1, maxReplicas: 1e12, currentReplicas: 3, desiredReplicas: 1e12,
  }, NOW);
  assert.equal(d.replicas, 7);
  assert.equal(d.reason, 'ScaleUpLimit');
});
