/**
 * e2e: what clients other than kubectl send, against a real `kubelite up` with a node and real containers —
 * emulating the official Python client exactly (kubernetes-client/python: ws_client.py, watch.py, rest.py):
 * exec over WebSocket (v4.channel.k8s.io, `stdout=True&stdin=False`, text frames for stdin), v5 with the close
 * signal, a terminal and its resize, attach, port-forward over WebSocket channels, `watch=True`, metadata-only
 * lists; and the real kubectl for `attach`, `create --raw` of the wrong kind and `apply -f` of a `kind: List`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as https from 'node:https';
import { WebSocket } from 'ws';
import { startCluster, waitFor, run, type Cluster } from './harness.ts';
import { R } from '../../src/client/resources.ts';
// Debian's python3 (with python3-kubernetes), not whatever python3 is first on PATH.
import { PYTHON } from './test-packages.ts';

let c: Cluster;
let ca: string;
let token: string;
let dir: string;
const BUSYBOX = 'kubelite/busybox';
const PY_UA = 'OpenAPI-Generator/32.0.1/python';


function pod(name: string, container: Record<string, unknown>) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { test: 'fidelity' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: BUSYBOX, ...container }] } };
}

async function waitRunning(name: string): Promise<void> {
  await waitFor(async () => {
    const p = await c.client.get(R.pods, 'default', name);
    return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((s: any) => s.state?.running);
  }, { timeoutMs: 120_000, intervalMs: 300, message: `pod ${name} running` });
}

before(async () => {
  c = await startCluster({ node: true });
  ca = String(c.client.config.ca);
  token = String(c.client.config.token);
  dir = mkdtempSync(join(tmpdir(), 'kubelite-fidelity-'));
  // Plain `busybox`, as manifests written for any cluster (and the official Python client's own e2e tests) name it.
  await c.client.create(R.pods, 'default', pod('shell', { image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'] }));
  await c.client.create(R.pods, 'default', pod('reader', { command: ['sh', '-c', 'echo ready; while read l; do echo "got:$l"; done'], stdin: true }));
  await c.client.create(R.pods, 'default', pod('ticker', { command: ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'] }));
  await c.client.create(R.pods, 'default', pod('web', { image: 'nginx', command: undefined }));
  for (const p of ['shell', 'reader', 'ticker', 'web']) await waitRunning(p);
}, { timeout: 300_000 });

after(async () => {
  if (c) {
    await c.kubectl(['delete', 'pods', '-l', 'test=fidelity', '--wait=true', '--timeout=60s']);
    await c.stop();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Session { ws: WebSocket; protocol: string; channels: Map<number, Buffer>; frames: Buffer[]; closed: Promise<number> }

/** Open a WebSocket to the API server as the Python client's create_websocket does (bearer token, subprotocols). */
function connect(path: string, protocols: string[]): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${c.server.replace(/^https/, 'wss')}${path}`, protocols, { ca, headers: { authorization: `Bearer ${token}`, 'User-Agent': PY_UA } });
    const channels = new Map<number, Buffer>();
    const frames: Buffer[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (d: Buffer) => {
      const b = Buffer.from(d);
      frames.push(b);
      if (b.length) channels.set(b[0], Buffer.concat([channels.get(b[0]) ?? Buffer.alloc(0), b.subarray(1)]));
    });
    ws.on('open', () => resolve({ ws, protocol: ws.protocol, channels, frames, closed }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (x) => { body += x; });
      res.on('end', () => reject(new Error(`upgrade refused: ${res.statusCode} ${body}`)));
    });
    ws.on('error', reject);
  });
}
const text = (s: Session, ch: number) => (s.channels.get(ch) ?? Buffer.alloc(0)).toString();
const q = (params: [string, string][]) => new URLSearchParams(params).toString();

test('Python-client exec: v4.channel.k8s.io, True/False parameters, stdout and stderr channels, status JSON', async () => {
  const query = q([['command', 'sh'], ['command', '-c'], ['command', 'echo out; echo err >&2'], ['stderr', 'True'], ['stdin', 'False'], ['stdout', 'True'], ['tty', 'False']]);
  const s = await connect(`/api/v1/namespaces/default/pods/shell/exec?${query}`, ['v4.channel.k8s.io']);
  assert.equal(s.protocol, 'v4.channel.k8s.io');
  await s.closed;
  assert.equal(text(s, 1), 'out\n');
  assert.equal(text(s, 2), 'err\n');
  assert.deepEqual(JSON.parse(text(s, 3)), { metadata: {}, status: 'Success' });
  // A non-zero exit: the returncode the Python client reads from details.causes[0].message.
  const f = await connect(`/api/v1/namespaces/default/pods/shell/exec?${q([['command', 'sh'], ['command', '-c'], ['command', 'exit 7'], ['stdout', 'True'], ['stderr', 'True']])}`, ['v4.channel.k8s.io']);
  await f.closed;
  const st = JSON.parse(text(f, 3));
  assert.equal(st.status, 'Failure');
  assert.equal(st.reason, 'NonZeroExitCode');
  assert.equal(Number(st.details.causes[0].message), 7);
  assert.equal(st.message, 'command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7');
});

test('exec stdin: v4 text frames as the Python client writes them; v5 (offered first, as newer clients do) ends stdin with the close signal', async () => {
  const query = q([['command', 'sh'], ['command', '-c'], ['command', 'read a; echo "first:$a"; read b; echo "second:$b"'], ['stdin', 'True'], ['stdout', 'True'], ['stderr', 'True'], ['tty', 'False']]);
  const s = await connect(`/api/v1/namespaces/default/pods/shell/exec?${query}`, ['v4.channel.k8s.io']);
  // write_channel(0, "x\n") with a str: a TEXT frame whose first character is chr(0).
  s.ws.send('\u0000one\n', { binary: false });
  s.ws.send('\u0000two\n', { binary: false });
  await s.closed;
  assert.equal(text(s, 1), 'first:one\nsecond:two\n');

  const v5 = await connect(`/api/v1/namespaces/default/pods/shell/exec?${q([['command', 'sh'], ['command', '-c'], ['command', 'wc -l'], ['stdin', 'True'], ['stdout', 'True'], ['stderr', 'True']])}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  assert.equal(v5.protocol, 'v5.channel.k8s.io');
  v5.ws.send(Buffer.from('\u0000a\nb\nc\n'));
  v5.ws.send(Buffer.from([255, 0])); // close_channel(STDIN)
  assert.equal(await v5.closed, 1000);
  assert.equal(text(v5, 1).trim(), '3');
  assert.deepEqual(JSON.parse(text(v5, 3)), { metadata: {}, status: 'Success' });
});

