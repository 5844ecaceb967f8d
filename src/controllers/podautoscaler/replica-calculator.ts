/**
 * The HPA replica calculator (upstream pkg/controller/podautoscaler/replica_calculator.go and
 * metrics/utilization.go), as pure functions over the target's pods and their metrics:
 *
 * - pods are grouped: deleted or Failed pods are ignored; Pending pods are unready; pods without a metric are
 *   missing; for CPU, a pod is unready while it may still be initialising (within the CPU initialization period
 *   of its start: not Ready, or its metric window began before it turned Ready; after that period: not Ready and
 *   never been Ready, i.e. it turned unready within the initial-readiness delay of its start);
 * - usage ratio = current / target (utilization: sum of usage × 100 / sum of requests over pods with metrics);
 * - no unready pods in a scale-up and no missing pods: within the tolerance keep the count, else
 *   ceil(ratio × ready pods);
 * - otherwise missing pods count as using 100% of their request (or the target, when it is above 100%) on a
 *   scale-down and 0% on a scale-up, unready pods as 0% on a scale-up; the ratio is recomputed and the count is
 *   kept if that is within the tolerance or would reverse the direction, else ceil(new ratio × pods counted).
 *
 * Values are milli-units (CPU millicores, memory milli-bytes), as upstream's MilliValue.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { milliValue } from '../../api/resource-quantity.ts';

export interface PodMetric { value: number; timestampMs: number; windowMs: number }
/** Metric per pod name. */
export type PodMetricsInfo = Map<string, PodMetric>;

/** Usage ratios within [1 - scaleDown, 1 + scaleUp] keep the replica count (upstream's tolerance, 0.1 both ways). */
export interface Tolerances { scaleDown: number; scaleUp: number }
export const DEFAULT_TOLERANCE = 0.1;
export const isWithin = (t: Tolerances, ratio: number) => 1 - t.scaleDown <= ratio && ratio <= 1 + t.scaleUp;

