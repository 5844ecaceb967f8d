/**
 * API server benchmark, against a real `kubelite up --no-node` (HTTPS, token auth, SQLite FULL), in one run with
 * the raw store's own durable write rate as the baseline:
 *   - raw SQLite store create rate (same concurrency, no API server)
 *   - API create / get / list throughput and p50/p99 (closed loop, 16 clients)
 *   - mutating p50/p99 paced at 500 writes/s (creates + merge patches)
 *   - watch event latency (write sent -> event received) with 1,000 watchers
 *   - idle RSS of the `kubelite up` process
 *   node --import tsx bench/apiserver.ts [--quick]
 */
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as https from 'node:https';
import type { ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { openSqliteStore } from '../src/storage/sqlite.ts';
import { startCluster } from '../test/e2e/harness.ts';
import { R } from '../src/client/resources.ts';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 2 : 4;
const CONC = 16;
const CONCS = [16, 64];
const WATCHERS = quick ? 200 : 1000;

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const f = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const rows: string[] = [];
function report(name: string, n: number, secs: number, lat: number[], note = '') {
  const line = `| ${name} | ${Math.round(n / secs)}/s | ${f(pct(lat, 50))} ms | ${f(pct(lat, 99))} ms | ${note} |`;
  rows.push(line);
  console.log(line);
}

const cmBody = (name: string, extra: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'bench' } }, data: { payload: 'x'.repeat(400), ...extra },
});

async function closedLoop(secs: number, conc: number, op: (i: number) => Promise<unknown>): Promise<{ n: number; lat: number[]; secs: number }> {
  const lat: number[] = [];
  let n = 0;
  let i = 0;
  const end = performance.now() + secs * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => {
    while (performance.now() < end) {
      const s = performance.now();
      await op(i++);
      lat.push(performance.now() - s);
      n++;
    }
  }));
  return { n, lat, secs: (performance.now() - t0) / 1000 };
}

async function rawStoreRate(conc: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-raw-'));
  const store = openSqliteStore(join(dir, 'state.db'));
  const value = JSON.stringify(cmBody('x'));
  const r = await closedLoop(SECONDS, conc, (i) => store.create(`/registry/core/configmaps/bench/raw-${i}`, value));
  report(`raw SQLite store create (durable, ${conc} writers)`, r.n, r.secs, r.lat, 'baseline, same run');
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return r.n / r.secs;
}

