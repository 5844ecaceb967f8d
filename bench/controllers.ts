/**
 * Controllers benchmark.
 *
 *   node --import tsx bench/controllers.ts [--replicas 100] [--ready-ms 2000] [--runs 3]
 *
 * 1. A control plane (`kubelite up --no-node`, temp dir) and the test-only simulated node (pods turn Ready
 *    --ready-ms after the node first sees them). The controller manager under test runs in a child process
 *    (bench/controllers-manager.ts) that takes over the kube-controller-manager Lease from the cluster's own
 *    manager, so its CPU time is measured alone.
 * 2. Rolling update wall time: a Deployment of N replicas (25% surge / 25% unavailable) gets a new image; time from
 *    the PATCH to status complete (updated = available = replicas = N, generation observed). Compared with the
 *    theoretical minimum: the upstream rolling algorithm (util.ts planning functions) simulated with zero API
 *    latency and every pod Ready exactly --ready-ms after creation. Baseline in the same run: N bare pods created
 *    at once and made Ready by the same sim node (the API + node floor).
 * 3. Controller CPU per 1,000 pod changes: the child's CPU time (user+sys) during the rolling updates, divided by
 *    the pod watch events (ADDED/MODIFIED/DELETED) in that time; idle CPU over the same duration as a baseline.
 */
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { startCluster, waitFor, repoRoot } from '../test/e2e/harness.ts';
import { startSimNode } from '../test/e2e/sim-node.ts';
import { R } from '../src/client/resources.ts';
import * as util from '../src/controllers/deployment/util.ts';
import * as rolling from '../src/controllers/deployment/rolling.ts';
import * as sync from '../src/controllers/deployment/sync.ts';

/** The Deployment controller's pure functions: shared helpers, rolling arithmetic, scaling/status plans. */
const u = { ...util, ...rolling, ...sync };

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const N = arg('replicas', 100);
const READY_MS = arg('ready-ms', 2000);
const RUNS = arg('runs', 3);
const IDENTITY = 'bench-controller-manager';

/** The upstream rolling algorithm with instant API writes and pods Ready exactly readyMs after creation. */
export function theoreticalRollingMs(replicas: number, surge: number | string, unavailable: number | string, readyMs: number): number {
  const d: Deployment = { metadata: { generation: 1 }, spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } } };
  const oldPods: number[] = Array(replicas).fill(-Infinity); // ready times
  const newPods: number[] = [];
  let oldSpec = replicas, newSpec = 0, t = 0;
  const rs = (spec: number, pods: number[]): ReplicaSet => ({ metadata: { name: String(spec), creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { replicas: spec, selector: {} }, status: { replicas: pods.length, availableReplicas: pods.filter((r) => r <= t).length } });
  for (let guard = 0; guard < 100000; guard++) {
    let changed = true;
    while (changed) {
      changed = false;
      const o = rs(oldSpec, oldPods), n = rs(newSpec, newPods);
      const up = u.planNewReplicaSet([o, n], n, d);
      if (up !== undefined) { newSpec = up; changed = true; }
      else {
        const down = u.planOldReplicaSets([o, n], [o], n, d);
        if (down.total > 0) { oldSpec = down.actions.at(-1)!.to; changed = true; }
      }
      while (newPods.length < newSpec) newPods.push(t + readyMs);
      while (oldPods.length > oldSpec) oldPods.pop();
    }
    if (newSpec === replicas && oldSpec === 0 && newPods.every((r) => r <= t)) return t;
    t = Math.min(...newPods.filter((r) => r > t));
  }
  throw new Error('simulation did not converge');
}

