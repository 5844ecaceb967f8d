/**
 * What both strategies share at the end of a pass (Argo's rollout/sync.go): the base status from the ReplicaSets,
 * the conditions (Healthy, Progressing with progress / timeout / abort, Available, ReplicaFailure, Completed) with
 * their events, the decision to promote the new ReplicaSet to stable, the status write (merge patch, skipped when
 * unchanged, progress-deadline requeue), the paused/resumed/retry pre-pass and scaling events.
 */
import type { RolloutContext } from './context.ts';
import type { RolloutStatus } from './types.ts';
import { AR, CondType, Msg, PauseReason, Reason, DesiredReplicasAnnotation, type Rollout } from './types.ts';
import {
  computePodTemplateHash, computeStepHash, isBlueGreen, progressDeadlineSeconds, replicasOf, stepsOf,
} from './defaults.ts';
import { hasScaleDownDeadline, isActive, isSaturated, podHashOf, rsByHash, sumActual, sumAvailable, sumReady } from './replicas.ts';
import { currentCanaryStep } from './steps.ts';
import {
  calculatePhase, getCondition, isIndefiniteStep, newCondition, removeCondition, rolloutCompleted, rolloutHealthy,
  rolloutProgressing, rolloutTimedOut, setCondition,
} from './conditions.ts';
import { statusPatch } from './status.ts';
import { rolloutRevision } from './replicasets.ts';

/** FormatLabelSelector: requirements sorted by key — "k=v", "k in (a,b)", "k notin (a,b)", "k", "!k". */
export function formatSelector(sel: Rollout['spec']['selector']): string {
  if (!sel) return '';
  const reqs: [string, string][] = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => [k, `${k}=${v}`]);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    const text = e.operator === 'In' ? `${e.key} in (${vals})` : e.operator === 'NotIn' ? `${e.key} notin (${vals})`
      : e.operator === 'Exists' ? e.key : `!${e.key}`;
    reqs.push([e.key, text]);
  }
  return reqs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t).join(',');
}

/** calculateBaseStatus: counts from the ReplicaSets, the current hash, conditions carried over. */
export function calculateBaseStatus(c: RolloutContext): RolloutStatus {
  const prev = c.rollout.status ?? {};
  const s = c.newStatus;
  s.currentPodHash = c.newRS ? podHashOf(c.newRS) : computePodTemplateHash(c.rollout.spec.template, prev.collisionCount);
  s.replicas = sumActual(c.allRSs);
  s.updatedReplicas = sumActual([c.newRS]);
  s.readyReplicas = sumReady(c.allRSs);
  s.collisionCount = prev.collisionCount;
  s.conditions = structuredClone(prev.conditions ?? []);
  removeCondition(s, CondType.InvalidSpec); // the spec passed validation to get here
  s.promoteFull = s.currentPodHash !== prev.stableRS && !!prev.promoteFull;
  return s;
}

/** resetRolloutStatus: a new update starts (template or steps changed). */
export function resetRolloutStatus(c: RolloutContext, s: RolloutStatus): void {
  c.pause.clearPauseConditions();
  c.pause.removeAbort();
  s.restartedAt = c.rollout.spec.restartAt;
  s.promoteFull = false;
  s.blueGreen = { ...s.blueGreen, prePromotionAnalysisRunStatus: undefined, postPromotionAnalysisRunStatus: undefined, scaleUpPreviewCheckPoint: false };
  s.canary = { ...s.canary, currentStepAnalysisRunStatus: undefined, currentBackgroundAnalysisRunStatus: undefined };
  s.currentStepIndex = c.rollout.spec.strategy.canary && stepsOf(c.rollout).length > 0 ? 0 : undefined;
}

/** isRollbackWithinWindow: the new RS is older than stable and fewer than rollbackWindow.revisions RSs lie between. */
export function isRollbackWithinWindow(c: RolloutContext): boolean {
  const n = c.newRS, st = c.stableRS;
  const win = c.rollout.spec.rollbackWindow?.revisions ?? 0;
  if (!n || !st || win <= 0) return false;
  const t = (x: { metadata: { creationTimestamp?: string } }) => Date.parse(x.metadata.creationTimestamp ?? '') || 0;
  if (!(t(n) < t(st))) return false;
  const between = c.allRSs.filter((rs) => t(rs) < t(st) && t(n) < t(rs)).length;
  return between < win;
}

