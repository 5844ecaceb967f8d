/**
 * The `prometheus` metric provider (Argo Rollouts metricproviders/prometheus): an instant PromQL query against the
 * Prometheus HTTP API (POST <address>/api/v1/query, as client_golang sends it).
 *   address (default: the controller's configured Prometheus, else the on-demand one — prometheus-server.ts),
 *   query (required), timeout seconds (default 30), headers [{key, value}], insecure.
 * A scalar is a number; a vector is an array of its samples' values (so `result[0]`), an empty vector `[]`; a
 * matrix the values of all its series in order. The value string is "0.99" for a scalar and "[0.99,0.5]" for a
 * vector, as Argo prints them; warnings go to the measurement's metadata, the resolved query to the metric's.
 */
import type { Metric, PrometheusMetric } from '../types.ts';
import { formatFloat } from '../measurement.ts';
import { httpRequest } from './http.ts';
import { ProviderError, type MeasureContext, type MetricProviderImpl, type ProviderOutput } from './types.ts';

export const DEFAULT_PROMETHEUS_TIMEOUT_SECONDS = 30;
export const RESOLVED_PROMETHEUS_QUERY = 'ResolvedPrometheusQuery';

/** A Prometheus sample value ("0.5", "NaN", "+Inf", "-Inf"). */
function sampleValue(v: unknown): number {
  if (typeof v !== 'string') throw new ProviderError(`unexpected sample value ${JSON.stringify(v)} in the Prometheus answer`);
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (v === 'NaN') return NaN;
  const n = Number(v);
  if (Number.isNaN(n)) throw new ProviderError(`unexpected sample value ${JSON.stringify(v)} in the Prometheus answer`);
  return n;
}

const pair = (p: unknown) => (Array.isArray(p) ? sampleValue(p[1]) : sampleValue(undefined));

/** A Prometheus kubelite starts when first needed (src/analysis/prometheus-server.ts). */
export interface OnDemandPrometheusEndpoint {
  /** Its base URL, once it runs (started by this call if need be); rejects with the reason it cannot run. */
  address(): Promise<string>;
  /** After a failed query: why it stopped, if it crashed (reported once; the next address() restarts it). */
  failure?(): Promise<string | undefined>;
}

export class PrometheusProvider implements MetricProviderImpl {
  readonly name = 'prometheus';
  constructor(private defaultAddress?: string, private onDemand?: OnDemandPrometheusEndpoint) {}

  private address(p: PrometheusMetric): string | undefined {
    return p.address || this.defaultAddress || undefined;
  }

  /** The base URL to query: the metric's or the configured address, else the on-demand Prometheus (started now). */
  private async baseUrl(p: PrometheusMetric): Promise<string> {
    const a = this.address(p);
    if (a) return a.replace(/\/+$/, '');
    try {
      return (await this.onDemand!.address()).replace(/\/+$/, '');
    } catch (e) {
      throw new ProviderError((e as Error).message);
    }
  }

  validate(metric: Metric): string | undefined {
    const p = metric.provider.prometheus!;
    if (typeof p !== 'object' || p === null) return 'prometheus: must be an object';
    if (!p.query) return 'prometheus.query is required';
    const addr = this.address(p);
    if (!addr) return this.onDemand ? this.checkRest(p) : 'prometheus address is not configured';
    let u: URL | undefined;
    try { u = new URL(addr); } catch { /* reported below */ }
    if (!u || !u.host || (u.protocol !== 'http:' && u.protocol !== 'https:')) return `prometheus address ${JSON.stringify(addr)} is not in url format`;
    return this.checkRest(p);
  }

  private checkRest(p: PrometheusMetric): string | undefined {
    if (p.timeout !== undefined && p.timeout !== null && p.timeout < 0) return 'prometheus timeout should not be negative';
    if (p.rangeQuery && Object.keys(p.rangeQuery).length) return 'prometheus.rangeQuery is not supported by kubelite: use an instant query (e.g. with a [5m] range and an aggregation)';
    if (p.authentication !== undefined && p.authentication !== null && Object.keys(p.authentication as object).length) {
      return 'prometheus.authentication (sigv4, oauth2) is not supported by kubelite: pass credentials in headers';
    }
    return undefined;
  }

  metricMetadata(metric: Metric): Record<string, string> | undefined {
    const q = metric.provider.prometheus?.query;
    return q ? { [RESOLVED_PROMETHEUS_QUERY]: q } : undefined;
  }

  async measure(ctx: MeasureContext): Promise<ProviderOutput> {
    const p = ctx.metric.provider.prometheus as PrometheusMetric;
    const viaOnDemand = !this.address(p);
    const base = await this.baseUrl(p);
    try {
      return await this.query(base, p);
    } catch (e) {
      // The on-demand Prometheus died under this query: say so (it is restarted at the next measurement).
      const crashed = viaOnDemand ? await this.onDemand?.failure?.() : undefined;
      throw crashed ? new ProviderError(crashed) : e;
    }
  }

  private async query(base: string, p: PrometheusMetric): Promise<ProviderOutput> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    for (const h of p.headers ?? []) headers[h.key] = h.value;
    const timeoutMs = (p.timeout && p.timeout > 0 ? p.timeout : DEFAULT_PROMETHEUS_TIMEOUT_SECONDS) * 1000;
    const form = new URLSearchParams({ query: p.query ?? '', timeout: `${timeoutMs / 1000}s` }).toString();
    let res = await httpRequest({
      url: `${base}/api/v1/query`, method: 'POST', body: form, timeoutMs, insecure: p.insecure,
      headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    if (res.status === 405) {
      // A read-only proxy in front of Prometheus: fall back to GET, as client_golang does.
      res = await httpRequest({ url: `${base}/api/v1/query?${form}`, method: 'GET', headers, timeoutMs, insecure: p.insecure });
    }
    let doc: any;
    try { doc = JSON.parse(res.body); } catch { /* handled below */ }
    if (!doc || typeof doc !== 'object') {
      throw new ProviderError(`prometheus query failed: HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200).trim()}` : ''}`);
    }
    if (doc.status !== 'success') {
      throw new ProviderError(`${doc.errorType ?? 'server_error'}: ${doc.error ?? `HTTP ${res.status}`}`);
    }
    const out = processResult(doc.data);
    if (Array.isArray(doc.warnings) && doc.warnings.length) out.metadata = { warnings: doc.warnings.map((w: unknown) => JSON.stringify(String(w))).join(', ') };
    return out;
  }
}

/** The `data` of a successful /api/v1/query answer as result + value (exported for tests). */
export function processResult(data: { resultType?: string; result?: unknown }): ProviderOutput {
  switch (data?.resultType) {
    case 'scalar': {
      const v = pair(data.result);
      return { result: v, value: formatFloat(v) };
    }
    case 'vector': {
      const vals = ((data.result as { value: unknown }[]) ?? []).filter(Boolean).map((s) => pair(s.value));
      return { result: vals, value: `[${vals.map(formatFloat).join(',')}]` };
    }
    case 'matrix': {
      const vals = ((data.result as { values: unknown[] }[]) ?? []).flatMap((s) => (s.values ?? []).map(pair));
      return { result: vals, value: `[${vals.map(formatFloat).join(',')}]` };
    }
    default:
      throw new ProviderError(`Prometheus metric type not supported: ${data?.resultType ?? 'none'}`);
  }
}
