/**
 * The guide "Kubernetes Deployments: The Ultimate Guide", end to end, as a newcomer runs it: every kubectl
 * command of the guide in its order, with the real kubectl against a real `kubelite up` running real containers.
 * Where kubectl v1.32 differs from the kubectl the guide was written for (`kubectl run` now creates a Pod),
 * the test runs what the README tells the user to run, and asserts what the guide states.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { startCluster, waitFor, repoRoot, type Cluster } from './harness.ts';
import { nodeJoinArgs } from './node-helpers.ts';
import { containerdInstance, stopContainerd } from '../../src/node-setup/containerd.ts';
import { podCIDRFor } from '../../src/cli/node.ts';
import { CriClient } from '../../src/kubelet/cri/client.ts';

// A node that stops answering is noticed after 25 s (upstream 40 s) and its pods tolerate that for 5 s
// (upstream 300 s), so the "node goes down" part of the guide fits in a test.
process.env.KUBELITE_NODE_MONITOR_GRACE_PERIOD = '25s';
process.env.KUBELITE_DEFAULT_TOLERATION_SECONDS = '5';

let c: Cluster;
const watchers: { name: string; proc: ChildProcess; out: () => string }[] = [];

function httpGet(host: string, port = 80, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** nginx's default page vs apache's: which server answered. */
function which(body: string): 'nginx' | 'httpd' | 'other' {
  if (/Welcome to nginx/i.test(body)) return 'nginx';
  if (/It works/i.test(body)) return 'httpd';
  return 'other';
}

