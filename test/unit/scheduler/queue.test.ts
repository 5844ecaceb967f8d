import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/util/clock.ts';
import { SchedulingQueue, backoffDuration } from '../../../src/scheduler/queue.ts';

test('back-off doubles from 1 s to at most 10 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDuration(n, 1000, 10000)), [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('an unschedulable pod waits for a cluster event, then its back-off', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  q.add('default/a');
  assert.equal(await q.pop(), 'default/a');
  q.unschedulableAttempt('default/a');
  q.add('default/a'); // a pod update without a spec change does not retry it
  assert.deepEqual(q.stats(), { active: 0, backoff: 0, unschedulable: 1 });
  q.moveAllToActiveOrBackoff();
  assert.deepEqual(q.stats(), { active: 0, backoff: 1, unschedulable: 0 });
  clock.advance(999);
  assert.equal(q.stats().active, 0);
  clock.advance(1);
  assert.equal(await q.pop(), 'default/a');
  // Second failure: 2 s back-off.
  q.errorAttempt('default/a');
  clock.advance(1999);
  assert.equal(q.stats().active, 0);
  clock.advance(1);
  assert.equal(q.stats().active, 1);
  q.close();
});

test('parked pods are retried after the maximum unschedulable time even without events', () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock, maxUnschedulableMs: 60_000 });
  q.unschedulableAttempt('default/a');
  clock.advance(60_000);
  assert.equal(q.stats().active, 1);
  q.close();
});

test('delete forgets a pod wherever it is', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  q.add('default/a'); q.add('default/b');
  q.delete('default/a');
  assert.equal(await q.pop(), 'default/b');
  q.close();
  assert.equal(await q.pop(), undefined);
});
