import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/util/clock.ts';
import { Backoff } from '../../../src/kubelet/backoff.ts';

test('image pull back-off: 10 s doubling to 300 s, in back-off until the window passes', () => {
  const clock = new FakeClock();
  const b = new Backoff(clock, 10_000, 300_000);
  assert.equal(b.isInBackOff('k'), false);
  const waits: number[] = [];
  for (let i = 0; i < 7; i++) {
    waits.push(b.next('k'));
    assert.equal(b.isInBackOff('k'), true);
    clock.advance(b.get('k').delayMs - 1);
    assert.equal(b.isInBackOff('k'), true);
    clock.advance(1);
    assert.equal(b.isInBackOff('k'), false);
  }
  assert.deepEqual(waits, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
});

test('crash loop: back-off measured from the container finish time; first restart is immediate', () => {
  const clock = new FakeClock();
  const b = new Backoff(clock, 10_000, 300_000);
  const finished = clock.now();
  assert.equal(b.isInBackOffSince('pod/c', finished), false); // first crash: restart now
  b.next('pod/c');
  clock.advance(2000);
  const finished2 = clock.now();
  clock.advance(5000);
  assert.equal(b.isInBackOffSince('pod/c', finished2), true); // 5 s after the 2nd crash, wait is 10 s
  clock.advance(5000);
  assert.equal(b.isInBackOffSince('pod/c', finished2), false);
  assert.equal(b.next('pod/c'), 20_000);
});

test('an entry untouched for twice the max resets; resetPrefix forgets a pod', () => {
  const clock = new FakeClock();
  const b = new Backoff(clock, 10_000, 300_000);
  b.next('u1/a'); b.next('u1/a'); b.next('u2/a');
  assert.equal(b.get('u1/a').delayMs, 20_000);
  b.resetPrefix('u1/');
  assert.equal(b.get('u1/a').delayMs, 0);
  clock.advance(600_001);
  assert.equal(b.next('u2/a'), 10_000);
});
