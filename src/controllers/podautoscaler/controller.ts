/**
 * The HorizontalPodAutoscaler controller (upstream pkg/controller/podautoscaler/horizontal.go). Every HPA is
 * reconciled when it appears or its spec changes, then every sync period (upstream
 * --horizontal-pod-autoscaler-sync-period, 15 s):
 *
 *  1. the target's scale is read through its scale subresource (any scalable kind, ./scale-client.ts); failing
 *     that: AbleToScale=False FailedGetScale, a Warning event, and nothing else (the controller keeps running);
 *  2. replicas 0 with minReplicas > 0 disables scaling (ScalingActive=False ScalingDisabled); outside
 *     [min, max] the count is brought back in range; otherwise each metric proposes a count (resource metrics
 *     from metrics.k8s.io through ./replica-calculator.ts; the custom and external metrics APIs are not served,
 *     so those metrics fail with FailedGet*Metric) and the largest wins — if every metric failed, or some failed
 *     and the rest would scale down, the first failure's condition is set and nothing is scaled;
 *  3. the proposal is normalized (./behavior.ts): the classic rules without spec.behavior, else the behavior's
 *     stabilization windows (scale-down window defaulting to --horizontal-pod-autoscaler-downscale-stabilization,
 *     5 min) and policies;
 *  4. a changed count is written to the scale subresource, with a SuccessfulRescale event "New size: N; reason:
 *     <metric> above target" / "All metrics below target" (FailedRescale and AbleToScale=False on error);
 *  5. status (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime, conditions AbleToScale,
 *     ScalingActive, ScalingLimited) is written through the status subresource when it changed.
 * Time comes from the Clock; each HPA's recommendations and scale events are kept in memory, as upstream.
 */
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { Controller, ControllerContext } from '../types.ts';
import type { Informer } from '../../client/informer.ts';
import type { KubeObject } from '../../api/resource.ts';
import { objectKey, NAMESPACE_INDEX } from '../../client/informer.ts';
import { R } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { EventRecorder } from '../../client/events.ts';
import { StatusError } from '../../api/errors.ts';
import { parseSelector, selectorMatches, type Selector } from '../../api/labels.ts';
import { formatDecimal, milliValue } from '../../api/resource-quantity.ts';
import { ScaleClient, type Scale, type ScaleTarget } from './scale-client.ts';
import { podMetricsInfo, restResourceMetricsClient, type ResourceMetricsClient } from './metrics-client.ts';
import { DEFAULT_TOLERANCE, plainMetricReplicas, resourceReplicas, type CalcOptions } from './replica-calculator.ts';
import {
  convertDesiredReplicasWithBehaviorRate, convertDesiredReplicasWithRules, newHistory, stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors, storeScaleEvent, type AutoscalerHistory,
} from './behavior.ts';
import { setCondition, setStatus, type ConditionType } from './status.ts';

export interface PodAutoscalerOptions {
  /** How often each HPA is reconciled (upstream 15 s). */
  syncPeriodMs?: number;
  /** Scale-down stabilization window when the HPA sets none (upstream 5 min). */
  downscaleStabilizationMs?: number;
  tolerance?: number;
  /** Upstream --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs?: number;
  /** Upstream --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs?: number;
  /** Where PodMetrics come from (default: metrics.k8s.io through the API). */
  metricsClient?: ResourceMetricsClient;
  workers?: number;
}

type HPA = HorizontalPodAutoscaler & KubeObject & { metadata: NonNullable<HorizontalPodAutoscaler['metadata']> };
type Cond = { type: ConditionType; value: 'True' | 'False'; reason: string; message: string };
const HPA_API_VERSION = 'autoscaling/v2';

/** One metric's proposal, or the condition its failure sets. */
interface Proposal { replicas: number; name: string; status: MetricStatus }
class MetricFailure extends Error { constructor(message: string, public cond: Cond) { super(message); } }

export class HorizontalController implements Controller {
  name = 'horizontal-pod-autoscaler-controller';
  private ctx!: ControllerContext;
  private hpaInf!: Informer<any>;
  private podInf!: Informer<any>;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;
  private scales!: ScaleClient;
  private metrics!: ResourceMetricsClient;
  private running?: Promise<void>;
  private histories = new Map<string, AutoscalerHistory>();
  /** Each HPA's last parsed target selector (for the ambiguous-selector check). */
  private selectors = new Map<string, { namespace: string; selector: Selector }>();
  private readonly o: Required<Omit<PodAutoscalerOptions, 'metricsClient'>>;

