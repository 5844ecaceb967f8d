import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startTestApiServer, statusError, type TestApiServer } from './inprocess.ts';
import { KubeClient } from '../../../src/client/client.ts';
import { StatusError } from '../../../src/api/errors.ts';

let t: TestApiServer;
before(async () => { t = await startTestApiServer('sa', { serviceAccountAdmission: true }); });
after(async () => { await t?.stop(); });

const NS = 'default';
const base = `/api/v1/namespaces/${NS}`;
const tokenFor = (name: string, spec: Record<string, unknown> = {}) =>
  t.client.request<any>('POST', `${base}/serviceaccounts/${name}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
const clientWith = (token: string) => new KubeClient({ server: t.server.url, ca: t.server.pki.caCert, token });
const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }], initContainers: [{ name: 'i', image: 'busybox' }], ...extra },
});

test('a pod naming a missing service account is refused as upstream', async () => {
  const e = await statusError(t.client.request('POST', `${base}/pods`, pod('p0', { serviceAccountName: 'nobody' })));
  assert.equal(e.code, 403);
  assert.equal(e.message, 'pods "p0" is forbidden: error looking up service account default/nobody: serviceaccount "nobody" not found');
});

test('a pod in a missing namespace is 404 before admission looks for its service account', async () => {
  const e = await statusError(t.client.request('POST', '/api/v1/namespaces/nowhere/pods', { ...pod('p9'), metadata: { name: 'p9', namespace: 'nowhere' } }));
  assert.equal(e.code, 404);
  assert.equal(e.message, 'namespaces "nowhere" not found');
});

test('ServiceAccount CRUD, table columns, token request with upstream claims', async () => {
  const sa = await t.client.request<any>('POST', `${base}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  assert.equal(sa.kind, 'ServiceAccount');
  const tbl = await t.client.request<any>('GET', `${base}/serviceaccounts`, undefined);
  assert.ok(tbl.items.some((i: any) => i.metadata.name === 'robot'));
  const tr = await tokenFor('robot');
  assert.equal(tr.kind, 'TokenRequest');
  assert.deepEqual(tr.spec.audiences, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal(tr.spec.expirationSeconds, 3600);
  const claims: any = decodeJwt(tr.status.token);
  assert.equal(decodeProtectedHeader(tr.status.token).alg, 'RS256');
  assert.equal(claims.iss, 'https://kubernetes.default.svc.cluster.local');
  assert.equal(claims.sub, 'system:serviceaccount:default:robot');
  assert.deepEqual(claims.aud, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal(claims.exp - claims.iat, 3600);
  assert.equal(claims.nbf, claims.iat);
  assert.deepEqual(claims['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid: sa.metadata.uid } });
  assert.equal(Date.parse(tr.status.expirationTimestamp) / 1000, claims.exp);

  // Bad durations are 422 with upstream's messages; a missing service account is 404.
  const short = await statusError(tokenFor('robot', { expirationSeconds: 60 }));
  assert.equal(short.code, 422);
  assert.match(short.message, /spec\.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
  const long = await statusError(tokenFor('robot', { expirationSeconds: 2 ** 32 + 1 }));
  assert.match(long.message, /may not specify a duration larger than 2\^32 seconds/);
  assert.equal((await statusError(tokenFor('ghost'))).code, 404);
  // Wrong JSON types are decoding errors (400), never a crash.
  const typed = await statusError(tokenFor('robot', { expirationSeconds: 'soon' }));
  assert.equal(typed.code, 400);
  assert.match(typed.message, /^TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal string into Go struct field/);
  assert.equal((await statusError(tokenFor('robot', { expirationSeconds: 600.5 }))).code, 400);
  assert.equal((await statusError(tokenFor('robot', { audiences: 'x' }))).code, 400);
});

test('the token authenticates as the service account until the account is deleted; TokenReview agrees', async () => {
  await t.client.request('POST', `${base}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot2' } });
  const tok = (await tokenFor('bot2')).status.token;
  // RBAC: the service account may list pods in its namespace (a RoleBinding to its ServiceAccount subject).
  await t.client.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'bot2-pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] });
  await t.client.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'bot2-pods' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'bot2-pods' }, subjects: [{ kind: 'ServiceAccount', name: 'bot2' }] });
  const c = clientWith(tok);
  await new Promise((r) => setTimeout(r, 200)); // the RBAC cache follows the store's watch
  const pods = await c.request<any>('GET', `${base}/pods`);
  assert.equal(pods.kind, 'PodList');
  const review = await t.client.request<any>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: tok } });
  assert.equal(review.status.authenticated, true);
  assert.equal(review.status.user.username, 'system:serviceaccount:default:bot2');
  assert.deepEqual(review.status.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
  assert.deepEqual(review.status.audiences, ['https://kubernetes.default.svc.cluster.local']);
  // Another audience: not for this server.
  const other = await t.client.request<any>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: tok, audiences: ['vault'] } });
  assert.equal(other.status.authenticated, false);
  assert.match(other.status.error, /token audiences \["https:\/\/kubernetes.default.svc.cluster.local"\] is invalid for the target audiences \["vault"\]/);
  await t.client.request('DELETE', `${base}/serviceaccounts/bot2`);
  const e = await statusError(c.request('GET', `${base}/pods`));
  assert.equal(e.code, 401);
  c.close();
  // A tampered token is refused.
  const [h, p, s] = tok.split('.');
  const forged = [h, Buffer.from(JSON.stringify({ ...decodeJwt(tok), sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url'), s].join('.');
  const bad = await t.client.request<any>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: forged } });
  assert.equal(bad.status.authenticated, false);
  void p;
  const empty = await statusError(t.client.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: {} }));
  assert.equal(empty.code, 400);
});

test('admission injects the kube-api-access volume; a pod-bound token dies with its pod', async () => {
  await t.client.request('POST', `${base}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }).catch((e) => { if (!(e instanceof StatusError && e.code === 409)) throw e; });
  const p = await t.client.request<any>('POST', `${base}/pods`, pod('p1'));
  assert.equal(p.spec.serviceAccountName, 'default');
  const vol = p.spec.volumes.find((v: any) => v.name.startsWith('kube-api-access-'));
  assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(vol.projected, {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  });
  for (const c of [...p.spec.containers, ...p.spec.initContainers]) {
    assert.deepEqual(c.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
  }
  // Opting out (pod level) injects nothing.
  const q = await t.client.request<any>('POST', `${base}/pods`, pod('p2', { automountServiceAccountToken: false }));
  assert.equal(q.spec.volumes, undefined);

  // Bound to the pod: the kubelet's request (3607 s) is extended to a year with warnafter.
  const tr = await tokenFor('default', { expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: p.metadata.uid } });
  const claims: any = decodeJwt(tr.status.token);
  assert.deepEqual(claims['kubernetes.io'].pod, { name: 'p1', uid: p.metadata.uid });
  assert.equal(claims.exp - claims.iat, 365 * 24 * 3600);
  assert.equal(claims['kubernetes.io'].warnafter - claims.iat, 3607);
  const review = await t.client.request<any>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: tr.status.token } });
  assert.deepEqual(review.status.user.extra['authentication.kubernetes.io/pod-name'], ['p1']);
  assert.deepEqual(review.status.user.extra['authentication.kubernetes.io/pod-uid'], [p.metadata.uid]);
  // Wrong uid: 409; a pod of another service account: 400; a kind that cannot be bound: 400.
  const wrong = await statusError(tokenFor('default', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: 'nope' } }));
  assert.equal(wrong.code, 409);
  await t.client.request('POST', `${base}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'other' } });
  const otherSa = await statusError(tokenFor('other', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1' } }));
  assert.equal(otherSa.code, 400);
  assert.equal(otherSa.message, 'cannot bind token for serviceaccount "other" to pod running with different serviceaccount name.');
  const cm = await statusError(tokenFor('default', { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } }));
  assert.equal(cm.message, 'cannot bind token to object of type /v1, Kind=ConfigMap');

  const c = clientWith(tr.status.token);
  // Who the token is (SelfSubjectReview: allowed to every authenticated user, whatever RBAC grants).
  const whoami = () => c.request<any>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  assert.equal((await whoami()).status.userInfo.username, 'system:serviceaccount:default:default');
  await t.client.request('DELETE', `${base}/pods/p1`); // unscheduled: removed at once
  assert.equal((await statusError(whoami())).code, 401);
  c.close();
});
