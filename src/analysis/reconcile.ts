/**
 * One reconcile of an AnalysisRun, without the API (Argo Rollouts' reconcileAnalysisRun): resolve the arguments,
 * validate the metrics, take the measurements that are due (in parallel, each through `deps.limit`), record them,
 * assess metric and run phases, trim the history, and say when the run needs looking at again. The controller
 * (src/controllers/analysis) writes the returned status and records the returned events.
 *
 * Bad input never throws: unresolvable arguments end the run in Error "Unable to resolve metric arguments: …", an
 * invalid metric (unknown provider, unparsable condition, count > 1 without interval, …) in Error
 * "Analysis spec invalid: metrics[i]: …"; a failing provider is an Error measurement (the fifth in a row, by
 * default, errors the metric).
 */
import type { Clock } from '../util/clock.ts';
import { rfc3339 } from '../util/clock.ts';
import type { AnalysisRun, AnalysisRunStatus, Argument, Metric, MetricResult } from './types.ts';
import { isCompleted } from './types.ts';
import { argsWithoutSecrets, resolveMetricArgs } from './args.ts';
import { recordMeasurement } from './metric.ts';
import { providerFor, takeMeasurement, type ProviderSet } from './providers/index.ts';
import {
  assessRun, dryRunMetrics, isTerminating, lastMeasurement, metricsDue, nextReconcileAt, retentionLimits, trimMeasurements,
  validateMetrics, type RunEvent,
} from './run.ts';

export interface ReconcileDeps {
  clock: Clock;
  providers: ProviderSet;
  /** Read a key of a Secret in the run's namespace (valueFrom.secretKeyRef args); throws when it cannot. */
  readSecret?: (namespace: string, name: string, key: string) => Promise<string>;
  /** Bounds concurrent measurements across runs (default: unbounded). */
  limit?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export interface ReconcileOutcome {
  status: AnalysisRunStatus;
  events: RunEvent[];
  /** Reconcile again after this many ms (undefined: only when the run changes). */
  requeueAfterMs?: number;
}

function completion(phase: 'Successful' | 'Failed' | 'Error' | 'Inconclusive', message: string | undefined): RunEvent {
  return {
    type: phase === 'Error' || phase === 'Failed' ? 'Warning' : 'Normal',
    reason: `AnalysisRun${phase}`,
    message: `Analysis Completed. Result: ${phase}${message ? `: ${message}` : ''}`,
  };
}

/** Args with Secret references replaced by the Secrets' values (and those values, to redact from messages). */
async function resolveSecrets(run: AnalysisRun, deps: ReconcileDeps): Promise<{ args: Argument[]; secrets: string[] }> {
  const secrets: string[] = [];
  const args: Argument[] = [];
  for (const a of run.spec.args ?? []) {
    const ref = a.valueFrom?.secretKeyRef;
    if (!ref) { args.push(a); continue; }
    if (!deps.readSecret) throw new Error(`args.${a.name}: Secrets cannot be read by this controller`);
    const value = await deps.readSecret(run.metadata.namespace ?? 'default', ref.name, ref.key);
    if (value) secrets.push(value);
    args.push({ name: a.name, value });
  }
  return { args, secrets };
}

export async function reconcileAnalysisRun(run: AnalysisRun, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const status: AnalysisRunStatus = structuredClone(run.status ?? {});
  if (isCompleted(status.phase)) return { status, events: [] };
  const now = () => deps.clock.now();
  status.metricResults ??= [];
  const fail = (message: string): ReconcileOutcome => {
    status.phase = 'Error';
    status.message = message;
    status.startedAt ??= rfc3339(now());
    status.completedAt = rfc3339(now());
    return { status, events: [completion('Error', message)] };
  };

  let metrics: Metric[];
  try {
    const shapeArgs = argsWithoutSecrets(run.spec.args);
    metrics = (run.spec.metrics ?? []).map((m) => resolveMetricArgs(m, shapeArgs));
  } catch (e) {
    return fail(`Unable to resolve metric arguments: ${(e as Error).message}`);
  }
  const invalid = validateMetrics(metrics, deps.providers);
  if (invalid) return fail(`Analysis spec invalid: ${invalid}`);
  let dryRun: Set<string>, retention: Map<string, number>;
  try {
    dryRun = dryRunMetrics(run.spec.dryRun, metrics);
    retention = retentionLimits(run.spec.measurementRetention, metrics);
  } catch (e) {
    return fail(`Analysis spec invalid: ${(e as Error).message}`);
  }

  const working: AnalysisRun = { ...run, status };
  const due = metricsDue(working, metrics, now());
  if (due.length) {
    let resolved: { args: Argument[]; secrets: string[] };
    try {
      resolved = await resolveSecrets(run, deps);
    } catch (e) {
      return fail(`Unable to resolve metric arguments: ${(e as Error).message}`);
    }
    const limit = deps.limit ?? (<T>(fn: () => Promise<T>) => fn());
    const taken = await Promise.all(due.map(async (i) => {
      const metric = resolveMetricArgs(run.spec.metrics[i], resolved.args);
      const m = await limit(() => takeMeasurement({ run, metric }, deps.providers, deps.clock));
      for (const s of resolved.secrets) if (m.message) m.message = m.message.split(s).join('*****');
      return { i, metric, m };
    }));
    for (const { i, metric, m } of taken) {
      const name = metrics[i].name;
      const idx = status.metricResults.findIndex((r) => r.name === name);
      let result: MetricResult;
      if (idx >= 0) result = status.metricResults[idx];
      else {
        result = { name, phase: 'Running', dryRun: dryRun.has(name) };
        const p = providerFor(metric, deps.providers);
        const md = 'provider' in p ? p.provider.metricMetadata?.(metric) : undefined;
        if (md) result.metadata = md;
      }
      const inFlight = lastMeasurement(result) !== undefined && !lastMeasurement(result)!.finishedAt;
      const updated = recordMeasurement(result, m, inFlight);
      if (idx >= 0) status.metricResults[idx] = updated; else status.metricResults.push(updated);
    }
  }

  status.startedAt ??= rfc3339(now());
  let a = assessRun({ ...run, status }, metrics, dryRun);
  const events = [...a.events];
  if (!isCompleted(a.phase) && isTerminating({ ...run, status: { ...status, metricResults: a.metricResults } })) {
    // A metric has just failed, errored or become inconclusive: the run ends now, not at the next due time.
    a = assessRun({ ...run, status: { ...status, metricResults: a.metricResults } }, metrics, dryRun);
    events.push(...a.events);
  }
  status.metricResults = trimMeasurements(a.metricResults, retention);
  status.runSummary = a.runSummary;
  status.dryRunSummary = a.dryRunSummary;
  if (a.phase !== status.phase) {
    status.phase = a.phase;
    if (a.message) status.message = a.message; else delete status.message;
    if (isCompleted(a.phase)) {
      status.completedAt = rfc3339(now());
      events.push(completion(a.phase as 'Successful', a.message));
    }
  }
  const next = nextReconcileAt({ ...run, status }, metrics);
  return { status, events, requeueAfterMs: next === undefined ? undefined : Math.max(0, next - now()) };
}