/** CPU time (user + system, ms) of a process so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function main() {
  console.log(`# API server benchmark — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| operation | throughput | p50 | p99 | note |\n|---|---|---|---|---|');
  const raw = new Map<number, number>();
  for (const conc of CONCS) raw.set(conc, await rawStoreRate(conc));
  const c = await startCluster({});
  try {
    const cl = c.client;
    await cl.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    // idle RSS first (after start-up settles)
    await new Promise((r) => setTimeout(r, 10000));
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${c.process.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const idleRss = rss();
    // Creates at the raw baseline's concurrencies. KubeClient keeps its connections alive (one TLS handshake
    // per connection, up to 64), as kubectl and client-go do; server CPU per create is read from /proc.
    let created = 0;
    for (const conc of CONCS) {
      const sc0 = cpuMsOf(c.process.pid!);
      const cc0 = process.cpuUsage();
      const base = created;
      const r = await closedLoop(SECONDS, conc, (i) => cl.create(R.configmaps, 'bench', cmBody(`c-${base + i}`)));
      created += r.n;
      const scpu = (cpuMsOf(c.process.pid!) - sc0) / r.n;
      const cu = process.cpuUsage(cc0);
      const ccpu = (cu.user + cu.system) / 1000 / r.n;
      report(`API create (${conc} clients)`, r.n, r.secs, r.lat,
        `durable before the 201; ${(100 * (r.n / r.secs) / raw.get(conc)!).toFixed(1)} % of raw; CPU per create: server ${scpu.toFixed(2)} ms, bench client ${ccpu.toFixed(2)} ms`);
    }
    const creates = { n: created };
    const gets = await closedLoop(SECONDS, CONC, (i) => cl.get(R.configmaps, 'bench', `c-${i % creates.n}`));
    report(`API get (${CONC} clients)`, gets.n, gets.secs, gets.lat);
    await cl.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-list' } });
    for (let i = 0; i < 100; i++) await cl.create(R.configmaps, 'bench-list', cmBody(`l-${i}`));
    const lists = await closedLoop(SECONDS, 4, () => cl.list(R.configmaps, 'bench-list'));
    report('API list of 100 objects (4 clients)', lists.n, lists.secs, lists.lat);

    // paced mutating load: 500 writes/s (alternating creates and merge patches)
    const rate = 500;
    const total = rate * SECONDS;
    const lat: number[] = [];
    const t0 = performance.now();
    const pending: Promise<void>[] = [];
    for (let k = 0; k < total; k++) {
      const due = t0 + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const s = performance.now();
      const p = (k % 2 === 0
        ? cl.create(R.configmaps, 'bench', cmBody(`p-${k}`))
        : cl.patch(R.configmaps, 'bench', `c-${k % creates.n}`, { data: { v: String(k) } }, 'merge')
      ).then(() => { lat.push(performance.now() - s); });
      pending.push(p);
    }
    await Promise.all(pending);
    report(`API mutating, paced ${rate}/s`, total, (performance.now() - t0) / 1000, lat, 'creates + merge patches');

    // 1,000 watchers: event latency from "write sent" to "event received" by every watcher
    await cl.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-watch' } });
    const cfg = cl.config;
    const sent = new Map<string, number>();
    const wlat: number[] = [];
    let received = 0;
    const reqs: ClientRequest[] = [];
    const rv = (await cl.list(R.configmaps, 'bench-watch')).metadata.resourceVersion;
    let connected = 0;
    for (let w = 0; w < WATCHERS; w++) {
      await new Promise<void>((resolve, reject) => {
        const req = https.request({
          host: '127.0.0.1', port: c.port, method: 'GET', agent: false, ca: cfg.ca,
          path: `/api/v1/namespaces/bench-watch/configmaps?watch=true&resourceVersion=${rv}`,
          headers: { Authorization: `Bearer ${cfg.token}`, Accept: 'application/json' },
        }, (res) => {
          connected++;
          resolve();
          let buf = '';
          res.on('data', (d: Buffer) => {
            buf += d.toString('utf8');
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (!line.trim()) continue;
              const ev = JSON.parse(line);
              const t = sent.get(ev.object?.metadata?.name);
              if (t !== undefined) { wlat.push(performance.now() - t); received++; }
            }
          });
          res.on('error', () => undefined);
        });
        req.on('error', (e) => { if (connected < WATCHERS) reject(e); });
        req.end();
        reqs.push(req);
      });
    }
    const rssWatchers = rss();
    const events = quick ? 20 : 50;
    const wsc0 = cpuMsOf(c.process.pid!);
    const wcc0 = process.cpuUsage();
    const tw = performance.now();
    for (let e = 0; e < events; e++) {
      const name = `w-${e}`;
      sent.set(name, performance.now());
      await cl.create(R.configmaps, 'bench-watch', cmBody(name));
      await new Promise((r) => setTimeout(r, 50));
    }
    const deadline = Date.now() + 60000;
    while (received < events * WATCHERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const wsc = (cpuMsOf(c.process.pid!) - wsc0) / events;
    const wcu = process.cpuUsage(wcc0);
    report(`watch event latency, ${WATCHERS} watchers`, received, (performance.now() - tw) / 1000, wlat,
      `${received}/${events * WATCHERS} deliveries; ${events} writes at ~20/s; CPU per event (all watchers): server ${wsc.toFixed(1)} ms, bench client ${((wcu.user + wcu.system) / 1000 / events).toFixed(1)} ms`);
    for (const r of reqs) r.destroy();
    console.log(`\nidle RSS of kubelite up (--no-node, controllers + scheduler in-process): ${idleRss.toFixed(0)} MiB; with ${WATCHERS} watchers: ${rssWatchers.toFixed(0)} MiB`);
  } finally {
    await c.stop();
  }
}

await main();
process.exit(0);
