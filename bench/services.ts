/**
 * Services benchmark: `node --import tsx bench/services.ts [--seconds 4] [--reps 3] [--rate 200] [--skip-no-drain] [--only-pm2] [--only-readiness]`
 *
 * 1. Throughput and p99 of HTTP GETs to one nginx pod, in the same run: direct to the pod IP, through the
 *    Service's ClusterIP (kernel DNAT by the proxy), and through a userspace TCP relay (src/proxy/userspace.ts,
 *    its own process) — with keep-alive and with a new connection per request. Interleaved, median of reps.
 * 2. Zero downtime: a 10-replica Deployment (readiness probe) rolled from nginx to httpd (`kubectl set image`)
 *    under a steady open-loop load through the ClusterIP, a new connection per request, every request recorded;
 *    optionally the same with the kubelet's endpoint drain turned off (KUBELITE_ENDPOINT_DRAIN=0).
 * 0. Readiness → endpoint: a pod's Ready condition toggled (exec probe, kubectl exec) and the time until its
 *    EndpointSlice condition follows, both seen on watches.
 * 3. The same load against `pm2 reload` of a graceful Node app in PM2 cluster mode (10 instances, wait_ready).
 * Prints a JSON summary and markdown rows for docs/benchmarks.md.
 */
import * as http from 'node:http';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { startCluster, waitFor, freePort, repoRoot, type Cluster } from '../test/e2e/harness.ts';
import { R } from '../src/client/resources.ts';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const SECONDS = arg('seconds', 4);
const REPS = arg('reps', 3);
const RATE = arg('rate', 200);
const PM2_INSTANCES = arg('pm2-instances', 10);
const NO_DRAIN_RUN = !process.argv.includes('--skip-no-drain');

const pct = (xs: number[], p: number) => { if (!xs.length) return NaN; const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const median = (xs: number[]) => pct(xs, 50);

/** Closed loop: `conc` workers, each GET after GET, for `ms`. */
async function closedLoop(url: string, conc: number, ms: number, keepAlive: boolean) {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: conc }) : undefined;
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + ms;
  const one = () => new Promise<void>((resolve) => {
    const t0 = performance.now();
    const req = http.get(url, { agent: agent ?? false, headers: keepAlive ? {} : { Connection: 'close' }, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode === 200) lat.push(performance.now() - t0); else errors++; resolve(); });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => { errors++; resolve(); });
  });
  await Promise.all(Array.from({ length: conc }, async () => { while (performance.now() < end) await one(); }));
  agent?.destroy();
  return { rps: lat.length / (ms / 1000), p50: pct(lat, 50), p99: pct(lat, 99), errors };
}

