/**
 * Pod features on real containers: command/args/env (incl. fieldRef)/workingDir reach the process, the log file
 * at logPathFor() holds its output, restartPolicy Never ends Succeeded, CrashLoopBackOff with back-off, a memory
 * limit is enforced (OOMKilled), and deletion sends SIGTERM, waits the grace period, then removes the pod.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, kjson, kubectlOk, reapLeftovers } from './node-helpers.ts';
import { logPathFor, parseCriLogLine } from '../../src/kubelet/logs-paths.ts';
import { R } from '../../src/client/resources.ts';
import { CriClient } from '../../src/kubelet/cri/client.ts';

let c: Cluster;
before(async () => { c = await startCluster({ node: true }); });
after(async () => {
  if (c) {
    await cleanup(c, ['pod envpod', 'pod crashy', 'pod hog', 'pod graceful', 'pod withinit'], 'e2e=node-pods').catch(() => {});
    await c.stop();
  }
  await reapLeftovers();
});

const apply = (obj: unknown) => kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify(obj) });
const getPod = (name: string) => kjson<Pod>(c, ['get', 'pod', name]);
function logText(p: Pod, container: string, attempt = 0): string {
  const f = logPathFor(p.metadata!.uid!, container, attempt);
  if (!existsSync(f)) return '';
  return readFileSync(f, 'utf8').split('\n').map((l) => parseCriLogLine(l)?.text).filter((t) => t !== undefined).join('\n');
}

test('command, args, env with fieldRef and $(VAR), workingDir; output in the CRI log; Never → Succeeded', async () => {
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'envpod', labels: { e2e: 'node-pods' } },
    spec: {
      restartPolicy: 'Never',
      containers: [{
        name: 'main', image: 'kubelite/busybox', workingDir: '/tmp',
        command: ['sh', '-c'], args: ['echo "name=$MY_NAME ns=$MY_NS msg=$MSG cwd=$(pwd) ip=$MY_IP"'],
        env: [
          { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'MSG', value: 'hello-$(MY_NAME)' },
        ],
      }],
    },
  });
  const p = await waitFor(async () => { const x = await getPod('envpod'); return x.status?.phase === 'Succeeded' ? x : undefined; },
    { timeoutMs: 60_000, intervalMs: 500, message: 'envpod Succeeded' });
  const t = p.status!.containerStatuses![0].state!.terminated!;
  assert.equal(t.exitCode, 0);
  assert.equal(t.reason, 'Completed');
  assert.match(logText(p, 'main'), new RegExp(`name=envpod ns=default msg=hello-envpod cwd=/tmp ip=${p.status!.podIP!.replace(/\./g, '\\.')}`));
  assert.match(await kubectlOk(c, ['get', 'pod', 'envpod']), /envpod\s+0\/1\s+Completed\s+0/);
  // A finished pod gives its sandbox (and IP) back.
  const cri = new CriClient('/run/containerd/containerd.sock');
  try {
    await waitFor(async () => {
      const sbs = await cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid! } });
      return sbs.length > 0 && sbs.every((x) => x.state === 'SANDBOX_NOTREADY');
    }, { timeoutMs: 20_000, intervalMs: 300, message: 'sandbox of the finished pod stopped' });
  } finally { cri.close(); }
});

test('a crashing container goes into CrashLoopBackOff with growing restarts', async () => {
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crashy', labels: { e2e: 'node-pods' } },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'kubelite/busybox', command: ['sh', '-c', 'echo run; exit 3'] }] },
  });
  const p = await waitFor(async () => {
    const x = await getPod('crashy');
    const cs = x.status?.containerStatuses?.[0];
    return cs?.state?.waiting?.reason === 'CrashLoopBackOff' && cs.restartCount >= 1 ? x : undefined;
  }, { timeoutMs: 60_000, intervalMs: 300, message: 'CrashLoopBackOff' });
  const cs = p.status!.containerStatuses![0];
  assert.equal(cs.lastState!.terminated!.exitCode, 3);
  assert.match(cs.state!.waiting!.message!, /^back-off \d+s restarting failed container=main pod=crashy_default\(/);
  assert.equal(p.status!.phase, 'Running');
  assert.match(await kubectlOk(c, ['get', 'pod', 'crashy']), /crashy\s+0\/1\s+(CrashLoopBackOff|Error)\s+[1-9]/);
  const ev = await kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=crashy,reason=BackOff']);
  assert.match(ev, /Back-off restarting failed container main in pod crashy_default/);
});

test('a memory limit is enforced through cgroups: OOMKilled', async () => {
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hog', labels: { e2e: 'node-pods' } },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'kubelite/busybox', command: ['sh', '-c', 'head -c 200000000 /dev/zero | tail > /dev/null'],
        resources: { limits: { memory: '32Mi', cpu: '500m' } } }],
    },
  });
  const p = await waitFor(async () => { const x = await getPod('hog'); return x.status?.phase === 'Failed' ? x : undefined; },
    { timeoutMs: 60_000, intervalMs: 500, message: 'hog Failed' });
  const t = p.status!.containerStatuses![0].state!.terminated!;
  assert.equal(t.reason, 'OOMKilled');
  assert.equal(p.status!.qosClass, 'Guaranteed');
});

test('deletion: SIGTERM reaches the container, it may finish within the grace period, then the pod is gone', async () => {
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'graceful', labels: { e2e: 'node-pods' } },
    spec: {
      terminationGracePeriodSeconds: 10,
      containers: [{ name: 'main', image: 'kubelite/busybox',
        command: ['sh', '-c', 'trap "echo got TERM; sleep 1; echo bye; exit 0" TERM; echo up; while true; do sleep 0.2; done'] }],
    },
  });
  const p = await waitFor(async () => {
    const x = await getPod('graceful');
    return x.status?.containerStatuses?.[0]?.state?.running && logText(x, 'main').includes('up') ? x : undefined;
  }, { timeoutMs: 60_000, intervalMs: 300, message: 'graceful running' });
  // Watch the pod to the end: the last status written before the object goes shows how the container ended.
  let last: Pod | undefined;
  let deleted = false;
  const w = c.client.watch<Pod>(R.pods, 'default', { fieldSelector: 'metadata.name=graceful', resourceVersion: p.metadata!.resourceVersion }, (ev) => {
    if (ev.type === 'DELETED') deleted = true; else if (ev.type === 'MODIFIED') last = ev.object;
  });
  try {
    await kubectlOk(c, ['delete', 'pod', 'graceful', '--wait=false']);
    await waitFor(() => deleted, { timeoutMs: 30_000, intervalMs: 200, message: 'pod deleted' });
  } finally { w.stop(); }
  const t = last?.status?.containerStatuses?.[0]?.state?.terminated;
  assert.ok(t, JSON.stringify(last?.status));
  assert.equal(t!.exitCode, 0, 'the trap handled SIGTERM and exited 0 (SIGKILL would give 137)');
  assert.ok(last!.metadata!.deletionTimestamp);
  assert.equal((await c.kubectl(['get', 'pod', 'graceful'])).code, 1);
  const ev = await kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=graceful,reason=Killing']);
  assert.match(ev, /Stopping container main/);
});

test('init containers run to completion in order before the app container starts', async () => {
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'withinit', labels: { e2e: 'node-pods' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      initContainers: [
        { name: 'first', image: 'kubelite/busybox', command: ['sh', '-c', 'echo first; sleep 2'] },
        { name: 'second', image: 'kubelite/busybox', command: ['sh', '-c', 'echo second'] },
      ],
      containers: [{ name: 'main', image: 'kubelite/busybox', command: ['sh', '-c', 'echo main; exec sleep 3600'] }],
    },
  });
  const early = await waitFor(async () => {
    const out = await kubectlOk(c, ['get', 'pod', 'withinit']);
    return /Init:0\/2/.test(out) ? out : undefined;
  }, { timeoutMs: 60_000, intervalMs: 200, message: 'Init:0/2 shown' });
  assert.match(early, /withinit\s+0\/1\s+Init:0\/2/);
  const p = await waitFor(async () => { const x = await getPod('withinit'); return x.status?.phase === 'Running' && x.status.containerStatuses?.[0]?.ready ? x : undefined; },
    { timeoutMs: 60_000, intervalMs: 300, message: 'withinit running' });
  const inits = p.status!.initContainerStatuses!;
  assert.deepEqual(inits.map((s) => [s.name, s.state?.terminated?.exitCode, s.state?.terminated?.reason]), [['first', 0, 'Completed'], ['second', 0, 'Completed']]);
  assert.ok(Date.parse(inits[0].state!.terminated!.finishedAt!) <= Date.parse(inits[1].state!.terminated!.startedAt!));
  assert.ok(Date.parse(inits[1].state!.terminated!.finishedAt!) <= Date.parse(p.status!.containerStatuses![0].state!.running!.startedAt!));
  assert.equal(p.status!.conditions!.find((x) => x.type === 'Initialized')!.status, 'True');
  assert.match(logText(p, 'first'), /first/);
  assert.match(await kubectlOk(c, ['get', 'pod', 'withinit']), /withinit\s+1\/1\s+Running\s+0/);
});
