/**
 * Rollout conditions and phase (Argo's utils/conditions and utils/rollout, reference §7.2, §7.3): setting a
 * condition (same status+reason = unchanged), progress / health / completion / timeout predicates, and the
 * controller-side phase and message in upstream's order. Pure: time is passed in.
 */
import { rfc3339 } from '../../util/clock.ts';
import type { Rollout, RolloutCondition, RolloutSpec, RolloutStatus } from './types.ts';
import { CondType, Reason } from './types.ts';
import { progressDeadlineSeconds, replicasOf, stepsOf } from './defaults.ts';
import { currentCanaryStep } from './steps.ts';

export function newCondition(type: string, status: RolloutCondition['status'], reason: string, message: string, now: number): RolloutCondition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

export const getCondition = (s: RolloutStatus | undefined, type: string): RolloutCondition | undefined => s?.conditions?.find((c) => c.type === type);

/** SetRolloutCondition: no change when status and reason are equal; lastTransitionTime kept while status is the same. True when changed. */
export function setCondition(s: RolloutStatus, cond: RolloutCondition): boolean {
  const cur = getCondition(s, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return false;
  const c = { ...cond };
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), c];
  return true;
}

export function removeCondition(s: RolloutStatus, type: string): void {
  if (!s.conditions) return;
  s.conditions = s.conditions.filter((c) => c.type !== type);
}

/** RolloutProgressing: more updated, fewer old, more ready/available, or a strategy-specific move (stable, step, steps hash, selectors). */
export function rolloutProgressing(r: Rollout, next: RolloutStatus): boolean {
  const old = r.status ?? {};
  let strategy = false;
  if (r.spec.strategy?.blueGreen) {
    strategy = (old.blueGreen?.activeSelector ?? '') !== (next.blueGreen?.activeSelector ?? '')
      || (old.blueGreen?.previewSelector ?? '') !== (next.blueGreen?.previewSelector ?? '');
  } else if (r.spec.strategy?.canary) {
    const stepMoved = next.currentStepIndex !== undefined && old.currentStepIndex !== undefined && next.currentStepIndex !== old.currentStepIndex;
    strategy = (next.stableRS ?? '') !== (old.stableRS ?? '') || stepMoved || (next.currentStepHash ?? '') !== (old.currentStepHash ?? '');
  }
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (next.updatedReplicas ?? 0) !== (old.updatedReplicas ?? 0) || newOld < oldOld
    || (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0) || strategy;
}

export const generationObserved = (r: Rollout): boolean => (r.status?.observedGeneration ?? '') === String(r.metadata.generation ?? 0);

/**
 * RolloutHealthy: every replica updated and available, the spec observed, and the strategy done (canary: all steps,
 * stable == current, no extra pods; blue-green: active and preview select the current hash).
 */
export function rolloutHealthy(r: Rollout, next: RolloutStatus): boolean {
  const R = replicasOf(r);
  let done = true;
  const bg = r.spec.strategy?.blueGreen;
  if (bg) {
    const active = next.blueGreen?.activeSelector === next.currentPodHash;
    const preview = bg.previewService ? next.blueGreen?.previewSelector === next.currentPodHash : true;
    done = active && preview;
  } else if (r.spec.strategy?.canary) {
    const n = stepsOf(r).length;
    const allSteps = n > 0 && next.currentStepIndex !== undefined ? next.currentStepIndex === n : true;
    const stable = !!next.stableRS && next.stableRS === next.currentPodHash;
    done = allSteps && stable && (next.replicas ?? 0) === R;
  }
  return (next.updatedReplicas ?? 0) === R && (next.availableReplicas ?? 0) === R && generationObserved(r) && done;
}

export const rolloutCompleted = (next: RolloutStatus): boolean => !!next.stableRS && next.stableRS === next.currentPodHash;

/** RolloutTimedOut: Progressing lastUpdateTime + progressDeadlineSeconds is before now (never from an abort condition). */
export function rolloutTimedOut(r: Rollout, next: RolloutStatus, now: number): boolean {
  const c = getCondition(next, CondType.Progressing);
  if (!c || c.reason === Reason.RolloutAborted) return false;
  if (c.reason === Reason.TimedOut) return true;
  return Date.parse(c.lastUpdateTime) + progressDeadlineSeconds(r) * 1000 < now;
}

/** isIndefiniteStep: pause, analysis and experiment steps do not count against the progress deadline. */
export function isIndefiniteStep(r: Rollout): boolean {
  const { step } = currentCanaryStep(r);
  return !!step && (!!step.experiment || !!step.analysis || !!step.pause);
}

/** CalculateRolloutPhase: Degraded / Paused / Progressing / Healthy with upstream's message, in upstream's order. */
export function calculatePhase(spec: RolloutSpec, s: RolloutStatus): { phase: string; message: string } {
  for (const c of s.conditions ?? []) {
    if (c.type === CondType.InvalidSpec) return { phase: 'Degraded', message: `InvalidSpec: ${c.message}` };
    if (c.reason === Reason.RolloutAborted || c.reason === Reason.TimedOut) return { phase: 'Degraded', message: `${c.reason}: ${c.message}` };
  }
  if (spec.paused) return { phase: 'Paused', message: 'manually paused' };
  if ((s.pauseConditions ?? []).length > 0) return { phase: 'Paused', message: s.pauseConditions![0].reason };
  if (spec.restartAt && (!s.restartedAt || Date.parse(spec.restartAt) !== Date.parse(s.restartedAt))) return { phase: 'Progressing', message: 'rollout is restarting' };
  const R = spec.replicas ?? 1;
  if ((s.updatedReplicas ?? 0) < R) return { phase: 'Progressing', message: 'more replicas need to be updated' };
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) return { phase: 'Progressing', message: 'updated replicas are still becoming available' };
  const promoted = !!s.stableRS && s.stableRS === s.currentPodHash;
  if (spec.strategy?.blueGreen) {
    const active = s.blueGreen?.activeSelector ?? '';
    if (!active || active !== s.currentPodHash) return { phase: 'Progressing', message: 'active service cutover pending' };
    if (!promoted) {
      const post = s.blueGreen?.postPromotionAnalysisRunStatus;
      const waiting = !!spec.strategy.blueGreen.postPromotionAnalysis && (!post || !isCompletedPhase(post.status));
      return { phase: 'Progressing', message: waiting ? 'waiting for analysis to complete' : 'waiting for post-promotion verification to complete' };
    }
  } else if (spec.strategy?.canary) {
    if (!spec.strategy.canary.trafficRouting && (s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return { phase: 'Progressing', message: 'old replicas are pending termination' };
    if (!promoted) return { phase: 'Progressing', message: 'waiting for all steps to complete' };
  }
  return { phase: 'Healthy', message: '' };
}

/** AnalysisPhase.Completed(): Successful, Failed, Error, Inconclusive. */
export const isCompletedPhase = (p: string | undefined): boolean => p === 'Successful' || p === 'Failed' || p === 'Error' || p === 'Inconclusive';
