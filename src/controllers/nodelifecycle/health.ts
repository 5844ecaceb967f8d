/**
 * Node health decisions of the node lifecycle controller, pure (upstream pkg/controller/nodelifecycle):
 *  - a node is healthy while its Lease in kube-node-lease (or its Ready condition's heartbeat) was renewed within
 *    the grace period (node-monitor-grace-period, 40 s upstream). Renewals are timed by this controller's clock
 *    when it observes them, so clock skew between machines does not matter (upstream's probeTimestamp);
 *  - an unhealthy node's conditions become Unknown, reason NodeStatusUnknown, "Kubelet stopped posting node status.";
 *  - taints follow the Ready condition (TaintNodesByCondition + NoExecute tainting): Ready=False →
 *    node.kubernetes.io/not-ready, Ready=Unknown → node.kubernetes.io/unreachable, each NoSchedule and NoExecute;
 *    spec.unschedulable → node.kubernetes.io/unschedulable:NoSchedule.
 */
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.d.ts';
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import { rfc3339 } from '../../util/clock.ts';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from '../../api/taints.ts';

export interface HealthObservation {
  /** Last seen lease renewTime and Ready heartbeat, and when (controller clock) either last changed. */
  renewTime?: string;
  heartbeat?: string;
  probeAt: number;
}

/** Update the observation of a node from its current Lease and Node. */
export function observe(prev: HealthObservation | undefined, node: Node, lease: Lease | undefined, now: number): HealthObservation {
  const renewTime = lease?.spec?.renewTime as string | undefined;
  const heartbeat = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime as string | undefined;
  if (!prev) return { renewTime, heartbeat, probeAt: now };
  if (renewTime !== prev.renewTime || heartbeat !== prev.heartbeat) return { renewTime, heartbeat, probeAt: now };
  return prev;
}

export function isHealthy(obs: HealthObservation, now: number, gracePeriodMs: number): boolean {
  return now - obs.probeAt <= gracePeriodMs;
}

export const NODE_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const MSG_STOPPED_POSTING = 'Kubelet stopped posting node status.';
export const MSG_NEVER_POSTED = 'Kubelet never posted node status.';
const MONITORED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/**
 * The conditions an unhealthy node should have, or null when nothing changes (already Unknown).
 * Heartbeat times are kept; transition times are set to now for conditions that change.
 */
export function unknownConditions(node: Node, now: number): NodeCondition[] | null {
  const conds = [...(node.status?.conditions ?? [])];
  let changed = false;
  const ts = rfc3339(now);
  const ready = conds.find((c) => c.type === 'Ready');
  if (!ready) {
    conds.push({ type: 'Ready', status: 'Unknown', reason: NODE_STATUS_UNKNOWN, message: MSG_NEVER_POSTED, lastHeartbeatTime: ts, lastTransitionTime: ts } as NodeCondition);
    changed = true;
  }
  const out = conds.map((c) => {
    if (!MONITORED.includes(c.type) || c.status === 'Unknown') return c;
    changed = true;
    return { ...c, status: 'Unknown', reason: NODE_STATUS_UNKNOWN, message: MSG_STOPPED_POSTING, lastTransitionTime: ts };
  });
  return changed ? out : null;
}

/** The taints a node should carry given its Ready condition, or null when they are already right. */
export function desiredTaints(node: Node, now: number): Taint[] | null {
  const current = node.spec?.taints ?? [];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const managed = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE]);
  const want: { key: string; effect: string }[] = [];
  if (ready === 'False') want.push({ key: TAINT_NOT_READY, effect: 'NoSchedule' }, { key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') want.push({ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const kept = current.filter((t) => !managed.has(t.key) || want.some((w) => w.key === t.key && w.effect === t.effect));
  const added: Taint[] = want
    .filter((w) => !kept.some((t) => t.key === w.key && t.effect === w.effect))
    .map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: rfc3339(now) } : { ...w }) as Taint);
  if (!added.length && kept.length === current.length) return null;
  return [...kept, ...added];
}

/** A pod's conditions with Ready set to False (upstream MarkPodsNotReady), or null when it is not Ready already. */
export function podNotReadyConditions(pod: { status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } }, now: number): any[] | null {
  const conds = pod.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return null;
  return conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c));
}

/**
 * Pod garbage collection of orphans (upstream PodGC gcOrphaned): pods bound to a node that does not exist are
 * deleted at once (grace 0) once the node has been missing for `quarantineMs`. `missingSince` remembers when each
 * node name was first seen missing and is updated in place. Returns the keys ("ns/name") to delete.
 */
export function orphanedPods(pods: { metadata?: { namespace?: string; name?: string }; spec?: { nodeName?: string } }[],
  nodeNames: Set<string>, missingSince: Map<string, number>, now: number, quarantineMs: number): string[] {
  const out: string[] = [];
  const stillMissing = new Set<string>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (!n || nodeNames.has(n)) continue;
    stillMissing.add(n);
    if (!missingSince.has(n)) missingSince.set(n, now);
    if (now - missingSince.get(n)! >= quarantineMs) out.push(`${p.metadata?.namespace ?? 'default'}/${p.metadata?.name}`);
  }
  for (const n of [...missingSince.keys()]) if (!stillMissing.has(n)) missingSince.delete(n);
  return out;
}
