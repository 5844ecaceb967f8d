/**
 * Dashboard benchmark: `flock /tmp/kubelite-cluster.lock node --import tsx bench/dashboard.ts [--pods 100] [--total 1000]`
 *
 *  1. Bundle: the raw, gzip and brotli sizes of what the browser downloads (target: ≤ 200 KB compressed).
 *  2. Latency while `pods` pods roll: a Deployment of `pods` replicas is updated to another image; for every new
 *     pod, the time from the pod-status write that makes it Ready (request sent) to the moment its cell shows
 *     "ready" in the page (a MutationObserver in the page) — p50 / p99 / max (target: p99 ≤ 300 ms).
 *  3. Responsiveness with `total` pods: the longest main-thread task (PerformanceObserver 'longtask') while the
 *     page loads and renders them all, and while one Deployment rolls among them (target: none over 100 ms).
 *
 * BENCHMARK MODE — simulated node: the cluster is a real `kubelite up --no-node` (API server, controllers,
 * scheduler) and the pods are real API objects, but no containers run: test/e2e/sim-node.ts writes each pod's
 * status through the API as a kubelet's status manager would (Running and Ready after `--ready-delay` ms).
 * The browser is Debian's chromium, headless, driven by playwright-core (test/e2e/browser.ts).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { startCluster, waitFor, type Cluster } from '../test/e2e/harness.ts';
import { startSimNode } from '../test/e2e/sim-node.ts';
import { launchBrowser } from '../test/e2e/browser.ts';
import { buildDashboard } from '../src/dashboard/serve.ts';
import { R } from '../src/client/resources.ts';
import type { Page } from 'playwright-core';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const PODS = arg('pods', 100);
const TOTAL = arg('total', 1000);
const READY_DELAY = arg('ready-delay', 200);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN; };

/** Installed before the page's own script: long tasks and the first time each pod cell shows each state. */
const PAGE_PROBES = `
  window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: true });
  window.__ready = {};
  const seen = (el) => { if (el.getAttribute && el.getAttribute('data-state') === 'ready') { const n = el.getAttribute('data-pod'); if (n && !(n in window.__ready)) window.__ready[n] = Date.now(); } };
  new MutationObserver((ms) => {
    for (const m of ms) {
      if (m.type === 'attributes') seen(m.target);
      else for (const a of m.addedNodes) { if (a.nodeType === 1) { seen(a); for (const c of a.querySelectorAll('[data-pod]')) seen(c); } }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
`;

