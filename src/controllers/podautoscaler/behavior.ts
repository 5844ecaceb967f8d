/**
 * From the metrics' proposal to the replica count the HPA sets (upstream horizontal.go, normalize*), as pure
 * functions over an HPA's history (its recent recommendations and scale events) and an explicit `now`:
 *
 * - without spec.behavior (an HPA that never had one): the highest recommendation of the downscale
 *   stabilization window (stabilizeRecommendation), then min/max and the classic scale-up limit
 *   max(2 × current, 4) (convertDesiredReplicasWithRules);
 * - with spec.behavior: the recommendation is held between the lowest of the scale-up window and the highest of
 *   the scale-down window (stabilizeRecommendationWithBehaviors), then limited by the policies — per policy,
 *   the replicas at the start of its period (current − added + removed within it) ± its Pods or Percent change,
 *   the Max (default), Min or Disabled of those — and by min/max (convertDesiredReplicasWithBehaviorRate).
 *
 * Each returns the AbleToScale/ScalingLimited reasons and messages upstream sets.
 */
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from 'kubernetes-types/autoscaling/v2.d.ts';

export interface Recommendation { replicas: number; atMs: number }
export interface ScaleEvent { change: number; atMs: number; outdated: boolean }

/** What the controller remembers of one HPA between syncs. */
export interface AutoscalerHistory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}
export const newHistory = (): AutoscalerHistory => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

export interface Decision { replicas: number; reason: string; message: string }

const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

/** stabilizeRecommendation: record the recommendation; the highest within the downscale window wins. */
export function stabilizeRecommendation(h: AutoscalerHistory, desired: number, nowMs: number, windowMs: number): number {
  let max = desired;
  let oldIndex = -1;
  const cutoff = nowMs - windowMs;
  h.recommendations.forEach((r, i) => {
    if (r.atMs < cutoff) oldIndex = i;
    else if (r.replicas > max) max = r.replicas;
  });
  const rec = { replicas: desired, atMs: nowMs };
  if (oldIndex >= 0) h.recommendations[oldIndex] = rec; else h.recommendations.push(rec);
  return max;
}

/** convertDesiredReplicasWithRules: min/max and the classic scale-up limit. */
export function convertDesiredReplicasWithRules(current: number, desired: number, min: number, max: number): Decision {
  const scaleUpLimit = Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM));
  let maximum: number, reason: string, message: string;
  if (max > scaleUpLimit) {
    maximum = scaleUpLimit; reason = 'ScaleUpLimit'; message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maximum = max; reason = 'TooManyReplicas'; message = 'the desired replica count is more than the maximum replica count';
  }
  if (desired < min) return { replicas: min, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desired > maximum) return { replicas: maximum, reason, message };
  return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

export interface NormalizationArgs {
  scaleUp: HPAScalingRules;
  scaleDown: HPAScalingRules;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
}

