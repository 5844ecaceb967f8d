/**
 * The disruption controller (upstream pkg/controller/disruption): keeps each PodDisruptionBudget's status —
 * currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed, disruptedPods, observedGeneration and the
 * DisruptionAllowed condition — in line with the pods it covers, so the pods eviction subresource can spend
 * disruptionsAllowed one eviction at a time. The rules are in plan.ts.
 *
 * Level-triggered: budget events and the events of the pods a budget covers enqueue the budget's key; reconcile
 * reads the caches (pods by namespace, ReplicaSets and Deployments by name; any other owner through its scale
 * subresource, found by discovery), writes status with the cached resourceVersion (a conflict — e.g. an eviction
 * that spent a disruption meanwhile — requeues, never overwrites), and requeues itself when an in-flight eviction
 * times out. A sync error leaves the budget allowing no disruption (failSafe, reason SyncFailed).
 * Pods that an eviction marked DisruptionTarget but that were not deleted get the condition reset after 2 min.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.d.ts';
import type { Controller, ControllerContext } from '../types.ts';
import type { KubeObject } from '../../api/resource.ts';
import type { Informer } from '../../client/informer.ts';
import { objectKey, NAMESPACE_INDEX } from '../../client/informer.ts';
import { R, groupVersionPath } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { EventRecorder } from '../../client/events.ts';
import { StatusError } from '../../api/errors.ts';
import { rfc3339 } from '../../util/clock.ts';
import { selectorToString } from '../../api/validation/selector.ts';
import { budgetsForPod, failSafeStatus, staleDisruptionDelay, syncBudget, type ControllerAndScale, type WorkloadLookup } from './plan.ts';

type PDB = PodDisruptionBudget & KubeObject;
type P = Pod & KubeObject;

export interface DisruptionControllerOptions { workers?: number }

/** How long a group-version's discovery answer is trusted when looking for a scale subresource. */
const DISCOVERY_TTL_MS = 30_000;

