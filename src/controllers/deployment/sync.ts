/**
 * The Deployment controller's shared sync machinery (upstream sync.go): finding/creating the new ReplicaSet and
 * syncing revisions, scaling ReplicaSets (with the ScalingReplicaSet event), proportional scaling on a scaling
 * event or while paused, revision-history clean-up, paused conditions and plain status sync.
 * Every decision comes from pure functions — the scaling, status and clean-up plans at the end of this file, the
 * rolling arithmetic in rolling.ts and the shared helpers in util.ts; the Syncer only performs the writes.
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { KubeClient } from '../../client/client.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Clock } from '../../util/clock.ts';
import { R } from '../../client/resources.ts';
import { StatusError } from '../../api/errors.ts';
import { newControllerRef, getControllerOf } from '../../client/controllerref.ts';
import * as u from './util.ts';
import { DesiredReplicasAnnotation, MaxReplicasAnnotation, MaxRevHistoryLengthInChars, Reasons, RevisionAnnotation, RevisionHistoryAnnotation,
  copyDeploymentAnnotationsToReplicaSet, setReplicasAnnotations, byRevision, bySizeNewer, bySizeOlder, filterActive, findActiveOrLatest,
  hasRevisionHistoryLimit, isRollingUpdate, newCondition, replicasOf, setCondition, sumActual, sumAvailable, sumReady, sumSpec, type ScaleAction } from './util.ts';
import { maxSurge, maxUnavailable, newRSNewReplicas } from './rolling.ts';
import { findReusableReplicaSet } from './rollback.ts';

export type D = Deployment & { metadata: NonNullable<Deployment['metadata']>; spec: NonNullable<Deployment['spec']>; [k: string]: unknown };
export type RS = ReplicaSet & { metadata: NonNullable<ReplicaSet['metadata']>; [k: string]: unknown };

export interface SyncContext {
  client: KubeClient;
  recorder: EventRecorder;
  clock: Clock;
  /** Requeue the Deployment after ms (progress deadline checks). */
  enqueueAfter(d: D, ms: number): void;
  enqueueRateLimited(d: D): void;
  /** The live RS from the informer cache (for hash-collision checks). */
  getReplicaSet(ns: string, name: string): RS | undefined;
}

export const dRef = (d: D) => ({ kind: 'Deployment', apiVersion: 'apps/v1', namespace: d.metadata.namespace, name: d.metadata.name, uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion });

export class Syncer {
  constructor(readonly ctx: SyncContext) {}
  get now(): number { return this.ctx.clock.now(); }

  // ---------------------------------------------------------------- Deployment writes

  /** UpdateStatus: PUT /status with the working copy; the copy takes the new resourceVersion. */
  async updateStatus(d: D): Promise<void> {
    const res = await this.ctx.client.update<D>(R.deployments, d.metadata.namespace, d, 'status');
    (d.metadata as { resourceVersion?: string }).resourceVersion = res.metadata.resourceVersion;
  }

  /**
   * The revision annotation lives in metadata, which a status write does not change here: write it with a merge
   * patch of the main resource (it does not touch spec, so no generation bump).
   */
  async updateRevision(d: D, revision: string): Promise<void> {
    const res = await this.ctx.client.patch<D>(R.deployments, d.metadata.namespace, d.metadata.name!, { metadata: { annotations: { [u.RevisionAnnotation]: revision } } }, 'merge');
    (d.metadata as { resourceVersion?: string }).resourceVersion = res.metadata.resourceVersion;
    (d.metadata.annotations ??= {})[u.RevisionAnnotation] = revision;
  }

  /** SetDeploymentRevision: true when the Deployment's revision annotation must change. */
  needsRevision(d: D, revision: string): boolean {
    return (d.metadata.annotations ?? {})[u.RevisionAnnotation] !== revision;
  }

  // ---------------------------------------------------------------- ReplicaSet scaling

  /** scaleReplicaSetAndRecordEvent: no-op when already at newScale. */
  async scaleReplicaSetAndRecordEvent(rs: RS, newScale: number, d: D): Promise<{ scaled: boolean; rs: RS }> {
    if (u.replicasOf(rs) === newScale) return { scaled: false, rs };
    const op = u.replicasOf(rs) < newScale ? 'up' : 'down';
    return this.scaleReplicaSet(rs, newScale, d, op);
  }

