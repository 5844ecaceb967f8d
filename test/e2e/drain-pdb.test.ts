/**
 * e2e: PodDisruptionBudgets, the eviction API and `kubectl cordon|uncordon|drain`, with the real kubectl and real
 * containers on two nodes (the `kubelite up` node and a second `kubelite node` with its own containerd and pod
 * subnet, so evicted pods have somewhere to go):
 *  - cordon/uncordon show and clear SchedulingDisabled;
 *  - a PDB with both minAvailable and maxUnavailable is refused (422) in upstream's words;
 *  - drain refuses emptyDir pods without --delete-emptydir-data;
 *  - drain of the node running a 3-replica Deployment under `minAvailable: 2` evicts one pod at a time (the
 *    others get 429 and kubectl retries) and, sampled from a watch throughout, never leaves fewer than 2 pods
 *    available; the pods end up running on the other node.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { startCluster, waitFor, repoRoot, type Cluster } from './harness.ts';
import { kubectlOk, nodeJoinArgs, reapLeftovers } from './node-helpers.ts';
import { R } from '../../src/client/resources.ts';
import { Informer } from '../../src/client/informer.ts';
import { teardownNodeInstance } from '../../src/node-setup/setup.ts';

let c: Cluster;
let node1 = '';
const node2 = `e2e-drain-${randomBytes(3).toString('hex')}`;
let node2Dir = '';
let node2Proc: ChildProcess | undefined;
let node2Out = '';

const ready = (n: any) => n?.status?.conditions?.find((x: any) => x.type === 'Ready')?.status === 'True';
const available = (p: Pod) => !p.metadata?.deletionTimestamp && !!p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
const webPods = async () => (await c.client.list<Pod>(R.pods, 'default', { labelSelector: 'app=web' })).items;

before(async () => {
  c = await startCluster({ node: true });
  const nodes = await waitFor(async () => {
    const l = await c.client.list(R.nodes);
    return l.items.length === 1 && ready(l.items[0]) ? l.items : undefined;
  }, { timeoutMs: 90_000, message: 'the first node Ready' });
  node1 = nodes[0].metadata.name;
  node2Dir = mkdtempSync(join(tmpdir(), 'kubelite-drain-n2-'));
  node2Proc = spawn(process.execPath, [...nodeJoinArgs(c, node2, node2Dir), '--data-dir', join(node2Dir, 'node')], { cwd: repoRoot, env: { ...process.env, KUBELITE_NODE_NO_PROXY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  node2Proc.stdout!.on('data', (d) => { node2Out += d; });
  node2Proc.stderr!.on('data', (d) => { node2Out += d; });
  await waitFor(async () => ready(await c.client.get(R.nodes, undefined, node2).catch(() => undefined)),
    { timeoutMs: 120_000, intervalMs: 500, message: `node ${node2} Ready; its output: ${node2Out}` });
}, { timeout: 300_000 });

after(async () => {
  if (c) {
    await c.kubectl(['delete', 'pdb', 'web', '--ignore-not-found']);
    await c.kubectl(['delete', 'deployment', 'web', '--ignore-not-found', '--wait=true', '--timeout=90s']);
    await waitFor(async () => (await webPods()).length === 0, { timeoutMs: 90_000, intervalMs: 500 }).catch(() => undefined);
  }
  if (node2Proc && node2Proc.exitCode === null) {
    const exited = new Promise((r) => node2Proc!.on('exit', r));
    node2Proc.kill('SIGTERM');
    await exited;
  }
  await teardownNodeInstance(node2).catch(() => {});
  if (node2Dir) rmSync(node2Dir, { recursive: true, force: true });
  if (c) await c.stop();
  await reapLeftovers();
}, { timeout: 240_000 });

test('kubectl cordon and uncordon: SchedulingDisabled on, then off', async () => {
  assert.match(await kubectlOk(c, ['cordon', node2]), new RegExp(`node/${node2} cordoned`));
  assert.equal((await c.client.get(R.nodes, undefined, node2)).spec.unschedulable, true);
  assert.match(await kubectlOk(c, ['get', 'nodes']), new RegExp(`${node2}\\s+Ready,SchedulingDisabled`));
  assert.match(await kubectlOk(c, ['uncordon', node2]), new RegExp(`node/${node2} uncordoned`));
  assert.equal((await c.client.get(R.nodes, undefined, node2)).spec.unschedulable, undefined);
});

test('a PodDisruptionBudget with both minAvailable and maxUnavailable is refused: 422 in upstream\'s words', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'both' },
    spec: { minAvailable: 2, maxUnavailable: '50%', selector: { matchLabels: { app: 'web' } } },
  }) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The PodDisruptionBudget "both" is invalid: spec: Invalid value: policy\.PodDisruptionBudgetSpec\{MinAvailable:\(\*intstr\.IntOrString\)\(0x[0-9a-f]+\), .*\}: minAvailable and maxUnavailable cannot be both set/);
});

test('drain evicts one pod at a time under minAvailable 2 and never leaves fewer than 2 available', async () => {
  // All three replicas start on the first node: the second is cordoned meanwhile.
  await kubectlOk(c, ['cordon', node2]);
  await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: {
      terminationGracePeriodSeconds: 5,
      containers: [{ name: 'web', image: 'nginx', volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
      volumes: [{ name: 'scratch', emptyDir: {} }],
    } } },
  }) });
  const first = await waitFor(async () => {
    const ps = await webPods();
    return ps.length === 3 && ps.every(available) ? ps : undefined;
  }, { timeoutMs: 180_000, intervalMs: 500, message: 'three web pods available' });
  assert.deepEqual([...new Set(first.map((p) => p.spec!.nodeName))], [node1]);
  await kubectlOk(c, ['uncordon', node2]);

  assert.match(await kubectlOk(c, ['create', 'pdb', 'web', '--selector=app=web', '--min-available=2']), /poddisruptionbudget.policy\/web created/);
  await waitFor(async () => {
    const b = await c.client.get(R.poddisruptionbudgets, 'default', 'web');
    return b.status?.disruptionsAllowed === 1 && b.status?.expectedPods === 3 ? b : undefined;
  }, { timeoutMs: 30_000, message: 'the PDB allows one disruption' });
  assert.match(await kubectlOk(c, ['get', 'pdb', 'web']), /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb\s+2\s+N\/A\s+1\s+\d+s/);

  // Without --delete-emptydir-data kubectl refuses (the node stays cordoned, as upstream).
  const refused = await c.kubectl(['drain', node1, '--ignore-daemonsets', '--timeout=30s']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /cannot delete Pods with local storage \(use --delete-emptydir-data to override\): default\/web-/);
  assert.equal((await c.client.get(R.nodes, undefined, node1)).spec.unschedulable, true);

  // Sample availability from a watch for the whole drain.
  // (The initial list arrives one add at a time: sampling starts once the cache holds all of it.)
  const inf = new Informer<any>(c.client, R.pods, { namespace: 'default', labelSelector: 'app=web' });
  let minAvailable = Infinity;
  const samples: number[] = [];
  let synced = false;
  const sample = () => {
    if (!synced) return;
    const n = inf.list().filter(available).length;
    samples.push(n);
    minAvailable = Math.min(minAvailable, n);
  };
  inf.addHandler({ add: sample, update: sample, delete: sample });
  await inf.start();
  synced = true;
  sample();
  let drain;
  try {
    drain = await c.kubectl(['drain', node1, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=300s'], { timeoutMs: 330_000 });
  } finally {
    await inf.stop();
  }
  assert.equal(drain.code, 0, drain.stderr);
  assert.match(drain.stdout, new RegExp(`node/${node1} drained`));
  for (const p of first) assert.match(drain.stdout, new RegExp(`pod/${p.metadata!.name} evicted`));
  // The budget held the others back while one was being replaced: kubectl saw 429s and retried.
  assert.match(drain.stderr, /error when evicting pods\/"web-[^"]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  assert.ok(samples.length > 10, `availability sampled throughout (${samples.length} samples)`);
  assert.ok(minAvailable >= 2, `never fewer than 2 available (samples: ${samples.join(',')})`);

  const moved = await waitFor(async () => {
    const ps = (await webPods()).filter((p) => !p.metadata?.deletionTimestamp);
    return ps.length === 3 && ps.every(available) ? ps : undefined;
  }, { timeoutMs: 120_000, intervalMs: 500, message: 'three web pods available again' });
  assert.deepEqual([...new Set(moved.map((p) => p.spec!.nodeName))], [node2]);
  const b = await waitFor(async () => {
    const x = await c.client.get(R.poddisruptionbudgets, 'default', 'web');
    return x.status?.currentHealthy === 3 && x.status?.disruptionsAllowed === 1 ? x : undefined;
  }, { timeoutMs: 30_000, message: 'the budget recovered' });
  assert.equal(b.status.desiredHealthy, 2);
  assert.equal(b.status.disruptedPods, undefined);
  assert.match(await kubectlOk(c, ['uncordon', node1]), new RegExp(`node/${node1} uncordoned`));
});