export interface CalcOptions {
  tolerances: Tolerances;
  /** Upstream --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** Upstream --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  delayOfInitialReadinessStatusMs: number;
  nowMs: number;
}

export class CalcError extends Error {}

const time = (t: string | undefined | null) => (t ? Date.parse(t) : NaN);
/** Go's zero time.Time: what an unset lastTransitionTime compares as upstream. */
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

export function groupPods(pods: Pod[], metrics: PodMetricsInfo, resource: string, o: Pick<CalcOptions, 'cpuInitializationPeriodMs' | 'delayOfInitialReadinessStatusMs' | 'nowMs'>):
  { readyPodCount: number; unready: Set<string>; missing: Set<string>; ignored: Set<string> } {
  const unready = new Set<string>(), missing = new Set<string>(), ignored = new Set<string>();
  let readyPodCount = 0;
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') { ignored.add(name); continue; }
    if (pod.status?.phase === 'Pending') { unready.add(name); continue; }
    const metric = metrics.get(name);
    if (!metric) { missing.add(name); continue; }
    if (resource === 'cpu') {
      const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = time(pod.status?.startTime);
      let isUnready: boolean;
      if (!cond || Number.isNaN(start)) isUnready = true;
      else {
        const transition = Number.isNaN(time(cond.lastTransitionTime)) ? GO_ZERO_TIME : time(cond.lastTransitionTime);
        if (start + o.cpuInitializationPeriodMs > o.nowMs) {
          isUnready = cond.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          isUnready = cond.status === 'False' && start + o.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (isUnready) { unready.add(name); continue; }
    }
    readyPodCount++;
  }
  return { readyPodCount, unready, missing, ignored };
}

/**
 * Each pod's request of the resource (milli-units): the named container's, or the sum over its containers and
 * restartable init containers. A container without a request of the resource is an error.
 */
export function calculateRequests(pods: Pod[], container: string, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => (c as any).restartPolicy === 'Always')];
    let request = 0, found = false;
    for (const c of containers) {
      if (container && c.name !== container) continue;
      const q = c.resources?.requests?.[resource];
      if (q === undefined) throw new CalcError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name}`);
      request += milliValue(q) ?? 0;
      found = true;
      if (container) break;
    }
    if (container && !found) throw new CalcError(`container ${container} not found in Pod ${pod.metadata?.name}`);
    out.set(pod.metadata?.name ?? '', request);
  }
  return out;
}

/** GetResourceUtilizationRatio: ratio to the target utilization, the utilization (%), and the average raw value. */
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number):
  { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0, requestsTotal = 0, n = 0;
  for (const [pod, m] of metrics) {
    const r = requests.get(pod);
    if (r === undefined) continue; // extraneous metrics
    metricsTotal += m.value; requestsTotal += r; n++;
  }
  if (requestsTotal === 0) throw new CalcError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / n) };
}

/** GetMetricUsageRatio: ratio of the average usage to the target, and the average usage. */
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

const without = (metrics: PodMetricsInfo, names: Set<string>) => { for (const n of names) metrics.delete(n); };
const assume = (value: number): PodMetric => ({ value, timestampMs: 0, windowMs: 0 });

/**
 * The algorithm both target kinds share: `measure` turns the pods' metrics into a usage ratio (and what the status
 * reports); `onScaleDown` is what a pod without a metric is assumed to use when the ratio says scale down.
 */
function proposal<T extends object>(currentReplicas: number, resource: string, pods: Pod[], podMetrics: PodMetricsInfo, o: CalcOptions,
  measure: (metrics: PodMetricsInfo) => T & { ratio: number }, onScaleDown: (pod: string) => number): T & { replicas: number } {
  if (!pods.length) throw new CalcError('no pods returned by selector while calculating replica count');
  const metrics = new Map(podMetrics);
  const { readyPodCount, unready, missing, ignored } = groupPods(pods, metrics, resource, o);
  without(metrics, ignored);
  without(metrics, unready);
  if (!metrics.size) throw new CalcError('did not receive metrics for targeted pods (pods might be unready)');
  const { ratio, ...reported } = measure(metrics);
  const keep = { ...(reported as unknown as T), replicas: currentReplicas };

  const scaleUpWithUnready = unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && missing.size === 0) {
    if (isWithin(o.tolerances, ratio)) return keep;
    return { ...keep, replicas: Math.ceil(ratio * readyPodCount) };
  }
  if (missing.size) {
    if (ratio < 1) for (const p of missing) metrics.set(p, assume(onScaleDown(p)));
    else if (ratio > 1) for (const p of missing) metrics.set(p, assume(0));
  }
  if (scaleUpWithUnready) for (const p of unready) metrics.set(p, assume(0));
  const next = measure(metrics).ratio;
  if (isWithin(o.tolerances, next) || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return keep;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return keep;
  return { ...keep, replicas };
}

/** GetResourceReplicas: a utilization (percentage of request) target; missing pods count as 100% of their
 *  request (or the target when it is above 100%) on a scale-down. */
export function resourceReplicas(currentReplicas: number, targetUtilization: number, resource: string, container: string,
  pods: Pod[], podMetrics: PodMetricsInfo, o: CalcOptions): { replicas: number; utilization: number; rawUtilization: number } {
  let requests: Map<string, number> | undefined;
  return proposal(currentReplicas, resource, pods, podMetrics, o, (metrics) => {
    requests ??= calculateRequests(pods, container, resource);
    const r = resourceUtilizationRatio(metrics, requests, targetUtilization);
    return { ratio: r.ratio, utilization: r.utilization, rawUtilization: r.rawAverage };
  }, (pod) => Math.trunc(((requests!.get(pod) ?? 0) * Math.max(100, targetUtilization)) / 100));
}

/** calcPlainMetricReplicas: an average-value target (resource averageValue, or a pods metric); missing pods
 *  count as using exactly the target on a scale-down. */
export function plainMetricReplicas(currentReplicas: number, targetUsage: number, resource: string, pods: Pod[],
  podMetrics: PodMetricsInfo, o: CalcOptions): { replicas: number; usage: number } {
  return proposal(currentReplicas, resource, pods, podMetrics, o, (metrics) => metricUsageRatio(metrics, targetUsage), () => targetUsage);
}
