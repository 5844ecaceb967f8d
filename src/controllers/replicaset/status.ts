/**
 * ReplicaSet status from its pods (upstream replica_set_utils.go calculateStatus): replicas, fullyLabeledReplicas
 * (pods carrying every template label), readyReplicas, availableReplicas (ready for minReadySeconds), and the
 * ReplicaFailure condition (FailedCreate/FailedDelete) while managing replicas fails.
 */
import type { ReplicaSet, ReplicaSetStatus, ReplicaSetCondition } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { isPodAvailable, isPodReady } from './pods.ts';
import { rfc3339 } from '../../util/clock.ts';

export function calculateReplicaSetStatus(rs: ReplicaSet, pods: Pod[], manageErr: Error | undefined, now: number): ReplicaSetStatus {
  const st: ReplicaSetStatus = { ...(rs.status ?? { replicas: 0 }) };
  if (rs.status?.conditions) st.conditions = rs.status.conditions.map((c) => ({ ...c }));
  const tmpl = rs.spec?.template?.metadata?.labels ?? {};
  let fully = 0, ready = 0, available = 0;
  for (const p of pods) {
    const l = p.metadata?.labels ?? {};
    if (Object.entries(tmpl).every(([k, v]) => l[k] === v)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, rs.spec?.minReadySeconds ?? 0, now)) available++;
    }
  }
  const failure = st.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (manageErr && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 0);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const c: ReplicaSetCondition = { type: 'ReplicaFailure', status: 'True', reason, message: manageErr.message, lastTransitionTime: rfc3339(now) };
    st.conditions = [...(st.conditions ?? []), c];
  } else if (!manageErr && failure) {
    st.conditions = st.conditions!.filter((c) => c.type !== 'ReplicaFailure');
    if (st.conditions.length === 0) delete st.conditions;
  }
  st.replicas = pods.length;
  st.fullyLabeledReplicas = fully;
  st.readyReplicas = ready;
  st.availableReplicas = available;
  return st;
}

/** Whether a status write is needed (upstream updateReplicaSetStatus's short-cut). */
export function replicaSetStatusChanged(rs: ReplicaSet, st: ReplicaSetStatus): boolean {
  const o = rs.status ?? { replicas: 0 };
  return (o.replicas ?? 0) !== st.replicas || (o.fullyLabeledReplicas ?? 0) !== (st.fullyLabeledReplicas ?? 0)
    || (o.readyReplicas ?? 0) !== (st.readyReplicas ?? 0) || (o.availableReplicas ?? 0) !== (st.availableReplicas ?? 0)
    || (o.observedGeneration ?? 0) !== (rs.metadata?.generation ?? 0)
    || JSON.stringify(o.conditions ?? []) !== JSON.stringify(st.conditions ?? []);
}

/** Slow start: batch sizes 1, 2, 4, … up to `count`. */
export function slowStartBatches(count: number, initial = 1): number[] {
  const out: number[] = [];
  let remaining = count, size = Math.min(initial, count);
  while (remaining > 0) {
    out.push(size);
    remaining -= size;
    size = Math.min(2 * size, remaining);
  }
  return out;
}

/**
 * What one sync of a ReplicaSet does about its pod count (upstream manageReplicas): create or delete the
 * difference, at most `burst` (upstream burstReplicas, 500) per sync, creations in slow-start batches 1, 2, 4, …
 * The desired count is the stored spec, whatever it is: a value no decoder would accept today (stored before the
 * range check, or written by a broken client) still yields a bounded plan; a non-number or negative is 0.
 */
export type ReplicaPlan = { create: number; batches: number[]; delete: 0 } | { create: 0; batches: []; delete: number };
export function planReplicaChange(current: number, desired: unknown, burst: number): ReplicaPlan {
  const want = typeof desired === 'number' && Number.isFinite(desired) && desired > 0 ? Math.floor(desired) : 0;
  const diff = current - want;
  if (diff < 0) {
    const create = Math.min(-diff, burst);
    return { create, batches: slowStartBatches(create), delete: 0 };
  }
  return { create: 0, batches: [], delete: Math.min(diff, burst) };
}