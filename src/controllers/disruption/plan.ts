/**
 * The disruption controller's rules, pure (upstream pkg/controller/disruption/disruption.go and
 * k8s.io/component-helpers/apps/poddisruptionbudget): which pods a budget covers, how many are expected (from the
 * scale of the pods' controllers), how many must stay healthy, how many are healthy now, which evictions are still
 * in flight (status.disruptedPods), and the status (with the DisruptionAllowed condition) that follows.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.d.ts';
import { selectorMatches } from '../../client/selector.ts';
import { rfc3339 } from '../../util/clock.ts';
import { findCondition, setStatusCondition } from '../../api/validation/conditions.ts';
import { deepEqual } from '../../api/validation/field.ts';

/** How long an eviction may stay in status.disruptedPods before the pod is assumed not to be deleted (2 min). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;
/** How long a pod may keep a DisruptionTarget condition without being deleted before it is reset (2 min). */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60_000;

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';
export const SYNC_FAILED = 'SyncFailed';

type Obj = { metadata?: { uid?: string; ownerReferences?: OwnerReference[]; name?: string; namespace?: string }; spec?: { replicas?: number } };

/** IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return !!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The pods of a namespace a budget covers: a null selector covers none, an empty one ({}) all. */
export function podsForBudget(pdb: PodDisruptionBudget, pods: Pod[]): Pod[] {
  const sel = pdb.spec?.selector;
  if (!sel) return [];
  return pods.filter((p) => selectorMatches(sel, p.metadata?.labels));
}

/** The budgets of the pod's namespace that cover it (upstream GetPodPodDisruptionBudgets, v1 semantics). */
export function budgetsForPod(pod: Pod, pdbs: PodDisruptionBudget[]): PodDisruptionBudget[] {
  return pdbs.filter((b) => b.metadata?.namespace === pod.metadata?.namespace && !!b.spec?.selector && selectorMatches(b.spec.selector, pod.metadata?.labels));
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) throw new Error('nil value for IntOrString');
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const n = Number(v.slice(0, -1));
  if (!/^-?\d+$/.test(v.slice(0, -1))) throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}: strconv.Atoi: parsing ${JSON.stringify(v.slice(0, -1))}: invalid syntax`);
  return roundUp ? Math.ceil((n * total) / 100) : Math.floor((n * total) / 100);
}

/** A pod's controller and its scale (upstream controllerAndScale). */
export interface ControllerAndScale { uid: string; scale: number }

/**
 * What the finders read: the workload objects by kind (from informer caches; a kind the cluster does not serve
 * answers undefined) and, for any other owner, its scale subresource (upstream getScaleController: null when the
 * object is gone, an Error when its resource has no scale subresource or is unknown).
 */
export interface WorkloadLookup {
  get(kind: 'ReplicaSet' | 'Deployment' | 'StatefulSet' | 'ReplicationController', namespace: string, name: string): Obj | undefined;
  scale(ref: OwnerReference, namespace: string): Promise<ControllerAndScale | null>;
}

const groupOf = (apiVersion: string | undefined) => {
  const av = apiVersion ?? '';
  const i = av.indexOf('/');
  return i < 0 ? '' : av.slice(0, i);
};
/** verifyGroupKind: the reference names `kind` in one of `groups`. */
export function verifyGroupKind(ref: OwnerReference, kind: string, groups: string[]): boolean {
  return ref.kind === kind && groups.includes(groupOf(ref.apiVersion));
}
const controllerOf = (o: Obj) => o.metadata?.ownerReferences?.find((r) => r.controller === true);
const replicas = (o: Obj) => o.spec?.replicas ?? 1;

type Finder = (ref: OwnerReference, ns: string, l: WorkloadLookup) => Promise<ControllerAndScale | null> | ControllerAndScale | null;

/** A ReplicaSet not controlled by a Deployment. */
export const findReplicaSet: Finder = (ref, ns, l) => {
  if (!verifyGroupKind(ref, 'ReplicaSet', ['apps', 'extensions'])) return null;
  const rs = l.get('ReplicaSet', ns, ref.name);
  if (!rs || rs.metadata?.uid !== ref.uid) return null;
  if (controllerOf(rs)?.kind === 'Deployment') return null;
  return { uid: rs.metadata!.uid!, scale: replicas(rs) };
};
/** A workload that owns its pods directly and carries spec.replicas. */
const findDirect = (kind: 'StatefulSet' | 'ReplicationController', groups: string[]): Finder => (ref, ns, l) => {
  if (!verifyGroupKind(ref, kind, groups)) return null;
  const o = l.get(kind, ns, ref.name);
  if (!o || o.metadata?.uid !== ref.uid) return null;
  return { uid: o.metadata!.uid!, scale: replicas(o) };
};
export const findStatefulSet = findDirect('StatefulSet', ['apps']);
export const findReplicationController = findDirect('ReplicationController', ['']);
/** The Deployment of the pod's ReplicaSet. */
export const findDeployment: Finder = (ref, ns, l) => {
  if (!verifyGroupKind(ref, 'ReplicaSet', ['apps', 'extensions'])) return null;
  const rs = l.get('ReplicaSet', ns, ref.name);
  if (!rs || rs.metadata?.uid !== ref.uid) return null;
  const dref = controllerOf(rs);
  if (!dref || !verifyGroupKind(dref, 'Deployment', ['apps', 'extensions'])) return null;
  const d = l.get('Deployment', ns, dref.name);
  if (!d || d.metadata?.uid !== dref.uid) return null;
  return { uid: d.metadata!.uid!, scale: replicas(d) };
};
export const findScaleController: Finder = async (ref, ns, l) => {
  const s = await l.scale(ref, ns);
  if (!s || s.uid !== ref.uid) return null;
  return s;
};
/** In upstream's order: typed workloads first (from caches), the scale subresource last. */
export const FINDERS: Finder[] = [findReplicationController, findDeployment, findReplicaSet, findStatefulSet, findScaleController];

/**
 * getExpectedScale: the sum of the scales of the pods' controllers (each counted once); pods without a controller
 * are unmanaged (reported, not counted); a pod whose controller no finder knows is an error.
 */
export async function expectedScale(pods: Pod[], l: WorkloadLookup): Promise<{ expectedCount: number; unmanagedPods: string[] }> {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod as Obj);
    if (!ref) { unmanagedPods.push(pod.metadata?.name ?? ''); continue; }
    if (scales.has(ref.uid)) continue;
    let found = false;
    for (const f of FINDERS) {
      const cs = await f(ref, pod.metadata?.namespace ?? '', l);
      if (cs) { scales.set(cs.uid, cs.scale); found = true; break; }
    }
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata?.name ?? '')}`);
  }
  let expectedCount = 0;
  for (const s of scales.values()) expectedCount += s;
  return { expectedCount, unmanagedPods };
}

