/**
 * The AnalysisRun controller (Argo Rollouts' analysis controller): measures the metrics of every AnalysisRun and
 * writes what it found into the run's status, so the rollout controller can promote, pause or abort.
 *
 * An informer on argoproj.io/v1alpha1 analysisruns feeds a work queue of "namespace/name" keys; reconcile(key):
 *   1. reads the run from the informer cache — or the status this controller wrote last, when the cache has not
 *      caught up with it yet (so a measurement is never taken twice from a stale copy);
 *   2. runs src/analysis/reconcile.ts: arguments resolved (Secrets read through the API), metrics validated, due
 *      measurements taken in parallel (at most `maxConcurrentMeasurements` across all runs), phases assessed;
 *   3. writes the status through the main resource (AnalysisRun has no status subresource) as a JSON merge patch
 *      of `status` only, so a concurrent `{"spec":{"terminate":true}}` is never overwritten;
 *   4. records events — MetricSuccessful/MetricFailed/… and AnalysisRunSuccessful/AnalysisRunFailed/… (Warning
 *      for Failed and Error) — and requeues the key through the Clock at the next measurement's due time;
 *   5. deletes a completed run once its spec.ttlStrategy says so.
 * The built-in `kubelite` provider reads ctx.trafficStats (the service proxy's measurements); `prometheus`
 * metrics without an address use `prometheusAddress`, else the on-demand `prometheus` (started at the first such
 * measurement; src/analysis/prometheus-server.ts). Bad input never crashes the controller: the run ends in
 * Error with the reason (see src/analysis/reconcile.ts).
 */
import type { Controller, ControllerContext } from '../types.ts';
import type { Informer } from '../../client/informer.ts';
import { objectKey } from '../../client/informer.ts';
import { R, type ResourceRef } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { EventRecorder, type InvolvedObject } from '../../client/events.ts';
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/resource.ts';
import type { TrafficStatsSource } from '../../analysis/traffic-source.ts';
import type { AnalysisRun, AnalysisRunStatus } from '../../analysis/types.ts';
import { isCompleted } from '../../analysis/types.ts';
import { createProviders, type OnDemandPrometheusEndpoint, type ProviderSet } from '../../analysis/providers/index.ts';
import { reconcileAnalysisRun } from '../../analysis/reconcile.ts';

export const ANALYSIS_RUNS: ResourceRef = { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns', kind: 'AnalysisRun', namespaced: true };

export interface AnalysisControllerOptions {
  workers?: number;
  /** Measurements in flight at once, over all runs (default 16). */
  maxConcurrentMeasurements?: number;
  /** Prometheus for metrics that give no address (e.g. http://127.0.0.1:9090). */
  prometheusAddress?: string;
  /** Without prometheusAddress: a Prometheus started on demand for metrics that give no address. */
  prometheus?: OnDemandPrometheusEndpoint;
  /** The built-in provider's source; default ControllerContext.trafficStats. */
  trafficStats?: TrafficStatsSource;
}

/** When a completed run is to be deleted per spec.ttlStrategy (ms since epoch), or undefined (Argo's rules). */
export function ttlExpiry(run: AnalysisRun): number | undefined {
  const ttl = run.spec.ttlStrategy;
  const phase = run.status?.phase;
  const done = run.status?.completedAt ? Date.parse(run.status.completedAt) : NaN;
  if (!ttl || !isCompleted(phase) || Number.isNaN(done)) return undefined;
  let secs: number | undefined;
  if (phase === 'Failed' && ttl.secondsAfterFailure !== undefined) secs = ttl.secondsAfterFailure;
  else if (phase === 'Successful' && ttl.secondsAfterSuccess !== undefined) secs = ttl.secondsAfterSuccess;
  else secs = ttl.secondsAfterCompletion;
  return secs === undefined ? undefined : done + secs * 1000;
}

/** The merge patch that turns status `from` into `to` (top-level keys `to` lacks are deleted with null). */
export function statusPatch(from: AnalysisRunStatus | undefined, to: AnalysisRunStatus): { status: Record<string, unknown> } {
  const status: Record<string, unknown> = { ...to };
  for (const k of Object.keys(from ?? {})) if (!(k in to)) status[k] = null;
  return { status };
}

/** A counting semaphore: at most `n` of the functions run at once. */
function concurrencyLimit(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((wake) => waiting.push(wake));
    active++;
    try { return await fn(); } finally { active--; waiting.shift()?.(); }
  };
}