  constructor(private opts: PodAutoscalerOptions = {}) {
    this.o = {
      syncPeriodMs: opts.syncPeriodMs ?? 15_000, downscaleStabilizationMs: opts.downscaleStabilizationMs ?? 300_000,
      tolerance: opts.tolerance ?? DEFAULT_TOLERANCE, cpuInitializationPeriodMs: opts.cpuInitializationPeriodMs ?? 300_000,
      initialReadinessDelayMs: opts.initialReadinessDelayMs ?? 30_000, workers: opts.workers ?? 5,
    };
  }

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'horizontalpodautoscaler' });
    this.recorder = new EventRecorder(ctx.client, { component: 'horizontal-pod-autoscaler', clock: ctx.clock });
    this.scales = new ScaleClient(ctx.client, ctx.clock);
    this.metrics = this.opts.metricsClient ?? restResourceMetricsClient(ctx.client);
    this.hpaInf = ctx.informers.get(R.horizontalpodautoscalers);
    this.podInf = ctx.informers.get(R.pods);
    this.hpaInf.addHandler({
      add: (h: HPA) => this.queue.add(objectKey(h)),
      // Our own status writes change nothing the controller reads; a spec change is reconciled at once.
      update: (o: HPA, h: HPA) => { if (o.metadata.generation !== h.metadata.generation) this.queue.add(objectKey(h)); },
      delete: (h: HPA) => { const k = objectKey(h); this.histories.delete(k); this.selectors.delete(k); },
    });
  }

  async run(): Promise<void> {
    for (const h of this.hpaInf.list()) this.queue.add(objectKey(h));
    this.running = this.queue.run(this.o.workers, (k) => this.reconcile(k));
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.running;
    await this.recorder.flush();
  }

  /** Reconcile one HPA, then again after the sync period (errors become conditions and events, never a crash). */
  async reconcile(key: string): Promise<void> {
    const hpa = this.hpaInf.get(key) as HPA | undefined;
    if (!hpa) { this.histories.delete(key); this.selectors.delete(key); return; }
    let again = this.o.syncPeriodMs;
    try {
      await this.reconcileAutoscaler(structuredClone(hpa), key);
    } catch (e) {
      if (e instanceof StatusError && e.code === 409) again = Math.min(again, 1000);
      else console.error(`horizontal-pod-autoscaler: ${key}: ${(e as Error).message}`);
    }
    this.queue.addAfter(key, again);
  }

  private event(hpa: HPA, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event({ ...hpa, apiVersion: HPA_API_VERSION, kind: 'HorizontalPodAutoscaler' } as any, type, reason, message);
  }

  private async reconcileAutoscaler(hpa: HPA, key: string): Promise<void> {
    const now = this.ctx.clock.now();
    const original = JSON.stringify(hpa.status ?? {});
    const status: any = { ...(hpa.status ?? {}) };
    const cond = (type: ConditionType, value: 'True' | 'False', reason: string, message: string) => setCondition(status, type, value, reason, message, now);
    const spec = hpa.spec!;
    const ns = hpa.metadata.namespace!;
    const ref = spec.scaleTargetRef;
    const reference = `${ref.kind}/${ns}/${ref.name}`;

    let target: ScaleTarget, scale: Scale;
    try {
      target = await this.scales.resolve(ref.apiVersion, ref.kind);
      scale = await this.scales.get(target, ns, ref.name);
    } catch (e) {
      const msg = (e as Error).message;
      this.event(hpa, 'Warning', 'FailedGetScale', msg);
      cond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      await this.writeStatus(hpa, original, status);
      return;
    }
    cond('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const currentReplicas = scale.spec.replicas ?? 0;
    const history = this.histories.get(key) ?? newHistory();
    this.histories.set(key, history);
    if (!history.recommendations.length) history.recommendations.push({ replicas: currentReplicas, atMs: now });

    const minReplicas = spec.minReplicas ?? 1;
    let desired = 0, rescaleReason = '', rescale = true;
    let metricStatuses: MetricStatus[] | undefined;
    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false;
      cond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (currentReplicas > spec.maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desired = spec.maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desired = minReplicas;
    } else {
      const r = await this.computeReplicasForMetrics(hpa, scale, spec.metrics ?? [], key, cond);
      metricStatuses = r.statuses;
      if (r.replicas < 0) {
        replace(status, setStatus(status, currentReplicas, status.desiredReplicas ?? 0, metricStatuses, false, now));
        await this.writeStatus(hpa, original, status);
        this.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', r.error!);
        return;
      }
      desired = r.replicas;
      if (desired > currentReplicas) rescaleReason = `${r.metric} above target`;
      if (desired < currentReplicas) rescaleReason = 'All metrics below target';
      desired = this.normalize(hpa, history, currentReplicas, desired, minReplicas, now, cond);
      rescale = desired !== currentReplicas;
    }

    if (rescale) {
      try {
        await this.scales.update(target, { ...scale, spec: { ...scale.spec, replicas: desired } });
      } catch (e) {
        const msg = (e as Error).message;
        this.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${rescaleReason}; error: ${msg}`);
        cond('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        replace(status, setStatus(status, currentReplicas, status.desiredReplicas ?? 0, metricStatuses, false, now));
        await this.writeStatus(hpa, original, status);
        return;
      }
      cond('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      this.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${rescaleReason}`);
      storeScaleEvent(history, spec.behavior, currentReplicas, desired, now);
      console.error(`horizontal-pod-autoscaler: ${reference}: rescaled ${currentReplicas} -> ${desired} (${rescaleReason})`);
    } else {
      desired = currentReplicas;
    }
    replace(status, setStatus(status, currentReplicas, desired, metricStatuses, rescale, now));
    await this.writeStatus(hpa, original, status);
  }

  private normalize(hpa: HPA, history: AutoscalerHistory, current: number, desired: number, min: number, now: number, cond: (t: ConditionType, v: 'True' | 'False', r: string, m: string) => void): number {
    const spec = hpa.spec!;
    if (!spec.behavior) {
      const stabilized = stabilizeRecommendation(history, desired, now, this.o.downscaleStabilizationMs);
      if (stabilized !== desired) cond('AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation');
      else cond('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
      const d = convertDesiredReplicasWithRules(current, stabilized, min, spec.maxReplicas);
      cond('ScalingLimited', d.replicas === stabilized ? 'False' : 'True', d.reason, d.message);
      return d.replicas;
    }
    const scaleDown = { ...(spec.behavior.scaleDown ?? {}) };
    scaleDown.stabilizationWindowSeconds ??= Math.trunc(this.o.downscaleStabilizationMs / 1000);
    const args = { scaleUp: spec.behavior.scaleUp ?? {}, scaleDown, minReplicas: min, maxReplicas: spec.maxReplicas, currentReplicas: current, desiredReplicas: desired };
    const s = stabilizeRecommendationWithBehaviors(history, args, now);
    if (s.replicas !== desired) cond('AbleToScale', 'True', s.reason, s.message);
    else cond('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    const d = convertDesiredReplicasWithBehaviorRate(history, { ...args, desiredReplicas: s.replicas }, now);
    cond('ScalingLimited', d.replicas === s.replicas ? 'False' : 'True', d.reason, d.message);
    return d.replicas;
  }

  /** computeReplicasForMetrics: -1 when scaling must not happen (with the error for the event). */
  private async computeReplicasForMetrics(hpa: HPA, scale: Scale, specs: MetricSpec[], key: string, cond: (t: ConditionType, v: 'True' | 'False', r: string, m: string) => void):
    Promise<{ replicas: number; metric: string; statuses?: MetricStatus[]; error?: string }> {
    const selector = this.validateSelector(hpa, scale.status.selector ?? '', key, cond);
    if (!selector.ok) return { replicas: -1, metric: '', error: selector.error };
    const pods = (this.podInf.byIndex(NAMESPACE_INDEX, hpa.metadata.namespace!) as Pod[]).filter((p) => selectorMatches(selector.selector, (p.metadata?.labels ?? {}) as Record<string, string>));
    const statuses: MetricStatus[] = specs.map(() => ({ type: '' }) as MetricStatus);
    let replicas = 0, metric = '', invalid = 0, firstError: MetricFailure | undefined;
    for (const [i, spec] of specs.entries()) {
      try {
        const p = await this.computeReplicasForMetric(hpa, spec, scale.spec.replicas ?? 0, pods, scale.status.selector ?? '');
        statuses[i] = p.status;
        if (replicas === 0 || p.replicas > replicas) { replicas = p.replicas; metric = p.name; }
      } catch (e) {
        const f = e instanceof MetricFailure ? e : new MetricFailure((e as Error).message, { type: 'ScalingActive', value: 'False', reason: 'FailedGetResourceMetric', message: (e as Error).message });
        if (!firstError) firstError = f;
        invalid++;
      }
    }
    const specReplicas = scale.spec.replicas ?? 0;
    if (invalid >= specs.length || (invalid > 0 && replicas < specReplicas)) {
      const c = firstError!.cond;
      cond(c.type, c.value, c.reason, c.message);
      return { replicas: -1, metric: '', statuses, error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError!.message}` };
    }
    cond('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metric}`);
    return { replicas, metric, statuses };
  }

  private validateSelector(hpa: HPA, raw: string, key: string, cond: (t: ConditionType, v: 'True' | 'False', r: string, m: string) => void): { ok: true; selector: Selector } | { ok: false; error: string } {
    if (!raw) {
      this.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      cond('ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
      return { ok: false, error: 'selector is required' };
    }
    let selector: Selector;
    try { selector = parseSelector(raw); } catch (e) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${(e as Error).message}`;
      this.event(hpa, 'Warning', 'InvalidSelector', msg);
      cond('ScalingActive', 'False', 'InvalidSelector', msg);
      return { ok: false, error: msg };
    }
    const ns = hpa.metadata.namespace!;
    this.selectors.set(key, { namespace: ns, selector });
    const pods = (this.podInf.byIndex(NAMESPACE_INDEX, ns) as Pod[]).filter((p) => selectorMatches(selector, (p.metadata?.labels ?? {}) as Record<string, string>));
    const controlling = [...this.selectors.entries()].filter(([k, s]) => this.hpaInf.get(k) && s.namespace === ns &&
      pods.some((p) => selectorMatches(s.selector, (p.metadata?.labels ?? {}) as Record<string, string>))).map(([k]) => k);
    if (controlling.length > 1) {
      const msg = `pods by selector ${raw} are controlled by multiple HPAs: [${controlling.sort().join(' ')}]`;
      this.event(hpa, 'Warning', 'AmbiguousSelector', msg);
      cond('ScalingActive', 'False', 'AmbiguousSelector', msg);
      return { ok: false, error: msg };
    }
    return { ok: true, selector };
  }

  private calcOptions(): CalcOptions {
    return { tolerances: { scaleUp: this.o.tolerance, scaleDown: this.o.tolerance }, cpuInitializationPeriodMs: this.o.cpuInitializationPeriodMs, delayOfInitialReadinessStatusMs: this.o.initialReadinessDelayMs, nowMs: this.ctx.clock.now() };
  }

  /** One metric: Resource and ContainerResource from metrics.k8s.io; the other sources need APIs kubelite does not serve. */
  private async computeReplicasForMetric(hpa: HPA, spec: MetricSpec, specReplicas: number, pods: Pod[], selector: string): Promise<Proposal> {
    /** getUnableComputeReplicaCountCondition: a Warning event and ScalingActive=False; `wrapped` is what the caller reports. */
    const unable = (reason: string, err: string, wrapped = err) => {
      this.event(hpa, 'Warning', reason, err);
      return new MetricFailure(wrapped, { type: 'ScalingActive', value: 'False', reason, message: `the HPA was unable to compute the replica count: ${err}` });
    };
    const notServed = (api: 'custom' | 'external') => `unable to fetch metrics from ${api} metrics API: the server could not find the requested resource`;
    switch (spec.type) {
      case 'Resource': case 'ContainerResource': break;
      case 'Pods': {
        const err = `unable to get metric ${spec.pods?.metric?.name}: ${notServed('custom')}`;
        throw unable('FailedGetPodsMetric', err, `failed to get pods metric value: ${err}`);
      }
      case 'Object': {
        const o = spec.object;
        const err = `unable to get metric ${o?.metric?.name}: ${o?.describedObject?.kind} on ${hpa.metadata.namespace} ${o?.describedObject?.name}/${notServed('custom')}`;
        throw unable('FailedGetObjectMetric', err, `failed to get object metric value: ${err}`);
      }
      case 'External': {
        const err = `unable to get external metric ${hpa.metadata.namespace}/${spec.external?.metric?.name}: ${notServed('external')}`;
        throw unable('FailedGetExternalMetric', err, `failed to get ${spec.external?.metric?.name} external metric value: ${err}`);
      }
      default: {
        const err = `unknown metric source type "${spec.type}"`;
        throw unable('InvalidMetricSourceType', err);
      }
    }
    const isContainer = spec.type === 'ContainerResource';
    const src = (isContainer ? spec.containerResource : spec.resource)!;
    const resource = src.name, container = isContainer ? (spec.containerResource!.container ?? '') : '';
    const key = isContainer ? 'containerResource' : 'resource';
    const base = isContainer ? { name: resource, container } : { name: resource };
    const fetch = async () => {
      try {
        return podMetricsInfo(await this.metrics.listPodMetrics(hpa.metadata.namespace!, selector), resource, container);
      } catch (e) {
        const m = (e as Error).message;
        throw new Error(`unable to get metrics for resource ${resource}: ${e instanceof StatusError ? `unable to fetch metrics from resource metrics API: ${m}` : m}`);
      }
    };
    const failed = (err: string): never => {
      throw unable(isContainer ? 'FailedGetContainerResourceMetric' : 'FailedGetResourceMetric', err,
        isContainer ? `failed to get ${container} container metric value: ${err}` : `failed to get ${resource} resource metric value: ${err}`);
    };
    const target = src.target ?? ({} as NonNullable<typeof src.target>);
    if (target.averageValue !== undefined && target.averageValue !== null) {
      let r: { replicas: number; usage: number };
      try { r = plainMetricReplicas(specReplicas, milliValue(target.averageValue) ?? 0, resource, pods, await fetch(), this.calcOptions()); } catch (e) { return failed(`failed to get ${resource} usage: ${(e as Error).message}`); }
      return { replicas: r.replicas, name: `${resource} resource`, status: { type: spec.type, [key]: { ...base, current: { averageValue: formatDecimal(r.usage, -3) } } } as MetricStatus };
    }
    if (target.averageUtilization === undefined || target.averageUtilization === null) {
      return failed('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
    }
    let r: { replicas: number; utilization: number; rawUtilization: number };
    try { r = resourceReplicas(specReplicas, target.averageUtilization, resource, container, pods, await fetch(), this.calcOptions()); } catch (e) { return failed(`failed to get ${resource} utilization: ${(e as Error).message}`); }
    const name = isContainer ? `${resource} container resource utilization (percentage of request)` : `${resource} resource utilization (percentage of request)`;
    return { replicas: r.replicas, name, status: { type: spec.type, [key]: { ...base, current: { averageUtilization: r.utilization, averageValue: formatDecimal(r.rawUtilization, -3) } } } as MetricStatus };
  }

  /** updateStatusIfNeeded: PUT the status subresource when it changed. */
  private async writeStatus(hpa: HPA, original: string, status: object): Promise<void> {
    if (JSON.stringify(status) === original) return;
    const ns = hpa.metadata.namespace!, name = hpa.metadata.name!;
    try {
      await this.ctx.client.request('PUT', `/apis/autoscaling/v2/namespaces/${encodeURIComponent(ns)}/horizontalpodautoscalers/${encodeURIComponent(name)}/status`,
        { ...hpa, apiVersion: HPA_API_VERSION, kind: 'HorizontalPodAutoscaler', status });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) this.event(hpa, 'Warning', 'FailedUpdateStatus', (e as Error).message);
      throw e;
    }
  }
}

/** Replace an object's fields in place. */
function replace(target: Record<string, unknown>, next: object): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, next);
}

export function newHorizontalController(opts?: PodAutoscalerOptions): HorizontalController {
  return new HorizontalController(opts);
}
