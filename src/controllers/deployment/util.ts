/**
 * Pure helpers of the Deployment controller, after upstream pkg/controller/deployment/util/deployment_util.go
 * and pkg/controller/controller_utils.go: fence-post resolution, replica arithmetic, new/old ReplicaSet lookup,
 * pod-template-hash, revisions, annotation copy rules, conditions and rollout state. No I/O, no clock reads
 * (time is passed in), so every function is table-tested in test/unit/controllers/.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.d.ts';
import { rfc3339 } from '../../util/clock.ts';

export const RevisionAnnotation = 'deployment.kubernetes.io/revision';
export const RevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const DesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const MaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const LastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
export const DeprecatedRollbackTo = 'deprecated.deployment.rollback.to';
export const DefaultDeploymentUniqueLabelKey = 'pod-template-hash';
/** Upstream caps revision-history at 2000 characters. */
export const MaxRevHistoryLengthInChars = 2000;

// Condition reasons (upstream util constants).
export const Reasons = {
  FailedRSCreate: 'ReplicaSetCreateError',
  NewRSNew: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  NewRSAvailable: 'NewReplicaSetAvailable',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  TimedOut: 'ProgressDeadlineExceeded',
  PausedDeploy: 'DeploymentPaused',
  ResumedDeploy: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

const MaxInt32 = 2147483647;

// ---------------------------------------------------------------- int-or-percent and fence posts

/** intstr.GetScaledValueFromIntOrPercent: ints as is; "N%" of total, rounded up or down. */
export function scaledValueFromIntOrPercent(v: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const n = Number(v.slice(0, -1));
  if (!Number.isInteger(n)) throw new Error(`invalid value "${v}": strconv.Atoi: parsing "${v.slice(0, -1)}": invalid syntax`);
  const x = (n * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down; both 0 → unavailable 1. */
export function resolveFenceposts(maxSurge: number | string | undefined | null, maxUnavailable: number | string | undefined | null, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = scaledValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export const replicasOf = (x: { spec?: { replicas?: number } } | undefined | null): number => x?.spec?.replicas ?? 0;
export const isRollingUpdate = (d: Deployment): boolean => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', replicas);
  return Math.min(unavailable, replicas);
}
export function minAvailable(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  return replicasOf(d) - maxUnavailable(d);
}
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', replicasOf(d)).surge;
}

// ---------------------------------------------------------------- replica counts

export const sumSpec = (rss: (ReplicaSet | undefined | null)[]): number => rss.reduce((s, rs) => s + (rs ? replicasOf(rs) : 0), 0);
export const sumActual = (rss: (ReplicaSet | undefined | null)[]): number => rss.reduce((s, rs) => s + (rs?.status?.replicas ?? 0), 0);
export const sumReady = (rss: (ReplicaSet | undefined | null)[]): number => rss.reduce((s, rs) => s + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (rss: (ReplicaSet | undefined | null)[]): number => rss.reduce((s, rs) => s + (rs?.status?.availableReplicas ?? 0), 0);
export const filterActive = (rss: (ReplicaSet | undefined | null)[]): ReplicaSet[] => rss.filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);

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

// ---------------------------------------------------------------- ordering

const ts = (s: string | undefined): number => (s ? Date.parse(s) : 0);
/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = ts(a.metadata?.creationTimestamp) - ts(b.metadata?.creationTimestamp);
  if (d !== 0) return d;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0;
}
/** ReplicaSetsBySizeOlder: larger first; ties, older first. */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet): number => replicasOf(b) - replicasOf(a) || byCreation(a, b);
/** ReplicaSetsBySizeNewer: larger first; ties, newer first. */
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet): number => replicasOf(b) - replicasOf(a) || byCreation(b, a);
/** ReplicaSetsByRevision: lower revision first; ties by creation. */
export const byRevision = (a: ReplicaSet, b: ReplicaSet): number => revision(a) - revision(b) || byCreation(a, b);

// ---------------------------------------------------------------- templates and hashing

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0)
    || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
}

/** A canonical form: keys sorted, empty values (null, undefined, {}, []) dropped, as Go's omitempty + semantic equality. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const c = canonical((v as any)[k]);
      if (!isEmpty(c)) out[k] = c;
    }
    return out;
  }
  return v;
}

function withoutHash(t: PodTemplateSpec | undefined): unknown {
  const c: any = structuredClone(t ?? {});
  if (c.metadata?.labels) delete c.metadata.labels[DefaultDeploymentUniqueLabelKey];
  return canonical(c);
}

/** Canonical JSON of templates, cached per template object (informer objects are never mutated). */
const canonCache = new WeakMap<object, string>();
function templateKey(t: PodTemplateSpec | undefined): string {
  if (!t) return JSON.stringify(withoutHash(t));
  let k = canonCache.get(t);
  if (k === undefined) { k = JSON.stringify(withoutHash(t)); canonCache.set(t, k); }
  return k;
}

