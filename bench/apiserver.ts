/**
 * API server benchmark, against a real `kubelite up --no-node` (HTTPS, token auth, SQLite FULL), in one run with
 * the raw store's own durable write rate as the baseline:
 *   - raw SQLite store create rate (same concurrency, no API server)
 *   - API create (16 and 64 clients) / get / list throughput and p50/p99, CPU per create (server and bench client)
 *   - mutating p50/p99 paced at 500 writes/s (creates + merge patches)
 *   - watch event latency (write sent -> event received) with 1,000 watchers, at more than one event rate; the
 *     watch connections live in a child process, so their TLS + parsing does not share the writer's event loop
 *   - idle RSS of the `kubelite up` process
 *
 *   node --import tsx bench/apiserver.ts [--quick] [--watchers N]
 *   node --import tsx bench/apiserver.ts --ab <other checkout> [--rounds N] [--quick]
 *     A/B: starts this checkout's and the other checkout's `kubelite up` side by side and alternates rounds of
 *     creates (16 and 64 clients) and watch fan-out between them (the order flips every round), so both see the
 *     same machine load; prints each round and the medians. The other checkout needs its own node_modules.
 *   --only create,get,list,mutating,watch,registry   run only those parts (the raw baseline always runs)
 *   --only floor   the TLS floor of one watch delivery, no API server: a bare HTTPS server writing one event to
 *                  1,000 open chunked responses, res.write(string) per response vs one pre-framed Buffer per socket
 *   --cpu-prof <dir>                         run the server under `node --cpu-prof` (profile written on exit)
 *   --store etcd   run `kubelite up --store etcd` against a throw-away etcd on loopback (Debian's etcd-server);
 *                  the baselines are then etcd itself (etcd3 put, no API server) and the etcd store, at 1, 16 and
 *                  64 writers, in the same run
 * `registry` is the CPU of GenericRegistry.create in this process (no HTTP; SQLite NORMAL, so no fsync wait),
 * ConfigMap and Deployment: the API server's own work per create, without the HTTPS request and response.
 */
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, fork, type ChildProcess } from 'node:child_process';
import * as https from 'node:https';
import type { ClientRequest, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Etcd3 } from 'etcd3';
import { openSqliteStore } from '../src/storage/sqlite.ts';
import { openEtcdStore } from '../src/storage/etcd.ts';
import { EtcdProcess } from '../test/unit/storage/etcd-process.ts';
import { ensurePki } from '../src/apiserver/tls.ts';
import { freePort, waitFor } from '../test/e2e/harness.ts';
import { KubeClient } from '../src/client/client.ts';
import { R } from '../src/client/resources.ts';

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const quick = argv.includes('--quick');
const SECONDS = quick ? 2 : 4;
const CONC = 16;
const CONCS = [16, 64];
const WATCHERS = Number(arg('--watchers') ?? (quick ? 200 : 1000));
/** Event rates (writes/s) at which watch latency is measured. */
const WATCH_RATES = arg('--watch-rates')?.split(',').map(Number) ?? (quick ? [20] : [5, 20, 50]);
const WATCH_EVENTS = quick ? 20 : 50;
const only = arg('--only')?.split(',');
const want = (part: string) => (!only && part !== 'floor') || !!only?.includes(part);
const cpuProfDir = arg('--cpu-prof');
const storeKind = arg('--store') ?? 'sqlite';
if (storeKind !== 'sqlite' && storeKind !== 'etcd') throw new Error(`--store: sqlite or etcd, not ${storeKind}`);
const useEtcd = storeKind === 'etcd';
/** With --store etcd: the throw-away etcd the server of this run uses (started after the baselines). */
let etcd: EtcdProcess | undefined;

/**
 * Each etcd baseline runs on its own fresh etcd: tens of thousands of 1 KB writes leave a large bbolt file and
 * history behind, which slows every later commit (the API server's too) until etcd is compacted and defragmented.
 */
