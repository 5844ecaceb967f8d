/**
 * e2e: the scheduler and the node lifecycle controller with real node agents and containers.
 *  - FailedScheduling with upstream wording for an impossible nodeSelector and for too large a CPU request; the
 *    pod is retried and placed once a node change makes it fit;
 *  - two nodes on one machine (`kubelite node --name ...` with its own containerd instance and pod subnet): a
 *    ReplicaSet's pods spread over both;
 *  - one node stopped: it becomes NotReady (Ready=Unknown, unreachable taint) after the grace period, its pods are
 *    evicted after their toleration and replaced on the other node; when it comes back its taint goes and its
 *    surplus pods are removed (from the API and from its containerd);
 *  - a pod bound to a node that does not exist is deleted after the grace period (pod GC).
 * Timeouts are shortened through the environment: grace period 25 s, default toleration 5 s.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startCluster, waitFor, repoRoot, type Cluster } from './harness.ts';
import { nodeJoinArgs } from './node-helpers.ts';
import { R } from '../../src/client/resources.ts';
import { CriClient } from '../../src/kubelet/cri/client.ts';
import { containerdInstance, stopContainerd } from '../../src/node-setup/containerd.ts';
import { podCIDRFor } from '../../src/cli/node.ts';


let c: Cluster;
let node1 = '';
const node2 = `e2e-n2-${randomBytes(3).toString('hex')}`;
let node2Dir = '';
let node2Proc: ChildProcess | undefined;
let node2Out = '';

function startNode2(): void {
  node2Out = '';
  node2Proc = spawn(process.execPath, [...nodeJoinArgs(c, node2, node2Dir), '--data-dir', join(node2Dir, 'node')], { cwd: repoRoot, env: { ...process.env, KUBELITE_NODE_NO_PROXY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  node2Proc.stdout!.on('data', (d) => { node2Out += d; });
  node2Proc.stderr!.on('data', (d) => { node2Out += d; });
}

async function stopNode2(): Promise<void> {
  const p = node2Proc;
  node2Proc = undefined;
  if (!p || p.exitCode !== null) return;
  const exited = new Promise((r) => p.on('exit', r));
  p.kill('SIGTERM');
  await exited;
}

function readyStatus(n: any): string | undefined {
  return n.status?.conditions?.find((x: any) => x.type === 'Ready')?.status;
}

async function events(reason: string, name: string): Promise<any[]> {
  const l = await c.client.list(R.events, 'default', { fieldSelector: `involvedObject.name=${name}` });
  return l.items.filter((e: any) => e.reason === reason);
}

const podsOf = async (app: string) => (await c.client.list(R.pods, 'default', { labelSelector: `app=${app}` })).items;

before(async () => {
  // Upstream's flags, shortened: the grace period is more than twice the kubelet's 10 s lease renewal.
  c = await startCluster({ node: true, args: ['--node-monitor-grace-period', '25s', '--default-toleration-seconds', '5'] });
  node2Dir = mkdtempSync(join(tmpdir(), 'kubelite-node2-'));
  const nodes = await waitFor(async () => {
    const l = await c.client.list(R.nodes);
    return l.items.length === 1 && readyStatus(l.items[0]) === 'True' ? l.items : undefined;
  }, { timeoutMs: 60_000, message: 'the first node Ready' });
  node1 = nodes[0].metadata.name;
}, { timeout: 240_000 });

after(async () => {
  if (c) {
    await c.kubectl(['delete', 'deployment', 'spread', '--ignore-not-found', '--wait=true', '--timeout=60s']);
    await c.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=60s']);
  }
  await stopNode2();
  const inst = containerdInstance(node2, podCIDRFor(node2));
  const cri = new CriClient(inst.socket);
  for (const s of await cri.listPodSandbox().catch(() => [])) {
    await cri.stopPodSandbox(s.id).catch(() => {});
    await cri.removePodSandbox(s.id).catch(() => {});
  }
  cri.close();
  await stopContainerd(inst, { purge: true }).catch(() => {});
  if (node2Dir) rmSync(node2Dir, { recursive: true, force: true });
  if (c) await c.stop();
});

test('FailedScheduling says why in upstream words; the pod is placed once a node change makes it fit', async () => {
  // (A pod bound to a node that does not exist; the last test checks that pod GC removed it.)
  await c.client.create(R.pods, 'default', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan' },
    spec: { nodeName: 'no-such-node', containers: [{ name: 'c', image: 'kubelite/busybox', command: ['sleep', '3600'] }] },
  });
  await c.client.create(R.pods, 'default', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'picky' },
    spec: { nodeSelector: { disktype: 'ssd' }, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'kubelite/busybox', command: ['sleep', '3600'] }] },
  });
  const ev = await waitFor(async () => (await events('FailedScheduling', 'picky'))[0], { timeoutMs: 30_000, message: 'FailedScheduling event' });
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.source.component, 'default-scheduler');
  assert.equal(ev.message, "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  const pod = await c.client.get(R.pods, 'default', 'picky');
  const cond = pod.status.conditions.find((x: any) => x.type === 'PodScheduled');
  assert.equal(cond.status, 'False');
  assert.equal(cond.reason, 'Unschedulable');
  const desc = await c.kubectl(['describe', 'pod', 'picky']);
  assert.match(desc.stdout, /FailedScheduling .*0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/);

  await c.client.create(R.pods, 'default', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'greedy' },
    spec: { containers: [{ name: 'c', image: 'kubelite/busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '1000' } } }] },
  });
  const ev2 = await waitFor(async () => (await events('FailedScheduling', 'greedy'))[0], { timeoutMs: 30_000, message: 'FailedScheduling event for greedy' });
  assert.equal(ev2.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  await c.kubectl(['delete', 'pod', 'greedy', '--wait=false']);

  // Labelling the node is a cluster event: the parked pod is retried and bound.
  const l = await c.kubectl(['label', 'node', node1, 'disktype=ssd']);
  assert.equal(l.code, 0, l.stderr);
  const sched = await waitFor(async () => (await events('Scheduled', 'picky'))[0], { timeoutMs: 30_000, message: 'Scheduled event' });
  assert.equal(sched.message, `Successfully assigned default/picky to ${node1}`);
  assert.equal((await c.client.get(R.pods, 'default', 'picky')).spec.nodeName, node1);
});

test('two nodes: a ReplicaSet\'s pods spread over both', async () => {
  startNode2();
  await waitFor(async () => {
    const n = await c.client.get(R.nodes, undefined, node2).catch(() => undefined);
    return n && readyStatus(n) === 'True';
  }, { timeoutMs: 120_000, intervalMs: 500, message: `node ${node2} Ready; its output: ${node2Out}` });
  await c.client.create(R.deployments, 'default', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'spread' },
    spec: { replicas: 4, selector: { matchLabels: { app: 'spread' } }, template: { metadata: { labels: { app: 'spread' } }, spec: {
      terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'kubelite/busybox', command: ['sleep', '3600'] }] } } },
  });
  const pods = await waitFor(async () => {
    const ps = await podsOf('spread');
    return ps.length === 4 && ps.every((p: any) => p.status?.phase === 'Running') ? ps : undefined;
  }, { timeoutMs: 120_000, intervalMs: 500, message: 'four spread pods Running' });
  const per = new Map<string, number>();
  for (const p of pods) per.set(p.spec.nodeName, (per.get(p.spec.nodeName) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(per), { [node1]: 2, [node2]: 2 });
});

test('a stopped node: its pods are replaced on the other node; when it returns, the surplus goes', async () => {
  const onNode2 = (await podsOf('spread')).filter((p: any) => p.spec.nodeName === node2);
  assert.equal(onNode2.length, 2);
  const oldUids = new Set(onNode2.map((p: any) => p.metadata.uid as string));
  await stopNode2(); // the agent stops; its containers keep running, as on a node cut off from the network

  const gone = await waitFor(async () => {
    const n = await c.client.get(R.nodes, undefined, node2);
    const unreachable = (n.spec?.taints ?? []).some((t: any) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute');
    return readyStatus(n) === 'Unknown' && unreachable ? n : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500, message: 'node NotReady with the unreachable taint' });
  const ready = gone.status.conditions.find((x: any) => x.type === 'Ready');
  assert.equal(ready.reason, 'NodeStatusUnknown');
  assert.equal(ready.message, 'Kubelet stopped posting node status.');
  const nodes = await c.kubectl(['get', 'nodes']);
  assert.match(nodes.stdout, new RegExp(`${node2}\\s+NotReady`));

  // Evicted after the 5 s toleration; the ReplicaSet's replacements land on the healthy node.
  await waitFor(async () => {
    const live = (await podsOf('spread')).filter((p: any) => !p.metadata.deletionTimestamp);
    return live.length === 4 && live.every((p: any) => p.spec.nodeName === node1 && p.status?.phase === 'Running');
  }, { timeoutMs: 90_000, intervalMs: 500, message: 'four live pods Running on the first node' });
  // The old pods are Terminating (their node must confirm) and no longer Ready, so services drop them.
  for (const uid of oldUids) {
    const old = (await podsOf('spread')).find((p: any) => p.metadata.uid === uid);
    if (!old) continue;
    assert.ok(old.metadata.deletionTimestamp, 'old pod marked for deletion');
    assert.equal(old.status.conditions.find((x: any) => x.type === 'Ready')?.status, 'False');
  }
  const evictions = await c.client.list(R.events, 'default');
  assert.ok(evictions.items.some((e: any) => e.reason === 'TaintManagerEviction' && oldUids.has(e.involvedObject.uid)), 'TaintManagerEviction events');

  // The node comes back: Ready again, taint removed, and the old pods are removed by its agent.
  startNode2();
  await waitFor(async () => {
    const n = await c.client.get(R.nodes, undefined, node2);
    return readyStatus(n) === 'True' && !(n.spec?.taints ?? []).some((t: any) => t.key === 'node.kubernetes.io/unreachable');
  }, { timeoutMs: 90_000, intervalMs: 500, message: `node back Ready without the taint; its output: ${node2Out}` });
  await waitFor(async () => {
    const ps = await podsOf('spread');
    return ps.length === 4 && ps.every((p: any) => !oldUids.has(p.metadata.uid));
  }, { timeoutMs: 90_000, intervalMs: 500, message: 'the surplus pods removed from the API' });
  const cri = new CriClient(containerdInstance(node2, podCIDRFor(node2)).socket);
  try {
    await waitFor(async () => {
      const running = (await cri.listContainers()).filter((x: any) => x.state === 'CONTAINER_RUNNING' && oldUids.has(x.labels?.['io.kubernetes.pod.uid']));
      return running.length === 0;
    }, { timeoutMs: 60_000, intervalMs: 500, message: 'old containers stopped on the returning node' });
  } finally { cri.close(); }
  const dep = await c.client.get(R.deployments, 'default', 'spread');
  assert.equal(dep.spec.replicas, 4);
});

test('a pod bound to a node that does not exist is garbage-collected after the grace period', async () => {
  await waitFor(async () => {
    try { await c.client.get(R.pods, 'default', 'orphan'); return false; } catch (e: any) { return e.code === 404; }
  }, { timeoutMs: 60_000, intervalMs: 500, message: 'orphan pod deleted' });
});
