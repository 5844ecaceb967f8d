/**
 * Node identity and the node agent's server, with a real cluster, a real node agent and the real kubectl:
 *  - the local node's own credential (`<data-dir>/pki/nodes/kubelite/kubelet.kubeconfig`, system:node:kubelite)
 *    reads a Secret its pod uses but not one no pod on it uses (403, the Node authorizer's reason), cannot patch
 *    another Node (403, NodeRestriction's message), can update its own Node's status;
 *  - the node agent's server is HTTPS on 127.0.0.1 only: plain HTTP fails, the host's external address refuses,
 *    a caller without a credential gets 401, a caller the API server does not authorize gets 403 (upstream's
 *    kubelet text), the admin's token (TokenReview + SubjectAccessReview) is let in;
 *  - kubectl logs, exec, port-forward and top still work through the API server's kubelet-client certificate.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import * as net from 'node:net';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, waitFor, freePort, type Cluster } from './harness.ts';
import { cleanup, isReady, kjson, kubectlOk, reapLeftovers } from './node-helpers.ts';
import { issueCertificate } from '../../src/apiserver/tls.ts';
import { readCertKubeconfig } from '../../src/cli/kubeconfig.ts';
import { R } from '../../src/client/resources.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';

let c: Cluster;
let nodeKc: string;
const NODE = 'kubelite';

before(async () => {
  c = await startCluster({ node: true, env: { KUBELITE_METRIC_RESOLUTION: '5s' } });
  nodeKc = join(c.dataDir, 'pki', 'nodes', NODE, 'kubelet.kubeconfig');
  await kubectlOk(c, ['create', 'secret', 'generic', 'used', '--from-literal=word=hello']);
  await kubectlOk(c, ['create', 'secret', 'generic', 'unused', '--from-literal=word=secret']);
  await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { e2e: 'node-identity' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'nginx', image: 'nginx', env: [{ name: 'WORD', valueFrom: { secretKeyRef: { name: 'used', key: 'word' } } }] }],
    },
  }) });
  // A Node with no agent behind it: the one our node must not be able to change.
  await c.client.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'other-node' } });
  await waitFor(async () => isReady(await c.client.get<Pod>(R.pods, 'default', 'web')), { timeoutMs: 120_000, intervalMs: 500, message: 'pod web running' });
}, { timeout: 300_000 });

after(async () => {
  if (c) {
    await cleanup(c, ['pod web'], 'e2e=node-identity').catch(() => {});
    await c.stop();
  }
  await reapLeftovers();
});

const asNode = (args: string[]) => c.kubectl(['--kubeconfig', nodeKc, ...args]);

test('the node reads the Secret its pod uses, not one no pod on it uses', async () => {
  const whoami = await asNode(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}']);
  assert.equal(whoami.code, 0, whoami.stderr);
  assert.match(whoami.stdout, /^system:node:kubelite \["system:nodes","system:authenticated"\]$/);
  const used = await asNode(['get', 'secret', 'used', '-o', 'jsonpath={.data.word}']);
  assert.equal(used.code, 0, used.stderr);
  assert.equal(Buffer.from(used.stdout, 'base64').toString(), 'hello');
  const unused = await asNode(['get', 'secret', 'unused']);
  assert.equal(unused.code, 1);
  assert.equal(unused.stderr.trim(), 'Error from server (Forbidden): secrets "unused" is forbidden: User "system:node:kubelite" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'kubelite\' and this object');
  const list = await asNode(['get', 'secrets']);
  assert.equal(list.code, 1);
  assert.match(list.stderr, /secrets is forbidden: User "system:node:kubelite" cannot list resource "secrets" in API group "" in the namespace "default"/);
  // Its own pods, by the field selector the node agent watches with; not everybody's.
  assert.match(await kubectlOk(c, ['--kubeconfig', nodeKc, 'get', 'pods', '-A', '--field-selector', `spec.nodeName=${NODE}`]), /\bweb\b/);
  const all = await asNode(['get', 'pods', '-A']);
  assert.equal(all.code, 1);
  assert.match(all.stderr, /can only list\/watch pods with spec.nodeName field selector/);
});

test('the node cannot change another Node, and updates its own status', async () => {
  // kubectl patch reads the Node first: the Node authorizer lets a node read only its own (as 1.32's).
  const other = await asNode(['patch', 'node', 'other-node', '--type=merge', '-p', '{"metadata":{"labels":{"stolen":"yes"}}}']);
  assert.equal(other.code, 1);
  assert.equal(other.stderr.trim(), 'Error from server (Forbidden): nodes "other-node" is forbidden: User "system:node:kubelite" cannot get resource "nodes" in API group "" at the cluster scope: node \'kubelite\' cannot read \'other-node\', only its own Node object');
  // Writing it blind (PUT; nodes may update nodes) is refused by NodeRestriction.
  const put = await c.kubectl(['--kubeconfig', nodeKc, 'replace', '--raw', '/api/v1/nodes/other-node', '-f', '-'],
    { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'other-node', labels: { stolen: 'yes' } } }) });
  assert.equal(put.code, 1);
  assert.equal(put.stderr.trim(), 'Error from server (Forbidden): nodes "other-node" is forbidden: node "kubelite" is not allowed to modify node "other-node"');
  assert.equal((await kjson(c, ['get', 'node', 'other-node'])).metadata.labels?.stolen, undefined);
  const taint = await asNode(['taint', 'node', NODE, 'e2e=yes:NoSchedule']);
  assert.equal(taint.code, 1);
  assert.match(taint.stderr, /nodes "kubelite" is forbidden: node "kubelite" is not allowed to modify taints/);
  // Its own status, as the node agent writes it: read its Node, write the status subresource (the Node authorizer
  // allows update/patch of nodes/status, not get — so no `kubectl patch --subresource=status`, as upstream).
  const self = JSON.parse(await kubectlOk(c, ['--kubeconfig', nodeKc, 'get', 'node', NODE, '-o', 'json']));
  self.status.capacity['example.com/widgets'] = '3';
  delete self.metadata.resourceVersion;
  const own = await c.kubectl(['--kubeconfig', nodeKc, 'replace', '--raw', `/api/v1/nodes/${NODE}/status`, '-f', '-'], { input: JSON.stringify(self) });
  assert.equal(own.code, 0, own.stderr);
  assert.equal((await kjson(c, ['get', 'node', NODE])).status.capacity['example.com/widgets'], '3');
  const del = await asNode(['delete', 'node', 'other-node']);
  assert.equal(del.code, 1);
  assert.match(del.stderr, /nodes "other-node" is forbidden: User "system:node:kubelite" cannot delete resource "nodes"/);
});

/** A request to the local node agent's server over HTTPS. */
function kubelet(port: number, path: string, o: { cert?: string; key?: string; token?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path, agent: false, ca: readFileSync(join(c.dataDir, 'pki', 'ca.crt'), 'utf8'), cert: o.cert, key: o.key,
      headers: o.token ? { Authorization: `Bearer ${o.token}` } : {} }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    }).on('error', reject);
  });
}