async function onFreshEtcd<T>(fn: (endpoint: string) => Promise<T>): Promise<T> {
  const e = new EtcdProcess();
  await e.start();
  try { return await fn(e.endpoint); } finally { await e.destroy(); }
}
const thisRepo = resolve(fileURLToPath(new URL('..', import.meta.url)));

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const median = (xs: number[]) => pct(xs, 50);
const f = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
function report(name: string, n: number, secs: number, lat: number[] | { p50: number; p99: number }, note = '') {
  const [p50, p99] = Array.isArray(lat) ? [pct(lat, 50), pct(lat, 99)] : [lat.p50, lat.p99];
  console.log(`| ${name} | ${Math.round(n / secs)}/s | ${f(p50)} ms | ${f(p99)} ms | ${note} |`);
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
  await store.ready(); // the worker thread's start-up is not part of the timed window
  const value = JSON.stringify(cmBody('x'));
  const r = await closedLoop(SECONDS, conc, (i) => store.create(`/registry/core/configmaps/bench/raw-${i}`, value));
  report(`raw SQLite store create (durable, ${conc} writer${conc === 1 ? ': one commit and fsync per write' : 's: group commit'})`, r.n, r.secs, r.lat, 'baseline, same run');
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return r.n / r.secs;
}

/** etcd itself, no store code: the etcd3 client's put of one 1 KB value per request, at `conc` in flight. */
function rawEtcdRate(conc: number): Promise<number> {
  return onFreshEtcd(async (endpoint) => {
    const client = new Etcd3({ hosts: [endpoint] });
    const value = JSON.stringify(cmBody('x'));
    await client.put('/bench/warm').value(value);
    const r = await closedLoop(SECONDS, conc, (i) => client.put(`/bench/raw-${i}`).value(value).exec());
    report(`raw etcd put (etcd3 client, ${conc} in flight)`, r.n, r.secs, r.lat, 'baseline, same run');
    client.close();
    return r.n / r.secs;
  });
}

/** The etcd store (transaction: create if absent), `conc` writers. */
function etcdStoreRate(conc: number): Promise<number> {
  return onFreshEtcd(async (endpoint) => {
    const store = await openEtcdStore([endpoint]);
    const value = JSON.stringify(cmBody('x'));
    const r = await closedLoop(SECONDS, conc, (i) => store.create(`/bench-store/raw-${i}`, value));
    report(`raw etcd store create (${conc} writer${conc === 1 ? '' : 's'})`, r.n, r.secs, r.lat, 'baseline, same run');
    await store.close();
    return r.n / r.secs;
  });
}

/**
 * The SQLite file itself, no store code: better-sqlite3 in this thread, WAL + synchronous=FULL, one 1 KB row per
 * commit (each its own fsync), as shared/reference/baselines-on-these-machines.md measures it.
 */
function rawSqliteFileRate(): number {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-file-'));
  const db = new Database(join(dir, 'file.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, value TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO t (name, value) VALUES (?, ?)');
  const value = JSON.stringify(cmBody('x'));
  const lat: number[] = [];
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) {
    const s0 = performance.now();
    ins.run(`/registry/core/configmaps/bench/file-${n}`, value); // autocommit: one transaction, one fsync
    lat.push(performance.now() - s0);
    n++;
  }
  const secs = (performance.now() - t0) / 1000;
  report('raw SQLite file (better-sqlite3 directly, WAL + FULL, one row and fsync per commit)', n, secs, lat, 'baseline, same run');
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return n / secs;
}

/** CPU time (user + system, ms) of a process so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

// ------------------------------------------------------------------ servers

interface Server { name: string; pid: number; port: number; client: KubeClient; stop(): Promise<void> }

/** `kubelite up --no-node` of a checkout, on a free port and a temp data dir. */
async function startServer(repo: string, name: string): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelite-bench-'));
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath,
    [...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []), join(repo, 'bin/kubelite.js'), 'up', '--no-node', '--data-dir', dataDir, '--api-port', String(port), '--no-merge-kubeconfig',
      ...(etcd ? ['--store', 'etcd', '--etcd-endpoints', etcd.endpoint] : [])],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  const exitP = new Promise<void>((r) => proc.on('exit', () => { exited = true; r(); }));
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  await waitFor(() => {
    if (exited) throw new Error(`kubelite up (${repo}) exited early:\n${out}`);
    return /\bready\b.*kubeconfig/i.test(out);
  }, { timeoutMs: 90_000, intervalMs: 100, message: `kubelite up (${repo}) ready` });
  const client = KubeClient.fromKubeconfig(join(dataDir, 'kubeconfig'));
  return {
    name, pid: proc.pid!, port, client,
    stop: async () => {
      client.close();
      if (!exited) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => { if (!exited) proc.kill('SIGKILL'); }, 20_000);
        await exitP;
        clearTimeout(t);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function ensureNamespace(s: Server, name: string) {
  try { await s.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }); } catch (e) {
    if ((e as { code?: number }).code !== 409) throw e;
  }
}

