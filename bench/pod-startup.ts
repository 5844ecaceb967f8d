/**
 * Pod start-up latency and node agent memory.
 *
 *   node --import tsx bench/pod-startup.ts [--pods 100] [--wave 10]
 *
 * 1. A control plane (`kubelite up --no-node`, temp dir) and a separate node agent process (`kubelite node`,
 *    its own containerd instance), so the agent's memory is its own.
 * 2. nginx:1.25 is pulled once (cached), then N pods are created in waves of W concurrent creations; each pod's
 *    latency is create request → Ready=True seen on a watch (scheduler, kubelet, CRI, status write included).
 * 3. Baseline in the same run: the same N containers started with raw CRI calls (RunPodSandbox + CreateContainer
 *    + StartContainer) on the same containerd instance, wave for wave interleaved with the kubelite waves.
 * 4. Node agent RSS before the pods and with all N pods running.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startCluster, waitFor } from '../test/e2e/harness.ts';
import { nodeJoinArgs } from '../test/e2e/node-helpers.ts';
import { R } from '../src/client/resources.ts';
import { CriClient } from '../src/kubelet/cri/client.ts';
import { containerdInstance, teardownNodeInstance } from '../src/node-setup/setup.ts';
import { reapStaleAgents } from '../src/kubelet/agents.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('pods', 100);
const WAVE = arg('wave', 10);
const IMAGE = 'nginx:1.25';
const NODE = 'bench-node';
const POD_CIDR = '10.150.0.0/16';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

const cluster = await startCluster({ node: false });
const credsDir = mkdtempSync(join(tmpdir(), 'kubelite-bench-node-'));
const nodeProc = spawn(process.execPath, [...nodeJoinArgs(cluster, NODE, credsDir), '--pod-cidr', POD_CIDR], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBELITE_NODE_NO_PROXY: '1' } });
let nodeOut = '';
nodeProc.stdout!.on('data', (d) => { nodeOut += d; });
nodeProc.stderr!.on('data', (d) => { nodeOut += d; });
const client = cluster.client;
const socket = containerdInstance(NODE, POD_CIDR).socket;
const results: Record<string, unknown> = {};

try {
  await waitFor(() => /ready: pods on/.test(nodeOut), { timeoutMs: 120_000, message: `node agent ready (${nodeOut})` });
  await waitFor(async () => {
    const n = await client.get(R.nodes, undefined, NODE).catch(() => undefined);
    return n?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
  }, { timeoutMs: 60_000, message: 'node Ready' });
  await new Promise((r) => setTimeout(r, 2000));
  results.agentRssIdleMiB = +(rssKiB(nodeProc.pid!) / 1024).toFixed(1);

  const podBody = (name: string) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'startup' } },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: IMAGE, imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80 }] }] },
  });
  // Warm-up: pull the image into the node's containerd.
  await client.create(R.pods, 'default', podBody('warm'));
  await waitFor(async () => (await client.get(R.pods, 'default', 'warm')).status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'),
    { timeoutMs: 180_000, message: 'warm-up pod ready' });
  await client.delete(R.pods, 'default', 'warm');
  await waitFor(async () => !(await client.get(R.pods, 'default', 'warm').catch(() => undefined)), { timeoutMs: 60_000, message: 'warm-up pod gone' });

  // Kubelite: create → Ready, observed on a watch.
  const created = new Map<string, number>();
  const readyAt = new Map<string, number>();
  const list = await client.list(R.pods, 'default', { labelSelector: 'bench=startup' });
  const watch = client.watch(R.pods, 'default', { labelSelector: 'bench=startup', resourceVersion: list.metadata.resourceVersion }, (ev) => {
    const p = ev.object;
    const name = p?.metadata?.name;
    if (name && !readyAt.has(name) && p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) readyAt.set(name, performance.now());
  });
  // Waves alternate between kubelite and raw CRI so both see the same machine load (these machines are shared).
  const cri = new CriClient(socket);
  const raw: number[] = [];
  const sandboxes: string[] = [];
  let kubeliteTotal = 0;
  let rawTotal = 0;
  for (let w = 0; w < N; w += WAVE) {
    const names = Array.from({ length: Math.min(WAVE, N - w) }, (_, i) => `p-${w + i}`);
    const t0 = performance.now();
    await Promise.all(names.map(async (n) => { created.set(n, performance.now()); await client.create(R.pods, 'default', podBody(n)); }));
    await waitFor(() => names.every((n) => readyAt.has(n)), { timeoutMs: 120_000, intervalMs: 5, message: `wave ${w / WAVE} ready` });
    kubeliteTotal += performance.now() - t0;
    const r0 = performance.now();
    await Promise.all(names.map(async (_, i) => {
      const uid = `raw-${process.pid}-${w + i}`;
      const sbc = { metadata: { name: `raw-${w + i}`, uid, namespace: 'bench', attempt: 0 }, hostname: `raw-${w + i}`,
        logDirectory: `/tmp/kubelite-bench-raw/${uid}`, labels: { 'kubelite.io/bench': 'raw' }, linux: {} };
      const t = performance.now();
      const sb = await cri.runPodSandbox(sbc);
      sandboxes.push(sb);
      const id = await cri.createContainer(sb, { metadata: { name: 'web', attempt: 0 }, image: { image: IMAGE }, logPath: 'web/0.log' }, sbc);
      await cri.startContainer(id);
      raw.push(performance.now() - t);
    }));
    rawTotal += performance.now() - r0;
  }
  const lat = [...created].map(([n, t]) => readyAt.get(n)! - t);
  results.kubelite = { p50: Math.round(pct(lat, 50)), p99: Math.round(pct(lat, 99)), max: Math.round(Math.max(...lat)), totalS: +(kubeliteTotal / 1000).toFixed(1) };
  results.rawCri = { p50: Math.round(pct(raw, 50)), p99: Math.round(pct(raw, 99)), max: Math.round(Math.max(...raw)), totalS: +(rawTotal / 1000).toFixed(1) };
  await new Promise((r) => setTimeout(r, 3000));
  results.agentRss100MiB = +(rssKiB(nodeProc.pid!) / 1024).toFixed(1);
  watch.stop();
  for (const sb of sandboxes) { await cri.stopPodSandbox(sb).catch(() => {}); await cri.removePodSandbox(sb).catch(() => {}); }
  cri.close();
  const k = results.kubelite as any;
  const r = results.rawCri as any;
  results.ratioP50 = +(k.p50 / r.p50).toFixed(2);
  results.ratioP99 = +(k.p99 / r.p99).toFixed(2);
  results.pods = N;
  results.wave = WAVE;
  console.log(JSON.stringify(results, null, 2));
} finally {
  const left = await client.list(R.pods, 'default', { labelSelector: 'bench=startup' }).catch(() => ({ items: [] as any[] }));
  for (let i = 0; i < left.items.length; i += 20) {
    await Promise.all(left.items.slice(i, i + 20).map((p: any) => client.delete(R.pods, 'default', p.metadata.name).catch(() => {})));
  }
  await waitFor(async () => (await client.list(R.pods, 'default', { labelSelector: 'bench=startup' })).items.length === 0,
    { timeoutMs: 180_000, intervalMs: 500 }).catch(() => console.error('pods not all deleted'));
  nodeProc.kill('SIGTERM');
  await new Promise((r) => nodeProc.once('exit', r));
  await teardownNodeInstance(NODE);
  await cluster.stop();
  rmSync(credsDir, { recursive: true, force: true });
  await reapStaleAgents();
}
