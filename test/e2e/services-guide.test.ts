/**
 * Services as the guide uses them, with the real kubectl and real containers (one node):
 * expose + load balancing over every pod, unready pods get nothing, blue/green by editing and patching the
 * selector, canary by pod labels, DNS from a pod, port-forward svc/, describe svc, endpoints, endpointslices,
 * NodePort. Traffic goes from this host to ClusterIPs (DNATed to pods on the node's bridge) and to 127.0.0.1.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import * as net from 'node:net';
import { join } from 'node:path';
import { startCluster, waitFor, freePort, type Cluster } from './harness.ts';
import YAML from 'yaml';
import { R } from '../../src/client/resources.ts';

let c: Cluster;
const tmp = mkdtempSync(join(tmpdir(), 'kubelite-svc-e2e-'));

before(async () => { c = await startCluster({ node: true }); });
after(async () => {
  try { await c?.stop(); } finally { rmSync(tmp, { recursive: true, force: true }); }
});

async function k(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<string> {
  const r = await c.kubectl(args, { ...opts, timeoutMs: 60000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** One GET on a fresh connection: the body, or 'ERR:<code>'. */
function get(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 3000 }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve(b));
      res.on('error', (e) => resolve(`ERR:${(e as NodeJS.ErrnoException).code}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve(`ERR:${(e as NodeJS.ErrnoException).code}`));
  });
}
const page = (body: string) => (/Welcome to nginx|<center>nginx/.test(body) ? 'nginx' : /It works!/.test(body) ? 'httpd' : body.startsWith('ERR:') ? body : 'other');
async function pages(url: string, n: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) { const p = page(await get(url)); out[p] = (out[p] ?? 0) + 1; }
  return out;
}
async function clusterIP(name: string, ns = 'default'): Promise<string> {
  return (await c.client.get(R.services, ns, name)).spec.clusterIP;
}
async function readyPods(selector: string, n: number, ns = 'default'): Promise<any[]> {
  return waitFor(async () => {
    const l = await c.client.list(R.pods, ns, { labelSelector: selector });
    const ready = l.items.filter((p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
    return ready.length === n ? ready : undefined;
  }, { timeoutMs: 120000, message: `${n} ready pods for ${selector}` });
}
async function endpointIPs(name: string, ns = 'default'): Promise<string[]> {
  try {
    const e = await c.client.get(R.endpoints, ns, name);
    return (e.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort();
  } catch { return []; }
}
/** Requests seen by each nginx pod, from its access log. */
async function nginxHits(pods: any[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const p of pods) {
    const log = await k(['logs', p.metadata.name, '-n', p.metadata.namespace]);
    out[p.metadata.name] = log.split('\n').filter((l) => /"GET \/svc-probe /.test(l)).length;
  }
  return out;
}
function metricsUrl(): string {
  const m = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(c.output());
  assert.ok(m, 'the proxy printed its metrics address');
  return m![1];
}
async function connectionsByPod(service: string, ns = 'default'): Promise<Record<string, number>> {
  const text = await get(metricsUrl());
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^kubelite_proxy_endpoint_connections_total\{namespace="([^"]*)",service="([^"]*)",port="[^"]*",endpoint="[^"]*",pod="([^"]*)"\} (\d+)$/.exec(line);
    if (m && m[1] === ns && m[2] === service) out[m[3]] = (out[m[3]] ?? 0) + Number(m[4]);
  }
  return out;
}

test('expose a 3-replica nginx Deployment: endpoints, endpointslices, describe, and every pod gets requests', async () => {
  await k(['create', 'namespace', 'expose']);
  await k(['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '-n', 'expose']);
  await k(['expose', 'deployment', 'web', '--port=80', '-n', 'expose']);
  const pods = await readyPods('app=web', 3, 'expose');
  const ips = pods.map((p) => p.status.podIP).sort();
  await waitFor(async () => JSON.stringify(await endpointIPs('web', 'expose')) === JSON.stringify(ips), { message: 'endpoints = pod IPs' });
  const ep = await k(['get', 'endpoints', 'web', '-n', 'expose']);
  for (const ip of ips) assert.match(ep, new RegExp(`${ip.replace(/\./g, '\\.')}:80`));
  const slices = await k(['get', 'endpointslices', '-n', 'expose', '-l', 'kubernetes.io/service-name=web', '-o', 'json']);
  const sl = JSON.parse(slices).items;
  assert.equal(sl.length, 1);
  assert.equal(sl[0].metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.deepEqual(sl[0].endpoints.map((e: any) => e.addresses[0]).sort(), ips);
  assert.ok(sl[0].endpoints.every((e: any) => e.conditions.ready === true && e.conditions.serving === true && e.conditions.terminating === false && e.nodeName && e.targetRef?.kind === 'Pod'));
  assert.match(await k(['get', 'endpointslices', '-n', 'expose']), /web-\w+\s+IPv4\s+80\s+/);
  const desc = await k(['describe', 'svc', 'web', '-n', 'expose']);
  assert.match(desc, /Selector:\s+app=web/);
  assert.match(desc, /Endpoints:\s+\S*10\.88\./);

  const ip = await clusterIP('web', 'expose');
  const seen = await pages(`http://${ip}/svc-probe`, 60);
  assert.deepEqual(Object.keys(seen), ['nginx'], JSON.stringify(seen)); // nginx's 404 page also says nothing else: check hits below
  const hits = await nginxHits(pods);
  assert.equal(Object.values(hits).reduce((a, b) => a + b, 0), 60, JSON.stringify(hits));
  for (const [pod, n] of Object.entries(hits)) assert.ok(n > 0, `${pod} got no request: ${JSON.stringify(hits)}`);
  // The proxy's per-endpoint counters saw the same spread.
  const conns = await connectionsByPod('web', 'expose');
  for (const [pod, n] of Object.entries(hits)) assert.ok((conns[pod] ?? 0) >= n, `metrics ${JSON.stringify(conns)} vs logs ${JSON.stringify(hits)}`);
});

