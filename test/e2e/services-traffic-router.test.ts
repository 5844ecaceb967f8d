/**
 * The service proxy's L7 traffic router with `kubelite up`, the real kubectl and real containers: nine nginx pods
 * behind the Service `web`, one httpd pod behind `web-canary`; `web` annotated with
 * traffic.kubelite.io/canary-service=web-canary and canary-weight=20 (as the rollout controller does). Requests to
 * web's ClusterIP (keep-alive, from this host), to its nodePort and from a pod are split per request; the
 * measurements (GET /traffic, /metrics) agree with the client's own counts; weight 50 applies at runtime; removing
 * the annotation returns the Service to plain DNAT (nginx only) and stops HAProxy.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { startCluster, waitFor, run, type Cluster } from './harness.ts';
import { R } from '../../src/client/resources.ts';
import { defaultRouterDir, instanceForDataDir } from '../../src/proxy/proxy.ts';

let c: Cluster;
before(async () => { c = await startCluster({ node: true }); });
after(async () => { await c?.stop(); });

async function k(args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, { input, timeoutMs: 60000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const page = (body: string) => (/Welcome to nginx/.test(body) ? 'nginx' : /It works!/.test(body) ? 'httpd' : body.startsWith('ERR:') ? body : `other:${body.slice(0, 40)}`);

/** A keep-alive client: GET → page name; counts the connections it opened. */
function keepAliveClient(maxSockets = 4) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  let opened = 0;
  const orig = agent.createConnection.bind(agent);
  (agent as any).createConnection = (...a: any[]) => { opened++; return (orig as any)(...a); };
  const get = (url: string) => new Promise<string>((resolve) => {
    const req = http.get(url, { agent, timeout: 5000 }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve(page(b)));
      res.on('error', (e) => resolve(`ERR:${(e as NodeJS.ErrnoException).code}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve(`ERR:${(e as NodeJS.ErrnoException).code}`));
  });
  /** n requests, `concurrency` at a time over the agent's connections. */
  const tally = async (url: string, n: number, concurrency = maxSockets) => {
    const out: Record<string, number> = {};
    let left = n;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (left-- > 0) { const p = await get(url); out[p] = (out[p] ?? 0) + 1; }
    }));
    return out;
  };
  return { agent, get, tally, opened: () => opened };
}

function metricsBase(): string {
  const m = /metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(c.output());
  assert.ok(m, 'the proxy printed its metrics address');
  return m![1];
}
async function traffic(qs: string): Promise<any> {
  const r = await fetch(`${metricsBase()}/traffic?${qs}`);
  assert.equal(r.status, 200);
  return r.json();
}
async function natRules(): Promise<string> {
  const r = await run('iptables-save', ['-t', 'nat']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}
/** Is web's ClusterIP DNATed to the router (true) or to endpoint chains (false)? */
async function routed(ip: string): Promise<boolean> {
  const lines = (await natRules()).split('\n').filter((l) => l.includes(`-d ${ip}/32`));
  return lines.some((l) => /traffic router.*--to-destination 127\.0\.0\.1:\d+/.test(l));
}

const deployment = (name: string, image: string, replicas: number, hash: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: 'web', 'rollouts-pod-template-hash': hash } },
    template: {
      metadata: { labels: { app: 'web', 'rollouts-pod-template-hash': hash } },
      spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'web', image, readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 } }] },
    },
  },
});
const service = (name: string, hash: string, extra: any = {}) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, ...(extra.metadata ?? {}) },
  spec: { selector: { app: 'web', 'rollouts-pod-template-hash': hash }, ports: [{ name: 'http', port: 80, targetPort: 80 }], ...(extra.spec ?? {}) },
});

let ip = '';
let nodePort = 0;

test('weight 20 with nine stable pods and one canary pod: 20% ± 3 of 2,000 keep-alive requests, measured as the client saw them', async (ctx) => {
  await k(['apply', '-f', '-'], [
    deployment('web-stable', 'nginx', 9, 'stable1'),
    deployment('web-canary', 'httpd', 1, 'canary1'),
    service('web-canary', 'canary1'),
    service('web', 'stable1', {
      metadata: { annotations: { 'traffic.kubelite.io/canary-service': 'web-canary', 'traffic.kubelite.io/canary-weight': '20' } },
      spec: { type: 'NodePort' },
    }),
  ].map((o) => YAML.stringify(o)).join('---\n'));
  const ready = async (name: string) => {
    const e = await c.client.get(R.endpoints, 'default', name).catch(() => undefined);
    return (e?.subsets ?? []).reduce((n: number, s: any) => n + (s.addresses ?? []).length, 0);
  };
  await waitFor(async () => (await ready('web')) === 9 && (await ready('web-canary')) === 1, { timeoutMs: 180000, intervalMs: 500, message: '9 stable + 1 canary ready endpoints' });
  const svc = await c.client.get(R.services, 'default', 'web');
  ip = svc.spec.clusterIP;
  nodePort = svc.spec.ports[0].nodePort;
  await waitFor(() => routed(ip), { timeoutMs: 30000, message: 'web ClusterIP DNATed to the traffic router' });
  // Both sides must be in HAProxy before counting: wait until the canary answers once.
  const warm = keepAliveClient(1);
  await waitFor(async () => (await warm.get(`http://${ip}/`)) === 'httpd', { timeoutMs: 30000, intervalMs: 20, message: 'the canary answers through the router' });
  warm.agent.destroy();
  const W = 'namespace=default&service=web&window=600';
  const settled = async () => { // the warm-up's log lines are all in
    let last = -1;
    return waitFor(async () => { const n = (await traffic(W)).requests; const same = n === last; last = n; return same; }, { intervalMs: 300, message: 'measurements settle' });
  };
  await settled();
  const before = { stable: await traffic(`${W}&backend=stable`), canary: await traffic(`${W}&backend=canary`) };

  const cl = keepAliveClient(4);
  const t = await cl.tally(`http://${ip}/`, 2000);
  cl.agent.destroy();
  assert.deepEqual(Object.keys(t).sort(), ['httpd', 'nginx'], JSON.stringify(t));
  assert.equal(t.nginx + t.httpd, 2000);
  const share = t.httpd / 2000;
  ctx.diagnostic(`weight 20: canary ${t.httpd} of 2000 (${(share * 100).toFixed(1)}%) over ${cl.opened()} connections`);
  assert.ok(Math.abs(share - 0.2) <= 0.03, `canary share ${share} (${JSON.stringify(t)})`);
  assert.ok(cl.opened() <= 4, `keep-alive: ${cl.opened()} connections for 2,000 requests`);

  // GET /traffic agrees with the client, per backend and revision (it answers from the same object the analysis
  // controller gets in-process).
  await waitFor(async () => (await traffic(W)).requests - before.stable.requests - before.canary.requests === 2000, { timeoutMs: 10000, message: '2,000 requests measured' });
  const canary = await traffic(`${W}&backend=canary&revision=canary1`);
  const stable = await traffic(`${W}&backend=stable&revision=stable1`);
  assert.equal(canary.requests - before.canary.requests, t.httpd);
  assert.equal(stable.requests - before.stable.requests, t.nginx);
  assert.equal(canary.codes['2xx'] - before.canary.codes['2xx'], t.httpd);
  assert.equal(stable.codes['2xx'] - before.stable.codes['2xx'], t.nginx);
  assert.equal(canary.failures + stable.failures, 0);
  assert.ok(canary.latencySeconds.p50 !== null && canary.latencySeconds.p99 >= canary.latencySeconds.p50);
  assert.equal((await traffic(`${W}&backend=canary&revision=stable1`)).requests, 0);
  const items = (await traffic('namespace=default&window=600')).items;
  assert.deepEqual(items.map((i: any) => `${i.service}/${i.backend}/${i.revision}`), ['web/canary/canary1', 'web/stable/stable1']);
  // /metrics carries the same cumulative counts.
  const metrics = await (await fetch(`${metricsBase()}/metrics`)).text();
  const counter = (backend: string, rev: string) => Number(new RegExp(`kubelite_traffic_requests_total\\{namespace="default",service="web",backend="${backend}",revision="${rev}",code="2xx"\\} (\\d+)`).exec(metrics)?.[1]);
  assert.equal(counter('canary', 'canary1'), canary.codes['2xx']);
  assert.equal(counter('stable', 'stable1'), stable.codes['2xx']);
  assert.match(metrics, /kubelite_traffic_request_duration_seconds_count\{namespace="default",service="web",backend="canary",revision="canary1"\} \d+/);
});

test('the nodePort and requests from a pod go through the router too', async (ctx) => {
  const cl = keepAliveClient(2);
  const t = await cl.tally(`http://127.0.0.1:${nodePort}/`, 200);
  cl.agent.destroy();
  assert.deepEqual(Object.keys(t).sort(), ['httpd', 'nginx'], `nodePort ${nodePort}: ${JSON.stringify(t)}`);

  // A pod asks the ClusterIP 60 times, a new connection each: with plain DNAT only nginx (web selects the stable
  // pods) could answer; through the router about 12 of them come from the canary's httpd.
  const before = (await traffic('namespace=default&service=web&window=600')).requests;
  await k(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'kubelite/busybox', command: ['sh', '-c',
      `for i in $(seq 1 60); do timeout 5 wget -qO- http://${ip}/ | grep -o -e "Welcome to nginx" -e "It works" | head -1; done`] }] },
  }));
  const logs = await waitFor(async () => {
    const p = await c.client.get(R.pods, 'default', 'client');
    if (p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') return undefined;
    return (await c.kubectl(['logs', 'client'])).stdout;
  }, { timeoutMs: 120000, message: 'client pod finished' });
  const nginx = logs.split('\n').filter((l) => l === 'Welcome to nginx').length;
  const httpd = logs.split('\n').filter((l) => l === 'It works').length;
  assert.equal(nginx + httpd, 60, logs);
  assert.ok(httpd > 0, `the canary answered the pod ${httpd} times of 60`);
  ctx.diagnostic(`from a pod: canary ${httpd} of 60`);
  await waitFor(async () => (await traffic('namespace=default&service=web&window=600')).requests - before >= 60, { timeoutMs: 10000, message: "the pod's requests are measured" });
  await k(['delete', 'pod', 'client', '--wait=false']);
});

