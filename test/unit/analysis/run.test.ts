// The rules of a whole run: validation, scheduling, phase and message, summaries, retention (§6.5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assessRun, dryRunMetrics, isTerminating, isWorse, metricDueAt, metricsDue, nextReconcileAt, retentionLimits,
  trimMeasurements, validateMetrics,
} from '../../../src/analysis/run.ts';
import { createProviders } from '../../../src/analysis/providers/index.ts';
import type { AnalysisPhase, AnalysisRun, Measurement, Metric, MetricResult } from '../../../src/analysis/types.ts';

const providers = createProviders({ prometheusAddress: 'http://127.0.0.1:9090' });
const web = { web: { url: 'http://127.0.0.1:1/x' } };
const m = (name: string, o: Partial<Metric> = {}): Metric => ({ name, provider: web, ...o });
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');
const meas = (phase: AnalysisPhase, finishedSec: number, value?: string, message?: string): Measurement =>
  ({ phase, startedAt: at(finishedSec), finishedAt: at(finishedSec), ...(value ? { value } : {}), ...(message ? { message } : {}) });
const run = (metrics: Metric[], results: MetricResult[] = [], o: Partial<AnalysisRun['spec']> = {}, startedSec: number | null = 0): AnalysisRun => ({
  metadata: { name: 'r', namespace: 'default' },
  spec: { metrics, ...o },
  status: { phase: 'Running', ...(startedSec !== null ? { startedAt: at(startedSec) } : {}), metricResults: results },
});

test('validateMetrics: every Argo spec error, plus conditions and providers kubelite checks up front', () => {
  const cases: [Metric[], string | RegExp | undefined][] = [
    [[m('a')], undefined],
    [[], 'no metrics specified'],
    [[m('a'), m('a')], "metrics[1]: duplicate name 'a'"],
    [[m('a', { count: 2 })], 'metrics[0]: interval must be specified when count > 1'],
    [[m('a', { count: 2, interval: '10s', failureLimit: 3 })], 'metrics[0]: count must be >= failureLimit'],
    [[m('a', { count: 2, interval: '10s', inconclusiveLimit: 3 })], 'metrics[0]: count must be >= inconclusiveLimit'],
    [[m('a', { interval: '10' })], 'metrics[0]: invalid interval string: time: missing unit in duration "10"'],
    [[m('a', { initialDelay: 'soon' })], 'metrics[0]: invalid initialDelay string: time: invalid duration "soon"'],
    [[m('a', { failureLimit: -2 })], 'metrics[0]: failureLimit must be >= -1'],
    [[m('a', { failureLimit: -1 })], undefined],
    [[m('a', { inconclusiveLimit: -1 })], 'metrics[0]: inconclusiveLimit must be >= 0'],
    [[m('a', { consecutiveErrorLimit: 'x' })], 'metrics[0]: consecutiveErrorLimit: "x" is not an integer'],
    [[m('a', { successCondition: 'result >' })], 'metrics[0]: successCondition "result >" is invalid: Expected expression after > (1:9)'],
    [[m('a', { failureCondition: 'reslt > 1' })], 'metrics[0]: failureCondition "reslt > 1" is invalid: unknown name reslt'],
    [[m('a', { provider: {} })], 'metrics[0]: no provider specified'],
    [[m('a', { provider: { ...web, prometheus: { query: 'up' } } })], 'metrics[0]: multiple providers specified (web, prometheus)'],
    [[m('a', { provider: { datadog: { query: 'x' } } })], 'metrics[0]: provider datadog is not supported by kubelite (supported: kubelite, web, prometheus)'],
    [[m('a', { provider: { carrierPigeon: {} } })], 'metrics[0]: unknown provider carrierPigeon (supported: kubelite, web, prometheus)'],
    [[m('a', { provider: { kubelite: { service: 's', metric: 'happiness' } } })], 'metrics[0]: kubelite.metric "happiness" is not one of success-rate, error-rate, request-rate, requests, latency-mean, latency-p50, latency-p90, latency-p95, latency-p99'],
    [[m('a', { provider: { kubelite: { service: '', metric: 'success-rate' } } })], 'metrics[0]: kubelite.service is required'],
    [[m('a', { provider: { web: { url: 'http://x', method: 'GET', body: 'b' } } })], 'metrics[0]: Body/JSONBody can only be used with POST or PUT WebMetric Method types'],
    [[m('a', { provider: { prometheus: { query: 'up', rangeQuery: { start: 'x' } } } })], /rangeQuery is not supported/],
  ];
  for (const [metrics, want] of cases) {
    const got = validateMetrics(metrics, providers);
    if (want instanceof RegExp) assert.match(got ?? '', want);
    else assert.equal(got, want, JSON.stringify(metrics));
  }
  assert.equal(validateMetrics([m('p', { provider: { prometheus: { query: 'up' } } })], createProviders()), 'metrics[0]: prometheus address is not configured');
});

