/**
 * The rules of a whole AnalysisRun (Argo Rollouts analysis/analysis.go and utils/analysis, in our words):
 *  - validation of the (argument-resolved) metrics: "Analysis spec invalid: metrics[i]: …";
 *  - which metrics are due for a measurement now (first one after initialDelay from status.startedAt; then at the
 *    last measurement's finishedAt + interval, or + 10 s after an Error; none once the effective count is reached,
 *    the metric completed, or the run is terminating);
 *  - when to look again (the earliest of those times);
 *  - the run's phase: the worst completed non-dry-run metric, Successful < Running < Pending < Inconclusive <
 *    Error < Failed, Running while a metric is incomplete. The run is terminating when spec.terminate is true or a
 *    non-dry-run metric is Failed, Error or Inconclusive: nothing new is measured, unmeasured metrics count as
 *    Successful, and the run completes (message "Run Terminated" when terminated with nothing bad);
 *  - the run message `Metric "<m>" assessed <Phase> due to <limit>` (+ `: "Error Message: <last message>"`);
 *  - runSummary / dryRunSummary, and measurement retention (last 10 per metric unless measurementRetention says).
 */
import type { AnalysisPhase, AnalysisRun, DryRun, Measurement, MeasurementRetention, Metric, MetricResult, RunSummary } from './types.ts';
import { isCompleted } from './types.ts';
import { durationMs } from './duration.ts';
import { compileExpr } from './expr.ts';
import { DEFAULT_MEASUREMENT_HISTORY_LIMIT, ERROR_RETRY_INTERVAL_MS, assessMetric, effectiveCount, intValue, limitBreached } from './metric.ts';
import { validateProvider, type ProviderSet } from './providers/index.ts';

export const RUN_TERMINATED = 'Run Terminated';

/** Best to worst (Argo's analysisStatusOrder). */
const ORDER: AnalysisPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];
export function isWorse(current: AnalysisPhase, candidate: AnalysisPhase): boolean {
  return ORDER.indexOf(candidate) > ORDER.indexOf(current);
}

export function resultOf(run: AnalysisRun, name: string): MetricResult | undefined {
  return run.status?.metricResults?.find((r) => r.name === name);
}

export function lastMeasurement(r: MetricResult | undefined): Measurement | undefined {
  const ms = r?.measurements;
  return ms && ms.length ? ms[ms.length - 1] : undefined;
}

const time = (s: string | undefined): number | undefined => (s ? Date.parse(s) : undefined);

/** spec.terminate, or a non-dry-run metric already Failed, Error or Inconclusive. */
export function isTerminating(run: AnalysisRun): boolean {
  if (run.spec.terminate) return true;
  return (run.status?.metricResults ?? []).some((r) => !r.dryRun && (r.phase === 'Failed' || r.phase === 'Error' || r.phase === 'Inconclusive'));
}

// ------------------------------------------------------------------------------------------------ validation

export class SpecError extends Error {}

function validateCount(name: string, v: unknown, min: number): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = intValue(v as number | string);
  if (n === undefined) return `${name}: ${JSON.stringify(v)} is not an integer`;
  if (n < min) return `${name} must be >= ${min}`;
  return undefined;
}

/** The first problem of one metric, or undefined (Argo's ValidateMetric, plus conditions and provider fields). */
export function validateMetric(metric: Metric, providers: ProviderSet): string | undefined {
  const bad = validateCount('count', metric.count, 0)
    ?? validateCount('failureLimit', metric.failureLimit, -1)
    ?? validateCount('inconclusiveLimit', metric.inconclusiveLimit, 0)
    ?? validateCount('consecutiveErrorLimit', metric.consecutiveErrorLimit, 0)
    ?? validateCount('consecutiveSuccessLimit', metric.consecutiveSuccessLimit, 0);
  if (bad) return bad;
  const count = intValue(metric.count) ?? 0;
  const failureLimit = intValue(metric.failureLimit) ?? 0;
  const inconclusiveLimit = intValue(metric.inconclusiveLimit) ?? 0;
  if (count > 0 && count < failureLimit) return 'count must be >= failureLimit';
  if (count > 0 && count < inconclusiveLimit) return 'count must be >= inconclusiveLimit';
  if (count > 1 && !metric.interval) return 'interval must be specified when count > 1';
  if (metric.interval) {
    try { if (durationMs(metric.interval) <= 0) return `interval ${JSON.stringify(metric.interval)} must be positive`; } catch (e) { return `invalid interval string: ${(e as Error).message}`; }
  }
  if (metric.initialDelay) {
    try { durationMs(metric.initialDelay); } catch (e) { return `invalid initialDelay string: ${(e as Error).message}`; }
  }
  for (const kind of ['successCondition', 'failureCondition'] as const) {
    const c = metric[kind];
    if (!c) continue;
    try { compileExpr(c); } catch (e) { return `${kind} ${JSON.stringify(c)} is invalid: ${(e as Error).message}`; }
  }
  return validateProvider(metric, providers);
}

