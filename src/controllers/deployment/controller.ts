/**
 * The Deployment controller (upstream pkg/controller/deployment/deployment_controller.go). Informers on
 * deployments, replicasets and pods enqueue Deployment keys; reconcile(key) reads the caches, claims ReplicaSets
 * (adopt/release by controller ownerReference), and dispatches as upstream syncDeployment does:
 *   empty selector → SelectingAll warning; being deleted → status only; paused or scaling event → sync (scale);
 *   else Recreate or RollingUpdate. Writes go through the API only; planning is in util.ts.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { Controller, ControllerContext } from '../types.ts';
import type { Informer } from '../../client/informer.ts';
import { objectKey, NAMESPACE_INDEX, OWNER_INDEX } from '../../client/informer.ts';
import { R } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { EventRecorder } from '../../client/events.ts';
import { selectorIsEmpty, selectorMatches } from '../../client/selector.ts';
import { claimObjects, getControllerOf } from '../../client/controllerref.ts';
import { StatusError } from '../../api/errors.ts';
import { Syncer, dRef, type D, type RS } from './sync.ts';
import { rolloutRolling } from './rolling.ts';
import { rolloutRecreate } from './recreate.ts';

export interface DeploymentControllerOptions { workers?: number }

export class DeploymentController implements Controller {
  name = 'deployment-controller';
  private ctx!: ControllerContext;
  private dInf!: Informer<any>;
  private rsInf!: Informer<any>;
  private podInf!: Informer<any>;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;
  private syncer!: Syncer;
  private running?: Promise<void>;
  constructor(private opts: DeploymentControllerOptions = {}) {}

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'deployment' });
    this.recorder = new EventRecorder(ctx.client, { component: 'deployment-controller', clock: ctx.clock });
    this.dInf = ctx.informers.get(R.deployments);
    this.rsInf = ctx.informers.get(R.replicasets);
    this.podInf = ctx.informers.get(R.pods);
    this.syncer = new Syncer({
      client: ctx.client, recorder: this.recorder, clock: ctx.clock,
      enqueueAfter: (d, ms) => this.queue.addAfter(objectKey(d), ms),
      enqueueRateLimited: (d) => this.queue.addRateLimited(objectKey(d)),
      getReplicaSet: (ns, name) => this.rsInf.getByName(ns, name),
    });
    const enqueue = (d: D) => this.queue.add(objectKey(d));
    this.dInf.addHandler({ add: enqueue, update: (_o: D, d: D) => enqueue(d), delete: enqueue });
    this.rsInf.addHandler({
      add: (rs: RS) => this.onReplicaSet(rs),
      update: (old: RS, cur: RS) => this.onReplicaSetUpdate(old, cur),
      delete: (rs: RS) => { const d = this.resolveRef(rs); if (d) enqueue(d); },
    });
    this.podInf.addHandler({ delete: (p: Pod) => this.onPodDelete(p) });
  }

  async run(): Promise<void> {
    for (const d of this.dInf.list()) this.queue.add(objectKey(d));
    this.running = this.queue.run(this.opts.workers ?? 5, (k) => this.reconcile(k), (k, e) => {
      // Conflicts, vanished objects and upstream's transient "status lags spec" refusal are retried quietly.
      if (e instanceof StatusError && (e.code === 409 || e.code === 404)) return;
      if (/^when cleaning up unhealthy replicas/.test((e as Error).message ?? '')) return;
      console.error(`deployment-controller: sync ${k}: ${(e as Error).message ?? e}`);
    });
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.running;
    await this.recorder.flush();
  }

  // ------------------------------------------------------------ handlers

  private resolveRef(rs: RS): D | undefined {
    const ref = getControllerOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.dInf.getByName(rs.metadata.namespace, ref.name) as D | undefined;
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private deploymentsFor(rs: RS): D[] {
    return (this.dInf.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '') as D[])
      .filter((d) => !selectorIsEmpty(d.spec.selector) && selectorMatches(d.spec.selector, rs.metadata.labels));
  }

  private onReplicaSet(rs: RS): void {
    const d = this.resolveRef(rs);
    if (d) { this.queue.add(objectKey(d)); return; }
    if (getControllerOf(rs)) return;
    for (const x of this.deploymentsFor(rs)) this.queue.add(objectKey(x));
  }

  private onReplicaSetUpdate(old: RS, cur: RS): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = getControllerOf(old), curRef = getControllerOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) { const d = this.resolveRef(old); if (d) this.queue.add(objectKey(d)); }
    if (curRef) { const d = this.resolveRef(cur); if (d) this.queue.add(objectKey(d)); return; }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || oldRef) for (const x of this.deploymentsFor(cur)) this.queue.add(objectKey(x));
  }

  /** Recreate waits for old pods to go: a pod deletion may unblock it. */
  private onPodDelete(p: Pod): void {
    const ref = getControllerOf(p as any);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsInf.getByName(p.metadata?.namespace, ref.name) as RS | undefined;
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolveRef(rs);
    if (d && d.spec.strategy?.type === 'Recreate') this.queue.add(objectKey(d));
  }

  // ------------------------------------------------------------ sync

  async reconcile(key: string): Promise<void> {
    const cached = this.dInf.get(key) as D | undefined;
    if (!cached) return;
    const d = structuredClone(cached);
    const s = this.syncer;
    if (selectorIsEmpty(d.spec.selector)) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.', dRef(d));
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        await s.updateStatus(d);
      }
      return;
    }
    const rsList = await this.getReplicaSetsForDeployment(d);
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await s.getAllReplicaSetsAndSyncRevision(d, rsList, false);
      return s.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
    }
    await s.checkPausedConditions(d);
    if (d.spec.paused) return s.sync(d, rsList);
    if (await s.isScalingEvent(d, rsList)) return s.sync(d, rsList);
    if (d.spec.strategy?.type === 'Recreate') return rolloutRecreate(s, d, rsList, this.podMap(d, rsList));
    return rolloutRolling(s, d, rsList);
  }

  /** getReplicaSetsForDeployment: RSs in the namespace, claimed by selector and controller ref. */
  private async getReplicaSetsForDeployment(d: D): Promise<RS[]> {
    const { client } = this.ctx;
    const ns = d.metadata.namespace!;
    const all = this.rsInf.byIndex(NAMESPACE_INDEX, ns) as RS[];
    return claimObjects<RS>(all, {
      client, owner: d, ownerApiVersion: 'apps/v1', ownerKind: 'Deployment', ref: R.replicasets,
      matches: (rs) => selectorMatches(d.spec.selector, rs.metadata.labels),
      recheckOwner: async () => { try { return await client.get(R.deployments, ns, d.metadata.name!); } catch (e) { if (e instanceof StatusError && e.code === 404) return undefined; throw e; } },
    });
  }

  /** getPodMapForDeployment: pods matching the selector, grouped by the uid of their controlling RS. */
  private podMap(d: D, rsList: RS[]): Map<string, Pod[]> {
    const m = new Map<string, Pod[]>();
    for (const rs of rsList) {
      const uid = rs.metadata.uid!;
      m.set(uid, (this.podInf.byIndex(OWNER_INDEX, uid) as Pod[]).filter((p) => p.metadata?.namespace === d.metadata.namespace
        && getControllerOf(p as any)?.uid === uid && selectorMatches(d.spec.selector, p.metadata?.labels)));
    }
    return m;
  }
}

export function newDeploymentController(opts?: DeploymentControllerOptions): Controller { return new DeploymentController(opts); }
