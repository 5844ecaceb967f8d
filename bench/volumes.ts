/**
 * Cost of the node agent's volumes (src/kubelet/volumes) against a real in-process API server, without
 * containers: N pods as the API stores them (each with the service account admission's kube-api-access projected
 * volume — TokenRequest, kube-root-ca.crt, namespace — plus a configMap and a secret volume).
 *   (a) first set-up of each pod: TokenRequest, ConfigMap/Secret reads, two tmpfs mounts, three atomic writes;
 *   (b) a refresh pass over all pods once the resync period is due (nothing changed: reads only);
 *   (c) a pass when nothing is due (what every pod sync pays);
 *   (d) tear-down (unmount, remove).
 * Prints per-pod p50/p99 and the API requests each phase made (reads are shared by the TTL cache).
 *
 *   node --import tsx bench/volumes.ts [--pods 200]
 * Runs as root (tmpfs mounts); wrap it in the cluster lock like every bench. Unmounts everything it made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { startApiServer } from '../src/apiserver/index.ts';
import { KubeClient } from '../src/client/client.ts';
import { FakeClock } from '../src/util/clock.ts';
import { ObjectDataCache } from '../src/kubelet/object-data.ts';
import { VolumeManager } from '../src/kubelet/volumes/manager.ts';
import { TokenManager } from '../src/kubelet/volumes/tokens.ts';
import { mountsUnder, unmountAll } from '../src/kubelet/volumes/host-mount.ts';

const argv = process.argv.slice(2);
const arg = (n: string, d: number) => { const i = argv.indexOf(n); return i >= 0 ? Number(argv[i + 1]) : d; };
const PODS = arg('--pods', 200);

const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-volumes-'));
const server = await startApiServer({ dataDir: join(dir, 'api'), port: 0, bindAddress: '127.0.0.1', store: { kind: 'sqlite', dataDir: join(dir, 'api') }, log: () => {} });
const admin = new KubeClient({ server: server.url, ca: server.pki.caCert, token: server.pki.adminToken });
let requests = 0;
const counted = new Proxy(admin, { get(t, p, r) {
  const v = Reflect.get(t, p, r);
  return (p === 'get' || p === 'request') && typeof v === 'function' ? (...a: unknown[]) => { requests++; return (v as Function).apply(t, a); } : v;
} });
const create = (path: string, body: unknown) => admin.request<any>('POST', path, body).catch((e) => { if (e.code !== 409) throw e; });
await create('/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': server.pki.caCert } });
await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site' }, data: { 'index.html': '<h1>hi</h1>\n', 'app.conf': 'a=1\n' } });
await create('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 'pw' } });
const pods: Pod[] = [];
for (let i = 0; i < PODS; i++) {
  pods.push(await admin.request<Pod>('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}` },
    spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'site', configMap: { name: 'site' } }, { name: 'creds', secret: { secretName: 'creds' } }] },
  }));
}

const clock = new FakeClock(Date.now());
const vm = new VolumeManager({
  podsDir: join(dir, 'pods'), getObject: new ObjectDataCache(counted, clock).get, clock,
  tokens: new TokenManager((ns, sa, body) => counted.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, body), clock),
});

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
async function phase(name: string, fn: (p: Pod) => Promise<unknown>) {
  requests = 0;
  const lat: number[] = [];
  const t0 = performance.now();
  for (const p of pods) {
    const s = performance.now();
    await fn(p);
    lat.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  console.log(`| ${name} | ${pct(lat, 0.5).toFixed(3)} / ${pct(lat, 0.99).toFixed(3)} ms | ${total.toFixed(0)} ms | ${requests} |`);
}

console.log(`volumes bench: ${PODS} pods, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}, ${new Date().toISOString()}`);
console.log('| phase | per pod p50 / p99 | all pods | API requests |');
console.log('|---|---|---|---|');
try {
  await phase('first set-up', async (p) => { const r = await vm.setUp(p); if (r.failed.length) throw new Error(JSON.stringify(r.failed)); });
  await phase('nothing due', (p) => vm.setUp(p));
  clock.advance(30_000);
  await phase('refresh, unchanged', (p) => vm.setUp(p));
  await phase('tear-down', (p) => vm.tearDown(p.metadata!.uid!));
} finally {
  await unmountAll(dir);
  const left = mountsUnder(dir).length;
  admin.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  if (left) console.log(`still mounted: ${left}`);
}