// ------------------------------------------------------------------ measurements

interface CreateResult { rate: number; p50: number; p99: number; serverMs: number; clientMs: number; n: number; lat: number[]; secs: number }

let nameSeq = 0;
async function measureCreates(s: Server, conc: number, secs = SECONDS): Promise<CreateResult> {
  const sc0 = cpuMsOf(s.pid);
  const cc0 = process.cpuUsage();
  const prefix = `c${nameSeq++}-`;
  const r = await closedLoop(secs, conc, (i) => s.client.create(R.configmaps, 'bench', cmBody(`${prefix}${i}`)));
  const cu = process.cpuUsage(cc0);
  return {
    rate: r.n / r.secs, p50: pct(r.lat, 50), p99: pct(r.lat, 99), n: r.n, lat: r.lat, secs: r.secs,
    serverMs: (cpuMsOf(s.pid) - sc0) / r.n, clientMs: (cu.user + cu.system) / 1000 / r.n,
  };
}

interface WatchResult { rate: number; received: number; expected: number; p50: number; p99: number; serverUs: number; childUs: number; wall: number }

/**
 * The watchers, in a child process: opens `n` watches, and for each event line reads the send time the writer
 * put in the object (process.hrtime, CLOCK_MONOTONIC, shared by the processes on one machine).
 */
async function watchChild(): Promise<void> {
  let cfg: { port: number; ca: string; token: string; path: string; n: number };
  const lat: number[] = [];
  let received = 0;
  const reqs: ClientRequest[] = [];
  const onLine = (line: string) => {
    const m = /"sent":"(\d+)"/.exec(line);
    if (!m) return;
    lat.push(Number(process.hrtime.bigint() - BigInt(m[1])) / 1e6);
    received++;
  };
  const open = () => new Promise<void>((resolveOpen, reject) => {
    const req = https.request({
      host: '127.0.0.1', port: cfg.port, method: 'GET', agent: false, ca: cfg.ca, path: cfg.path,
      headers: { Authorization: `Bearer ${cfg.token}`, Accept: 'application/json' },
    }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`watch: HTTP ${res.statusCode}`)); return; }
      resolveOpen();
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (e) => reject(e));
    req.end();
    reqs.push(req);
  });
  process.on('message', async (msg: any) => {
    if (msg.cmd === 'open') {
      cfg = msg;
      // 20 handshakes at a time
      for (let i = 0; i < cfg.n; i += 20) await Promise.all(Array.from({ length: Math.min(20, cfg.n - i) }, open));
      process.send!({ cmd: 'opened' });
    } else if (msg.cmd === 'reset') {
      lat.length = 0;
      received = 0;
      const c = process.cpuUsage();
      process.send!({ cmd: 'reset', cpuUs: c.user + c.system });
    } else if (msg.cmd === 'report') {
      const c = process.cpuUsage();
      process.send!({ cmd: 'report', received, p50: pct(lat, 50), p99: pct(lat, 99), cpuUs: c.user + c.system });
    } else if (msg.cmd === 'exit') {
      for (const r of reqs) r.destroy();
      process.exit(0);
    }
  });
}

function childRpc(child: ChildProcess, msg: object, reply: string): Promise<any> {
  return new Promise((res) => {
    const h = (m: any) => { if (m.cmd === reply) { child.off('message', h); res(m); } };
    child.on('message', h);
    child.send(msg);
  });
}