export class DisruptionController implements Controller {
  name = 'disruption-controller';
  private ctx!: ControllerContext;
  private pdbs!: Informer<PDB>;
  private pods!: Informer<P>;
  private rss!: Informer<any>;
  private deps!: Informer<any>;
  private queue!: WorkQueue;
  private staleQueue!: WorkQueue;
  private recorder!: EventRecorder;
  private running?: Promise<void>;
  private discovery = new Map<string, { at: number; resources: any[] }>();
  constructor(private opts: DisruptionControllerOptions = {}) {}

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'disruption' });
    this.staleQueue = new WorkQueue({ clock: ctx.clock, name: 'stale_pod_disruption' });
    this.recorder = new EventRecorder(ctx.client, { component: 'controllermanager', clock: ctx.clock });
    this.pdbs = ctx.informers.get<PDB>(R.poddisruptionbudgets);
    this.pods = ctx.informers.get<P>(R.pods);
    this.rss = ctx.informers.get(R.replicasets);
    this.deps = ctx.informers.get(R.deployments);
    const enqueue = (b: PDB) => this.queue.add(objectKey(b));
    this.pdbs.addHandler({ add: enqueue, update: (_o, b) => enqueue(b), delete: enqueue });
    this.pods.addHandler({
      add: (p) => this.podChanged(p),
      update: (_o, p) => this.podChanged(p),
      delete: (p) => this.podChanged(p, true),
    });
  }

  private podChanged(pod: P, deleted = false): void {
    const pdbs = budgetsForPod(pod, this.pdbs.byIndex(NAMESPACE_INDEX, pod.metadata?.namespace ?? ''));
    if (pdbs.length > 1 && !deleted) {
      this.recorder.event(pod, 'Warning', 'MultiplePodDisruptionBudgets',
        `Pod ${JSON.stringify(pod.metadata?.namespace)}/${JSON.stringify(pod.metadata?.name)} matches multiple PodDisruptionBudgets.  Chose ${JSON.stringify(pdbs[0].metadata?.name)} arbitrarily.`);
    }
    for (const b of pdbs) this.queue.add(objectKey(b as PDB));
    if (deleted) return;
    const d = staleDisruptionDelay(pod, this.ctx.clock.now());
    if (d !== undefined) this.staleQueue.addAfter(objectKey(pod), d);
  }

  async run(): Promise<void> {
    for (const b of this.pdbs.list()) this.queue.add(objectKey(b));
    const onError = (what: string) => (k: string, e: unknown) => {
      if (!(e instanceof StatusError && e.code === 409)) console.error(`${what} ${k}:`, (e as Error).message ?? e);
    };
    this.running = Promise.all([
      this.queue.run(this.opts.workers ?? 2, (k) => this.sync(k), onError('disruption: PodDisruptionBudget')),
      this.staleQueue.run(1, (k) => this.syncStalePodDisruption(k), onError('disruption: stale DisruptionTarget of pod')),
    ]).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    this.staleQueue.shutdown();
    await this.running;
  }

  /** What the finders read: the caches, and the scale subresource of any other owner. */
  private lookup: WorkloadLookup = {
    get: (kind, ns, name) => {
      if (kind === 'ReplicaSet') return this.rss.getByName(ns, name);
      if (kind === 'Deployment') return this.deps.getByName(ns, name);
      return undefined; // StatefulSets and ReplicationControllers are not served by kubelite
    },
    scale: (ref, ns) => this.scaleOf(ref, ns),
  };

  /** getScaleController: GET <resource>/<name>/scale of the owner's kind, found through discovery. */
  private async scaleOf(ref: OwnerReference, ns: string): Promise<ControllerAndScale | null> {
    const av = ref.apiVersion ?? '';
    const [group, version] = av.includes('/') ? av.split('/') : ['', av];
    const gvPath = groupVersionPath({ group, version });
    let d = this.discovery.get(gvPath);
    if (!d || d.at + DISCOVERY_TTL_MS < this.ctx.clock.now()) {
      try {
        const list = await this.ctx.client.request<any>('GET', gvPath);
        d = { at: this.ctx.clock.now(), resources: list?.resources ?? [] };
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) throw new Error(`no matches for kind ${JSON.stringify(ref.kind)} in version ${JSON.stringify(av)}`);
        throw e;
      }
      this.discovery.set(gvPath, d);
    }
    const res = d.resources.find((r: any) => r.kind === ref.kind && !String(r.name).includes('/'));
    if (!res) throw new Error(`no matches for kind ${JSON.stringify(ref.kind)} in version ${JSON.stringify(av)}`);
    const gr = group ? `${res.name}.${group}` : res.name;
    if (!d.resources.some((r: any) => r.name === `${res.name}/scale` && r.kind === 'Scale' && r.group === 'autoscaling')) {
      throw new Error(`${gr} does not implement the scale subresource`);
    }
    try {
      const scale = await this.ctx.client.get<any>({ group, version, plural: res.name, kind: ref.kind, namespaced: !!res.namespaced }, ns, ref.name, 'scale');
      return { uid: scale?.metadata?.uid ?? '', scale: scale?.spec?.replicas ?? 0 };
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return null;
      throw e;
    }
  }

  async sync(key: string): Promise<void> {
    const pdb = this.pdbs.get(key);
    if (!pdb) return;
    try {
      await this.trySync(pdb);
    } catch (e) {
      if (e instanceof StatusError && e.code === 409) throw e;
      await this.writeStatus(pdb, failSafeStatus(pdb, (e as Error).message ?? String(e), this.ctx.clock.now()));
    }
  }

  private async trySync(pdb: PDB): Promise<void> {
    const now = this.ctx.clock.now();
    const r = await syncBudget(pdb, this.pods.byIndex(NAMESPACE_INDEX, pdb.metadata?.namespace ?? ''), this.lookup, now);
    if (!r.pods.length) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    if (r.countError) {
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${r.countError}`);
    }
    if (r.unmanagedPods.length) {
      this.recorder.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${selectorToString(pdb.spec?.selector)}) were found ` +
        'to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. ' +
        'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.');
    }
    for (const name of r.expired) {
      const pod = r.pods.find((p) => p.metadata?.name === name);
      if (pod) this.recorder.event(pod as P, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata?.namespace}/${pdb.metadata?.name} to be deleted but it wasn't`);
    }
    if (r.status) await this.writeStatus(pdb, r.status);
    if (r.recheckAt !== undefined) this.queue.addAfter(objectKey(pdb), r.recheckAt - now);
  }

  /** UpdateStatus with the cached resourceVersion: a concurrent eviction makes it fail with 409 (requeued). */
  private async writeStatus(pdb: PDB, status: PodDisruptionBudgetStatus): Promise<void> {
    await this.ctx.client.update(R.poddisruptionbudgets, pdb.metadata?.namespace, { ...pdb, status }, 'status');
  }

  /** Reset a stale DisruptionTarget=True condition to False (the eviction did not delete the pod). */
  async syncStalePodDisruption(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod) return;
    const delay = staleDisruptionDelay(pod, this.ctx.clock.now());
    if (delay === undefined) return;
    if (delay > 0) { this.staleQueue.addAfter(key, delay); return; }
    const now = rfc3339(this.ctx.clock.now());
    const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'DisruptionTarget' ? { type: c.type, status: 'False', lastTransitionTime: now } : c));
    await this.ctx.client.update(R.pods, pod.metadata?.namespace, { ...pod, status: { ...pod.status, conditions } }, 'status');
  }
}

export function newDisruptionController(opts?: DisruptionControllerOptions): Controller { return new DisruptionController(opts); }