export interface ExpectedPodCount { expectedCount: number; desiredHealthy: number; unmanagedPods: string[] }

/** getExpectedPodCount: maxUnavailable (scaled, rounded up) or minAvailable (an integer counts the pods; a
 *  percentage scales the controllers' replicas, rounded up). */
export async function expectedPodCount(pdb: PodDisruptionBudget, pods: Pod[], l: WorkloadLookup): Promise<ExpectedPodCount> {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = await expectedScale(pods, l);
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable), unmanagedPods };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanagedPods: [] };
    const { expectedCount, unmanagedPods } = await expectedScale(pods, l);
    return { expectedCount, desiredHealthy: scaledValue(spec.minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/**
 * buildDisruptedPodMap: the evictions still in flight — pods named in status.disruptedPods that exist, are not yet
 * being deleted and were evicted less than DELETION_TIMEOUT ago — and when to look again (the earliest expiry).
 * `expired` names the pods that should have been deleted by now but were not (upstream's NotDeleted events).
 */
export function buildDisruptedPodMap(pods: Pod[], pdb: PodDisruptionBudget, nowMs: number): { disrupted: Record<string, string>; recheckAt?: number; expired: string[] } {
  const disrupted: Record<string, string> = {};
  const expired: string[] = [];
  const cur = pdb.status?.disruptedPods;
  if (!cur) return { disrupted, expired };
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const name = pod.metadata?.name ?? '';
    const t = cur[name];
    if (t === undefined) continue;
    const expectedDeletion = Date.parse(t) + DELETION_TIMEOUT_MS;
    if (expectedDeletion < nowMs) { expired.push(name); continue; }
    if (recheckAt === undefined || expectedDeletion < recheckAt) recheckAt = expectedDeletion;
    disrupted[name] = t;
  }
  return { disrupted, recheckAt, expired };
}

/** countHealthyPods: ready pods that are neither being deleted nor (recently) evicted. */
export function countHealthyPods(pods: Pod[], disrupted: Record<string, string>, nowMs: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const t = disrupted[pod.metadata?.name ?? ''];
    if (t !== undefined && Date.parse(t) + DELETION_TIMEOUT_MS > nowMs) continue;
    if (isPodReady(pod)) n++;
  }
  return n;
}

/** UpdateDisruptionAllowedCondition: True/SufficientPods when disruptions are allowed, else False/InsufficientPods. */
export function withDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, nowMs: number): PodDisruptionBudgetStatus {
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  const conditions = setStatusCondition(status.conditions ?? [], {
    type: DISRUPTION_ALLOWED, status: allowed ? 'True' : 'False', reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS,
    message: '', observedGeneration: status.observedGeneration,
  }, rfc3339(nowMs));
  return { ...status, conditions: conditions as PodDisruptionBudgetStatus['conditions'] };
}

