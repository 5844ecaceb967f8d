/**
 * The canary strategy, one pass (Argo's rollout/canary.go, reference §4.2): a template/steps change only resets
 * status; otherwise find/create the new RS, restart pods, trim history, pin Services, set traffic weights, reconcile
 * analysis (an inconclusive run stops the pass), scale stable → new → others (stopping at the first that scaled),
 * handle a pause step, and write status — advancing at most one step, promoting, aborting or resetting as due.
 */
import type { RolloutContext } from './context.ts';
import { Msg, PauseReason, Reason, type Rollout } from './types.ts';
import { computePodTemplateHash, computeStepHash, pauseDurationSeconds, stepsOf } from './defaults.ts';
import { atDesiredReplicaCounts, podHashOf, rsByHash } from './replicas.ts';
import { currentCanaryStep, stepString } from './steps.ts';
import {
  getAllReplicaSetsAndSyncRevision, reconcileCanaryStableReplicaSet, reconcileNewReplicaSet, reconcileOtherReplicaSets,
  reconcileRevisionHistoryLimit, removeScaleDownDeadlines,
} from './replicasets.ts';
import {
  calculateBaseStatus, calculateRolloutConditions, canaryCounts, isRollbackWithinWindow, persistRolloutStatus,
  promoteStable, resetRolloutStatus, shouldFullPromote,
} from './sync.ts';
import { reconcileStableAndCanaryService } from './services.ts';
import { reconcileTrafficRouting } from './traffic.ts';
import { reconcileAnalysisRuns } from './analysis.ts';
import { reconcileRestart } from './restart.ts';

/** PodTemplateOrStepsChanged: the recorded steps hash or pod hash differs from the spec's. */
export function podTemplateOrStepsChanged(r: Rollout, newHash: string | undefined, computedHash: string): boolean {
  const st = r.status ?? {};
  if (!st.currentStepHash || st.currentStepHash !== computeStepHash(r)) return true;
  return podSpecChanged(r, newHash, computedHash);
}

/** CheckPodSpecChange: the recorded currentPodHash differs from the new RS's (or the computed) hash. */
export function podSpecChanged(r: Rollout, newHash: string | undefined, computedHash: string): boolean {
  const cur = r.status?.currentPodHash;
  if (!cur) return false;
  return cur !== (newHash || computedHash);
}

export async function rolloutCanary(c: RolloutContext, workloadGeneration?: string): Promise<void> {
  const computed = c.newHash || computedHash(c);
  if (podTemplateOrStepsChanged(c.rollout, c.newHash, computed)) {
    c.newRS = await getAllReplicaSetsAndSyncRevision(c, false);
    return syncRolloutStatusCanary(c, workloadGeneration);
  }
  c.newRS = await getAllReplicaSetsAndSyncRevision(c, true);
  await reconcileRestart(c);
  await reconcileRevisionHistoryLimit(c);
  await reconcileStableAndCanaryService(c);
  await reconcileTrafficRouting(c);
  let analysisErr: unknown;
  try { await reconcileAnalysisRuns(c); } catch (e) { analysisErr = e; }
  if (c.pause.hasAddPause()) return syncRolloutStatusCanary(c, workloadGeneration);
  if (analysisErr) throw analysisErr;
  if (await reconcileCanaryReplicaSets(c)) return syncRolloutStatusCanary(c, workloadGeneration);
  reconcileCanaryPause(c);
  return syncRolloutStatusCanary(c, workloadGeneration);
}

function computedHash(c: RolloutContext): string {
  return computePodTemplateHash(c.rollout.spec.template, c.rollout.status?.collisionCount);
}

/** haltProgress: spec.paused or an inconclusive-analysis pause stops all ReplicaSet scaling. */
export function haltProgress(c: RolloutContext): string {
  if (c.rollout.spec.paused) return 'user paused';
  if (c.pause.getPauseCondition(PauseReason.InconclusiveAnalysis)) return 'inconclusive analysis';
  return '';
}

/** reconcileCanaryReplicaSets: stable, then new, then others; true as soon as one scaled. */
export async function reconcileCanaryReplicaSets(c: RolloutContext): Promise<boolean> {
  if (haltProgress(c)) return false;
  await removeScaleDownDeadlines(c);
  if (await reconcileCanaryStableReplicaSet(c)) return true;
  const st = c.rollout.status ?? {};
  if (!c.newRS && st.currentPodHash !== st.stableRS) c.newRS = rsByHash(c.allRSs, st.currentPodHash);
  if (await reconcileNewReplicaSet(c)) return true;
  return reconcileOtherReplicaSets(c);
}

