// One measurement's verdict (§6.4) and one metric's counters and phase (§6.5), by tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateResult, formatFloat, NO_DATA } from '../../../src/analysis/measurement.ts';
import { assessMetric, effectiveCount, recordMeasurement, limitBreached } from '../../../src/analysis/metric.ts';
import type { AnalysisPhase, Measurement, Metric, MetricResult } from '../../../src/analysis/types.ts';
import { durationMs, formatGoDuration } from '../../../src/analysis/duration.ts';

test('evaluateResult: the phase for each combination of conditions (Argo evaluate_test.go)', () => {
  const cases: [string | undefined, string | undefined, unknown, AnalysisPhase][] = [
    ['true', 'false', true, 'Successful'],
    ['true', 'true', true, 'Failed'],          // failure wins even when success holds
    ['false', 'false', true, 'Inconclusive'],
    [undefined, 'false', true, 'Successful'],
    ['false', undefined, true, 'Failed'],
    [undefined, undefined, true, 'Successful'], // code, not docs
    ['result[0] >= 0.95', undefined, [0.97], 'Successful'],
    ['result[0] >= 0.95', 'result[0] < 0.5', [0.7], 'Inconclusive'],
    ['result[0] >= 0.95', 'result[0] < 0.5', [0.2], 'Failed'],
  ];
  for (const [successCondition, failureCondition, result, want] of cases) {
    assert.equal(evaluateResult(result, { successCondition, failureCondition }).phase, want, `${successCondition} / ${failureCondition}`);
  }
});

test('evaluateResult: evaluation errors are Error measurements with Argo\'s message, and the no-data text for empty results', () => {
  const a = evaluateResult(true, { successCondition: 'a == true', failureCondition: 'true' });
  assert.deepEqual(a, { phase: 'Error', message: 'could not evaluate successCondition "a == true": unknown name a' });
  const b = evaluateResult(true, { successCondition: 'true', failureCondition: 'a == true' });
  assert.equal(b.phase, 'Error');
  assert.match(b.message!, /^could not evaluate failureCondition "a == true": unknown name a$/);
  const empty = evaluateResult([], { successCondition: 'result[0] >= 0.95' });
  assert.equal(empty.message, `could not evaluate successCondition "result[0] >= 0.95": ${NO_DATA}`);
  const nil = evaluateResult(null, { failureCondition: 'result > 1' });
  assert.equal(nil.message, `could not evaluate failureCondition "result > 1": ${NO_DATA}`);
  assert.equal(evaluateResult(0.5, { successCondition: 'result' }).message, 'could not evaluate successCondition "result": expected bool, but got float64');
});

test('formatFloat prints as Go does for Prometheus values', () => {
  assert.deepEqual([0.99, 1, NaN, Infinity, -Infinity, 0.0000001].map(formatFloat), ['0.99', '1', 'NaN', '+Inf', '-Inf', '0.0000001']);
});

test('Go durations: parse and errors as time.ParseDuration words them', () => {
  assert.equal(durationMs('30s'), 30_000);
  assert.equal(durationMs('1m30s'), 90_000);
  assert.equal(durationMs('1.5h'), 5_400_000);
  assert.equal(durationMs('500ms'), 500);
  assert.equal(durationMs('0'), 0);
  assert.throws(() => durationMs('30'), /^Error: time: missing unit in duration "30"$/);
  assert.throws(() => durationMs('1d'), /time: unknown unit "d" in duration "1d"/);
  assert.throws(() => durationMs('abc'), /time: invalid duration "abc"/);
  assert.deepEqual([60_000, 90_000, 30_000, 5_400_000, 1500].map(formatGoDuration), ['1m', '1m30s', '30s', '1h30m', '1.5s']);
});

test('effective count: count; else 1 without interval, unbounded with one', () => {
  const m = (o: Partial<Metric>): Metric => ({ name: 'm', provider: {}, ...o });
  assert.equal(effectiveCount(m({})), 1);
  assert.equal(effectiveCount(m({ interval: '10s' })), undefined);
  assert.equal(effectiveCount(m({ interval: '10s', count: 3 })), 3);
  assert.equal(effectiveCount(m({ interval: '10s', count: '4' })), 4);
  assert.equal(effectiveCount(m({ count: 0 })), 1);
});