test('an unready pod (failing readiness probe) is in notReadyAddresses and gets no request', async () => {
  await k(['apply', '-n', 'expose', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'never-ready', labels: { app: 'web' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx', readinessProbe: { tcpSocket: { port: 8081 }, periodSeconds: 1 } }] },
  }) });
  const pod = await waitFor(async () => {
    const p = await c.client.get(R.pods, 'expose', 'never-ready');
    return p.status?.podIP && p.status?.phase === 'Running' ? p : undefined;
  }, { timeoutMs: 60000, message: 'never-ready running' });
  await waitFor(async () => {
    const e = await c.client.get(R.endpoints, 'expose', 'web');
    return (e.subsets ?? []).some((s: any) => (s.notReadyAddresses ?? []).some((a: any) => a.ip === pod.status.podIP));
  }, { message: 'never-ready in notReadyAddresses' });
  assert.ok(!(await endpointIPs('web', 'expose')).includes(pod.status.podIP));
  const ip = await clusterIP('web', 'expose');
  const seen = await pages(`http://${ip}/svc-probe`, 30);
  assert.deepEqual(seen, { nginx: 30 });
  assert.deepEqual(await nginxHits([pod]), { 'never-ready': 0 });
});

test('readiness changes move a pod in and out of rotation; targetPort by name', async () => {
  await k(['apply', '-n', 'expose', '-f', '-'], { input: [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'toggle', labels: { toggle: 'pod' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ name: 'web-http', containerPort: 80 }],
        readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 } }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'toggle' },
      spec: { selector: { toggle: 'pod' }, ports: [{ name: 'http', port: 8080, targetPort: 'web-http' }] } },
  ].map((o) => YAML.stringify(o)).join('---\n') });
  const pod = await waitFor(async () => {
    const p = await c.client.get(R.pods, 'expose', 'toggle');
    return p.status?.podIP && p.status?.phase === 'Running' ? p : undefined;
  }, { timeoutMs: 60000, message: 'toggle running' });
  const ip = await clusterIP('toggle', 'expose');
  await waitFor(async () => {
    const e = await c.client.get(R.endpoints, 'expose', 'toggle');
    return (e.subsets ?? []).some((s: any) => (s.notReadyAddresses ?? []).length === 1 && s.ports?.[0]?.port === 80);
  }, { message: 'unready endpoint with the named port resolved to 80' });
  assert.match(await get(`http://${ip}:8080/`), /^ERR:ECONNREFUSED$/);

  await k(['exec', '-n', 'expose', 'toggle', '--', 'touch', '/tmp/ready']);
  await waitFor(async () => (await endpointIPs('toggle', 'expose')).includes(pod.status.podIP), { message: 'ready → endpoint' });
  await waitFor(async () => page(await get(`http://${ip}:8080/`)) === 'nginx', { message: 'served once ready' });
  const slices = JSON.parse(await k(['get', 'endpointslices', '-n', 'expose', '-l', 'kubernetes.io/service-name=toggle', '-o', 'json'])).items;
  assert.deepEqual(slices[0].ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);

  await k(['exec', '-n', 'expose', 'toggle', '--', 'rm', '/tmp/ready']);
  await waitFor(async () => !(await endpointIPs('toggle', 'expose')).includes(pod.status.podIP), { message: 'unready → out' });
  await waitFor(async () => (await get(`http://${ip}:8080/`)) === 'ERR:ECONNREFUSED', { message: 'no endpoint → refused' });
  const s = (await c.client.list(R.endpointslices, 'expose', { labelSelector: 'kubernetes.io/service-name=toggle' })).items[0];
  assert.deepEqual(s.endpoints[0].conditions, { ready: false, serving: false, terminating: false });
});