test('weight 50 applies at runtime; removing the annotation returns to plain DNAT and stops HAProxy', async (ctx) => {
  const cl = keepAliveClient(4);
  await k(['annotate', 'service', 'web', 'traffic.kubelite.io/canary-weight=50', '--overwrite']);
  // Applied once a batch shows it (the proxy applies it within a watch round trip).
  await waitFor(async () => { const t = await cl.tally(`http://${ip}/`, 200); return Math.abs((t.httpd ?? 0) / 200 - 0.5) <= 0.1; }, { timeoutMs: 30000, message: 'weight 50 applied' });
  const t = await cl.tally(`http://${ip}/`, 1000);
  assert.equal((t.nginx ?? 0) + (t.httpd ?? 0), 1000, JSON.stringify(t));
  ctx.diagnostic(`weight 50: canary ${t.httpd} of 1000`);
  assert.ok(Math.abs(t.httpd / 1000 - 0.5) <= 0.04, `canary share ${t.httpd / 1000}`);
  assert.ok(cl.opened() <= 4, `the weight change kept the connections (${cl.opened()} opened)`);

  const pidFile = join(defaultRouterDir(instanceForDataDir(c.dataDir)), 'haproxy.pid');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  assert.doesNotThrow(() => process.kill(pid, 0));
  await k(['annotate', 'service', 'web', 'traffic.kubelite.io/canary-service-', 'traffic.kubelite.io/canary-weight-']);
  await waitFor(async () => !(await routed(ip)), { timeoutMs: 30000, message: 'web back to plain DNAT' });
  cl.agent.destroy();
  const plain = keepAliveClient(1);
  const after = await plain.tally(`http://${ip}/`, 100);
  plain.agent.destroy();
  assert.deepEqual(after, { nginx: 100 });
  await waitFor(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, { timeoutMs: 15000, message: 'haproxy stopped' });
});

test('stopping the cluster removes the router directory and every rule for the Service', async () => {
  const dir = defaultRouterDir(instanceForDataDir(c.dataDir));
  assert.equal(existsSync(dir), true);
  await c.stop();
  assert.equal(existsSync(dir), false);
  assert.doesNotMatch(await natRules(), new RegExp(`-d ${ip.replace(/\./g, '\\.')}/32`));
});