const meas = (phase: AnalysisPhase, extra: Partial<Measurement> = {}): Measurement => ({ phase, startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', ...extra });

test('counters: Error does not count; consecutive counters reset as Argo resets them', () => {
  let r: MetricResult = { name: 'm', phase: 'Running' };
  const seq: AnalysisPhase[] = ['Successful', 'Successful', 'Error', 'Error', 'Failed', 'Inconclusive', 'Successful'];
  const seen: [number, number, number, number, number, number, number][] = [];
  for (const p of seq) {
    r = recordMeasurement(r, meas(p));
    seen.push([r.count ?? 0, r.successful ?? 0, r.failed ?? 0, r.inconclusive ?? 0, r.error ?? 0, r.consecutiveError ?? 0, r.consecutiveSuccess ?? 0]);
  }
  assert.deepEqual(seen, [
    [1, 1, 0, 0, 0, 0, 1],
    [2, 2, 0, 0, 0, 0, 2],
    [2, 2, 0, 0, 1, 1, 0],
    [2, 2, 0, 0, 2, 2, 0],
    [3, 2, 1, 0, 2, 0, 0],
    [4, 2, 1, 1, 2, 0, 0],
    [5, 3, 1, 1, 2, 0, 1],
  ]);
  assert.equal(r.measurements!.length, 7);
  const replaced = recordMeasurement({ name: 'm', phase: 'Running', measurements: [meas('Running', { finishedAt: undefined })] }, meas('Successful'), true);
  assert.equal(replaced.measurements!.length, 1);
  assert.equal(replaced.measurements![0].phase, 'Successful');
});

test('assessMetric: the phase of a metric from its counters (Argo analysis_test.go cases and the success-limit rules)', () => {
  const m = (o: Partial<Metric>): Metric => ({ name: 'm', provider: {}, ...o });
  const res = (o: Partial<MetricResult>, last: AnalysisPhase = 'Successful'): MetricResult => ({ name: 'm', phase: 'Running', measurements: [meas(last)], ...o });
  const cases: [string, Metric, MetricResult, boolean, AnalysisPhase, RegExp?][] = [
    ['no measurements', m({}), { name: 'm', phase: 'Running' }, false, 'Pending'],
    ['no measurements, terminating', m({}), { name: 'm', phase: 'Running' }, true, 'Successful'],
    ['in flight', m({}), res({}, 'Running'), true, 'Running'],
    ['completed metric keeps its phase', m({}), res({ phase: 'Failed' }), false, 'Failed'],
    ['failed > failureLimit', m({ failureLimit: 2, interval: '60s' }), res({ failed: 3, count: 3 }, 'Failed'), false, 'Failed', /failed \(3\) > failureLimit \(2\)/],
    ['failed == failureLimit keeps running', m({ failureLimit: 3, interval: '60s' }), res({ failed: 3, count: 3 }, 'Failed'), false, 'Running'],
    ['failed == failureLimit, terminating', m({ failureLimit: 3, interval: '60s' }), res({ failed: 3, count: 3 }, 'Failed'), true, 'Successful'],
    ['failureLimit -1 never fails', m({ failureLimit: -1, interval: '60s' }), res({ failed: 30, count: 30 }, 'Failed'), false, 'Running'],
    ['default failureLimit 0: one failure fails', m({}), res({ failed: 1, count: 1 }, 'Failed'), false, 'Failed'],
    ['inconclusive > inconclusiveLimit', m({ inconclusiveLimit: 2, interval: '60s' }), res({ inconclusive: 3, count: 3 }, 'Inconclusive'), false, 'Inconclusive', /inconclusive \(3\) > inconclusiveLimit \(2\)/],
    ['the fifth consecutive error errors the metric', m({ interval: '60s' }), res({ error: 5, consecutiveError: 5 }, 'Error'), false, 'Error', /consecutiveErrors \(5\) > consecutiveErrorLimit \(4\)/],
    ['four consecutive errors keep it running', m({ interval: '60s' }), res({ error: 4, consecutiveError: 4 }, 'Error'), false, 'Running'],
    ['consecutiveErrorLimit 0: the first error errors', m({ consecutiveErrorLimit: 0, interval: '60s' }), res({ error: 1, consecutiveError: 1 }, 'Error'), false, 'Error'],
    ['error beats inconclusive beats failed', m({ interval: '60s' }), res({ failed: 1, inconclusive: 1, consecutiveError: 5, count: 2 }, 'Error'), false, 'Error'],
    ['inconclusive beats failed', m({ interval: '60s' }), res({ failed: 1, inconclusive: 1, count: 2 }, 'Inconclusive'), false, 'Inconclusive'],
    ['count reached', m({ count: 3, interval: '60s' }), res({ count: 3, successful: 3 }), false, 'Successful'],
    ['count reached with failures under the limit', m({ count: 3, interval: '60s', failureLimit: 1 }), res({ count: 3, successful: 2, failed: 1 }), false, 'Successful'],
    ['no interval, one measurement', m({}), res({ count: 1, successful: 1 }), false, 'Successful'],
    ['success streak reached', m({ interval: '60s', consecutiveSuccessLimit: 2, failureLimit: 5 }), res({ count: 3, successful: 2, failed: 1, consecutiveSuccess: 2 }), false, 'Successful'],
    ['streak not reached by count, failureLimit applies → Inconclusive', m({ count: 3, interval: '60s', consecutiveSuccessLimit: 3, failureLimit: 2 }), res({ count: 3, successful: 2, failed: 1, consecutiveSuccess: 1 }), false, 'Inconclusive', /consecutiveSuccessLimit \(3\) not reached in 3 measurements/],
    ['streak not reached, failureLimit -1 → Failed', m({ count: 3, interval: '60s', consecutiveSuccessLimit: 3, failureLimit: -1 }), res({ count: 3, successful: 2, failed: 1, consecutiveSuccess: 1 }), false, 'Failed', /consecutiveSuccessLimit \(3\) not reached/],
    ['runs forever until terminated', m({ interval: '60s' }), res({ count: 10, successful: 10 }), false, 'Running'],
    ['runs forever, terminated', m({ interval: '60s' }), res({ count: 10, successful: 10 }), true, 'Successful'],
  ];
  for (const [name, metric, result, terminating, want, reason] of cases) {
    const a = assessMetric(metric, result, terminating);
    assert.equal(a.phase, want, name);
    if (reason) assert.match(a.reason ?? '', reason, name);
  }
  assert.equal(limitBreached(m({}), res({ count: 1, successful: 1 })), undefined);
});