test('blue/green exactly as the guide types it: create, edit the selector, patch it, and back', async () => {
  await k(['create', 'deployment', 'blue', '--image=nginx']);
  await k(['create', 'deployment', 'green', '--image=httpd']);
  await k(['create', 'service', 'clusterip', 'web', '--tcp=80']);
  await readyPods('app=blue', 1);
  await readyPods('app=green', 1);
  const ip = await clusterIP('web');
  // "which initially won't send traffic anywhere"
  assert.equal(await endpointIPs('web').then((l) => l.length), 0);
  assert.match(await get(`http://${ip}/`), /^ERR:ECONNREFUSED$/);

  // kubectl edit service web: replace `app: web` with `app: blue`, with a script as the editor.
  const editor = join(tmp, 'editor.sh');
  writeFileSync(editor, '#!/bin/sh\nsed -i "s/app: web$/app: $TO/" "$1"\n');
  chmodSync(editor, 0o755);
  await k(['edit', 'service', 'web'], { env: { EDITOR: editor, KUBE_EDITOR: editor, TO: 'blue' } });
  await waitFor(async () => (await endpointIPs('web')).length === 1, { message: 'web → blue' });
  await waitFor(async () => (await pages(`http://${ip}/`, 1)).nginx === 1, { message: 'nginx page' });
  assert.deepEqual(await pages(`http://${ip}/`, 20), { nginx: 20 });

  await k(['patch', 'service', 'web', '-p', '{"spec": {"selector": {"app": "green"}}}']);
  await waitFor(async () => (await pages(`http://${ip}/`, 1)).httpd === 1, { message: 'httpd page after patch' });
  assert.deepEqual(await pages(`http://${ip}/`, 20), { httpd: 20 });

  // And back, by editing again.
  writeFileSync(editor, '#!/bin/sh\nsed -i "s/app: green$/app: blue/" "$1"\n');
  await k(['edit', 'service', 'web'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
  await waitFor(async () => (await pages(`http://${ip}/`, 1)).nginx === 1, { message: 'nginx page again' });
  assert.deepEqual(await pages(`http://${ip}/`, 20), { nginx: 20 });
});

test('canary by labels: label one pod, label pods by selector, remove a label', async () => {
  const dep = (name: string, version: string, image: string, replicas: number) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: 'blue', version } },
      template: { metadata: { labels: { app: 'blue', version } }, spec: { containers: [{ name: 'web', image }] } },
    },
  });
  await k(['apply', '-f', '-'], { input: [
    dep('frontend-v14', 'v1.4', 'nginx', 2), dep('frontend-v15', 'v1.5', 'httpd', 1),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'frontend' }, spec: { selector: { status: 'enabled' }, ports: [{ port: 80 }] } },
  ].map((o) => YAML.stringify(o)).join('---\n') });
  const v14 = await readyPods('app=blue,version=v1.4', 2);
  await readyPods('app=blue,version=v1.5', 1);
  const ip = await clusterIP('frontend');
  assert.equal((await endpointIPs('frontend')).length, 0);

  await k(['label', 'pod', v14[0].metadata.name, 'status=enabled']);
  await waitFor(async () => (await endpointIPs('frontend')).length === 1, { message: 'one canary endpoint' });
  await waitFor(async () => (await pages(`http://${ip}/`, 1)).nginx === 1, { message: 'served by the labelled pod' });
  const before1 = await connectionsByPod('frontend');
  assert.deepEqual(await pages(`http://${ip}/`, 10), { nginx: 10 });
  const after1 = await connectionsByPod('frontend');
  assert.equal((after1[v14[0].metadata.name] ?? 0) - (before1[v14[0].metadata.name] ?? 0), 10, JSON.stringify(after1));

  await k(['label', 'pods', '-l', 'app=blue,version=v1.5', 'status=enabled']);
  await k(['label', 'pods', '-l', 'app=blue,version=v1.4', 'status=enabled', '--overwrite']);
  await waitFor(async () => (await endpointIPs('frontend')).length === 3, { message: 'three endpoints' });
  await waitFor(async () => { const s = await pages(`http://${ip}/`, 30); return s.nginx && s.httpd && !Object.keys(s).some((x) => x.startsWith('ERR')); }, { timeoutMs: 20000, message: 'mix of v1.4 and v1.5' });

  await k(['label', 'pods', '-l', 'app=blue,version=v1.4', 'status-']);
  await waitFor(async () => (await endpointIPs('frontend')).length === 1, { message: 'only v1.5 left' });
  // One httpd answer does not show the proxy has dropped the v1.4 endpoints (v1.5 was one of three before):
  // wait until 10 in a row come from httpd, then every one of the next 20 must.
  await waitFor(async () => (await pages(`http://${ip}/`, 10)).httpd === 10, { message: 'httpd only' });
  assert.deepEqual(await pages(`http://${ip}/`, 20), { httpd: 20 });
});

