import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/util/clock.ts';
import { Backoff } from '../../../src/kubelet/backoff.ts';
import { ImageManager } from '../../../src/kubelet/images.ts';
import type { CriClient } from '../../../src/kubelet/cri/client.ts';

/** A CRI image service double: `present` images exist; pulling anything else fails like containerd does. */
function fakeCri(present: Set<string>, pulls: string[]): CriClient {
  return {
    async imageStatus(image: string) {
      const name = image.replace(/^sha256:/, '');
      return present.has(name) ? { id: `sha256:${name}`, repoTags: [name], repoDigests: [], size: 1234 } : null;
    },
    async pullImage(image: string) {
      pulls.push(image);
      if (image.startsWith('missing')) throw Object.assign(new Error('CRI PullImage: not found'), { code: 2, details: `failed to resolve reference "docker.io/library/${image}:latest": not found` });
      present.add(image);
      return `sha256:${image}`;
    },
  } as unknown as CriClient;
}

function recorder() {
  const events: string[] = [];
  return { events, ev: { normal: (r: string, m: string) => events.push(`Normal ${r} ${m}`), warning: (r: string, m: string) => events.push(`Warning ${r} ${m}`) } };
}

test('IfNotPresent with the image present: no pull, "already present on machine"', async () => {
  const pulls: string[] = [];
  const m = new ImageManager(fakeCri(new Set(['nginx:1.25']), pulls), new Backoff(new FakeClock()), new FakeClock());
  const { events, ev } = recorder();
  const r = await m.ensure({ name: 'c', image: 'nginx:1.25' }, 'u/c', ev);
  assert.deepEqual(r, { ok: true, imageRef: 'sha256:nginx:1.25' });
  assert.deepEqual(pulls, []);
  assert.deepEqual(events, ['Normal Pulled Container image "nginx:1.25" already present on machine']);
});

test('Always pulls even when present; Never without the image fails with ErrImageNeverPull', async () => {
  const pulls: string[] = [];
  const m = new ImageManager(fakeCri(new Set(['nginx']), pulls), new Backoff(new FakeClock()), new FakeClock());
  const { events, ev } = recorder();
  assert.equal((await m.ensure({ name: 'c', image: 'nginx' }, 'u/c', ev)).ok, true);
  assert.deepEqual(pulls, ['nginx']);
  assert.match(events.at(-1)!, /^Normal Pulled Successfully pulled image "nginx" in \d+ms \(\d+ms including waiting\)\. Image size: 1234 bytes\.$/);
  const never = await m.ensure({ name: 'c', image: 'other:1', imagePullPolicy: 'Never' }, 'u/c', ev);
  assert.deepEqual(never.ok ? null : never.reason, 'ErrImageNeverPull');
});

test('a missing image: ErrImagePull, then ImagePullBackOff for 10 s, retry → ErrImagePull, then 20 s', async () => {
  const clock = new FakeClock();
  const pulls: string[] = [];
  const m = new ImageManager(fakeCri(new Set(), pulls), new Backoff(clock, 10_000, 300_000), clock);
  const { events, ev } = recorder();
  const c = { name: 'c', image: 'missing-image' };
  const r1 = await m.ensure(c, 'u/c', ev);
  assert.equal(r1.ok ? '' : r1.reason, 'ErrImagePull');
  assert.ok(events.includes('Warning Failed Error: ErrImagePull'));
  assert.ok(events.some((e) => e.startsWith('Warning Failed Failed to pull image "missing-image": rpc error: code = Unknown desc = failed to resolve reference')));
  clock.advance(9_000);
  const r2 = await m.ensure(c, 'u/c', ev);
  assert.equal(r2.ok ? '' : r2.reason, 'ImagePullBackOff');
  assert.match(r2.ok ? '' : r2.message, /^Back-off pulling image "missing-image": ErrImagePull: /);
  assert.equal(pulls.length, 1, 'no pull during back-off');
  assert.ok(events.includes('Normal BackOff Back-off pulling image "missing-image"'));
  assert.ok(events.includes('Warning Failed Error: ImagePullBackOff'));
  clock.advance(1_000);
  const r3 = await m.ensure(c, 'u/c', ev);
  assert.equal(r3.ok ? '' : r3.reason, 'ErrImagePull');
  assert.equal(pulls.length, 2);
  assert.equal(m.retryAt('u/c', 'missing-image'), clock.now() + 20_000);
});
