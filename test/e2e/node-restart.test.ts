/**
 * A restart of `kubelite up` (API server and node agent) re-adopts the running containers: same container IDs,
 * same pod IPs, no restarts, pods stay Ready.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, httpText, isReady, kubectlOk, pods, reapLeftovers } from './node-helpers.ts';
import { CriClient } from '../../src/kubelet/cri/client.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kubelite-e2e-restart-'));
let c: Cluster | undefined;
after(async () => {
  if (c) {
    await cleanup(c, ['deployment keep']).catch(() => {});
    await c.stop();
  }
  rmSync(dataDir, { recursive: true, force: true });
  await reapLeftovers();
});

test('restarting kubelite up re-adopts running containers (container IDs unchanged, no restarts)', async () => {
  c = await startCluster({ node: true, dataDir });
  const port = c.port;
  await kubectlOk(c, ['create', 'deployment', 'keep', '--image=nginx', '--replicas=3']);
  const first = await waitFor(async () => {
    const ps = await pods(c!, 'app=keep');
    return ps.length === 3 && ps.every(isReady) ? ps : undefined;
  }, { timeoutMs: 90_000, intervalMs: 500, message: '3 ready pods' });
  const ids = new Map(first.map((p) => [p.metadata!.name!, p.status!.containerStatuses![0].containerID!]));
  const ips = new Map(first.map((p) => [p.metadata!.name!, p.status!.podIP!]));

  await c.stop({ keepData: true });
  c = undefined;
  // The containers keep running while no node agent is there.
  const cri = new CriClient('/run/containerd/containerd.sock');
  try {
    for (const id of ids.values()) assert.equal((await cri.containerStatus(id.replace('containerd://', ''))).state, 'CONTAINER_RUNNING');
  } finally { cri.close(); }
  for (const ip of ips.values()) assert.match(await httpText(ip), /Welcome to nginx!/);

  c = await startCluster({ node: true, dataDir, port });
  // Give the new agent a few relist periods, then compare.
  await new Promise((r) => setTimeout(r, 4000));
  const again = await waitFor(async () => {
    const ps = await pods(c!, 'app=keep');
    return ps.length === 3 && ps.every(isReady) ? ps : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500, message: 'pods ready after restart' });
  for (const p of again) {
    const name = p.metadata!.name!;
    assert.equal(p.status!.containerStatuses![0].containerID, ids.get(name), `${name}: same container`);
    assert.equal(p.status!.containerStatuses![0].restartCount, 0);
    assert.equal(p.status!.podIP, ips.get(name));
  }
  const events = await kubectlOk(c, ['get', 'events', '--field-selector', 'reason=Killing']);
  assert.doesNotMatch(events, /keep-/);
});
