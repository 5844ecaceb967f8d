/**
 * Service accounts end to end, with the real kubectl and real containers: every namespace (also one created later)
 * gets the `default` ServiceAccount and the kube-root-ca.crt ConfigMap; `kubectl create serviceaccount` and
 * `kubectl create token` (duration, audience, bound to a pod) work and the token authenticates kubectl; admission
 * refuses a pod naming a missing service account and injects the kube-api-access volume; a pod reads its mounted
 * token, ca.crt and namespace and calls the API through the `kubernetes` Service (kubernetes.default.svc and
 * $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, verified with the cluster CA) with what its RBAC role grants
 * and is denied the rest (403); deleting the pod a token is bound to ends the token (401).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, kjson, kubectlOk, reapLeftovers } from './node-helpers.ts';

let c: Cluster;
let ca: string;
const NS = 'sa-e2e';
before(async () => {
  c = await startCluster({ node: true });
  ca = readFileSync(join(c.dataDir, 'pki', 'ca.crt'), 'utf8');
});
after(async () => {
  if (c) {
    await cleanup(c, [`pod apicall -n ${NS}`, `pod holder -n ${NS}`, 'pod api']).catch(() => {});
    await c.stop();
  }
  await reapLeftovers();
});

/** kubectl with only a bearer token (no kubeconfig user). */
const asToken = (token: string, args: string[]) => c.kubectl(['--kubeconfig', '/dev/null', '--server', c.server,
  '--certificate-authority', join(c.dataDir, 'pki', 'ca.crt'), '--token', token, ...args]);

test('a namespace created later gets the default ServiceAccount and kube-root-ca.crt', async () => {
  await kubectlOk(c, ['create', 'namespace', NS]);
  await waitFor(async () => (await c.kubectl(['get', 'serviceaccount', 'default', '-n', NS])).code === 0, { timeoutMs: 30_000, message: 'default SA' });
  const cm = await waitFor(async () => { const r = await c.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', NS, '-o', 'json']); return r.code === 0 ? JSON.parse(r.stdout) : undefined; },
    { timeoutMs: 30_000, message: 'kube-root-ca.crt' });
  assert.equal(cm.data['ca.crt'], ca);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await waitFor(async () => (await c.kubectl(['get', 'sa', 'default', '-n', ns])).code === 0, { timeoutMs: 30_000, message: `default SA in ${ns}` });
  }
});