test('dry-run and retention rules match metric names by regular expression; a rule matching nothing is an error', () => {
  const ms = [m('success-rate'), m('latency')];
  assert.deepEqual([...dryRunMetrics([{ metricName: 'lat.*' }], ms)], ['latency']);
  assert.deepEqual([...dryRunMetrics([{ metricName: '*' }], ms)], ['success-rate', 'latency']);
  assert.throws(() => dryRunMetrics([{ metricName: 'x' }], ms), /dryRun\[0\]: Rule didn't match any metric name\(s\)/);
  assert.deepEqual([...retentionLimits([{ metricName: 'success-rate', limit: 20 }], ms)], [['success-rate', 20]]);
  assert.throws(() => retentionLimits([{ metricName: 'nope', limit: 2 }], ms), /measurementRetention\[0\]/);
});

test('scheduling: initial delay from startedAt, then finishedAt + interval, 10 s after an Error, nothing once the count is reached', () => {
  const withDelay = m('a', { initialDelay: '20s', interval: '60s' });
  assert.equal(metricDueAt(run([withDelay], [], {}, null), withDelay), undefined, 'no startedAt yet');
  assert.equal(metricDueAt(run([withDelay]), withDelay), T0 + 20_000);
  const plain = m('a', { interval: '60s' });
  assert.equal(metricDueAt(run([plain]), plain), T0, 'first measurement at once');
  const after = (last: Measurement, o: Partial<MetricResult> = {}) => run([plain], [{ name: 'a', phase: 'Running', count: 1, measurements: [last], ...o }]);
  assert.equal(metricDueAt(after(meas('Successful', 50)), plain), T0 + 110_000);
  assert.equal(metricDueAt(after(meas('Error', 50), { count: 0 }), plain), T0 + 60_000, 'error retry');
  const counted = m('a', { interval: '60s', count: 1 });
  assert.equal(metricDueAt(run([counted], [{ name: 'a', phase: 'Running', count: 1, measurements: [meas('Successful', 50)] }]), counted), undefined);
  const single = m('a');
  assert.equal(metricDueAt(run([single], [{ name: 'a', phase: 'Running', count: 0, error: 1, measurements: [meas('Error', 5)] }]), single), T0 + 15_000, 'a single measurement that errored is retried');
  assert.equal(metricDueAt(run([plain], [{ name: 'a', phase: 'Successful', count: 1, measurements: [meas('Successful', 5)] }]), plain), undefined, 'completed');

  // Argo's TestGenerateMetricTasksInterval: within the interval → nothing; past it → due.
  const r = after(meas('Successful', 0));
  assert.deepEqual(metricsDue(r, [plain], T0 + 50_000), []);
  assert.deepEqual(metricsDue(r, [plain], T0 + 61_000), [0]);
  // Argo's TestGenerateMetricTasksFailing: a failed metric stops the others.
  const two = [m('latency'), m('successRate')];
  assert.deepEqual(metricsDue(run(two, [{ name: 'latency', phase: 'Failed' }]), two, T0 + 100_000), []);
  assert.deepEqual(metricsDue(run(two), two, T0), [0, 1]);
  assert.deepEqual(metricsDue(run(two, [], { terminate: true }), two, T0), []);
  // The earliest due time of the metrics.
  const mix = [m('a', { interval: '30s' }), m('b', { interval: '60s' }), m('c', { initialDelay: '5m' })];
  const rr = run(mix, [
    { name: 'a', phase: 'Running', count: 1, measurements: [meas('Successful', 10)] },
    { name: 'b', phase: 'Running', count: 1, measurements: [meas('Successful', 0)] },
  ]);
  assert.equal(nextReconcileAt(rr, mix), T0 + 40_000);
});

test('isTerminating and the phase order', () => {
  assert.equal(isTerminating(run([m('a')], [], { terminate: true })), true);
  assert.equal(isTerminating(run([m('a')], [{ name: 'a', phase: 'Inconclusive' }])), true);
  assert.equal(isTerminating(run([m('a')], [{ name: 'a', phase: 'Failed', dryRun: true }])), false, 'dry-run failures do not terminate');
  const order: AnalysisPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];
  for (let i = 1; i < order.length; i++) assert.equal(isWorse(order[i - 1], order[i]), true, `${order[i]} worse than ${order[i - 1]}`);
});

