/**
 * The cost of reading a write body as upstream's decoder does (src/api/json-source.ts: duplicate keys, number
 * literals) next to the JSON.parse every write already pays, and of the schema's type and range walk.
 *   node --import tsx bench/json-source.ts
 * Prints a markdown table (results go to docs/benchmarks.md, "Decoding write bodies").
 */
import { loadavg, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { scanJson } from '../src/api/json-source.ts';
import { findTypeErrors } from '../src/api/schema-walk.ts';

const container = (i: number) => ({
  name: `c${i}`, image: 'nginx:1.25', ports: [{ containerPort: 80 + i, protocol: 'TCP' }],
  env: Array.from({ length: 10 }, (_, j) => ({ name: `E${j}`, value: `v${j}` })),
  resources: { limits: { cpu: '1', memory: '1Gi' } }, readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 },
});
const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [0, 1, 2].map(container) } } } };
const data: Record<string, string> = {};
for (let i = 0; i < 1000; i++) data[`key${i}`] = 'v'.repeat(1000);
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data };

function time(fn: () => void, minMs = 1000): number {
  for (let i = 0; i < 50; i++) fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) { fn(); n++; }
  return ((performance.now() - t0) * 1000) / n;
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log('| body | bytes | JSON.parse | scanJson | type and range walk |');
console.log('|---|---|---|---|---|');
for (const [name, obj, schema] of [['Deployment (3 containers)', deployment, 'io.k8s.api.apps.v1.Deployment'], ['ConfigMap (1,000 × 1 KB)', configMap, 'io.k8s.api.core.v1.ConfigMap']] as const) {
  const buf = Buffer.from(JSON.stringify(obj));
  const parsed = JSON.parse(buf.toString('utf8'));
  const parse = time(() => JSON.parse(buf.toString('utf8')));
  const scan = time(() => scanJson(buf));
  const walk = time(() => findTypeErrors(parsed, schema));
  console.log(`| ${name} | ${buf.length.toLocaleString('en')} | ${parse.toFixed(1)} µs | ${scan.toFixed(1)} µs | ${walk.toFixed(1)} µs |`);
}
