/**
 * Replica arithmetic of the Rollout controller (Argo's utils/replicaset canary.go / replicaset.go / bluegreen.go,
 * reference §4.3, §4.4, §5): how many pods the canary (new) and stable ReplicaSets should have for a weight, within
 * the maxSurge / maxUnavailable budget; when a step's counts are reached; the new RS size for either strategy; which
 * RS is new, stable or "other"; saturation and scale-down deadlines. Pure: ReplicaSets in, numbers out.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Rollout, TrafficWeights } from './types.ts';
import { DesiredReplicasAnnotation, PodTemplateHashLabel, ScaleDownDeadlineAnnotation } from './types.ts';
import { canaryReplicasOrWeight } from './steps.ts';
import { maxSurge, maxTrafficWeight, maxUnavailable, replicasOf, specReplicas } from './defaults.ts';

type RSx = ReplicaSet | undefined | null;

export const available = (rs: RSx): number => rs?.status?.availableReplicas ?? 0;
export const sumSpec = (rss: RSx[]): number => rss.reduce((s, rs) => s + specReplicas(rs), 0);
export const sumActual = (rss: RSx[]): number => rss.reduce((s, rs) => s + (rs?.status?.replicas ?? 0), 0);
export const sumReady = (rss: RSx[]): number => rss.reduce((s, rs) => s + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (rss: RSx[]): number => rss.reduce((s, rs) => s + available(rs), 0);
export const podHashOf = (rs: RSx): string => rs?.metadata?.labels?.[PodTemplateHashLabel] ?? '';
export const sameRS = (a: RSx, b: RSx): boolean => !!a && !!b && a.metadata?.name === b.metadata?.name;
export const isActive = (rs: RSx): boolean => specReplicas(rs) > 0;

/** CheckStableRSExists: a stable RS that is not the new one. */
export const stableRSExists = (newRS: RSx, stableRS: RSx): boolean => !!stableRS && (!newRS || newRS.metadata?.name !== stableRS.metadata?.name);

export function rsByHash<T extends ReplicaSet>(rss: T[], hash: string | undefined): T | undefined {
  if (!hash) return undefined;
  return rss.find((rs) => podHashOf(rs) === hash);
}

/** GetStableRS: the RS whose hash label is status.stableRS. */
export function getStableRS<T extends ReplicaSet>(r: Rollout, newRS: T | undefined, rss: T[]): T | undefined {
  const h = r.status?.stableRS;
  if (!h) return undefined;
  if (newRS && podHashOf(newRS) === h) return newRS;
  return rsByHash(rss, h);
}

/** GetOtherRSs: neither new nor stable. */
export function getOtherRSs<T extends ReplicaSet>(newRS: T | undefined, stableRS: T | undefined, rss: T[]): T[] {
  return rss.filter((rs) => !sameRS(rs, stableRS) && !sameRS(rs, newRS));
}

// ---------------------------------------------------------------- basic canary (§4.3)

const tiedAt = (weight: number, total: number): boolean => ((total * weight) / 100) % 1 === 0.5;
const weightDelta = (weight: number, canary: number, total: number): number => Math.abs((canary * 100) / total - weight);

/**
 * approximateWeightedCanaryStableReplicaCounts: the (canary, stable) pair closest to `weight`, summing to R or
 * (when surge allows) R+1; for weights 1–99 with 2+ pods both sides keep at least one pod. Ties prefer the larger canary.
 */
export function approximateWeightedCounts(replicas: number, weight: number, surge: number): { canary: number; stable: number } {
  if (replicas === 0) return { canary: 0, stable: 0 };
  const ceil = Math.ceil((replicas * weight) / 100);
  const floor = Math.floor((replicas * weight) / 100);
  const tied = tiedAt(weight, replicas);
  const zeroAllowed = weight === 100 || weight === 0 || (replicas === 1 && surge === 0);
  const options: [number, number][] = [];
  if (ceil < replicas || zeroAllowed) options.push([ceil, replicas]);
  if (!tied && (floor !== 0 || zeroAllowed)) options.push([floor, replicas]);
  if (surge > 0) {
    options.push([ceil, replicas + 1]);
    if (!tiedAt(weight, replicas + 1) && (floor !== 0 || zeroAllowed)) options.push([floor, replicas + 1]);
  }
  if (options.length === 0) return { canary: 0, stable: replicas };
  let best = options[0];
  let bestDelta = weightDelta(weight, best[0], best[1]);
  for (const o of options.slice(1)) {
    const d = weightDelta(weight, o[0], o[1]);
    if (d < bestDelta) { best = o; bestDelta = d; }
  }
  return { canary: best[0], stable: best[1] - best[0] };
}

/**
 * GetReplicasForScaleDown: pods of this RS that count towards availability while shrinking: its spec when the
 * availability may be ignored (or when it already runs more than its spec), else its available pods.
 */
