/**
 * e2e: users and RBAC with the real kubectl against a real cluster (node agent and containers included):
 * `kubelite user add`, 403s with upstream's messages, RoleBindings taking effect per namespace, `kubectl auth
 * can-i [--list] [--as]`, `kubectl auth whoami`, `kubectl create role|clusterrole|rolebinding|clusterrolebinding`,
 * escalation refused, a binding to a missing role, ClusterRole aggregation, watch/logs/exec/scale authorized,
 * access reviews through `kubectl create -f`, and no component of the cluster ever denied.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, waitFor, run, repoRoot, type Cluster } from './harness.ts';
import { R } from '../../src/client/resources.ts';

let c: Cluster;
const kc: Record<string, string> = {};
const BUSYBOX = 'kubelite/busybox';

/** kubectl as the admin, or as a user (by the kubeconfig `kubelite user add` wrote). */
async function k(args: string[], as?: string, input?: string) {
  return c.kubectl(args, { input, timeoutMs: 90_000, env: as ? { KUBECONFIG: kc[as] } : {} });
}
async function ok(args: string[], as?: string, input?: string) {
  const r = await k(args, as, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} (as ${as ?? 'admin'}): ${r.stderr}`);
  return r.stdout;
}
async function userAdd(name: string, groups: string[]): Promise<string> {
  const r = await run(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'user', 'add', name, ...groups.flatMap((g) => ['--group', g]), '--data-dir', c.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const path = r.stdout.trim();
  assert.equal(path, join(c.dataDir, 'users', `${name}.kubeconfig`));
  assert.ok(existsSync(path));
  kc[name] = path;
  return path;
}
/** kubectl's table with runs of spaces collapsed (columns are tab-aligned). */
const rows = (s: string) => s.replace(/\n+$/, '').split('\n').map((l) => l.replace(/\s+$/, '').split(/\s{2,}/));

before(async () => {
  c = await startCluster({ node: true });
  await ok(['create', 'namespace', 'team']);
  await userAdd('alice', ['dev']);
  await userAdd('bob', []);
  await userAdd('carol', []);
}, { timeout: 240_000 });

after(async () => {
  if (c) {
    await k(['delete', 'namespace', 'team', '--wait=true', '--timeout=90s']);
    await c.stop();
  }
});

test('a new user is denied with upstream\'s message; kubectl auth whoami shows the certificate\'s identity', async () => {
  const r = await k(['get', 'pods'], 'alice');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
  assert.deepEqual(rows(await ok(['auth', 'whoami'], 'alice')), [['ATTRIBUTE', 'VALUE'], ['Username', 'alice'], ['Groups', '[dev system:authenticated]']]);
  assert.equal((await k(['auth', 'can-i', 'list', 'pods'], 'alice')).stdout.trim(), 'no');
});

test('view bound in one namespace: allowed there (get, watch, logs), denied elsewhere and for writes, exec and secrets', async () => {
  await ok(['create', 'rolebinding', 'alice-view', '--clusterrole=view', '--user=alice', '-n', 'team']);
  assert.deepEqual(rows(await ok(['get', 'rolebinding', 'alice-view', '-n', 'team'])).map((r) => r.slice(0, 2)), [['NAME', 'ROLE'], ['alice-view', 'ClusterRole/view']]);
  await ok(['run', 'sleeper', `--image=${BUSYBOX}`, '-n', 'team', '--restart=Never', '--', 'sh', '-c', 'echo hello-from-sleeper; exec sleep 3600']);
  await waitFor(async () => (await c.client.get<any>(R.pods, 'team', 'sleeper')).status?.phase === 'Running', { timeoutMs: 120_000, message: 'sleeper running' });
  // view is aggregated by the controller manager: wait for its rules.
  await waitFor(async () => (await k(['auth', 'can-i', 'list', 'pods', '-n', 'team'], 'alice')).stdout.trim() === 'yes', { timeoutMs: 30_000, message: 'view aggregated' });
  assert.match(await ok(['get', 'pods', '-n', 'team'], 'alice'), /sleeper/);
  assert.match(await ok(['logs', 'sleeper', '-n', 'team'], 'alice'), /hello-from-sleeper/);
  // A watch is authorized with the watch verb (kubectl get -w: list, then watch).
  const w = await k(['get', 'pods', '-n', 'team', '-w', '--request-timeout=3s'], 'alice');
  assert.doesNotMatch(w.stderr, /Forbidden/, w.stderr);
  assert.match(w.stdout, /sleeper/);
  const wd = await k(['get', 'pods', '-n', 'default', '--watch-only', '--request-timeout=3s'], 'alice');
  assert.match(wd.stderr, /pods is forbidden: User "alice" cannot (watch|list) resource "pods" in API group "" in the namespace "default"/);
  const other = await k(['get', 'pods', '-n', 'default'], 'alice');
  assert.equal(other.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
  const del = await k(['delete', 'pod', 'sleeper', '-n', 'team', '--wait=false'], 'alice');
  assert.equal(del.stderr.trim(), 'Error from server (Forbidden): pods "sleeper" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "team"');
  const sec = await k(['get', 'secrets', '-n', 'team'], 'alice');
  assert.equal(sec.stderr.trim(), 'Error from server (Forbidden): secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "team"');
  const ex = await k(['exec', 'sleeper', '-n', 'team', '--', 'echo', 'hi'], 'alice');
  assert.notEqual(ex.code, 0);
  assert.match(ex.stderr, /pods "sleeper" is forbidden: User "alice" cannot (create|get) resource "pods\/exec" in API group "" in the namespace "team"/);
});

test('edit adds exec and scale; the scale subresource is authorized as deployments/scale', async () => {
  await ok(['create', 'deployment', 'web', `--image=${BUSYBOX}`, '-n', 'team', '--', 'sleep', '3600']);
  const denied = await k(['scale', 'deployment', 'web', '--replicas=2', '-n', 'team'], 'alice');
  assert.match(denied.stderr, /deployments.apps "web" is forbidden: User "alice" cannot (patch|update) resource "deployments\/scale" in API group "apps" in the namespace "team"/);
  await ok(['create', 'rolebinding', 'alice-edit', '--clusterrole=edit', '--user=alice', '-n', 'team']);
  await waitFor(async () => (await k(['auth', 'can-i', 'create', 'pods/exec', '-n', 'team'], 'alice')).stdout.trim() === 'yes', { timeoutMs: 30_000, message: 'edit aggregated' });
  assert.match(await ok(['exec', 'sleeper', '-n', 'team', '--', 'echo', 'exec-ok'], 'alice'), /exec-ok/);
  assert.match(await ok(['scale', 'deployment', 'web', '--replicas=2', '-n', 'team'], 'alice'), /scaled/);
  assert.equal((await c.client.get<any>(R.deployments, 'team', 'web')).spec.replicas, 2);
});

test('kubectl auth can-i --list for a bound user: upstream\'s table', async () => {
  await ok(['create', 'clusterrole', 'pod-reader', '--verb=get,list,watch', '--resource=pods,pods/log']);
  await ok(['create', 'role', 'config-reader', '--verb=get', '--resource=configmaps', '--resource-name=app-config', '-n', 'team']);
  await ok(['create', 'rolebinding', 'bob-pods', '--clusterrole=pod-reader', '--user=bob', '-n', 'team']);
  await ok(['create', 'rolebinding', 'bob-config', '--role=config-reader', '--user=bob', '-n', 'team']);
  const out = await waitFor(async () => {
    const r = await k(['auth', 'can-i', '--list', '-n', 'team'], 'bob');
    return r.code === 0 && /configmaps/.test(r.stdout) ? r.stdout : undefined;
  }, { timeoutMs: 20_000, message: 'bob can-i --list' });
  assert.deepEqual(rows(out), [
    ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs'],
    ['selfsubjectreviews.authentication.k8s.io', '[]', '[]', '[create]'],
    ['selfsubjectaccessreviews.authorization.k8s.io', '[]', '[]', '[create]'],
    ['selfsubjectrulesreviews.authorization.k8s.io', '[]', '[]', '[create]'],
    ['pods/log', '[]', '[]', '[get list watch]'],
    ['pods', '[]', '[]', '[get list watch]'],
    ['', '[/api/*]', '[]', '[get]'],
    ['', '[/api]', '[]', '[get]'],
    ['', '[/apis/*]', '[]', '[get]'],
    ['', '[/apis]', '[]', '[get]'],
    ['', '[/healthz]', '[]', '[get]'],
    ['', '[/healthz]', '[]', '[get]'],
    ['', '[/livez]', '[]', '[get]'],
    ['', '[/livez]', '[]', '[get]'],
    ['', '[/openapi/*]', '[]', '[get]'],
    ['', '[/openapi]', '[]', '[get]'],
    ['', '[/readyz]', '[]', '[get]'],
    ['', '[/readyz]', '[]', '[get]'],
    ['', '[/version/]', '[]', '[get]'],
    ['', '[/version/]', '[]', '[get]'],
    ['', '[/version]', '[]', '[get]'],
    ['', '[/version]', '[]', '[get]'],
    ['configmaps', '[]', '[app-config]', '[get]'],
  ]);
  // Impersonation: the admin may act as bob; bob may not act as alice.
  assert.equal((await k(['auth', 'can-i', 'get', 'pods/log', '-n', 'team', '--as', 'bob'])).stdout.trim(), 'yes');
  assert.equal((await k(['auth', 'can-i', 'get', 'secrets', '-n', 'team', '--as', 'bob'])).stdout.trim(), 'no');
  const imp = await k(['auth', 'can-i', 'get', 'pods', '--as', 'alice'], 'bob');
  assert.match(imp.stderr, /users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope/);
});

test('escalation refused with 403; binding to a missing role accepted and grants nothing', async () => {
  await ok(['create', 'rolebinding', 'alice-admin', '--clusterrole=admin', '--user=alice', '-n', 'team']);
  await waitFor(async () => (await k(['auth', 'can-i', 'create', 'roles', '-n', 'team'], 'alice')).stdout.trim() === 'yes', { timeoutMs: 30_000, message: 'admin aggregated' });
  // Within what she holds in team: allowed.
  assert.match(await ok(['create', 'role', 'pod-lister', '--verb=list', '--resource=pods', '-n', 'team'], 'alice'), /created/);
  const esc = await k(['create', 'role', 'node-reader', '--verb=get', '--resource=nodes', '-n', 'team'], 'alice');
  assert.equal(esc.code, 1);
  assert.equal(esc.stderr.trim(), 'Error from server (Forbidden): roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}');
  const bind = await k(['create', 'clusterrolebinding', 'alice-root', '--clusterrole=cluster-admin', '--user=alice'], 'alice');
  assert.match(bind.stderr, /clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "alice" cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope/);
  const rbEsc = await k(['create', 'rolebinding', 'alice-root', '--clusterrole=cluster-admin', '--user=alice', '-n', 'team'], 'alice');
  assert.match(rbEsc.stderr, /rolebindings.rbac.authorization.k8s.io "alice-root" is forbidden: user "alice" \(groups=\["dev" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/);
  // The admin may bind a role that does not exist (yet): accepted, grants nothing, and the 403 says why.
  assert.match(await ok(['create', 'rolebinding', 'ghost', '--role=missing', '--user=carol', '-n', 'team']), /rolebinding.rbac.authorization.k8s.io\/ghost created/);
  const r = await k(['get', 'pods', '-n', 'team'], 'carol');
  assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "carol" cannot list resource "pods" in API group "" in the namespace "team": RBAC: role.rbac.authorization.k8s.io "missing" not found');
});

test('aggregation: a labelled ClusterRole joins view; ClusterRoleBindings grant cluster-wide', async () => {
  assert.equal((await k(['auth', 'can-i', 'list', 'leases.coordination.k8s.io', '-n', 'team'], 'bob')).stdout.trim(), 'no');
  await ok(['create', 'rolebinding', 'bob-view', '--clusterrole=view', '--user=bob', '-n', 'team']);
  assert.equal((await k(['auth', 'can-i', 'list', 'leases.coordination.k8s.io', '-n', 'team'], 'bob')).stdout.trim(), 'no');
  await ok(['apply', '-f', '-'], undefined, JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name: 'lease-viewer', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
    rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch'] }],
  }));
  await waitFor(async () => (await k(['auth', 'can-i', 'list', 'leases.coordination.k8s.io', '-n', 'team'], 'bob')).stdout.trim() === 'yes', { timeoutMs: 30_000, message: 'lease-viewer aggregated into view' });
  assert.match(await ok(['get', 'clusterrole', 'view', '-o', 'jsonpath={.rules[*].resources}']), /leases/);
  assert.match((await ok(['get', 'clusterrole', 'lease-viewer'])), /^NAME\s+CREATED AT\nlease-viewer\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  // cluster-wide
  assert.equal((await k(['auth', 'can-i', 'list', 'nodes'], 'carol')).stdout.trim(), 'no');
  await ok(['create', 'clusterrole', 'node-viewer', '--verb=get,list', '--resource=nodes']);
  await ok(['create', 'clusterrolebinding', 'carol-nodes', '--clusterrole=node-viewer', '--user=carol']);
  assert.deepEqual(rows(await ok(['get', 'clusterrolebinding', 'carol-nodes'])).map((r) => r.slice(0, 2)), [['NAME', 'ROLE'], ['carol-nodes', 'ClusterRole/node-viewer']]);
  await waitFor(async () => (await k(['get', 'nodes'], 'carol')).code === 0, { timeoutMs: 10_000, message: 'carol lists nodes' });
  await ok(['delete', 'clusterrolebinding', 'carol-nodes']);
  await ok(['delete', 'clusterrole', 'node-viewer', 'lease-viewer', 'pod-reader']);
});

test('SubjectAccessReview and SelfSubjectAccessReview through kubectl create -f', async () => {
  const sar = (user: string, verb: string, ns: string) => JSON.stringify({
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
    spec: { user, groups: ['system:authenticated'], resourceAttributes: { verb, resource: 'pods', namespace: ns } },
  });
  assert.equal(await ok(['create', '-f', '-', '-o', 'jsonpath={.status.allowed}'], undefined, sar('bob', 'list', 'team')), 'true');
  assert.equal(await ok(['create', '-f', '-', '-o', 'jsonpath={.status.allowed}'], undefined, sar('bob', 'delete', 'team')), 'false');
  const reason = await ok(['create', '-f', '-', '-o', 'jsonpath={.status.reason}'], undefined, sar('bob', 'list', 'team'));
  assert.match(reason, /^RBAC: allowed by RoleBinding "bob-(pods|view)\/team" of ClusterRole "(pod-reader|view)" to User "bob"$/);
  const self = JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'team' } } });
  assert.equal(await ok(['create', '-f', '-', '-o', 'jsonpath={.status.allowed}'], 'bob', self), 'true');
  assert.equal(await ok(['create', '-f', '-', '-o', 'jsonpath={.status.allowed}'], 'carol', self), 'false');
  // A user without system:auth-delegator may not ask about others.
  const denied = await k(['create', '-f', '-'], 'bob', sar('alice', 'list', 'team'));
  assert.match(denied.stderr, /subjectaccessreviews.authorization.k8s.io is forbidden: User "bob" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope/);
});

test('no component of the cluster was ever denied (each acts with its own identity)', async () => {
  assert.doesNotMatch(c.output(), /forbidden/i);
});
