/**
 * The Rollout controller's ReplicaSet writes (Argo's rollout/replicaset.go and sync.go): finding or creating the
 * new RS (`<rollout>-<hash>`, replicas 0, hash label on RS/selector/template, controller owner reference,
 * revision and desired-replicas annotations, hash collisions), syncing revisions, scaling with the
 * ScalingReplicaSet event, scale-down deadlines, draining "other" ReplicaSets and the revision history limit.
 */
import { StatusError } from '../../api/errors.ts';
import { R } from '../../client/resources.ts';
import { newControllerRef, getControllerOf } from '../../client/controllerref.ts';
import { rfc3339 } from '../../util/clock.ts';
import type { RolloutContext } from './context.ts';
import type { Rollout, RolloutStatus, RS } from './types.ts';
import {
  AR, CondType, DesiredReplicasAnnotation, Msg, PauseReason, PodTemplateHashLabel, Reason, RevisionAnnotation,
  RolloutAPIVersion, ScaleDownDeadlineAnnotation, WorkloadGenerationAnnotation,
} from './types.ts';
import {
  abortScaleDownDelay, computePodTemplateHash, maxUnavailable, replicasOf, revisionHistoryLimit, scaleDownDelaySeconds,
  scaleDownRevisionLimit, specReplicas,
} from './defaults.ts';
import {
  available, basicCanaryCounts, hasScaleDownDeadline, isActive, newRSNewReplicas, podHashOf, revisionOf,
  scaleDownRemainingMs, sumAvailable, trafficRoutedCounts, stableRSExists,
} from './replicas.ts';
import { getCondition, newCondition, setCondition } from './conditions.ts';
import { statusPatch } from './status.ts';
import { byCreation } from '../deployment/util.ts';

const RevisionHistoryAnnotation = 'rollout.argoproj.io/revision-history';
const SKIP_COPY = new Set(['kubectl.kubernetes.io/last-applied-configuration', RevisionAnnotation, RevisionHistoryAnnotation, DesiredReplicasAnnotation, WorkloadGenerationAnnotation]);

export const rsRevision = (rs: RS | undefined): number => revisionOf(rs, RevisionAnnotation);
export const maxRevision = (rss: RS[]): number => rss.reduce((m, rs) => Math.max(m, rsRevision(rs)), 0);
export const rolloutRevision = (r: Rollout): number => revisionOf(r, RevisionAnnotation);

// ---------------------------------------------------------------- Rollout writes used mid-pass

/** Patch the status subresource with whatever `mutate` changes (a merge patch; nothing sent when equal). */
export async function patchStatus(c: RolloutContext, mutate: (s: RolloutStatus) => void): Promise<void> {
  const prev = c.rollout.status ?? {};
  const next: RolloutStatus = structuredClone(prev);
  mutate(next);
  const patch = statusPatch(prev, next);
  if (Object.keys(patch).length === 0) return;
  const res = await c.client.patch<Rollout>(AR.rollouts, c.ns, c.name, { status: patch }, 'merge', 'status');
  c.setRollout(res);
}

/** SetRolloutRevision: the Rollout's revision annotation follows the new RS's (metadata only, no generation bump). */
export async function setRolloutRevision(c: RolloutContext, revision: string): Promise<void> {
  if ((c.rollout.metadata.annotations ?? {})[RevisionAnnotation] === revision) return;
  const res = await c.client.patch<Rollout>(AR.rollouts, c.ns, c.name, { metadata: { annotations: { [RevisionAnnotation]: revision } } }, 'merge');
  c.setRollout(res);
  c.event('Normal', Reason.RolloutUpdated, Msg.rolloutUpdated(revision));
}

// ---------------------------------------------------------------- new ReplicaSet