// containerd sizes an exec's terminal just after it starts the process (as `ctr task exec -t` does): the command
// waits a moment before reading its size (see streaming-logs-exec-portforward.test.ts).
test('exec with a terminal: the resize channel sizes it, at the start and while it runs', async () => {
  const query = q([['command', 'sh'], ['command', '-c'], ['command', 'sleep 1; stty size; read go; sleep 1; stty size'], ['stdin', 'True'], ['stdout', 'True'], ['tty', 'True']]);
  const s = await connect(`/api/v1/namespaces/default/pods/shell/exec?${query}`, ['v5.channel.k8s.io']);
  s.ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 97, Height: 31 }))]));
  await waitFor(() => /31 97\r+\n/.test(text(s, 1)), { timeoutMs: 20_000, message: 'the first size' }).catch((e) => {
    throw new Error(`${e.message}: ${JSON.stringify(s.frames.map((f) => f.toString('latin1')))}`);
  });
  s.ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 120, Height: 50 }))]));
  s.ws.send(Buffer.from('\u0000go\r'));
  await s.closed;
  assert.match(text(s, 1), /31 97\r+\n.*50 120\r+\n$/s);
  assert.equal(s.channels.get(2), undefined, 'a terminal has no separate stderr');
  assert.deepEqual(JSON.parse(text(s, 3)), { metadata: {}, status: 'Success' });
});

