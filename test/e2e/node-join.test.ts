/**
 * `kubelite node` joins a running cluster from the same machine: its Node registers (nodeInfo, addresses,
 * conditions, daemonEndpoints) and heartbeats through a Lease; pods bound to it run in its own containerd
 * instance, on its own bridge and pod subnet.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { repoRoot, startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, httpText, isReady, kjson, kubectlOk, nodeJoinArgs, reapLeftovers } from './node-helpers.ts';
import { teardownNodeInstance } from '../../src/node-setup/setup.ts';

const NAME = `join-${process.pid}`;
const CIDR = '10.152.0.0/16';
let c: Cluster;
let nodeProc: ChildProcess | undefined;
let out = '';
const dir = mkdtempSync(join(tmpdir(), 'kubelite-e2e-join-'));

before(async () => {
  c = await startCluster({ node: true });
  nodeProc = spawn(process.execPath, [...nodeJoinArgs(c, NAME, dir), '--pod-cidr', CIDR, '--data-dir', join(dir, 'node')],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBELITE_NODE_NO_PROXY: '1' } });
  nodeProc.stdout!.on('data', (d) => { out += d; });
  nodeProc.stderr!.on('data', (d) => { out += d; });
});
after(async () => {
  if (c) await cleanup(c, ['pod joined'], 'e2e=join').catch(() => {});
  if (nodeProc && nodeProc.exitCode === null) {
    nodeProc.kill('SIGTERM');
    await new Promise((r) => nodeProc!.once('exit', r));
  }
  await teardownNodeInstance(NAME);
  if (c) await c.stop();
  rmSync(dir, { recursive: true, force: true });
  await reapLeftovers();
});

test('the joined Node registers with nodeInfo, addresses, conditions and a Lease heartbeat', async () => {
  const node = await waitFor(async () => {
    const r = await c.kubectl(['get', 'node', NAME, '-o', 'json']);
    if (r.code !== 0) return undefined;
    const n = JSON.parse(r.stdout) as Node;
    return n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? n : undefined;
  }, { timeoutMs: 120_000, intervalMs: 500, message: `node ${NAME} Ready; output: ${out}` });
  const info = node.status!.nodeInfo!;
  assert.equal(info.containerRuntimeVersion, 'containerd://1.6.20');
  assert.match(info.kubeletVersion, /^v1\.32\./);
  assert.equal(info.operatingSystem, 'linux');
  assert.ok(info.kernelVersion && info.osImage);
  assert.deepEqual(node.status!.addresses!.map((a) => a.type).sort(), ['Hostname', 'InternalIP']);
  assert.ok(Number(node.status!.capacity!.cpu) >= 1);
  assert.match(String(node.status!.allocatable!.memory), /Ki$/);
  assert.equal(node.status!.capacity!.pods, '110');
  assert.ok(node.status!.daemonEndpoints!.kubeletEndpoint!.Port! > 0);
  assert.equal(node.spec!.podCIDR, CIDR);
  for (const t of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
    assert.equal(node.status!.conditions!.find((x) => x.type === t)?.status, 'False', t);
  }
  const lease = await kjson(c, ['get', 'lease', NAME, '-n', 'kube-node-lease']);
  assert.equal(lease.spec.holderIdentity, NAME);
  assert.equal(lease.spec.leaseDurationSeconds, 40);
  const first = lease.spec.renewTime;
  const renewed = await waitFor(async () => {
    const l = await kjson(c, ['get', 'lease', NAME, '-n', 'kube-node-lease']);
    return l.spec.renewTime !== first ? l : undefined;
  }, { timeoutMs: 30_000, intervalMs: 1000, message: 'lease renewed' });
  assert.ok(Date.parse(renewed.spec.renewTime) > Date.parse(first));
  const table = await kubectlOk(c, ['get', 'nodes']);
  assert.match(table, new RegExp(`${NAME}\\s+Ready\\s`));
});

test('a pod bound to the joined node runs in its own subnet and serves', async () => {
  await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'joined', labels: { e2e: 'join' } },
    spec: { nodeSelector: { 'kubernetes.io/hostname': NAME }, containers: [{ name: 'web', image: 'nginx' }] },
  }) });
  const p = await waitFor(async () => { const x = await kjson<Pod>(c, ['get', 'pod', 'joined']); return isReady(x) ? x : undefined; },
    { timeoutMs: 120_000, intervalMs: 500, message: 'joined pod ready' });
  assert.equal(p.spec!.nodeName, NAME);
  assert.match(p.status!.podIP!, /^10\.152\./);
  assert.match(await httpText(p.status!.podIP!), /Welcome to nginx!/);
});
