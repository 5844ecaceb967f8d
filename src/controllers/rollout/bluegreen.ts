/**
 * The blue-green strategy, one pass (Argo's rollout/bluegreen.go, reference §5): the preview Service follows the new
 * ReplicaSet at once; the new RS scales to previewReplicaCount (or replicas) beside the active one; pre-promotion
 * analysis, then the BlueGreenPause (auto-promotion off or delayed); the active Service switches in one write once the
 * new RS is saturated; post-promotion analysis; stable = new; the previous active RS keeps its pods for
 * scaleDownDelaySeconds. Abort points the active Service back at the stable hash.
 */
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import { StatusError } from '../../api/errors.ts';
import type { RolloutContext } from './context.ts';
import { PauseReason } from './types.ts';
import { computePodTemplateHash, replicasOf } from './defaults.ts';
import { hasScaleDownDeadline, isSaturated, readyForPause, rsByHash, sumActual, sumAvailable } from './replicas.ts';
import {
  getAllReplicaSetsAndSyncRevision, reconcileNewReplicaSet, reconcileOtherReplicaSets, reconcileRevisionHistoryLimit,
  removeScaleDownDeadlines, scaleReplicaSetAndRecordEvent,
} from './replicasets.ts';
import { selectorHash, switchServiceSelector } from './services.ts';
import { reconcileAnalysisRuns, skipPostPromotion } from './analysis.ts';
import { reconcileRestart } from './restart.ts';
import { needsBlueGreenControllerPause } from './status.ts';
import { podSpecChanged, haltProgress } from './canary.ts';
import * as sync from './sync.ts';

function service(c: RolloutContext, name: string | undefined): Service | undefined {
  if (!name) return undefined;
  const s = c.getService(name);
  if (!s) throw new StatusError(404, 'NotFound', `services "${name}" not found`);
  return s;
}

export async function rolloutBlueGreen(c: RolloutContext, workloadGeneration?: string): Promise<void> {
  const bg = c.rollout.spec.strategy.blueGreen!;
  let preview = service(c, bg.previewService);
  let active = service(c, bg.activeService)!;
  c.newRS = await getAllReplicaSetsAndSyncRevision(c, true);
  if (preview && !haltProgress(c) && c.newRS) {
    await switchServiceSelector(c, preview, c.newHash);
    preview = c.getService(bg.previewService!);
  }
  const computed = computePodTemplateHash(c.rollout.spec.template, c.rollout.status?.collisionCount);
  if (podSpecChanged(c.rollout, c.newHash, computed)) return syncRolloutStatusBlueGreen(c, preview, active, workloadGeneration);
  await reconcileRestart(c);
  await reconcileBlueGreenReplicaSets(c, active);
  reconcileBlueGreenPause(c, active);
  await reconcileActiveService(c, active);
  active = c.getService(bg.activeService)!;
  await reconcileAnalysisRuns(c);
  return syncRolloutStatusBlueGreen(c, preview, active, workloadGeneration);
}

/** The active RS (what the active Service selects) stays at replicas. */
export async function reconcileBlueGreenReplicaSets(c: RolloutContext, active: Service): Promise<void> {
  await removeScaleDownDeadlines(c);
  const activeHash = selectorHash(active);
  const activeRS = activeHash ? rsByHash(c.allRSs, activeHash) : undefined;
  if (activeRS) await scaleReplicaSetAndRecordEvent(c, activeRS, replicasOf(c.rollout));
  await reconcileNewReplicaSet(c);
  const bg = c.rollout.spec.strategy.blueGreen!;
  const waitForPostPromotion = !!bg.postPromotionAnalysis && (bg.scaleDownDelaySeconds === undefined || bg.scaleDownDelaySeconds === null)
    && !skipPostPromotion(c) && c.currentArs.post?.status?.phase !== 'Successful';
  await reconcileOtherReplicaSets(c, { waitForPostPromotion });
  await reconcileRevisionHistoryLimit(c);
}

/** isBlueGreenFastTracked: skip the pause (and pre-promotion) on a rollback into a delay window, promoteFull, first deploy, or already active. */
function fastTracked(c: RolloutContext, active: Service): boolean {
  if (hasScaleDownDeadline(c.newRS)) return true;
  if (c.rollout.status?.promoteFull) return true;
  const h = selectorHash(active);
  return !h || h === c.newHash;
}

function completedPrePromotionAnalysis(c: RolloutContext): boolean {
  if (!c.rollout.spec.strategy.blueGreen?.prePromotionAnalysis) return true;
  return c.currentArs.pre?.status?.phase === 'Successful';
}

