/**
 * The traffic router's engine with the real HAProxy (no cluster): Services, EndpointSlices and a proxy model built
 * by hand, endpoints are HTTP servers of this test on 127.0.0.1, clients talk to HAProxy's listener directly (the
 * iptables side is covered by services-traffic-router.test.ts). Checks request-level weights on keep-alive
 * connections, weight and endpoint changes through the runtime API (no reload, no connection dropped), a reload
 * for a new port under load, measurements agreeing with the client, restart after a crash, and cleanup.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { chmodSync, mkdtempSync, existsSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../src/util/clock.ts';
import { buildServiceMap } from '../../src/proxy/model.ts';
import { TrafficRouter } from '../../src/proxy/router/router.ts';
import { cliCommand } from '../../src/proxy/router/haproxy.ts';
import { CANARY_SERVICE_ANNOTATION, CANARY_WEIGHT_ANNOTATION } from '../../src/proxy/router/routes.ts';
import { waitFor } from './harness.ts';

// The parent must be searchable by HAProxy's unprivileged workers (they connect to the request-log socket).
const parent = mkdtempSync(join(tmpdir(), 'kubelite-router-e2e-'));
chmodSync(parent, 0o711);
const dir = join(parent, 'router');
const servers: http.Server[] = [];
const logs: string[] = [];
let failing = false;

async function backend(body: string): Promise<number> {
  const s = http.createServer((req, res) => {
    req.resume();
    if (body === 'canary' && failing) { res.writeHead(500); res.end('canary-500'); return; }
    res.end(body);
  });
  s.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return (s.address() as any).port;
}

const ports: Record<string, number> = {};
const svc = (name: string, ip: string, annotations?: Record<string, string>, selectorHash?: string) => ({
  metadata: { name, namespace: 'shop', annotations },
  spec: { clusterIP: ip, type: 'ClusterIP', selector: { app: name, ...(selectorHash ? { 'rollouts-pod-template-hash': selectorHash } : {}) }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
});
const slices = (service: string, names: string[]) => names.map((n) => ({
  metadata: { name: `${service}-${n}`, namespace: 'shop', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4', ports: [{ name: 'http', port: ports[n], protocol: 'TCP' }],
  endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true, serving: true, terminating: false } }],
}));

let state: { services: any[]; slices: any[] } = { services: [], slices: [] };
let router: TrafficRouter;
const prepare = async () => router.prepare(state.services, buildServiceMap(state.services, state.slices));

function client() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let created = 0;
  const orig = agent.createConnection.bind(agent);
  (agent as any).createConnection = (...a: any[]) => { created++; return (orig as any)(...a); };
  const get = (port: number) => new Promise<string>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: 5000 }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve(b));
      res.on('error', (e) => resolve(`ERR:${(e as any).code}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve(`ERR:${(e as any).code}`));
  });
  return { agent, get, created: () => created };
}

async function tally(get: (p: number) => Promise<string>, port: number, n: number, concurrency = 1): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let left = n;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) { const b = await get(port); const k = b.startsWith('stable') ? 'stable' : b; out[k] = (out[k] ?? 0) + 1; }
  }));
  return out;
}

/** Keep `concurrency` keep-alive loops busy until stop() resolves with every answer. */
function load(get: (p: number) => Promise<string>, port: number, concurrency = 4) {
  let running = true;
  const out: Record<string, number> = {};
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) { const b = await get(port); const k = b.startsWith('stable') ? 'stable' : b; out[k] = (out[k] ?? 0) + 1; }
  });
  return { stop: async () => { running = false; await Promise.all(loops); return out; } };
}

const workerPid = async () => Number(/^Pid:\s*(\d+)/m.exec(await cliCommand(router.files.adminSocket, 'show info'))?.[1]);
const stats = (backend?: 'stable' | 'canary', windowSeconds = 600) => router.stats.window({ namespace: 'shop', service: 'web', backend, windowSeconds });

before(async () => {
  for (const n of ['s1', 's2', 's3', 's4']) ports[n] = await backend(`stable-${n}`);
  ports.c1 = await backend('canary');
  ports.o1 = await backend('other');
  router = new TrafficRouter({ dir, clock: realClock, log: (m) => logs.push(m), requestSync: () => { void prepare(); }, restartBackoffMs: 200 });
});
after(async () => {
  await router?.stop();
  for (const s of servers) { s.closeAllConnections(); s.close(); }
  rmSync(parent, { recursive: true, force: true });
});