export function replicasForScaleDown(rs: RSx, ignoreAvailability: boolean): number {
  if (!rs) return 0;
  if (specReplicas(rs) < available(rs)) return specReplicas(rs);
  return ignoreAvailability ? specReplicas(rs) : available(rs);
}

/** adjustReplicaWithinLimits: keep the pair within R + surge, taking pods from the RS being drained, never under minAvailable. */
function adjustWithinLimits(drainRS: RSx, adjustRS: RSx, drain: number, adjust: number, maxAllowed: number, minAvailable: number): [number, number] {
  let totalAvailable = 0;
  let over = Math.max(0, adjust + drain - maxAllowed);
  if (drainRS) totalAvailable += Math.min(available(drainRS), drain);
  if (adjustRS) {
    adjust -= over;
    totalAvailable += Math.min(available(adjustRS), adjust);
    const extraAvailable = Math.max(0, available(adjustRS) - adjust);
    const needed = Math.max(0, minAvailable - totalAvailable);
    adjust += Math.min(extraAvailable, needed);
    over = Math.max(0, adjust + drain - maxAllowed);
    drain -= over;
  }
  return [drain, adjust];
}

/**
 * CalculateReplicaCountsForBasicCanary: this pass's sizes for the new (canary) and stable RS. Scale up first
 * (stable before canary) within R + surge; stop if older RSs still have pods; then scale down within R − unavailable,
 * shrinking stable while the canary grows, or the canary while it shrinks (abort, lower weight).
 */
export function basicCanaryCounts(r: Rollout, newRS: RSx, stableRS: RSx, otherRSs: RSx[]): { canary: number; stable: number } {
  const R = replicasOf(r);
  const { weight } = canaryReplicasOrWeight(r);
  const surge = maxSurge(r);
  let { canary: desiredCanary, stable: desiredStable } = approximateWeightedCounts(R, weight, surge);
  let canary = newRS ? specReplicas(newRS) : 0;
  let stable = 0;
  const scaleStable = stableRSExists(newRS, stableRS);
  if (scaleStable) stable = specReplicas(stableRS);
  else { desiredCanary = R; desiredStable = 0; }

  const maxAllowed = R + surge;
  const all: RSx[] = [...otherRSs, newRS, ...(scaleStable ? [stableRS] : [])];
  let up = maxAllowed - sumSpec(all);
  if (scaleStable && specReplicas(stableRS) < desiredStable && up > 0) {
    if (specReplicas(stableRS) + up < desiredStable) { stable = specReplicas(stableRS) + up; up = 0; }
    else { stable = desiredStable; up -= desiredStable - specReplicas(stableRS); }
  }
  if (newRS && specReplicas(newRS) < desiredCanary && up > 0) {
    canary = specReplicas(newRS) + up < desiredCanary ? specReplicas(newRS) + up : desiredCanary;
  }
  if (sumSpec(otherRSs) > 0) return { canary, stable };

  const minAvailable = R - maxUnavailable(r);
  const increasing = !newRS || desiredCanary >= specReplicas(newRS);
  const removable = replicasForScaleDown(newRS, !increasing) + replicasForScaleDown(stableRS, increasing);
  if (removable <= minAvailable) return { canary, stable };
  const down = removable - minAvailable;
  if (!increasing) {
    if (newRS && specReplicas(newRS) > desiredCanary) canary = Math.max(desiredCanary, specReplicas(newRS) - down);
    [canary, stable] = adjustWithinLimits(newRS, stableRS, canary, stable, maxAllowed, minAvailable);
  } else if (scaleStable) {
    if (stableRS && specReplicas(stableRS) > desiredStable) stable = Math.max(desiredStable, specReplicas(stableRS) - down);
    [stable, canary] = adjustWithinLimits(stableRS, newRS, stable, canary, maxAllowed, minAvailable);
  }
  return { canary, stable };
}

// ---------------------------------------------------------------- traffic-routed canary (§4.4)

/** trafficWeightToReplicas: ⌈weight·R / maxWeight⌉. */
export const weightToReplicas = (replicas: number, weight: number, maxWeight = 100): number => Math.ceil((weight * replicas) / maxWeight);

function withMinPods(r: Rollout, count: number): number {
  const min = r.spec.strategy?.canary?.minPodsPerReplicaSet;
  if (count === 0 || min === undefined || min === null || !r.spec.strategy?.canary?.trafficRouting) return count;
  return Math.max(count, min);
}

/**
 * CalculateReplicaCountsForTrafficRoutedCanary: canary = setCanaryScale.replicas or ⌈W·R/max⌉ (raised to
 * minPodsPerReplicaSet), in one jump (no surge budget); stable stays at R unless dynamicStableScale, where it follows
 * the larger of the desired and the actual stable weight (and, while aborting, the canary keeps pods for the traffic
 * it still receives).
 */