/** shouldFullPromote: why the new RS becomes stable now ('' = not yet). Order matters (§4.8). */
export function shouldFullPromote(c: RolloutContext, s: RolloutStatus): string {
  const r = c.rollout;
  if (!c.stableRS) return 'Initial deploy';
  if (!isBlueGreen(r)) {
    if (c.pause.isAborted()) return '';
    if (!c.newRS || (c.newRS.status?.availableReplicas ?? 0) !== replicasOf(r)) return '';
    if (r.status?.promoteFull) return 'Full promotion requested';
    if (isRollbackWithinWindow(c)) return 'Rollback within window';
    const n = stepsOf(r).length;
    const { index } = currentCanaryStep(r);
    if (n === 0 || index === n) return `Completed all ${n} canary steps`;
    return '';
  }
  const active = s.blueGreen?.activeSelector ?? '';
  if (!active) return 'Initial deploy';
  if (active !== s.currentPodHash) return '';
  if (r.status?.promoteFull) return 'Full promotion requested';
  if (isRollbackWithinWindow(c)) return 'Rollback within window';
  if (c.pause.isAborted()) return '';
  if (r.spec.strategy.blueGreen!.postPromotionAnalysis) {
    if (hasScaleDownDeadline(c.newRS)) return `Rollback to '${c.newRS!.metadata.name}' within scaleDownDelay`;
    if (c.currentArs.post?.status?.phase !== 'Successful') return '';
  }
  return 'Completed blue-green update';
}

/** promoteStable: stable = current; pauses, abort and promoteFull cleared; RolloutCompleted event when stable moved. */
export function promoteStable(c: RolloutContext, s: RolloutStatus, reason: string): void {
  c.pause.clearPauseConditions();
  c.pause.removeAbort();
  s.promoteFull = false;
  s.blueGreen = { ...s.blueGreen, scaleUpPreviewCheckPoint: false };
  if (c.rollout.spec.strategy.canary && !isBlueGreen(c.rollout)) {
    const n = stepsOf(c.rollout).length;
    s.currentStepIndex = n > 0 ? n : undefined;
  }
  if (s.stableRS !== s.currentPodHash) {
    s.stableRS = s.currentPodHash;
    c.event('Normal', Reason.RolloutCompleted, Msg.rolloutCompleted(rolloutRevision(c.rollout), s.currentPodHash ?? '', reason));
  }
}