/** Open `watchers` watches on a fresh namespace (child process), then write at each rate and time the deliveries. */
async function measureWatch(s: Server, watchers: number, rates: number[], events = WATCH_EVENTS, onOpen?: () => void): Promise<WatchResult[]> {
  const ns = `bench-watch-${nameSeq++}`;
  await ensureNamespace(s, ns);
  const cfg = s.client.config;
  const rv = (await s.client.list(R.configmaps, ns)).metadata.resourceVersion;
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--watch-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const out: WatchResult[] = [];
  try {
    await childRpc(child, { cmd: 'open', port: s.port, ca: cfg.ca, token: cfg.token, n: watchers,
      path: `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}` }, 'opened');
    onOpen?.();
    await new Promise((r) => setTimeout(r, 500));
    let seq = 0;
    for (const rate of rates) {
      const c0 = await childRpc(child, { cmd: 'reset' }, 'reset');
      const sc0 = cpuMsOf(s.pid);
      const t0 = performance.now();
      for (let e = 0; e < events; e++) {
        const due = t0 + (e * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        // not awaited: the pace holds even when a create is slow
        void s.client.create(R.configmaps, ns, cmBody(`w-${seq++}`, { sent: String(process.hrtime.bigint()) }));
      }
      const expected = events * watchers;
      let rep: any;
      const deadline = Date.now() + 60_000;
      for (;;) {
        rep = await childRpc(child, { cmd: 'report' }, 'report');
        if (rep.received >= expected || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const wall = (performance.now() - t0) / 1000;
      const deliveries = Math.max(1, rep.received);
      out.push({
        rate, received: rep.received, expected, p50: rep.p50, p99: rep.p99, wall,
        serverUs: ((cpuMsOf(s.pid) - sc0) * 1000) / deliveries, childUs: (rep.cpuUs - c0.cpuUs) / deliveries,
      });
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    child.send({ cmd: 'exit' });
    await new Promise((r) => child.once('exit', r));
  }
  return out;
}

function watchNote(w: WatchResult, watchers: number): string {
  return `${w.received}/${w.expected} deliveries; ${w.expected / watchers} writes at ${w.rate}/s; CPU per delivery: server ${w.serverUs.toFixed(1)} µs ` +
    `(incl. the create), watch client ${w.childUs.toFixed(1)} µs (child process)`;
}

// ------------------------------------------------------------------ in-process registry (no HTTP)

type RigKind = 'configmaps' | 'deployments';
interface RegistryRig { repo: string; create(kind: RigKind, name: string): Promise<unknown>; close(): Promise<void> }

/** A checkout's GenericRegistry over its own watch-cached SQLite store (NORMAL: the fsync wait is not measured). */
async function registryRig(repo: string): Promise<RegistryRig> {
  const { openStore } = await import(join(repo, 'src/storage/index.ts'));
  const { GenericRegistry } = await import(join(repo, 'src/apiserver/registry.ts'));
  const { resources } = await import(join(repo, 'src/api/registry.ts'));
  const { contextFromQuery } = await import(join(repo, 'src/apiserver/context.ts'));
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-reg-'));
  const store = await openStore({ kind: 'sqlite', dataDir: dir, sqliteSynchronous: 'NORMAL' });
  // Checkouts from before the descriptors carried their REST hooks built the registry from src/apiserver/wiring.ts.
  const wiring = join(repo, 'src/apiserver/wiring.ts');
  const reg = existsSync(wiring)
    ? new GenericRegistry(store, await (await import(wiring)).loadDeps(), new Map())
    : new GenericRegistry(store);
  const def = (group: string, plural: string) => resources.find((d: { group: string; plural: string }) => d.group === group && d.plural === plural);
  const ctx = () => contextFromQuery({ name: 'admin', groups: ['system:masters'] }, new URLSearchParams(), 'bench', 'kubectl/v1.32.4');
  await reg.create(def('', 'namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }, ctx());
  return {
    repo,
    create: (kind, name) => kind === 'configmaps'
      ? reg.create(def('', 'configmaps'), 'bench', cmBody(name), ctx())
      : reg.create(def('apps', 'deployments'), 'bench', deployBody(name), ctx()),
    close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

const deployBody = (name: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: 'web' } },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }] } } },
});

