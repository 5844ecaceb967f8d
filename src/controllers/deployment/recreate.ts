/**
 * Recreate (upstream recreate.go): scale every old RS to 0, wait until no old pod is left running (pods of old
 * RSs not in a terminal phase), and only then create/scale the new RS to spec.replicas — old and new pods never
 * run together.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import * as u from './util.ts';
import type { D, RS, Syncer } from './sync.ts';
import { syncRolloutStatus } from './progress.ts';

/** oldPodsRunning: old RSs still report pods, or a pod of an old RS is not Succeeded/Failed. */
export function oldPodsRunning(newRS: RS | undefined, oldRSs: RS[], podMap: Map<string, Pod[]>): boolean {
  if (u.sumActual(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}

export async function rolloutRecreate(s: Syncer, d: D, rsList: RS[], podMap: Map<string, Pod[]>): Promise<void> {
  let { newRS, oldRSs } = await s.getAllReplicaSetsAndSyncRevision(d, rsList, false);
  let allRSs: (RS | undefined)[] = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of u.filterActive(oldRSs) as RS[]) {
    const r = await s.scaleReplicaSetAndRecordEvent(rs, 0, d);
    if (r.scaled) scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(s, allRSs, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(s, allRSs, newRS, d);
  if (!newRS) {
    ({ newRS, oldRSs } = await s.getAllReplicaSetsAndSyncRevision(d, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await s.scaleReplicaSetAndRecordEvent(newRS, u.replicasOf(d), d);
  if (u.deploymentComplete(d, d.status ?? {})) await s.cleanupDeployment(oldRSs, d);
  return syncRolloutStatus(s, allRSs, newRS, d);
}
