import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/client/workqueue.ts';
import { FakeClock } from '../../../src/util/clock.ts';

test('a waiting key is queued once (dedupe)', async () => {
  const q = new WorkQueue();
  q.add('ns/a'); q.add('ns/b'); q.add('ns/a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'ns/a');
  assert.equal(await q.get(), 'ns/b');
});

test('a key being processed is not handed out again until done, then re-queued once', async () => {
  const q = new WorkQueue();
  q.add('k');
  const k = await q.get();
  assert.equal(k, 'k');
  q.add('k'); q.add('k');
  assert.equal(q.len(), 0, 'not queued while processing');
  q.done('k');
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'k');
  q.done('k');
  assert.equal(q.len(), 0);
});

test('get waits for an add; shutdown releases waiters with undefined', async () => {
  const q = new WorkQueue();
  const p = q.get();
  q.add('x');
  assert.equal(await p, 'x');
  const p2 = q.get();
  q.shutdown();
  assert.equal(await p2, undefined);
});

test('addAfter fires through the clock; an earlier pending delay wins', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  q.addAfter('k', 1000);
  q.addAfter('k', 5000);
  clock.advance(999);
  assert.equal(q.len(), 0);
  clock.advance(1);
  assert.equal(q.len(), 1);
  await q.get(); q.done('k');
  clock.advance(10_000);
  assert.equal(q.len(), 0, 'the later addAfter was superseded');
});

test('per-item exponential back-off: 5ms, 10ms, 20ms … capped; forget resets', () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, baseDelayMs: 5, maxDelayMs: 30 });
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) { delays.push(q.when('a')); q.addRateLimited('a'); }
  assert.deepEqual(delays, [5, 10, 20, 30, 30]);
  assert.equal(q.numRequeues('a'), 5);
  assert.equal(q.when('b'), 5, 'back-off is per item');
  q.forget('a');
  assert.equal(q.when('a'), 5);
});

test('run: failures are retried with back-off, one key never processed concurrently', async () => {
  const q = new WorkQueue({ baseDelayMs: 1, maxDelayMs: 4 });
  let active = 0, maxActive = 0, calls = 0;
  const finished = new Promise<void>((resolve) => {
    void q.run(3, async (key) => {
      active++; maxActive = Math.max(maxActive, active);
      calls++;
      await new Promise((r) => setTimeout(r, 2));
      if (calls < 3) { q.add(key); active--; throw new Error('boom'); }
      active--;
      resolve();
    });
  });
  q.add('only');
  await finished;
  q.shutdown();
  assert.equal(maxActive, 1);
  assert.equal(calls, 3);
});