export function trafficRoutedCounts(r: Rollout, weights: TrafficWeights | undefined): { canary: number; stable: number } {
  const R = replicasOf(r);
  const maxW = maxTrafficWeight(r);
  const { replicas, weight } = canaryReplicasOrWeight(r);
  let canary = replicas !== undefined ? replicas : withMinPods(r, weightToReplicas(R, weight, maxW));
  if (!r.spec.strategy?.canary?.dynamicStableScale) return { canary, stable: R };
  let stable = weightToReplicas(R, maxW - weight, maxW);
  if (weights) {
    stable = Math.max(stable, weightToReplicas(R, weights.stable.weight, maxW));
    if (r.status?.abort) canary = Math.max(weightToReplicas(R, weights.canary.weight, maxW), canary);
  }
  return { canary: withMinPods(r, canary), stable: withMinPods(r, stable) };
}

/**
 * AtDesiredReplicaCountsForCanary (a setWeight / setCanaryScale step is reached): the canary has its desired count
 * all available; the stable RS has its count created (unless dynamic stable scaling); for basic canary no older RS
 * still has available pods.
 */
export function atDesiredReplicaCounts(r: Rollout, newRS: RSx, stableRS: RSx, otherRSs: RSx[], weights: TrafficWeights | undefined): boolean {
  const routed = !!r.spec.strategy?.canary?.trafficRouting;
  const d = routed ? trafficRoutedCounts(r, weights) : basicCanaryCounts(r, newRS, stableRS, otherRSs);
  if (!newRS || specReplicas(newRS) !== d.canary || available(newRS) !== d.canary) return false;
  if (!routed || !r.spec.strategy.canary!.dynamicStableScale) {
    if (!stableRS || specReplicas(stableRS) !== d.stable || (stableRS.status?.replicas ?? 0) !== d.stable) return false;
  }
  if (!routed && sumAvailable(otherRSs) !== 0) return false;
  return true;
}

/** NewRSNewReplicas: the size of the new RS this pass (blue-green: previewReplicaCount until promotion). */
export function newRSNewReplicas(r: Rollout, allRSs: ReplicaSet[], newRS: ReplicaSet, weights: TrafficWeights | undefined): number {
  const bg = r.spec.strategy?.blueGreen;
  if (bg) {
    const desired = replicasOf(r);
    if (bg.previewReplicaCount === undefined || bg.previewReplicaCount === null) return desired;
    const activeRS = rsByHash(allRSs, r.status?.blueGreen?.activeSelector);
    if (!activeRS || activeRS.metadata?.name === newRS.metadata?.name) return desired;
    if (r.status?.promoteFull) return desired;
    if (podHashOf(newRS) !== r.status?.currentPodHash) return bg.previewReplicaCount;
    const notPaused = !r.spec.paused && (r.status?.pauseConditions ?? []).length === 0;
    if (notPaused && r.status?.blueGreen?.scaleUpPreviewCheckPoint) return desired;
    return bg.previewReplicaCount;
  }
  const stableRS = getStableRS(r, newRS, allRSs);
  if (!r.spec.strategy?.canary?.trafficRouting) return basicCanaryCounts(r, newRS, stableRS, getOtherRSs(newRS, stableRS, allRSs)).canary;
  return trafficRoutedCounts(r, weights).canary;
}

// ---------------------------------------------------------------- blue-green helpers, saturation, deadlines

/** IsSaturated: spec, desired-replicas annotation and available all equal the Rollout's replicas. */
export function isSaturated(r: Rollout, rs: RSx): boolean {
  if (!rs) return false;
  const d = rs.metadata?.annotations?.[DesiredReplicasAnnotation];
  if (d === undefined || !/^\d+$/.test(d)) return false;
  const R = replicasOf(r);
  return specReplicas(rs) === R && Number(d) === R && available(rs) === R;
}

/** ReadyForPause (blue-green): the new RS is at its size for this phase and all of it is available. */
export function readyForPause(r: Rollout, newRS: ReplicaSet, allRSs: ReplicaSet[]): boolean {
  const n = newRSNewReplicas(r, allRSs, newRS, undefined);
  return specReplicas(newRS) === n && available(newRS) === n;
}

/** IsReplicaSetAvailable: scaled up and every desired pod available. */
export const isRSAvailable = (rs: RSx): boolean => !!rs && specReplicas(rs) !== 0 && available(rs) !== 0 && specReplicas(rs) <= available(rs);
export const isRSPartiallyAvailable = (rs: RSx): boolean => available(rs) > 0;

export const hasScaleDownDeadline = (rs: RSx): boolean => !!rs?.metadata?.annotations?.[ScaleDownDeadlineAnnotation];

/** Milliseconds left before the RS's scale-down-deadline; undefined when none, passed, or unreadable. */
export function scaleDownRemainingMs(rs: RSx, now: number): number | undefined {
  const v = rs?.metadata?.annotations?.[ScaleDownDeadlineAnnotation];
  if (!v) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t) || t <= now) return undefined;
  return t - now;
}

export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } } | undefined | null, key: string): number {
  const v = obj?.metadata?.annotations?.[key];
  if (v === undefined || !/^\d+$/.test(v)) return 0;
  return Number(v);
}
