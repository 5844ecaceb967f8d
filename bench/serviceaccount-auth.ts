/**
 * Cost of service-account token authentication (src/apiserver/serviceaccount): the same GET of one ConfigMap over
 * keep-alive HTTPS, authenticated (a) with the static admin token — a per-connection memo makes it a string
 * compare — and (b) with a pod-bound service-account JWT, which every request verifies (RS256 signature, claims)
 * and checks against the store (service account and pod still there with their uids). Rounds alternate so both
 * see the same machine load; prints requests/s, p50/p99 latency and server CPU per request.
 *
 *   node --import tsx bench/serviceaccount-auth.ts [--seconds 3] [--rounds 3] [--clients 8]
 * Runs an in-process API server (no node); wrap it in the cluster lock like every bench.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import { startApiServer } from '../src/apiserver/index.ts';
import { KubeClient } from '../src/client/client.ts';

const argv = process.argv.slice(2);
const arg = (n: string, d: number) => { const i = argv.indexOf(n); return i >= 0 ? Number(argv[i + 1]) : d; };
const SECONDS = arg('--seconds', 3);
const ROUNDS = arg('--rounds', 3);
const CLIENTS = arg('--clients', 8);

const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-sa-'));
const server = await startApiServer({ dataDir: dir, port: 0, bindAddress: '127.0.0.1', store: { kind: 'sqlite', dataDir: dir }, log: () => {} });
const admin = new KubeClient({ server: server.url, ca: server.pki.caCert, token: server.pki.adminToken });
await admin.request('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bench' } });
await admin.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } });
const pod = await admin.request<any>('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: 'bench', containers: [{ name: 'c', image: 'busybox' }] } });
const tr = await admin.request<any>('POST', '/api/v1/namespaces/default/serviceaccounts/bench/token', {
  apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
  spec: { expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: pod.metadata.uid } },
});
const url = new URL(server.url);

async function round(token: string): Promise<{ rps: number; p50: number; p99: number; cpuUsPerReq: number }> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: CLIENTS, ca: server.pki.caCert });
  const lat: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  const cpu0 = process.cpuUsage();
  const one = () => new Promise<void>((resolve, reject) => {
    const t0 = performance.now();
    https.get({ hostname: url.hostname, port: url.port, path: '/api/v1/namespaces/default/configmaps/x', agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`)); else { lat.push(performance.now() - t0); resolve(); } });
    }).on('error', reject);
  });
  await Promise.all(Array.from({ length: CLIENTS }, async () => { while (performance.now() < end) await one(); }));
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  lat.sort((a, b) => a - b);
  // Server and client share this process: the CPU per request includes the client's side (identical in both arms).
  return { rps: lat.length / SECONDS, p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)], cpuUsPerReq: (cpu.user + cpu.system) / lat.length };
}

console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model}), load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${CLIENTS} keep-alive clients, ${SECONDS} s rounds`);
const rows: Record<string, ReturnType<typeof round> extends Promise<infer T> ? T[] : never> = { static: [], serviceaccount: [] };
await round(server.pki.adminToken); // warm-up
for (let i = 0; i < ROUNDS; i++) {
  const order: [string, string][] = i % 2 ? [['serviceaccount', tr.status.token], ['static', server.pki.adminToken]] : [['static', server.pki.adminToken], ['serviceaccount', tr.status.token]];
  for (const [name, tok] of order) {
    const r = await round(tok);
    rows[name].push(r);
    console.log(`round ${i + 1} ${name.padEnd(14)} ${r.rps.toFixed(0)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  CPU ${r.cpuUsPerReq.toFixed(0)} µs/req`);
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, rs] of Object.entries(rows)) {
  console.log(`median ${name.padEnd(14)} ${med(rs.map((r) => r.rps)).toFixed(0)} req/s  p50 ${med(rs.map((r) => r.p50)).toFixed(2)} ms  p99 ${med(rs.map((r) => r.p99)).toFixed(2)} ms  CPU ${med(rs.map((r) => r.cpuUsPerReq)).toFixed(0)} µs/req`);
}
admin.close();
await server.stop();
rmSync(dir, { recursive: true, force: true });