/** calculateRolloutConditions (sync.go): Healthy, abort, progress/timeout (+progressDeadlineAbort), Available, ReplicaFailure, Completed. */
export function calculateRolloutConditions(c: RolloutContext, s: RolloutStatus): RolloutStatus {
  const r = c.rollout;
  const now = c.now;
  const isPaused = (r.status?.pauseConditions ?? []).length > 0 || !!r.spec.paused;
  const aborted = c.pause.isAborted();
  let becameUnhealthy = false;
  const healthy = rolloutHealthy(r, s);
  if (!isPaused && healthy) {
    setCondition(s, newCondition(CondType.Healthy, 'True', Reason.RolloutHealthy, Msg.healthy, now));
  } else if (getCondition(r.status, CondType.Healthy)) {
    becameUnhealthy = setCondition(s, newCondition(CondType.Healthy, 'False', Reason.RolloutHealthy, Msg.notHealthy, now));
  }
  if (aborted) {
    let message = Msg.aborted(rolloutRevision(r));
    if (c.pause.abortMessage) message = `${message}: ${c.pause.abortMessage}`;
    if (setCondition(s, newCondition(CondType.Progressing, 'False', Reason.RolloutAborted, message, now))) c.event('Warning', Reason.RolloutAborted, message);
  }
  const cur = getCondition(r.status, CondType.Progressing);
  if (!aborted) {
    const rsName = c.newRS?.metadata.name;
    if (healthy) {
      setCondition(s, newCondition(CondType.Progressing, 'True', Reason.NewRSAvailable, Msg.rsCompleted(rsName ?? ''), now));
    } else if (rolloutProgressing(r, s) || becameUnhealthy) {
      let msg = rsName ? Msg.rsProgressing(rsName) : Msg.rolloutProgressing(r.metadata.name);
      let reason: string = Reason.ReplicaSetUpdated;
      if (s.stableRS === s.currentPodHash && becameUnhealthy) { reason = Reason.ReplicaSetNotAvailable; msg = Msg.notAvailable; }
      const cond = newCondition(CondType.Progressing, 'True', reason, msg, now);
      // Progress refreshes lastUpdateTime even with the same reason; lastTransitionTime stays while True.
      if (cur) {
        if (cur.status === 'True') cond.lastTransitionTime = cur.lastTransitionTime;
        removeCondition(s, CondType.Progressing);
      }
      setCondition(s, cond);
    } else if (!isIndefiniteStep(r) && !isPaused && !scaleDownPending(c) && rolloutTimedOut(r, s, now)) {
      const msg = rsName ? Msg.rsTimedOut(rsName) : Msg.rolloutTimedOut(r.metadata.name);
      if (r.spec.progressDeadlineAbort) {
        // Abort at once, and keep the deadline text in the abort's condition and message (upstream drops it on
        // the next pass, leaving a bare "Rollout aborted update to revision N").
        c.pause.addAbort(msg);
        const message = `${Msg.aborted(rolloutRevision(r))}: ${msg}`;
        if (setCondition(s, newCondition(CondType.Progressing, 'False', Reason.RolloutAborted, message, now))) c.event('Warning', Reason.RolloutAborted, message);
      } else {
        setCondition(s, newCondition(CondType.Progressing, 'False', Reason.TimedOut, msg, now));
      }
    }
  }
  const activeRS = rsByHash(c.allRSs, s.blueGreen?.activeSelector);
  if (isBlueGreen(r) && activeRS && isSaturated(r, activeRS)) {
    setCondition(s, newCondition(CondType.Available, 'True', Reason.Available, Msg.available, now));
  } else if (!isBlueGreen(r) && sumAvailable(c.allRSs) >= replicasOf(r)) {
    setCondition(s, newCondition(CondType.Available, 'True', Reason.Available, Msg.available, now));
  } else {
    setCondition(s, newCondition(CondType.Available, 'False', Reason.Available, Msg.notAvailable, now));
  }
  const failure = replicaFailure(c);
  if (failure) setCondition(s, failure);
  else removeCondition(s, CondType.ReplicaFailure);
  if (rolloutCompleted(s)) {
    setCondition(s, newCondition(CondType.Completed, 'True', Reason.RolloutCompleted, Reason.RolloutCompleted, now));
  } else if (setCondition(s, newCondition(CondType.Completed, 'False', Reason.RolloutCompleted, Reason.RolloutCompleted, now))) {
    c.event('Normal', Reason.RolloutNotCompleted, Msg.rolloutNotCompleted(rolloutRevision(r) + 1, s.currentPodHash ?? ''));
  }
  return s;
}

/** An old RS waiting on its scale-down deadline does not count against the progress deadline (§7.2). */
function scaleDownPending(c: RolloutContext): boolean {
  return c.otherRSs.some((rs) => isActive(rs) && hasScaleDownDeadline(rs));
}

function replicaFailure(c: RolloutContext) {
  const order = [c.newRS, ...c.allRSs.filter((x) => x !== c.newRS)];
  for (const rs of order) {
    const cond = rs?.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    if (cond) {
      const t = cond.lastTransitionTime ?? new Date(c.now).toISOString();
      return { type: CondType.ReplicaFailure, status: cond.status as 'True' | 'False' | 'Unknown', reason: cond.reason ?? '', message: cond.message ?? '', lastUpdateTime: t, lastTransitionTime: t };
    }
  }
  return undefined;
}

/** persistRolloutStatus: fold in pause/abort, observedGeneration (a string), phase/message; patch only a real change. */
export async function persistRolloutStatus(c: RolloutContext, s: RolloutStatus, workloadGeneration?: string): Promise<void> {
  const r = c.rollout;
  const prev = r.status ?? {};
  c.pause.apply(s, c.now);
  s.workloadObservedGeneration = workloadGeneration;
  s.observedGeneration = String(r.metadata.generation ?? 0);
  const { phase, message } = calculatePhase(r.spec, s);
  s.phase = phase;
  s.message = message;
  const patch = statusPatch(prev, s);
  if (Object.keys(patch).length === 0) { requeueStuckRollout(c, s); return; }
  const res = await c.client.patch<Rollout>(AR.rollouts, c.ns, c.name, { status: patch }, 'merge', 'status');
  c.setRollout(res);
  const prevPaused = (prev.pauseConditions ?? []).length > 0, nowPaused = (s.pauseConditions ?? []).length > 0;
  if (prevPaused !== nowPaused) {
    if (nowPaused) c.event('Normal', Reason.RolloutPaused, `${Msg.paused} (${s.pauseConditions![0].reason})`);
    else if (!s.abortedAt) c.event('Normal', Reason.RolloutResumed, Msg.resumed);
  }
}