/** CPU (µs) per registry.create, 16 in flight, in this process. */
async function measureRegistry(rig: RegistryRig, kind: RigKind, n: number): Promise<number> {
  const c0 = process.cpuUsage();
  const prefix = `r${nameSeq++}-`;
  for (let i = 0; i < n; i += 16) {
    await Promise.all(Array.from({ length: Math.min(16, n - i) }, (_, j) => rig.create(kind, `${prefix}${i + j}`)));
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

/** Medians of alternated rounds (the first round warms up and is dropped). */
async function registryRounds(rigs: RegistryRig[], rounds: number, n: number): Promise<Map<string, number>> {
  const all = new Map<string, number[]>();
  for (let r = 0; r <= rounds; r++) {
    for (const rig of r % 2 ? [...rigs].reverse() : rigs) {
      for (const kind of ['configmaps', 'deployments'] as const) {
        const us = await measureRegistry(rig, kind, n);
        if (r > 0) all.set(`${rig.repo} ${kind}`, [...(all.get(`${rig.repo} ${kind}`) ?? []), us]);
      }
    }
  }
  return new Map([...all].map(([k, v]) => [k, median(v)]));
}

// ------------------------------------------------------------------ the TLS floor of a watch delivery

/**
 * No API server: an HTTPS server holds `n` chunked responses open (a child process reads them) and writes one
 * 800-byte event line to each, EVENTS times per round, either as res.write(string) (Node frames the chunk, encodes
 * the string, corks and writes per response) or as one pre-framed Buffer written to every socket (watch.ts).
 * CPU of this process per delivery; rounds alternate the two styles.
 */
async function fanoutFloor(n: number, rounds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-tls-'));
  const pki = ensurePki(dir);
  const resps: ServerResponse[] = [];
  const srv = https.createServer({ key: pki.serverKey, cert: pki.serverCert }, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    resps.push(res);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const child = fork(fileURLToPath(import.meta.url), ['--floor-child', String((srv.address() as { port: number }).port), String(n), pki.caCert],
    { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise((r) => child.once('message', r));
  const line = JSON.stringify({ type: 'ADDED', object: { ...cmBody('w-1'), metadata: { name: 'w-1', namespace: 'bench', uid: 'x'.repeat(36), resourceVersion: '12345', labels: { app: 'bench' } } } }) + '\n';
  const styles: [string, () => void][] = [
    ['res.write(string) per watcher', () => { for (const r of resps) r.write(line); }],
    ['one framed Buffer to every socket', () => {
      const len = Buffer.byteLength(line);
      const b = Buffer.from(`${len.toString(16)}\r\n${line}\r\n`);
      for (const r of resps) r.socket!.write(b);
    }],
  ];
  const EVENTS = 40;
  const out = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const [name, write] of round % 2 ? [...styles].reverse() : styles) {
      // the framed style writes the chunk framing itself; Node's chunked encoder must be off for it
      for (const r of resps) r.chunkedEncoding = name.startsWith('res.write');
      await new Promise((r) => setTimeout(r, 200));
      const c0 = process.cpuUsage();
      for (let e = 0; e < EVENTS; e++) { write(); await new Promise((r) => setTimeout(r, 30)); }
      const c = process.cpuUsage(c0);
      out.set(name, [...(out.get(name) ?? []), (c.user + c.system) / (n * EVENTS)]);
    }
  }
  for (const [name, v] of out) console.log(`${name}: median ${median(v).toFixed(1)} µs per delivery (rounds: ${v.map((x) => x.toFixed(1)).join(' ')})`);
  child.kill();
  srv.closeAllConnections();
  srv.close();
  rmSync(dir, { recursive: true, force: true });
}

async function floorChild(port: number, n: number, ca: string): Promise<void> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: n, ca });
  let open = 0;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    https.get({ host: '127.0.0.1', port, path: '/w', agent }, (res) => {
      res.on('data', (d: Buffer) => { bytes += d.length; });
      if (++open === n) process.send!({ open, bytes });
    });
  }
}

// ------------------------------------------------------------------ runs