test('kubectl create serviceaccount / create token; the token authenticates kubectl', async () => {
  assert.match(await kubectlOk(c, ['create', 'serviceaccount', 'robot', '-n', NS]), /serviceaccount\/robot created/);
  const table = await kubectlOk(c, ['get', 'sa', '-n', NS]);
  assert.match(table.split('\n')[0], /^NAME\s+SECRETS\s+AGE$/);
  assert.match(table, /\nrobot\s+0\s+\S+/);
  const sa = await kjson(c, ['get', 'sa', 'robot', '-n', NS]);
  // What robot may do: read pods and service accounts in its namespace (RBAC), nothing else.
  await kubectlOk(c, ['create', 'role', 'robot-reader', '--verb=get,list,watch', '--resource=pods,serviceaccounts', '-n', NS]);
  await kubectlOk(c, ['create', 'rolebinding', 'robot-reader', '--role=robot-reader', `--serviceaccount=${NS}:robot`, '-n', NS]);

  const token = (await kubectlOk(c, ['create', 'token', 'robot', '-n', NS])).trim();
  const claims: any = decodeJwt(token);
  assert.equal(claims.iss, 'https://kubernetes.default.svc.cluster.local');
  assert.equal(claims.sub, `system:serviceaccount:${NS}:robot`);
  assert.deepEqual(claims.aud, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal(claims.exp - claims.iat, 3600);
  assert.deepEqual(claims['kubernetes.io'].serviceaccount, { name: 'robot', uid: sa.metadata.uid });
  const r = await asToken(token, ['get', 'serviceaccounts', '-n', NS, '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /serviceaccount\/robot/);
  const secrets = await asToken(token, ['get', 'secrets', '-n', NS]);
  assert.equal(secrets.stderr.trim(), `Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:${NS}:robot" cannot list resource "secrets" in API group "" in the namespace "${NS}"`);

  // --duration and --audience; a token for another audience is not accepted here.
  const other = (await kubectlOk(c, ['create', 'token', 'robot', '-n', NS, '--duration', '15m', '--audience', 'vault'])).trim();
  const oc: any = decodeJwt(other);
  assert.deepEqual(oc.aud, ['vault']);
  assert.equal(oc.exp - oc.iat, 900);
  const denied = await asToken(other, ['get', 'pods', '-n', NS]);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /Unauthorized/);
  // Below the 10-minute minimum: upstream's validation message.
  const short = await c.kubectl(['create', 'token', 'robot', '-n', NS, '--duration', '5m']);
  assert.notEqual(short.code, 0);
  assert.match(short.stderr, /may not specify a duration less than 10 minutes/);
  // Bound to a Node (kubectl's third kind): valid while that node exists.
  const nodeName = (await kubectlOk(c, ['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
  const nodeTok = (await kubectlOk(c, ['create', 'token', 'robot', '-n', NS, '--bound-object-kind', 'Node', '--bound-object-name', nodeName])).trim();
  const node = await kjson(c, ['get', 'node', nodeName]);
  assert.deepEqual((decodeJwt(nodeTok) as any)['kubernetes.io'].node, { name: nodeName, uid: node.metadata.uid });
  const viaNode = await asToken(nodeTok, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
  assert.equal(viaNode.stdout, `system:serviceaccount:${NS}:robot`, viaNode.stderr);
  const ghost = await c.kubectl(['create', 'token', 'ghost', '-n', NS]);
  assert.match(ghost.stderr, /serviceaccounts "ghost" not found/);
});

test('a pod naming a missing service account is refused; one that exists is admitted with the token volume', async () => {
  const pod = (name: string, sa: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
    spec: { serviceAccountName: sa, containers: [{ name: 'c', image: 'kubelite/busybox', command: ['sleep', '3600'] }] } });
  const r = await c.kubectl(['create', '-f', '-'], { input: pod('nosa', 'nobody') });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pods "nosa" is forbidden: error looking up service account sa-e2e\/nobody: serviceaccount "nobody" not found/);
  await kubectlOk(c, ['create', '-f', '-'], { input: pod('holder', 'robot') });
  const p = await kjson(c, ['get', 'pod', 'holder', '-n', NS]);
  const vol = p.spec.volumes.find((v: any) => v.name.startsWith('kube-api-access-'));
  assert.ok(vol, 'kube-api-access volume injected');
  assert.deepEqual(p.spec.containers[0].volumeMounts, [{ name: vol.name, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }]);
});

test('a token bound to a pod works until the pod is deleted (then 401)', async () => {
  const p = await kjson(c, ['get', 'pod', 'holder', '-n', NS]);
  const token = (await kubectlOk(c, ['create', 'token', 'robot', '-n', NS, '--bound-object-kind', 'Pod', '--bound-object-name', 'holder'])).trim();
  const claims: any = decodeJwt(token);
  assert.deepEqual(claims['kubernetes.io'].pod, { name: 'holder', uid: p.metadata.uid });
  const ok = await asToken(token, ['get', 'pods', '-n', NS, '-o', 'name']);
  assert.equal(ok.code, 0, ok.stderr);
  // Who the token is (SelfSubjectReview): the service account's name, uid and groups, the pod and node as extra.
  const who = await asToken(token, ['auth', 'whoami', '-o', 'json']);
  assert.equal(who.code, 0, who.stderr);
  const sa = await kjson(c, ['get', 'sa', 'robot', '-n', NS]);
  const u = JSON.parse(who.stdout).status.userInfo;
  assert.equal(u.username, `system:serviceaccount:${NS}:robot`);
  assert.equal(u.uid, sa.metadata.uid);
  assert.deepEqual(u.groups, ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated']);
  assert.deepEqual(u.extra['authentication.kubernetes.io/pod-name'], ['holder']);
  assert.deepEqual(u.extra['authentication.kubernetes.io/pod-uid'], [p.metadata.uid]);
  assert.deepEqual(u.extra['authentication.kubernetes.io/node-name'], [p.spec.nodeName]);
  assert.match(u.extra['authentication.kubernetes.io/credential-id'][0], /^JTI=[0-9a-f-]{36}$/);
  await kubectlOk(c, ['delete', 'pod', 'holder', '-n', NS, '--grace-period', '1', '--wait=true'], { timeoutMs: 90_000 });
  const gone = await asToken(token, ['get', 'pods', '-n', NS]);
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /You must be logged in to the server \(Unauthorized\)/);
});

test('a pod calls the API with its mounted token through the kubernetes Service; deleting the pod ends the token', async () => {
  const script = [
    'D=/var/run/secrets/kubernetes.io/serviceaccount',
    'NS=$(cat $D/namespace)',
    'echo "ns=$NS host=$KUBERNETES_SERVICE_HOST port=$KUBERNETES_SERVICE_PORT files=$(ls $D | tr "\\n" ,)"',
    'echo "token=$(cat $D/token)"',
    'for url in https://kubernetes.default.svc/api/v1/namespaces/$NS/serviceaccounts https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/$NS/pods https://kubernetes.default.svc/api/v1/namespaces/$NS/secrets; do',
    '  code=$(curl -sS -o /tmp/out -w "%{http_code}" --cacert $D/ca.crt -H "Authorization: Bearer $(cat $D/token)" "$url")',
    '  echo "url=$url code=$code body=$(head -c 200 /tmp/out | tr -d "\\n")"',
    'done',
  ].join('\n');
  await kubectlOk(c, ['create', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'apicall', namespace: NS },
    spec: { restartPolicy: 'Never', serviceAccountName: 'robot', containers: [{ name: 'c', image: 'curlimages/curl', command: ['sh', '-c', script] }] },
  }) });
  await waitFor(async () => ['Succeeded', 'Failed'].includes((await kjson(c, ['get', 'pod', 'apicall', '-n', NS])).status?.phase), { timeoutMs: 120_000, intervalMs: 500, message: 'apicall finished' });
  const p = await kjson(c, ['get', 'pod', 'apicall', '-n', NS]);
  const logs = await kubectlOk(c, ['logs', 'apicall', '-n', NS]);
  assert.match(logs, /ns=sa-e2e host=10\.96\.0\.1 port=443 files=ca\.crt,namespace,token,/, logs);
  assert.match(logs, /url=https:\/\/kubernetes\.default\.svc\/api\/v1\/namespaces\/sa-e2e\/serviceaccounts code=200 body=\{\s*"kind": ?"ServiceAccountList"/, logs);
  assert.match(logs, /url=https:\/\/10\.96\.0\.1:443\/api\/v1\/namespaces\/sa-e2e\/pods code=200 body=\{\s*"kind": ?"PodList"/, logs);
  // ...and is denied what its role does not grant.
  assert.match(logs, /url=https:\/\/kubernetes\.default\.svc\/api\/v1\/namespaces\/sa-e2e\/secrets code=403 body=\{.*secrets is forbidden: User \\"system:serviceaccount:sa-e2e:robot\\" cannot list resource \\"secrets\\"/, logs);
  // The kubelet's token: bound to this pod (and its node), the API server's audience, a year with warnafter 3607 s.
  const token = /token=(\S+)/.exec(logs)![1];
  const claims: any = decodeJwt(token);
  assert.equal(claims.sub, `system:serviceaccount:${NS}:robot`);
  assert.deepEqual(claims['kubernetes.io'].pod, { name: 'apicall', uid: p.metadata.uid });
  assert.equal(claims['kubernetes.io'].node.name, p.spec.nodeName);
  assert.equal(claims['kubernetes.io'].warnafter - claims.iat, 3607);
  assert.equal(claims.exp - claims.iat, 365 * 24 * 3600);
  const ok = await asToken(token, ['get', 'pods', '-n', NS, '-o', 'name']);
  assert.equal(ok.code, 0, ok.stderr);
  await kubectlOk(c, ['delete', 'pod', 'apicall', '-n', NS, '--wait=true'], { timeoutMs: 90_000 });
  const gone = await asToken(token, ['get', 'pods', '-n', NS]);
  assert.match(gone.stderr, /You must be logged in to the server \(Unauthorized\)/);
});

test('the README example: a service account granted view lists pods from inside its pod', async () => {
  await kubectlOk(c, ['create', 'serviceaccount', 'reader']);
  await kubectlOk(c, ['create', 'rolebinding', 'reader', '--clusterrole=view', '--serviceaccount=default:reader']);
  await kubectlOk(c, ['run', 'api', '--restart=Never', '--image=curlimages/curl', '--overrides={"spec":{"serviceAccountName":"reader"}}', '--command', '--',
    'sh', '-c', 'D=/var/run/secrets/kubernetes.io/serviceaccount; curl -s --cacert $D/ca.crt -H "Authorization: Bearer $(cat $D/token)" https://kubernetes.default.svc/api/v1/namespaces/default/pods']);
  await waitFor(async () => (await kjson(c, ['get', 'pod', 'api'])).status?.phase === 'Succeeded', { timeoutMs: 120_000, intervalMs: 500, message: 'api pod Succeeded' });
  const list = JSON.parse(await kubectlOk(c, ['logs', 'api']));
  assert.equal(list.kind, 'PodList');
  assert.ok(list.items.some((p: any) => p.metadata.name === 'api'));
  await kubectlOk(c, ['delete', 'pod', 'api', '--wait=false']);
});
