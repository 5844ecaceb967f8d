/**
 * RollingUpdate (upstream rolling.go): each sync scales the new RS up if it can (then stops), else scales old
 * RSs down (unhealthy replicas first, then by availability above minAvailable), and when the rollout is complete
 * cleans up old RSs beyond revisionHistoryLimit. The arithmetic is in util.ts (planNewReplicaSet,
 * planOldReplicaSets). Even when a scale write fails, the rollout status (e.g. the progress deadline) is synced
 * before the error is returned.
 */
import * as u from './util.ts';
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
    const to = u.planNewReplicaSet(allRSs, newRS, d);
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
    const plan = u.planOldReplicaSets(allRSs, active, newRS, d);
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