/** SetNewReplicaSetAnnotations: copy the Rollout's annotations, raise the revision (keeping history on a rollback), desired-replicas on creation. */
export function setNewReplicaSetAnnotations(r: Rollout, rs: RS, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(r.metadata.annotations ?? {})) {
    if (SKIP_COPY.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const had = Object.prototype.hasOwnProperty.call(a, RevisionAnnotation);
  const old = a[RevisionAnnotation] ?? '';
  if (old !== '' && !/^\d+$/.test(old)) return false;
  const oldInt = old === '' ? 0 : Number(old);
  if (oldInt < newRevision) {
    a[RevisionAnnotation] = String(newRevision);
    changed = true;
    if (had) a[RevisionHistoryAnnotation] = a[RevisionHistoryAnnotation] ? `${a[RevisionHistoryAnnotation]},${old}` : old;
  }
  if (!exists && a[DesiredReplicasAnnotation] !== String(replicasOf(r))) { a[DesiredReplicasAnnotation] = String(replicasOf(r)); changed = true; }
  return changed;
}

/** getAllReplicaSetsAndSyncRevision: the new RS with its revision synced, created when `create` and missing. */
export async function getAllReplicaSetsAndSyncRevision(c: RolloutContext, create: boolean): Promise<RS | undefined> {
  let rs = await syncReplicaSetRevision(c);
  if (!rs && create) rs = await createDesiredReplicaSet(c);
  return rs;
}

async function syncReplicaSetRevision(c: RolloutContext): Promise<RS | undefined> {
  if (!c.newRS) return undefined;
  const r = c.rollout;
  const newRevision = maxRevision(c.olderRSs) + 1;
  const copy = structuredClone(c.newRS);
  const annotationsUpdated = setNewReplicaSetAnnotations(r, copy, newRevision, true);
  const minReady = r.spec.minReadySeconds ?? 0;
  if (annotationsUpdated || (copy.spec.minReadySeconds ?? 0) !== minReady) {
    copy.spec.minReadySeconds = minReady;
    const updated = await c.client.update<RS>(R.replicasets, c.ns, copy);
    return c.replaceRS(updated);
  }
  await setRolloutRevision(c, copy.metadata.annotations?.[RevisionAnnotation] ?? '');
  if (!getCondition(c.rollout.status, CondType.Progressing)) {
    await patchStatus(c, (s) => { setCondition(s, newCondition(CondType.Progressing, 'True', Reason.FoundNewRS, Msg.foundNewRS(copy.metadata.name), c.now)); });
  }
  return c.newRS;
}

async function createDesiredReplicaSet(c: RolloutContext): Promise<RS | undefined> {
  const r = c.rollout;
  const newRevision = maxRevision(c.olderRSs) + 1;
  const hash = computePodTemplateHash(r.spec.template, r.status?.collisionCount);
  const template = structuredClone(r.spec.template ?? {});
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [PodTemplateHashLabel]: hash } };
  const selector = structuredClone(r.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [PodTemplateHashLabel]: hash };
  const name = `${r.metadata.name}-${hash}`;
  const rs: RS = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name, namespace: c.ns, ownerReferences: [newControllerRef(r as any, RolloutAPIVersion, 'Rollout')], labels: { ...template.metadata.labels } },
    spec: { replicas: 0, minReadySeconds: r.spec.minReadySeconds ?? 0, selector, template },
  };
  setNewReplicaSetAnnotations(r, rs, newRevision, false);
  let created: RS;
  let alreadyExists = false;
  try {
    created = await c.client.create<RS>(R.replicasets, c.ns, rs);
  } catch (e) {
    if (e instanceof StatusError && e.code === 409) {
      alreadyExists = true;
      let live = c.allRSs.find((x) => x.metadata.name === name);
      if (!live) { try { live = await c.client.get<RS>(R.replicasets, c.ns, name); } catch { /* reported below */ } }
      const ref = live && getControllerOf(live as any);
      // Ours (a stale cache missed our own earlier create) when we control it and it carries this hash; the API
      // server may have defaulted its template, so the templates are not compared byte for byte.
      if (live && ref?.uid === r.metadata.uid && podHashOf(live) === hash) {
        created = live;
      } else {
        // A different RS holds the name: a hash collision. Bump collisionCount; the next pass retries with a new hash.
        await patchStatus(c, (s) => { s.collisionCount = (s.collisionCount ?? 0) + 1; });
        throw e;
      }
    } else {
      const msg = Msg.failedRSCreate(name, (e as Error).message);
      c.event('Warning', Reason.FailedRSCreate, msg);
      try { await patchStatus(c, (s) => { setCondition(s, newCondition(CondType.Progressing, 'False', Reason.FailedRSCreate, msg, c.now)); }); } catch { /* the create error is reported */ }
      throw e;
    }
  }
  await setRolloutRevision(c, String(newRevision));
  if (!alreadyExists) {
    c.event('Normal', Reason.NewReplicaSet, Msg.newReplicaSetDetailed(created.metadata.name, rsRevision(created)));
    await patchStatus(c, (s) => { setCondition(s, newCondition(CondType.Progressing, 'True', Reason.NewReplicaSet, Msg.newReplicaSet(created.metadata.name), c.now)); });
  }
  c.replaceRS(created);
  c.olderRSs = c.olderRSs.filter((x) => x.metadata.name !== created.metadata.name);
  c.otherRSs = c.otherRSs.filter((x) => x.metadata.name !== created.metadata.name);
  c.newRS = created;
  return created;
}

