/**
 * AnalysisRuns driven by a Rollout (Argo's rollout/analysis.go, reference §6.7): step runs (an `analysis` step),
 * background runs (canary.analysis from startingStep), and blue-green pre/post-promotion runs. A run is created when
 * needed (name collisions get `.1`, `.2`…, a stale cache's own run is recognised), the status mirrors the current
 * runs, Inconclusive pauses (InconclusiveAnalysisRun), Failed/Error aborts with the run's message (naming the metric),
 * and every run that stops being current is terminated with {"spec":{"terminate":true}}; old runs beyond the
 * history limits are deleted.
 */
import { StatusError } from '../../api/errors.ts';
import type { RolloutContext, CurrentRuns } from './context.ts';
import type { AnalysisRun, AnalysisTemplate, RolloutAnalysis, RolloutAnalysisRunStatus } from './types.ts';
import { AR, PauseReason, PodTemplateHashLabel } from './types.ts';
import { isCompletedPhase } from './conditions.ts';
import { hasScaleDownDeadline, isSaturated, podHashOf } from './replicas.ts';
import { beforeStartingStep, currentCanaryStep } from './steps.ts';
import { successfulRunHistoryLimit, unsuccessfulRunHistoryLimit } from './defaults.ts';
import { AnalysisRunBuildError } from '../../analysis/run-from-templates.ts';
import { abortMessage, buildAnalysisRun, needsNewAnalysisRun, resolveRolloutArgs, runLabels, type RunKind } from './analysisrun.ts';

const runStatus = (ar: AnalysisRun | undefined): RolloutAnalysisRunStatus | undefined =>
  ar ? { name: ar.metadata.name, status: ar.status?.phase ?? '', message: ar.status?.message || undefined } : undefined;

/** SetCurrentAnalysisRuns: mirror the current runs into the new status. */
function setCurrentRuns(c: RolloutContext, runs: CurrentRuns): void {
  c.currentArs = runs;
  if (c.rollout.spec.strategy.blueGreen) {
    c.newStatus.blueGreen = { ...c.newStatus.blueGreen, prePromotionAnalysisRunStatus: runStatus(runs.pre), postPromotionAnalysisRunStatus: runStatus(runs.post) };
  } else {
    c.newStatus.canary = { ...c.newStatus.canary, currentStepAnalysisRunStatus: runStatus(runs.step), currentBackgroundAnalysisRunStatus: runStatus(runs.background) };
  }
}

