/**
 * The resource-metrics pipeline and the HPA's reaction time, against a real `kubelite up` with a node (real
 * containerd, real busybox containers):
 *
 *   node --expose-gc --import tsx bench/metrics.ts [--pods 10,40] [--scrapes 300] [--trials 4] [--only agent,store,reaction] [--quick]
 *
 * 1. Node agent cost per pod per scrape, at two pod counts (the slope between them is the per-pod cost, the
 *    intercept the fixed cost of a scrape):
 *    a. in this process, the node agent's own collector (src/kubelet/resource-metrics.ts: CRI ListContainerStats
 *       + ListContainers + /proc + rendering) against the cluster's containerd and agent label — CPU time per
 *       scrape (process.cpuUsage), containerd's CPU for the same scrapes (/proc/<pid>/stat), document bytes, heap
 *       allocated by one scrape, and heap kept between scrapes (none: the collector is stateless);
 *    b. end to end: GET /metrics/resource on the node agent (HTTPS, the API server's kubelet-client certificate), CPU of the
 *       `kubelite up` process over the scrapes minus its CPU over an equal idle interval (the baseline, same run).
 * 2. API server side: bytes the metrics store holds per pod (two points per container), from heap deltas over
 *    10,000 synthetic pods.
 * 3. Time from a load change to the HPA's decision: an HPA (50% of a 50m request) over one idle busybox pod; the
 *    pod starts burning (a file it waits for) at a random moment of the HPA's sync cycle; time from that moment
 *    to the target's new replica count, with the default resolution and sync period (15 s / 15 s) and with 5 s / 5 s.
 */
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { startCluster, waitFor, run, type Cluster } from '../test/e2e/harness.ts';
import { R } from '../src/client/resources.ts';
import { CriClient } from '../src/kubelet/cri/client.ts';
import { agentId } from '../src/kubelet/cri-config.ts';
import { resourceMetricsEndpoint } from '../src/kubelet/resource-metrics.ts';
import { MetricsStorage } from '../src/apiserver/metrics/storage.ts';
import { reapStaleAgents } from '../src/kubelet/agents.ts';

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : def; };
const quick = argv.includes('--quick');
const POD_COUNTS = opt('pods', quick ? '5,15' : '10,40').split(',').map(Number);
const SCRAPES = Number(opt('scrapes', quick ? '100' : '300'));
const TRIALS = Number(opt('trials', quick ? '1' : '4'));
const ONLY = opt('only', 'agent,store,reaction').split(',');
const SOCKET = '/run/containerd/containerd.sock';

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const procCpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, USER_HZ ticks
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = () => (globalThis as any).gc?.();

async function kubectl(c: Cluster, args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, { input, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function sleeperDeployment(name: string, replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'kubelite/busybox', command: ['sleep', '100000'], resources: { requests: { cpu: '5m', memory: '8Mi' } } }],
    } } },
  });
}

