/**
 * The resource-metrics pipeline between a node agent's streaming server and metrics.k8s.io, in-process: a real API
 * server (SQLite store) with its resource-metrics component, a real kubelet streaming server whose
 * /metrics/resource renders scripted samples (the CRI side is covered by node-agent.test.ts and the e2e test).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServer } from '../../../src/apiserver/server.ts';
import { ensurePki } from '../../../src/apiserver/tls.ts';
import { openSqliteStore } from '../../../src/storage/sqlite.ts';
import { ServiceAllocators } from '../../../src/apiserver/allocators.ts';
import { ResourceMetrics, registryReader } from '../../../src/apiserver/metrics/scraper.ts';
import { startKubeletServer } from '../../../src/kubelet/server/index.ts';
import { renderResourceMetrics } from '../../../src/kubelet/resource-metrics.ts';
import { KubeClient } from '../../../src/client/client.ts';
import { KubeletClient } from '../../../src/apiserver/kubelet-client.ts';
import { issueNodeCredentials } from '../../../src/cli/node-credentials.ts';
import { R } from '../../../src/client/resources.ts';

test('metrics.k8s.io serves PodMetrics and NodeMetrics scraped from a node agent with the API server\'s own identity', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-metrics-api-'));
  const store = openSqliteStore(join(dir, 'state.db'));
  const pki = ensurePki(dir, ['127.0.0.1']);
  const kubeletClient = new KubeletClient({ ca: pki.caCert, cert: pki.kubeletClientCert, key: pki.kubeletClientKey });
  const metrics = new ResourceMetrics({ kubelet: kubeletClient, resolutionMs: 3_600_000, log: () => undefined });
  const api = createApiServer({ store, pki, kubelet: kubeletClient, rest: { allocators: new ServiceAllocators(store), metrics }, log: () => undefined });
  const creds = issueNodeCredentials(pki, 'n1', ['127.0.0.1']);
  let kubelet: { port: number; close(): Promise<void> } | undefined;
  const admin = (port: number) => new KubeClient({ server: `https://127.0.0.1:${port}`, ca: pki.caCert, token: pki.adminToken });
  let client: KubeClient | undefined;
  let nodeClient: KubeClient | undefined;
  try {
    await api.listen(0, '127.0.0.1');
    const port = (api.httpServer.address() as { port: number }).port;
    client = admin(port);
    // The node agent acts with its own node credential (it reviews callers' access with it).
    nodeClient = new KubeClient({ server: `https://127.0.0.1:${port}`, ca: pki.caCert, cert: creds.client.cert, key: creds.client.key });

    // The node agent: scripted samples, 10 s apart, 0.1 core per container and 2 cores for the node.
    let scrapes = 0;
    kubelet = await startKubeletServer({
      client: nodeClient, tls: { ...creds.serving, ca: pki.caCert }, containerd: { address: '/nonexistent.sock' }, port: 0, address: '127.0.0.1', nodeName: 'n1', log: () => undefined,
      resourceMetrics: async () => {
        const t = 1_700_000_000_000 + scrapes * 10_000;
        scrapes++;
        return renderResourceMetrics({ timestampMs: t, cpuCoreSeconds: 1000 + scrapes * 20, memoryWorkingSetBytes: 3 * 1024 ** 3 }, [
          { namespace: 'default', pod: 'web', container: 'app', startTimeSeconds: 1_600_000_000, timestampMs: t, cpuCoreSeconds: 5 + scrapes, memoryWorkingSetBytes: 20 * 1024 * 1024 },
          { namespace: 'default', pod: 'idle', container: 'app', startTimeSeconds: 1_600_000_000, timestampMs: t, cpuCoreSeconds: 1, memoryWorkingSetBytes: 1000 },
        ]);
      },
    });
    const kport = kubelet.port;

    await client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    await client.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone: 'a' } } });
    await client.request('PATCH', '/api/v1/nodes/n1/status', { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kport } } } }, 'application/merge-patch+json');
    for (const [name, phase] of [['web', 'Running'], ['idle', 'Running'], ['pending', 'Pending']]) {
      await client.create(R.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'x' }] } });
      await client.request('PATCH', `/api/v1/namespaces/default/pods/${name}/status`, { status: { phase } }, 'application/merge-patch+json');
    }

    // Before any scrape: empty lists, 404 for one object.
    metrics.start(registryReader(api.registry, api.defFor));
    await metrics.stop(); // only the first (immediate) scrape ran
    const none = await client.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
    assert.deepEqual(none.items, [], 'one point per container is not a rate yet');
    await metrics.scrapeOnce();

    const list = await client.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
    assert.equal(list.kind, 'PodMetricsList');
    assert.deepEqual(list.items.map((p: any) => p.metadata.name), ['idle', 'web'], 'Running pods with two points, by name; the Pending pod is left out');
    const web = list.items[1];
    assert.deepEqual(web.containers, [{ name: 'app', usage: { cpu: '100m', memory: '20Mi' } }]);
    assert.equal(web.window, '10s');
    assert.equal(web.timestamp, '2023-11-14T22:13:30Z');
    assert.deepEqual(web.metadata.labels, { app: 'web' });
    assert.deepEqual(list.items[0].containers[0].usage, { cpu: '0', memory: '1000' });

    const selected = await client.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb');
    assert.deepEqual(selected.items.map((p: any) => p.metadata.name), ['web']);
    const one = await client.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web');
    assert.equal(one.kind, 'PodMetrics');
    await assert.rejects(client.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/pending'),
      (e: any) => e.code === 404 && e.message === 'pods.metrics.k8s.io "default/pending" not found');
    await assert.rejects(client.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nosuch'),
      (e: any) => e.code === 404 && /pods "nosuch" not found/.test(e.message));
    await assert.rejects(client.request('POST', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { kind: 'PodMetrics' }), (e: any) => e.code === 405);

    const nodes = await client.request('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    assert.deepEqual(nodes.items.map((n: any) => [n.metadata.name, n.usage, n.metadata.labels]), [['n1', { cpu: '2', memory: '3Gi' }, { zone: 'a' }]]);

    const disc = await client.request('GET', '/apis/metrics.k8s.io/v1beta1');
    assert.deepEqual(disc.resources.map((r: any) => [r.name, r.kind, r.verbs]), [['nodes', 'NodeMetrics', ['get', 'list']], ['pods', 'PodMetrics', ['get', 'list']]]);

    // The kubelet endpoint itself: HTTPS only; no credential or a token the API server rejects is 401; the API
    // server's client certificate and the admin's token (TokenReview, then SubjectAccessReview) are let in.
    const get = (o: { token?: string; cert?: string; key?: string }) => new Promise<number>((resolve, reject) => {
      https.get({ host: '127.0.0.1', port: kport, path: '/metrics/resource', ca: pki.caCert, cert: o.cert, key: o.key, agent: false,
        headers: o.token ? { Authorization: `Bearer ${o.token}` } : {} }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject);
    });
    assert.equal(await get({}), 401);
    assert.equal(await get({ token: 'not-a-token' }), 401);
    assert.equal(await get({ cert: pki.kubeletClientCert, key: pki.kubeletClientKey }), 200);
    assert.equal(await get({ token: pki.adminToken }), 200);
    await assert.rejects(fetch(`http://127.0.0.1:${kport}/metrics/resource`), 'plain HTTP is not served');
  } finally {
    client?.close();
    nodeClient?.close();
    await kubelet?.close();
    await metrics.stop();
    await api.close();
    kubeletClient.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
