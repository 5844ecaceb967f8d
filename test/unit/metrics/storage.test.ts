import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsStorage, resourceUsage } from '../../../src/apiserver/metrics/storage.ts';
import type { MetricsBatch, MetricsPoint } from '../../../src/apiserver/metrics/decode.ts';

const S = 1000;
const pt = (timestampMs: number, cpuSeconds: number, memoryBytes = 1000, startTimeMs = 1): MetricsPoint =>
  ({ timestampMs, cumulativeCpuNanos: cpuSeconds * 1e9, memoryBytes, startTimeMs });
const batch = (nodes: Record<string, MetricsPoint>, pods: Record<string, Record<string, MetricsPoint>> = {}): MetricsBatch => ({
  nodes: new Map(Object.entries(nodes)),
  pods: new Map(Object.entries(pods).map(([k, cs]) => { const [namespace, name] = k.split('/'); return [k, { namespace, name, containers: new Map(Object.entries(cs)) }]; })),
});

test('usage between two points: CPU rate over the window, last memory', () => {
  assert.deepEqual(resourceUsage(pt(110 * S, 3, 2048), pt(100 * S, 2)), { timestampMs: 110 * S, windowMs: 10 * S, cpuNanoCores: 100_000_000, memoryBytes: 2048 });
  assert.equal(resourceUsage(pt(110 * S, 1), pt(100 * S, 2)), undefined, 'counter went down');
  assert.equal(resourceUsage(pt(100 * S, 3), pt(100 * S, 2)), undefined, 'no window');
  assert.equal(resourceUsage(pt(110 * S, 3, 1, 5), pt(100 * S, 2, 1, 9)), undefined, 'start time went back');
});

// Cases after metrics-server's storage tests (pkg/storage/pod_test.go, node_test.go), as a table.
const cases: { name: string; scrapes: MetricsBatch[]; node?: [string, number | undefined]; pod?: [string, Record<string, number> | undefined] }[] = [
  { name: 'one scrape: no metrics yet', scrapes: [batch({ n: pt(100 * S, 10) }, { 'ns/p': { c: pt(100 * S, 1) } })], node: ['n', undefined], pod: ['ns/p', undefined] },
  { name: 'two scrapes: rates', scrapes: [
    batch({ n: pt(100 * S, 10) }, { 'ns/p': { c: pt(100 * S, 1), d: pt(100 * S, 5) } }),
    batch({ n: pt(115 * S, 25) }, { 'ns/p': { c: pt(115 * S, 2.5), d: pt(115 * S, 5.15) } }),
  ], node: ['n', 1_000_000_000], pod: ['ns/p', { c: 100_000_000, d: 10_000_000 }] },
  { name: 'a node missing from the last scrape is gone', scrapes: [batch({ n: pt(100 * S, 10) }), batch({ n: pt(115 * S, 25) }), batch({})], node: ['n', undefined] },
  { name: 'a point that is not newer keeps the previous one', scrapes: [
    batch({ n: pt(100 * S, 10) }), batch({ n: pt(115 * S, 25) }), batch({ n: pt(115 * S, 25) }),
  ], node: ['n', 1_000_000_000] },
  { name: 'a restarted container starts over', scrapes: [
    batch({}, { 'ns/p': { c: pt(100 * S, 50, 1000, 1) } }),
    batch({}, { 'ns/p': { c: pt(115 * S, 0.2, 1000, 108 * S) } }),
  ], pod: ['ns/p', undefined] },
  { name: 'a fresh container (≥10 s, < resolution) gets a synthetic start point', scrapes: [
    batch({}, { 'ns/p': { c: pt(112 * S, 0.6, 1000, 100 * S) } }),
  ], pod: ['ns/p', { c: 50_000_000 }] },
  { name: 'a container younger than 10 s waits for its second point', scrapes: [
    batch({}, { 'ns/p': { c: pt(105 * S, 0.6, 1000, 100 * S) } }),
  ], pod: ['ns/p', undefined] },
  { name: 'a pod is served only when every container has two points', scrapes: [
    batch({}, { 'ns/p': { c: pt(100 * S, 1) } }),
    batch({}, { 'ns/p': { c: pt(115 * S, 2), added: pt(115 * S, 1) } }),
  ], pod: ['ns/p', undefined] },
];

for (const tc of cases) {
  test(`storage: ${tc.name}`, () => {
    const s = new MetricsStorage(15 * S);
    for (const b of tc.scrapes) s.store(b);
    if (tc.node) assert.equal(s.nodeUsage(tc.node[0])?.cpuNanoCores, tc.node[1]);
    if (tc.pod) {
      const [ns, name] = tc.pod[0].split('/');
      const u = s.podUsage(ns, name);
      assert.deepEqual(u ? Object.fromEntries(u.containers.map((c) => [c.name, c.cpuNanoCores])) : undefined, tc.pod[1]);
    }
  });
}

test('a pod takes the timestamp and window of its earliest container', () => {
  const s = new MetricsStorage(15 * S);
  s.store(batch({}, { 'ns/p': { a: pt(100 * S, 1), b: pt(101 * S, 1) } }));
  s.store(batch({}, { 'ns/p': { a: pt(114 * S, 2), b: pt(116 * S, 2) } }));
  const u = s.podUsage('ns', 'p')!;
  assert.equal(u.timestampMs, 114 * S);
  assert.equal(u.windowMs, 14 * S);
  assert.deepEqual(s.size(), { nodes: 0, containers: 2 });
});
