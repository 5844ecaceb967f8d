import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeTracker, probeSettings } from '../../../src/kubelet/probe-results.ts';

test('defaults as the API: period 10, timeout 1, success 1, failure 3, delay 0', () => {
  assert.deepEqual(probeSettings({}), { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
});

test('readiness starts failing, flips after successThreshold successes and back after failureThreshold failures', () => {
  const t = new ProbeTracker('readiness', probeSettings({ successThreshold: 2, failureThreshold: 3 }));
  assert.equal(t.result, 'failure');
  assert.equal(t.observe('success'), false);
  assert.equal(t.result, 'failure');
  assert.equal(t.observe('success'), true);
  assert.equal(t.result, 'success');
  t.observe('failure'); t.observe('failure');
  assert.equal(t.result, 'success');
  t.observe('success'); // a success breaks the run of failures
  t.observe('failure'); t.observe('failure');
  assert.equal(t.result, 'success');
  assert.equal(t.observe('failure'), true);
  assert.equal(t.result, 'failure');
  assert.equal(t.onHold, false); // readiness keeps probing
});

test('liveness starts succeeding; after failureThreshold failures it fails and holds until the container changes', () => {
  const t = new ProbeTracker('liveness', probeSettings({ failureThreshold: 2 }));
  assert.equal(t.result, 'success');
  t.observe('failure');
  assert.equal(t.result, 'success');
  assert.equal(t.observe('failure'), true);
  assert.equal(t.result, 'failure');
  assert.equal(t.onHold, true);
  assert.equal(t.observe('success'), false);
  assert.equal(t.result, 'failure');
});

test('startup is unknown until it succeeds; initial delay gates probing', () => {
  const t = new ProbeTracker('startup', probeSettings({ initialDelaySeconds: 5 }));
  assert.equal(t.result, 'unknown');
  assert.equal(t.due(4999), false);
  assert.equal(t.due(5000), true);
  t.observe('success');
  assert.equal(t.result, 'success');
});

test('a seeded readiness (adopted running container) starts as success', () => {
  const t = new ProbeTracker('readiness', probeSettings({}), 'success');
  assert.equal(t.result, 'success');
});