const cluster = await startCluster({ node: false });
const client = cluster.client;
const node = await startSimNode({ client, readyDelayMs: READY_MS });
const child = fork(join(repoRoot, 'bench/controllers-manager.ts'), [cluster.kubeconfig, IDENTITY], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ask = <T>(cmd: string): Promise<T> => new Promise((res) => { child.once('message', (m) => res(m as T)); child.send({ cmd }); });
const cpuMs = async () => { const { cpu } = await ask<{ cpu: NodeJS.CpuUsage }>('cpu'); return (cpu.user + cpu.system) / 1000; };

try {
  // Take the kube-controller-manager Lease for the child: the cluster's manager fails to renew and steps down.
  await new Promise<void>((r) => child.once('message', () => r()));
  await waitFor(async () => {
    const lease = await client.get(R.leases, 'kube-system', 'kube-controller-manager');
    if (lease.spec.holderIdentity === IDENTITY) return true;
    lease.spec.holderIdentity = IDENTITY;
    await client.update(R.leases, 'kube-system', lease).catch(() => undefined);
    return false;
  }, { timeoutMs: 30000, message: 'lease handed to the bench manager' });
  await waitFor(async () => (await ask<{ leader: boolean }>('leader')).leader, { timeoutMs: 30000, message: 'bench manager leads' });
  await waitFor(() => /lost leadership/.test(cluster.output()), { timeoutMs: 30000, message: "the cluster's manager stepped down" });

  // Baseline: N bare pods, made Ready by the same sim node.
  // Readiness is observed on a watch (not by polling lists, which would load the API server itself).
  const readyBare = new Set<string>();
  let allReady!: () => void;
  const bareDone = new Promise<void>((r) => { allReady = r; });
  const bw = client.watch(R.pods, 'default', { labelSelector: 'bench=bare', resourceVersion: (await client.list(R.pods, 'default', { limit: 1 })).metadata.resourceVersion }, (ev) => {
    if (ev.object?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) readyBare.add(ev.object.metadata.name);
    if (readyBare.size === N) allReady();
  });
  const tb = Date.now();
  await Promise.all(Array.from({ length: N }, (_, i) => client.create(R.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `bare-${i}`, labels: { bench: 'bare' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })));
  await bareDone;
  const bareMs = Date.now() - tb;
  bw.stop();
  await Promise.all(Array.from({ length: N }, (_, i) => client.delete(R.pods, 'default', `bare-${i}`)));

  // Idle CPU baseline.
  const idleStart = await cpuMs();
  await new Promise((r) => setTimeout(r, 5000));
  const idleMsPer5s = (await cpuMs()) - idleStart;

  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bench' },
    spec: { replicas: N, selector: { matchLabels: { app: 'bench' } }, template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:v0' }] } } } };
  await client.create(R.deployments, 'default', dep);
  const complete = async () => {
    const d = await client.get<Deployment>(R.deployments, 'default', 'bench');
    const s = d.status ?? {};
    return (s.observedGeneration ?? 0) >= (d.metadata!.generation ?? 0) && s.updatedReplicas === N && s.availableReplicas === N && s.replicas === N && (s.unavailableReplicas ?? 0) === 0;
  };
  await waitFor(complete, { intervalMs: 50, timeoutMs: 300000, message: 'initial rollout' });

  let podEvents = 0;
  const w = client.watch(R.pods, 'default', { labelSelector: 'app=bench', resourceVersion: (await client.list(R.pods, 'default', { limit: 1 })).metadata.resourceVersion }, (ev) => {
    if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') podEvents++;
  });
  const walls: number[] = [];
  const cpuStart = await cpuMs();
  const t0all = Date.now();
  for (let run = 1; run <= RUNS; run++) {
    const t0 = Date.now();
    await client.patch(R.deployments, 'default', 'bench', { spec: { template: { spec: { containers: [{ name: 'nginx', image: `nginx:v${run}` }] } } } }, 'merge');
    await waitFor(complete, { intervalMs: 20, timeoutMs: 300000, message: `rollout ${run}` });
    walls.push(Date.now() - t0);
  }
  const busyMs = Date.now() - t0all;
  await new Promise((r) => setTimeout(r, 500));
  const cpu = (await cpuMs()) - cpuStart;
  w.stop();

  const theory = theoreticalRollingMs(N, '25%', '25%', READY_MS);
  const median = [...walls].sort((a, b) => a - b)[Math.floor(walls.length / 2)];
  const result = {
    date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model}`, node: process.version,
    replicas: N, readyMs: READY_MS, runs: RUNS,
    rollingUpdateWallMs: walls, medianMs: median, theoreticalMinMs: theory, ratio: +(median / theory).toFixed(3),
    baselineBarePodsReadyMs: bareMs, barePodsOverheadMs: bareMs - READY_MS, rolloutOverheadMs: median - theory,
    controllerCpuMs: +cpu.toFixed(1), podEvents, cpuMsPer1000PodChanges: +((cpu / podEvents) * 1000).toFixed(1),
    idleCpuMsOverSameTime: +((idleMsPer5s / 5000) * busyMs).toFixed(1),
    simNodeStatusWrites: node.writes,
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await ask('stop').catch(() => undefined);
  await node.stop();
  await cluster.stop();
}
