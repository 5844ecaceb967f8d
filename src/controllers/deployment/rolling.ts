/**
 * RollingUpdate (upstream rolling.go): each sync scales the new RS up if it can (then stops), else scales old
 * RSs down (unhealthy replicas first, then by availability above minAvailable), and when the rollout is complete
 * cleans up old RSs beyond revisionHistoryLimit. The arithmetic is below, pure and table-tested: fence posts
 * (maxSurge/maxUnavailable), the new RS's next size (planNewReplicaSet) and the old RSs' scale-down
 * (planOldReplicaSets). Even when a scale write fails, the rollout status (e.g. the progress deadline) is synced
 * before the error is returned.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import * as u from './util.ts';
import { byCreation, isRollingUpdate, maxSurge, maxUnavailable, minAvailable, replicasOf, scaledValueFromIntOrPercent, sumAvailable, sumSpec, type ScaleAction } from './util.ts';
import type { D, RS, Syncer } from './sync.ts';
import { syncRolloutStatus } from './progress.ts';

export async function rolloutRolling(s: Syncer, d: D, rsList: RS[]): Promise<void> {
  const { newRS, oldRSs } = await s.getAllReplicaSetsAndSyncRevision(d, rsList, true);
  const allRSs: RS[] = [...oldRSs, ...(newRS ? [newRS] : [])];
  // A failed scale still records the rollout status (e.g. the progress deadline); both errors are reported.
  const withStatus = async (err: unknown) => {
    try { await syncRolloutStatus(s, allRSs, newRS, d); } catch (statusErr) {
      throw new AggregateError([err, statusErr], `${(err as Error).message}; ${(statusErr as Error).message}`);
    }
    throw err;
  };

  // Scale up, if we can.
  if (newRS) {
    const to = planNewReplicaSet(allRSs, newRS, d);
    if (to !== undefined) {
      let res;
      try { res = await s.scaleReplicaSetAndRecordEvent(newRS, to, d); } catch (e) { return withStatus(e); }
      if (res.scaled) {
        allRSs[allRSs.indexOf(newRS)] = res.rs;
        return syncRolloutStatus(s, allRSs, res.rs, d);
      }
    }
  }

  // Scale down, if we can.
  if (newRS) {
    const active = u.filterActive(oldRSs) as RS[];
    const plan = planOldReplicaSets(allRSs, active, newRS, d);
    if (plan.total > 0) {
      for (const a of plan.actions) {
        try {
          const r = await s.scaleReplicaSetAndRecordEvent(a.rs as RS, a.to, d);
          const i = allRSs.findIndex((x) => x.metadata.uid === r.rs.metadata.uid);
          if (i >= 0) allRSs[i] = r.rs;
        } catch (e) { return withStatus(e); }
      }
      return syncRolloutStatus(s, allRSs, newRS, d);
    }
  }

  if (u.deploymentComplete(d, d.status ?? {})) await s.cleanupDeployment(oldRSs, d);
  return syncRolloutStatus(s, allRSs, newRS, d);
}

// Fence posts (resolveFenceposts, maxSurge, maxUnavailable, minAvailable) live in util.ts (pure, also bundled by the dashboard).
export { resolveFenceposts, maxUnavailable, minAvailable, maxSurge } from './util.ts';

/** NewRSNewReplicas: the size the new RS may grow to in this step. */
export function newRSNewReplicas(d: Deployment, allRSs: (ReplicaSet | undefined | null)[], newRS: ReplicaSet): number {
  const replicas = replicasOf(d);
  const type = d.spec?.strategy?.type ?? 'RollingUpdate';
  if (type === 'Recreate') return replicas;
  if (type !== 'RollingUpdate') throw new Error(`deployment type ${type} isn't supported`);
  const surge = scaledValueFromIntOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', replicas, true);
  const current = sumSpec(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, replicas - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

// ---------------------------------------------------------------- rolling-update planning (rolling.go)

const withReplicas = (rs: ReplicaSet, n: number): ReplicaSet => ({ ...rs, spec: { ...rs.spec!, replicas: n } });

/** reconcileNewReplicaSet: the new RS's next size, or undefined when it stays. */
export function planNewReplicaSet(allRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): number | undefined {
  const r = replicasOf(d);
  if (replicasOf(newRS) === r) return undefined;
  if (replicasOf(newRS) > r) return r;
  const n = newRSNewReplicas(d, allRSs, newRS);
  return n === replicasOf(newRS) ? undefined : n;
}

/**
 * cleanupUnhealthyReplicas: scale down old RSs' unavailable replicas first (oldest RS first), at most
 * `maxCleanupCount` in all. Returns the actions, the old RSs with their new sizes, and the total removed.
 */
export function cleanupUnhealthyReplicas(oldRSs: ReplicaSet[], maxCleanupCount: number): { actions: ScaleAction[]; oldRSs: ReplicaSet[]; total: number } {
  const sorted = [...oldRSs].sort(byCreation);
  const actions: ScaleAction[] = [];
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const rs = sorted[i];
    if (total >= maxCleanupCount) break;
    const spec = replicasOf(rs);
    const avail = rs.status?.availableReplicas ?? 0;
    if (spec === 0 || spec === avail) continue;
    const down = Math.min(maxCleanupCount - total, spec - avail);
    const to = spec - down;
    if (to > spec) throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata?.namespace}/${rs.metadata?.name} ${spec} -> ${to}`);
    actions.push({ rs, to });
    sorted[i] = withReplicas(rs, to);
    total += down;
  }
  return { actions, oldRSs: sorted, total };
}

/**
 * scaleDownOldReplicaSetsForRollingUpdate: when more replicas are available than minAvailable, scale old RSs
 * down (oldest first) by the excess. Counts come from status.availableReplicas of every RS.
 */
export function scaleDownOldReplicaSetsForRollingUpdate(allRSs: ReplicaSet[], oldRSs: ReplicaSet[], d: Deployment): { actions: ScaleAction[]; total: number } {
  const minAvail = replicasOf(d) - maxUnavailable(d);
  const available = sumAvailable(allRSs);
  if (available <= minAvail) return { actions: [], total: 0 };
  const sorted = [...oldRSs].sort(byCreation);
  const want = available - minAvail;
  const actions: ScaleAction[] = [];
  let total = 0;
  for (const rs of sorted) {
    if (total >= want) break;
    if (replicasOf(rs) === 0) continue;
    const down = Math.min(replicasOf(rs), want - total);
    actions.push({ rs, to: replicasOf(rs) - down });
    total += down;
  }
  return { actions, total };
}

/**
 * reconcileOldReplicaSets: how far old RSs may shrink without going under minAvailable (counting the new RS's
 * unavailable pods), then cleanupUnhealthyReplicas and scaleDownOldReplicaSetsForRollingUpdate.
 * `oldRSs` are the active old RSs.
 */
export function planOldReplicaSets(allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): { actions: ScaleAction[]; total: number; maxScaledDown: number } {
  if (sumSpec(oldRSs) === 0) return { actions: [], total: 0, maxScaledDown: 0 };
  const all = sumSpec(allRSs);
  const minAvail = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = all - minAvail - newUnavailable;
  if (maxScaledDown <= 0) return { actions: [], total: 0, maxScaledDown };
  const cleaned = cleanupUnhealthyReplicas(oldRSs, maxScaledDown);
  const after = scaleDownOldReplicaSetsForRollingUpdate([...cleaned.oldRSs, newRS], cleaned.oldRSs, d);
  // Merge: a later action on the same RS supersedes the earlier one.
  const byName = new Map<string, ScaleAction>();
  for (const a of [...cleaned.actions, ...after.actions]) {
    const orig = oldRSs.find((o) => o.metadata?.name === a.rs.metadata?.name) ?? a.rs;
    byName.set(a.rs.metadata?.name ?? '', { rs: orig, to: a.to });
  }
  return { actions: [...byName.values()], total: cleaned.total + after.total, maxScaledDown };
}