/** Terminate runs that are neither completed nor already terminating. */
export async function cancelAnalysisRuns(c: RolloutContext, runs: (AnalysisRun | undefined)[]): Promise<void> {
  for (const ar of runs) {
    if (!ar || ar.spec.terminate || isCompletedPhase(ar.status?.phase)) continue;
    try {
      await c.client.patch(AR.analysisruns, c.ns, ar.metadata.name, { spec: { terminate: true } }, 'merge');
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }
}

/** The namespace's AnalysisTemplates and the ClusterAnalysisTemplates the refs name (nested refs resolved by the builder). */
function templatesFor(c: RolloutContext): { templates: AnalysisTemplate[]; clusterTemplates: AnalysisTemplate[] } {
  return { templates: c.deps.listAnalysisTemplates(c.ns), clusterTemplates: c.deps.listClusterAnalysisTemplates() };
}

const specEqual = (a: AnalysisRun['spec'], b: AnalysisRun['spec']): boolean =>
  JSON.stringify({ ...a, terminate: undefined }) === JSON.stringify({ ...b, terminate: undefined });

/** createAnalysisRun + CreateWithCollisionCounter. */
async function createAnalysisRun(c: RolloutContext, ra: RolloutAnalysis, infix: string, labels: Record<string, string>): Promise<AnalysisRun> {
  const podHash = c.newHash;
  if (!podHash) throw new Error(`Latest ReplicaSet '${c.newRS?.metadata.name}' has no pod hash in the labels`);
  const args = resolveRolloutArgs(ra.args, podHashOf(c.stableRS), podHash, c.rollout);
  const { templates, clusterTemplates } = templatesFor(c);
  let run: AnalysisRun;
  try {
    run = buildAnalysisRun(c.rollout, ra, templates, clusterTemplates, args, podHash, infix, labels);
  } catch (e) {
    if (e instanceof AnalysisRunBuildError) throw new StatusError(422, 'Invalid', `analysis for ${infix ? `"${infix}"` : 'background'}: ${e.message}`);
    throw e;
  }
  const base = run.metadata.name;
  for (let n = 1; ; n++) {
    try {
      return await c.client.create<AnalysisRun>(AR.analysisruns, c.ns, run);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
      const existing = await c.client.get<AnalysisRun>(AR.analysisruns, c.ns, run.metadata.name);
      const ours = existing.metadata.ownerReferences?.some((o) => o.controller && o.uid === c.rollout.metadata.uid);
      // Our own run seen through a stale cache: adopt it.
      if (!isCompletedPhase(existing.status?.phase) && ours && specEqual(existing.spec, run.spec)) return existing;
      run.metadata.name = `${base}.${n}`;
    }
  }
}

/** Inconclusive → pause; Failed/Error → abort with the run's message. */
function setPauseOrAbort(c: RolloutContext, kind: RunKind, ar: AnalysisRun | undefined): void {
  if (!ar) return;
  const phase = ar.status?.phase;
  if (phase === 'Inconclusive') c.pause.addPauseCondition(PauseReason.InconclusiveAnalysis);
  else if (phase === 'Error' || phase === 'Failed') c.pause.addAbort(abortMessage(kind, ar));
}

async function reconcileStepRun(c: RolloutContext): Promise<AnalysisRun | undefined> {
  const { step, index } = currentCanaryStep(c.rollout);
  const cur = c.currentArs.step;
  if ((c.rollout.status?.pauseConditions ?? []).length > 0 || c.rollout.status?.abort) return cur;
  if (!step?.analysis || index === undefined) { await cancelAnalysisRuns(c, [cur]); return undefined; }
  if (needsNewAnalysisRun(cur, c.rollout)) return createAnalysisRun(c, step.analysis, String(index), runLabels('Step', c.newHash, index));
  setPauseOrAbort(c, 'Step', cur);
  return cur;
}

async function reconcileBackgroundRun(c: RolloutContext): Promise<AnalysisRun | undefined> {
  const cur = c.currentArs.background;
  const bg = c.rollout.spec.strategy.canary?.analysis;
  if (!bg) { await cancelAnalysisRuns(c, [cur]); return undefined; }
  const st = c.rollout.status ?? {};
  if ((st.stableRS ?? '') === (st.currentPodHash ?? '') || !st.stableRS || !st.currentPodHash || beforeStartingStep(c.rollout)) return undefined;
  if (c.pause.getPauseCondition(PauseReason.InconclusiveAnalysis)) return cur;
  if (needsNewAnalysisRun(cur, c.rollout)) return createAnalysisRun(c, bg, '', runLabels('Background', c.newHash));
  setPauseOrAbort(c, 'Background', cur);
  return cur;
}

/** skipPrePromotionAnalysisRun: promoted already, first deploy, active already current, or the preview not at its size. */
export function skipPrePromotion(c: RolloutContext): boolean {
  const r = c.rollout, hash = c.newHash;
  const active = r.status?.blueGreen?.activeSelector ?? '';
  if (r.status?.stableRS === hash || !active || active === hash || !hash) return true;
  const preview = r.spec.strategy.blueGreen?.previewReplicaCount;
  if (preview !== undefined && preview !== null) return (c.newRS?.spec.replicas ?? 0) !== preview || (c.newRS?.status?.availableReplicas ?? 0) !== preview;
  return !isSaturated(r, c.newRS);
}

/** skipPostPromotionAnalysisRun: promoted already, active not yet switched, or the new RS not saturated. */
export function skipPostPromotion(c: RolloutContext): boolean {
  const r = c.rollout, hash = c.newHash;
  return r.status?.stableRS === hash || (r.status?.blueGreen?.activeSelector ?? '') !== hash || !hash || !isSaturated(r, c.newRS);
}

async function reconcilePromotionRun(c: RolloutContext, kind: 'PrePromotion' | 'PostPromotion'): Promise<AnalysisRun | undefined> {
  const bg = c.rollout.spec.strategy.blueGreen!;
  const cur = kind === 'PrePromotion' ? c.currentArs.pre : c.currentArs.post;
  const ra = kind === 'PrePromotion' ? bg.prePromotionAnalysis : bg.postPromotionAnalysis;
  if (!ra) { await cancelAnalysisRuns(c, [cur]); return undefined; }
  if (kind === 'PrePromotion' ? skipPrePromotion(c) : skipPostPromotion(c)) { await cancelAnalysisRuns(c, [cur]); return cur; }
  if (c.pause.getPauseCondition(PauseReason.InconclusiveAnalysis)) return cur;
  if (needsNewAnalysisRun(cur, c.rollout)) return createAnalysisRun(c, ra, kind === 'PrePromotion' ? 'pre' : 'post', runLabels(kind, c.newHash));
  return cur;
}

/** FilterAnalysisRunsToDelete: keep the newest successful / unsuccessful runs per the history limits; never runs of a live RS hash. */
function runsToDelete(c: RolloutContext, others: AnalysisRun[]): AnalysisRun[] {
  const liveHashes = new Set(c.allRSs.map(podHashOf).filter(Boolean));
  const byAge = (a: AnalysisRun, b: AnalysisRun) => (Date.parse(b.metadata.creationTimestamp ?? '') || 0) - (Date.parse(a.metadata.creationTimestamp ?? '') || 0);
  const ok = others.filter((a) => a.status?.phase === 'Successful').sort(byAge);
  const bad = others.filter((a) => a.status?.phase && a.status.phase !== 'Successful' && isCompletedPhase(a.status.phase)).sort(byAge);
  const out: AnalysisRun[] = [];
  const pick = (list: AnalysisRun[], limit: number) => list.forEach((a, i) => { if (i >= limit && !liveHashes.has(a.metadata.labels?.[PodTemplateHashLabel] ?? '')) out.push(a); });
  pick(ok, successfulRunHistoryLimit(c.rollout));
  pick(bad, unsuccessfulRunHistoryLimit(c.rollout));
  return out;
}

function emitRunChanges(c: RolloutContext, prev: RolloutAnalysisRunStatus | undefined, ar: AnalysisRun | undefined, label: string): void {
  const phase = ar?.status?.phase;
  if (!ar || !phase) return;
  if (prev && !(prev.name === ar.metadata.name && prev.status !== phase)) return;
  const type = phase === 'Failed' || phase === 'Error' ? 'Warning' : 'Normal';
  c.event(type, `AnalysisRun${phase}`, `${label} Analysis Run '${ar.metadata.name}' Status New: '${phase}' Previous: '${prev?.status ?? 'NoPreviousStatus'}'`);
}

/**
 * On a retry (abortedAt still recorded, abort cleared) the runs that failed are no longer current, so the retry
 * starts fresh runs. Upstream keeps a failed pre-promotion run current until a new one can be created, which
 * aborts a retried blue-green Rollout again while its preview is still scaling back up.
 */
function forgetUnsuccessfulRuns(c: RolloutContext): void {
  for (const k of ['step', 'background', 'pre', 'post'] as const) {
    const ar = c.currentArs[k];
    if (!ar || !['Failed', 'Error', 'Inconclusive'].includes(ar.status?.phase ?? '')) continue;
    c.otherArs.push(ar);
    delete c.currentArs[k];
  }
}

/** reconcileAnalysisRuns: the whole analysis pass (§6.7). */
export async function reconcileAnalysisRuns(c: RolloutContext): Promise<void> {
  const st = c.rollout.status ?? {};
  if (c.pause.isAborted() || st.promoteFull || hasScaleDownDeadline(c.newRS) || !st.stableRS) {
    setCurrentRuns(c, c.currentArs);
    await cancelAnalysisRuns(c, [c.currentArs.step, c.currentArs.background, c.currentArs.pre, c.currentArs.post, ...c.otherArs]);
    return;
  }
  if (st.abortedAt) forgetUnsuccessfulRuns(c);
  const runs: CurrentRuns = {};
  if (c.rollout.spec.strategy.blueGreen) {
    runs.pre = await reconcilePromotionRun(c, 'PrePromotion');
    setPauseOrAbort(c, 'PrePromotion', runs.pre);
    runs.post = await reconcilePromotionRun(c, 'PostPromotion');
    setPauseOrAbort(c, 'PostPromotion', runs.post);
  } else {
    runs.step = await reconcileStepRun(c);
    runs.background = await reconcileBackgroundRun(c);
  }
  setCurrentRuns(c, runs);
  const currentNames = new Set(Object.values(runs).filter(Boolean).map((a) => a!.metadata.name));
  const others = c.otherArs.filter((a) => !currentNames.has(a.metadata.name));
  await cancelAnalysisRuns(c, others);
  for (const ar of runsToDelete(c, others)) {
    if (ar.metadata.deletionTimestamp) continue;
    try { await c.client.delete(AR.analysisruns, c.ns, ar.metadata.name); } catch (e) { if (!(e instanceof StatusError && e.code === 404)) throw e; }
  }
  const prevS = c.rollout.status ?? {};
  emitRunChanges(c, prevS.blueGreen?.postPromotionAnalysisRunStatus, runs.post, 'PostPromotion');
  emitRunChanges(c, prevS.blueGreen?.prePromotionAnalysisRunStatus, runs.pre, 'PrePromotion');
  emitRunChanges(c, prevS.canary?.currentStepAnalysisRunStatus, runs.step, 'Step');
  emitRunChanges(c, prevS.canary?.currentBackgroundAnalysisRunStatus, runs.background, 'Background');
}