/** JSON with object keys sorted: equal values give equal text whatever order the server kept the keys in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
}

const rvNumber = (o: AnalysisRun | undefined): bigint => {
  const rv = o?.metadata.resourceVersion;
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : -1n;
};

export class AnalysisRunController implements Controller {
  name = 'analysis-controller';
  private ctx!: ControllerContext;
  private inf!: Informer<any>;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;
  private providers!: ProviderSet;
  private limit: <T>(fn: () => Promise<T>) => Promise<T>;
  /** What this controller last wrote per key: newer than the cache until the informer sees the write. */
  private written = new Map<string, AnalysisRun>();
  private running?: Promise<void>;

  constructor(private opts: AnalysisControllerOptions = {}) {
    this.limit = concurrencyLimit(opts.maxConcurrentMeasurements ?? 16);
  }

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'analysisrun' });
    this.recorder = new EventRecorder(ctx.client, { component: 'analysis-controller', clock: ctx.clock });
    this.providers = createProviders({ trafficSource: this.opts.trafficStats ?? ctx.trafficStats, prometheusAddress: this.opts.prometheusAddress, prometheus: this.opts.prometheus });
    this.inf = ctx.informers.get(ANALYSIS_RUNS);
    this.inf.addHandler({
      add: (o: KubeObject) => this.queue.add(objectKey(o)),
      update: (_old: KubeObject, o: KubeObject) => this.queue.add(objectKey(o)),
      delete: (o: KubeObject) => { this.written.delete(objectKey(o)); },
    });
  }

  async run(): Promise<void> {
    for (const o of this.inf.list()) this.queue.add(objectKey(o));
    this.running = this.queue.run(this.opts.workers ?? 4, (k) => this.reconcile(k), (k, e) => {
      if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) console.error(`analysis-controller: sync ${k}: ${(e as Error).message ?? e}`);
    });
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.running;
    await this.recorder.flush();
  }

  /** The freshest copy of the run: the cache, unless this controller has written a newer one. */
  private current(key: string): AnalysisRun | undefined {
    const cached = this.inf.get(key) as AnalysisRun | undefined;
    const mine = this.written.get(key);
    if (!cached) { this.written.delete(key); return undefined; }
    if (mine && mine.metadata.uid === cached.metadata.uid && rvNumber(mine) > rvNumber(cached)) return mine;
    this.written.delete(key);
    return cached;
  }

  async reconcile(key: string): Promise<void> {
    const run = this.current(key);
    if (!run || run.metadata.deletionTimestamp) return;
    const { clock } = this.ctx;
    if (isCompleted(run.status?.phase)) { await this.collect(key, run); return; }

    const out = await reconcileAnalysisRun(run, {
      clock, providers: this.providers, limit: this.limit,
      readSecret: (ns, name, k) => this.readSecret(ns, name, k),
    });
    if (canonical(out.status) !== canonical(run.status ?? {})) {
      const updated = await this.ctx.client.patch<AnalysisRun>(ANALYSIS_RUNS, run.metadata.namespace, run.metadata.name!, statusPatch(run.status, out.status), 'merge');
      this.written.set(key, updated);
    }
    for (const e of out.events) this.recorder.event(null, e.type, e.reason, e.message, this.involved(run));
    if (out.requeueAfterMs !== undefined) this.queue.addAfter(key, Math.max(1, out.requeueAfterMs));
    if (isCompleted(out.status.phase)) await this.collect(key, { ...run, status: out.status });
  }

  /** Delete a completed run whose ttlStrategy has expired, or come back when it will. */
  private async collect(key: string, run: AnalysisRun): Promise<void> {
    const at = ttlExpiry(run);
    if (at === undefined) return;
    const wait = at - this.ctx.clock.now();
    if (wait > 0) { this.queue.addAfter(key, wait); return; }
    try {
      await this.ctx.client.delete(ANALYSIS_RUNS, run.metadata.namespace, run.metadata.name!, { preconditions: { uid: run.metadata.uid } });
    } catch (e) {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
    }
  }

  private async readSecret(namespace: string, name: string, key: string): Promise<string> {
    const s = await this.ctx.client.get<{ data?: Record<string, string>; stringData?: Record<string, string> }>(R.secrets, namespace, name);
    const v = s.data?.[key];
    if (v === undefined) throw new Error(`key '${key}' does not exist in secret '${name}'`);
    return Buffer.from(v, 'base64').toString('utf8');
  }

  private involved(run: AnalysisRun): InvolvedObject {
    return { kind: 'AnalysisRun', apiVersion: 'argoproj.io/v1alpha1', namespace: run.metadata.namespace, name: run.metadata.name, uid: run.metadata.uid, resourceVersion: run.metadata.resourceVersion };
  }
}

export function newAnalysisRunController(opts?: AnalysisControllerOptions): Controller { return new AnalysisRunController(opts); }