// ---------------------------------------------------------------- scaling

/** shouldDelayScaleDownOnAbort: aborted, a stable RS exists, routed canary or blue-green, and a delay applies. */
export function shouldDelayScaleDownOnAbort(c: RolloutContext): boolean {
  if (!c.pause.isAborted() || !c.stableRS) return false;
  const r = c.rollout;
  if (r.spec.strategy.canary && !r.spec.strategy.blueGreen && !r.spec.strategy.canary.trafficRouting) return false;
  const { delay, wasSet } = abortScaleDownDelay(r);
  if (delay === null) return false;
  if (r.spec.strategy.canary?.dynamicStableScale && !wasSet) return false;
  return true;
}

export async function scaleReplicaSetAndRecordEvent(c: RolloutContext, rs: RS, to: number): Promise<{ scaled: boolean; rs: RS }> {
  const R = replicasOf(c.rollout);
  if (specReplicas(rs) === to && rs.metadata.annotations?.[DesiredReplicasAnnotation] === String(R)) return { scaled: false, rs };
  const from = specReplicas(rs);
  const copy = structuredClone(rs);
  copy.spec.replicas = to;
  (copy.metadata.annotations ??= {})[DesiredReplicasAnnotation] = String(R);
  if (to === 0 && !shouldDelayScaleDownOnAbort(c)) delete copy.metadata.annotations[ScaleDownDeadlineAnnotation];
  const updated = c.replaceRS(await c.client.update<RS>(R_RS, c.ns, copy));
  if (from === to) return { scaled: false, rs: updated };
  c.event('Normal', Reason.ScalingReplicaSet, Msg.scaling(from < to ? 'up' : 'down', rs.metadata.name, rsRevision(rs), from, to));
  return { scaled: true, rs: updated };
}
const R_RS = R.replicasets;

/** addScaleDownDelay: annotate `scale-down-deadline = now + seconds` (0 removes it). */
export async function addScaleDownDelay(c: RolloutContext, rs: RS | undefined, seconds: number): Promise<void> {
  if (!rs) return;
  if (seconds === 0) { if (hasScaleDownDeadline(rs)) await removeScaleDownDelay(c, rs); return; }
  const deadline = rfc3339(c.now + seconds * 1000);
  const res = await c.client.patch<RS>(R.replicasets, c.ns, rs.metadata.name, { metadata: { annotations: { [ScaleDownDeadlineAnnotation]: deadline } } }, 'merge');
  c.replaceRS(res);
}

export async function removeScaleDownDelay(c: RolloutContext, rs: RS): Promise<void> {
  if (!hasScaleDownDeadline(rs)) return;
  const res = await c.client.patch<RS>(R.replicasets, c.ns, rs.metadata.name, { metadata: { annotations: { [ScaleDownDeadlineAnnotation]: null } } }, 'merge');
  c.replaceRS(res);
}

/** removeScaleDownDeadlines: the new and stable RSs never keep a deadline (moving back to an RS inside its delay). */
export async function removeScaleDownDeadlines(c: RolloutContext): Promise<void> {
  const list: RS[] = [];
  if (c.newRS && !shouldDelayScaleDownOnAbort(c)) list.push(c.newRS);
  if (c.stableRS && (list.length === 0 || c.stableRS.metadata.name !== c.newRS?.metadata.name)) list.push(c.stableRS);
  for (const rs of list) await removeScaleDownDelay(c, rs);
}

