/**
 * RBAC through a real in-process API server: users with CA-signed client certificates, the default policy, 403
 * messages as upstream, bindings taking effect, escalation prevention, access reviews and impersonation.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../../src/client/client.ts';
import { R } from '../../../src/client/resources.ts';
import { issueCertificate } from '../../../src/apiserver/tls.ts';
import { startTestApiServer, statusError, type TestApiServer } from './inprocess.ts';

let t: TestApiServer;
const users: KubeClient[] = [];
function userClient(name: string, groups: string[], headers?: Record<string, string>): KubeClient {
  const c = issueCertificate(t.server.pki, { cn: name, groups, usage: 'client' });
  const k = new KubeClient({ server: t.server.url, ca: t.server.pki.caCert, cert: c.cert, key: c.key, ...(headers ? { headers } : {}) });
  users.push(k);
  return k;
}
/** Wait until the RBAC cache saw the latest write (it is fed by the store's watch). */
async function settle(): Promise<void> {
  const g = t.server.api.rbac.generation;
  for (let i = 0; i < 100 && t.server.api.rbac.generation === g; i++) await new Promise((r) => setTimeout(r, 10));
}

before(async () => { t = await startTestApiServer('rbac'); });
after(async () => { for (const u of users) u.close(); await t.stop(); });

test('a user without bindings is denied with upstream\'s message; discovery and self reviews are allowed', async () => {
  const alice = userClient('alice', ['dev']);
  const e = await statusError(alice.list(R.pods, 'default'));
  assert.equal(e.code, 403);
  assert.equal(e.message, 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
  const e2 = await statusError(alice.get(R.deployments, 'default', 'web'));
  assert.equal(e2.message, 'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "default"');
  const e3 = await statusError(alice.list(R.nodes, undefined));
  assert.equal(e3.message, 'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
  const e4 = await statusError(alice.request('GET', '/logs/'));
  assert.equal(e4.message, 'forbidden: User "alice" cannot get path "/logs/"');
  // system:discovery and system:basic-user come with system:authenticated.
  const apis = await alice.request<any>('GET', '/apis');
  assert.ok(apis.groups.some((g: any) => g.name === 'rbac.authorization.k8s.io'));
  const who = await alice.request<any>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  assert.deepEqual(who.status.userInfo, { username: 'alice', groups: ['dev', 'system:authenticated'] });
});

test('a RoleBinding to view grants reads in its namespace only; a binding to a missing role grants nothing', async () => {
  const bob = userClient('bob', ['team']);
  await t.client.create(R.namespaces, undefined, { metadata: { name: 'team-a' } });
  await t.client.create(R.clusterroles, undefined, { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] }] });
  await t.client.create(R.rolebindings, 'team-a', {
    metadata: { name: 'bob-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-reader' },
    subjects: [{ kind: 'User', name: 'bob' }],
  });
  const missing = await t.client.create<any>(R.rolebindings, 'team-a', {
    metadata: { name: 'ghost' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'does-not-exist' },
    subjects: [{ kind: 'Group', name: 'team' }],
  });
  assert.equal(missing.subjects[0].apiGroup, 'rbac.authorization.k8s.io', 'subject apiGroup defaulted');
  await settle();
  assert.deepEqual((await bob.list(R.pods, 'team-a')).items, []);
  const e = await statusError(bob.list(R.pods, 'default'));
  assert.equal(e.code, 403);
  const e2 = await statusError(bob.list(R.secrets, 'team-a'));
  assert.equal(e2.message, 'secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "team-a": RBAC: role.rbac.authorization.k8s.io "does-not-exist" not found');
  const e3 = await statusError(bob.create(R.pods, 'team-a', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }));
  assert.equal(e3.code, 403);
  // watch is its own verb; the upstream path form /watch/ too.
  const w = await statusError(bob.request('GET', '/api/v1/namespaces/default/pods?watch=true'));
  assert.match(w.message, /cannot watch resource "pods"/);
});

