/**
 * The node agent's volumes without containers: the atomic writer's layout and updates, the volume manager against
 * an in-process fake of the API (ConfigMaps, Secrets, TokenRequest), hostPath type checks, container mounts with
 * subPath. Secret/projected volumes mount a real tmpfs (the tests run as root); every test unmounts what it made.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { validatePayloadPath, writeAtomic, type Payload } from '../../../src/kubelet/volumes/atomic-writer.ts';
import { VolumeManager, checkHostPathType } from '../../../src/kubelet/volumes/manager.ts';
import { containerMounts, expandSubPathExpr } from '../../../src/kubelet/volumes/mounts.ts';
import { TokenManager, type TokenRequestBody } from '../../../src/kubelet/volumes/tokens.ts';
import { mountsUnder } from '../../../src/kubelet/volumes/host-mount.ts';
import { FakeClock } from '../../../src/util/clock.ts';

const root = mkdtempSync(join(tmpdir(), 'kubelite-volumes-unit-'));
after(async () => {
  const { unmountAll } = await import('../../../src/kubelet/volumes/host-mount.ts');
  await unmountAll(root);
  rmSync(root, { recursive: true, force: true });
});

const P = (o: Record<string, string | [string, number]>): Payload =>
  new Map(Object.entries(o).map(([k, v]) => [k, { data: Buffer.from(Array.isArray(v) ? v[0] : v), mode: Array.isArray(v) ? v[1] : 0o644 }]));

test('atomic writer: ..data → timestamped dir, per-key symlinks, modes, atomic update removes stale keys', () => {
  const dir = join(root, 'aw');
  assert.equal(writeAtomic(dir, P({ 'index.html': 'v1', 'conf/app.ini': ['x=1', 0o600] }), new Date('2026-12-07T06:10:00Z')), true);
  const ts1 = readlinkSync(join(dir, '..data'));
  assert.match(ts1, /^\.\.2026_12_07_06_10_00\.\w+$/);
  assert.equal(readlinkSync(join(dir, 'index.html')), '..data/index.html');
  assert.equal(readlinkSync(join(dir, 'conf')), '..data/conf');
  assert.equal(readFileSync(join(dir, 'conf/app.ini'), 'utf8'), 'x=1');
  assert.equal(statSync(join(dir, 'conf/app.ini')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'index.html')).mode & 0o777, 0o644);
  // unchanged payload: nothing written
  assert.equal(writeAtomic(dir, P({ 'index.html': 'v1', 'conf/app.ini': ['x=1', 0o600] })), false);
  assert.equal(readlinkSync(join(dir, '..data')), ts1);
  // update: new timestamped dir, old one and stale key gone
  assert.equal(writeAtomic(dir, P({ 'index.html': 'v2' }), new Date('2026-12-07T06:11:00Z')), true);
  const ts2 = readlinkSync(join(dir, '..data'));
  assert.notEqual(ts2, ts1);
  assert.equal(readFileSync(join(dir, 'index.html'), 'utf8'), 'v2');
  assert.ok(!existsSync(join(dir, ts1)));
  assert.ok(!existsSync(join(dir, 'conf')));
  assert.deepEqual(readdirSync(dir).sort(), ['..data', ts2, 'index.html'].sort());
  // a mode change alone is a change
  assert.equal(writeAtomic(dir, P({ 'index.html': ['v2', 0o400] })), true);
  assert.equal(statSync(join(dir, 'index.html')).mode & 0o777, 0o400);
});

test('atomic writer: payload paths validated as upstream', () => {
  assert.equal(validatePayloadPath('a/b'), undefined);
  assert.match(validatePayloadPath('/abs')!, /must be relative path/);
  assert.match(validatePayloadPath('a/../b')!, /must not contain '\.\.'/);
  assert.match(validatePayloadPath('..data')!, /must not start with '\.\.'/);
  assert.throws(() => writeAtomic(join(root, 'bad'), P({ '../x': 'y' })), /must not contain/);
});

function fakeApi() {
  const objects = new Map<string, Map<string, Buffer>>();
  const tokenCalls: { ns: string; sa: string; body: TokenRequestBody }[] = [];
  let n = 0;
  return {
    objects, tokenCalls,
    set(ns: string, kind: 'configmap' | 'secret', name: string, data: Record<string, string>) {
      objects.set(`${ns}/${kind}/${name}`, new Map(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)])));
    },
    getObject: async (ns: string, kind: 'configmap' | 'secret', name: string) => objects.get(`${ns}/${kind}/${name}`),
    requestToken: async (ns: string, sa: string, body: TokenRequestBody) => {
      tokenCalls.push({ ns, sa, body });
      if (sa === 'missing') throw new Error(`serviceaccounts "${sa}" not found`);
      return { status: { token: `token-${++n}`, expirationTimestamp: new Date(clock.now() + body.spec.expirationSeconds * 1000).toISOString() } };
    },
  };
}
const clock = new FakeClock(Date.parse('2026-12-07T06:00:00Z'));

const pod = (uid: string, volumes: NonNullable<Pod['spec']>['volumes'], extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name: 'web', namespace: 'shop', uid, labels: { app: 'web' }, ...extra },
  spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'x', resources: { limits: { memory: '64Mi' } } }], volumes },
});

test('volume manager: configMap (items, modes), secret on tmpfs, downwardAPI, projected with a bound token; refresh; tear down', async () => {
  const api = fakeApi();
  api.set('shop', 'configmap', 'site', { 'index.html': '<h1>one</h1>', other: 'o' });
  api.set('shop', 'secret', 'creds', { user: 'admin', password: 'pw' });
  const tokens = new TokenManager(api.requestToken, clock);
  const vm = new VolumeManager({ podsDir: join(root, 'pods'), getObject: api.getObject, tokens, clock, resyncMs: 30_000 });
  const p = pod('uid-1', [
    { name: 'site', configMap: { name: 'site', defaultMode: 0o644 } },
    { name: 'creds', secret: { secretName: 'creds', items: [{ key: 'password', path: 'pw/file', mode: 0o400 }] } },
    { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } }] } },
    { name: 'api', projected: { defaultMode: 0o644, sources: [
      { serviceAccountToken: { path: 'token', expirationSeconds: 3600, audience: 'vault' } },
      { configMap: { name: 'site', items: [{ key: 'other', path: 'other.txt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
    ] } },
    { name: 'scratch', emptyDir: {} },
    { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
  ]);
  const r = await vm.setUp(p);
  assert.deepEqual(r.failed, []);
  const path = (n: string) => r.volumes.get(n)!.hostPath;
  assert.equal(path('site'), join(root, 'pods/uid-1/volumes/kubernetes.io~configmap/site'));
  assert.equal(readFileSync(join(path('site'), 'index.html'), 'utf8'), '<h1>one</h1>');
  assert.equal(r.volumes.get('site')!.readOnly, true);
  assert.equal(readFileSync(join(path('creds'), 'pw/file'), 'utf8'), 'pw');
  assert.ok(!existsSync(join(path('creds'), 'user')));
  assert.equal(statSync(join(path('creds'), 'pw/file')).mode & 0o777, 0o400);
  assert.equal(readFileSync(join(path('info'), 'labels'), 'utf8'), 'app="web"');
  assert.equal(readFileSync(join(path('info'), 'mem'), 'utf8'), '64');
  assert.equal(readFileSync(join(path('api'), 'token'), 'utf8'), 'token-1');
  assert.equal(readFileSync(join(path('api'), 'other.txt'), 'utf8'), 'o');
  assert.equal(readFileSync(join(path('api'), 'namespace'), 'utf8'), 'shop');
  assert.deepEqual(api.tokenCalls[0], { ns: 'shop', sa: 'robot', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
    spec: { audiences: ['vault'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'uid-1' } } } });
  assert.equal(statSync(path('scratch')).mode & 0o777, 0o777);
  const mounts = mountsUnder(join(root, 'pods/uid-1'));
  const types = Object.fromEntries(mounts.map((m) => [m.path.split('/').slice(-2).join('/'), m.fstype]));
  assert.deepEqual(types, { 'kubernetes.io~secret/creds': 'tmpfs', 'kubernetes.io~downward-api/info': 'tmpfs', 'kubernetes.io~projected/api': 'tmpfs', 'kubernetes.io~empty-dir/mem': 'tmpfs' });
  assert.match(readFileSync('/proc/self/mountinfo', 'utf8'), /kubernetes.io~empty-dir\/mem .*tmpfs tmpfs \S*size=8192k/);

  // Not due yet: nothing read again. After the resync period: the ConfigMap change is written atomically.
  api.set('shop', 'configmap', 'site', { 'index.html': '<h1>two</h1>', other: 'o' });
  assert.equal((await vm.setUp(p)).nextMs, 30_000);
  assert.equal(readFileSync(join(path('site'), 'index.html'), 'utf8'), '<h1>one</h1>');
  clock.advance(30_000);
  await vm.setUp(p);
  assert.equal(readFileSync(join(path('site'), 'index.html'), 'utf8'), '<h1>two</h1>');
  // A label change reaches the downward API at once.
  await vm.setUp(pod('uid-1', p.spec!.volumes!, { labels: { app: 'web', tier: 'front' } }));
  assert.equal(readFileSync(join(path('info'), 'labels'), 'utf8'), 'app="web"\ntier="front"');
  // The token is asked for again at 80% of its life (2880 s), not before.
  assert.equal(api.tokenCalls.length, 1);
  clock.advance(2880_000 - 30_000 - 1);
  await vm.setUp(p);
  assert.equal(api.tokenCalls.length, 1);
  clock.advance(1000); // (never sooner than a second after the last pass)
  const r2 = await vm.setUp(p);
  assert.equal(api.tokenCalls.length, 2);
  assert.equal(readFileSync(join(path('api'), 'token'), 'utf8'), 'token-2');
  assert.ok(r2.nextMs <= 30_000);

  await vm.tearDown('uid-1');
  assert.deepEqual(mountsUnder(join(root, 'pods/uid-1')), []);
  assert.ok(!existsSync(join(root, 'pods/uid-1')));
});

test('volume manager: a missing ConfigMap fails with upstream text and back-off, then succeeds once created; optional ones are empty', async () => {
  const api = fakeApi();
  const vm = new VolumeManager({ podsDir: join(root, 'pods'), getObject: api.getObject, clock });
  const p = pod('uid-2', [{ name: 'cfg', configMap: { name: 'later' } }, { name: 'opt', secret: { secretName: 'nope', optional: true } },
    { name: 'items', configMap: { name: 'partial', items: [{ key: 'absent', path: 'a' }] } }]);
  api.set('shop', 'configmap', 'partial', { present: '1' });
  let r = await vm.setUp(p);
  assert.deepEqual(r.failed, [
    { volume: 'cfg', message: 'configmap "later" not found' },
    { volume: 'items', message: 'configmap references non-existent config key: absent' },
  ]);
  assert.equal(r.nextMs, 1000);
  assert.ok(r.volumes.has('opt'));
  assert.deepEqual(readdirSync(r.volumes.get('opt')!.hostPath).filter((f) => !f.startsWith('..')), []);
  clock.advance(1000);
  r = await vm.setUp(p);
  assert.equal(r.nextMs, 2000);
  api.set('shop', 'configmap', 'later', { k: 'v' });
  api.set('shop', 'configmap', 'partial', { absent: 'here' });
  clock.advance(2000);
  r = await vm.setUp(p);
  assert.deepEqual(r.failed, []);
  assert.equal(readFileSync(join(r.volumes.get('cfg')!.hostPath, 'k'), 'utf8'), 'v');
  await vm.tearDown('uid-2');
});

test('volume manager: token errors and orphan cleanup', async () => {
  const api = fakeApi();
  const vm = new VolumeManager({ podsDir: join(root, 'pods'), getObject: api.getObject, tokens: new TokenManager(api.requestToken, clock), clock });
  const p: Pod = { ...pod('uid-3', [{ name: 'api', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }]) };
  p.spec!.serviceAccountName = 'missing';
  const r = await vm.setUp(p);
  assert.deepEqual(r.failed, [{ volume: 'api', message: 'failed to fetch token: serviceaccounts "missing" not found' }]);
  await vm.setUp(pod('uid-4', [{ name: 'mem', emptyDir: { medium: 'Memory' } }]));
  assert.equal(mountsUnder(join(root, 'pods/uid-4')).length, 1);
  assert.equal(await vm.cleanupOrphans(new Set(['uid-5'])), 1); // uid-3 made nothing (its only volume failed)
  assert.deepEqual(mountsUnder(join(root, 'pods')), []);
  assert.deepEqual(readdirSync(join(root, 'pods')), []);
});

test('hostPath type checks with upstream messages; the *OrCreate types create', () => {
  const d = join(root, 'hp');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'file'), 'x');
  checkHostPathType(join(d, 'new-dir/sub'), 'DirectoryOrCreate');
  assert.ok(statSync(join(d, 'new-dir/sub')).isDirectory());
  checkHostPathType(join(d, 'new-file'), 'FileOrCreate');
  assert.ok(statSync(join(d, 'new-file')).isFile());
  checkHostPathType(join(d, 'whatever'), undefined);
  assert.throws(() => checkHostPathType(join(d, 'file'), 'Directory'), { message: `hostPath type check failed: ${join(d, 'file')} is not a directory` });
  assert.throws(() => checkHostPathType(join(d, 'absent'), 'Directory'), { message: `hostPath type check failed: ${join(d, 'absent')} is not a directory` });
  assert.throws(() => checkHostPathType(d, 'File'), { message: `hostPath type check failed: ${d} is not a file` });
  assert.throws(() => checkHostPathType(join(d, 'file'), 'DirectoryOrCreate'), /is not a directory/);
  assert.throws(() => checkHostPathType(d, 'Socket'), { message: `hostPath type check failed: ${d} is not a socket file` });
  assert.throws(() => checkHostPathType(d, 'CharDevice'), /is not a character device/);
  checkHostPathType('/dev/null', 'CharDevice');
});

test('container mounts: readOnly, propagation, subPath (created, resolved, confined), subPathExpr', () => {
  const vol = join(root, 'cm-vol');
  writeAtomic(vol, P({ 'nginx.conf': 'conf' }));
  const scratch = join(root, 'scratch');
  mkdirSync(scratch, { recursive: true });
  symlinkSync('/etc', join(scratch, 'escape'));
  const volumes = new Map([['cfg', { hostPath: vol, readOnly: true }], ['data', { hostPath: scratch, readOnly: false }]]);
  const env = new Map([['POD', 'web-1']]);
  const ms = containerMounts({
    name: 'c', volumeMounts: [
      { name: 'cfg', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx.conf' },
      { name: 'data', mountPath: '/data', readOnly: true, mountPropagation: 'HostToContainer' },
      { name: 'data', mountPath: '/logs', subPathExpr: 'logs/$(POD)' },
    ],
  }, volumes, env);
  assert.equal(ms[0].hostPath, join(vol, readlinkSync(join(vol, '..data')), 'nginx.conf'));
  assert.equal(ms[0].readonly, true);
  assert.deepEqual(ms[1], { containerPath: '/data', hostPath: scratch, readonly: true, propagation: 'PROPAGATION_HOST_TO_CONTAINER' });
  assert.deepEqual(ms[2], { containerPath: '/logs', hostPath: join(scratch, 'logs/web-1'), readonly: false, propagation: 'PROPAGATION_PRIVATE' });
  assert.ok(lstatSync(join(scratch, 'logs/web-1')).isDirectory());
  assert.throws(() => containerMounts({ name: 'c', volumeMounts: [{ name: 'data', mountPath: '/x', subPath: 'escape' }] }, volumes, env),
    { message: 'failed to prepare subPath for volumeMount "data" of container "c"' });
  assert.throws(() => containerMounts({ name: 'c', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, volumes, env),
    { message: 'cannot find volume "nope" to mount into container "c"' });
  assert.throws(() => expandSubPathExpr('$(A)/$(B)', new Map([['B', '']])), { message: 'missing value for A, B' });
});