/** reconcileCanaryPause: on a pause step, add the CanaryPauseStep condition once; requeue for a timed pause. */
export function reconcileCanaryPause(c: RolloutContext): boolean {
  const r = c.rollout;
  if (r.spec.paused || r.status?.promoteFull) return false;
  const n = stepsOf(r).length;
  if (n === 0) return false;
  const { step, index } = currentCanaryStep(r);
  if (!step || index === undefined || index >= n || !step.pause) return false;
  const cond = c.pause.getPauseCondition(PauseReason.CanaryPauseStep);
  if (!cond) {
    if (!r.status?.controllerPause) c.pause.addPauseCondition(PauseReason.CanaryPauseStep);
    if (step.pause.duration !== undefined && step.pause.duration !== null) c.enqueueAfter(pauseDurationSeconds(step.pause.duration) * 1000 + 1000);
    return true;
  }
  if (step.pause.duration === undefined || step.pause.duration === null) return true;
  const left = Date.parse(cond.startTime) + pauseDurationSeconds(step.pause.duration) * 1000 - c.now;
  if (left > 0) c.enqueueAfter(left + 1000);
  return true;
}

/** completedCurrentCanaryStep: whether the step at the current index is done. */
export function completedCurrentCanaryStep(c: RolloutContext): boolean {
  const r = c.rollout;
  if (r.spec.paused) return false;
  const { step } = currentCanaryStep(r);
  if (!step) return false;
  const weights = c.newStatus.canary?.weights;
  if (step.pause) return c.pause.completedCanaryPauseStep(step.pause, c.now);
  if (step.setCanaryScale) return atDesiredReplicaCounts(r, c.newRS, c.stableRS, c.otherRSs, weights);
  if (step.setWeight !== undefined && step.setWeight !== null) {
    if (!atDesiredReplicaCounts(r, c.newRS, c.stableRS, c.otherRSs, weights)) return false;
    return weights?.verified !== false;
  }
  if (step.experiment) return false; // experiments are not supported: the step never completes (validation rejects it)
  if (step.analysis) return c.currentArs.step?.status?.phase === 'Successful';
  if (step.setHeaderRoute || step.setMirrorRoute) return true;
  return false;
}

/** syncRolloutStatusCanary: reset on a change, promote, abort, or advance one step; then conditions and the write. */
export async function syncRolloutStatusCanary(c: RolloutContext, workloadGeneration?: string): Promise<void> {
  const s = calculateBaseStatus(c);
  canaryCounts(c, s);
  const r = c.rollout;
  const n = stepsOf(r).length;
  let { step, index } = currentCanaryStep(r);

  if (podTemplateOrStepsChanged(r, c.newHash, s.currentPodHash ?? '')) {
    resetRolloutStatus(c, s);
    if (c.newRS && n > 0) {
      if (r.status?.stableRS === podHashOf(c.newRS)) {
        c.event('Normal', Reason.SkipSteps, 'Rollback to stable ReplicaSets');
        s.currentStepIndex = n;
      } else if (isRollbackWithinWindow(c) && (c.newRS.spec.replicas ?? 0) > 0) {
        c.event('Normal', Reason.SkipSteps, 'Rollback to active ReplicaSets within RollbackWindow');
        s.currentStepIndex = n;
      }
    }
    return persistRolloutStatus(c, calculateRolloutConditions(c, s), workloadGeneration);
  }

  if (r.status?.promoteFull || isRollbackWithinWindow(c)) {
    c.pause.clearPauseConditions();
    c.pause.removeAbort();
    if (n > 0) index = n;
  }
  s.currentStepIndex = index;
  const reason = shouldFullPromote(c, s);
  if (reason) {
    promoteStable(c, s, reason);
    return persistRolloutStatus(c, calculateRolloutConditions(c, s), workloadGeneration);
  }

  if (c.pause.isAborted()) {
    if (n > 0) s.currentStepIndex = s.stableRS === s.currentPodHash ? n : 0;
    return persistRolloutStatus(c, calculateRolloutConditions(c, s), workloadGeneration);
  }

  if (step && index !== undefined && index === (r.status?.currentStepIndex ?? 0) && completedCurrentCanaryStep(c)) {
    const str = stepString(step);
    index++;
    s.canary = { ...s.canary, currentStepAnalysisRunStatus: undefined };
    c.event('Normal', Reason.StepCompleted, Msg.stepCompleted(index, n, str));
    c.pause.removePauseCondition(PauseReason.CanaryPauseStep);
  }
  s.currentStepIndex = index;
  return persistRolloutStatus(c, calculateRolloutConditions(c, s), workloadGeneration);
}
