/**
 * Rollout progress (upstream progress.go): after a rolling/recreate step, compute status and move the
 * Progressing condition — NewReplicaSetAvailable when complete, ReplicaSetUpdated when progress was made,
 * ProgressDeadlineExceeded when lastUpdateTime + progressDeadlineSeconds has passed — mirror a ReplicaFailure
 * from the ReplicaSets, write status if it changed, else requeue for the deadline check.
 */
import * as u from './util.ts';
import { calculateStatus, type D, type RS, type Syncer } from './sync.ts';

/** The first ReplicaFailure=True condition of the new RS, then of the others (getReplicaFailures). */
function replicaFailure(allRSs: (RS | undefined)[], newRS: RS | undefined) {
  const order = [newRS, ...allRSs.filter((r) => r !== newRS)];
  for (const rs of order) {
    const c = rs?.status?.conditions?.find((x) => x.type === 'ReplicaFailure' && x.status === 'True');
    if (c) return { type: 'ReplicaFailure', status: c.status, reason: c.reason, message: c.message, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime };
  }
  return undefined;
}

export async function syncRolloutStatus(s: Syncer, allRSs: (RS | undefined)[], newRS: RS | undefined, d: D): Promise<void> {
  const now = s.now;
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!u.hasProgressDeadline(d)) u.removeCondition(status, 'Progressing');
  const current = u.getCondition(d.status, 'Progressing');
  const isComplete = status.replicas === status.updatedReplicas && current?.reason === u.Reasons.NewRSAvailable;
  if (u.hasProgressDeadline(d) && !isComplete) {
    if (u.deploymentComplete(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
      u.setCondition(status, u.newCondition('Progressing', 'True', u.Reasons.NewRSAvailable, msg, now));
    } else if (u.deploymentProgressing(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
      const cond = u.newCondition('Progressing', 'True', u.Reasons.ReplicaSetUpdated, msg, now);
      // Progress moves lastUpdateTime even with the same reason; lastTransitionTime stays while True.
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        u.removeCondition(status, 'Progressing');
      }
      u.setCondition(status, cond);
    } else if (u.deploymentTimedOut(d, status, now)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
      u.setCondition(status, u.newCondition('Progressing', 'False', u.Reasons.TimedOut, msg, now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) u.setCondition(status, failure as any);
  else u.removeCondition(status, 'ReplicaFailure');

  if (u.statusEqual(d.status, status)) {
    requeueStuckDeployment(s, d, status, now);
    return;
  }
  d.status = status;
  await s.updateStatus(d);
}

/** requeueStuckDeployment: check again at lastUpdateTime + progressDeadlineSeconds (+1 s). Returns the delay. */
export function requeueStuckDeployment(s: Syncer, d: D, status: NonNullable<D['status']>, now: number): number {
  const cur = u.getCondition(d.status, 'Progressing');
  if (!u.hasProgressDeadline(d) || !cur) return -1;
  if (u.deploymentComplete(d, status) || cur.reason === u.Reasons.TimedOut) return -1;
  const after = Date.parse(cur.lastUpdateTime ?? '') + d.spec.progressDeadlineSeconds! * 1000 - now;
  if (after < 1000) { s.ctx.enqueueRateLimited(d); return 0; }
  s.ctx.enqueueAfter(d, after + 1000);
  return after;
}
