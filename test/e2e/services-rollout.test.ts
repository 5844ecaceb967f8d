/**
 * No dropped requests during a rolling update when the app is well behaved: a Deployment with a readiness
 * probe is rolled (nginx → httpd, `kubectl set image`) under a steady load through its ClusterIP, a new
 * connection per request, every request recorded. New pods join only once Ready; terminating pods leave
 * rotation before SIGTERM (the kubelet's endpoint drain, src/proxy/drain.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { R } from '../../src/client/resources.ts';

let c: Cluster;
before(async () => { c = await startCluster({ node: true }); });
after(async () => { await c?.stop(); });

function get(url: string): Promise<{ ok: boolean; body: string; err?: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, headers: { Connection: 'close' }, timeout: 5000 }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve({ ok: res.statusCode === 200, body: b, err: res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}` }));
      res.on('error', (e) => resolve({ ok: false, body: '', err: (e as NodeJS.ErrnoException).code }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve({ ok: false, body: '', err: (e as NodeJS.ErrnoException).code }));
  });
}

test('a 4-replica rolling update under load drops no request', async () => {
  const dep = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'roll' },
    spec: {
      replicas: 4, selector: { matchLabels: { app: 'roll' } },
      template: { metadata: { labels: { app: 'roll' } }, spec: {
        terminationGracePeriodSeconds: 5,
        containers: [{ name: 'web', image: 'nginx', readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 } }],
      } },
    },
  };
  let r = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(dep) });
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['expose', 'deployment', 'roll', '--port=80']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(async () => {
    const e = await c.client.get(R.endpoints, 'default', 'roll');
    return (e.subsets ?? []).reduce((n: number, s: any) => n + (s.addresses ?? []).length, 0) === 4;
  }, { timeoutMs: 120000, message: '4 ready endpoints' });
  const ip = (await c.client.get(R.services, 'default', 'roll')).spec.clusterIP;

  // Steady load: 40 requests/s, each on its own connection, all recorded.
  const results: { ok: boolean; body: string; err?: string }[] = [];
  const inflight = new Set<Promise<void>>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const p = get(`http://${ip}/`).then((x) => { results.push(x); });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      await new Promise((res) => setTimeout(res, 25));
    }
  })();
  await new Promise((res) => setTimeout(res, 2000));
  r = await c.kubectl(['set', 'image', 'deployment/roll', 'web=httpd']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(async () => {
    const d = await c.client.get(R.deployments, 'default', 'roll');
    const s = d.status ?? {};
    const pods = await c.client.list(R.pods, 'default', { labelSelector: 'app=roll' });
    return s.observedGeneration >= d.metadata.generation && s.updatedReplicas === 4 && s.availableReplicas === 4 && pods.items.length === 4;
  }, { timeoutMs: 180000, intervalMs: 250, message: 'rollout complete, old pods gone' });
  await new Promise((res) => setTimeout(res, 2000));
  running = false;
  await loop;
  await Promise.all([...inflight]);

  const failed = results.filter((x) => !x.ok);
  const nginx = results.filter((x) => /Welcome to nginx/.test(x.body)).length;
  const httpd = results.filter((x) => /It works!/.test(x.body)).length;
  assert.ok(results.length > 100, `only ${results.length} requests`);
  assert.deepEqual(failed.map((x) => x.err), [], `${failed.length} of ${results.length} failed`);
  assert.ok(nginx > 0 && httpd > 0, `nginx ${nginx}, httpd ${httpd}`);
  assert.equal(nginx + httpd, results.length);
  // After the rollout only the new version answers.
  assert.match(results[results.length - 1].body, /It works!/);
});
