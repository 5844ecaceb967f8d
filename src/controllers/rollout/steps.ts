/**
 * Canary step arithmetic (§4.1): the current step and its index, the weight in force (walking back to the last
 * setWeight), setCanaryScale (traffic-routed only), the step's display string for events, and the background
 * analysis starting step. Pure.
 */
import type { CanaryStep, Rollout, SetCanaryScale } from './types.ts';
import { abortScaleDownDelay, maxTrafficWeight, stepsOf } from './defaults.ts';

/** GetCurrentCanaryStep: index undefined when there are no steps; step undefined once past the last one. */
export function currentCanaryStep(r: Rollout): { step?: CanaryStep; index?: number } {
  const steps = stepsOf(r);
  if (!r.spec.strategy?.canary || steps.length === 0) return {};
  const index = r.status?.currentStepIndex ?? 0;
  if (index >= steps.length || index < 0) return { index };
  return { step: steps[index], index };
}

/** GetCurrentSetWeight: 0 while aborted; max weight once past the last step; else the last setWeight at or before the index (0 if none). */
export function currentSetWeight(r: Rollout): number {
  if (r.status?.abort) return 0;
  const { step, index } = currentCanaryStep(r);
  if (!step || index === undefined) return maxTrafficWeight(r);
  const steps = stepsOf(r);
  for (let i = index; i >= 0; i--) if (steps[i].setWeight !== undefined && steps[i].setWeight !== null) return steps[i].setWeight!;
  return 0;
}

/** The last setWeight strictly before `index` (0 if none): the weight traffic keeps while pods catch up. */
export function previousSetWeight(r: Rollout, index: number): number {
  const steps = stepsOf(r);
  for (let i = Math.min(index, steps.length) - 1; i >= 0; i--) if (steps[i].setWeight !== undefined && steps[i].setWeight !== null) return steps[i].setWeight!;
  return 0;
}

/**
 * UseSetCanaryScale: the setCanaryScale in force (scanning back from the current step), only with traffic routing;
 * none once a matchTrafficWeight is met, and none while aborted unless abortScaleDownDelaySeconds is 0.
 */
export function useSetCanaryScale(r: Rollout): SetCanaryScale | undefined {
  if (!r.spec.strategy?.canary?.trafficRouting) return undefined;
  if (r.status?.abort && abortScaleDownDelay(r).delay !== null) return undefined;
  const { step, index } = currentCanaryStep(r);
  if (!step || index === undefined) return undefined;
  const steps = stepsOf(r);
  for (let i = index; i >= 0; i--) {
    const s = steps[i].setCanaryScale;
    if (!s) continue;
    if (s.matchTrafficWeight) return undefined;
    return s;
  }
  return undefined;
}

/** GetCanaryReplicasOrWeight: full weight when promoting fully, on first deploy or when fully promoted; else setCanaryScale or the step weight. */
export function canaryReplicasOrWeight(r: Rollout): { replicas?: number; weight: number } {
  const st = r.status ?? {};
  if (st.promoteFull || !st.stableRS || st.currentPodHash === st.stableRS) return { weight: maxTrafficWeight(r) };
  const scs = useSetCanaryScale(r);
  if (scs) {
    if (scs.replicas !== undefined && scs.replicas !== null) return { replicas: scs.replicas, weight: 0 };
    if (scs.weight !== undefined && scs.weight !== null) return { weight: scs.weight };
  }
  return { weight: currentSetWeight(r) };
}

/** CanaryStepString, as in the RolloutStepCompleted event. */
export function stepString(s: CanaryStep): string {
  if (s.setWeight !== undefined && s.setWeight !== null) return `setWeight: ${s.setWeight}`;
  if (s.pause) return s.pause.duration !== undefined && s.pause.duration !== null ? `pause: ${s.pause.duration}` : 'pause';
  if (s.experiment) return 'experiment';
  if (s.analysis) return 'analysis';
  if (s.setCanaryScale) {
    const c = s.setCanaryScale;
    if (c.weight !== undefined && c.weight !== null) return `setCanaryScale{weight: ${c.weight}}`;
    if (c.matchTrafficWeight) return 'setCanaryScale{matchTrafficWeight: true}';
    if (c.replicas !== undefined && c.replicas !== null) return `setCanaryScale{replicas: ${c.replicas}}`;
  }
  if (s.setHeaderRoute) return 'setHeaderRoute';
  if (s.setMirrorRoute) return 'setMirrorRoute';
  if (s.plugin) return 'plugin';
  return 'invalid';
}

/** BeforeStartingStep: background analysis waits until currentStepIndex ≥ startingStep. */
export function beforeStartingStep(r: Rollout): boolean {
  const start = r.spec.strategy?.canary?.analysis?.startingStep;
  if (start === undefined || start === null) return false;
  const { index } = currentCanaryStep(r);
  if (index === undefined) return false;
  return index < start;
}