async function fullRun() {
  console.log(`# API server benchmark — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model}, load ${load()}, store ${storeKind}`);
  console.log('| operation | throughput | p50 | p99 | note |\n|---|---|---|---|---|');
  const raw = new Map<number, number>();
  // SQLite: the single writer is the store's own durable rate one write at a time (every write its own fsync);
  // the API's creates are compared with it, with the raw file, and with the store at the same concurrency (group
  // commit). etcd: etcd's own put rate and the etcd store's, each at the API's concurrency.
  const baselines = new Map<number, number>(); // etcd put rate by concurrency
  const fileRate = useEtcd ? 0 : rawSqliteFileRate();
  for (const conc of [1, ...CONCS]) {
    if (useEtcd) baselines.set(conc, await rawEtcdRate(conc));
    raw.set(conc, useEtcd ? await etcdStoreRate(conc) : await rawStoreRate(conc));
  }
  if (useEtcd) { etcd = new EtcdProcess(); await etcd.start(); }
  const s = await startServer(thisRepo, 'this');
  try {
    const cl = s.client;
    await ensureNamespace(s, 'bench');
    // idle RSS first (after start-up settles)
    await new Promise((r) => setTimeout(r, 10000));
    const idleRss = rssOf(s.pid);
    // Creates at the raw baseline's concurrencies. KubeClient keeps its connections alive (one TLS handshake
    // per connection, up to 64), as kubectl and client-go do; server CPU per create is read from /proc.
    const names: string[] = [];
    if (want('create') || want('get') || want('mutating')) {
      for (const conc of CONCS) {
        const seq = nameSeq;
        const r = await measureCreates(s, conc);
        for (let i = 0; i < r.n; i++) names.push(`c${seq}-${i}`);
        const cpu = `CPU per create: server ${r.serverMs.toFixed(2)} ms, bench client ${r.clientMs.toFixed(2)} ms`;
        report(`API create (${conc} clients${etcd ? ', etcd' : ''})`, r.n, r.secs, r.lat, etcd
          ? `durable before the 201; ${(100 * r.rate / baselines.get(conc)!).toFixed(0)} % of etcd's own put rate and ${(100 * r.rate / raw.get(conc)!).toFixed(0)} % of the etcd store's at the same concurrency; ${cpu}`
          : `durable before the 201; ${(100 * r.rate / raw.get(conc)!).toFixed(1)} % of raw at the same concurrency, ${(100 * r.rate / raw.get(1)!).toFixed(0)} % of the store's single writer, ${(100 * r.rate / fileRate).toFixed(0)} % of the raw file's one-fsync-per-row rate; ${cpu}`);
      }
    }
    if (want('get')) {
      const gets = await closedLoop(SECONDS, CONC, (i) => cl.get(R.configmaps, 'bench', names[i % names.length]));
      report(`API get (${CONC} clients)`, gets.n, gets.secs, gets.lat);
    }
    if (want('list')) {
      await ensureNamespace(s, 'bench-list');
      for (let i = 0; i < 100; i++) await cl.create(R.configmaps, 'bench-list', cmBody(`l-${i}`));
      const lists = await closedLoop(SECONDS, 4, () => cl.list(R.configmaps, 'bench-list'));
      report('API list of 100 objects (4 clients)', lists.n, lists.secs, lists.lat);
    }

    if (want('mutating')) {
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
        const st = performance.now();
        const p = (k % 2 === 0
          ? cl.create(R.configmaps, 'bench', cmBody(`p-${k}`))
          : cl.patch(R.configmaps, 'bench', names[k % names.length], { data: { v: String(k) } }, 'merge')
        ).then(() => { lat.push(performance.now() - st); });
        pending.push(p);
      }
      await Promise.all(pending);
      report(`API mutating, paced ${rate}/s`, total, (performance.now() - t0) / 1000, lat, 'creates + merge patches');
    }

    // watchers: event latency from "write sent" to "event received" by every watcher, at several write rates
    let rssWatchers = 0;
    if (want('watch')) {
      const ws = await measureWatch(s, WATCHERS, WATCH_RATES, WATCH_EVENTS, () => { rssWatchers = rssOf(s.pid); });
      for (const w of ws) report(`watch event latency, ${WATCHERS} watchers, ${w.rate} writes/s`, w.received, w.wall, w, watchNote(w, WATCHERS));
    }
    if (want('registry')) {
      const rig = await registryRig(thisRepo);
      const m = await registryRounds([rig], 3, 1500);
      await rig.close();
      console.log(`\nregistry.create in-process (no HTTP, SQLite NORMAL), CPU per create: ConfigMap ${m.get(`${thisRepo} configmaps`)!.toFixed(0)} µs, ` +
        `Deployment ${m.get(`${thisRepo} deployments`)!.toFixed(0)} µs`);
    }
    console.log(`\nidle RSS of kubelite up (--no-node, controllers + scheduler in-process): ${idleRss.toFixed(0)} MiB` +
      (want('watch') ? `; with ${WATCHERS} watchers: ${rssWatchers.toFixed(0)} MiB (the watch cache then also holds every object the earlier parts created)` : ''));
    console.log(`load at the end: ${load()}`);
  } finally {
    await s.stop();
  }
}