async function k(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
  const r = await c.kubectl(args, opts);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function jsonGet(args: string[]): Promise<any> {
  return JSON.parse(await k([...args, '-o', 'json']));
}

async function replicaSetsOf(deploy: string): Promise<any[]> {
  const d = await jsonGet(['get', 'deployment', deploy]);
  const rs = await jsonGet(['get', 'replicasets']);
  return rs.items.filter((r: any) => r.metadata.ownerReferences?.some((o: any) => o.uid === d.metadata.uid));
}

async function serviceIP(name: string): Promise<string> {
  return (await k(['get', 'svc', name, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
}

/** Answers seen in `n` requests to the service. */
async function sample(ip: string, n: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const w = which(await httpGet(ip));
    seen[w] = (seen[w] ?? 0) + 1;
  }
  return seen;
}

before(async () => {
  c = await startCluster({ node: true });
  // The four terminals the guide suggests.
  for (const what of ['pods', 'replicasets', 'deployments', 'events']) {
    let out = '';
    const proc = spawn('kubectl', ['get', what, '-w'], { env: { ...process.env, KUBECONFIG: c.kubeconfig }, cwd: repoRoot });
    proc.stdout!.on('data', (d) => { out += d; });
    proc.stderr!.on('data', (d) => { out += d; });
    watchers.push({ name: what, proc, out: () => out });
  }
});

const node2 = `guide-n2-${randomBytes(3).toString('hex')}`;
let node2Proc: ChildProcess | undefined;
let node2Dir = '';

after(async () => {
  for (const w of watchers) w.proc.kill('SIGKILL');
  if (node2Proc && node2Proc.exitCode === null) {
    node2Proc.kill('SIGCONT');
    const exited = new Promise((r) => node2Proc!.on('exit', r));
    node2Proc.kill('SIGTERM');
    await exited;
  }
  if (node2Dir) {
    await c?.kubectl(['delete', 'node', node2, '--ignore-not-found']);
    await stopContainerd(containerdInstance(node2, podCIDRFor(node2)), { purge: true }).catch(() => {});
    rmSync(node2Dir, { recursive: true, force: true });
  }
  await c?.kubectl(['delete', 'all', '--all', '--wait=false']);
  await c?.stop();
});

test('kubectl run creates a pod; kubectl create deployment gives a deployment, a replica set and a pod', async () => {
  assert.match(await k(['run', 'web', '--image=nginx']), /pod\/web created/);
  await waitFor(async () => /pod\/web\s+1\/1\s+Running/.test(await k(['get', 'all'])), { timeoutMs: 120000, message: 'pod/web Running' });
  await k(['delete', 'pod', 'web']);

  assert.match(await k(['create', 'deployment', 'web', '--image=nginx']), /deployment.apps\/web created/);
  const all = await waitFor(async () => {
    const out = await k(['get', 'all']);
    return /pod\/web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0/.test(out) && /deployment.apps\/web\s+1\/1\s+1\s+1/.test(out) ? out : '';
  }, { timeoutMs: 120000, message: 'deployment, replicaset and pod' });
  assert.match(all, /service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
  assert.match(all, /replicaset.apps\/web-[a-z0-9]+\s+1\s+1\s+1/);
  // The pod's labels carry the selector and the pod-template-hash, as the guide says.
  const pod = (await jsonGet(['get', 'pods', '-l', 'app=web'])).items[0];
  assert.equal(pod.metadata.labels.app, 'web');
  assert.ok(pod.metadata.labels['pod-template-hash']);
  await k(['delete', 'deployment', 'web']);
  await waitFor(async () => (await jsonGet(['get', 'pods', '-l', 'app=web'])).items.length === 0, { timeoutMs: 60000, message: 'pods of web gone' });
});

test("the guide's manifests: a pod, a replica set that keeps N pods, a deployment", async () => {
  assert.match(await k(['apply', '-f', 'examples/pod-nginx.yml']), /pod\/web created/);
  assert.match(await k(['apply', '-f', 'examples/pod-nginx.yml']), /pod\/web unchanged/);
  await k(['wait', '--for=condition=Ready', 'pod/web', '--timeout=120s'], { timeoutMs: 130000 });

  assert.match(await k(['apply', '-f', 'examples/pod-replicas.yml']), /replicaset.apps\/web-replicas created/);
  const ready3 = async () => {
    const pods = (await jsonGet(['get', 'pods', '-l', 'tier=frontend'])).items.filter((p: any) => !p.metadata.deletionTimestamp);
    return pods.length === 3 && pods.every((p: any) => p.status.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')) ? pods : undefined;
  };
  const pods = await waitFor(ready3, { timeoutMs: 120000, message: '3 ready replicas' });
  // Delete one: the replica set makes sure there are exactly 3 again.
  await k(['delete', 'pod', pods[0].metadata.name]);
  const again = await waitFor(ready3, { timeoutMs: 120000, message: 'replaced pod' });
  assert.ok(!again.some((p: any) => p.metadata.name === pods[0].metadata.name));
  // Scaling the replica set.
  await k(['scale', 'replicaset', 'web-replicas', '--replicas=5']);
  await waitFor(async () => (await jsonGet(['get', 'rs', 'web-replicas'])).status.readyReplicas === 5, { timeoutMs: 120000, message: '5 ready' });
  await k(['delete', '-f', 'examples/pod-replicas.yml', '-f', 'examples/pod-nginx.yml']);

  assert.match(await k(['apply', '-f', 'examples/deployment-nginx.yml']), /deployment.apps\/web created/);
  await k(['rollout', 'status', 'deployment', 'web', '--timeout=120s'], { timeoutMs: 130000 });
  const d = await jsonGet(['get', 'deployment', 'web']);
  assert.equal(d.status.availableReplicas, 3);
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.7.9');
  await k(['delete', '-f', 'examples/deployment-nginx.yml']);
  await waitFor(async () => (await jsonGet(['get', 'pods', '-l', 'app=nginx'])).items.length === 0, { timeoutMs: 60000, message: 'deployment pods gone' });
});

let originalRS = '';

test('demo time: a broken image stalls the rollout at 80% capacity; rollout undo restores it', async () => {
  await k(['create', 'deployment', 'web', '--image=nginx']);
  await k(['scale', 'deployment', 'web', '--replicas=10']);
  await k(['rollout', 'status', 'deployment', 'web', '--timeout=180s'], { timeoutMs: 190000 });
  const [orig] = await replicaSetsOf('web');
  originalRS = orig.metadata.name;

  await k(['set', 'image', 'deployment', 'web', 'nginx=that-image-does-not-exist']);
  // Old RS at 8 available, new RS at 5 with pods that can't pull their image.
  await waitFor(async () => {
    const rss = await replicaSetsOf('web');
    const old = rss.find((r) => r.metadata.name === originalRS);
    const fresh = rss.find((r) => r.metadata.name !== originalRS);
    return old?.spec.replicas === 8 && old.status.availableReplicas === 8 && fresh?.spec.replicas === 5 && (fresh.status.replicas ?? 0) === 5;
  }, { timeoutMs: 120000, message: 'old RS 8 / new RS 5' });
  await waitFor(async () => ((await k(['get', 'pods'])).match(/ImagePullBackOff|ErrImagePull/g) ?? []).length === 5, { timeoutMs: 120000, message: '5 pods failing to pull' });
  const d = await jsonGet(['get', 'deployment', 'web']);
  assert.equal(d.status.availableReplicas, 8, '80% of the capacity stays available');
  // Every old pod still serves the nginx page.
  const oldPods = (await jsonGet(['get', 'pods', '-l', `pod-template-hash=${originalRS.split('-').pop()}`])).items;
  assert.equal(oldPods.length, 8);
  for (const p of oldPods) assert.equal(which(await httpGet(p.status.podIP)), 'nginx');

  await k(['rollout', 'undo', 'deployment', 'web']);
  await k(['rollout', 'status', 'deployment', 'web', '--timeout=180s'], { timeoutMs: 190000 });
  const rss = await replicaSetsOf('web');
  assert.equal(rss.length, 2, 'no new replica set after undo');
  const back = rss.find((r) => r.metadata.name === originalRS);
  assert.equal(back.spec.replicas, 10);
  assert.equal(back.status.availableReplicas, 10);
  assert.equal(rss.find((r) => r.metadata.name !== originalRS).spec.replicas, 0);
  assert.match(await k(['rollout', 'history', 'deployment', 'web']), /REVISION\s+CHANGE-CAUSE\s*\n2\s+<none>\s*\n3\s+<none>/);

  // The four watching terminals saw it happen.
  const byName = Object.fromEntries(watchers.map((w) => [w.name, w.out()]));
  assert.match(byName.pods, /ImagePullBackOff|ErrImagePull/);
  assert.match(byName.replicasets, new RegExp(`${originalRS}\\s+8\\s+`));
  assert.match(byName.deployments, /web\s+\d+\/10/);
  assert.match(byName.events, /ScalingReplicaSet/);
});

test('kubectl expose: the service load-balances over the pods of the deployment', async () => {
  assert.match(await k(['expose', 'deployment', 'web', '--port=80']), /service\/web exposed/);
  const ip = await serviceIP('web');
  assert.match(ip, /^10\.(9[6-9]|10[0-9]|11[01])\./);
  await waitFor(async () => (await k(['get', 'endpoints', 'web'])).includes(':80'), { timeoutMs: 30000, message: 'endpoints' });
  const seen = await sample(ip, 40);
  assert.equal(seen.nginx, 40, JSON.stringify(seen));
  // Spread: several pods logged requests.
  const pods = (await jsonGet(['get', 'pods', '-l', 'app=web'])).items;
  let serving = 0;
  for (const p of pods) {
    const logs = await k(['logs', p.metadata.name]);
    if (/GET \/ HTTP/.test(logs)) serving++;
  }
  assert.ok(serving >= 3, `requests reached ${serving} of ${pods.length} pods`);
  await k(['delete', 'deployment', 'web']);
  await k(['delete', 'service', 'web']);
});

test('blue/green by switching the service selector (edit, then patch)', async () => {
  await k(['create', 'deployment', 'blue', '--image=nginx']);
  await k(['create', 'deployment', 'green', '--image=httpd']);
  assert.match(await k(['create', 'service', 'clusterip', 'web', '--tcp=80']), /service\/web created/);
  await k(['rollout', 'status', 'deployment', 'blue', '--timeout=120s'], { timeoutMs: 130000 });
  await k(['rollout', 'status', 'deployment', 'green', '--timeout=120s'], { timeoutMs: 130000 });
  const ip = await serviceIP('web');
  // Initially the selector app=web matches nothing: connections are refused (once the proxy has caught up: the
  // address may have been the exposed `web` Service's a moment ago).
  await waitFor(async () => { try { await httpGet(ip, 80, 1500); return false; } catch { return true; } }, { timeoutMs: 15000, message: 'no endpoints: refused' });

  // kubectl edit service web: replace `app: web` with `app: blue` in the editor.
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-editor-'));
  const editor = join(dir, 'editor.sh');
  writeFileSync(editor, '#!/bin/sh\nsed -i "s/app: web/app: blue/" "$1"\n');
  chmodSync(editor, 0o755);
  try {
    assert.match(await k(['edit', 'service', 'web'], { env: { EDITOR: editor, KUBE_EDITOR: editor } }), /service\/web edited/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
  await waitFor(async () => (await sample(ip, 5)).nginx === 5, { timeoutMs: 15000, message: 'all traffic to blue (nginx)' });

  assert.match(await k(['patch', 'service', 'web', '-p', '{"spec": {"selector": {"app": "green"}}}']), /service\/web patched/);
  await waitFor(async () => (await sample(ip, 5)).httpd === 5, { timeoutMs: 15000, message: 'all traffic to green (httpd)' });
  assert.equal((await sample(ip, 20)).httpd, 20);

  await k(['patch', 'service', 'web', '-p', '{"spec": {"selector": {"app": "blue"}}}']);
  await waitFor(async () => (await sample(ip, 5)).nginx === 5, { timeoutMs: 15000, message: 'back to blue' });
  await k(['delete', 'deployment', 'blue', 'green']);
  await k(['delete', 'service', 'web']);
});

test('canary by labels: kubectl label decides which pods receive traffic', async () => {
  await k(['apply', '-f', 'examples/canary.yml']);
  await k(['rollout', 'status', 'deployment', 'blue-v1.4', '--timeout=120s'], { timeoutMs: 130000 });
  await k(['rollout', 'status', 'deployment', 'blue-v1.5', '--timeout=120s'], { timeoutMs: 130000 });
  const ip = await serviceIP('canary');

  await k(['label', 'pods', '-l', 'app=blue,version=v1.4', 'status=enabled']);
  await waitFor(async () => (await sample(ip, 6)).nginx === 6, { timeoutMs: 15000, message: 'only v1.4 (nginx)' });

  const canaryPod = (await jsonGet(['get', 'pods', '-l', 'app=blue,version=v1.5'])).items[0].metadata.name;
  assert.match(await k(['label', 'pod', canaryPod, 'status=enabled']), new RegExp(`pod/${canaryPod.replace(/\./g, '\\.')} labeled`));
  await waitFor(async () => { const s = await sample(ip, 30); return (s.nginx ?? 0) > 0 && (s.httpd ?? 0) > 0; }, { timeoutMs: 15000, message: 'the canary pod gets a share' });

  await k(['label', 'pods', '-l', 'app=blue,version=v1.5', 'status=enabled', '--overwrite']);
  const out = await k(['label', 'pods', '-l', 'app=blue,version=v1.4', 'status-']);
  assert.match(out, /unlabeled/);
  await waitFor(async () => (await sample(ip, 10)).httpd === 10, { timeoutMs: 15000, message: 'only v1.5 (httpd)' });
  await k(['delete', '-f', 'examples/canary.yml']);
});

test('a node goes down: its pods are replaced; when it comes back, the extra pods are terminated', async () => {
  // A second node joins, as `kubelite node` (README: "Adding a node").
  node2Dir = mkdtempSync(join(tmpdir(), 'kubelite-guide-node2-'));
  let out = '';
  node2Proc = spawn(process.execPath, [...nodeJoinArgs(c, node2, node2Dir), '--data-dir', join(node2Dir, 'node')], { cwd: repoRoot, env: { ...process.env, KUBELITE_NODE_NO_PROXY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  node2Proc.stdout!.on('data', (d) => { out += d; });
  node2Proc.stderr!.on('data', (d) => { out += d; });
  await waitFor(async () => /\sReady\s/.test(await k(['get', 'node', node2])), { timeoutMs: 120000, message: `node ${node2} Ready; its output:\n${out}` });

  await k(['create', 'deployment', 'spread', '--image=nginx', '--replicas=4']);
  await k(['rollout', 'status', 'deployment', 'spread', '--timeout=120s'], { timeoutMs: 130000 });
  const before = (await jsonGet(['get', 'pods', '-l', 'app=spread'])).items;
  const onNode2 = before.filter((p: any) => p.spec.nodeName === node2).map((p: any) => p.metadata.name);
  assert.ok(onNode2.length > 0 && onNode2.length < 4, `the scheduler spreads the pods over both nodes (${onNode2.length} on ${node2})`);

  // The node becomes unresponsive (its agent frozen; its containers keep running).
  node2Proc.kill('SIGSTOP');
  await waitFor(async () => /NotReady/.test(await k(['get', 'node', node2])), { timeoutMs: 90000, message: 'node NotReady' });
  // Its pods are replaced on the other node: 4 available again, the new ones elsewhere.
  await waitFor(async () => {
    const pods = (await jsonGet(['get', 'pods', '-l', 'app=spread'])).items.filter((p: any) => !p.metadata.deletionTimestamp);
    const ready = pods.filter((p: any) => p.status.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
    return pods.length === 4 && ready.length === 4 && pods.every((p: any) => p.spec.nodeName !== node2);
  }, { timeoutMs: 90000, message: 'pods replaced on the remaining node' });

  // The node comes back: the extra pods it still runs are terminated, leaving exactly the requested number.
  node2Proc.kill('SIGCONT');
  await waitFor(async () => /\sReady\s/.test(await k(['get', 'node', node2])), { timeoutMs: 60000, message: 'node Ready again' });
  await waitFor(async () => {
    const pods = (await jsonGet(['get', 'pods', '-l', 'app=spread'])).items;
    return pods.length === 4 && !pods.some((p: any) => onNode2.includes(p.metadata.name));
  }, { timeoutMs: 90000, message: 'surplus pods removed' });
  // ...and their containers no longer run on the returning node.
  const oldUids = new Set(before.filter((p: any) => onNode2.includes(p.metadata.name)).map((p: any) => p.metadata.uid));
  const cri = new CriClient(containerdInstance(node2, podCIDRFor(node2)).socket);
  try {
    await waitFor(async () => (await cri.listContainers()).filter((x: any) => x.state === 'CONTAINER_RUNNING' && oldUids.has(x.labels?.['io.kubernetes.pod.uid'])).length === 0,
      { timeoutMs: 60000, message: 'surplus containers stopped on the returning node' });
  } finally { cri.close?.(); }
  await k(['delete', 'deployment', 'spread']);
});