/** reconcileNewReplicaSet: scale the new RS to this pass's size; on a delayed abort, keep it until its deadline passes. */
export async function reconcileNewReplicaSet(c: RolloutContext): Promise<boolean> {
  if (!c.newRS) return false;
  let n = newRSNewReplicas(c.rollout, c.allRSs, c.newRS, c.newStatus.canary?.weights);
  if (shouldDelayScaleDownOnAbort(c)) {
    const { delay } = abortScaleDownDelay(c.rollout);
    const at = c.newRS.metadata.annotations?.[ScaleDownDeadlineAnnotation];
    if (at) {
      const left = scaleDownRemainingMs(c.newRS, c.now);
      if (left !== undefined) { c.enqueueAfter(left); return false; }
      if (!Number.isNaN(Date.parse(at))) n = 0;
    } else if (delay !== null) {
      // Annotate only once the stable RS is fully available; leave the new RS up until then.
      if (available(c.stableRS) === replicasOf(c.rollout)) {
        await addScaleDownDelay(c, c.newRS, delay);
        c.enqueueAfter(delay * 1000);
      }
      return false;
    }
  }
  return (await scaleReplicaSetAndRecordEvent(c, c.newRS, n)).scaled;
}

/** The canary stable RS's size this pass (basic: the split; routed: previous status weights, so stable lags traffic). */
export async function reconcileCanaryStableReplicaSet(c: RolloutContext): Promise<boolean> {
  if (!stableRSExists(c.newRS, c.stableRS)) return false;
  const r = c.rollout;
  const n = r.spec.strategy.canary!.trafficRouting
    ? trafficRoutedCounts(r, r.status?.canary?.weights).stable
    : basicCanaryCounts(r, c.newRS, c.stableRS, c.otherRSs).stable;
  return (await scaleReplicaSetAndRecordEvent(c, c.stableRS!, n)).scaled;
}

/** cleanupUnhealthyReplicas: old RSs shrink to their available pods first (oldest first). */
async function cleanupUnhealthyReplicas(c: RolloutContext, oldRSs: RS[]): Promise<{ rss: RS[]; total: number }> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const rs = sorted[i];
    if (specReplicas(rs) === 0 || specReplicas(rs) === available(rs)) continue;
    const to = available(rs);
    if (to > specReplicas(rs)) continue;
    const res = await scaleReplicaSetAndRecordEvent(c, rs, to);
    total += specReplicas(rs) - to;
    sorted[i] = res.rs;
  }
  return { rss: sorted, total };
}

/** scaleDownDelayHelper: annotate a deadline on an old RS (within the revision limit), keep it until the deadline passes. */
async function scaleDownDelayHelper(c: RolloutContext, rs: RS, annotated: number, keep: number): Promise<{ annotated: number; desired: number }> {
  let desired = 0;
  const limit = scaleDownRevisionLimit(c.rollout);
  if (!hasScaleDownDeadline(rs) && specReplicas(rs) > 0) {
    if (annotated < limit) {
      annotated++;
      desired = specReplicas(rs);
      const secs = scaleDownDelaySeconds(c.rollout);
      await addScaleDownDelay(c, rs, secs);
      c.enqueueAfter(secs * 1000);
    }
  } else if (hasScaleDownDeadline(rs)) {
    annotated++;
    if (annotated <= limit) {
      const left = scaleDownRemainingMs(rs, c.now);
      if (left !== undefined) { c.enqueueAfter(left); desired = keep; }
    }
  }
  return { annotated, desired };
}

/** isReplicaSetReferenced: a hash still named by the status, the weights or a managed Service selector. */
export function isReplicaSetReferenced(c: RolloutContext, rs: RS): boolean {
  const hash = podHashOf(rs);
  if (!hash) return false;
  const s = c.rollout.status ?? {};
  const refs = [s.stableRS, s.currentPodHash, s.blueGreen?.activeSelector, s.blueGreen?.previewSelector, s.canary?.weights?.canary.podTemplateHash, s.canary?.weights?.stable.podTemplateHash];
  if (refs.includes(hash)) return true;
  const st = c.rollout.spec.strategy;
  const names = st.blueGreen ? [st.blueGreen.activeService, st.blueGreen.previewService] : [st.canary?.canaryService, st.canary?.stableService];
  for (const n of names) {
    if (!n) continue;
    const svc = c.deps.getService(c.ns, n);
    if (svc?.spec?.selector?.[PodTemplateHashLabel] === hash) return true;
  }
  return false;
}

/**
 * scaleDownOldReplicaSetsForCanary: other RSs shrink while total availability stays above R − maxUnavailable
 * (unhealthy pods first). Basic canary drains them fully; routed canary keeps a referenced RS, gives the previous
 * stable its scale-down delay after promotion (0 at once with dynamicStableScale), and drops intermediate ones.
 */