/** EqualIgnoreHash: templates equal apart from the pod-template-hash label (semantic: key order, empties). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return templateKey(a) === templateKey(b);
}

export function fnv1a32(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}

/** rand.SafeEncodeString's alphabet: no vowels, no 0/1/3, so hashes never spell words. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * ComputeHash: FNV-1a (32 bit) of the canonical template, then the collision count (little-endian uint32)
 * when set, printed in decimal and mapped through the safe alphabet, as upstream (values differ from upstream's
 * because upstream hashes a Go dump; they are deterministic and change with collisionCount).
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number | null): string {
  let h = fnv1a32(new TextEncoder().encode(JSON.stringify(canonical(template ?? {}))));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(b, h);
  }
  return safeEncodeString(String(h));
}

// ---------------------------------------------------------------- new / old ReplicaSets

/** FindNewReplicaSet: the oldest RS whose template equals the Deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
  const want = JSON.stringify(withoutHash(d.spec?.template));
  return [...rsList].sort(byCreation).find((rs) => templateKey(rs.spec?.template) === want);
}

/** FindOldReplicaSets: every RS but the new one (`all`), and those of them with pods (`required`). */
export function findOldReplicaSets(d: Deployment, rsList: ReplicaSet[]): { required: ReplicaSet[]; all: ReplicaSet[] } {
  const newRS = findNewReplicaSet(d, rsList);
  const allOld = rsList.filter((rs) => rs !== newRS);
  return { required: allOld.filter((rs) => replicasOf(rs) !== 0), all: allOld };
}

/** FindActiveOrLatest: the only active RS, or (none active) the new RS or the newest old one; else undefined. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

// ---------------------------------------------------------------- revisions and annotations

export function revision(obj: { metadata?: { annotations?: Record<string, string> } } | undefined | null): number {
  const v = obj?.metadata?.annotations?.[RevisionAnnotation];
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}
export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revision(rs)), 0);
}
/** LastRevision: the second-highest revision (the one `rollout undo` goes back to). */
export function lastRevision(rss: ReplicaSet[]): number {
  let max = 0, second = 0;
  for (const rs of rss) {
    const v = revision(rs);
    if (v >= max) { second = max; max = v; } else if (v > second) second = v;
  }
  return second;
}

const skipCopy = new Set([LastAppliedAnnotation, RevisionAnnotation, RevisionHistoryAnnotation, DesiredReplicasAnnotation, MaxReplicasAnnotation, DeprecatedRollbackTo]);
export const skipCopyAnnotation = (k: string): boolean => skipCopy.has(k);

/** copyDeploymentAnnotationsToReplicaSet (mutates rs); true when something changed. */
export function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  rs.metadata ??= {};
  rs.metadata.annotations ??= {};
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopyAnnotation(k) || rs.metadata.annotations[k] === v) continue;
    rs.metadata.annotations[k] = v;
    changed = true;
  }
  return changed;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  rs.metadata ??= {};
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DesiredReplicasAnnotation] !== String(desired)) { a[DesiredReplicasAnnotation] = String(desired); changed = true; }
  if (a[MaxReplicasAnnotation] !== String(max)) { a[MaxReplicasAnnotation] = String(max); changed = true; }
  return changed;
}
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DesiredReplicasAnnotation] !== String(desired) || a[MaxReplicasAnnotation] !== String(max);
}

/**
 * SetNewReplicaSetAnnotations (mutates rs): copy the Deployment's annotations, raise the revision to
 * `newRevision` when it is higher, moving the old number into revision-history (a rollback), and on a
 * fresh RS set the replicas annotations. True when anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, limitChars = MaxRevHistoryLengthInChars): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const a = rs.metadata!.annotations!;
  const had = Object.prototype.hasOwnProperty.call(a, RevisionAnnotation);
  const oldRevision = a[RevisionAnnotation] ?? '';
  let oldInt = 0;
  if (oldRevision !== '') {
    const n = Number(oldRevision);
    if (!Number.isInteger(n)) return false;
    oldInt = n;
  }
  if (oldInt < newRevision) {
    a[RevisionAnnotation] = String(newRevision);
    changed = true;
  }
  if (had && oldInt < newRevision) {
    const hist = a[RevisionHistoryAnnotation] ?? '';
    let olds = hist.split(',');
    if (olds[0].length === 0) {
      a[RevisionHistoryAnnotation] = oldRevision;
    } else {
      let total = hist.length + oldRevision.length + 1;
      let start = 0;
      while (total > limitChars && start < olds.length) { total -= olds[start].length + 1; start++; }
      if (total <= limitChars) {
        olds = [...olds.slice(start), oldRevision];
        a[RevisionHistoryAnnotation] = olds.join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

// ---------------------------------------------------------------- proportional scaling

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** IsSaturated: the new RS runs the whole Deployment (spec, desired annotation and available all = replicas). */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = intAnnotation(rs, DesiredReplicasAnnotation);
  if (desired === undefined) return false;
  const r = replicasOf(d);
  return replicasOf(rs) === r && desired === r && (rs.status?.availableReplicas ?? 0) === r;
}

