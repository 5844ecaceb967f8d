/**
 * What a metric provider is to the analysis controller: it checks its own fields, then takes one measurement and
 * hands back the raw `result` the conditions are evaluated over and the `value` string shown in the AnalysisRun.
 * A provider signals an Error measurement by throwing (ProviderError or any Error): its message becomes the
 * measurement's message. Conditions, counters and timestamps are the caller's (providers/index.ts takeMeasurement).
 */
import type { AnalysisRun, Metric } from '../types.ts';

export class ProviderError extends Error {}

export interface MeasureContext {
  /** The run being measured (namespace, name). */
  run: AnalysisRun;
  /** The metric, with its {{args.*}} placeholders already substituted. */
  metric: Metric;
}

export interface ProviderOutput {
  /** What `result` is in successCondition / failureCondition. */
  result: unknown;
  /** Measurement.value: the result as text. */
  value: string;
  /** Measurement.metadata. */
  metadata?: Record<string, string>;
}

export interface MetricProviderImpl {
  /** The key under metric.provider (`kubelite`, `web`, `prometheus`). */
  readonly name: string;
  /** A problem with the provider's fields of a (resolved) metric, or undefined when they are usable. */
  validate(metric: Metric): string | undefined;
  /** Take one measurement; throw for an Error measurement. */
  measure(ctx: MeasureContext): Promise<ProviderOutput>;
  /** MetricResult.metadata (e.g. the resolved Prometheus query). */
  metricMetadata?(metric: Metric): Record<string, string> | undefined;
}
