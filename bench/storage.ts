/**
 * Storage benchmark: raw stores vs. the same through CachedStore, in one run.
 *   node --import tsx bench/storage.ts [--quick] [--no-etcd]
 * Prints a markdown table (results go to docs/benchmarks.md, "Storage").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { openSqliteStore } from '../src/storage/sqlite.ts';
import { openEtcdStore } from '../src/storage/etcd.ts';
import { CachedStore } from '../src/storage/watch-cache.ts';
import type { Store } from '../src/storage/store.ts';
import { EtcdProcess } from '../test/unit/storage/etcd-process.ts';

const quick = process.argv.includes('--quick');
const withEtcd = !process.argv.includes('--no-etcd');
const WRITE_SECONDS = quick ? 1 : 2;
const ROUNDS = quick ? 1 : 3;

const podJson = (i: number): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: `pod-${i}`, namespace: 'default', uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    labels: { app: 'bench', tier: 'web' }, annotations: { note: 'x'.repeat(400) } },
  spec: { containers: [{ name: 'c', image: 'registry.local/bench:1', ports: [{ containerPort: 8080 }],
    resources: { requests: { cpu: '10m', memory: '16Mi' } } }], restartPolicy: 'Always' },
  status: { phase: 'Pending' },
});

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const f = (ms: number): string => (ms < 1 ? ms.toFixed(2) : ms.toFixed(1));

interface Row { name: string; rate?: number; p50?: number; p99?: number; note?: string; loopP99?: number }
const rows: Row[] = [];
function report(r: Row): void {
  rows.push(r);
  console.error(`${r.name}: ${r.rate !== undefined ? Math.round(r.rate) + '/s ' : ''}p50 ${f(r.p50 ?? NaN)} ms p99 ${f(r.p99 ?? NaN)} ms ${r.note ?? ''}`);
}

let seq = 0;
/** Closed-loop creates with `conc` writers for WRITE_SECONDS. */
async function writeRate(name: string, store: Store, conc: number, record = true): Promise<Row> {
  const lat: number[] = [];
  const end = performance.now() + WRITE_SECONDS * 1000;
  const run = String(++seq);
  let n = 0;
  // How late the event loop runs (what every other request in an API server would wait) while the writes go on.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => {
    while (performance.now() < end) {
      const i = n++;
      const s = performance.now();
      await store.create(`/registry/core/pods/w${run}/pod-${i}`, podJson(i));
      lat.push(performance.now() - s);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  loop.disable();
  const row = { name, rate: n / secs, p50: pct(lat, 50), p99: pct(lat, 99), loopP99: loop.percentile(99) / 1e6 };
  if (record) report(row);
  return row;
}

/** Raw vs cached write rate, alternating ROUNDS times (this machine is shared and noisy); reports the medians. */
async function writeComparison(label: string, open: () => Promise<Store>, conc: number): Promise<void> {
  const raw: Row[] = [], cached: Row[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = await open();
    raw.push(await writeRate('', r, conc, false));
    await r.close();
    const c = new CachedStore(await open());
    await c.waitReady();
    cached.push(await writeRate('', c, conc, false));
    await c.close();
  }
  const med = (rows: Row[]): Row => [...rows].sort((a, b) => a.rate! - b.rate!)[Math.floor(rows.length / 2)];
  const mr = med(raw), mc = med(cached);
  const rates = (rows: Row[]): string => rows.map((x) => Math.round(x.rate!)).join(', ');
  const loop = (r: Row): string => `; event-loop delay p99 ${f(r.loopP99!)} ms`;
  report({ ...mr, name: `${label} raw create, concurrency ${conc}`, note: `median of ${ROUNDS} (${rates(raw)})${loop(mr)}` });
  report({ ...mc, name: `${label} CachedStore create, concurrency ${conc}`,
    note: `median of ${ROUNDS} (${rates(cached)}); ${Math.round((100 * mc.rate!) / mr.rate!)}% of raw${loop(mc)}` });
}

/** Open-loop creates at a fixed rate (the "mutating p99 at 500 writes/s"). */
async function pacedWrites(name: string, store: Store, perSec: number, seconds: number): Promise<void> {
  const lat: number[] = [];
  const run = String(++seq);
  const total = perSec * seconds;
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / perSec;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const s = performance.now();
    pending.push(store.create(`/registry/core/pods/p${run}/pod-${i}`, podJson(i)).then(() => { lat.push(performance.now() - s); }));
  }
  await Promise.all(pending);
  report({ name, rate: total / ((performance.now() - t0) / 1000), p50: pct(lat, 50), p99: pct(lat, 99), note: `paced ${perSec}/s` });
}

async function seed(store: Store, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => store.create(`${prefix}pod-${i + j}`, podJson(i + j))));
  }
}