async function kubectl(c: Cluster, args: string[]): Promise<void> {
  const r = await c.kubectl(args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
}

async function readyCount(c: Cluster, selector: string): Promise<number> {
  const l = await c.client.list(R.pods, 'default', { labelSelector: selector });
  return l.items.filter((p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')).length;
}

async function rolloutDone(c: Cluster, name: string, replicas: number): Promise<boolean> {
  const d = await c.client.get(R.deployments, 'default', name);
  const s = d.status ?? {};
  return s.observedGeneration >= d.metadata.generation && s.updatedReplicas === replicas && s.availableReplicas === replicas && (s.replicas ?? 0) === replicas;
}

async function longTasks(page: Page, since = 0): Promise<{ max: number; over100: number; count: number }> {
  const l: { start: number; duration: number }[] = await page.evaluate('window.__long');
  const mine = l.filter((e) => e.start >= since);
  return { max: Math.max(0, ...mine.map((e) => e.duration)), over100: mine.filter((e) => e.duration > 100).length, count: mine.length };
}

/** API write → DOM latency of every pod whose Ready write was recorded (and not before), from the page's probes. */
async function latencies(page: Page, writes: Map<string, number>, exclude: Set<string> = new Set()): Promise<number[]> {
  await new Promise((r) => setTimeout(r, 1000));
  const seen: Record<string, number> = await page.evaluate('window.__ready');
  const lat: number[] = [];
  for (const [name, t0] of writes) if (!exclude.has(name) && seen[name]) lat.push(seen[name] - t0);
  return lat;
}

async function main(): Promise<void> {
  const out: string[] = [];
  const say = (s: string) => { console.log(s); out.push(s); };
  say(`dashboard bench ${new Date().toISOString()} — ${cpus().length}× ${cpus()[0]?.model ?? '?'}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  const bundle = await buildDashboard();
  let raw = 0, gz = 0, br = 0;
  for (const [name, a] of bundle.assets) {
    say(`  ${name.padEnd(10)} raw ${kb(a.body.length).padStart(9)}  gzip ${kb(a.gzip.length).padStart(8)}  brotli ${kb(a.br.length).padStart(8)}`);
    raw += a.body.length; gz += a.gzip.length; br += a.br.length;
  }
  say(`  total      raw ${kb(raw).padStart(9)}  gzip ${kb(gz).padStart(8)}  brotli ${kb(br).padStart(8)}  (built in ${bundle.buildMs.toFixed(0)} ms)`);

  const c = await startCluster({ readyTimeoutMs: 120_000 });
  // Every status write the simulated node makes, by pod name: when it was sent.
  const writes = new Map<string, number>();
  const update = c.client.update.bind(c.client);
  c.client.update = (async (ref: any, ns: any, obj: any, sub?: any, opts?: any) => {
    const t0 = Date.now();
    const r = await update(ref, ns, obj, sub, opts);
    if (sub === 'status' && obj.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')) writes.set(obj.metadata.name, t0);
    return r;
  }) as typeof c.client.update;
  const sim = await startSimNode({ client: c.client, readyDelayMs: READY_DELAY });
  const b = await launchBrowser();
  try {
    const token = /token: (\S+)/.exec(readFileSync(c.kubeconfig, 'utf8'))![1];
    const page = await b.newPage({ width: 1280, height: 720 });
    await page.addInitScript(PAGE_PROBES);
    await page.goto(`${c.server}/dashboard/#token=${token}`);
    await page.locator('[role="tablist"]').waitFor();

    // 2. Latency while PODS pods roll.
    await kubectl(c, ['create', 'deployment', 'roll', '--image=nginx', `--replicas=${PODS}`]);
    await waitFor(() => rolloutDone(c, 'roll', PODS), { timeoutMs: 600_000, intervalMs: 500, message: 'first rollout' });
    const before = new Set(writes.keys());
    const since: number = await page.evaluate('performance.now()');
    const t = Date.now();
    await kubectl(c, ['set', 'image', 'deployment/roll', 'nginx=httpd']);
    await waitFor(() => rolloutDone(c, 'roll', PODS), { timeoutMs: 600_000, intervalMs: 500, message: 'rolling update' });
    const lat = await latencies(page, writes, before);
    const lt = await longTasks(page, since);
    say(`latency while ${PODS} pods roll (${((Date.now() - t) / 1000).toFixed(1)} s): ${lat.length} pods became ready — API write → DOM p50 ${pct(lat, 50)} ms, p99 ${pct(lat, 99)} ms, max ${Math.max(...lat)} ms; longest task ${lt.max.toFixed(0)} ms (${lt.over100} over 100 ms)`);

    // 3. Responsiveness with TOTAL pods.
    const extra = Math.max(0, Math.round((TOTAL - PODS) / PODS));
    for (let i = 0; i < extra; i++) await kubectl(c, ['create', 'deployment', `fill-${i}`, '--image=nginx', `--replicas=${PODS}`]);
    await waitFor(async () => (await readyCount(c, '')) >= PODS * (extra + 1), { timeoutMs: 900_000, intervalMs: 1000, message: `${TOTAL} ready pods` });
    const all = PODS * (extra + 1);
    const page2 = await b.newPage({ width: 1280, height: 720 });
    await page2.addInitScript(PAGE_PROBES);
    const l0 = Date.now();
    await page2.goto(`${c.server}/dashboard/#token=${token}`);
    // Polled from here (the page's CSP forbids the string evaluation waitForFunction would do in it).
    await waitFor(async () => (await page2.evaluate(`document.querySelectorAll('[data-pod][data-state="ready"]').length`) as number) >= all,
      { timeoutMs: 120_000, intervalMs: 100, message: `${all} ready cells` });
    const loadMs = Date.now() - l0;
    const ltLoad = await longTasks(page2);
    say(`${all} pods: page load to ${all} ready cells ${loadMs} ms; longest task ${ltLoad.max.toFixed(0)} ms (${ltLoad.over100} over 100 ms of ${ltLoad.count} long tasks)`);
    // The rolling board in view (boards out of view are not rendered: measure the one the user watches).
    await page2.locator('[data-board="deployment/roll"]').scrollIntoViewIfNeeded();
    const since2: number = await page2.evaluate('performance.now()');
    writes.clear();
    const t2 = Date.now();
    await kubectl(c, ['set', 'image', 'deployment/roll', 'nginx=nginx:1.7.9']);
    await waitFor(() => rolloutDone(c, 'roll', PODS), { timeoutMs: 600_000, intervalMs: 500, message: 'rolling update among many' });
    const lat2 = await latencies(page2, writes);
    const ltRoll = await longTasks(page2, since2);
    say(`${all} pods, ${PODS} rolling (${((Date.now() - t2) / 1000).toFixed(1)} s): API write → DOM p50 ${pct(lat2, 50)} ms, p99 ${pct(lat2, 99)} ms, max ${Math.max(...lat2)} ms (${lat2.length} pods); longest task ${ltRoll.max.toFixed(0)} ms (${ltRoll.over100} over 100 ms)`);
  } finally {
    await b.close();
    await sim.stop();
    await c.stop();
  }
  console.log(`\n${out.join('\n')}`);
}

await main();