test('request-level weights on keep-alive connections; runtime weight and endpoint changes keep every connection', async () => {
  state = {
    services: [svc('web', '10.96.7.1', { [CANARY_SERVICE_ANNOTATION]: 'web-canary', [CANARY_WEIGHT_ANNOTATION]: '25' }, 'aaa'), svc('web-canary', '10.96.7.2', undefined, 'bbb')],
    slices: [...slices('web', ['s1', 's2', 's3']), ...slices('web-canary', ['c1'])],
  };
  const red = await prepare();
  assert.deepEqual([...red.keys()], ['shop/web:http/TCP'], logs.join('\n'));
  const port = red.get('shop/web:http/TCP')!.port;
  assert.equal(red.get('shop/web:http/TCP')!.ip, '127.0.0.1');
  // Private files: root-only runtime API, request-log socket only for haproxy's user.
  assert.equal(statSync(router.files.adminSocket).mode & 0o777, 0o600);
  assert.equal(statSync(router.files.config).mode & 0o777, 0o600);
  assert.equal(statSync(router.files.logSocket).mode & 0o777, 0o600);

  const c = client();
  let t = await tally(c.get, port, 1000);
  assert.equal(c.created(), 1, 'one keep-alive connection carried all 1,000 requests');
  assert.equal((t.stable ?? 0) + (t.canary ?? 0), 1000, JSON.stringify(t));
  assert.ok(Math.abs(t.canary / 1000 - 0.25) <= 0.02, `canary share ${t.canary / 1000}`);
  // The measurements agree with the client, per side and revision.
  await waitFor(() => stats().requests === 1000, { timeoutMs: 5000, message: 'logged requests' });
  assert.equal(stats('canary').requests, t.canary);
  assert.equal(stats('stable').codes['2xx'], t.stable);
  assert.equal(router.stats.window({ namespace: 'shop', service: 'web', revision: 'bbb', windowSeconds: 600 }).requests, t.canary);
  assert.ok(stats().latencySeconds.p50 !== null);

  // Weight 75 under load: applied through the runtime API, no reload, no new connection, no error.
  const pid = await workerPid();
  const l = load(c.get, port);
  await new Promise((r) => setTimeout(r, 300));
  const before = c.created();
  state.services[0].metadata.annotations[CANARY_WEIGHT_ANNOTATION] = '75';
  await prepare();
  await new Promise((r) => setTimeout(r, 300));
  const during = await l.stop();
  assert.deepEqual(Object.keys(during).filter((k) => k.startsWith('ERR')), [], JSON.stringify(during));
  assert.equal(c.created(), before, 'no connection was re-opened');
  assert.equal(await workerPid(), pid, 'no reload');
  t = await tally(c.get, port, 1000, 4);
  assert.ok(Math.abs(t.canary / 1000 - 0.75) <= 0.03, `canary share after the change ${t.canary / 1000}`);

  // Endpoints change (s2 leaves, s4 joins): runtime API again; s2 gets nothing afterwards.
  state.slices = [...slices('web', ['s1', 's3', 's4']), ...slices('web-canary', ['c1'])];
  state.services[0].metadata.annotations[CANARY_WEIGHT_ANNOTATION] = '0';
  await prepare();
  const seen: Record<string, number> = {};
  for (let i = 0; i < 300; i++) { const b = await c.get(port); seen[b] = (seen[b] ?? 0) + 1; }
  assert.deepEqual(Object.keys(seen).sort(), ['stable-s1', 'stable-s3', 'stable-s4']);
  assert.equal(await workerPid(), pid, 'still no reload');
  c.agent.destroy();
});

test('a new routed port reloads HAProxy without failing requests of the others; removal stops it', async () => {
  const c = client();
  const port = (await prepare()).get('shop/web:http/TCP')!.port;
  const pid = await workerPid();
  const l = load(c.get, port);
  await new Promise((r) => setTimeout(r, 200));
  state.services.push(svc('other', '10.96.7.3', { [CANARY_SERVICE_ANNOTATION]: 'missing' }));
  state.slices.push(...slices('other', ['o1']));
  const red = await prepare();
  assert.equal(red.size, 2);
  assert.match(logs.join('\n'), /shop\/other: canary Service "missing" not found/);
  assert.notEqual(await workerPid(), pid, 'reloaded');
  await new Promise((r) => setTimeout(r, 300));
  const out = await l.stop();
  assert.deepEqual(Object.keys(out).filter((k) => k.startsWith('ERR')), [], JSON.stringify(out));
  assert.equal(await c.get(red.get('shop/other:http/TCP')!.port), 'other');
  assert.deepEqual(router.carried(), ['shop.other.80', 'shop.web.80']);

  // The annotation goes away on one Service: it stays carried until finish() (after the rules moved), then leaves.
  delete state.services[2].metadata.annotations;
  assert.equal((await prepare()).size, 1);
  assert.deepEqual(router.carried(), ['shop.other.80', 'shop.web.80']);
  await router.finish();
  assert.deepEqual(router.carried(), ['shop.web.80']);
  c.agent.destroy();
});

test('5xx and latency of the canary are measured; a crashed HAProxy is restarted; stop() removes everything', async () => {
  state.services[0].metadata.annotations[CANARY_WEIGHT_ANNOTATION] = '50';
  const port = (await prepare()).get('shop/web:http/TCP')!.port;
  const c = client();
  const base = stats('canary').requests;
  failing = true;
  const t = await tally(c.get, port, 200);
  failing = false;
  await waitFor(() => stats('canary').requests === base + t['canary-500'], { timeoutMs: 5000, message: 'canary requests logged' });
  assert.ok(t['canary-500'] >= 90 && t['canary-500'] <= 110, JSON.stringify(t));
  assert.equal(stats('canary', 5).codes['5xx'], t['canary-500']);
  assert.equal(stats('stable', 5).codes['5xx'], 0);
  c.agent.destroy();

  const master = router.haproxyPid()!;
  process.kill(master, 'SIGKILL');
  await waitFor(() => router.haproxyPid() !== undefined && router.haproxyPid() !== master, { timeoutMs: 10_000, message: 'haproxy restarted' });
  assert.match(logs.join('\n'), /haproxy exited \(SIGKILL\); routed Services fall back to plain DNAT/);
  const c2 = client();
  const port2 = (await prepare()).get('shop/web:http/TCP')!.port;
  assert.match(await c2.get(port2), /^(stable-s\d|canary)$/);
  c2.agent.destroy();

  const pid = router.haproxyPid()!;
  await router.stop();
  assert.equal(existsSync(dir), false);
  assert.throws(() => process.kill(pid, 0));
});
