import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectContainerUsage, parseMeminfoWorkingSet, parseProcStatCpuSeconds, renderResourceMetrics, type ContainerUsage,
} from '../../../src/kubelet/resource-metrics.ts';
import { decodeResourceMetrics } from '../../../src/apiserver/metrics/decode.ts';

test('node CPU: busy jiffies of the aggregate cpu line (user nice system irq softirq steal), in seconds', () => {
  const stat = 'cpu  1000 50 300 90000 700 20 30 5 0 0\ncpu0 500 25 150 45000 350 10 15 2 0 0\nintr 1 2\n';
  assert.equal(parseProcStatCpuSeconds(stat), (1000 + 50 + 300 + 20 + 30 + 5) / 100);
  assert.equal(parseProcStatCpuSeconds('intr 1 2\n'), undefined);
  assert.equal(parseProcStatCpuSeconds('cpu  1 2 x\n'), undefined);
});

test('node memory working set: MemTotal - MemFree - Inactive(file)', () => {
  const meminfo = 'MemTotal:        8000000 kB\nMemFree:         2000000 kB\nMemAvailable:    5000000 kB\nInactive(file):  1500000 kB\n';
  assert.equal(parseMeminfoWorkingSet(meminfo), (8_000_000 - 2_000_000 - 1_500_000) * 1024);
  assert.equal(parseMeminfoWorkingSet('MemFree: 1 kB\n'), undefined);
});

const usage = (over: Partial<ContainerUsage>): ContainerUsage => ({
  namespace: 'default', pod: 'web-1', container: 'app', startTimeSeconds: 1_700_000_000.5,
  timestampMs: 1_700_000_100_123, cpuCoreSeconds: 12.5, memoryWorkingSetBytes: 10_264_576, ...over,
});

test('the /metrics/resource document: upstream names, help, labels sorted, timestamps in ms, pod sums', () => {
  const text = renderResourceMetrics(
    { timestampMs: 1_700_000_100_000, cpuCoreSeconds: 4321.25, memoryWorkingSetBytes: 2_000_000_000 },
    [usage({ container: 'side', cpuCoreSeconds: 0.5, memoryWorkingSetBytes: 1_000 }), usage({})],
  );
  const lines = text.trim().split('\n');
  assert.ok(lines.includes('# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds'));
  assert.ok(lines.includes('# TYPE container_cpu_usage_seconds_total counter'));
  assert.ok(lines.includes('container_cpu_usage_seconds_total{container="app",namespace="default",pod="web-1"} 12.5 1700000100123'));
  assert.ok(lines.includes('container_memory_working_set_bytes{container="side",namespace="default",pod="web-1"} 1000 1700000100123'));
  assert.ok(lines.includes('container_start_time_seconds{container="app",namespace="default",pod="web-1"} 1700000000.5'));
  assert.ok(lines.includes('pod_cpu_usage_seconds_total{namespace="default",pod="web-1"} 13 1700000100123'));
  assert.ok(lines.includes('node_cpu_usage_seconds_total 4321.25 1700000100000'));
  assert.ok(lines.includes('resource_scrape_error 0'));
  // families in alphabetical order, containers ordered by name
  const families = lines.filter((l) => l.startsWith('# TYPE')).map((l) => l.split(' ')[2]);
  assert.deepEqual(families, [...families].sort());
  assert.ok(text.indexOf('container="app"') < text.indexOf('container="side"'));
});

test('label values are escaped, and the document decodes back to the same points', () => {
  const text = renderResourceMetrics(undefined, [usage({ pod: 'we"ird\\pod' })], true);
  assert.match(text, /pod="we\\"ird\\\\pod"/);
  assert.match(text, /resource_scrape_error 1/);
  const b = decodeResourceMetrics(text, 'n1', 5);
  assert.equal(b.nodes.size, 0, 'no node series: no node point');
  const p = b.pods.get('default/we"ird\\pod')!;
  assert.deepEqual(p.containers.get('app'), { startTimeMs: 1_700_000_000_500, timestampMs: 1_700_000_100_123, cumulativeCpuNanos: 12_500_000_000, memoryBytes: 10_264_576 });
});

test('collectContainerUsage joins CRI stats with running containers, by this agent label, and converts units', async () => {
  const calls: unknown[] = [];
  const cri = {
    async listContainerStats(f: unknown) {
      calls.push(['stats', f]);
      return [
        { attributes: { id: 'a', metadata: { name: 'app', attempt: 0 }, labels: { 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.pod.name': 'p', 'io.kubernetes.container.name': 'app' }, annotations: {} },
          cpu: { timestamp: 1_700_000_000_250_000_000, usageCoreNanoSeconds: { value: 3_000_000_000 } }, memory: { timestamp: 1_700_000_000_250_000_000, workingSetBytes: { value: 4096 } } },
        { attributes: { id: 'gone', metadata: { name: 'old', attempt: 0 }, labels: {}, annotations: {} },
          cpu: { timestamp: 1, usageCoreNanoSeconds: { value: 1 } }, memory: { timestamp: 1, workingSetBytes: { value: 1 } } },
        { attributes: { id: 'b', metadata: { name: 'nostats', attempt: 0 }, labels: {}, annotations: {} }, cpu: null, memory: null },
      ] as any;
    },
    async listContainers(f: unknown) {
      calls.push(['containers', f]);
      return [{ id: 'a', createdAt: 1_699_999_990_000_000_000 }, { id: 'b', createdAt: 1 }] as any;
    },
  };
  const got = await collectContainerUsage(cri, 'agent-1');
  assert.deepEqual(got, [{ namespace: 'ns', pod: 'p', container: 'app', startTimeSeconds: 1_699_999_990, timestampMs: 1_700_000_000_250, cpuCoreSeconds: 3, memoryWorkingSetBytes: 4096 }]);
  assert.deepEqual(calls, [
    ['stats', { labelSelector: { 'kubelite.io/agent': 'agent-1' } }],
    ['containers', { state: { state: 'CONTAINER_RUNNING' }, labelSelector: { 'kubelite.io/agent': 'agent-1' } }],
  ]);
});