interface Rec { t: number; ms: number; ok: boolean; err?: string; body?: string }
/** Open loop at `rate`/s, a new connection per request; records every request. */
function openLoop(url: string, rate: number, classify: (body: string) => string) {
  const recs: Rec[] = [];
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  let sent = 0;
  const fire = () => {
    const start = performance.now();
    const p = new Promise<void>((resolve) => {
      const req = http.get(url, { agent: false, headers: { Connection: 'close' }, timeout: 5000 }, (res) => {
        let b = '';
        res.on('data', (d) => { b += d; });
        res.on('end', () => { recs.push({ t: start - t0, ms: performance.now() - start, ok: res.statusCode === 200, err: res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`, body: classify(b) }); resolve(); });
        res.on('error', (e) => { recs.push({ t: start - t0, ms: performance.now() - start, ok: false, err: (e as NodeJS.ErrnoException).code ?? e.message }); resolve(); });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (e) => { recs.push({ t: start - t0, ms: performance.now() - start, ok: false, err: (e as NodeJS.ErrnoException).code ?? e.message }); resolve(); });
    });
    pending.add(p);
    void p.then(() => pending.delete(p));
  };
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    while (sent < due) { sent++; fire(); }
  }, 2);
  return {
    elapsed: () => performance.now() - t0,
    stop: async () => { clearInterval(timer); await Promise.all([...pending]); return recs; },
  };
}
function summarize(recs: Rec[], from: number, to: number) {
  const failed = recs.filter((r) => !r.ok);
  const reasons: Record<string, number> = {};
  for (const f of failed) reasons[f.err ?? '?'] = (reasons[f.err ?? '?'] ?? 0) + 1;
  const during = recs.filter((r) => r.ok && r.t >= from && r.t <= to).map((r) => r.ms);
  const bodies: Record<string, number> = {};
  for (const r of recs) if (r.body) bodies[r.body] = (bodies[r.body] ?? 0) + 1;
  return { requests: recs.length, failed: failed.length, reasons, p50DuringMs: +pct(during, 50).toFixed(2), p99DuringMs: +pct(during, 99).toFixed(2), bodies };
}

async function kubectl(c: Cluster, args: string[], input?: string) {
  const r = await c.kubectl(args, { input, timeoutMs: 120000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
async function readyPods(c: Cluster, sel: string, n: number) {
  return waitFor(async () => {
    const l = await c.client.list(R.pods, 'default', { labelSelector: sel });
    const ready = l.items.filter((p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
    return ready.length === n ? ready : undefined;
  }, { timeoutMs: 240000, intervalMs: 500, message: `${n} ready ${sel}` });
}
const page = (b: string) => (/nginx/i.test(b) ? 'nginx' : /It works/.test(b) ? 'httpd' : b ? 'other' : '');

async function throughput(c: Cluster) {
  await kubectl(c, ['create', 'deployment', 'tput', '--image=nginx']);
  await kubectl(c, ['expose', 'deployment', 'tput', '--port=80']);
  const [pod] = await readyPods(c, 'app=tput', 1);
  const podIP = pod.status.podIP;
  const vip = (await c.client.get(R.services, 'default', 'tput')).spec.clusterIP;
  await waitFor(async () => (await c.client.get(R.endpoints, 'default', 'tput')).subsets?.[0]?.addresses?.length === 1, { message: 'tput endpoints' });
  // The userspace relay in its own process (as a proxy would run), relaying to the same pod.
  const relay = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/proxy/userspace.ts'), '0', `${podIP}:80`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const relayPort = await new Promise<number>((res) => relay.stdout!.on('data', (d) => { const m = /listening (\d+)/.exec(String(d)); if (m) res(Number(m[1])); }));
  const targets = { direct: `http://${podIP}/`, service: `http://${vip}/`, userspace: `http://127.0.0.1:${relayPort}/` } as const;
  const out: Record<string, Record<string, { rps: number; p50: number; p99: number; errors: number }[]>> = {};
  try {
    for (const mode of ['keepalive', 'close'] as const) {
      out[mode] = { direct: [], service: [], userspace: [] };
      for (const t of Object.keys(targets) as (keyof typeof targets)[]) await closedLoop(targets[t], 8, 500, mode === 'keepalive'); // warm up
      for (let rep = 0; rep < REPS; rep++) {
        for (const t of Object.keys(targets) as (keyof typeof targets)[]) {
          out[mode][t].push(await closedLoop(targets[t], mode === 'keepalive' ? 32 : 16, SECONDS * 1000, mode === 'keepalive'));
        }
      }
    }
  } finally { relay.kill('SIGTERM'); }
  const table: Record<string, any> = {};
  for (const [mode, byT] of Object.entries(out)) {
    table[mode] = {};
    for (const [t, runs] of Object.entries(byT)) {
      table[mode][t] = { rps: Math.round(median(runs.map((r) => r.rps))), p50: +median(runs.map((r) => r.p50)).toFixed(2), p99: +median(runs.map((r) => r.p99)).toFixed(2), errors: runs.reduce((a, r) => a + r.errors, 0) };
    }
    table[mode].serviceVsDirect = +(table[mode].service.rps / table[mode].direct.rps).toFixed(3);
    table[mode].userspaceVsDirect = +(table[mode].userspace.rps / table[mode].direct.rps).toFixed(3);
  }
  await kubectl(c, ['delete', 'deployment', 'tput']);
  await kubectl(c, ['delete', 'service', 'tput']);
  return table;
}

async function rollingUpdate(c: Cluster, name: string) {
  const dep = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas: 10, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: {
        terminationGracePeriodSeconds: 5,
        containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 } }],
      } },
    },
  };
  await kubectl(c, ['apply', '-f', '-'], JSON.stringify(dep));
  await kubectl(c, ['expose', 'deployment', name, '--port=80']);
  await readyPods(c, `app=${name}`, 10);
  const vip = (await c.client.get(R.services, 'default', name)).spec.clusterIP;
  await waitFor(async () => (await c.client.get(R.endpoints, 'default', name)).subsets?.[0]?.addresses?.length === 10, { message: '10 endpoints' });
  const load = openLoop(`http://${vip}/`, RATE, page);
  await new Promise((r) => setTimeout(r, 3000));
  const from = load.elapsed();
  await kubectl(c, ['set', 'image', `deployment/${name}`, 'web=httpd']);
  await waitFor(async () => {
    const d = await c.client.get(R.deployments, 'default', name);
    const s = d.status ?? {};
    return s.observedGeneration >= d.metadata.generation && s.updatedReplicas === 10 && s.replicas === 10 && s.availableReplicas === 10 ? true : undefined;
  }, { timeoutMs: 300000, intervalMs: 200, message: 'rollout complete' });
  // The last old pods are still terminating: keep the load until they are gone.
  await waitFor(async () => (await c.client.list(R.pods, 'default', { labelSelector: `app=${name}` })).items.length === 10, { timeoutMs: 120000, intervalMs: 200, message: 'old pods gone' });
  const to = load.elapsed();
  await new Promise((r) => setTimeout(r, 3000));
  const recs = await load.stop();
  await kubectl(c, ['delete', 'deployment', name]);
  await kubectl(c, ['delete', 'service', name]);
  return { updateSeconds: +((to - from) / 1000).toFixed(1), ...summarize(recs, from, to) };
}

async function pm2Reload() {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-pm2-'));
  const port = await freePort();
  writeFileSync(join(dir, 'app.cjs'), `
const http = require('http');
const server = http.createServer((req, res) => { res.setHeader('Connection', 'close'); res.end('hello from ' + process.env.VERSION + '\\n'); });
server.listen(${port}, () => process.send && process.send('ready'));
process.on('SIGINT', () => server.close(() => process.exit(0)));
`);
  writeFileSync(join(dir, 'ecosystem.config.cjs'), `module.exports = { apps: [{ name: 'app', script: ${JSON.stringify(join(dir, 'app.cjs'))}, instances: ${PM2_INSTANCES}, exec_mode: 'cluster', wait_ready: true, listen_timeout: 5000, kill_timeout: 5000, env: { VERSION: 'v1' } }] };`);
  const pm2 = join(repoRoot, 'node_modules/.bin/pm2');
  const env = { ...process.env, PM2_HOME: join(dir, 'home') };
  const pm = (args: string[]) => execFileSync(pm2, args, { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 }).toString();
  try {
    pm(['start', 'ecosystem.config.cjs']);
    await waitFor(async () => (await new Promise<boolean>((r) => http.get(`http://127.0.0.1:${port}/`, (res) => { res.resume(); r(res.statusCode === 200); }).on('error', () => r(false)))), { message: 'pm2 app up' });
    const load = openLoop(`http://127.0.0.1:${port}/`, RATE, (b) => (b.includes('hello') ? 'app' : b ? 'other' : ''));
    await new Promise((r) => setTimeout(r, 3000));
    const from = load.elapsed();
    // Asynchronously: the load generator keeps running in this process while pm2 reloads.
    await new Promise<void>((resolve, reject) => {
      const p = spawn(pm2, ['reload', 'ecosystem.config.cjs'], { env, cwd: dir, stdio: 'ignore' });
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pm2 reload exited ${code}`))));
    });
    const to = load.elapsed();
    await new Promise((r) => setTimeout(r, 3000));
    const recs = await load.stop();
    return { updateSeconds: +((to - from) / 1000).toFixed(1), ...summarize(recs, from, to) };
  } finally {
    try { pm(['kill']); } catch { /* already gone */ }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pod readiness change → EndpointSlice condition change, both seen on watches in this process (n toggles). */
async function readinessLatency(c: Cluster, n: number) {
  await kubectl(c, ['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'toggle', labels: { app: 'toggle' } },
    spec: { containers: [{ name: 'web', image: 'nginx', readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 } }] },
  }));
  await kubectl(c, ['expose', 'pod', 'toggle', '--port=80']);
  await waitFor(async () => (await c.client.get(R.pods, 'default', 'toggle')).status?.podIP, { timeoutMs: 120000, message: 'toggle has an IP' });
  const podReadyAt: { ready: boolean; t: number }[] = [];
  const sliceAt: { ready: boolean; t: number }[] = [];
  const w1 = c.client.watch(R.pods, 'default', { fieldSelector: 'metadata.name=toggle' }, (ev: any) => {
    const r = ev.object?.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True') ?? false;
    if (!podReadyAt.length || podReadyAt[podReadyAt.length - 1].ready !== r) podReadyAt.push({ ready: r, t: performance.now() });
  });
  const w2 = c.client.watch(R.endpointslices, 'default', { labelSelector: 'kubernetes.io/service-name=toggle' }, (ev: any) => {
    const e = ev.object?.endpoints?.[0];
    if (!e) return;
    const r = e.conditions?.ready === true;
    if (!sliceAt.length || sliceAt[sliceAt.length - 1].ready !== r) sliceAt.push({ ready: r, t: performance.now() });
  });
  try {
    for (let i = 0; i < n; i++) {
      await kubectl(c, ['exec', 'toggle', '--', 'touch', '/tmp/ready']);
      await waitFor(() => sliceAt.length && sliceAt[sliceAt.length - 1].ready, { timeoutMs: 30000, intervalMs: 20, message: 'slice ready' });
      await kubectl(c, ['exec', 'toggle', '--', 'rm', '/tmp/ready']);
      await waitFor(() => sliceAt.length && !sliceAt[sliceAt.length - 1].ready, { timeoutMs: 30000, intervalMs: 20, message: 'slice unready' });
    }
  } finally { w1.stop(); w2.stop(); }
  // Pair each pod transition with the first slice transition to the same state after it.
  const deltas: number[] = [];
  for (const p of podReadyAt) {
    const s = sliceAt.find((x) => x.ready === p.ready && x.t >= p.t);
    if (s && podReadyAt.indexOf(p) > 0) deltas.push(s.t - p.t);
  }
  await kubectl(c, ['delete', 'pod', 'toggle', '--wait=false']);
  await kubectl(c, ['delete', 'service', 'toggle']);
  return { transitions: deltas.length, p50Ms: +pct(deltas, 50).toFixed(1), p99Ms: +pct(deltas, 99).toFixed(1), maxMs: +Math.max(...deltas).toFixed(1) };
}

const started = new Date().toISOString();
const results: Record<string, unknown> = { started, loadavgAtStart: loadavg().map((x) => +x.toFixed(1)), seconds: SECONDS, reps: REPS, rate: RATE };
const ONLY_PM2 = process.argv.includes('--only-pm2');
const c = ONLY_PM2 ? undefined : await startCluster({ node: true });
const ONLY_READINESS = process.argv.includes('--only-readiness');
if (c && ONLY_READINESS) {
  try { results.readiness = await readinessLatency(c, 10); console.log(JSON.stringify({ readiness: results.readiness })); } finally { await c.stop(); }
  process.exit(0);
}
if (c) try {
  results.readiness = await readinessLatency(c, 10);
  console.log(JSON.stringify({ readiness: results.readiness }, null, 1));
  results.throughput = await throughput(c);
  console.log(JSON.stringify({ throughput: results.throughput }, null, 1));
  results.rollingUpdate = await rollingUpdate(c, 'roll');
  console.log(JSON.stringify({ rollingUpdate: results.rollingUpdate }, null, 1));
} finally { await c.stop(); }
if (NO_DRAIN_RUN && !ONLY_PM2) {
  const prev = process.env.KUBELITE_ENDPOINT_DRAIN;
  process.env.KUBELITE_ENDPOINT_DRAIN = '0';
  const c2 = await startCluster({ node: true });
  try {
    results.rollingUpdateNoDrain = await rollingUpdate(c2, 'rollnodrain');
    console.log(JSON.stringify({ rollingUpdateNoDrain: results.rollingUpdateNoDrain }, null, 1));
  } finally {
    await c2.stop();
    if (prev === undefined) delete process.env.KUBELITE_ENDPOINT_DRAIN; else process.env.KUBELITE_ENDPOINT_DRAIN = prev;
  }
}
results.pm2 = { instances: PM2_INSTANCES, ...(await pm2Reload()) };
results.loadavgAtEnd = loadavg().map((x) => +x.toFixed(1));
console.log(JSON.stringify(results, null, 1));
