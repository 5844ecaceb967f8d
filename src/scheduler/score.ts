/**
 * Scoring, pure: spread the pods of one owner (ReplicaSet, …) across nodes — upstream's default
 * PodTopologySpread over hostnames — then prefer the least allocated node (NodeResourcesFit LeastAllocated with
 * non-zero request defaults). Ties break by node name, so placement is deterministic.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { allocatable, podNonZeroRequests, type NodeInfo } from './filters.ts';

/** The uid of a pod's controller ownerReference, if any. */
export function controllerUid(pod: Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find((o) => o.controller)?.uid;
}

/** How many pods of the same controller (or, for unowned pods, with the same labels) the node holds. */
export function samePeerCount(pod: Pod, info: NodeInfo): number {
  const owner = controllerUid(pod);
  if (!owner) return 0;
  return info.pods.filter((p) => controllerUid(p) === owner && p.metadata?.uid !== pod.metadata?.uid).length;
}

/** LeastAllocated score in [0, 100]: the mean free fraction of cpu and memory after placing the pod. */
export function leastAllocatedScore(pod: Pod, info: NodeInfo): number {
  const alloc = allocatable(info.node);
  const want = podNonZeroRequests(pod);
  let cpu = want.cpu, mem = want.memory;
  for (const p of info.pods) { const r = podNonZeroRequests(p); cpu += r.cpu; mem += r.memory; }
  const free = (used: number, cap: number) => (cap <= 0 || used > cap ? 0 : ((cap - used) * 100) / cap);
  return (free(cpu, alloc.cpu) + free(mem, alloc.memory)) / 2;
}

export interface NodeScore { name: string; peers: number; leastAllocated: number }

export function scoreNodes(pod: Pod, feasible: NodeInfo[]): NodeScore[] {
  return feasible.map((info) => ({
    name: info.node.metadata?.name ?? '',
    peers: samePeerCount(pod, info),
    leastAllocated: leastAllocatedScore(pod, info),
  }));
}

/** The best node: fewest pods of the same owner, then least allocated, then name. Undefined if none. */
export function selectHost(pod: Pod, feasible: NodeInfo[]): string | undefined {
  const scores = scoreNodes(pod, feasible);
  scores.sort((a, b) => a.peers - b.peers || b.leastAllocated - a.leastAllocated || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scores[0]?.name;
}