async function scaleDownOldReplicaSetsForCanary(c: RolloutContext, oldRSs: RS[]): Promise<number> {
  const cleaned = await cleanupUnhealthyReplicas(c, oldRSs);
  let total = cleaned.total;
  const minAvailable = replicasOf(c.rollout) - maxUnavailable(c.rollout);
  let maxDown = sumAvailable(c.allRSs) - minAvailable;
  if (maxDown <= 0) return total;
  const sorted = [...cleaned.rss].sort((a, b) => rsRevision(b) - rsRevision(a));
  const canary = c.rollout.spec.strategy.canary!;
  const st = c.rollout.status ?? {};
  const fullyPromoted = (st.stableRS ?? '') === (st.currentPodHash ?? '');
  let annotated = 0;
  for (const rs of sorted) {
    if (canary.trafficRouting && isReplicaSetReferenced(c, rs)) continue;
    if (maxDown <= 0) break;
    if (specReplicas(rs) === 0) continue;
    let desired = 0;
    if (!canary.trafficRouting) {
      if (specReplicas(rs) > maxDown) desired = specReplicas(rs) - maxDown;
    } else if (fullyPromoted || hasScaleDownDeadline(rs)) {
      if (!canary.dynamicStableScale) ({ annotated, desired } = await scaleDownDelayHelper(c, rs, annotated, specReplicas(rs)));
    }
    if (specReplicas(rs) === desired) continue;
    await scaleReplicaSetAndRecordEvent(c, rs, desired);
    const down = specReplicas(rs) - desired;
    maxDown -= down;
    total += down;
  }
  return total;
}

/** scaleDownOldReplicaSetsForBlueGreen: unreferenced old RSs go to 0 after their scale-down delay. */
async function scaleDownOldReplicaSetsForBlueGreen(c: RolloutContext, oldRSs: RS[], waitForPostPromotion: boolean): Promise<boolean> {
  if (c.pause.getPauseCondition(PauseReason.InconclusiveAnalysis)) return false;
  if (waitForPostPromotion) return false;
  const sorted = [...oldRSs].sort((a, b) => rsRevision(b) - rsRevision(a));
  let scaled = false;
  let annotated = 0;
  for (const rs of sorted) {
    if (isReplicaSetReferenced(c, rs) || specReplicas(rs) === 0) continue;
    let desired: number;
    ({ annotated, desired } = await scaleDownDelayHelper(c, rs, annotated, replicasOf(c.rollout)));
    if (specReplicas(rs) === desired) continue;
    await scaleReplicaSetAndRecordEvent(c, rs, desired);
    scaled = true;
  }
  return scaled;
}

/** reconcileOtherReplicaSets: drain the RSs that are neither new nor stable. */
export async function reconcileOtherReplicaSets(c: RolloutContext, opts: { waitForPostPromotion?: boolean } = {}): Promise<boolean> {
  const others = c.otherRSs.filter(isActive);
  if (others.length === 0) return false;
  if (c.rollout.spec.strategy.blueGreen) return scaleDownOldReplicaSetsForBlueGreen(c, others, !!opts.waitForPostPromotion);
  return (await scaleDownOldReplicaSetsForCanary(c, others)) > 0;
}

/**
 * reconcileRevisionHistoryLimit: delete the oldest other RSs beyond revisionHistoryLimit that are fully scaled
 * down and observed, with their AnalysisRuns.
 */
export async function reconcileRevisionHistoryLimit(c: RolloutContext): Promise<void> {
  // Oldest first by creation time; within the same second, by revision.
  const created = (rs: RS) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
  const cleanable = c.otherRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort((a, b) => created(a) - created(b) || rsRevision(a) - rsRevision(b));
  const diff = cleanable.length - revisionHistoryLimit(c.rollout);
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await c.client.delete(R.replicasets, c.ns, rs.metadata.name, { preconditions: { uid: rs.metadata.uid } });
    } catch (e) {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
    }
    const hash = podHashOf(rs);
    for (const ar of c.otherArs) {
      if (!hash || ar.metadata.labels?.[PodTemplateHashLabel] !== hash || ar.metadata.deletionTimestamp) continue;
      try { await c.client.delete(AR.analysisruns, c.ns, ar.metadata.name); } catch (e) { if (!(e instanceof StatusError && e.code === 404)) throw e; }
    }
  }
}
