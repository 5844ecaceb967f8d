/**
 * metrics.k8s.io/v1beta1 pods and nodes (PodMetrics, NodeMetrics): the resource metrics API `kubectl top` and the
 * HPA controller read. Not stored: served read-only (get, list) from the API server's resource-metrics component
 * (src/apiserver/metrics), as metrics-server serves them upstream.
 */
import { define } from './common.ts';
import { col, nameColumn } from '../tables/table.ts';
import { formatBinary, formatDecimal, scaledValue } from '../resource-quantity.ts';
import { podMetricsSource, nodeMetricsSource } from '../../apiserver/metrics/api.ts';
import { METRICS } from '../definitions/metrics.ts';

const READ_ONLY = ['get', 'list'];
const noValidation = () => [];

/** metrics-server's table: Name, cpu, memory (summed over containers), window. */
const metricsColumns = [
  nameColumn(),
  col('CPU', 'string', 'CPU usage (cores).', 0, 'quantity'),
  col('Memory', 'string', 'Memory working set (bytes).', 0, 'quantity'),
  col('Window', 'string', 'The interval the usage was measured over.', 0, 'duration'),
];

function totals(usages: Record<string, string>[]): [string, string] {
  let cpu = 0, mem = 0;
  for (const u of usages) { cpu += scaledValue(u?.cpu, -9) ?? 0; mem += scaledValue(u?.memory, 0) ?? 0; }
  return [formatDecimal(cpu, -9), formatBinary(mem)];
}

export const podmetrics = define({
  group: 'metrics.k8s.io', version: 'v1beta1', kind: 'PodMetrics', plural: 'pods', namespaced: true,
  verbs: READ_ONLY, schemaName: METRICS + 'PodMetrics', hasGeneration: false, garbageCollected: false,
  source: (ctx) => podMetricsSource(ctx),
  table: {
    columns: metricsColumns,
    row: (m) => [m.metadata?.name ?? '', ...totals((m.containers ?? []).map((c: any) => c.usage ?? {})), m.window ?? ''],
  },
  defaults() {},
  validate: noValidation,
});

export const nodemetrics = define({
  group: 'metrics.k8s.io', version: 'v1beta1', kind: 'NodeMetrics', plural: 'nodes', namespaced: false,
  verbs: READ_ONLY, schemaName: METRICS + 'NodeMetrics', hasGeneration: false, garbageCollected: false,
  source: (ctx) => nodeMetricsSource(ctx),
  table: {
    columns: metricsColumns,
    row: (m) => [m.metadata?.name ?? '', ...totals([m.usage ?? {}]), m.window ?? ''],
  },
  defaults() {},
  validate: noValidation,
});
