/**
 * The Rollout controller (Argo Rollouts' rollout controller, reference/rollouts-semantics.md), in the shape of the
 * Deployment controller: informers on rollouts, replicasets, services, analysisruns (+ templates, deployments, pods)
 * enqueue Rollout keys; reconcile(key) reads the caches, resolves workloadRef, validates, claims ReplicaSets,
 * builds a RolloutContext and runs the canary or blue-green pass (pure planning in replicas.ts, steps.ts,
 * conditions.ts, status.ts); every write goes through the API client.
 *
 * The argoproj.io kinds may not be served by the API server this controller talks to: init() checks discovery and,
 * when the group is missing, the controller stays idle (polling discovery every 30 s) instead of blocking the
 * informers' start — startup never fails because of it.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import type { Deployment } from 'kubernetes-types/apps/v1.d.ts';
import type { Controller, ControllerContext } from '../types.ts';
import type { Informer } from '../../client/informer.ts';
import { objectKey } from '../../client/informer.ts';
import { R } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { EventRecorder } from '../../client/events.ts';
import { selectorMatches } from '../../client/selector.ts';
import { claimObjects, getControllerOf } from '../../client/controllerref.ts';
import { StatusError } from '../../api/errors.ts';
import type { AnalysisRun, AnalysisTemplate, Rollout, RS } from './types.ts';
import { AR, ManagedByAnnotation, RolloutAPIVersion } from './types.ts';
import { RolloutContext, type RolloutDeps } from './context.ts';
import { InvalidSpecRequeueMs, isBlueGreen } from './defaults.ts';
import { validateReferences, validateRolloutSpec } from './validation.ts';
import { resolveWorkloadRef, reconcileWorkloadScaleDown } from './workloadref.ts';
import { checkPausedConditions, isScalingEvent, persistRolloutStatus, setInvalidSpec, canaryCounts } from './sync.ts';
import { rolloutCanary, reconcileCanaryReplicaSets } from './canary.ts';
import { rolloutBlueGreen, reconcileBlueGreenReplicaSets } from './bluegreen.ts';
import { getAllReplicaSetsAndSyncRevision } from './replicasets.ts';
import { releaseServices } from './services.ts';
import { rsByHash, sumActual, sumAvailable } from './replicas.ts';

export interface RolloutControllerOptions { workers?: number; discoveryPollMs?: number }

/** Objects this controller wrote, kept until the informer's copy is at least as new (Argo's writeBackToInformer). */
export class WriteBack<T extends { metadata?: { resourceVersion?: string } }> {
  private m = new Map<string, T>();
  remember(key: string, obj: T): void { this.m.set(key, obj); }
  /** The fresher of the cached object and the remembered one (none when the cache has none: it was deleted). */
  pick(key: string, cached: T | undefined): T | undefined {
    const mine = this.m.get(key);
    if (!mine) return cached;
    if (!cached) { this.m.delete(key); return undefined; }
    const a = rv(cached), b = rv(mine);
    if (a === undefined || b === undefined || a >= b) { this.m.delete(key); return cached; }
    return mine;
  }
}
const rv = (o: { metadata?: { resourceVersion?: string } }): bigint | undefined => {
  const v = o.metadata?.resourceVersion;
  return v && /^\d+$/.test(v) ? BigInt(v) : undefined;
};

export class RolloutController implements Controller {
  name = 'rollout-controller';
  private ctx!: ControllerContext;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;
  private roInf?: Informer<any>;
  private arInf?: Informer<any>;
  private atInf?: Informer<any>;
  private catInf?: Informer<any>;
  private rsInf!: Informer<any>;
  private svcInf!: Informer<any>;
  private podInf!: Informer<any>;
  private depInf!: Informer<any>;
  private rolloutWB = new WriteBack<Rollout>();
  private rsWB = new WriteBack<RS>();
  private svcWB = new WriteBack<Service>();
  /** `${ns}/${rollout}` → names of the Services whose managed-by annotation names it. */
  private managed = new Map<string, Set<string>>();
  private running?: Promise<void>;
  private stopped = false;
  private poll?: { cancel(): void };
  private served = false;
  private evictionSupported = true;
  constructor(private opts: RolloutControllerOptions = {}) {}