test('escalation: a Role granting what the writer lacks is refused; bind needs the role\'s rules or the bind verb', async () => {
  const carol = userClient('carol', []);
  await t.client.create(R.namespaces, undefined, { metadata: { name: 'team-c' } });
  await t.client.create(R.rolebindings, 'team-c', {
    metadata: { name: 'carol-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'carol-roles' },
    subjects: [{ kind: 'User', name: 'carol', apiGroup: 'rbac.authorization.k8s.io' }],
  });
  await t.client.create(R.clusterroles, undefined, { metadata: { name: 'carol-roles' }, rules: [
    // Not '*': that would include the escalate and bind verbs.
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
  ] });
  await settle();
  const ok = await carol.create<any>(R.roles, 'team-c', { metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
  assert.equal(ok.metadata.name, 'cm-reader');
  const e = await statusError(carol.create(R.roles, 'team-c', { metadata: { name: 'secret-reader' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }, { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'delete'] }] }));
  assert.equal(e.code, 403);
  assert.equal(e.message, 'roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "carol" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
    '{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}');
  // Binding a role she holds all of is allowed; cluster-admin is not.
  await carol.create(R.rolebindings, 'team-c', { metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' }, subjects: [{ kind: 'User', name: 'dave', apiGroup: 'rbac.authorization.k8s.io' }] });
  const e2 = await statusError(carol.create(R.rolebindings, 'team-c', { metadata: { name: 'y' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'carol', apiGroup: 'rbac.authorization.k8s.io' }] }));
  assert.equal(e2.code, 403);
  assert.match(e2.message, /^rolebindings.rbac.authorization.k8s.io "y" is forbidden: user "carol" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/);
  // roleRef is immutable (422 as upstream).
  const rb = await t.client.get<any>(R.rolebindings, 'team-c', 'x');
  const e3 = await statusError(t.client.update(R.rolebindings, 'team-c', { ...rb, roleRef: { ...rb.roleRef, name: 'other' } }));
  assert.equal(e3.code, 422);
  assert.match(e3.message, /roleRef: Invalid value: .*: cannot change roleRef/);
});

test('access reviews: SelfSubjectAccessReview, SubjectAccessReview, SelfSubjectRulesReview; impersonation needs the impersonate verb', async () => {
  const ssar = (c: KubeClient, ra: object) => c.request<any>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: ra } });
  const erin = userClient('erin', []);
  assert.equal((await ssar(erin, { verb: 'list', resource: 'pods', namespace: 'default' })).status.allowed, false);
  const sar = await t.client.request<any>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'bob', resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'team-a' } },
  });
  assert.equal(sar.status.allowed, true);
  assert.equal(sar.status.reason, 'RBAC: allowed by RoleBinding "bob-reads/team-a" of ClusterRole "pod-reader" to User "bob"');
  const bad = await statusError(t.client.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: {} }));
  assert.equal(bad.code, 422);
  assert.match(bad.message, /^SubjectAccessReview.authorization.k8s.io "" is invalid: \[spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: "": at least one of user or group must be specified\]$/);
  const rules = await erin.request<any>('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } });
  assert.ok(rules.status.resourceRules.some((r: any) => r.resources.includes('selfsubjectaccessreviews')));
  assert.ok(rules.status.nonResourceRules.some((r: any) => r.nonResourceURLs.includes('/api/*')));
  assert.equal(rules.status.incomplete, false);
  // Impersonation: erin may not; the admin may, and then acts as bob.
  const asBob = userClient('erin', [], { 'Impersonate-User': 'bob' });
  const e = await statusError(asBob.list(R.pods, 'team-a'));
  assert.equal(e.message, 'users "bob" is forbidden: User "erin" cannot impersonate resource "users" in API group "" at the cluster scope');
  const r = await t.raw('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'team-a' } } }), { 'Impersonate-User': 'bob' });
  assert.equal(JSON.parse(r.text).status.allowed, true);
  const r2 = await t.raw('GET', '/api/v1/namespaces/default/pods', undefined, { 'Impersonate-User': 'bob' });
  assert.equal(r2.code, 403);
});