async function readyCount(c: Cluster, app: string): Promise<number> {
  const l = await c.client.list<any>(R.pods, 'default', { labelSelector: `app=${app}` });
  return l.items.filter((p) => p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True') && !p.metadata.deletionTimestamp).length;
}

interface AgentCost {
  pods: number; inProcessUs: number; containerdUs: number; bytes: number; allocatedBytes: number; retainedBytes: number; endToEndUs: number; idleUs: number;
}
const containerdPid = () => Number(readFileSync('/var/lib/kubelite/containerd/containerd.pid', 'utf8').trim());

async function agentCost(c: Cluster, pods: number): Promise<AgentCost> {
  await kubectl(c, ['scale', 'deployment', 'sleepers', `--replicas=${pods}`]);
  await waitFor(async () => (await readyCount(c, 'sleepers')) === pods, { timeoutMs: 300_000, intervalMs: 1000, message: `${pods} sleepers ready` });
  await sleep(3000);
  // a. the collector in this process
  const cri = new CriClient(SOCKET);
  const scrape = resourceMetricsEndpoint(cri, agentId('kubelite', join(c.dataDir, 'kubelet')));
  let doc = '';
  for (let i = 0; i < 10; i++) doc = await scrape(); // warm the channel and the JIT
  // Heap allocated by one scrape (GC'd before each, so none runs within it): median of 20.
  const allocs: number[] = [];
  for (let i = 0; i < 20; i++) { gc(); const h = process.memoryUsage().heapUsed; doc = await scrape(); allocs.push(process.memoryUsage().heapUsed - h); }
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage(), ctr0 = procCpuMs(containerdPid());
  for (let i = 0; i < SCRAPES; i++) doc = await scrape();
  const d = process.cpuUsage(cpu0), ctrMs = procCpuMs(containerdPid()) - ctr0;
  gc();
  const retained = process.memoryUsage().heapUsed - heap0; // what the collector keeps between scrapes
  cri.close();
  const containers = (doc.match(/^container_cpu_usage_seconds_total\{/gm) ?? []).length;
  if (containers < pods) throw new Error(`the document lists ${containers} containers, expected ${pods}`);
  // b. end to end through the node agent's HTTP endpoint, against the kubelite process's idle CPU
  const node = await c.client.get<any>(R.nodes, undefined, 'kubelite');
  const pki = (f: string) => readFileSync(join(c.dataDir, 'pki', f), 'utf8');
  // The local node agent listens on loopback, HTTPS, and lets in the API server's kubelet-client certificate.
  const agent = new https.Agent({ keepAlive: true, ca: pki('ca.crt'), cert: pki('apiserver-kubelet-client.crt'), key: pki('apiserver-kubelet-client.key') });
  const port = node.status.daemonEndpoints.kubeletEndpoint.Port;
  const pid = c.process.pid!;
  const get = () => new Promise<void>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: '/metrics/resource', agent }, (r) => {
      r.resume();
      r.on('end', () => (r.statusCode === 200 ? resolve() : reject(new Error(`scrape ${r.statusCode}`))));
    }).on('error', reject);
  });
  await get();
  const t0 = Date.now(), c0 = procCpuMs(pid);
  for (let i = 0; i < SCRAPES; i++) await get();
  const busyMs = procCpuMs(pid) - c0, wall = Date.now() - t0;
  const c1 = procCpuMs(pid);
  await sleep(wall);
  const idleMs = procCpuMs(pid) - c1;
  agent.destroy();
  return {
    pods, inProcessUs: (d.user + d.system) / SCRAPES, containerdUs: (ctrMs * 1000) / SCRAPES, bytes: Buffer.byteLength(doc),
    allocatedBytes: median(allocs), retainedBytes: retained,
    endToEndUs: ((busyMs - idleMs) * 1000) / SCRAPES, idleUs: (idleMs * 1000) / SCRAPES,
  };
}

function storeBytesPerPod(): number {
  const N = 10_000;
  const batch = () => ({
    nodes: new Map([['n', { startTimeMs: 1, timestampMs: Date.now(), cumulativeCpuNanos: 1e12, memoryBytes: 1e9 }]]),
    pods: new Map(Array.from({ length: N }, (_, i) => [`default/pod-${i}`, { namespace: 'default', name: `pod-${i}`,
      containers: new Map([['app', { startTimeMs: 1, timestampMs: Date.now() + i, cumulativeCpuNanos: 1e9 + i, memoryBytes: 1e7 + i }]]) }])),
  });
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const s = new MetricsStorage(15_000);
  s.store(batch());
  s.store(batch());
  gc();
  const bytes = (process.memoryUsage().heapUsed - h0) / N;
  if (s.size().containers !== N) throw new Error('store size');
  return bytes;
}

/**
 * Seconds from the burn starting to the HPA's rescale, per trial. The burn starts at a random moment within one
 * sync period after the HPA's last status write, so the HPA's and the scraper's phases do not line up with it.
 */