/** getReplicaSetFraction: the change this RS gets, scaling by (replicas + surge) / max-replicas annotation. */
export function getReplicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = replicasOf(d);
  if (replicas === 0) return -replicasOf(rs);
  const deploymentMax = replicas + maxSurge(d);
  let before = intAnnotation(rs, MaxReplicasAnnotation);
  if (before === undefined || before === 0) {
    before = d.status?.replicas ?? 0;
    if (before === 0) return 0;
  }
  const scaled = (replicasOf(rs) * deploymentMax) / before;
  // Go's math.Round: half away from zero (values here are non-negative).
  return Math.round(scaled) - replicasOf(rs);
}

/** GetProportion: this RS's share of `toAdd`, clamped to what is left. */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = getReplicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

export interface ScaleAction { rs: ReplicaSet; to: number }

/**
 * The `scale` step of sync.go (used when the Deployment is paused, or its replicas changed): returns the sizes to
 * write. `proportional` actions go through scaleReplicaSet (annotations refreshed even without a size change).
 */
export function planScale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): { actions: ScaleAction[]; proportional: boolean; operation?: 'up' | 'down' } {
  const replicas = replicasOf(d);
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (replicasOf(activeOrLatest) === replicas) return { actions: [], proportional: false };
    return { actions: [{ rs: activeOrLatest, to: replicas }], proportional: false };
  }
  if (isSaturated(d, newRS)) {
    return { actions: filterActive(oldRSs).map((rs) => ({ rs, to: 0 })), proportional: false };
  }
  if (!isRollingUpdate(d)) return { actions: [], proportional: false };
  const all = filterActive([...oldRSs, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - sumSpec(all);
  let operation: 'up' | 'down' | undefined;
  if (toAdd > 0) { all.sort(bySizeNewer); operation = 'up'; } else if (toAdd < 0) { all.sort(bySizeOlder); operation = 'down'; }
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of all) {
    if (toAdd !== 0) {
      const p = getProportion(rs, d, toAdd, added);
      sizes.set(rs, replicasOf(rs) + p);
      added += p;
    } else sizes.set(rs, replicasOf(rs));
  }
  const actions: ScaleAction[] = [];
  all.forEach((rs, i) => {
    let size = sizes.get(rs)!;
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + (toAdd - added));
    actions.push({ rs, to: size });
  });
  return { actions, proportional: true, operation };
}

/** isScalingEvent: an active RS's desired-replicas annotation differs from the Deployment's replicas. */
export function isScalingEvent(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
  for (const rs of filterActive([...oldRSs, newRS])) {
    const desired = intAnnotation(rs, DesiredReplicasAnnotation);
    if (desired === undefined) continue;
    if (desired !== replicasOf(d)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- conditions and status

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}
export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}
/** SetDeploymentCondition: same status+reason → unchanged; same status → keep lastTransitionTime. */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const cur = getCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  const c = { ...cond };
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}
export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== MaxInt32;
}
export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const l = d.spec?.revisionHistoryLimit;
  return l !== undefined && l !== null && l !== MaxInt32;
}

/** DeploymentComplete: every replica updated and available, none extra, and the spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const r = replicasOf(d);
  return (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r
    && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available than the recorded status. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

/** DeploymentTimedOut: the Progressing condition's lastUpdateTime + progressDeadlineSeconds is before now. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === Reasons.NewRSAvailable) return false;
  if (c.reason === Reasons.TimedOut) return true;
  const from = ts(c.lastUpdateTime);
  return from + d.spec!.progressDeadlineSeconds! * 1000 < now;
}

/** calculateStatus (sync.go): counts from the ReplicaSets, and the Available condition. */
export function calculateStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const available = sumAvailable(allRSs);
  const total = sumSpec(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: sumActual(allRSs),
    updatedReplicas: sumActual([newRS]),
    readyReplicas: sumReady(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined && d.status?.collisionCount !== null) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', Reasons.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', Reasons.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Equality of two statuses as upstream's reflect.DeepEqual would see them (empties ignored). */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return JSON.stringify(canonical(a ?? {})) === JSON.stringify(canonical(b ?? {}));
}

/** Is this RS controlled by the object with this uid? */
export function controllerRefOf(obj: { metadata?: { ownerReferences?: { controller?: boolean; uid: string; kind: string; name: string; apiVersion: string }[] } }) {
  return obj.metadata?.ownerReferences?.find((r) => r.controller);
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

/**
 * cleanupDeployment planning: of the old RSs not being deleted, the oldest by revision beyond
 * revisionHistoryLimit that have no replicas (spec and status) and are fully observed.
 */
export function planCleanup(oldRSs: ReplicaSet[], d: Deployment): ReplicaSet[] {
  if (!hasRevisionHistoryLimit(d)) return [];
  const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - d.spec!.revisionHistoryLimit!;
  const out: ReplicaSet[] = [];
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0
      || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata?.deletionTimestamp) continue;
    out.push(rs);
  }
  return out;
}
