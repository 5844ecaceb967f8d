/**
 * The metric providers kubelite implements (kubelite built-in, web, prometheus), how a metric names its provider,
 * and taking one measurement: the provider's result judged by the metric's conditions (measurement.ts), with
 * startedAt/finishedAt from the injected clock. A provider that fails — or names a provider kubelite lacks — yields
 * an Error measurement with the reason; nothing here throws.
 */
import type { Clock } from '../../util/clock.ts';
import { rfc3339 } from '../../util/clock.ts';
import type { Measurement, Metric } from '../types.ts';
import type { TrafficStatsSource } from '../traffic-source.ts';
import { evaluateResult } from '../measurement.ts';
import { KubeliteProvider } from './kubelite.ts';
import { WebProvider } from './web.ts';
import { PrometheusProvider, type OnDemandPrometheusEndpoint } from './prometheus.ts';
import type { MeasureContext, MetricProviderImpl } from './types.ts';

export type { MetricProviderImpl, MeasureContext, ProviderOutput } from './types.ts';
export type { OnDemandPrometheusEndpoint } from './prometheus.ts';
export { ProviderError } from './types.ts';

/** Providers of Argo Rollouts that kubelite does not implement (a run using one ends in Error, saying so). */
export const ARGO_ONLY_PROVIDERS = ['job', 'datadog', 'newRelic', 'wavefront', 'kayenta', 'cloudWatch', 'graphite', 'influxdb', 'skywalking', 'plugin'];

export interface ProviderOptions {
  /** The service proxy's measurements, for the built-in `kubelite` provider. */
  trafficSource?: TrafficStatsSource;
  /** Prometheus used when a prometheus metric gives no address. */
  prometheusAddress?: string;
  /** Without prometheusAddress: the Prometheus kubelite starts when a metric needs one (prometheus-server.ts). */
  prometheus?: OnDemandPrometheusEndpoint;
}

export type ProviderSet = ReadonlyMap<string, MetricProviderImpl>;

export function createProviders(opts: ProviderOptions = {}): ProviderSet {
  const list: MetricProviderImpl[] = [new KubeliteProvider(opts.trafficSource), new WebProvider(), new PrometheusProvider(opts.prometheusAddress, opts.prometheus)];
  return new Map(list.map((p) => [p.name, p]));
}

/** The provider key a metric uses, or the reason it has none usable. */
export function providerName(metric: Metric): { name: string } | { error: string } {
  const p = metric.provider;
  if (!p || typeof p !== 'object') return { error: 'no provider specified' };
  const names = Object.keys(p).filter((k) => p[k] !== undefined && p[k] !== null);
  if (names.length === 0) return { error: 'no provider specified' };
  if (names.length > 1) return { error: `multiple providers specified (${names.join(', ')})` };
  return { name: names[0] };
}

/** The implementation for a metric, or why there is none ("provider datadog is not supported by kubelite …"). */
export function providerFor(metric: Metric, providers: ProviderSet): { provider: MetricProviderImpl } | { error: string } {
  const n = providerName(metric);
  if ('error' in n) return n;
  const impl = providers.get(n.name);
  if (impl) return { provider: impl };
  const supported = [...providers.keys()].join(', ');
  return {
    error: ARGO_ONLY_PROVIDERS.includes(n.name)
      ? `provider ${n.name} is not supported by kubelite (supported: ${supported})`
      : `unknown provider ${n.name} (supported: ${supported})`,
  };
}

/** Everything wrong with a metric's provider, or undefined. */
export function validateProvider(metric: Metric, providers: ProviderSet): string | undefined {
  const r = providerFor(metric, providers);
  if ('error' in r) return r.error;
  return r.provider.validate(metric);
}

/** One measurement of the metric: never throws; failures are Error measurements with their reason. */
export async function takeMeasurement(ctx: MeasureContext, providers: ProviderSet, clock: Clock): Promise<Measurement> {
  const startedAt = rfc3339(clock.now());
  const done = (m: Omit<Measurement, 'startedAt' | 'finishedAt'>): Measurement => ({ ...m, startedAt, finishedAt: rfc3339(clock.now()) });
  const r = providerFor(ctx.metric, providers);
  if ('error' in r) return done({ phase: 'Error', message: r.error });
  try {
    const out = await r.provider.measure(ctx);
    const verdict = evaluateResult(out.result, ctx.metric);
    const m: Omit<Measurement, 'startedAt' | 'finishedAt'> = { phase: verdict.phase, value: out.value };
    if (verdict.message) m.message = verdict.message;
    if (out.metadata && Object.keys(out.metadata).length) m.metadata = out.metadata;
    return done(m);
  } catch (e) {
    return done({ phase: 'Error', message: (e as Error)?.message || String(e) });
  }
}