/** "no metrics specified", "metrics[1]: duplicate name 'x'", "metrics[0]: interval must be specified when count > 1"… */
export function validateMetrics(metrics: Metric[] | undefined, providers: ProviderSet): string | undefined {
  if (!metrics || metrics.length === 0) return 'no metrics specified';
  const seen = new Set<string>();
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i];
    if (!m || !m.name) return `metrics[${i}]: name is required`;
    if (seen.has(m.name)) return `metrics[${i}]: duplicate name '${m.name}'`;
    seen.add(m.name);
    const err = validateMetric(m, providers);
    if (err) return `metrics[${i}]: ${err}`;
  }
  return undefined;
}

/** Go's regexp.MatchString (unanchored); `*` alone also matches everything. */
function ruleMatches(rule: string, name: string): boolean {
  if (rule === '*') return true;
  try { return new RegExp(rule).test(name); } catch { return rule === name; }
}

/** Names of the metrics in dry-run mode; every rule must match a metric. Throws SpecError. */
export function dryRunMetrics(rules: DryRun[] | undefined, metrics: Metric[]): Set<string> {
  const out = new Set<string>();
  (rules ?? []).forEach((r, i) => {
    const hits = metrics.filter((m) => ruleMatches(r.metricName, m.name));
    if (!hits.length) throw new SpecError(`dryRun[${i}]: Rule didn't match any metric name(s)`);
    for (const m of hits) out.add(m.name);
  });
  return out;
}

/** Per-metric measurement limits from measurementRetention; every rule must match a metric. Throws SpecError. */
export function retentionLimits(rules: MeasurementRetention[] | undefined, metrics: Metric[]): Map<string, number> {
  const out = new Map<string, number>();
  (rules ?? []).forEach((r, i) => {
    const hits = metrics.filter((m) => ruleMatches(r.metricName, m.name));
    if (!hits.length) throw new SpecError(`measurementRetention[${i}]: Rule didn't match any metric name(s)`);
    for (const m of hits) if (r.limit > 0) out.set(m.name, r.limit);
  });
  return out;
}

// ------------------------------------------------------------------------------------------------ scheduling

/** When a metric measures next (ms since epoch), or undefined when it will not (completed, count reached, waiting for startedAt). */
export function metricDueAt(run: AnalysisRun, metric: Metric): number | undefined {
  const result = resultOf(run, metric.name);
  if (result && isCompleted(result.phase)) return undefined;
  const last = lastMeasurement(result);
  if (!last) {
    const started = time(run.status?.startedAt);
    if (!metric.initialDelay) return started ?? 0;
    if (started === undefined) return undefined;
    return started + durationMs(metric.initialDelay);
  }
  const finished = time(last.finishedAt);
  if (finished === undefined) return time(last.resumeAt) ?? 0; // an unfinished measurement (not ours): take it again
  const want = effectiveCount(metric);
  if (want !== undefined && (result!.count ?? 0) >= want) return undefined;
  if (last.phase === 'Error') return finished + ERROR_RETRY_INTERVAL_MS;
  if (metric.interval) return finished + durationMs(metric.interval);
  return undefined;
}

/** Indexes of the metrics to measure at `now` (none while terminating). Metrics must be valid (validateMetrics). */
export function metricsDue(run: AnalysisRun, metrics: Metric[], now: number): number[] {
  if (isTerminating(run)) return [];
  const out: number[] = [];
  metrics.forEach((m, i) => {
    const at = metricDueAt(run, m);
    if (at !== undefined && at <= now) out.push(i);
  });
  return out;
}