  async init(ctx: ControllerContext): Promise<void> {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'rollout' });
    // A Rollout update emits a few dozen events (scaling, steps, Service switches, weights): a larger spam burst
    // than upstream's 25 keeps the last ones (RolloutCompleted, RolloutAborted) from being dropped.
    this.recorder = new EventRecorder(ctx.client, { component: 'rollouts-controller', clock: ctx.clock, spamBurst: 500 });
    this.rsInf = ctx.informers.get(R.replicasets);
    this.svcInf = ctx.informers.get(R.services);
    this.podInf = ctx.informers.get(R.pods);
    this.depInf = ctx.informers.get(R.deployments);
    this.rsInf.addHandler({
      add: (rs: RS) => this.onReplicaSet(rs),
      update: (_o: RS, rs: RS) => this.onReplicaSet(rs),
      delete: (rs: RS) => this.onReplicaSet(rs),
    });
    this.svcInf.addHandler({
      add: (s: Service) => this.onService(undefined, s),
      update: (o: Service, s: Service) => this.onService(o, s),
      delete: (s: Service) => this.onService(s, undefined),
    });
    this.depInf.addHandler({ update: (_o: Deployment, d: Deployment) => this.onDeployment(d), add: (d: Deployment) => this.onDeployment(d) });
    this.served = await this.argoServed();
    if (this.served) this.watchArgo();
  }

  /** Discovery: is argoproj.io/v1alpha1 rollouts served? (A 404 — group not registered — is a quiet no.) */
  private async argoServed(): Promise<boolean> {
    try {
      const list = await this.ctx.client.request<{ resources?: { name: string }[] }>('GET', '/apis/argoproj.io/v1alpha1');
      return (list.resources ?? []).some((r) => r.name === 'rollouts');
    } catch (e) {
      if (e instanceof StatusError && (e.code === 404 || e.code === 403)) return false;
      return false;
    }
  }

  private watchArgo(): void {
    const inf = this.ctx.informers;
    this.roInf = inf.get(AR.rollouts);
    this.arInf = inf.get(AR.analysisruns);
    this.atInf = inf.get(AR.analysistemplates);
    this.catInf = inf.get(AR.clusteranalysistemplates);
    const enqueue = (r: Rollout) => this.queue.add(objectKey(r));
    this.roInf.addHandler({ add: enqueue, update: (_o: Rollout, r: Rollout) => enqueue(r), delete: enqueue });
    this.arInf.addHandler({
      update: (o: AnalysisRun, a: AnalysisRun) => { if (o.status?.phase !== a.status?.phase) this.enqueueOwner(a); },
      delete: (a: AnalysisRun) => this.enqueueOwner(a),
    });
  }

  async run(): Promise<void> {
    if (this.served) {
      for (const r of this.roInf!.list()) this.queue.add(objectKey(r));
    } else {
      this.schedulePoll();
    }
    this.running = this.queue.run(this.opts.workers ?? 3, (k) => this.reconcile(k), (k, e) => {
      if (e instanceof StatusError && (e.code === 409 || e.code === 404)) return;
      console.error(`rollout-controller: sync ${k}: ${(e as Error).message ?? e}`);
    });
  }

  /** Not served yet: look again later; once served, start the argoproj.io informers and queue every Rollout. */
  private schedulePoll(): void {
    if (this.stopped) return;
    this.poll = this.ctx.clock.setTimeout(async () => {
      if (this.stopped) return;
      if (!(await this.argoServed())) { this.schedulePoll(); return; }
      this.served = true;
      this.watchArgo();
      while (!this.stopped && !(this.roInf!.hasSynced() && this.arInf!.hasSynced())) await this.ctx.clock.sleep(100);
      for (const r of this.roInf!.list()) this.queue.add(objectKey(r));
    }, this.opts.discoveryPollMs ?? 30_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poll?.cancel();
    this.queue.shutdown();
    await this.running;
    await this.recorder.flush();
  }

  // ------------------------------------------------------------ handlers

  private enqueueOwner(obj: { metadata?: { namespace?: string; ownerReferences?: any[] } }): void {
    const ref = getControllerOf(obj as any);
    if (!ref || ref.kind !== 'Rollout' || !this.roInf) return;
    const r = this.roInf.getByName(obj.metadata?.namespace, ref.name) as Rollout | undefined;
    if (r && r.metadata.uid === ref.uid) this.queue.add(objectKey(r));
  }

  private onReplicaSet(rs: RS): void {
    if (!this.roInf) return;
    const ref = getControllerOf(rs as any);
    if (ref) { this.enqueueOwner(rs); return; }
    // An orphan: the Rollouts whose selector matches may adopt it.
    for (const r of this.roInf.list() as Rollout[]) {
      if (r.metadata.namespace === rs.metadata.namespace && r.spec?.selector && selectorMatches(r.spec.selector, rs.metadata.labels)) this.queue.add(objectKey(r));
    }
  }

  private onService(old: Service | undefined, cur: Service | undefined): void {
    const ns = (cur ?? old)?.metadata?.namespace ?? '';
    const name = (cur ?? old)?.metadata?.name ?? '';
    const was = old?.metadata?.annotations?.[ManagedByAnnotation];
    const now = cur?.metadata?.annotations?.[ManagedByAnnotation];
    if (was && was !== now) this.managed.get(`${ns}/${was}`)?.delete(name);
    if (now) {
      const k = `${ns}/${now}`;
      if (!this.managed.has(k)) this.managed.set(k, new Set());
      this.managed.get(k)!.add(name);
    }
    // A managed Service changed under us (someone edited its selector): let the Rollout put it right.
    if (this.roInf && (now || was) && old && cur && JSON.stringify(old.spec?.selector) !== JSON.stringify(cur.spec?.selector)) this.queue.add(`${ns}/${now ?? was}`);
  }

  private onDeployment(d: Deployment): void {
    if (!this.roInf) return;
    for (const r of this.roInf.list() as Rollout[]) {
      if (r.metadata.namespace === d.metadata?.namespace && r.spec?.workloadRef?.kind === 'Deployment' && r.spec.workloadRef.name === d.metadata?.name) this.queue.add(objectKey(r));
    }
  }

  // ------------------------------------------------------------ reconcile

  private deps(): RolloutDeps {
    return {
      client: this.ctx.client,
      recorder: this.recorder,
      enqueueAfter: (r, ms) => this.queue.addAfter(objectKey(r), ms),
      getService: (ns, name) => this.svcWB.pick(`${ns}/${name}`, this.svcInf.getByName(ns, name) as Service | undefined),
      servicesManagedBy: (ns, name) => [...(this.managed.get(`${ns}/${name}`) ?? [])].map((n) => this.svcWB.pick(`${ns}/${n}`, this.svcInf.getByName(ns, n) as Service | undefined)).filter((s): s is Service => !!s),
      getAnalysisTemplate: (ns, name) => this.atInf?.getByName(ns, name) as AnalysisTemplate | undefined,
      getClusterAnalysisTemplate: (name) => this.catInf?.getByName(undefined, name) as AnalysisTemplate | undefined,
      listAnalysisTemplates: (ns) => ((this.atInf?.list() ?? []) as AnalysisTemplate[]).filter((t) => t.metadata.namespace === ns),
      listClusterAnalysisTemplates: () => (this.catInf?.list() ?? []) as AnalysisTemplate[],
      getDeployment: (ns, name) => this.depInf.getByName(ns, name) as Deployment | undefined,
      listPods: (ns) => (this.podInf.list() as Pod[]).filter((p) => p.metadata?.namespace === ns),
      remember: (kind, obj) => {
        const key = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
        if (kind === 'Rollout') this.rolloutWB.remember(key, obj as Rollout);
        else if (kind === 'Service') this.svcWB.remember(key, obj as Service);
        else this.rsWB.remember(key, obj as RS);
      },
      evictionSupported: this.evictionSupported,
    };
  }

  async reconcile(key: string): Promise<void> {
    if (!this.roInf) return;
    const cached = this.rolloutWB.pick(key, this.roInf.get(key) as Rollout | undefined);
    const [ns, name] = key.split('/');
    const deps = this.deps();
    if (!cached) {
      await releaseServices(this.ctx.client, deps.servicesManagedBy(ns, name), name);
      return;
    }
    if (cached.metadata.deletionTimestamp) return;
    const now = this.ctx.clock.now();
    const resolved = resolveWorkloadRef(structuredClone(cached), deps.getDeployment);
    const r = resolved.rollout;
    const specErr = resolved.error || validateRolloutSpec(r);
    const rss = specErr ? [] : await this.replicaSetsFor(r);
    const runs = specErr ? [] : await this.analysisRunsFor(r);
    const c = new RolloutContext(deps, r, rss, runs, now);
    const err = specErr || validateReferences(r, deps);
    if (err) {
      this.queue.addAfter(key, InvalidSpecRequeueMs);
      await setInvalidSpec(c, err);
      return;
    }
    if (cached.spec.replicas === undefined || cached.spec.replicas === null) {
      // HPA needs spec.replicas: write the default (1) into the spec, as upstream, and stop this pass.
      const res = await this.ctx.client.patch<Rollout>(AR.rollouts, ns, name, { spec: { replicas: 1 } }, 'merge');
      deps.remember('Rollout', res);
      return;
    }
    await checkPausedConditions(c);
    if (isScalingEvent(c)) await syncReplicasOnly(c, resolved.workloadGeneration);
    else if (isBlueGreen(r)) await rolloutBlueGreen(c, resolved.workloadGeneration);
    else await rolloutCanary(c, resolved.workloadGeneration);
    await reconcileWorkloadScaleDown(c);
  }

  /** getReplicaSetsForRollouts: RSs in the namespace claimed by selector and controller reference (fresher written copies win). */
  private async replicaSetsFor(r: Rollout): Promise<RS[]> {
    const ns = r.metadata.namespace;
    const all = (this.rsInf.list() as RS[]).filter((rs) => rs.metadata.namespace === ns)
      .map((rs) => this.rsWB.pick(`${ns}/${rs.metadata.name}`, rs)!);
    const { client } = this.ctx;
    return claimObjects<RS>(all, {
      client, owner: r as any, ownerApiVersion: RolloutAPIVersion, ownerKind: 'Rollout', ref: R.replicasets,
      matches: (rs) => selectorMatches(r.spec.selector, rs.metadata.labels),
      recheckOwner: async () => { try { return await client.get(AR.rollouts, ns, r.metadata.name); } catch (e) { if (e instanceof StatusError && e.code === 404) return undefined; throw e; } },
    });
  }

  /** getAnalysisRunsForRollout: runs this Rollout controls, plus any named in its status that the cache has not seen yet. */
  private async analysisRunsFor(r: Rollout): Promise<AnalysisRun[]> {
    if (!this.arInf) return [];
    const ns = r.metadata.namespace;
    const owned = (this.arInf.list() as AnalysisRun[]).filter((a) => a.metadata.namespace === ns && getControllerOf(a as any)?.uid === r.metadata.uid);
    const seen = new Set(owned.map((a) => a.metadata.name));
    const s = r.status ?? {};
    for (const st of [s.canary?.currentBackgroundAnalysisRunStatus, s.canary?.currentStepAnalysisRunStatus, s.blueGreen?.prePromotionAnalysisRunStatus, s.blueGreen?.postPromotionAnalysisRunStatus]) {
      if (!st?.name || seen.has(st.name)) continue;
      try { owned.push(await this.ctx.client.get<AnalysisRun>(AR.analysisruns, ns, st.name)); seen.add(st.name); } catch (e) { if (!(e instanceof StatusError && e.code === 404)) throw e; }
    }
    return owned;
  }
}

