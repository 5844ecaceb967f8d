/**
 * The guide's deployment walk-through with real containers: nginx scaled to 10 (each pod its own IP, serving
 * the nginx page), an image that does not exist (ImagePullBackOff while 8 old pods keep serving), rollout undo,
 * and an httpd Deployment serving its page.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, httpText, isReady, kubectlOk, pods, reapLeftovers } from './node-helpers.ts';

let c: Cluster;
before(async () => { c = await startCluster({ node: true }); });
after(async () => {
  if (c) {
    await cleanup(c, ['deployment web', 'deployment httpd']).catch(() => {});
    await c.stop();
  }
  await reapLeftovers();
});

test('nginx: create, scale to 10, all Running and Ready with their own IPs, each serves the nginx page', async () => {
  await kubectlOk(c, ['create', 'deployment', 'web', '--image=nginx']);
  await kubectlOk(c, ['scale', 'deployment', 'web', '--replicas=10']);
  const ready = await waitFor(async () => {
    const ps = await pods(c, 'app=web');
    return ps.length === 10 && ps.every(isReady) ? ps : undefined;
  }, { timeoutMs: 120_000, intervalMs: 500, message: '10 ready web pods' });
  const ips = ready.map((p) => p.status!.podIP!);
  assert.equal(new Set(ips).size, 10, `distinct pod IPs: ${ips.join(' ')}`);
  for (const p of ready) {
    assert.match(p.status!.podIP!, /^10\.88\./);
    const cs = p.status!.containerStatuses![0];
    assert.equal(cs.ready, true);
    assert.equal(cs.restartCount, 0);
    assert.match(cs.containerID!, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.match(cs.imageID, /^docker\.io\/library\/nginx@sha256:/);
  }
  for (const ip of ips) assert.match(await httpText(ip), /Welcome to nginx!/, `GET http://${ip}/`);
  const table = await kubectlOk(c, ['get', 'pods', '-l', 'app=web']);
  const rows = table.trim().split('\n').slice(1);
  assert.equal(rows.length, 10);
  for (const r of rows) assert.match(r, /\s1\/1\s+Running\s+0\s/);
});

test('set image to a missing image: ImagePullBackOff while 8 old pods keep serving; rollout undo recovers', async () => {
  const before = new Set((await pods(c, 'app=web')).map((p) => p.metadata!.name));
  await kubectlOk(c, ['set', 'image', 'deployment/web', 'nginx=that-image-does-not-exist']);
  const seen = await waitFor(async () => {
    const out = await kubectlOk(c, ['get', 'pods', '-l', 'app=web']);
    return /ImagePullBackOff/.test(out) ? out : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500, message: 'ImagePullBackOff in kubectl get pods' });
  assert.match(seen, /0\/1\s+ImagePullBackOff\s+0/);
  // Give the rollout time to go as far as it can: it must stop at 8 old ready pods (maxUnavailable 25% of 10 → 2).
  await new Promise((r) => setTimeout(r, 5000));
  const ps = await pods(c, 'app=web');
  const old = ps.filter((p) => before.has(p.metadata!.name) && !p.metadata!.deletionTimestamp);
  assert.equal(old.length, 8, 'old pods kept');
  assert.ok(old.every(isReady));
  for (const p of old) assert.match(await httpText(p.status!.podIP!), /Welcome to nginx!/);
  const bad = ps.filter((p) => !before.has(p.metadata!.name));
  assert.ok(bad.length >= 1);
  for (const p of bad) {
    const w = p.status?.containerStatuses?.[0]?.state?.waiting;
    assert.ok(w && ['ErrImagePull', 'ImagePullBackOff'].includes(w.reason!), JSON.stringify(p.status?.containerStatuses));
  }
  const ev = await kubectlOk(c, ['get', 'events', '--field-selector', `involvedObject.name=${bad[0].metadata!.name}`]);
  assert.match(ev, /Failed to pull image "that-image-does-not-exist"/);
  assert.match(ev, /Back-off pulling image "that-image-does-not-exist"/);

  await kubectlOk(c, ['rollout', 'undo', 'deployment/web']);
  await kubectlOk(c, ['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
  const after = await waitFor(async () => {
    const all = await pods(c, 'app=web');
    const live = all.filter((p) => !p.metadata!.deletionTimestamp);
    return live.length === 10 && live.every(isReady) && all.length === 10 ? live : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500, message: '10 ready pods after undo' });
  for (const p of after) assert.equal(p.spec!.containers[0].image, 'nginx');
});

test('httpd Deployment serves the "It works!" page', async () => {
  await kubectlOk(c, ['create', 'deployment', 'httpd', '--image=httpd', '--replicas=2']);
  const ready = await waitFor(async () => {
    const ps = await pods(c, 'app=httpd');
    return ps.length === 2 && ps.every(isReady) ? ps : undefined;
  }, { timeoutMs: 90_000, intervalMs: 500, message: 'httpd pods ready' });
  for (const p of ready) {
    const body = await waitFor(async () => { const t = await httpText(p.status!.podIP!); return /It works!/.test(t) ? t : undefined; },
      { timeoutMs: 10_000, message: 'httpd page' });
    assert.match(body, /<h1>It works!<\/h1>/);
  }
});