/** The earliest time a metric is due after this reconcile, or undefined. */
export function nextReconcileAt(run: AnalysisRun, metrics: Metric[]): number | undefined {
  if (isCompleted(run.status?.phase)) return undefined;
  let next: number | undefined;
  for (const m of metrics) {
    const at = metricDueAt(run, m);
    if (at !== undefined && (next === undefined || at < next)) next = at;
  }
  return next;
}

// ------------------------------------------------------------------------------------------------ assessment

export interface RunEvent { type: 'Normal' | 'Warning'; reason: string; message: string }

export interface RunAssessment {
  phase: AnalysisPhase;
  message: string;
  metricResults: MetricResult[];
  runSummary: RunSummary;
  dryRunSummary: RunSummary;
  events: RunEvent[];
}

const warn = (p: AnalysisPhase) => (p === 'Error' || p === 'Failed' ? 'Warning' : 'Normal');

function addTo(s: RunSummary, phase: AnalysisPhase): void {
  const k = phase === 'Error' ? 'error' : phase === 'Failed' ? 'failed' : phase === 'Inconclusive' ? 'inconclusive' : 'successful';
  s[k] = (s[k] ?? 0) + 1;
}

/** Metric phases, run phase and message from the results so far (Argo's assessRunStatus). Pure: returns new results. */
export function assessRun(run: AnalysisRun, metrics: Metric[], dryRun: Set<string>): RunAssessment {
  const terminating = isTerminating(run);
  const results = (run.status?.metricResults ?? []).map((r) => ({ ...r }));
  const events: RunEvent[] = [];
  const runSummary: RunSummary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  const dryRunSummary: RunSummary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  let worst: AnalysisPhase | undefined;
  let message = run.spec.terminate ? RUN_TERMINATED : '';
  let everythingCompleted = true;

  for (const metric of metrics) {
    const isDry = dryRun.has(metric.name);
    (isDry ? dryRunSummary : runSummary).count! += 1;
    const idx = results.findIndex((r) => r.name === metric.name);
    if (idx < 0) { everythingCompleted = false; continue; }
    const result = results[idx];
    const a = assessMetric(metric, result, terminating);
    if (result.phase !== a.phase) {
      if (isCompleted(a.phase)) {
        events.push({ type: warn(a.phase), reason: `Metric${a.phase}`, message: `Metric '${metric.name}' Completed. Result: ${a.phase}` });
      }
      const last = lastMeasurement(result);
      if (last?.message) result.message = last.message; else delete result.message;
      result.phase = a.phase;
    }
    if (!isCompleted(a.phase)) { everythingCompleted = false; continue; }
    const why = a.reason ?? limitBreached(metric, result)?.reason;
    if (!isDry) {
      if (worst === undefined || isWorse(worst, a.phase)) {
        worst = a.phase;
        if (why) {
          message = `Metric "${metric.name}" assessed ${a.phase} due to ${why}`;
          if (result.message) message += `: "Error Message: ${result.message}"`;
          else {
            const v = lastMeasurement(result)?.value;
            if (v !== undefined && v !== '' && a.phase !== 'Successful') message += ` (last measured value: ${v})`;
          }
        }
      }
      addTo(runSummary, a.phase);
    } else {
      if (worst === undefined) worst = 'Successful';
      if (why) result.message = `Metric assessed ${a.phase} due to ${why}`;
      addTo(dryRunSummary, a.phase);
    }
  }
  message = message.trim();
  let phase: AnalysisPhase;
  if (terminating) phase = worst ?? 'Successful';
  else if (!everythingCompleted || worst === undefined) { phase = 'Running'; message = ''; }
  else phase = worst;
  return { phase, message, metricResults: results, runSummary, dryRunSummary, events };
}

/** Results with at most `limits.get(name) ?? 10` most recent measurements each. */
export function trimMeasurements(results: MetricResult[], limits: Map<string, number>, dflt = DEFAULT_MEASUREMENT_HISTORY_LIMIT): MetricResult[] {
  return results.map((r) => {
    const limit = limits.get(r.name) ?? dflt;
    const ms = r.measurements ?? [];
    return ms.length > limit ? { ...r, measurements: ms.slice(ms.length - limit) } : r;
  });
}
