/**
 * The ReplicaSet controller (upstream pkg/controller/replicaset): keeps spec.replicas active pods per ReplicaSet.
 * Informers on replicasets and pods feed a work queue of ReplicaSet keys; reconcile(key):
 *   1. claims pods (adopt matching orphans, release non-matching ones: controller ownerReferences);
 *   2. if its expectations are satisfied, creates pods in slow-start batches (1, 2, 4, …, at most 500 per sync,
 *      stopping at the first failed batch) or deletes the lowest-ranked pods (see ranking.ts);
 *   3. writes status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration,
 *      ReplicaFailure condition), and requeues for minReadySeconds.
 * Events: SuccessfulCreate "Created pod: …", FailedCreate "Error creating: …", SuccessfulDelete "Deleted pod: …",
 * FailedDelete "Error deleting: …".
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { Controller, ControllerContext } from '../types.ts';
import type { KubeObject } from '../../api/resource.ts';
import type { Informer } from '../../client/informer.ts';
import { objectKey, NAMESPACE_INDEX, OWNER_INDEX } from '../../client/informer.ts';
import { R } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { EventRecorder } from '../../client/events.ts';
import { selectorMatches } from '../../client/selector.ts';
import { claimObjects, getControllerOf, newControllerRef } from '../../client/controllerref.ts';
import { StatusError } from '../../api/errors.ts';
import { Expectations } from './expectations.ts';
import { getPodsToDelete } from './ranking.ts';
import { calculateReplicaSetStatus, planReplicaChange, replicaSetStatusChanged } from './status.ts';
import { isPodActive, isPodReady, isPodAvailable, podAvailableAt, podKey } from './pods.ts';

type RS = ReplicaSet & KubeObject & { metadata: NonNullable<ReplicaSet['metadata']> };
export const BurstReplicas = 500;

export interface ReplicaSetControllerOptions { workers?: number }

export class ReplicaSetController implements Controller {
  name = 'replicaset-controller';
  private ctx!: ControllerContext;
  private rsInf!: Informer<any>;
  private podInf!: Informer<any>;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;
  private expectations!: Expectations;
  private running?: Promise<void>;
  constructor(private opts: ReplicaSetControllerOptions = {}) {}

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'replicaset' });
    this.recorder = new EventRecorder(ctx.client, { component: 'replicaset-controller', clock: ctx.clock });
    this.expectations = new Expectations(ctx.clock);
    this.rsInf = ctx.informers.get(R.replicasets);
    this.podInf = ctx.informers.get(R.pods);
    this.rsInf.addHandler({
      add: (rs: RS) => this.queue.add(objectKey(rs)),
      update: (_o: RS, rs: RS) => this.queue.add(objectKey(rs)),
      delete: (rs: RS) => { this.expectations.delete(objectKey(rs)); this.queue.add(objectKey(rs)); },
    });
    this.podInf.addHandler({
      add: (p: Pod) => this.addPod(p),
      update: (o: Pod, p: Pod) => this.updatePod(o, p),
      delete: (p: Pod) => this.deletePod(p),
    });
  }

  async run(): Promise<void> {
    for (const rs of this.rsInf.list()) this.queue.add(objectKey(rs));
    this.running = this.queue.run(this.opts.workers ?? 5, (k) => this.reconcile(k), (k, e) => {
      if (!(e instanceof StatusError && e.code === 409)) console.error(`replicaset-controller: sync ${k}: ${(e as Error).message ?? e}`);
    });
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.running;
    await this.recorder.flush();
  }

  // ------------------------------------------------------------ event handlers

  /** The RS a controller ref points at, if it is a ReplicaSet we know with that uid. */
  private resolveRef(ns: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): RS | undefined {
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInf.getByName(ns, ref.name) as RS | undefined;
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  private matchingReplicaSets(pod: Pod): RS[] {
    const ns = pod.metadata?.namespace;
    return (this.rsInf.byIndex(NAMESPACE_INDEX, ns ?? '') as RS[]).filter((rs) => selectorMatches(rs.spec?.selector, pod.metadata?.labels));
  }

  private addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) { this.deletePod(pod); return; }
    const ref = getControllerOf(pod as any);
    if (ref) {
      const rs = this.resolveRef(pod.metadata?.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(objectKey(rs));
      this.queue.add(objectKey(rs));
      return;
    }
    for (const rs of this.matchingReplicaSets(pod)) this.queue.add(objectKey(rs));
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur as any), oldRef = getControllerOf(old as any);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const rs = this.resolveRef(old.metadata?.namespace, oldRef);
      if (rs) this.queue.add(objectKey(rs));
    }
    if (curRef) {
      const rs = this.resolveRef(cur.metadata?.namespace, curRef);
      if (!rs) return;
      this.queue.add(objectKey(rs));
      const mrs = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && mrs > 0) this.queue.addAfter(objectKey(rs), mrs * 1000 + 1000);
      return;
    }
    if (labelsChanged || oldRef) for (const rs of this.matchingReplicaSets(cur)) this.queue.add(objectKey(rs));
  }

  private deletePod(pod: Pod): void {
    const rs = this.resolveRef(pod.metadata?.namespace, getControllerOf(pod as any));
    if (!rs) return;
    this.expectations.deletionObserved(objectKey(rs), podKey(pod));
    this.queue.add(objectKey(rs));
  }

  // ------------------------------------------------------------ sync

  async reconcile(key: string): Promise<void> {
    const rs = this.rsInf.get(key) as RS | undefined;
    if (!rs) { this.expectations.delete(key); return; }
    const { client, clock } = this.ctx;
    const ns = rs.metadata.namespace!;
    const needsSync = this.expectations.satisfied(key);
    const active = (this.podInf.byIndex(NAMESPACE_INDEX, ns) as Pod[]).filter((p) => isPodActive(p));
    const pods = await claimObjects<any>(active as any[], {
      client, owner: rs as any, ownerApiVersion: 'apps/v1', ownerKind: 'ReplicaSet', ref: R.pods,
      matches: (p) => selectorMatches(rs.spec?.selector, p.metadata?.labels),
      recheckOwner: async () => { try { return await client.get(R.replicasets, ns, rs.metadata.name!); } catch (e) { if (e instanceof StatusError && e.code === 404) return undefined; throw e; } },
    }) as Pod[];

    let manageErr: Error | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try { await this.manageReplicas(pods, rs); } catch (e) { manageErr = e as Error; }
    }
    const now = clock.now();
    const status = calculateReplicaSetStatus(rs, pods, manageErr, now);
    status.observedGeneration = rs.metadata.generation ?? 0;
    let updated: RS = rs;
    if (replicaSetStatusChanged(rs, status)) updated = await this.writeStatus(rs, status);

    // Pods ready but not yet available: look again when the first of them becomes available.
    const mrs = updated.spec?.minReadySeconds ?? 0;
    if (!manageErr && mrs > 0) {
      let next = Infinity;
      for (const p of pods) if (isPodReady(p) && !isPodAvailable(p, mrs, now)) next = Math.min(next, podAvailableAt(p, mrs) ?? Infinity);
      if (next !== Infinity) this.queue.addAfter(key, Math.max(1, next - now));
    }
    if (manageErr) throw manageErr;
  }

  private async writeStatus(rs: RS, status: NonNullable<ReplicaSet['status']>): Promise<RS> {
    const { client } = this.ctx;
    let cur: RS = rs;
    for (let i = 0; ; i++) {
      try {
        return await client.update<RS>(R.replicasets, rs.metadata.namespace, { ...cur, status }, 'status');
      } catch (e) {
        if (!(e instanceof StatusError) || e.code !== 409 || i >= 1) throw e;
        cur = await client.get<RS>(R.replicasets, rs.metadata.namespace, rs.metadata.name!);
        if (cur.metadata.uid !== rs.metadata.uid) throw e;
        status.observedGeneration = cur.metadata.generation ?? 0;
      }
    }
  }

  private async manageReplicas(pods: Pod[], rs: RS): Promise<void> {
    const key = objectKey(rs as any);
    const plan = planReplicaChange(pods.length, rs.spec?.replicas ?? 1, BurstReplicas);
    if (plan.create > 0) {
      const diff = plan.create;
      this.expectations.expectCreations(key, diff);
      let created = 0;
      let firstErr: Error | undefined;
      for (const size of plan.batches) {
        const results = await Promise.allSettled(Array.from({ length: size }, () => this.createPod(rs)));
        for (const r of results) {
          if (r.status === 'fulfilled') { if (r.value) created++; } else firstErr ??= r.reason as Error;
        }
        if (firstErr) break;
      }
      // Pods that failed or were never attempted will not be observed by the informer: stop expecting them.
      for (let i = 0; i < diff - created; i++) this.expectations.creationObserved(key);
      if (firstErr) throw firstErr;
    } else if (plan.delete > 0) {
      const diff = plan.delete;
      const related = this.relatedPods(rs);
      const victims = getPodsToDelete(pods, related, diff, this.ctx.clock.now());
      this.expectations.expectDeletions(key, victims.map(podKey));
      const results = await Promise.allSettled(victims.map((p) => this.deletePodApi(rs, p)));
      const err = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      if (err) throw err.reason;
    }
  }

  /** Create one pod from the template; false when the namespace is terminating (ignored, as upstream). */
  private async createPod(rs: RS): Promise<boolean> {
    const t = rs.spec?.template ?? {};
    const pod: Pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        labels: { ...(t.metadata?.labels ?? {}) },
        ownerReferences: [newControllerRef(rs as any, 'apps/v1', 'ReplicaSet')],
      },
      spec: structuredClone(t.spec ?? { containers: [] }),
    };
    if (t.metadata?.annotations) pod.metadata!.annotations = { ...t.metadata.annotations };
    if (t.metadata?.finalizers) pod.metadata!.finalizers = [...t.metadata.finalizers];
    try {
      const created = await this.ctx.client.create<Pod>(R.pods, rs.metadata.namespace, pod);
      this.recorder.event(rs as any, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`, this.ref(rs));
      return true;
    } catch (e) {
      // A terminating namespace refuses every creation: not a failure of ours (upstream ignores it).
      if (e instanceof StatusError && e.code === 403 && /terminat/i.test(e.message)) return false;
      this.recorder.event(rs as any, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`, this.ref(rs));
      throw e;
    }
  }

  private async deletePodApi(rs: RS, pod: Pod): Promise<void> {
    const key = objectKey(rs as any);
    try {
      await this.ctx.client.delete(R.pods, pod.metadata?.namespace, pod.metadata!.name!);
      this.recorder.event(rs as any, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`, this.ref(rs));
    } catch (e) {
      this.expectations.deletionObserved(key, podKey(pod));
      if (e instanceof StatusError && e.code === 404) return;
      this.recorder.event(rs as any, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`, this.ref(rs));
      throw e;
    }
  }

  private ref(rs: RS) {
    return { kind: 'ReplicaSet', apiVersion: 'apps/v1', namespace: rs.metadata.namespace, name: rs.metadata.name, uid: rs.metadata.uid, resourceVersion: rs.metadata.resourceVersion };
  }

  /** Pods of every ReplicaSet with the same controller as this one (for the same-node rank). */
  private relatedPods(rs: RS): Pod[] {
    const owner = getControllerOf(rs as any);
    const ns = rs.metadata.namespace;
    const sets = owner
      ? (this.rsInf.byIndex(OWNER_INDEX, owner.uid) as RS[]).filter((r) => r.metadata.namespace === ns && getControllerOf(r as any)?.uid === owner.uid)
      : [rs];
    return sets.flatMap((r) => (this.podInf.byIndex(OWNER_INDEX, r.metadata.uid!) as Pod[])
      .filter((p) => p.metadata?.namespace === ns && getControllerOf(p as any)?.uid === r.metadata.uid));
  }
}

export function newReplicaSetController(opts?: ReplicaSetControllerOptions): Controller { return new ReplicaSetController(opts); }