test('a pod resolves Services by DNS name (kube-dns 10.96.0.10) and reaches them', async () => {
  const svc = await c.client.get(R.services, 'kube-system', 'kube-dns');
  assert.equal(svc.spec.clusterIP, '10.96.0.10');
  const ip = await clusterIP('web', 'expose');
  // (The pod waits 3 s first: when other kubelite clusters share this host and its Service IPs, each proxy
  // leaves another cluster's pods alone once it has seen their IPs — see docs/services.md.)
  await k(['apply', '-n', 'expose', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dns-client' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'kubelite/busybox', command: ['sh', '-c',
      'sleep 3; cat /etc/resolv.conf; nslookup web.expose.svc.cluster.local; nslookup kubernetes.default.svc.cluster.local; echo "PAGE:$(timeout 5 wget -qO- http://web.expose/ | grep -o "Welcome to nginx" | head -1)"; echo "SHORT:$(timeout 5 wget -qO- http://web/ | grep -o "Welcome to nginx" | head -1)"; if timeout 5 nc kubernetes.default 443 </dev/null; then echo API:connected; else echo API:failed; fi'] }] },
  }) });
  const logs = await waitFor(async () => {
    const p = await c.client.get(R.pods, 'expose', 'dns-client');
    if (p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') return undefined;
    return (await c.kubectl(['logs', 'dns-client', '-n', 'expose'])).stdout;
  }, { timeoutMs: 90000, message: 'dns-client finished' });
  assert.match(logs, /nameserver 10\.96\.0\.10/);
  assert.match(logs, /search expose\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
  assert.match(logs, new RegExp(`Name:\\s+web\\.expose\\.svc\\.cluster\\.local\\s+Address:\\s+${ip.replace(/\./g, '\\.')}`));
  assert.match(logs, /Name:\s+kubernetes\.default\.svc\.cluster\.local\s+Address:\s+10\.96\.0\.1\b/);
  assert.match(logs, /PAGE:Welcome to nginx/); // <svc>.<ns> through the search list
  assert.match(logs, /SHORT:Welcome to nginx/); // <svc> in the pod's own namespace
  assert.match(logs, /API:connected/); // the kubernetes Service reaches the API server from a pod
  // Cluster DNS listens only where pods reach it: the pod bridge's gateway, not the host's external addresses.
  const ep = await c.client.get(R.endpoints, 'kube-system', 'kube-dns');
  const addr = ep.subsets[0].addresses[0].ip as string;
  const port = ep.subsets[0].ports.find((p: any) => p.protocol === 'TCP').port as number;
  assert.equal(addr, '10.88.0.1', 'the pod bridge gateway');
  const external = Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal && a.address !== addr).map((a) => a!.address);
  for (const host of external) {
    const refused = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ host, port }, () => { sock.destroy(); resolve(false); });
      sock.on('error', () => resolve(true));
      sock.setTimeout(3000, () => { sock.destroy(); resolve(true); });
    });
    assert.ok(refused, `cluster DNS answers on ${host}:${port}`);
  }
});

test('NodePort is reachable on the node; port-forward svc/NAME reaches a pod', async () => {
  await k(['create', 'deployment', 'np-web', '--image=nginx']);
  await k(['create', 'service', 'nodeport', 'np-web', '--tcp=80:80']);
  await readyPods('app=np-web', 1);
  const np = (await c.client.get(R.services, 'default', 'np-web')).spec.ports[0].nodePort;
  assert.ok(np >= 30000 && np <= 32767);
  await waitFor(async () => (await endpointIPs('np-web')).length === 1, { message: 'np-web endpoints' });
  assert.match(await k(['get', 'svc', 'np-web']), new RegExp(`NodePort\\s+\\S+\\s+<none>\\s+80:${np}/TCP`));
  await waitFor(async () => page(await get(`http://127.0.0.1:${np}/`)) === 'nginx', { message: 'NodePort on 127.0.0.1' });

  const port = await freePort();
  const pf = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'port-forward', '-n', 'expose', 'svc/web', `${port}:80`], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const body = await waitFor(async () => { const b = await get(`http://127.0.0.1:${port}/`); return page(b) === 'nginx' ? b : undefined; }, { timeoutMs: 30000, message: 'port-forward svc/web' });
    assert.match(body, /Welcome to nginx/);
  } finally { pf.kill('SIGTERM'); }
});
