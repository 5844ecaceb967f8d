/**
 * Which pods a ReplicaSet deletes first when it scales down (upstream controller_utils.go ActivePodsWithRanks
 * and replica_set.go getPodsToDelete), in this order:
 *  1. unassigned before assigned;
 *  2. Pending, then Unknown, then Running;
 *  3. not ready before ready;
 *  4. lower controller.kubernetes.io/pod-deletion-cost first;
 *  5. more related (same owner) active pods on the same node first ("doubled up");
 *  6. ready for a shorter time first (compared on a log2 scale of the time since, as LogarithmicScaleDown);
 *  7. more container restarts first;
 *  8. newer first (log2 scale too), ties by uid.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { isPodActive, isPodReady, podReadyTime } from './pods.ts';

export const PodDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[PodDeletionCostAnnotation];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

function maxRestarts(pod: Pod): number {
  let m = 0;
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) m = Math.max(m, s.restartCount ?? 0);
  return m;
}

/** logarithmicRankDiff: floor(log2(now − t)) in nanoseconds, −1 for the future or zero. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

/** afterOrZero: a zero time sorts first, else the later time first. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (!a || !b) return !a;
  return a > b;
}

const created = (p: Pod): number | undefined => (p.metadata?.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : undefined);

/** Negative when a should be deleted before b. */
export function comparePodsForDeletion(a: Pod, b: Pod, rankA: number, rankB: number, now: number): number {
  const na = a.spec?.nodeName ?? '', nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const pa = phaseOrdinal[a.status?.phase ?? ''] ?? 0, pb = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a), rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a), cb = deletionCost(b);
  if (ca !== cb) return ca < cb ? -1 : 1;
  if (rankA !== rankB) return rankA > rankB ? -1 : 1;
  if (ra && rb) {
    const ta = podReadyTime(a), tb = podReadyTime(b);
    if (ta !== tb) {
      if (!now || !ta || !tb) return afterOrZero(ta, tb) ? -1 : 1;
      const diff = logRank(ta, now) - logRank(tb, now);
      if (diff !== 0) return diff < 0 ? -1 : 1;
      const ua = a.metadata?.uid ?? '', ub = b.metadata?.uid ?? '';
      if (ua !== ub) return ua < ub ? -1 : 1;
      return 0;
    }
  }
  const xa = maxRestarts(a), xb = maxRestarts(b);
  if (xa !== xb) return xa > xb ? -1 : 1;
  const ta = created(a), tb = created(b);
  if (ta !== tb) {
    if (!now || !ta || !tb) return afterOrZero(ta, tb) ? -1 : 1;
    const diff = logRank(ta, now) - logRank(tb, now);
    if (diff !== 0) return diff < 0 ? -1 : 1;
    const ua = a.metadata?.uid ?? '', ub = b.metadata?.uid ?? '';
    if (ua !== ub) return ua < ub ? -1 : 1;
  }
  return 0;
}

/**
 * getPodsToDelete: the `diff` pods to delete from `pods`, ranked with `related` (active pods of the same owner,
 * used for the same-node count).
 */
export function getPodsToDelete(pods: Pod[], related: Pod[], diff: number, now: number): Pod[] {
  if (diff >= pods.length) return pods.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((p) => ({ p, rank: onNode.get(p.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => comparePodsForDeletion(x.p, y.p, x.rank, y.rank, now));
  return ranked.slice(0, diff).map((x) => x.p);
}
