/**
 * The node agent's request attributes: upstream's kubelet mapping (pkg/kubelet/server/auth.go GetRequestAttributes)
 * of HTTP method and path to the SubjectAccessReview it asks about the node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestAttributes } from '../../../src/kubelet/server/auth.ts';
import { startKubeletServer } from '../../../src/kubelet/server/index.ts';
import { KubeClient } from '../../../src/client/client.ts';
import { ensurePki, issueCertificate } from '../../../src/apiserver/tls.ts';
import { issueNodeCredentials } from '../../../src/cli/node-credentials.ts';
import { startTestApiServer } from '../apiserver/inprocess.ts';

test('subresource by path, as upstream\'s kubelet: stats, metrics, log, checkpoint, else proxy', () => {
  const cases: [string, string][] = [
    ['/stats', 'stats'], ['/stats/', 'stats'], ['/stats/summary', 'stats'], ['/statsfoo', 'proxy'],
    ['/metrics', 'metrics'], ['/metrics/resource', 'metrics'], ['/metrics/cadvisor', 'metrics'], ['/metricsfoo', 'proxy'],
    ['/logs', 'log'], ['/logs/kubelet.log', 'log'],
    ['/checkpoint/ns/pod/c', 'checkpoint'],
    ['/containerLogs/ns/pod/c', 'proxy'], ['/exec/ns/pod/c', 'proxy'], ['/attach/ns/pod/c', 'proxy'], ['/portForward/ns/pod', 'proxy'],
    ['/pods', 'proxy'], ['/runningpods/', 'proxy'], ['/healthz', 'proxy'], ['/configz', 'proxy'], ['/', 'proxy'],
  ];
  for (const [path, sub] of cases) assert.equal(requestAttributes('GET', path).subresource, sub, path);
});

test('verb by method: GET and HEAD get, POST create, PUT update, PATCH patch, DELETE delete', () => {
  const cases: [string, string][] = [['GET', 'get'], ['HEAD', 'get'], ['POST', 'create'], ['PUT', 'update'], ['PATCH', 'patch'], ['DELETE', 'delete'], ['OPTIONS', 'options']];
  for (const [method, verb] of cases) assert.equal(requestAttributes(method, '/exec/ns/p/c').verb, verb, method);
});

test('the node agent\'s server authenticates every caller and authorizes it by SubjectAccessReview, with its node credential', async () => {
  const t = await startTestApiServer('kubelet-auth');
  const pki = t.server.pki;
  const creds = issueNodeCredentials(pki, 'n1', ['127.0.0.1']);
  const nodeClient = new KubeClient({ server: t.server.url, ca: pki.caCert, cert: creds.client.cert, key: creds.client.key });
  const kubelet = await startKubeletServer({
    client: nodeClient, tls: { ...creds.serving, ca: pki.caCert }, containerd: { address: '/nonexistent.sock' }, port: 0, address: '127.0.0.1',
    nodeName: 'n1', log: () => undefined, resourceMetrics: async () => 'node_cpu_usage_seconds_total 1 1700000000000\n',
  });
  const get = (path: string, o: { cert?: string; key?: string; token?: string; method?: string } = {}) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: kubelet.port, path, method: o.method ?? 'GET', ca: pki.caCert, cert: o.cert, key: o.key, agent: false,
      headers: o.token ? { Authorization: `Bearer ${o.token}` } : {} }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end();
  });
  try {
    // No credential, a wrong token, a certificate of another CA: 401.
    assert.deepEqual(await get('/healthz'), { status: 401, text: 'Unauthorized' });
    assert.deepEqual(await get('/healthz', { token: 'not-a-token' }), { status: 401, text: 'Unauthorized' });
    const otherDir = mkdtempSync(join(tmpdir(), 'kubelite-otherca-'));
    const otherCa = ensurePki(otherDir);
    rmSync(otherDir, { recursive: true, force: true });
    const forged = issueCertificate(otherCa, { cn: 'kube-apiserver-kubelet-client', usage: 'client' });
    assert.deepEqual(await get('/metrics/resource', forged), { status: 401, text: 'Unauthorized' });
    // A user of this CA without rights: 403 in upstream's words, per subresource.
    const eve = issueCertificate(pki, { cn: 'eve', groups: ['devs'], usage: 'client' });
    assert.deepEqual(await get('/metrics/resource', eve), { status: 403, text: 'Forbidden (user=eve, verb=get, resource=nodes, subresource=metrics)' });
    assert.deepEqual(await get('/exec/default/p/c?command=id', { ...eve, method: 'POST' }), { status: 403, text: 'Forbidden (user=eve, verb=create, resource=nodes, subresource=proxy)' });
    // The node itself has no nodes/proxy rights.
    assert.deepEqual(await get('/healthz', creds.client), { status: 403, text: 'Forbidden (user=system:node:n1, verb=get, resource=nodes, subresource=proxy)' });
    // The API server's certificate (system:kubelet-api-admin) and the admin's token (system:masters) are let in.
    assert.deepEqual(await get('/metrics/resource', { cert: pki.kubeletClientCert, key: pki.kubeletClientKey }), { status: 200, text: 'node_cpu_usage_seconds_total 1 1700000000000\n' });
    assert.deepEqual(await get('/healthz', { token: pki.adminToken }), { status: 200, text: 'ok' });
    // Granting eve nodes/metrics and nodes/stats: a question not asked before is answered at once; the metrics
    // denial is remembered for 30 s (upstream's webhook cache).
    await t.client.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'scraper' }, rules: [{ apiGroups: [''], resources: ['nodes/metrics', 'nodes/stats'], verbs: ['get'] }] });
    await t.client.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'scraper' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'scraper' }, subjects: [{ kind: 'User', name: 'eve', apiGroup: 'rbac.authorization.k8s.io' }] });
    // The API server's RBAC cache follows the store's watch: wait until it says yes before asking the agent.
    const sar = () => t.client.request<any>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { user: 'eve', groups: ['devs', 'system:authenticated'], resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'stats', name: 'n1', version: 'v1' } } });
    for (let i = 0; i < 100 && !(await sar()).status?.allowed; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await get('/stats/summary', { ...eve, method: 'HEAD' })).status, 404, 'allowed (get nodes/stats), and not served');
    assert.equal((await get('/metrics/resource', eve)).status, 403, 'the earlier denial is still cached');
    // Plain HTTP is not served.
    await assert.rejects(fetch(`http://127.0.0.1:${kubelet.port}/healthz`));
  } finally {
    await kubelet.close();
    nodeClient.close();
    await t.stop();
  }
});
