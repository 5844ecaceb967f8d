/**
 * `kubectl top` with real containers: a busybox pod that holds ~20 MB and burns CPU under a 100m limit; the
 * numbers `kubectl top pods` prints (and the PodMetrics behind them) agree within 10% with the container's own
 * cgroup v1 counters read from the host (cpuacct.usage over a window; memory.usage_in_bytes minus
 * total_inactive_file). `kubectl top pods --containers` and `kubectl top nodes` work; the node agent's
 * /metrics/resource is HTTPS only and refuses a caller without a credential.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, isReady, kjson, kubectlOk, pods, reapLeftovers } from './node-helpers.ts';
import { burnDeployment, cpuNanos, workingSet } from './metrics-helpers.ts';

let c: Cluster;
before(async () => { c = await startCluster({ node: true, env: { KUBELITE_METRIC_RESOLUTION: '5s' } }); });
after(async () => {
  if (c) {
    await cleanup(c, ['deployment burn']).catch(() => {});
    await c.stop();
  }
  await reapLeftovers();
});

/** "101m" → 0.101 cores; "20Mi" → bytes. */
const cores = (s: string) => (s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s));
const mebibytes = (s: string) => Number(/^(\d+)Mi$/.exec(s)![1]) * 1024 * 1024;
const within = (got: number, want: number, what: string) =>
  assert.ok(Math.abs(got - want) <= 0.1 * want, `${what}: kubectl top ${got}, cgroup ${want} (more than 10% apart)`);

test('kubectl top pods / --containers / nodes agree with the container cgroup counters', async (t) => {
  await kubectlOk(c, ['apply', '-f', '-'], { input: burnDeployment('burn') });
  const [pod] = await waitFor(async () => {
    const ps = await pods(c, 'app=burn');
    return ps.length === 1 && isReady(ps[0]) ? ps : undefined;
  }, { timeoutMs: 120_000, intervalMs: 500, message: 'burn pod ready' });
  const name = pod.metadata!.name!;

  // Metrics appear after two scrapes of the node agent.
  await waitFor(async () => (await c.kubectl(['top', 'pods'])).stdout.includes(name), { timeoutMs: 60_000, intervalMs: 1000, message: 'kubectl top pods lists the pod' });
  // Let the 20 MB allocation settle and the window cover steady burning.
  await new Promise((r) => setTimeout(r, 6000));

  // The container's own rate over a window like the metrics' (the window the API reports, ~5 s).
  const c0 = cpuNanos(pod), t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, 5000));
  const c1 = cpuNanos(pod), t1 = process.hrtime.bigint();
  const cgroupCores = (c1 - c0) / Number(t1 - t0);
  const cgroupMem = workingSet(pod);

  const top = await kubectlOk(c, ['top', 'pods']);
  const lines = top.trim().split('\n');
  assert.match(lines[0], /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
  const row = lines.find((l) => l.startsWith(name))!.trim().split(/\s+/);
  t.diagnostic(`kubectl top: ${row[1]} ${row[2]}; cgroup: ${(cgroupCores * 1000).toFixed(1)}m ${(cgroupMem / 1048576).toFixed(1)}Mi`);
  within(cores(row[1]), cgroupCores, 'CPU');
  within(mebibytes(row[2]), cgroupMem, 'memory');
  assert.ok(cgroupCores > 0.05 && cgroupCores < 0.12, `the burn runs at its 100m limit (cgroup says ${cgroupCores})`);

  // The PodMetrics object behind it: metrics-server's shape.
  const pm = JSON.parse(await kubectlOk(c, ['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/${name}`]));
  assert.equal(pm.kind, 'PodMetrics');
  assert.match(pm.window, /^\d+(\.\d+)?s$/);
  assert.ok(Date.parse(pm.timestamp) > Date.now() - 60_000);
  assert.equal(pm.containers.length, 1);
  assert.equal(pm.containers[0].name, 'burn');
  assert.deepEqual(pm.metadata.labels, pod.metadata!.labels);

  const withContainers = await kubectlOk(c, ['top', 'pods', '--containers']);
  assert.match(withContainers.split('\n')[0], /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
  assert.match(withContainers, new RegExp(`^${name}\\s+burn\\s+\\d+m\\s+\\d+Mi`, 'm'));

  const selected = await kubectlOk(c, ['top', 'pods', '-l', 'app=burn']);
  assert.ok(selected.includes(name));
  const none = await c.kubectl(['top', 'pods', '-l', 'app=nothing']);
  assert.match(none.stderr + none.stdout, /No resources found in default namespace/);

  const nodes = await kubectlOk(c, ['top', 'nodes']);
  const nodeLines = nodes.trim().split('\n');
  assert.match(nodeLines[0], /^NAME\s+CPU\(cores\)\s+CPU(\(%\)|%)\s+MEMORY\(bytes\)\s+MEMORY(\(%\)|%)/);
  const nrow = nodeLines[1].trim().split(/\s+/);
  assert.equal(nrow[0], 'kubelite');
  assert.ok(cores(nrow[1]) >= cgroupCores * 0.9, `the node's CPU (${nrow[1]}) includes the burn`);
  assert.match(nrow[3], /^\d+Mi$/);
});

test('the node agent\'s /metrics/resource: HTTPS on loopback, the API server\'s kubelet-client certificate is let in, no credential is not', async () => {
  const node = await kjson(c, ['get', 'node', 'kubelite']);
  const port = node.status.daemonEndpoints.kubeletEndpoint.Port;
  const pki = (f: string) => readFileSync(`${c.dataDir}/pki/${f}`, 'utf8');
  const get = (tls: { cert?: string; key?: string }) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: '/metrics/resource', ca: pki('ca.crt'), agent: false, ...tls }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    }).on('error', reject);
  });
  assert.deepEqual(await get({}), { status: 401, text: 'Unauthorized' });
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics/resource`), 'plain HTTP is not served');
  const r = await get({ cert: pki('apiserver-kubelet-client.crt'), key: pki('apiserver-kubelet-client.key') });
  assert.equal(r.status, 200);
  assert.match(r.text, /^container_cpu_usage_seconds_total\{container="burn",namespace="default",pod="burn-[^"]+"\} [\d.e+]+ \d{13}$/m);
  assert.match(r.text, /^node_memory_working_set_bytes [\d.e+]+ \d{13}$/m);
});
