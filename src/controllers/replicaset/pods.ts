/**
 * Pod predicates shared by the workload controllers (upstream k8s.io/kubernetes/pkg/api/v1/pod and
 * pkg/controller/controller_utils.go): ready, available (minReadySeconds), active.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';

export function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}
/** When the pod became ready (the Ready condition's lastTransitionTime), in ms; undefined if not ready. */
export function podReadyTime(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  return Date.parse(c.lastTransitionTime);
}
/** IsPodAvailable: ready, and (minReadySeconds 0, or ready since more than minReadySeconds). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const t = podReadyTime(pod);
  return t !== undefined && t + minReadySeconds * 1000 < now;
}
/** When a ready pod becomes available (ms), for requeueing. */
export function podAvailableAt(pod: Pod, minReadySeconds: number): number | undefined {
  const t = podReadyTime(pod);
  return t === undefined ? undefined : t + minReadySeconds * 1000 + 1;
}
/** IsPodActive: not Succeeded/Failed and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}
