/**
 * NodeRestriction admission through a real API server (behind the Node authorizer), with real node client
 * certificates (system:node:<name>, group system:nodes) from the cluster CA: what upstream's admission_test.go table
 * checks for nodes, pods, pods/status, evictions, leases and token requests, with upstream's messages.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from './inprocess.ts';
import { KubeClient } from '../../../src/client/client.ts';
import { R } from '../../../src/client/resources.ts';
import { issueNodeCredentials } from '../../../src/cli/node-credentials.ts';
import { forbiddenNodeLabels, isKubeletLabel } from '../../../src/apiserver/noderestriction.ts';

let t: TestApiServer;
let node0: KubeClient;
let admin: KubeClient;

const rejects = async (p: Promise<unknown>, code: number, message: string) =>
  assert.rejects(p, (e: any) => { assert.equal(e.code, code, e.message); assert.equal(e.message, message); return true; });

before(async () => {
  t = await startTestApiServer('noderestriction');
  admin = t.client;
  const c = issueNodeCredentials(t.server.pki, 'node0', ['127.0.0.1']);
  node0 = new KubeClient({ server: t.server.url, ca: c.ca, cert: c.client.cert, key: c.client.key });
  await admin.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node1' } });
  for (const [name, nodeName] of [['mine', 'node0'], ['theirs', 'node1']]) {
    await admin.create(R.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { nodeName, containers: [{ name: 'c', image: 'x' }] } });
  }
});
after(async () => { node0?.close(); await t?.stop(); });

test('kubelet labels: the kubelet\'s own kubernetes.io labels and namespaces, nothing else', () => {
  for (const l of ['kubernetes.io/hostname', 'kubernetes.io/os', 'topology.kubernetes.io/zone', 'node.kubernetes.io/instance-type', 'kubelet.kubernetes.io/x', 'foo.node.kubernetes.io/y']) assert.ok(isKubeletLabel(l), l);
  for (const l of ['node-role.kubernetes.io/master', 'kubernetes.io/role', 'example.com/x', 'k8s.io/x']) assert.ok(!isKubeletLabel(l), l);
  assert.deepEqual(forbiddenNodeLabels(['z.k8s.io/x', 'example.com/x', 'node-restriction.kubernetes.io/a', 'kubernetes.io/hostname', 'a.node-restriction.kubernetes.io/b', 'node-role.kubernetes.io/master']),
    ['a.node-restriction.kubernetes.io/b', 'node-restriction.kubernetes.io/a', 'node-role.kubernetes.io/master', 'z.k8s.io/x']);
});

test('a node registers and updates only its own Node, without taints or restricted labels', async () => {
  await rejects(node0.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node2' } }), 403,
    'nodes "node2" is forbidden: node "node0" is not allowed to modify node "node2"');
  await rejects(node0.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node0', labels: { 'node-restriction.kubernetes.io/trusted': 'yes', 'node-role.kubernetes.io/control-plane': '' } } }), 403,
    'nodes "node0" is forbidden: node "node0" is not allowed to set the following labels: node-restriction.kubernetes.io/trusted, node-role.kubernetes.io/control-plane');
  await node0.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node0', labels: { 'kubernetes.io/hostname': 'node0', 'example.com/rack': 'r1' } } });
  await node0.patch(R.nodes, undefined, 'node0', { status: { capacity: { cpu: '2' } } }, 'merge', 'status');
  assert.equal((await admin.get<any>(R.nodes, undefined, 'node0')).status.capacity.cpu, '2');
  await node0.patch(R.nodes, undefined, 'node0', { metadata: { labels: { 'topology.kubernetes.io/zone': 'z1' } } }, 'merge');
  await rejects(node0.patch(R.nodes, undefined, 'node0', { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }, 'merge'), 403,
    'nodes "node0" is forbidden: node "node0" is not allowed to modify taints');
  await rejects(node0.patch(R.nodes, undefined, 'node0', { metadata: { labels: { 'node-role.kubernetes.io/master': '' } } }, 'merge'), 403,
    'nodes "node0" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/master');
  await rejects(node0.patch(R.nodes, undefined, 'node1', { metadata: { labels: { a: 'b' } } }, 'merge'), 403,
    'nodes "node1" is forbidden: node "node0" is not allowed to modify node "node1"');
  await rejects(node0.patch(R.nodes, undefined, 'node1', { status: { capacity: { cpu: '64' } } }, 'merge', 'status'), 403,
    'nodes "node1" is forbidden: node "node0" is not allowed to modify node "node1"');
  // The admin is not a node: unaffected.
  await admin.patch(R.nodes, undefined, 'node0', { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }, 'merge');
});

test('a node writes the status only of pods bound to it, deletes only those, and creates only mirror pods', async () => {
  await node0.patch(R.pods, 'default', 'mine', { status: { phase: 'Running' } }, 'merge', 'status');
  await rejects(node0.patch(R.pods, 'default', 'theirs', { status: { phase: 'Failed' } }, 'merge', 'status'), 403,
    'pods "theirs" is forbidden: node "node0" can only update pod status for pods with spec.nodeName set to itself');
  await rejects(node0.create(R.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sneaky' }, spec: { nodeName: 'node0', containers: [{ name: 'c', image: 'x' }] } }), 403,
    'pods "sneaky" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "node0" can only create mirror pods');
  await rejects(node0.create(R.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mirror', annotations: { 'kubernetes.io/config.mirror': 'x' } }, spec: { nodeName: 'node1', containers: [{ name: 'c', image: 'x' }] } }), 403,
    'pods "mirror" is forbidden: node "node0" can only create pods with spec.nodeName set to itself');
  await rejects(node0.request('POST', '/api/v1/namespaces/default/pods/theirs/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'theirs', namespace: 'default' } }), 403,
    'pods "theirs" is forbidden: node node0 can only evict pods with spec.nodeName set to itself');
  await rejects(node0.delete(R.pods, 'default', 'theirs', { gracePeriodSeconds: 0 }), 403,
    'pods "theirs" is forbidden: node "node0" can only delete pods with spec.nodeName set to itself');
  await node0.delete(R.pods, 'default', 'mine', { gracePeriodSeconds: 0 });
  await assert.rejects(admin.get(R.pods, 'default', 'mine'), (e: any) => e.code === 404);
  assert.equal((await admin.get<any>(R.pods, 'default', 'theirs')).metadata.name, 'theirs');
});

test('a node uses only its own Lease in kube-node-lease', async () => {
  const lease = (name: string, namespace: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: { holderIdentity: name } });
  await rejects(node0.create(R.leases, 'kube-node-lease', lease('node1', 'kube-node-lease')), 403,
    'leases.coordination.k8s.io "node1" is forbidden: can only access node lease with the same name as the requesting node');
  // Outside kube-node-lease the Node authorizer already says no (a create's name is known only to admission).
  await rejects(node0.create(R.leases, 'default', lease('node0', 'default')), 403,
    'leases.coordination.k8s.io is forbidden: User "system:node:node0" cannot create resource "leases" in API group "coordination.k8s.io" in the namespace "default": can only access leases in the "kube-node-lease" system namespace');
  await node0.create(R.leases, 'kube-node-lease', lease('node0', 'kube-node-lease'));
  await admin.create(R.leases, 'kube-node-lease', lease('node1', 'kube-node-lease'));
  await rejects(node0.delete(R.leases, 'kube-node-lease', 'node1'), 403,
    'leases.coordination.k8s.io "node1" is forbidden: User "system:node:node0" cannot delete resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node');
});

test('a node requests service-account tokens only bound to a pod running on it', async () => {
  await admin.create(R.serviceaccounts, 'default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner' } });
  const uids: Record<string, string> = {};
  for (const [name, nodeName] of [['tok-mine', 'node0'], ['tok-theirs', 'node1']]) {
    const p = await admin.create<any>(R.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, serviceAccountName: 'runner', containers: [{ name: 'c', image: 'x' }] } });
    uids[name] = p.metadata.uid;
  }
  const tokenFor = (ref?: Record<string, string>) => node0.request<any>('POST', '/api/v1/namespaces/default/serviceaccounts/runner/token',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3607, ...(ref ? { boundObjectRef: ref } : {}) } });
  await rejects(tokenFor(), 403, 'serviceaccounts "runner" is forbidden: node requested token not bound to a pod');
  await rejects(tokenFor({ apiVersion: 'v1', kind: 'Pod', name: 'tok-mine' }), 403, 'serviceaccounts "runner" is forbidden: node requested token with a pod binding without a uid');
  await rejects(tokenFor({ apiVersion: 'v1', kind: 'Pod', name: 'tok-theirs', uid: uids['tok-theirs'] }), 403,
    'serviceaccounts "runner" is forbidden: node requested token bound to a pod scheduled on a different node');
  const ok = await tokenFor({ apiVersion: 'v1', kind: 'Pod', name: 'tok-mine', uid: uids['tok-mine'] });
  assert.ok(ok.status.token.split('.').length === 3, 'a signed JWT');
});
