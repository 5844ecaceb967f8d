/**
 * e2e: `kubectl logs` (-f, --tail, --previous, -c, deployment/NAME), `kubectl exec` (plain, exit codes, -i with
 * stdin, -it through a pseudo-terminal), `kubectl cp`, and `kubectl port-forward pod/NAME` + HTTP through it — the real kubectl,
 * the API server's connect proxy, the kubelet's streaming server, real containers under containerd.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, waitFor, freePort, run, type Cluster } from './harness.ts';
import { R } from '../../src/client/resources.ts';

let c: Cluster;
let cacheDir: string;
const BUSYBOX = 'kubelite/busybox';

async function k(args: string[], input?: string) {
  const r = await c.kubectl(args, { input, timeoutMs: 60_000 });
  return r;
}

function pod(name: string, containers: { name: string; command: string[]; image?: string }[], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { test: 'streaming' } },
    spec: { terminationGracePeriodSeconds: 1, containers: containers.map((x) => ({ name: x.name, image: x.image ?? BUSYBOX, command: x.command })), ...extra },
  };
}

async function waitRunning(name: string, timeoutMs = 90_000): Promise<any> {
  return waitFor(async () => {
    const p = await c.client.get(R.pods, 'default', name);
    return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((s: any) => s.state?.running) ? p : undefined;
  }, { timeoutMs, intervalMs: 300, message: `pod ${name} running` });
}

before(async () => {
  c = await startCluster({ node: true });
  cacheDir = mkdtempSync(join(tmpdir(), 'kubelite-stream-cache-'));
  await c.client.create(R.pods, 'default', pod('logger', [{ name: 'logger', command: ['sh', '-c', 'echo start; echo to-stderr >&2; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done'] }]));
  await c.client.create(R.pods, 'default', pod('two', [
    { name: 'a', command: ['sh', '-c', 'echo from-a; exec sleep 3600'] },
    { name: 'b', command: ['sh', '-c', 'echo from-b; exec sleep 3600'] },
  ]));
  await c.client.create(R.pods, 'default', pod('crasher', [{ name: 'crasher', command: ['sh', '-c', 'echo run-at-$(date +%s); sleep 1; exit 1'] }]));
  await c.client.create(R.pods, 'default', pod('web', [{ name: 'nginx', image: 'nginx', command: undefined as any }]));
  await waitRunning('logger');
  await waitRunning('two');
}, { timeout: 240_000 });

after(async () => {
  if (c) {
    await k(['delete', 'pods', '-l', 'test=streaming', '--wait=true', '--timeout=60s']);
    await k(['delete', 'deployment', 'echoer', '--ignore-not-found', '--wait=true', '--timeout=60s']);
    await c.stop();
  }
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

test('kubectl logs prints stdout and stderr; --tail and --timestamps', async () => {
  await waitFor(async () => /tick 3/.test((await k(['logs', 'logger'])).stdout), { timeoutMs: 30_000, message: 'ticks in the log' });
  const r = await k(['logs', 'logger']);
  assert.equal(r.code, 0, r.stderr);
  // stdout and stderr are separate pipes: their relative order is not fixed, each stream's order is.
  const lines = r.stdout.split('\n');
  assert.ok(lines.includes('start'), r.stdout);
  assert.ok(lines.includes('to-stderr'), r.stdout);
  assert.ok(lines.indexOf('start') < lines.indexOf('tick 0'), r.stdout);
  const t = await k(['logs', 'logger', '--tail=2']);
  assert.equal(t.code, 0, t.stderr);
  const tl = t.stdout.trimEnd().split('\n');
  assert.equal(tl.length, 2);
  assert.ok(tl.every((l) => /^tick \d+$/.test(l)), t.stdout);
  const ts = await k(['logs', 'logger', '--tail=1', '--timestamps']);
  assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+\n$/);
});

test('kubectl logs -f streams new lines as they are written', async () => {
  const p = spawn('kubectl', ['--cache-dir', cacheDir, 'logs', '-f', 'logger', '--tail=1'], { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  try {
    await waitFor(() => out.split('\n').filter((l) => /^tick \d+$/.test(l)).length >= 5, { timeoutMs: 30_000, message: `followed ticks, got: ${out}` });
    const nums = out.trim().split('\n').map((l) => Number(l.split(' ')[1]));
    for (let i = 1; i < nums.length; i++) assert.equal(nums[i], nums[i - 1] + 1, out);
  } finally { p.kill('SIGKILL'); }
});

test('kubectl logs -f ends when the container ends', async () => {
  await c.client.create(R.pods, 'default', pod('once', [{ name: 'once', command: ['sh', '-c', 'echo first; sleep 3; echo last'] }], { restartPolicy: 'Never' }));
  await waitFor(async () => (await c.client.get(R.pods, 'default', 'once')).status?.phase !== 'Pending', { timeoutMs: 60_000, intervalMs: 200, message: 'once started' });
  const r = await k(['logs', '-f', 'once']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'first\nlast\n');
});

test('kubectl logs -c picks the container; a missing container is an error', async () => {
  const b = await k(['logs', 'two', '-c', 'b']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, 'from-b\n');
  const a = await k(['logs', 'two', '-c', 'a']);
  assert.equal(a.stdout, 'from-a\n');
  const bad = await k(['logs', 'two', '-c', 'nope']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /container nope is not valid for pod two/);
});

test('kubectl logs --previous shows the last terminated run', async () => {
  await waitFor(async () => {
    const p = await c.client.get(R.pods, 'default', 'crasher');
    return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1;
  }, { timeoutMs: 90_000, intervalMs: 500, message: 'crasher restarted' });
  const prev = await k(['logs', 'crasher', '--previous']);
  assert.equal(prev.code, 0, prev.stderr);
  assert.match(prev.stdout, /^run-at-\d+\n$/);
  const none = await k(['logs', 'logger', '--previous']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /previous terminated container "logger" in pod "logger" not found/);
});

test('kubectl logs deployment/NAME picks one of its pods', async () => {
  const dep = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echoer' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'echoer' } }, template: { metadata: { labels: { app: 'echoer' } }, spec: {
      terminationGracePeriodSeconds: 1, containers: [{ name: 'echo', image: BUSYBOX, command: ['sh', '-c', 'echo hello from the deployment; exec sleep 3600'] }] } } },
  };
  await c.client.create(R.deployments, 'default', dep);
  const r = await waitFor(async () => {
    const x = await k(['logs', 'deployment/echoer']);
    return x.code === 0 && x.stdout.includes('hello') ? x : undefined;
  }, { timeoutMs: 90_000, intervalMs: 500, message: 'deployment logs' });
  assert.equal(r.stdout, 'hello from the deployment\n');
});

test('kubectl exec runs a command in the container and returns its exit code', async () => {
  const r = await k(['exec', 'logger', '--', 'cat', '/etc/hostname']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'logger');
  const e = await k(['exec', 'logger', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(e.code, 3);
  assert.equal(e.stdout, 'out\n');
  assert.match(e.stderr, /^err\n/);
  assert.match(e.stderr, /command terminated with exit code 3/);
  const c2 = await k(['exec', 'two', '-c', 'b', '--', 'sh', '-c', 'echo $HOSTNAME-b']);
  assert.equal(c2.stdout, 'two-b\n');
  const missing = await k(['exec', 'logger', '--', 'no-such-command']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: Internal error occurred: error executing command in container: failed to exec in container: .*executable file not found/);
  const nopod = await k(['exec', 'no-such-pod', '--', 'true']);
  assert.match(nopod.stderr, /pods "no-such-pod" not found/);
});

test('kubectl exec -i passes stdin and its end', async () => {
  const r = await k(['exec', '-i', 'logger', '--', 'sh', '-c', 'wc -l; cat /dev/null'], 'one\ntwo\nthree\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '3');
  const cat = await k(['exec', '-i', 'logger', '--', 'cat'], 'echoed back\n');
  assert.equal(cat.stdout, 'echoed back\n');
});

test('kubectl cp copies files in and out of a container (tar over exec with stdin)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-cp-'));
  try {
    const src = join(dir, 'in.txt');
    writeFileSync(src, 'copied through exec\n'.repeat(1000));
    const up = await k(['cp', src, 'logger:/tmp/in.txt']);
    assert.equal(up.code, 0, up.stderr);
    const sum = await k(['exec', 'logger', '--', 'sh', '-c', 'wc -c < /tmp/in.txt']);
    assert.equal(sum.stdout.trim(), String(20 * 1000));
    const down = await k(['cp', 'logger:/tmp/in.txt', join(dir, 'out.txt')]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), readFileSync(src, 'utf8'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// containerd sizes an exec's terminal just after starting the process (as `ctr task exec -t` does), so the
// command looks at its terminal a moment later, as an interactive user would.
test('kubectl exec -it gets a terminal of the client\'s size', async () => {
  const cmd = `stty rows 31 cols 97; kubectl --cache-dir ${cacheDir} exec -it logger -- sh -c 'sleep 1; stty size; tty; exit 4'`;
  const r = await run('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, KUBECONFIG: c.kubeconfig }, timeoutMs: 60_000 });
  assert.match(r.stdout, /31 97/);
  assert.match(r.stdout, /\/dev\/pts\/\d+/);
  assert.equal(r.code, 4, r.stdout + r.stderr);
});

test('kubectl port-forward pod/NAME forwards HTTP to the pod', async () => {
  await waitRunning('web');
  const port = await freePort();
  const p = spawn('kubectl', ['--cache-dir', cacheDir, 'port-forward', 'pod/web', `${port}:80`], { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  try {
    await waitFor(() => out.includes(`Forwarding from 127.0.0.1:${port} -> 80`), { timeoutMs: 30_000, message: `port-forward ready: ${out}` });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Welcome to nginx!/);
    }
    const missing = await fetch(`http://127.0.0.1:${port}/no-such-page`);
    assert.equal(missing.status, 404);
    await missing.text();
  } finally { p.kill('SIGKILL'); }
});