test('the node agent\'s server: HTTPS on loopback only, every caller authenticated and authorized', async () => {
  const node = await kjson(c, ['get', 'node', NODE]);
  const port = node.status.daemonEndpoints.kubeletEndpoint.Port as number;
  const ip = node.status.addresses.find((a: any) => a.type === 'InternalIP').address as string;
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'plain HTTP is not served');
  if (ip !== '127.0.0.1') {
    await assert.rejects(new Promise<void>((resolve, reject) => {
      const s = net.connect({ host: ip, port }, () => { s.destroy(); resolve(); });
      s.on('error', reject);
    }), /ECONNREFUSED/, `nothing listens on the node's external address ${ip}:${port}`);
  }
  assert.deepEqual(await kubelet(port, '/healthz'), { status: 401, text: 'Unauthorized' });
  assert.deepEqual(await kubelet(port, '/healthz', { token: 'not-a-token' }), { status: 401, text: 'Unauthorized' });
  // A user of the cluster CA without rights on nodes/*.
  const pki = { caCert: readFileSync(join(c.dataDir, 'pki', 'ca.crt'), 'utf8'), caKey: readFileSync(join(c.dataDir, 'pki', 'ca.key'), 'utf8') };
  const eve = issueCertificate(pki, { cn: 'eve', groups: ['developers'], usage: 'client' });
  assert.deepEqual(await kubelet(port, '/metrics/resource', eve), { status: 403, text: 'Forbidden (user=eve, verb=get, resource=nodes, subresource=metrics)' });
  assert.deepEqual(await kubelet(port, '/containerLogs/default/web/nginx', eve), { status: 403, text: 'Forbidden (user=eve, verb=get, resource=nodes, subresource=proxy)' });
  // The node itself has no nodes/proxy rights either (upstream's system:node rules).
  const self = readCertKubeconfig(nodeKc);
  assert.deepEqual(await kubelet(port, '/exec/default/web/nginx?command=id&output=1', self),
    { status: 403, text: 'Forbidden (user=system:node:kubelite, verb=get, resource=nodes, subresource=proxy)' });
  // The admin's bearer token: TokenReview says who, SubjectAccessReview says yes (system:masters).
  const admin = readFileSync(join(c.dataDir, 'pki', 'admin.token'), 'utf8').trim();
  assert.deepEqual(await kubelet(port, '/healthz', { token: admin }), { status: 200, text: 'ok' });
  // The API server's own certificate.
  const apiserver = { cert: readFileSync(join(c.dataDir, 'pki', 'apiserver-kubelet-client.crt'), 'utf8'), key: readFileSync(join(c.dataDir, 'pki', 'apiserver-kubelet-client.key'), 'utf8') };
  const m = await kubelet(port, '/metrics/resource', apiserver);
  assert.equal(m.status, 200);
  assert.match(m.text, /^container_cpu_usage_seconds_total\{container="nginx",namespace="default",pod="web"\} /m);
});

test('kubectl logs, exec, port-forward and top work through the API server\'s kubelet-client certificate', async () => {
  const logs = await c.kubectl(['logs', 'web', '--tail=50']);
  assert.equal(logs.code, 0, logs.stderr);
  const exec = await c.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo "$WORD from $(hostname)"']);
  assert.equal(exec.code, 0, exec.stderr);
  assert.equal(exec.stdout, 'hello from web\n');
  const port = await freePort();
  const pf = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'port-forward', 'pod/web', `${port}:80`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  pf.stdout.on('data', (d) => { out += d; });
  pf.stderr.on('data', (d) => { out += d; });
  try {
    await waitFor(() => out.includes(`Forwarding from 127.0.0.1:${port} -> 80`), { timeoutMs: 30_000, message: `port-forward ready: ${out}` });
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Welcome to nginx!/);
  } finally { pf.kill('SIGKILL'); }
  const top = await waitFor(async () => {
    const r = await c.kubectl(['top', 'pod', 'web', '--no-headers']);
    return r.code === 0 && /^web\s+\d+m\s+\d+Mi\s*$/.test(r.stdout.trim()) ? r.stdout : undefined;
  }, { timeoutMs: 60_000, intervalMs: 1000, message: 'kubectl top pod web' });
  assert.match(top, /^web\s/);
  assert.match(await kubectlOk(c, ['top', 'node', NODE, '--no-headers']), /^kubelite\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$/m);
});
