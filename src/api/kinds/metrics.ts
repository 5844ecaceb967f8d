/**
 * metrics.k8s.io/v1beta1 pods and nodes (PodMetrics, NodeMetrics): the resource metrics API `kubectl top` and the
 * HPA controller read. Not stored: served read-only (get, list) from the API server's resource-metrics component
 * (src/apiserver/metrics), as metrics-server serves them upstream.
 */
import { define } from './common.ts';
import type { ResourceDef } from '../resource.ts';
import { col, nameColumn } from '../tables/table.ts';
import { formatBinary, formatDecimal, scaledValue } from '../resource-quantity.ts';
import { podMetricsSource, nodeMetricsSource } from '../../apiserver/metrics/api.ts';
import { METRICS } from '../definitions/metrics.ts';

const READ_ONLY = ['get', 'list'];

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

/** A read-only metrics kind served from the API server's resource-metrics component. */
function metricsKind(kind: 'PodMetrics' | 'NodeMetrics', plural: string, namespaced: boolean, source: ResourceDef['source'],
  usages: (m: any) => Record<string, string>[]): ResourceDef {
  return define({
    group: 'metrics.k8s.io', version: 'v1beta1', kind, plural, namespaced, verbs: READ_ONLY, schemaName: METRICS + kind,
    hasGeneration: false, garbageCollected: false, source,
    table: { columns: metricsColumns, row: (m) => [m.metadata?.name ?? '', ...totals(usages(m)), m.window ?? ''] },
    defaults() {},
    validate: () => [],
  });
}

export const podmetrics = metricsKind('PodMetrics', 'pods', true, (ctx) => podMetricsSource(ctx), (m) => (m.containers ?? []).map((c: any) => c.usage ?? {}));
export const nodemetrics = metricsKind('NodeMetrics', 'nodes', false, (ctx) => nodeMetricsSource(ctx), (m) => [m.usage ?? {}]);