async function reactionTimes(c: Cluster, trials: number, syncMs: number): Promise<number[]> {
  const out: number[] = [];
  for (let t = 0; t < trials; t++) {
    const name = `react${t}`;
    const dep = JSON.parse(sleeperDeployment(name, 1));
    dep.spec.template.spec.containers[0].command = ['sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.2; done; while :; do :; done'];
    dep.spec.template.spec.containers[0].resources = { requests: { cpu: '50m' }, limits: { cpu: '100m' } };
    await kubectl(c, ['apply', '-f', '-'], JSON.stringify(dep));
    await waitFor(async () => (await readyCount(c, name)) === 1, { timeoutMs: 120_000, intervalMs: 500, message: `${name} ready` });
    await kubectl(c, ['autoscale', 'deployment', name, '--min=1', '--max=2', '--cpu-percent=50']);
    // Steady state first: the HPA has read a (low) utilization.
    await waitFor(async () => {
      const h = await c.client.get<any>(R.horizontalpodautoscalers, 'default', name);
      return h.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization !== undefined;
    }, { timeoutMs: 120_000, intervalMs: 500, message: `${name} measured` });
    const pod = (await c.client.list<any>(R.pods, 'default', { labelSelector: `app=${name}` })).items[0].metadata.name;
    await sleep(Math.random() * syncMs);
    const r = await run('kubectl', ['exec', pod, '--', 'touch', '/tmp/go'], { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
    if (r.code !== 0) throw new Error(`exec: ${r.stderr}`);
    const t0 = Date.now();
    await waitFor(async () => (await c.client.get<any>(R.deployments, 'default', name)).spec.replicas === 2, { timeoutMs: 180_000, intervalMs: 200, message: `${name} scaled` });
    out.push((Date.now() - t0) / 1000);
    await kubectl(c, ['delete', 'hpa', name]);
    await kubectl(c, ['delete', 'deployment', name, '--wait=false']);
  }
  return out;
}

/** Part 1: the node agent's cost at each pod count, and the per-pod slope. */
async function agentPart(): Promise<void> {
  c = await startCluster({ node: true });
  await kubectl(c, ['apply', '-f', '-'], sleeperDeployment('sleepers', 0));
  const costs: AgentCost[] = [];
  for (const n of POD_COUNTS) { costs.push(await agentCost(c, n)); console.error(JSON.stringify(costs[costs.length - 1])); }
  const [a, b] = [costs[0], costs[costs.length - 1]];
  const slope = (f: (x: AgentCost) => number) => (f(b) - f(a)) / (b.pods - a.pods);
  results.agent = costs.map((x) => ({ ...x, inProcessUs: Math.round(x.inProcessUs), containerdUs: Math.round(x.containerdUs), endToEndUs: Math.round(x.endToEndUs), idleUs: Math.round(x.idleUs) }));
  results.perPod = {
    inProcessUsPerScrape: +slope((x) => x.inProcessUs).toFixed(1), containerdUsPerScrape: +slope((x) => x.containerdUs).toFixed(1),
    endToEndUsPerScrape: +slope((x) => x.endToEndUs).toFixed(1),
    documentBytes: Math.round(slope((x) => x.bytes)), allocatedBytesPerScrape: Math.round(slope((x) => x.allocatedBytes)),
  };
  await kubectl(c, ['scale', 'deployment', 'sleepers', '--replicas=0']);
  await c.stop();
  c = undefined;
  await reapStaleAgents();
}

const results: Record<string, unknown> = { date: new Date().toISOString(), cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgAtStart: loadavg().map((x) => +x.toFixed(1)) };
let c: Cluster | undefined;
try {
  if (ONLY.includes('store')) results.storeBytesPerPod = Math.round(storeBytesPerPod());
  if (ONLY.includes('agent')) await agentPart();

  for (const [label, env, syncMs] of [['15s/15s (defaults)', {}, 15_000], ['5s/5s', { KUBELITE_METRIC_RESOLUTION: '5s', KUBELITE_HPA_SYNC_PERIOD: '5s' }, 5000]] as const) {
    if (!ONLY.includes('reaction')) break;
    c = await startCluster({ node: true, env });
    const times = await reactionTimes(c, TRIALS, syncMs);
    (results.reaction ??= {} as Record<string, unknown>);
    (results.reaction as Record<string, unknown>)[label] = { seconds: times.map((x) => +x.toFixed(1)), min: +Math.min(...times).toFixed(1), median: +median(times).toFixed(1), max: +Math.max(...times).toFixed(1) };
    console.error(label, times);
    await c.stop();
    c = undefined;
    await reapStaleAgents();
  }
  results.loadavgAtEnd = loadavg().map((x) => +x.toFixed(1));
  console.log(JSON.stringify(results, null, 2));
} finally {
  await c?.stop().catch(() => {});
  await reapStaleAgents().catch(() => {});
}