async function abRun(other: string) {
  const rounds = Number(arg('--rounds') ?? (quick ? 2 : 4));
  const watchRate = Number(arg('--watch-rate') ?? 20);
  console.log(`# API server A/B — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model}, load ${load()}`);
  console.log(`A = ${thisRepo}, B = ${resolve(other)}; ${rounds} rounds, order flipped each round; ${WATCHERS} watchers at ${watchRate} writes/s`);
  for (const conc of CONCS) await rawStoreRate(conc);
  const a = await startServer(thisRepo, 'A');
  const b = await startServer(resolve(other), 'B');
  const res = new Map<string, { c: CreateResult[][]; w: WatchResult[] }>([['A', { c: [[], []], w: [] }], ['B', { c: [[], []], w: [] }]]);
  try {
    for (const s of [a, b]) await ensureNamespace(s, 'bench');
    if (want('registry')) {
      const rigs = [await registryRig(thisRepo), await registryRig(resolve(other))];
      const m = await registryRounds(rigs, rounds, 1500);
      for (const r of rigs) await r.close();
      console.log(`registry.create in-process (no HTTP, SQLite NORMAL), CPU per create, medians: ` +
        `ConfigMap A ${m.get(`${thisRepo} configmaps`)!.toFixed(0)} µs, B ${m.get(`${resolve(other)} configmaps`)!.toFixed(0)} µs; ` +
        `Deployment A ${m.get(`${thisRepo} deployments`)!.toFixed(0)} µs, B ${m.get(`${resolve(other)} deployments`)!.toFixed(0)} µs`);
    }
    await new Promise((r) => setTimeout(r, 5000));
    for (let round = 0; round < rounds && (want('create') || want('watch')); round++) {
      const order = round % 2 === 0 ? [a, b] : [b, a];
      for (const s of order) {
        const parts: string[] = [];
        for (let k = 0; k < CONCS.length && want('create'); k++) {
          const r = await measureCreates(s, CONCS[k], SECONDS);
          res.get(s.name)!.c[k].push(r);
          parts.push(`create/${CONCS[k]}: ${Math.round(r.rate)}/s p99 ${f(r.p99)} ms server ${r.serverMs.toFixed(2)} ms client ${r.clientMs.toFixed(2)} ms`);
        }
        if (!want('watch')) { console.log(`round ${round + 1} ${s.name} (load ${load()}): ${parts.join('; ')}`); continue; }
        const [w] = await measureWatch(s, WATCHERS, [watchRate], WATCH_EVENTS);
        res.get(s.name)!.w.push(w);
        parts.push(`watch: p50 ${f(w.p50)} p99 ${f(w.p99)} ms ${w.received}/${w.expected} server ${w.serverUs.toFixed(1)} µs/delivery child ${w.childUs.toFixed(1)} µs`);
        console.log(`round ${round + 1} ${s.name} (load ${load()}): ${parts.join('; ')}`);
      }
    }
    console.log('\n| measurement (medians) | A | B |\n|---|---|---|');
    const row = (label: string, fn: (n: string) => string) => console.log(`| ${label} | ${fn('A')} | ${fn('B')} |`);
    for (let k = 0; k < CONCS.length && want('create'); k++) {
      row(`API create, ${CONCS[k]} clients`, (n) => {
        const c = res.get(n)!.c[k];
        return `${Math.round(median(c.map((x) => x.rate)))}/s, p99 ${f(median(c.map((x) => x.p99)))} ms, server ${median(c.map((x) => x.serverMs)).toFixed(2)} ms CPU/create, client ${median(c.map((x) => x.clientMs)).toFixed(2)} ms`;
      });
    }
    if (want('watch')) row(`watch, ${WATCHERS} watchers at ${watchRate}/s`, (n) => {
      const w = res.get(n)!.w;
      return `p50 ${f(median(w.map((x) => x.p50)))} ms, p99 ${f(median(w.map((x) => x.p99)))} ms, server ${median(w.map((x) => x.serverUs)).toFixed(1)} µs/delivery, client ${median(w.map((x) => x.childUs)).toFixed(1)} µs`;
    });
    console.log(`load at the end: ${load()}`);
  } finally {
    await a.stop();
    await b.stop();
  }
}

if (argv.includes('--watch-child')) {
  await watchChild();
} else if (argv.includes('--floor-child')) {
  const i = argv.indexOf('--floor-child');
  await floorChild(Number(argv[i + 1]), Number(argv[i + 2]), argv[i + 3]);
} else if (only?.includes('floor')) {
  console.log(`# TLS floor of one watch delivery — ${new Date().toISOString()} — load ${load()}; ${WATCHERS} responses`);
  await fanoutFloor(WATCHERS, Number(arg('--rounds') ?? 6));
  console.log(`load at the end: ${load()}`);
  process.exit(0);
} else {
  const other = arg('--ab');
  if (other && useEtcd) throw new Error('--ab runs two servers side by side: SQLite only');
  try {
    if (other) await abRun(other); else await fullRun();
  } finally {
    await etcd?.destroy();
  }
  process.exit(0);
}