/** ConditionsAreUpToDate. */
export function conditionsAreUpToDate(pdb: PodDisruptionBudget): boolean {
  const c = findCondition(pdb.status?.conditions, DISRUPTION_ALLOWED);
  if (!c) return false;
  if ((pdb.status?.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  if ((pdb.status?.disruptionsAllowed ?? 0) > 0) return c.status === 'True' && c.reason === SUFFICIENT_PODS;
  return c.status === 'False' && c.reason === INSUFFICIENT_PODS;
}

/**
 * updatePdbStatus: disruptionsAllowed = currentHealthy − desiredHealthy, and 0 while no pod is expected (so a
 * budget whose pods appear before its first sync is safe). Returns the new status, or undefined when the stored one
 * already says all of it.
 */
export function nextStatus(pdb: PodDisruptionBudget, currentHealthy: number, desiredHealthy: number, expectedCount: number,
  disrupted: Record<string, string>, nowMs: number): PodDisruptionBudgetStatus | undefined {
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const st = pdb.status ?? {} as PodDisruptionBudgetStatus;
  const generation = pdb.metadata?.generation ?? 0;
  if ((st.currentHealthy ?? 0) === currentHealthy && (st.desiredHealthy ?? 0) === desiredHealthy &&
    (st.expectedPods ?? 0) === expectedCount && (st.disruptionsAllowed ?? 0) === disruptionsAllowed &&
    deepEqual(st.disruptedPods ?? {}, disrupted) && (st.observedGeneration ?? 0) === generation && conditionsAreUpToDate(pdb)) {
    return undefined;
  }
  const next: PodDisruptionBudgetStatus = {
    currentHealthy, desiredHealthy, expectedPods: expectedCount, disruptionsAllowed, observedGeneration: generation,
    conditions: st.conditions,
  };
  if (Object.keys(disrupted).length) next.disruptedPods = disrupted;
  return withDisruptionAllowedCondition(next, nowMs);
}

/** failSafe: after a sync error, allow no disruption (DisruptionAllowed False, reason SyncFailed, the error). */
export function failSafeStatus(pdb: PodDisruptionBudget, err: string, nowMs: number): PodDisruptionBudgetStatus {
  const st = { ...(pdb.status ?? {}) } as PodDisruptionBudgetStatus;
  st.disruptionsAllowed = 0;
  st.conditions = setStatusCondition(st.conditions ?? [], {
    type: DISRUPTION_ALLOWED, status: 'False', reason: SYNC_FAILED, message: err, observedGeneration: st.observedGeneration,
  }, rfc3339(nowMs)) as PodDisruptionBudgetStatus['conditions'];
  return st;
}

/** What one sync of a budget concludes (upstream trySync, with failSafe on a counting error). */
export interface BudgetSync {
  /** The pods the budget covers. */
  pods: Pod[];
  /** The status to write; undefined when the stored one is current. */
  status?: PodDisruptionBudgetStatus;
  /** When an in-flight eviction times out (sync again then). */
  recheckAt?: number;
  unmanagedPods: string[];
  /** Pods that should have been deleted by now (NotDeleted events). */
  expired: string[];
  /** Why the expected pod count could not be computed (the status is then failSafe's). */
  countError?: string;
}

export async function syncBudget(pdb: PodDisruptionBudget, namespacePods: Pod[], l: WorkloadLookup, nowMs: number): Promise<BudgetSync> {
  const pods = podsForBudget(pdb, namespacePods);
  let count: ExpectedPodCount;
  try {
    count = await expectedPodCount(pdb, pods, l);
  } catch (e) {
    const countError = (e as Error).message ?? String(e);
    return { pods, unmanagedPods: [], expired: [], countError, status: failSafeStatus(pdb, countError, nowMs) };
  }
  const { disrupted, recheckAt, expired } = buildDisruptedPodMap(pods, pdb, nowMs);
  const currentHealthy = countHealthyPods(pods, disrupted, nowMs);
  const status = nextStatus(pdb, currentHealthy, count.desiredHealthy, count.expectedCount, disrupted, nowMs);
  return { pods, status, recheckAt, unmanagedPods: count.unmanagedPods, expired };
}

/**
 * nonTerminatingPodHasStaleDisruptionCondition: a live pod whose DisruptionTarget=True condition (set by an eviction
 * that did not delete it) is older than the timeout gets it reset; returns the delay until then, or undefined.
 */
export function staleDisruptionDelay(pod: Pod, nowMs: number): number | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const c = pod.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
  const phase = pod.status?.phase;
  if (!c || c.status !== 'True' || c.reason === 'TerminationByKubelet' || phase === 'Succeeded' || phase === 'Failed') return undefined;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : nowMs;
  return Math.max(0, STALE_POD_DISRUPTION_TIMEOUT_MS - (nowMs - since));
}