  /** scaleReplicaSet: write size and desired/max-replicas annotations; the event only when the size changed. */
  async scaleReplicaSet(rs: RS, newScale: number, d: D, op?: 'up' | 'down'): Promise<{ scaled: boolean; rs: RS }> {
    const oldScale = u.replicasOf(rs);
    const sizeNeedsUpdate = oldScale !== newScale;
    const desired = u.replicasOf(d), max = desired + maxSurge(d);
    const annotationsNeedUpdate = u.replicasAnnotationsNeedUpdate(rs, desired, max);
    if (!sizeNeedsUpdate && !annotationsNeedUpdate) return { scaled: false, rs };
    const copy = structuredClone(rs);
    copy.spec = { ...copy.spec!, replicas: newScale };
    u.setReplicasAnnotations(copy, desired, max);
    const updated = await this.ctx.client.update<RS>(R.replicasets, rs.metadata.namespace, copy);
    if (sizeNeedsUpdate) {
      const verb = op ?? (oldScale < newScale ? 'up' : 'down');
      this.ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${verb} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`, dRef(d));
    }
    return { scaled: sizeNeedsUpdate, rs: updated };
  }

  // ---------------------------------------------------------------- new / old ReplicaSets

  /**
   * getAllReplicaSetsAndSyncRevision: the new RS (found, possibly given a higher revision; or created when
   * `create`), and every old RS.
   */
  async getAllReplicaSetsAndSyncRevision(d: D, rsList: RS[], create: boolean): Promise<{ newRS?: RS; oldRSs: RS[] }> {
    const { all: oldRSs } = u.findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, oldRSs as RS[], create);
    return { newRS, oldRSs: oldRSs as RS[] };
  }

  async getNewReplicaSet(d: D, rsList: RS[], oldRSs: RS[], create: boolean): Promise<RS | undefined> {
    const existing = findReusableReplicaSet(d, rsList) as RS | undefined;
    const newRevision = String(u.maxRevision(oldRSs) + 1);
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, Number(newRevision), true);
      const minReadyNeedsUpdate = (copy.spec?.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyNeedsUpdate) {
        copy.spec = { ...copy.spec!, minReadySeconds: d.spec.minReadySeconds ?? 0 };
        // The revision changed (a rollback reused this RS) or annotations were copied; the Deployment's own
        // revision annotation follows at the next sync, as upstream.
        return await this.ctx.client.update<RS>(R.replicasets, copy.metadata.namespace, copy);
      }
      const rev = copy.metadata.annotations?.[u.RevisionAnnotation] ?? '';
      let needsStatus = false;
      if (this.needsRevision(d, rev)) await this.updateRevision(d, rev);
      const cond = u.getCondition(d.status, 'Progressing');
      if (u.hasProgressDeadline(d) && !cond) {
        u.setCondition(d.status ??= {}, u.newCondition('Progressing', 'True', u.Reasons.FoundNewRS, `Found new replica set "${copy.metadata.name}"`, this.now));
        needsStatus = true;
      }
      if (needsStatus) await this.updateStatus(d);
      return copy;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec.template);
    const hash = u.computeHash(template, d.status?.collisionCount);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [u.DefaultDeploymentUniqueLabelKey]: hash };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [u.DefaultDeploymentUniqueLabelKey]: hash };
    const newRS: RS = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
        labels: { ...template.metadata.labels },
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const newReplicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec!.replicas = newReplicas;
    setNewReplicaSetAnnotations(d, newRS, Number(newRevision), false);

    let created: RS;
    let alreadyExists = false;
    try {
      created = await this.ctx.client.create<RS>(R.replicasets, d.metadata.namespace, newRS);
    } catch (e) {
      if (e instanceof StatusError && e.code === 409) {
        alreadyExists = true;
        let live = this.ctx.getReplicaSet(d.metadata.namespace!, newRS.metadata.name!);
        if (!live) { try { live = await this.ctx.client.get<RS>(R.replicasets, d.metadata.namespace, newRS.metadata.name!); } catch { /* fall through */ } }
        const ref = live && getControllerOf(live);
        if (live && ref?.uid === d.metadata.uid && u.equalIgnoreHash(d.spec.template, live.spec?.template)) {
          created = live;
        } else {
          // A different RS holds the name: a hash collision. Bump collisionCount and retry with a new hash.
          d.status ??= {};
          d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
          await this.updateStatus(d);
          throw e;
        }
      } else if (e instanceof StatusError && e.code === 403 && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) {
        throw e;
      } else {
        const msg = `Failed to create new replica set "${newRS.metadata.name}": ${(e as Error).message}`;
        if (u.hasProgressDeadline(d)) {
          u.setCondition(d.status ??= {}, u.newCondition('Progressing', 'False', u.Reasons.FailedRSCreate, msg, this.now));
          try { await this.updateStatus(d); } catch { /* reported by the returned error */ }
        }
        this.ctx.recorder.event(d, 'Warning', u.Reasons.FailedRSCreate, msg, dRef(d));
        throw e;
      }
    }
    if (!alreadyExists && newReplicas > 0) {
      this.ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${newReplicas}`, dRef(d));
    }
    if (this.needsRevision(d, newRevision)) await this.updateRevision(d, newRevision);
    if (!alreadyExists && u.hasProgressDeadline(d)) {
      u.setCondition(d.status ??= {}, u.newCondition('Progressing', 'True', u.Reasons.NewRSNew, `Created new replica set "${created.metadata.name}"`, this.now));
      await this.updateStatus(d);
    }
    return created;
  }

  // ---------------------------------------------------------------- sync (scale / paused)

  /** sync: a scaling event or a paused Deployment: scale proportionally, clean up if paused, sync status. */
  async sync(d: D, rsList: RS[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec.paused) await this.cleanupDeployment(oldRSs, d);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  async scale(d: D, newRS: RS | undefined, oldRSs: RS[]): Promise<void> {
    const plan = planScale(d, newRS, oldRSs);
    for (const a of plan.actions) {
      if (plan.proportional) await this.scaleReplicaSet(a.rs as RS, a.to, d, plan.operation);
      else await this.scaleReplicaSetAndRecordEvent(a.rs as RS, a.to, d);
    }
  }

  /** cleanupDeployment: delete old RSs beyond revisionHistoryLimit. */
  async cleanupDeployment(oldRSs: RS[], d: D): Promise<void> {
    for (const rs of planCleanup(oldRSs, d)) {
      try {
        await this.ctx.client.delete(R.replicasets, rs.metadata!.namespace, rs.metadata!.name!, { preconditions: { uid: rs.metadata!.uid } });
      } catch (e) {
        if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
      }
    }
  }

  /** syncDeploymentStatus: write the calculated status when it differs. */
  async syncDeploymentStatus(allRSs: (RS | undefined)[], newRS: RS | undefined, d: D): Promise<void> {
    const status = calculateStatus(allRSs, newRS, d, this.now);
    if (u.statusEqual(d.status, status)) return;
    d.status = status;
    await this.updateStatus(d);
  }

  /** checkPausedConditions: Progressing=Unknown DeploymentPaused / DeploymentResumed. */
  async checkPausedConditions(d: D): Promise<void> {
    if (!u.hasProgressDeadline(d)) return;
    const cond = u.getCondition(d.status, 'Progressing');
    if (cond?.reason === u.Reasons.TimedOut) return;
    const pausedCondExists = cond?.reason === u.Reasons.PausedDeploy;
    let needs = false;
    if (d.spec.paused && !pausedCondExists) {
      u.setCondition(d.status ??= {}, u.newCondition('Progressing', 'Unknown', u.Reasons.PausedDeploy, 'Deployment is paused', this.now));
      needs = true;
    } else if (!d.spec.paused && pausedCondExists) {
      u.setCondition(d.status ??= {}, u.newCondition('Progressing', 'Unknown', u.Reasons.ResumedDeploy, 'Deployment is resumed', this.now));
      needs = true;
    }
    if (needs) await this.updateStatus(d);
  }

  async isScalingEvent(d: D, rsList: RS[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    return isScalingEvent(d, newRS, oldRSs);
  }
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
