/**
 * kubelite's built-in metric provider: live traffic through a Service routed by kubelite's service proxy, read from
 * a TrafficStatsSource (src/analysis/traffic-source.ts) — no Prometheus, no set-up.
 *
 *   provider:
 *     kubelite:
 *       service: "{{args.service-name}}"   # the entry (stable) Service, in the run's namespace
 *       backend: canary                    # canary | stable | omitted = both
 *       revision: "{{args.canary-hash}}"   # optional: only pods of this rollouts-pod-template-hash
 *       metric: success-rate               # see METRICS
 *       window: 30s                        # default: the metric's interval, else 60s
 *
 * success-rate = (requests − 5xx − failures) / requests; error-rate = 1 − success-rate; request-rate = requests/s;
 * requests = the count; latency-* in seconds. `result` is a plain number (`result >= 0.95`; `result[0]` also works).
 * With no request in the window a ratio or latency has no value: the measurement is an Error saying
 * "no requests to service <ns>/<svc> (<backend>) in the last <window>" (requests and request-rate are then 0).
 */
import type { KubeliteMetric, Metric } from '../types.ts';
import type { TrafficStatsSource, TrafficWindowStats } from '../traffic-source.ts';
import { formatGoDuration, durationMs } from '../duration.ts';
import { formatFloat } from '../measurement.ts';
import { ProviderError, type MeasureContext, type MetricProviderImpl, type ProviderOutput } from './types.ts';

export const KUBELITE_METRICS = ['success-rate', 'error-rate', 'request-rate', 'requests', 'latency-mean', 'latency-p50', 'latency-p90', 'latency-p95', 'latency-p99'] as const;
export const DEFAULT_WINDOW_MS = 60_000;

function windowMs(metric: Metric, k: KubeliteMetric): number {
  if (k.window) return durationMs(k.window);
  if (metric.interval) return durationMs(metric.interval);
  return DEFAULT_WINDOW_MS;
}

export class KubeliteProvider implements MetricProviderImpl {
  readonly name = 'kubelite';
  constructor(private source: TrafficStatsSource | undefined) {}

  validate(metric: Metric): string | undefined {
    const k = metric.provider.kubelite!;
    if (typeof k !== 'object' || k === null) return 'kubelite: must be an object';
    if (!k.service) return 'kubelite.service is required';
    if (!k.metric) return `kubelite.metric is required (one of ${KUBELITE_METRICS.join(', ')})`;
    if (!(KUBELITE_METRICS as readonly string[]).includes(k.metric)) return `kubelite.metric ${JSON.stringify(k.metric)} is not one of ${KUBELITE_METRICS.join(', ')}`;
    if (k.backend !== undefined && k.backend !== null && (k.backend as string) !== '' && k.backend !== 'stable' && k.backend !== 'canary') {
      return `kubelite.backend ${JSON.stringify(k.backend)} must be stable or canary (or omitted for both)`;
    }
    if (k.window) {
      try { if (durationMs(k.window) <= 0) return `kubelite.window ${JSON.stringify(k.window)} must be positive`; } catch (e) { return `invalid kubelite.window: ${(e as Error).message}`; }
    }
    return undefined;
  }

  async measure(ctx: MeasureContext): Promise<ProviderOutput> {
    if (!this.source) throw new ProviderError('the kubelite metric provider has no traffic statistics source in this controller (the service proxy\'s L7 router is not wired in)');
    const { metric, run } = ctx;
    const k = metric.provider.kubelite!;
    const ms = windowMs(metric, k);
    const namespace = run.metadata.namespace ?? 'default';
    const backend = k.backend || undefined;
    const stats = await this.source.query({ namespace, service: k.service, backend, revision: k.revision || undefined, windowSeconds: ms / 1000 });
    const window = k.window || formatGoDuration(ms);
    const value = pick(k.metric, stats, ms / 1000, () => `no requests to service ${namespace}/${k.service} (${backend ?? 'stable+canary'}) in the last ${window}`);
    const metadata: Record<string, string> = {
      requests: String(stats.requests),
      '5xx': String(stats.codes['5xx']),
      failures: String(stats.failures),
      window,
    };
    return { result: value, value: formatFloat(value), metadata };
  }
}

function pick(metric: string, s: TrafficWindowStats, windowSeconds: number, noData: () => string): number {
  if (metric === 'requests') return s.requests;
  if (metric === 'request-rate') return s.requests / windowSeconds;
  if (s.requests <= 0) throw new ProviderError(noData());
  const ok = (s.requests - s.codes['5xx'] - s.failures) / s.requests;
  if (metric === 'success-rate') return ok;
  if (metric === 'error-rate') return 1 - ok;
  const q = metric.slice('latency-'.length) as 'mean' | 'p50' | 'p90' | 'p95' | 'p99';
  const v = s.latencySeconds[q];
  if (v === null || v === undefined) throw new ProviderError(`${noData().replace('no requests', 'no answered requests')} to measure latency`);
  return v;
}
