/**
 * Volumes and configuration on real containers, driven by the real kubectl: nginx serves a page from a ConfigMap
 * volume and serves the new page after `kubectl apply` of a changed ConfigMap; secret volume with items and mode;
 * emptyDir shared between two containers; emptyDir Memory is a tmpfs; downwardAPI; projected; hostPath;
 * subPath; a readOnly mount refuses a write; a projected serviceAccountToken (TokenRequest) and kube-api-access; env/envFrom from ConfigMap/Secret/fieldRef and the service variables
 * in `kubectl exec -- env`; a pod mounting a missing ConfigMap waits with FailedMount and starts once it exists;
 * a missing key gives CreateContainerConfigError. Every pod is deleted in `after`, which unmounts its volumes;
 * the test checks that nothing of the cluster stays mounted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, httpText, isReady, kjson, kubectlOk, reapLeftovers } from './node-helpers.ts';
import { mountsUnder } from '../../src/kubelet/volumes/host-mount.ts';

let c: Cluster;
const hostDir = mkdtempSync(join(tmpdir(), 'kubelite-e2e-hostpath-'));
before(async () => { c = await startCluster({ node: true }); });
after(async () => {
  if (c) {
    try {
      await cleanup(c, ['pod web', 'pod vols', 'pod tok', 'pod waiter', 'pod hpfail', 'pod badkey', 'configmap site', 'configmap app', 'configmap later', 'secret creds'], 'e2e=volumes');
      // The node agent unmounted the volumes of the deleted pods before their objects went away.
      assert.deepEqual(mountsUnder(c.dataDir), []);
    } finally { await c.stop(); }
  }
  await reapLeftovers();
  rmSync(hostDir, { recursive: true, force: true });
});

const apply = (obj: unknown) => kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify(obj) });
const getPod = (name: string) => kjson<Pod>(c, ['get', 'pod', name]);
const exec = (pod: string, container: string, script: string) => c.kubectl(['exec', pod, '-c', container, '--', 'sh', '-c', script]);
const site = (text: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site' }, data: { 'index.html': text } });
async function ready(name: string): Promise<Pod> {
  return waitFor(async () => { const p = await getPod(name); return isReady(p) ? p : undefined; }, { timeoutMs: 90_000, intervalMs: 500, message: `${name} Ready` });
}

test('nginx serves a page from a ConfigMap volume and serves the new page after kubectl apply (kubelet resync)', async () => {
  await apply(site('<h1>version one</h1>\n'));
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { e2e: 'volumes' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }],
        volumeMounts: [{ name: 'html', mountPath: '/var/www/html' }, { name: 'html', mountPath: '/srv/pinned.html', subPath: 'index.html' }],
        readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 } }],
      volumes: [{ name: 'html', configMap: { name: 'site' } }],
    },
  });
  const p = await ready('web');
  const ip = p.status!.podIP!;
  assert.equal(await httpText(ip), '<h1>version one</h1>\n');
  // The files are the atomic writer's: index.html → ..data/index.html, ..data → a timestamped dir.
  const ls = await exec('web', 'nginx', 'readlink /var/www/html/index.html; readlink /var/www/html/..data');
  assert.match(ls.stdout, /^\.\.data\/index\.html\n\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\S+\n$/);
  await apply(site('<h1>version two</h1>\n'));
  // The node agent rewrites API-data volumes every 30 s: the new page is served within a minute.
  await waitFor(async () => (await httpText(ip)) === '<h1>version two</h1>\n', { timeoutMs: 60_000, intervalMs: 1000, message: 'nginx serves the updated ConfigMap' });
  // A subPath mount keeps the file it was started with (as upstream).
  assert.equal((await exec('web', 'nginx', 'cat /srv/pinned.html')).stdout, '<h1>version one</h1>\n');
  // A ConfigMap volume is read-only in the container.
  const w = await exec('web', 'nginx', 'echo x > /var/www/html/new.html');
  assert.notEqual(w.code, 0);
  assert.match(w.stderr, /Read-only file system/);
});

test('secret items and mode, emptyDir shared and Memory, downwardAPI, projected, hostPath, subPath, readOnly, env and envFrom', async () => {
  await apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 's3cr3t', user: 'admin' } });
  await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { color: 'blue', 'app.conf': 'mode=fast\n', '1st': 'x' } });
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'vols', labels: { e2e: 'volumes', app: 'vols' }, annotations: { owner: 'team-a' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main', image: 'kubelite/busybox', command: ['sh', '-c', 'sleep 3600'],
          env: [
            { name: 'GREETING', value: 'hi-$(MY_NAME)' },
            { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'LATE', value: 'hi-$(MY_NAME)' },
            { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'app', key: 'color' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          ],
          envFrom: [{ configMapRef: { name: 'app' }, prefix: 'APP_' }, { configMapRef: { name: 'app' } }, { secretRef: { name: 'creds' } }],
          resources: { limits: { memory: '128Mi' } },
          volumeMounts: [
            { name: 'creds', mountPath: '/secret' },
            { name: 'shared', mountPath: '/shared' },
            { name: 'mem', mountPath: '/mem' },
            { name: 'info', mountPath: '/info' },
            { name: 'proj', mountPath: '/proj' },
            { name: 'host', mountPath: '/host' },
            { name: 'app', mountPath: '/etc/app.conf', subPath: 'app.conf' },
            { name: 'shared', mountPath: '/ro', readOnly: true },
          ],
        },
        { name: 'side', image: 'kubelite/busybox', command: ['sh', '-c', 'echo from-side > /data/note; sleep 3600'], volumeMounts: [{ name: 'shared', mountPath: '/data' }] },
      ],
      volumes: [
        { name: 'creds', secret: { secretName: 'creds', items: [{ key: 'password', path: 'pw/password', mode: 0o400 }] } },
        { name: 'shared', emptyDir: {} },
        { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'owner', fieldRef: { fieldPath: "metadata.annotations['owner']" } }] } },
        { name: 'proj', projected: { sources: [
          { configMap: { name: 'app', items: [{ key: 'color', path: 'color' }] } },
          { secret: { name: 'creds', items: [{ key: 'user', path: 'user' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
        ] } },
        { name: 'host', hostPath: { path: join(hostDir, 'made'), type: 'DirectoryOrCreate' } },
        { name: 'app', configMap: { name: 'app' } },
      ],
    },
  });
  const p = await ready('vols');
  const sh = async (script: string, container = 'main') => {
    const r = await exec('vols', container, script);
    assert.equal(r.code, 0, `${script}: ${r.stderr}`);
    return r.stdout;
  };
  // secret: only the item, with its mode
  assert.equal(await sh('cat /secret/pw/password'), 's3cr3t');
  assert.equal(await sh('stat -L -c %a /secret/pw/password'), '400\n');
  assert.equal(await sh('ls /secret'), 'pw\n');
  assert.match(await sh('grep " /secret " /proc/mounts'), /^tmpfs \/secret tmpfs ro[,\s]/);
  // emptyDir shared between the two containers
  await waitFor(async () => (await exec('vols', 'main', 'cat /shared/note')).stdout === 'from-side\n', { timeoutMs: 20_000, message: 'note from side' });
  // Memory emptyDir: a tmpfs bounded by sizeLimit
  assert.match(await sh('grep " /mem " /proc/mounts'), /^tmpfs \/mem tmpfs rw,.*size=16384k/);
  // downward API, projected
  assert.equal(await sh('cat /info/labels'), 'app="vols"\ne2e="volumes"');
  assert.equal(await sh('cat /info/owner'), 'team-a');
  assert.equal(await sh('cat /proj/color /proj/user /proj/namespace'), 'blueadmindefault');
  // hostPath (DirectoryOrCreate made it): a write in the pod shows on the host
  await sh('echo from-pod > /host/file');
  assert.equal(readFileSync(join(hostDir, 'made', 'file'), 'utf8'), 'from-pod\n');
  // subPath: one key as a file
  assert.equal(await sh('cat /etc/app.conf'), 'mode=fast\n');
  // readOnly mount refuses a write
  const ro = await exec('vols', 'main', 'touch /ro/x');
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /Read-only file system/);
  // env and envFrom, via kubectl exec -- env
  const env = Object.fromEntries((await kubectlOk(c, ['exec', 'vols', '-c', 'main', '--', 'env'])).trim().split('\n').map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i), l.slice(i + 1)];
  }));
  assert.equal(env.GREETING, 'hi-$(MY_NAME)'); // declared before MY_NAME: not expanded, as upstream
  assert.equal(env.LATE, 'hi-vols');
  assert.equal(env.COLOR, 'blue');
  assert.equal(env.PASSWORD, 's3cr3t');
  assert.equal(env.NODE, p.spec!.nodeName);
  assert.equal(env.POD_IP, p.status!.podIP);
  assert.equal(env.MEM_MI, '128');
  assert.equal(env.APP_color, 'blue');
  assert.equal(env['APP_app.conf'], 'mode=fast'); // (its newline ends the line env prints)
  assert.equal(env.user, 'admin');
  assert.equal(env.password, 's3cr3t');
  assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  assert.equal(env.KUBERNETES_SERVICE_PORT, '443');
  assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, '443');
  assert.equal(env.KUBERNETES_PORT, 'tcp://10.96.0.1:443');
  assert.equal(env.KUBERNETES_PORT_443_TCP_ADDR, '10.96.0.1');
  assert.equal(env.APP_1st, 'x');
  assert.equal(env.color, 'blue');
  assert.ok(!('1st' in env));
  const ev = await kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=vols,reason=InvalidEnvironmentVariableNames']);
  assert.match(ev, /Keys \[1st\] from the EnvFrom configMap default\/app were skipped since they are considered invalid environment variable names\./);
});

test('projected serviceAccountToken: a bound token from TokenRequest (audience, lifetime, pod), beside the kube-api-access volume', async () => {
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tok', labels: { e2e: 'volumes' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'kubelite/busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'vault', mountPath: '/vault' }] }],
      volumes: [{ name: 'vault', projected: { defaultMode: 0o440, sources: [{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'token' } }] } }],
    },
  });
  const p = await ready('tok');
  const read = async (f: string) => {
    const r = await exec('tok', 'main', `cat ${f}`);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    return r.stdout;
  };
  const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
  const t = claims(await read('/vault/token'));
  assert.deepEqual(t.aud, ['vault']);
  assert.equal(t.exp - t.iat, 600);
  assert.equal(t.sub, 'system:serviceaccount:default:default');
  assert.deepEqual(t['kubernetes.io'].pod, { name: 'tok', uid: p.metadata!.uid });
  assert.equal((await exec('tok', 'main', 'stat -L -c %a /vault/token')).stdout, '440\n');
  // The service account admission's kube-api-access volume, filled by the node agent.
  const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
  assert.equal(await read(`${sa}/namespace`), 'default');
  assert.match(await read(`${sa}/ca.crt`), /^-----BEGIN CERTIFICATE-----/);
  const k = claims(await read(`${sa}/token`));
  assert.deepEqual(k['kubernetes.io'].pod, { name: 'tok', uid: p.metadata!.uid });
  assert.match(await read('/proc/mounts'), new RegExp(`^tmpfs ${sa.replace(/\//g, '\\/')} tmpfs ro[,\\s]`, 'm'));
});

test('a pod mounting a missing ConfigMap waits in ContainerCreating with FailedMount, and starts once it exists', async () => {
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'waiter', labels: { e2e: 'volumes' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'kubelite/busybox', command: ['sh', '-c', 'cat /cfg/k; sleep 3600'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }],
      volumes: [{ name: 'cfg', configMap: { name: 'later' } }],
    },
  });
  const ev = await waitFor(async () => {
    const out = await kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=waiter,reason=FailedMount']);
    return out.includes('MountVolume.SetUp failed for volume "cfg" : configmap "later" not found') ? out : undefined;
  }, { timeoutMs: 30_000, intervalMs: 500, message: 'FailedMount event' });
  assert.match(ev, /Warning\s+FailedMount\s+pod\/waiter/);
  // A hostPath type check fails the same way, with upstream's message.
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hpfail', labels: { e2e: 'volumes' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'kubelite/busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'sock', mountPath: '/sock' }] }],
      volumes: [{ name: 'sock', hostPath: { path: hostDir, type: 'Socket' } }],
    },
  });
  await waitFor(async () => (await kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=hpfail,reason=FailedMount']))
    .includes(`MountVolume.SetUp failed for volume "sock" : hostPath type check failed: ${hostDir} is not a socket file`),
  { timeoutMs: 30_000, intervalMs: 500, message: 'hostPath FailedMount event' });
  const p = await getPod('waiter');
  assert.equal(p.status?.phase, 'Pending');
  assert.equal(p.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  assert.match(await kubectlOk(c, ['get', 'pod', 'waiter']), /waiter\s+0\/1\s+ContainerCreating/);
  await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later' }, data: { k: 'arrived' } });
  await waitFor(async () => (await getPod('waiter')).status?.phase === 'Running', { timeoutMs: 60_000, intervalMs: 500, message: 'waiter Running' });
  assert.equal((await exec('waiter', 'main', 'cat /cfg/k')).stdout, 'arrived');
});

test('a missing ConfigMap key in env: CreateContainerConfigError with upstream message', async () => {
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'badkey', labels: { e2e: 'volumes' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'kubelite/busybox', command: ['sleep', '3600'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'nope' } } }] }],
    },
  });
  const st = await waitFor(async () => {
    const w = (await getPod('badkey')).status?.containerStatuses?.[0]?.state?.waiting;
    return w?.reason === 'CreateContainerConfigError' ? w : undefined;
  }, { timeoutMs: 30_000, intervalMs: 500, message: 'CreateContainerConfigError' });
  assert.equal(st.message, "couldn't find key nope in ConfigMap default/app");
  assert.match(await kubectlOk(c, ['get', 'pod', 'badkey']), /badkey\s+0\/1\s+CreateContainerConfigError/);
});