/** syncReplicasOnly: a scaling event (spec.replicas changed) re-scales ReplicaSets only; no step moves, no analysis. */
async function syncReplicasOnly(c: RolloutContext, workloadGeneration?: string): Promise<void> {
  c.newRS = await getAllReplicaSetsAndSyncRevision(c, false);
  const s = structuredClone(c.rollout.status ?? {});
  if (isBlueGreen(c.rollout)) {
    const active = c.getService(c.rollout.spec.strategy.blueGreen!.activeService);
    if (!active) return;
    await reconcileBlueGreenReplicaSets(c, active);
    const activeRS = rsByHash(c.allRSs, s.blueGreen?.activeSelector);
    s.HPAReplicas = activeRS ? activeRS.status?.replicas ?? 0 : sumActual(c.allRSs);
    s.availableReplicas = activeRS ? activeRS.status?.availableReplicas ?? 0 : sumAvailable(c.allRSs);
  } else {
    await reconcileCanaryReplicaSets(c);
    const keep = { stableRS: s.stableRS, currentStepHash: s.currentStepHash, selector: s.selector };
    canaryCounts(c, s);
    Object.assign(s, keep);
  }
  await persistRolloutStatus(c, s, workloadGeneration);
}

export function newRolloutController(opts?: RolloutControllerOptions): Controller { return new RolloutController(opts); }
