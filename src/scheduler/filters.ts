/**
 * Scheduler filters (upstream's Filter plugins), pure: NodeName, NodeUnschedulable, NodeAffinity (nodeSelector and
 * required node affinity), TaintToleration, NodeResourcesFit. Each returns the upstream reason strings that end up
 * in the FailedScheduling message, and whether preemption could help ("resolvable").
 */
import type { Node, Pod, Taint, NodeSelectorRequirement, NodeSelectorTerm, Container } from 'kubernetes-types/core/v1.d.ts';
import { milliCPU, wholeValue } from './quantity.ts';
import { findUntoleratedTaint, taintString, TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from '../api/taints.ts';

export interface Resources { cpu: number; memory: number; pods: number }

/** A node and the pods bound (or assumed bound) to it. */
export interface NodeInfo {
  node: Node;
  pods: Pod[];
}

export interface FilterResult {
  /** Upstream reason strings ("Insufficient cpu", "node(s) had untolerated taint {k: v}", …); empty = fits. */
  reasons: string[];
  /** UnschedulableAndUnresolvable (preemption is not helpful) when false. */
  resolvable: boolean;
}

export const REASON_NODE_NAME = "node(s) didn't match the requested node name";
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_SELECTOR = "node(s) didn't match Pod's node affinity/selector";
export const REASON_TOO_MANY_PODS = 'Too many pods';

/** Upstream's defaults for containers without requests, used only for scoring (NonZeroRequested). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

function containerRequests(c: Container): { cpu: number; memory: number } {
  const req = (c.resources?.requests ?? {}) as Record<string, string>;
  const lim = (c.resources?.limits ?? {}) as Record<string, string>;
  // Requests default to limits when only limits are given (API defaulting does this; be robust to its absence).
  return { cpu: milliCPU(req.cpu ?? lim.cpu), memory: wholeValue(req.memory ?? lim.memory) };
}

/** A pod's effective requests: max(sum of containers, largest init container), plus overhead (upstream). */
export function podRequests(pod: Pod): { cpu: number; memory: number } {
  let cpu = 0, memory = 0;
  for (const c of pod.spec?.containers ?? []) { const r = containerRequests(c); cpu += r.cpu; memory += r.memory; }
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c);
    cpu = Math.max(cpu, r.cpu); memory = Math.max(memory, r.memory);
  }
  const oh = (pod.spec?.overhead ?? {}) as Record<string, string>;
  return { cpu: cpu + milliCPU(oh.cpu), memory: memory + wholeValue(oh.memory) };
}

/** Requests with upstream's non-zero defaults for containers that request nothing (for scoring only). */
export function podNonZeroRequests(pod: Pod): { cpu: number; memory: number } {
  let cpu = 0, memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    const r = containerRequests(c);
    cpu += r.cpu || DEFAULT_MILLI_CPU_REQUEST;
    memory += r.memory || DEFAULT_MEMORY_REQUEST;
  }
  return { cpu, memory };
}

export function allocatable(node: Node): Resources {
  const a = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, string>;
  return { cpu: milliCPU(a.cpu), memory: wholeValue(a.memory), pods: a.pods !== undefined ? wholeValue(a.pods) : 110 };
}

export function requested(info: NodeInfo): Resources {
  const r = { cpu: 0, memory: 0, pods: info.pods.length };
  for (const p of info.pods) { const q = podRequests(p); r.cpu += q.cpu; r.memory += q.memory; }
  return r;
}