/** stabilizeRecommendationWithBehaviors: between the scale-up window's lowest and the scale-down window's highest. */
export function stabilizeRecommendationWithBehaviors(h: AutoscalerHistory, a: NormalizationArgs, nowMs: number): Decision {
  let up = a.desiredReplicas, down = a.desiredReplicas;
  const upCutoff = nowMs - (a.scaleUp.stabilizationWindowSeconds ?? 0) * 1000;
  const downCutoff = nowMs - (a.scaleDown.stabilizationWindowSeconds ?? 0) * 1000;
  let oldIndex = -1;
  h.recommendations.forEach((r, i) => {
    if (r.atMs > upCutoff) up = Math.min(r.replicas, up);
    if (r.atMs > downCutoff) down = Math.max(r.replicas, down);
    if (r.atMs < upCutoff && r.atMs < downCutoff) oldIndex = i;
  });
  let recommendation = a.currentReplicas;
  if (recommendation < up) recommendation = up;
  if (recommendation > down) recommendation = down;
  const rec = { replicas: a.desiredReplicas, atMs: nowMs };
  if (oldIndex >= 0) h.recommendations[oldIndex] = rec; else h.recommendations.push(rec);
  return a.desiredReplicas >= a.currentReplicas
    ? { replicas: recommendation, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
    : { replicas: recommendation, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
}

/** Replicas added (or removed) by the events within the last `periodSeconds`. */
export function getReplicasChangePerPeriod(periodSeconds: number, events: ScaleEvent[], nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  return events.filter((e) => e.atMs > cutoff).reduce((n, e) => n + e.change, 0);
}

function policySelector(rules: HPAScalingRules, up: boolean): { start: number; pick: (a: number, b: number) => number } | undefined {
  if (rules.selectPolicy === 'Disabled') return undefined;
  const min = rules.selectPolicy === 'Min';
  // Scaling up, the smallest change (Min) is the smallest limit; scaling down, it is the largest.
  return up === min ? { start: Number.MAX_SAFE_INTEGER, pick: Math.min } : { start: Number.MIN_SAFE_INTEGER, pick: Math.max };
}

/** The replicas the policies of one direction allow now: per policy, the count at the start of its period ± its change. */
function policyLimit(current: number, up: ScaleEvent[], down: ScaleEvent[], rules: HPAScalingRules, nowMs: number, scalingUp: boolean): number {
  const sel = policySelector(rules, scalingUp);
  if (!sel) return current;
  let result = sel.start;
  for (const p of rules.policies ?? []) {
    const periodStart = current - getReplicasChangePerPeriod(p.periodSeconds, up, nowMs) + getReplicasChangePerPeriod(p.periodSeconds, down, nowMs);
    let proposed: number;
    if (p.type === 'Pods') proposed = scalingUp ? periodStart + p.value : periodStart - p.value;
    // Up: rounded up, so a small percentage still adds a pod; down: truncated.
    else proposed = scalingUp ? Math.ceil(periodStart * (1 + p.value / 100)) : Math.trunc(periodStart * (1 - p.value / 100));
    result = sel.pick(result, proposed);
  }
  return result;
}

/** The most replicas the scale-up policies allow now. */
export const calculateScaleUpLimitWithScalingRules = (current: number, up: ScaleEvent[], down: ScaleEvent[], rules: HPAScalingRules, nowMs: number) =>
  policyLimit(current, up, down, rules, nowMs, true);

/** The fewest replicas the scale-down policies allow now. */
export const calculateScaleDownLimitWithBehaviors = (current: number, up: ScaleEvent[], down: ScaleEvent[], rules: HPAScalingRules, nowMs: number) =>
  policyLimit(current, up, down, rules, nowMs, false);

/** convertDesiredReplicasWithBehaviorRate: the policies' rate limits and min/max. */
export function convertDesiredReplicasWithBehaviorRate(h: AutoscalerHistory, a: NormalizationArgs, nowMs: number): Decision {
  if (a.desiredReplicas > a.currentReplicas) {
    const limit = Math.max(a.currentReplicas, calculateScaleUpLimitWithScalingRules(a.currentReplicas, h.scaleUpEvents, h.scaleDownEvents, a.scaleUp, nowMs));
    const [maximum, reason, message] = a.maxReplicas > limit
      ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
      : [a.maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    if (a.desiredReplicas > maximum) return { replicas: maximum, reason, message };
  } else if (a.desiredReplicas < a.currentReplicas) {
    const limit = Math.min(a.currentReplicas, calculateScaleDownLimitWithBehaviors(a.currentReplicas, h.scaleUpEvents, h.scaleDownEvents, a.scaleDown, nowMs));
    const [minimum, reason, message] = a.minReplicas < limit
      ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
      : [a.minReplicas, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    if (a.desiredReplicas < minimum) return { replicas: minimum, reason, message };
  }
  return { replicas: a.desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

const longestPolicyPeriod = (rules: HPAScalingRules | undefined) => Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds));

/** storeScaleEvent: remember a rescale (reusing an event slot no policy period still covers). Only with behavior. */
export function storeScaleEvent(h: AutoscalerHistory, behavior: HorizontalPodAutoscalerBehavior | undefined, prev: number, next: number, nowMs: number): void {
  if (!behavior) return;
  const up = next > prev;
  const events = up ? h.scaleUpEvents : h.scaleDownEvents;
  const cutoff = nowMs - longestPolicyPeriod(up ? behavior.scaleUp : behavior.scaleDown) * 1000;
  let oldIndex = -1;
  events.forEach((e, i) => {
    if (e.atMs < cutoff) e.outdated = true;
    if (e.outdated) oldIndex = i;
  });
  const event = { change: Math.abs(next - prev), atMs: nowMs, outdated: false };
  if (oldIndex >= 0) events[oldIndex] = event; else events.push(event);
}
