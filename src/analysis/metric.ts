/**
 * The rules of one metric (Argo Rollouts analysis/analysis.go, in our words):
 *  - counters: Successful, Failed and Inconclusive measurements add to `count`; an Error does not (it adds to
 *    `error` and `consecutiveError`, which any other outcome resets); `consecutiveSuccess` counts Successful
 *    measurements in a row and is reset by anything else;
 *  - effective count: `count` if set (> 0); else 1 without an interval, unbounded with one;
 *  - phase: a completed metric keeps its phase; no measurement yet → Pending (Successful when the run is
 *    terminating); an in-flight last measurement → Running; then the limits — failed > failureLimit (default 0,
 *    −1 = never) → Failed, inconclusive > inconclusiveLimit (default 0) → Inconclusive, consecutiveError >
 *    consecutiveErrorLimit (default 4: the fifth error in a row) → Error, the later rule winning when several hold;
 *    consecutiveSuccess ≥ consecutiveSuccessLimit (when > 0) → Successful; count reached → Successful, except that
 *    with a consecutiveSuccessLimit the metric is Inconclusive (failureLimit also applies) or Failed (failureLimit
 *    −1) because the success streak was never reached; otherwise Running (Successful when terminating).
 */
import type { AnalysisPhase, IntOrString, Measurement, Metric, MetricResult } from './types.ts';
import { isCompleted } from './types.ts';

export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
export const DEFAULT_MEASUREMENT_HISTORY_LIMIT = 10;
/** After an Error the next measurement comes this soon, whatever the interval (Argo's DefaultErrorRetryInterval). */
export const ERROR_RETRY_INTERVAL_MS = 10_000;

/** An IntOrString as an integer; undefined for a value that is not an integer. */
export function intValue(v: IntOrString | undefined): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  return /^[+-]?\d+$/.test(v.trim()) ? Number(v.trim()) : undefined;
}

export interface Limits {
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  consecutiveSuccessLimit: number;
}

export function limitsOf(metric: Metric): Limits {
  return {
    failureLimit: intValue(metric.failureLimit) ?? 0,
    inconclusiveLimit: intValue(metric.inconclusiveLimit) ?? 0,
    consecutiveErrorLimit: intValue(metric.consecutiveErrorLimit) ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT,
    consecutiveSuccessLimit: intValue(metric.consecutiveSuccessLimit) ?? 0,
  };
}

/** How many measurements the metric takes; undefined = until the run ends. */
export function effectiveCount(metric: Metric): number | undefined {
  const c = intValue(metric.count) ?? 0;
  if (c > 0) return c;
  return metric.interval ? undefined : 1;
}

/** The result with `m` appended (or replacing an in-flight last measurement), counters updated when it completed. */
export function recordMeasurement(result: MetricResult, m: Measurement, replaceLast = false): MetricResult {
  const r: MetricResult = { ...result, measurements: [...(result.measurements ?? [])] };
  if (replaceLast && r.measurements!.length) r.measurements![r.measurements!.length - 1] = m;
  else r.measurements!.push(m);
  const inc = (k: 'count' | 'successful' | 'failed' | 'inconclusive' | 'error' | 'consecutiveError' | 'consecutiveSuccess') => { r[k] = (r[k] ?? 0) + 1; };
  switch (m.phase) {
    case 'Successful': inc('successful'); inc('count'); r.consecutiveError = 0; inc('consecutiveSuccess'); break;
    case 'Failed': inc('failed'); inc('count'); r.consecutiveError = 0; r.consecutiveSuccess = 0; break;
    case 'Inconclusive': inc('inconclusive'); inc('count'); r.consecutiveError = 0; r.consecutiveSuccess = 0; break;
    case 'Error': inc('error'); inc('consecutiveError'); r.consecutiveSuccess = 0; break;
    default: break; // still in flight
  }
  return r;
}

export interface MetricAssessment {
  phase: AnalysisPhase;
  /** Why a completed metric ended as it did, e.g. "failed (2) > failureLimit (1)". */
  reason?: string;
}

/** The limit a metric's counters broke, if any (Argo's assessMetricFailureInconclusiveOrError). */
export function limitBreached(metric: Metric, result: MetricResult): MetricAssessment | undefined {
  const l = limitsOf(metric);
  let out: MetricAssessment | undefined;
  const failed = result.failed ?? 0, inconclusive = result.inconclusive ?? 0, consecutiveError = result.consecutiveError ?? 0;
  if (l.failureLimit >= 0 && failed > l.failureLimit) {
    out = { phase: 'Failed', reason: `failed (${failed}) > failureLimit (${l.failureLimit})` };
  }
  if (inconclusive > l.inconclusiveLimit) {
    out = { phase: 'Inconclusive', reason: `inconclusive (${inconclusive}) > inconclusiveLimit (${l.inconclusiveLimit})` };
  }
  if (consecutiveError > l.consecutiveErrorLimit) {
    out = { phase: 'Error', reason: `consecutiveErrors (${consecutiveError}) > consecutiveErrorLimit (${l.consecutiveErrorLimit})` };
  }
  return out;
}

/** The phase of a metric from its counters and last measurement (Argo's assessMetricStatus). */
export function assessMetric(metric: Metric, result: MetricResult, terminating: boolean): MetricAssessment {
  if (isCompleted(result.phase)) return { phase: result.phase };
  const ms = result.measurements ?? [];
  if (ms.length === 0) return { phase: terminating ? 'Successful' : 'Pending' };
  if (!isCompleted(ms[ms.length - 1].phase)) return { phase: 'Running' };
  const breached = limitBreached(metric, result);
  if (breached) return breached;
  const l = limitsOf(metric);
  const successApplies = l.consecutiveSuccessLimit > 0;
  if (successApplies && (result.consecutiveSuccess ?? 0) >= l.consecutiveSuccessLimit) return { phase: 'Successful' };
  const want = effectiveCount(metric);
  const count = result.count ?? 0;
  if (want !== undefined && count >= want) {
    if (!successApplies) return { phase: 'Successful' };
    const streak = `consecutiveSuccessLimit (${l.consecutiveSuccessLimit}) not reached in ${count} measurements`;
    if (l.failureLimit >= 0) return { phase: 'Inconclusive', reason: `${streak} and failureLimit (${l.failureLimit}) not exceeded` };
    return { phase: 'Failed', reason: streak };
  }
  return { phase: terminating ? 'Successful' : 'Running' };
}