test('assessRun: worst metric, messages, summaries, events', () => {
  const metrics = [m('latency', { interval: '60s' }), m('successRate', { interval: '60s' })];
  // Still running while one metric runs (Argo TestAssessRunStatus).
  let a = assessRun(run(metrics, [{ name: 'latency', phase: 'Successful' }, { name: 'successRate', phase: 'Running', measurements: [meas('Successful', 1)], count: 1 }]), metrics, new Set());
  assert.equal(a.phase, 'Running');
  // A failing metric ends the run (the other, running forever, is then Successful): the worst wins.
  a = assessRun(run(metrics, [
    { name: 'latency', phase: 'Running', count: 3, successful: 3, measurements: [meas('Successful', 1)] },
    { name: 'successRate', phase: 'Running', count: 1, failed: 1, measurements: [meas('Failed', 1, '[0.87]')] },
  ]), metrics, new Set());
  assert.equal(a.phase, 'Running', 'the first pass marks the metric Failed; the run terminates on the next');
  assert.equal(a.metricResults[1].phase, 'Failed');
  assert.deepEqual(a.events, [{ type: 'Warning', reason: 'MetricFailed', message: "Metric 'successRate' Completed. Result: Failed" }]);
  const second = assessRun(run(metrics, a.metricResults), metrics, new Set());
  assert.equal(second.phase, 'Failed');
  assert.equal(second.message, 'Metric "successRate" assessed Failed due to failed (1) > failureLimit (0) (last measured value: [0.87])');
  assert.deepEqual(second.runSummary, { count: 2, successful: 1, failed: 1, inconclusive: 0, error: 0 });
  assert.equal(second.metricResults[0].phase, 'Successful');

  // An errored metric carries the last measurement's message.
  const err = assessRun(run([m('e', { interval: '10s' })], [
    { name: 'e', phase: 'Running', error: 5, consecutiveError: 5, measurements: [meas('Error', 1, undefined, 'received non 2xx response code: 500')] },
  ]), [m('e', { interval: '10s' })], new Set());
  const err2 = assessRun(run([m('e', { interval: '10s' })], err.metricResults), [m('e', { interval: '10s' })], new Set());
  assert.equal(err2.phase, 'Error');
  assert.equal(err2.message, 'Metric "e" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: received non 2xx response code: 500"');

  // Terminated with nothing bad.
  const term = assessRun(run(metrics, [{ name: 'latency', phase: 'Running', count: 2, measurements: [meas('Successful', 1)] }], { terminate: true }), metrics, new Set());
  assert.equal(term.phase, 'Successful');
  assert.equal(term.message, 'Run Terminated');

  // Dry-run metrics never decide the phase; they are counted apart.
  const dry = [m('real'), m('dry')];
  const d1 = assessRun(run(dry, [
    { name: 'real', phase: 'Running', count: 1, successful: 1, measurements: [meas('Successful', 1)] },
    { name: 'dry', phase: 'Running', count: 1, failed: 1, dryRun: true, measurements: [meas('Failed', 1)] },
  ]), dry, new Set(['dry']));
  assert.equal(d1.phase, 'Successful');
  assert.deepEqual(d1.dryRunSummary, { count: 1, successful: 0, failed: 1, inconclusive: 0, error: 0 });
  assert.deepEqual(d1.runSummary, { count: 1, successful: 1, failed: 0, inconclusive: 0, error: 0 });
  assert.equal(d1.metricResults[1].message, 'Metric assessed Failed due to failed (1) > failureLimit (0)');

  // A metric that has not started (initial delay) keeps the run Running.
  const delayed = [m('now'), m('later', { initialDelay: '1m' })];
  assert.equal(assessRun(run(delayed, [{ name: 'now', phase: 'Running', count: 1, successful: 1, measurements: [meas('Successful', 1)] }]), delayed, new Set()).phase, 'Running');
});

test('measurement retention: the last 10 by default, measurementRetention overrides', () => {
  const many = Array.from({ length: 15 }, (_, i) => meas('Successful', i));
  const [a, b] = trimMeasurements([{ name: 'a', phase: 'Running', measurements: many }, { name: 'b', phase: 'Running', measurements: many }], new Map([['b', 12]]));
  assert.equal(a.measurements!.length, 10);
  assert.equal(a.measurements![0].finishedAt, at(5));
  assert.equal(b.measurements!.length, 12);
});