test('attach over WebSocket: the container\'s own stdin and stdout (CRI Attach), v4 and v5', async () => {
  const s = await connect(`/api/v1/namespaces/default/pods/reader/attach?${q([['container', 'main'], ['stdin', 'True'], ['stdout', 'True'], ['stderr', 'True']])}`, ['v4.channel.k8s.io']);
  assert.equal(s.protocol, 'v4.channel.k8s.io');
  s.ws.send(Buffer.from('\u0000hello attach\n'));
  await waitFor(() => text(s, 1).includes('got:hello attach'), { timeoutMs: 20_000, message: `attach output: ${JSON.stringify(text(s, 1))}` });
  s.ws.close();
  await s.closed;
  const t = await connect(`/api/v1/namespaces/default/pods/ticker/attach?${q([['stdout', 'true'], ['stderr', 'true']])}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  assert.equal(t.protocol, 'v5.channel.k8s.io');
  await waitFor(() => /tick \d+\ntick \d+\n/.test(text(t, 1)), { timeoutMs: 20_000, message: 'ticks through attach' });
  t.ws.close();
  await t.closed;
  // Upstream's checks before any upgrade: a stream is needed.
  await assert.rejects(connect(`/api/v1/namespaces/default/pods/ticker/attach?stdout=false`, ['v4.channel.k8s.io']), /400 .*you must specify at least one of stdin, stdout, stderr/);
});

test('kubectl attach streams the container\'s output', async () => {
  const p = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', join(dir, 'cache'), 'attach', 'pod/ticker'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  try {
    await waitFor(() => /tick \d+\n.*tick \d+\n/s.test(out), { timeoutMs: 30_000, message: `kubectl attach output: ${out}` });
  } finally {
    p.kill('SIGINT');
  }
});

test('port-forward over WebSocket channels (the Python client\'s portforward): port frames, then HTTP through channel 0', async () => {
  const s = await connect(`/api/v1/namespaces/default/pods/web/portforward?ports=80`, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  assert.equal(s.protocol, 'v4.channel.k8s.io', 'port-forward has no v5');
  await waitFor(() => s.frames.length >= 2, { message: 'initial port frames' });
  assert.deepEqual(s.frames.slice(0, 2).map((f) => [...f]).sort(), [[0, 80, 0], [1, 80, 0]]);
  s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
  await waitFor(() => /<\/html>/.test(text(s, 0)), { timeoutMs: 20_000, message: `HTTP answer: ${text(s, 0).slice(0, 200)}` });
  assert.match(text(s, 0), /^\u0050\u0000HTTP\/1\.1 200 OK\r\n/);
  await s.closed;
  // A closed port: the error channel says so.
  const bad = await connect(`/api/v1/namespaces/default/pods/web/portforward?ports=81`, ['v4.channel.k8s.io']);
  await waitFor(() => text(bad, 1).length > 2, { timeoutMs: 20_000, message: 'error channel' });
  assert.match(text(bad, 1).slice(2), /^error forwarding port 81 to pod web, uid : .*ECONNREFUSED/);
});

test('exec and attach over SPDY beside WebSocket: kubectl with WebSockets turned off (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)', async () => {
  const env = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
  const r = await c.kubectl(['exec', 'shell', '-v=6', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], { env });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'out\n');
  assert.match(r.stderr, /err\n/);
  assert.doesNotMatch(r.stderr, /websocket/i, 'the SPDY executor was used');
  const i = await c.kubectl(['exec', '-i', 'shell', '--', 'wc', '-l'], { env, input: 'a\nb\nc\n' });
  assert.equal(i.code, 0, i.stderr);
  assert.equal(i.stdout.trim(), '3');
  // A terminal over SPDY: the resize stream sizes it (kubectl sends the size of its own terminal, here `script`'s).
  const cmd = `stty rows 31 cols 97; kubectl --cache-dir ${join(dir, 'cache')} exec -it shell -- sh -c 'sleep 1; stty size; exit 4'`;
  const t = await run('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, ...env, KUBECONFIG: c.kubeconfig }, timeoutMs: 60_000 });
  assert.match(t.stdout, /31 97/);
  assert.equal(t.code, 4, t.stdout + t.stderr);
  // attach -i over SPDY: stdin reaches the container's process, its output comes back.
  const p = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', join(dir, 'cache'), 'attach', '-i', 'reader'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  try {
    p.stdin.write('over spdy\n');
    await waitFor(() => out.includes('got:over spdy'), { timeoutMs: 30_000, message: `kubectl attach -i output: ${out}` });
  } finally {
    p.kill('SIGINT');
  }
});

function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(c.server + path);
    const r = https.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, ca, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.on('error', reject);
    r.end();
  });
}

test('the Python client\'s watch=True streams events; a metadata-only list answers PartialObjectMetadataList', async () => {
  const w = await get('/api/v1/namespaces/default/pods?labelSelector=test%3Dfidelity&timeoutSeconds=2&watch=True', { Accept: 'application/json', 'User-Agent': PY_UA });
  assert.equal(w.status, 200);
  const events = w.body.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(events.length >= 4, w.body.slice(0, 200));
  assert.ok(events.every((e) => e.type === 'ADDED' && e.object.kind === 'Pod'));
  const m = await get('/api/v1/namespaces/default/pods', { Accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' });
  const list = JSON.parse(m.body);
  assert.equal(list.kind, 'PartialObjectMetadataList');
  assert.ok(list.items.some((i: any) => i.metadata.name === 'web' && i.spec === undefined));
});

test('the official Python client itself (Debian\'s python3-kubernetes): watch, exec with channels, stdin and exit code, port-forward, the dynamic client, create_from_dict\'s error text', async () => {
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, ca);
  const script = join(import.meta.dirname, 'python', 'official_client.py');
  const r = await run(PYTHON, [script, c.server, caFile, token, 'default', 'shell', 'web'], { timeoutMs: 180_000 });
  assert.equal(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(got.watch, [['ADDED', 'py-watch', '1'], ['MODIFIED', 'py-watch', '2'], ['DELETED', 'py-watch', '2']]);
  assert.equal(got.exec_simple, 'hello from exec\n');
  assert.deepEqual(got.exec_channels, { stdout: 'out\n', stderr: 'err\n', returncode: 3 });
  assert.equal(got.exec_stdin, 'got:hi there\n');
  assert.match(got.portforward, /^HTTP\/1\.1 200 OK$/);
  assert.equal(got.portforward_title, true);
  assert.deepEqual(got.dynamic_pods, ['reader', 'shell', 'ticker', 'web']);
  assert.equal(got.dynamic_deployments_kind, 'DeploymentList');
  assert.equal(got.create_twice, 'Error from server (Conflict): {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"py-dup\\" already exists","reason":"AlreadyExists","details":{"name":"py-dup","kind":"configmaps"},"code":409}\n');
});

test('the real kubectl: create --raw of the wrong kind fails as upstream, apply -f of a kind: List validates and applies', async () => {
  const podFile = join(dir, 'valid-pod.yaml');
  writeFileSync(podFile, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: valid-pod\nspec:\n  containers:\n  - name: c\n    image: nginx\n');
  const raw = await c.kubectl(['create', '--raw', '/api/v1/namespaces', '-f', podFile]);
  assert.notEqual(raw.code, 0);
  assert.match(raw.stderr, /the object provided is unrecognized \(must be of type Namespace\)/);
  const listFile = join(dir, 'list.yaml');
  writeFileSync(listFile, 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: listed\n    labels: {test: fidelity}\n  data:\n    a: "1"\n');
  const ok = await c.kubectl(['apply', '-f', listFile]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), 'configmap/listed created');
  writeFileSync(listFile, 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: listed2\n  bogus: 1\n');
  const bad = await c.kubectl(['apply', '-f', listFile]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /unknown field "bogus" in io\.k8s\.api\.core\.v1\.ConfigMap/);
  await c.kubectl(['delete', 'configmap', 'listed']);
});