async function readLatency(name: string, store: Store, prefix: string, count: number): Promise<void> {
  const gets: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const s = performance.now();
    await store.get(`${prefix}pod-${(i * 7919) % count}`);
    gets.push(performance.now() - s);
  }
  report({ name: `${name} get`, p50: pct(gets, 50), p99: pct(gets, 99) });
  const lists: number[] = [];
  for (let i = 0; i < (quick ? 10 : 30); i++) {
    const s = performance.now();
    const r = await store.list(prefix);
    if (r.items.length !== count) throw new Error(`list returned ${r.items.length}`);
    lists.push(performance.now() - s);
  }
  report({ name: `${name} list ${count} keys`, p50: pct(lists, 50), p99: pct(lists, 99) });
  const pages: number[] = [];
  for (let i = 0; i < (quick ? 10 : 30); i++) {
    const s = performance.now();
    await store.list(prefix, { limit: 100 });
    pages.push(performance.now() - s);
  }
  report({ name: `${name} list limit=100 of ${count}`, p50: pct(pages, 50), p99: pct(pages, 99) });
}

/** Write → watch callback latency with `watchers` watchers on the prefix; writes paced at `perSec`. */
async function watchLatency(name: string, store: Store, watchers: number, events: number, perSec: number): Promise<void> {
  const run = String(++seq);
  const prefix = `/registry/core/pods/wl${run}/`;
  const started = new Map<string, number>();
  const lat: number[] = [];
  let remaining = watchers * events;
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const from = await store.currentRevision();
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const ws = Array.from({ length: watchers }, () => store.watch(prefix, from, (ev) => {
    const now = performance.now();
    lat.push(now - started.get(ev.kv.key)!);
    if (!first.has(ev.kv.key)) first.set(ev.kv.key, now);
    last.set(ev.kv.key, now);
    if (--remaining === 0) done();
  }));
  await new Promise((r) => setTimeout(r, 50)); // let watchers go live
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    const due = t0 + (i * 1000) / perSec;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const key = `${prefix}pod-${i}`;
    started.set(key, performance.now());
    void store.create(key, podJson(i));
  }
  const timeout = setTimeout(() => done(), 30_000);
  await finished;
  clearTimeout(timeout);
  for (const w of ws) w.stop();
  const spread = [...first].map(([k, t]) => last.get(k)! - t);
  report({ name, p50: pct(lat, 50), p99: pct(lat, 99),
    note: `${watchers} watcher(s), ${events} events at ${perSec}/s, ${lat.length} deliveries`
      + (watchers > 1 ? `; first-to-last watcher per event p50 ${f(pct(spread, 50))} ms, p99 ${f(pct(spread, 99))} ms` : '') });
}

const dirs: string[] = [];
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'kubelite-bench-')); dirs.push(d); return d; };

async function benchBackend(label: string, open: () => Promise<Store>): Promise<void> {
  // Writes: raw vs cached, closed loop at concurrency 1 and 16.
  for (const conc of [1, 16]) await writeComparison(label, open, conc);
  {
    const c = new CachedStore(await open());
    await c.waitReady();
    await pacedWrites(`${label} CachedStore create`, c, 500, quick ? 2 : 5);
    await c.close();
  }
  // Reads over 1,000 pods.
  const prefix = `/registry/core/pods/read${++seq}/`;
  {
    const raw = await open();
    await seed(raw, prefix, 1000);
    await readLatency(`${label} raw`, raw, prefix, 1000);
    await watchLatency(`${label} raw watch event`, raw, 1, quick ? 100 : 300, 200);
    await raw.close();
  }
  {
    const c = new CachedStore(await open());
    await c.waitReady();
    await readLatency(`${label} CachedStore`, c, prefix, 1000);
    await watchLatency(`${label} CachedStore watch event`, c, 1, quick ? 100 : 300, 200);
    await watchLatency(`${label} CachedStore watch event`, c, 1000, quick ? 50 : 200, 100);
    await watchLatency(`${label} CachedStore watch event`, c, 1000, quick ? 100 : 500, 500);
    await c.close();
  }
}

async function main(): Promise<void> {
  console.error(`storage bench: ${cpus().length} CPUs, node ${process.version}, ${new Date().toISOString()}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const sync of ['FULL', 'NORMAL'] as const) {
    const file = join(tmp(), 'state.db');
    // Wait for the open (the worker thread's start-up) before measuring.
    await benchBackend(`sqlite ${sync}`, async () => { const s = openSqliteStore(file, { synchronous: sync }); await s.ready(); return s; });
  }
  if (withEtcd) {
    const etcd = new EtcdProcess();
    try {
      await etcd.start();
      await benchBackend('etcd', () => openEtcdStore([etcd.endpoint]));
    } finally {
      await etcd.destroy();
    }
  }
  console.log(`| measurement | rate | p50 | p99 | note |\n|---|---|---|---|---|`);
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.rate !== undefined ? Math.round(r.rate).toLocaleString('en-US') + '/s' : ''} | ${f(r.p50!)} ms | ${f(r.p99!)} ms | ${r.note ?? ''} |`);
  }
  console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

await main();