/** Ready condition status of a node: 'True' | 'False' | 'Unknown' (absent counts as Unknown). */
export function nodeReadyStatus(node: Node): string {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

/**
 * The node's taints plus the NoSchedule taints the node lifecycle controller adds for its conditions
 * (TaintNodesByCondition), so a node that is not Ready is avoided even before the controller has tainted it.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const has = (key: string, effect: string) => taints.some((t) => t.key === key && t.effect === effect);
  const ready = nodeReadyStatus(node);
  if (ready === 'False' && !has(TAINT_NOT_READY, 'NoSchedule')) taints.push({ key: TAINT_NOT_READY, effect: 'NoSchedule' });
  if (ready === 'Unknown' && !has(TAINT_UNREACHABLE, 'NoSchedule')) taints.push({ key: TAINT_UNREACHABLE, effect: 'NoSchedule' });
  return taints;
}

export function filterNodeName(pod: Pod, node: Node): FilterResult | null {
  const want = pod.spec?.nodeName;
  if (want && want !== node.metadata?.name) return { reasons: [REASON_NODE_NAME], resolvable: false };
  return null;
}

export function filterNodeUnschedulable(pod: Pod, node: Node): FilterResult | null {
  if (!node.spec?.unschedulable) return null;
  const tolerated = (pod.spec?.tolerations ?? []).some((t) =>
    (!t.key || t.key === TAINT_UNSCHEDULABLE) && (t.operator === 'Exists' || !t.key) && (!t.effect || t.effect === 'NoSchedule'));
  return tolerated ? null : { reasons: [REASON_UNSCHEDULABLE], resolvable: false };
}

function matchRequirement(labels: Record<string, string>, r: NodeSelectorRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.operator) {
    case 'In': return has && (r.values ?? []).includes(v);
    case 'NotIn': return !has || !(r.values ?? []).includes(v);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': case 'Lt': {
      if (!has || !(r.values ?? []).length) return false;
      const a = Number.parseInt(v, 10), b = Number.parseInt(r.values![0], 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
}

function matchTerm(node: Node, term: NodeSelectorTerm): boolean {
  const labels = (node.metadata?.labels ?? {}) as Record<string, string>;
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false; // an empty term matches nothing
  if (!exprs.every((r) => matchRequirement(labels, r))) return false;
  return fields.every((r) => r.key === 'metadata.name' && matchRequirement({ 'metadata.name': node.metadata?.name ?? '' }, r));
}

export function filterNodeAffinity(pod: Pod, node: Node): FilterResult | null {
  const labels = (node.metadata?.labels ?? {}) as Record<string, string>;
  const sel = (pod.spec?.nodeSelector ?? {}) as Record<string, string>;
  let ok = Object.entries(sel).every(([k, v]) => labels[k] === v);
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (ok && req) ok = (req.nodeSelectorTerms ?? []).some((t) => matchTerm(node, t));
  return ok ? null : { reasons: [REASON_SELECTOR], resolvable: false };
}

export function filterTaints(pod: Pod, node: Node): FilterResult | null {
  const t = findUntoleratedTaint(effectiveTaints(node), pod.spec?.tolerations, ['NoSchedule', 'NoExecute']);
  return t ? { reasons: [`node(s) had untolerated taint ${taintString(t)}`], resolvable: false } : null;
}

export function filterResources(pod: Pod, info: NodeInfo): FilterResult | null {
  const alloc = allocatable(info.node);
  const used = requested(info);
  const want = podRequests(pod);
  const reasons: string[] = [];
  if (used.pods + 1 > alloc.pods) reasons.push(REASON_TOO_MANY_PODS);
  if (want.cpu > 0 && want.cpu > alloc.cpu - used.cpu) reasons.push('Insufficient cpu');
  if (want.memory > 0 && want.memory > alloc.memory - used.memory) reasons.push('Insufficient memory');
  return reasons.length ? { reasons, resolvable: true } : null;
}

/** Run the filters in upstream's order; the first failing plugin decides the node's status. */
export function runFilters(pod: Pod, info: NodeInfo): FilterResult | null {
  return filterNodeUnschedulable(pod, info.node)
    ?? filterNodeName(pod, info.node)
    ?? filterTaints(pod, info.node)
    ?? filterNodeAffinity(pod, info.node)
    ?? filterResources(pod, info);
}

/**
 * The FailedScheduling message, as upstream's FitError plus the default preemption PostFilter's diagnosis:
 * "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: v}. preemption: 0/2 nodes are
 * available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling."
 */
export function fitErrorMessage(numNodes: number, statuses: FilterResult[]): string {
  if (numNodes === 0) return 'no nodes available to schedule pods';
  const histogram = (items: string[]) => {
    const counts = new Map<string, number>();
    for (const r of items) counts.set(r, (counts.get(r) ?? 0) + 1);
    return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(', ');
  };
  const reasons = histogram(statuses.flatMap((s) => s.reasons));
  const pre = histogram(statuses.map((s) => (s.resolvable ? 'No preemption victims found for incoming pod' : 'Preemption is not helpful for scheduling')));
  return `0/${numNodes} nodes are available: ${reasons}. preemption: 0/${numNodes} nodes are available: ${pre}.`;
}
