/**
 * The Node authorizer and its graph: upstream's node_authorizer_test.go table (selector authorization enabled, as
 * in 1.32) over the same sample shape — two nodes, two namespaces, pods with unique and shared configmaps,
 * secrets, claims and service accounts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { NodeGraph, podReferences } from '../../../src/apiserver/authz/node-graph.ts';
import { NodeAuthorizer, nodeIdentity } from '../../../src/apiserver/authz/node.ts';
import type { Attributes } from '../../../src/apiserver/authz/types.ts';

function samplePod(ns: string, node: string, i: number): Pod {
  const name = `pod${i}-${node}`;
  return {
    metadata: { namespace: ns, name, uid: `${ns}-${name}` },
    spec: {
      nodeName: node,
      serviceAccountName: `svcacct${i}-${node}`,
      imagePullSecrets: [{ name: `pullsecret${i}-${node}` }],
      containers: [{
        name: 'c', image: 'x',
        env: [{ name: 'A', valueFrom: { secretKeyRef: { name: `envsecret${i}-${node}`, key: 'k' } } }, { name: 'B', valueFrom: { configMapKeyRef: { name: `envconfigmap${i}-${node}`, key: 'k' } } }],
        envFrom: [{ secretRef: { name: `envfromsecret${i}-${node}` } }],
      }],
      volumes: [
        { name: 'cm', configMap: { name: `configmap${i}-${node}` } },
        { name: 's', secret: { secretName: `secret${i}-${node}` } },
        { name: 'shared', secret: { secretName: 'secret0-shared' } },
        { name: 'p', projected: { sources: [{ configMap: { name: `projectedcm${i}-${node}` } }, { secret: { name: `projectedsecret${i}-${node}` } }] } },
        { name: 'claim', persistentVolumeClaim: { claimName: `pvc${i}-${node}` } },
        { name: 'eph', ephemeral: {} as any },
      ],
    },
  } as Pod;
}

function sample(): NodeGraph {
  const g = new NodeGraph();
  for (const ns of ['ns0', 'ns1']) for (const node of ['node0', 'node1']) for (const i of [0, 1]) g.setPod(samplePod(ns, node, i));
  return g;
}

const node0 = { name: 'system:node:node0', groups: ['system:nodes', 'system:authenticated'] };
const unregistered = { name: 'system:node:nodeunregistered', groups: ['system:nodes'] };
const attrs = (o: Partial<Attributes>): Attributes => ({
  user: node0, verb: 'get', resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource: '', subresource: '', namespace: '', name: '', ...o,
});

test('nodeIdentity: system:node:<name> in system:nodes; anything else is not a node', () => {
  assert.deepEqual(nodeIdentity(node0), { isNode: true, nodeName: 'node0' });
  assert.deepEqual(nodeIdentity({ name: 'system:node:node0', groups: [] }), { isNode: false, nodeName: '' });
  assert.deepEqual(nodeIdentity({ name: 'alice', groups: ['system:nodes'] }), { isNode: false, nodeName: '' });
  assert.deepEqual(nodeIdentity({ name: 'system:node:', groups: ['system:nodes'] }), { isNode: true, nodeName: '' });
});

test('podReferences: every secret, configmap, claim and service account a pod names', () => {
  const refs = podReferences(samplePod('ns0', 'node0', 0)).sort();
  assert.deepEqual(refs, [
    'configmap/ns0/configmap0-node0', 'configmap/ns0/envconfigmap0-node0', 'configmap/ns0/projectedcm0-node0',
    'pvc/ns0/pod0-node0-eph', 'pvc/ns0/pvc0-node0',
    'secret/ns0/envfromsecret0-node0', 'secret/ns0/envsecret0-node0', 'secret/ns0/projectedsecret0-node0', 'secret/ns0/pullsecret0-node0',
    'secret/ns0/secret0-node0', 'secret/ns0/secret0-shared',
    'serviceaccount/ns0/svcacct0-node0',
  ]);
});

const cases: [string, Partial<Attributes>, 'Allow' | 'NoOpinion'][] = [
  ['allowed configmap', { resource: 'configmaps', name: 'configmap0-node0', namespace: 'ns0' }, 'Allow'],
  ['allowed configmap from env', { resource: 'configmaps', name: 'envconfigmap1-node0', namespace: 'ns1' }, 'Allow'],
  ['allowed projected configmap', { resource: 'configmaps', name: 'projectedcm0-node0', namespace: 'ns0' }, 'Allow'],
  ['allowed secret via pod', { resource: 'secrets', name: 'secret0-node0', namespace: 'ns0' }, 'Allow'],
  ['allowed image pull secret', { resource: 'secrets', name: 'pullsecret1-node0', namespace: 'ns0' }, 'Allow'],
  ['allowed envFrom secret', { resource: 'secrets', name: 'envfromsecret0-node0', namespace: 'ns0' }, 'Allow'],
  ['list allowed secret via pod', { verb: 'list', resource: 'secrets', name: 'secret0-node0', namespace: 'ns0' }, 'Allow'],
  ['watch allowed secret via pod', { verb: 'watch', resource: 'secrets', name: 'secret0-node0', namespace: 'ns0' }, 'Allow'],
  ['disallowed list many secrets', { verb: 'list', resource: 'secrets', namespace: 'ns0' }, 'NoOpinion'],
  ['disallowed watch many secrets', { verb: 'watch', resource: 'secrets', namespace: 'ns0' }, 'NoOpinion'],
  ['disallowed list secrets from all namespaces with name', { verb: 'list', resource: 'secrets', name: 'secret0-node0' }, 'NoOpinion'],
  ['disallowed secret write', { verb: 'update', resource: 'secrets', name: 'secret0-node0', namespace: 'ns0' }, 'NoOpinion'],
  ['allowed shared secret via pod', { resource: 'secrets', name: 'secret0-shared', namespace: 'ns0' }, 'Allow'],
  ['allowed pvc', { resource: 'persistentvolumeclaims', name: 'pvc0-node0', namespace: 'ns0' }, 'Allow'],
  ['allowed ephemeral pvc', { resource: 'persistentvolumeclaims', name: 'pod1-node0-eph', namespace: 'ns0' }, 'Allow'],
  ['disallowed pvc list', { verb: 'list', resource: 'persistentvolumeclaims', name: 'pvc0-node0', namespace: 'ns0' }, 'NoOpinion'],
  ['allowed pvc status update', { verb: 'update', resource: 'persistentvolumeclaims', subresource: 'status', name: 'pvc0-node0', namespace: 'ns0' }, 'Allow'],
  ['disallowed configmap', { resource: 'configmaps', name: 'configmap0-node1', namespace: 'ns0' }, 'NoOpinion'],
  ['disallowed secret via pod', { resource: 'secrets', name: 'secret0-node1', namespace: 'ns0' }, 'NoOpinion'],
  ['disallowed secret in another namespace', { resource: 'secrets', name: 'secret0-node0', namespace: 'other' }, 'NoOpinion'],
  ['disallowed pvc', { resource: 'persistentvolumeclaims', name: 'pvc0-node1', namespace: 'ns0' }, 'NoOpinion'],
  ['allowed attachment', { verb: 'get', apiGroup: 'storage.k8s.io', resource: 'volumeattachments', name: 'attachment0-node0' }, 'Allow'],
  ['allowed svcacct token create', { verb: 'create', resource: 'serviceaccounts', subresource: 'token', name: 'svcacct0-node0', namespace: 'ns0' }, 'Allow'],
  ['disallowed svcacct token create - serviceaccount not attached to node', { verb: 'create', resource: 'serviceaccounts', subresource: 'token', name: 'svcacct0-node1', namespace: 'ns0' }, 'NoOpinion'],
  ['disallowed svcacct token create - no subresource', { verb: 'create', resource: 'serviceaccounts', name: 'svcacct0-node0', namespace: 'ns0' }, 'NoOpinion'],
  ['disallowed svcacct token create - non create', { verb: 'update', resource: 'serviceaccounts', subresource: 'token', name: 'svcacct0-node0', namespace: 'ns0' }, 'NoOpinion'],
  ['disallowed get serviceaccount', { verb: 'get', resource: 'serviceaccounts', name: 'svcacct0-node0', namespace: 'ns0' }, 'NoOpinion'],
  ...(['get', 'create', 'update', 'patch', 'delete'] as const).map((verb): [string, Partial<Attributes>, 'Allow' | 'NoOpinion'] =>
    [`disallowed ${verb} lease in namespace other than kube-node-lease`, { verb, apiGroup: 'coordination.k8s.io', resource: 'leases', name: 'node0', namespace: 'foo' }, 'NoOpinion']),
  ...(['get', 'update', 'patch', 'delete'] as const).map((verb): [string, Partial<Attributes>, 'Allow' | 'NoOpinion'] =>
    [`disallowed ${verb} another node's lease`, { verb, apiGroup: 'coordination.k8s.io', resource: 'leases', name: 'node1', namespace: 'kube-node-lease' }, 'NoOpinion']),
  ['disallowed list node leases', { verb: 'list', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' }, 'NoOpinion'],
  ['disallowed watch node leases', { verb: 'watch', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' }, 'NoOpinion'],
  ...(['get', 'create', 'update', 'patch', 'delete'] as const).map((verb): [string, Partial<Attributes>, 'Allow' | 'NoOpinion'] =>
    [`allowed ${verb} node lease`, { verb, apiGroup: 'coordination.k8s.io', resource: 'leases', name: 'node0', namespace: 'kube-node-lease' }, 'Allow']),
  ['disallowed CSINode with subresource', { verb: 'get', apiGroup: 'storage.k8s.io', resource: 'csinodes', subresource: 'csiDrivers', name: 'node0' }, 'NoOpinion'],
  ['disallowed get another node\'s CSINode', { verb: 'get', apiGroup: 'storage.k8s.io', resource: 'csinodes', name: 'node1' }, 'NoOpinion'],
  ['allowed get CSINode', { verb: 'get', apiGroup: 'storage.k8s.io', resource: 'csinodes', name: 'node0' }, 'Allow'],
  ['allowed create CSINode', { verb: 'create', apiGroup: 'storage.k8s.io', resource: 'csinodes' }, 'Allow'],
  // pods
  ['get related pod', { resource: 'pods', name: 'pod0-node0', namespace: 'ns0' }, 'Allow'],
  ['get unrelated pod', { resource: 'pods', name: 'pod0-node1', namespace: 'ns0' }, 'NoOpinion'],
  ['list related pods', { verb: 'list', resource: 'pods', fieldSelector: 'spec.nodeName=node0' }, 'Allow'],
  ['list related pods - alternate selector', { verb: 'list', resource: 'pods', fieldSelector: 'spec.nodeName==node0' }, 'Allow'],
  ['list related pods - among other requirements', { verb: 'list', resource: 'pods', fieldSelector: 'status.phase!=Failed,spec.nodeName=node0' }, 'Allow'],
  ['list another node\'s pods', { verb: 'list', resource: 'pods', fieldSelector: 'spec.nodeName=node1' }, 'NoOpinion'],
  ['list single related pod', { verb: 'list', resource: 'pods', name: 'pod0-node0', namespace: 'ns0' }, 'Allow'],
  ['list unrelated pods', { verb: 'list', resource: 'pods' }, 'NoOpinion'],
  ['watch related pods', { verb: 'watch', resource: 'pods', fieldSelector: 'spec.nodeName=node0' }, 'Allow'],
  ['watch single related pod', { verb: 'watch', resource: 'pods', name: 'pod0-node0', namespace: 'ns0' }, 'Allow'],
  ['watch unrelated pods', { verb: 'watch', resource: 'pods' }, 'NoOpinion'],
  ['create unnamed pod', { verb: 'create', resource: 'pods', namespace: 'ns0' }, 'Allow'],
  ['create pod proxy subresource forbidden', { verb: 'create', resource: 'pods', subresource: 'proxy', namespace: 'ns0' }, 'NoOpinion'],
  ['delete related pod', { verb: 'delete', resource: 'pods', name: 'pod0-node0', namespace: 'ns0' }, 'Allow'],
  ['delete unrelated pod (NodeRestriction decides)', { verb: 'delete', resource: 'pods', name: 'pod0-node1', namespace: 'ns0' }, 'Allow'],
  ['delete pod proxy subresource forbidden', { verb: 'delete', resource: 'pods', subresource: 'proxy', name: 'pod0-node0', namespace: 'ns0' }, 'NoOpinion'],
  ['update related pod status', { verb: 'update', resource: 'pods', subresource: 'status', name: 'pod0-node0', namespace: 'ns0' }, 'Allow'],
  ['patch unrelated pod status (NodeRestriction decides)', { verb: 'patch', resource: 'pods', subresource: 'status', name: 'pod0-node1', namespace: 'ns0' }, 'Allow'],
  ['get pod status', { verb: 'get', resource: 'pods', subresource: 'status', name: 'pod0-node0', namespace: 'ns0' }, 'NoOpinion'],
  ['exec into a pod', { verb: 'create', resource: 'pods', subresource: 'exec', name: 'pod0-node0', namespace: 'ns0' }, 'NoOpinion'],
  ['create related pod eviction', { verb: 'create', resource: 'pods', subresource: 'eviction', name: 'pod0-node0', namespace: 'ns0' }, 'Allow'],
  ['create unrelated pod eviction (NodeRestriction decides)', { verb: 'create', resource: 'pods', subresource: 'eviction', name: 'pod0-node1', namespace: 'ns0' }, 'Allow'],
  // nodes
  ['get related unregistered node', { user: unregistered, resource: 'nodes', name: 'nodeunregistered' }, 'Allow'],
  ['get related node', { resource: 'nodes', name: 'node0' }, 'Allow'],
  ['get unrelated node', { resource: 'nodes', name: 'node1' }, 'NoOpinion'],
  ['list single related node', { verb: 'list', resource: 'nodes', name: 'node0' }, 'Allow'],
  ['list single unrelated node', { verb: 'list', resource: 'nodes', name: 'node1' }, 'NoOpinion'],
  ['list all nodes', { verb: 'list', resource: 'nodes' }, 'NoOpinion'],
  ['watch single related node', { verb: 'watch', resource: 'nodes', name: 'node0' }, 'Allow'],
  ['watch all nodes', { verb: 'watch', resource: 'nodes' }, 'NoOpinion'],
  ['create node', { verb: 'create', resource: 'nodes' }, 'Allow'],
  ['update unrelated node (NodeRestriction decides)', { verb: 'update', resource: 'nodes', name: 'node1' }, 'Allow'],
  ['patch related node status', { verb: 'patch', resource: 'nodes', subresource: 'status', name: 'node0' }, 'Allow'],
  ['delete node', { verb: 'delete', resource: 'nodes', name: 'node0' }, 'NoOpinion'],
  ['proxy to a node', { verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'node0' }, 'NoOpinion'],
  // static system:node rules
  ['create tokenreviews', { verb: 'create', apiGroup: 'authentication.k8s.io', resource: 'tokenreviews' }, 'Allow'],
  ['create subjectaccessreviews', { verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'subjectaccessreviews' }, 'Allow'],
  ['watch services', { verb: 'watch', resource: 'services' }, 'Allow'],
  ['get endpoints', { verb: 'get', resource: 'endpoints', name: 'kubernetes', namespace: 'default' }, 'Allow'],
  ['list endpoints', { verb: 'list', resource: 'endpoints' }, 'NoOpinion'],
  ['create events', { verb: 'create', resource: 'events', namespace: 'ns0' }, 'Allow'],
  ['delete events', { verb: 'delete', resource: 'events', name: 'e', namespace: 'ns0' }, 'NoOpinion'],
  ['list deployments', { verb: 'list', apiGroup: 'apps', resource: 'deployments' }, 'NoOpinion'],
  ['list endpointslices', { verb: 'list', apiGroup: 'discovery.k8s.io', resource: 'endpointslices' }, 'NoOpinion'],
  ['create namespaces', { verb: 'create', resource: 'namespaces' }, 'NoOpinion'],
  ['non-resource /healthz', { verb: 'get', resourceRequest: false, path: '/healthz' }, 'NoOpinion'],
];

test('the Node authorizer decides as upstream\'s table', () => {
  const authz = new NodeAuthorizer(sample());
  for (const [name, a, want] of cases) {
    assert.equal(authz.authorize(attrs(a)).decision, want, name);
  }
});

test('users that are not nodes get NoOpinion; reasons are upstream\'s', () => {
  const authz = new NodeAuthorizer(sample());
  assert.deepEqual(authz.authorize(attrs({ user: { name: 'alice', groups: ['system:authenticated'] }, resource: 'secrets', name: 'secret0-node0', namespace: 'ns0' })), { decision: 'NoOpinion', reason: '' });
  assert.equal(authz.authorize(attrs({ resource: 'secrets', name: 'secret0-node1', namespace: 'ns0' })).reason, "no relationship found between node 'node0' and this object");
  assert.equal(authz.authorize(attrs({ verb: 'list', resource: 'nodes' })).reason, "node 'node0' cannot read all nodes, only its own Node object");
  assert.equal(authz.authorize(attrs({ resource: 'nodes', name: 'node1' })).reason, "node 'node0' cannot read 'node1', only its own Node object");
  assert.equal(authz.authorize(attrs({ verb: 'list', resource: 'pods' })).reason, 'can only list/watch pods with spec.nodeName field selector');
  assert.equal(authz.authorize(attrs({ verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', name: 'node1', namespace: 'kube-node-lease' })).reason, 'can only access node lease with the same name as the requesting node');
  assert.equal(authz.authorize(attrs({ user: { name: 'system:node:', groups: ['system:nodes'] }, resource: 'nodes', name: 'x' })).reason, 'unknown node for user "system:node:"');
});

test('the graph follows pods: rebinding, changing references and deleting remove the edges', () => {
  const g = new NodeGraph();
  const authz = new NodeAuthorizer(g);
  const secret = attrs({ resource: 'secrets', name: 's1', namespace: 'ns' });
  const pod = (node: string | undefined, secretName: string): Pod => ({ metadata: { namespace: 'ns', name: 'p' }, spec: { nodeName: node, containers: [], volumes: [{ name: 'v', secret: { secretName } }] } });
  g.setPod(pod(undefined, 's1'));
  assert.equal(authz.authorize(secret).decision, 'NoOpinion', 'an unbound pod gives no node access');
  g.setPod(pod('node0', 's1'));
  assert.equal(authz.authorize(secret).decision, 'Allow');
  // Another pod on the node uses the same secret: removing one keeps the edge.
  g.setPod({ ...pod('node0', 's1'), metadata: { namespace: 'ns', name: 'q' } });
  g.setPod(pod('node0', 's2'));
  assert.equal(authz.authorize(secret).decision, 'Allow', 'pod q still references s1');
  g.deletePod('ns/q');
  assert.equal(authz.authorize(secret).decision, 'NoOpinion', 'no pod on node0 references s1 any more');
  assert.equal(authz.authorize(attrs({ resource: 'secrets', name: 's2', namespace: 'ns' })).decision, 'Allow');
  g.setPod(pod('node1', 's2'));
  assert.equal(authz.authorize(attrs({ resource: 'secrets', name: 's2', namespace: 'ns' })).decision, 'NoOpinion', 'the pod moved to node1');
  g.deletePod('ns/p');
  assert.equal(authz.authorize(attrs({ user: { name: 'system:node:node1', groups: ['system:nodes'] }, resource: 'secrets', name: 's2', namespace: 'ns' })).decision, 'NoOpinion');
});