/** reconcileBlueGreenPause: pause (BlueGreenPause) after pre-promotion analysis when the controller manages promotion. */
function reconcileBlueGreenPause(c: RolloutContext, active: Service): void {
  const r = c.rollout;
  if (r.status?.abort || !c.newRS) return;
  if (!readyForPause(r, c.newRS, c.allRSs)) return;
  if (haltProgress(c)) return;
  if (fastTracked(c, active) || selectorHash(active) === c.newHash || r.status?.blueGreen?.scaleUpPreviewCheckPoint
    || !needsBlueGreenControllerPause(r.spec.strategy.blueGreen!)) {
    c.pause.removePauseCondition(PauseReason.BlueGreenPause);
    return;
  }
  if (!completedPrePromotionAnalysis(c)) return;
  const cond = c.pause.getPauseCondition(PauseReason.BlueGreenPause);
  if (cond) {
    if (!c.pause.completedBlueGreenPause(c.now)) {
      const secs = r.spec.strategy.blueGreen!.autoPromotionSeconds ?? 0;
      if (secs > 0) c.enqueueAfter(Date.parse(cond.startTime) + secs * 1000 - c.now + 1000);
    } else {
      c.pause.removePauseCondition(PauseReason.BlueGreenPause);
    }
  } else if (!r.status?.controllerPause) {
    c.pause.addPauseCondition(PauseReason.BlueGreenPause);
    const secs = r.spec.strategy.blueGreen!.autoPromotionSeconds ?? 0;
    if (secs > 0) c.enqueueAfter(secs * 1000 + 1000);
  }
}

/** reconcileActiveService: switch once the new RS is saturated and promotion is due; back to stable on abort. */
async function reconcileActiveService(c: RolloutContext, active: Service): Promise<void> {
  if (haltProgress(c) || !c.newRS) return;
  if (!readyForPause(c.rollout, c.newRS, c.allRSs) || !isSaturated(c.rollout, c.newRS)) return;
  let hash = selectorHash(active);
  if (fastTracked(c, active)) hash = c.newHash;
  if (c.pause.completedBlueGreenPause(c.now) && completedPrePromotionAnalysis(c)) hash = c.newHash;
  if (c.rollout.status?.abort) hash = c.rollout.status.stableRS ?? hash;
  if (hash) await switchServiceSelector(c, active, hash);
}

/** calculateScaleUpPreviewCheckPoint: a one-way trip wire once the preview count is available after pre-promotion and the pause. */
function scaleUpPreviewCheckPoint(c: RolloutContext): boolean {
  const bg = c.rollout.spec.strategy.blueGreen!;
  if (bg.previewReplicaCount === undefined || bg.previewReplicaCount === null) return false;
  if (c.rollout.status?.blueGreen?.scaleUpPreviewCheckPoint) return true;
  if (!completedPrePromotionAnalysis(c) || !c.pause.completedBlueGreenPause(c.now)) return false;
  return bg.previewReplicaCount === sumAvailable([c.newRS]);
}

async function syncRolloutStatusBlueGreen(c: RolloutContext, preview: Service | undefined, active: Service, workloadGeneration?: string): Promise<void> {
  const s = sync.calculateBaseStatus(c);
  const r = c.rollout;
  s.stableRS = r.status?.stableRS;
  const computed = computePodTemplateHash(r.spec.template, r.status?.collisionCount);
  if (podSpecChanged(r, c.newHash, computed)) sync.resetRolloutStatus(c, s);
  if (r.status?.promoteFull || sync.isRollbackWithinWindow(c)) {
    c.pause.clearPauseConditions();
    c.pause.removeAbort();
  }
  s.blueGreen = { ...s.blueGreen, previewSelector: selectorHash(preview) || undefined, activeSelector: selectorHash(active) || undefined };
  const reason = sync.shouldFullPromote(c, s);
  if (reason) sync.promoteStable(c, s, reason);
  else s.blueGreen.scaleUpPreviewCheckPoint = scaleUpPreviewCheckPoint(c);
  const activeRS = rsByHash(c.allRSs, s.blueGreen.activeSelector);
  if (activeRS) {
    s.HPAReplicas = activeRS.status?.replicas ?? 0;
    s.selector = sync.formatSelector(activeRS.spec.selector);
    s.availableReplicas = activeRS.status?.availableReplicas ?? 0;
    s.readyReplicas = activeRS.status?.readyReplicas ?? 0;
  } else {
    s.HPAReplicas = sumActual(c.allRSs);
    s.selector = sync.formatSelector(r.spec.selector);
    s.availableReplicas = sumAvailable(c.allRSs);
  }
  return sync.persistRolloutStatus(c, sync.calculateRolloutConditions(c, s), workloadGeneration);
}