/** requeueStuckRollout: check again when the progress deadline would pass. */
function requeueStuckRollout(c: RolloutContext, s: RolloutStatus): void {
  const r = c.rollout;
  const cur = getCondition(r.status, CondType.Progressing);
  if (!cur) return;
  const isPaused = (r.status?.pauseConditions ?? []).length > 0 || !!r.spec.paused;
  if (rolloutHealthy(r, s) || cur.reason === Reason.TimedOut || isPaused || r.status?.abort || isIndefiniteStep(r)) return;
  const after = Date.parse(cur.lastUpdateTime) + progressDeadlineSeconds(r) * 1000 - c.now;
  c.enqueueAfter(after < 1000 ? 0 : after + 1000);
}

/** checkPausedConditions (pre-pass): Progressing Unknown RolloutPaused/RolloutResumed/RolloutRetry and the Paused condition. */
export async function checkPausedConditions(c: RolloutContext): Promise<void> {
  const r = c.rollout;
  const prog = getCondition(r.status, CondType.Progressing);
  const progPaused = prog?.reason === Reason.RolloutPaused;
  const isPaused = (r.status?.pauseConditions ?? []).length > 0 || !!r.spec.paused;
  const abortCond = prog?.reason === Reason.RolloutAborted;
  const updates = [];
  if (isPaused !== progPaused && !abortCond) {
    updates.push(isPaused ? newCondition(CondType.Progressing, 'Unknown', Reason.RolloutPaused, Msg.paused, c.now)
      : newCondition(CondType.Progressing, 'Unknown', Reason.RolloutResumed, Msg.resumed, c.now));
  }
  if (!r.status?.abort && abortCond) updates.push(newCondition(CondType.Progressing, 'Unknown', Reason.RolloutRetry, Msg.retry, c.now));
  const pausedCond = getCondition(r.status, CondType.Paused);
  if (isPaused !== (pausedCond?.status === 'True') && !abortCond) {
    updates.push(newCondition(CondType.Paused, isPaused ? 'True' : 'False', Reason.RolloutPaused, Msg.paused, c.now));
  }
  if (updates.length === 0) return;
  await patchConditions(c, updates);
}

/** patchCondition: conditions set on the current status, observedGeneration and phase recomputed, merge-patched. */
export async function patchConditions(c: RolloutContext, conds: ReturnType<typeof newCondition>[], replace = false): Promise<void> {
  const r = c.rollout;
  const prev = r.status ?? {};
  const next: RolloutStatus = structuredClone(prev);
  for (const cond of conds) {
    if (replace) removeCondition(next, cond.type);
    setCondition(next, cond);
  }
  next.observedGeneration = String(r.metadata.generation ?? 0);
  const { phase, message } = calculatePhase(r.spec, next);
  next.phase = phase;
  next.message = message;
  const patch = statusPatch(prev, next);
  if (Object.keys(patch).length === 0) return;
  c.setRollout(await c.client.patch<Rollout>(AR.rollouts, c.ns, c.name, { status: patch }, 'merge', 'status'));
}

/** createInvalidRolloutCondition: InvalidSpec True "The Rollout "x" is invalid: err" (message changes replace it). */
export async function setInvalidSpec(c: RolloutContext, err: string): Promise<void> {
  const msg = Msg.invalidSpec(c.name, err);
  const prev = getCondition(c.rollout.status, CondType.InvalidSpec);
  if (prev?.message === msg && c.rollout.status?.observedGeneration === String(c.rollout.metadata.generation ?? 0)) return;
  await patchConditions(c, [newCondition(CondType.InvalidSpec, 'True', Reason.InvalidSpec, msg, c.now)], prev?.message !== msg);
}

/** isScalingEvent: an active RS's desired-replicas annotation differs from spec.replicas. */
export function isScalingEvent(c: RolloutContext): boolean {
  const R = String(replicasOf(c.rollout));
  return c.allRSs.some((rs) => isActive(rs) && rs.metadata.annotations?.[DesiredReplicasAnnotation] !== undefined
    && rs.metadata.annotations[DesiredReplicasAnnotation] !== R);
}

/** The canary status extras: stable hash kept, steps hash, HPA view over all ReplicaSets (§4.6). */
export function canaryCounts(c: RolloutContext, s: RolloutStatus): void {
  s.availableReplicas = sumAvailable(c.allRSs);
  s.HPAReplicas = sumActual(c.allRSs);
  s.selector = formatSelector(c.rollout.spec.selector);
  s.stableRS = c.rollout.status?.stableRS;
  s.currentStepHash = computeStepHash(c.rollout);
}

export { PauseReason };
