// Whole reconciles of AnalysisRuns with a FakeClock: measurements over time, limits, termination, bad specs,
// Secret arguments. The built-in provider reads an in-memory TrafficStatsSource (the proxy's interface).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcileAnalysisRun, type ReconcileDeps } from '../../../src/analysis/reconcile.ts';
import { createProviders } from '../../../src/analysis/providers/index.ts';
import type { TrafficStatsSource, TrafficWindowQuery, TrafficWindowStats } from '../../../src/analysis/traffic-source.ts';
import type { AnalysisRun, Metric } from '../../../src/analysis/types.ts';
import { FakeClock } from '../../../src/util/clock.ts';

class Traffic implements TrafficStatsSource {
  queries: TrafficWindowQuery[] = [];
  /** Successive answers: [requests, 5xx]; the last one repeats. */
  constructor(public script: [number, number][]) {}
  async query(q: TrafficWindowQuery): Promise<TrafficWindowStats> {
    this.queries.push(q);
    const [requests, x5] = this.script.length > 1 ? this.script.shift()! : this.script[0];
    return { requests, failures: 0, codes: { '1xx': 0, '2xx': requests - x5, '3xx': 0, '4xx': 0, '5xx': x5 }, latencySeconds: { mean: 0.1, p50: 0.1, p90: 0.1, p95: 0.1, p99: 0.1 } };
  }
}

const rate = (o: Partial<Metric> = {}): Metric => ({
  name: 'success-rate', successCondition: 'result >= 0.95',
  provider: { kubelite: { service: '{{args.svc}}', backend: 'canary', metric: 'success-rate' } }, ...o,
});
const newRun = (metrics: Metric[], spec: Partial<AnalysisRun['spec']> = {}): AnalysisRun =>
  ({ metadata: { name: 'web-abc-2-1', namespace: 'default' }, spec: { metrics, args: [{ name: 'svc', value: 'web' }], ...spec } });

function harness(script: [number, number][], extra: Partial<ReconcileDeps> = {}) {
  const clock = new FakeClock(Date.parse('2026-03-01T12:00:00Z'));
  const traffic = new Traffic(script);
  const deps: ReconcileDeps = { clock, providers: createProviders({ trafficSource: traffic }), ...extra };
  const events: string[] = [];
  /** Reconcile, keep the status, return the requeue delay. */
  const step = async (run: AnalysisRun) => {
    const out = await reconcileAnalysisRun(run, deps);
    run.status = out.status;
    events.push(...out.events.map((e) => `${e.type} ${e.reason}`));
    return out.requeueAfterMs;
  };
  return { clock, traffic, deps, events, step };
}

test('a single measurement: measured at once, Successful, completedAt and events', async () => {
  const h = harness([[100, 1]]);
  const run = newRun([rate()]);
  assert.equal(await h.step(run), undefined, 'nothing more to do');
  const s = run.status!;
  assert.equal(s.phase, 'Successful');
  assert.equal(s.startedAt, '2026-03-01T12:00:00Z');
  assert.equal(s.completedAt, '2026-03-01T12:00:00Z');
  assert.deepEqual(s.metricResults!.map((r) => [r.name, r.phase, r.count, r.successful, r.measurements!.length, r.measurements![0].value]), [['success-rate', 'Successful', 1, 1, 1, '0.99']]);
  assert.deepEqual(s.runSummary, { count: 1, successful: 1, failed: 0, inconclusive: 0, error: 0 });
  assert.deepEqual(h.events, ['Normal MetricSuccessful', 'Normal AnalysisRunSuccessful']);
  assert.deepEqual(h.traffic.queries[0], { namespace: 'default', service: 'web', backend: 'canary', revision: undefined, windowSeconds: 60 });
  const again = await reconcileAnalysisRun(run, h.deps);
  assert.equal(again.events.length, 0, 'a completed run is left alone');
});

test('interval + count: one measurement per interval until the count, requeued through the clock', async () => {
  const h = harness([[100, 0]]);
  const run = newRun([rate({ interval: '30s', count: 3 })]);
  assert.equal(await h.step(run), 30_000);
  assert.equal(run.status!.phase, 'Running');
  h.clock.advance(10_000);
  assert.equal(await h.step(run), 20_000, 'not due yet: nothing measured, requeue at the due time');
  assert.equal(run.status!.metricResults![0].measurements!.length, 1);
  h.clock.advance(20_000);
  assert.equal(await h.step(run), 30_000);
  h.clock.advance(30_000);
  assert.equal(await h.step(run), undefined);
  assert.equal(run.status!.phase, 'Successful');
  assert.equal(run.status!.metricResults![0].count, 3);
  assert.equal(h.traffic.queries.length, 3);
  assert.equal(h.traffic.queries[0].windowSeconds, 30, 'the window defaults to the interval');
});

test('a failing canary: failureLimit 1 tolerates one failed measurement, the second fails the run at once with the metric and value', async () => {
  const h = harness([[100, 0], [100, 10], [100, 12]]);
  const run = newRun([rate({ interval: '20s', failureLimit: 1 }), { name: 'latency', interval: '5m', successCondition: 'result < 1', provider: { kubelite: { service: 'web', metric: 'latency-p99' } } }]);
  await h.step(run);
  h.clock.advance(20_000);
  await h.step(run);
  assert.equal(run.status!.phase, 'Running');
  assert.equal(run.status!.metricResults![0].failed, 1);
  h.clock.advance(20_000);
  assert.equal(await h.step(run), undefined);
  assert.equal(run.status!.phase, 'Failed', 'the run ends in the same reconcile, not at the latency metric\'s next due time');
  assert.equal(run.status!.message, 'Metric "success-rate" assessed Failed due to failed (2) > failureLimit (1) (last measured value: 0.88)');
  assert.deepEqual(run.status!.metricResults!.map((r) => r.phase), ['Failed', 'Successful']);
  assert.deepEqual(h.events, ['Warning MetricFailed', 'Normal MetricSuccessful', 'Warning AnalysisRunFailed']);
  assert.deepEqual(run.status!.runSummary, { count: 2, successful: 1, failed: 1, inconclusive: 0, error: 0 });
});

test('errors: retried every 10 s; the fifth in a row errors the run with the provider\'s message', async () => {
  const h = harness([[0, 0]]);
  const run = newRun([rate({ interval: '1m' })]);
  const delays: (number | undefined)[] = [];
  for (let i = 0; i < 5; i++) {
    delays.push(await h.step(run));
    if (run.status!.phase !== 'Running') break;
    h.clock.advance(delays.at(-1)!);
  }
  assert.deepEqual(delays, [10_000, 10_000, 10_000, 10_000, undefined]);
  assert.equal(run.status!.phase, 'Error');
  assert.equal(run.status!.message, 'Metric "success-rate" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: no requests to service default/web (canary) in the last 1m"');
  assert.equal(run.status!.metricResults![0].count ?? 0, 0);
  assert.equal(run.status!.metricResults![0].error, 5);
});

test('spec.terminate: nothing more is measured and the run is Successful, "Run Terminated"', async () => {
  const h = harness([[100, 0]]);
  const run = newRun([rate({ interval: '30s' })]);
  await h.step(run);
  run.spec.terminate = true;
  h.clock.advance(60_000);
  assert.equal(await h.step(run), undefined);
  assert.equal(run.status!.phase, 'Successful');
  assert.equal(run.status!.message, 'Run Terminated');
  assert.equal(h.traffic.queries.length, 1);
  const fresh = newRun([rate({ interval: '30s' })], { terminate: true });
  await h.step(fresh);
  assert.equal(fresh.status!.phase, 'Successful');
  assert.equal(h.traffic.queries.length, 1, 'terminated before the first measurement: none taken');
});

test('initialDelay: the first measurement waits for it after startedAt', async () => {
  const h = harness([[100, 0]]);
  const run = newRun([rate({ initialDelay: '45s' })]);
  assert.equal(await h.step(run), 45_000);
  assert.equal(run.status!.phase, 'Running');
  assert.equal(h.traffic.queries.length, 0);
  h.clock.advance(45_000);
  await h.step(run);
  assert.equal(run.status!.phase, 'Successful');
});

test('bad input ends the run in Error with a clear message, never a throw', async () => {
  const cases: [AnalysisRun, string][] = [
    [newRun([{ name: 'd', provider: { datadog: { query: 'x' } } }]), 'Analysis spec invalid: metrics[0]: provider datadog is not supported by kubelite (supported: kubelite, web, prometheus)'],
    [newRun([rate({ successCondition: 'result >= ' })]), 'Analysis spec invalid: metrics[0]: successCondition "result >= " is invalid: Expected expression after >= (1:11)'],
    [newRun([rate({ count: 3 })]), 'Analysis spec invalid: metrics[0]: interval must be specified when count > 1'],
    [newRun([rate()], { args: [] }), 'Unable to resolve metric arguments: failed to resolve {{args.svc}}'],
    [newRun([rate()], { args: [{ name: 'svc' }] }), 'Unable to resolve metric arguments: argument "svc" was not supplied'],
    [newRun([rate()], { dryRun: [{ metricName: 'nothing' }] }), "Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s)"],
    [newRun([]), 'Analysis spec invalid: no metrics specified'],
  ];
  for (const [run, message] of cases) {
    const h = harness([[100, 0]]);
    assert.equal(await h.step(run), undefined);
    assert.equal(run.status!.phase, 'Error', message);
    assert.equal(run.status!.message, message);
    assert.ok(run.status!.completedAt);
    assert.deepEqual(h.events, ['Warning AnalysisRunError']);
    assert.equal(h.traffic.queries.length, 0);
  }
});

test('Secret arguments are read at measurement time and redacted from messages', async () => {
  const read: string[] = [];
  const h = harness([[100, 0]], {
    readSecret: async (ns, name, key) => {
      read.push(`${ns}/${name}/${key}`);
      if (name !== 'api') throw new Error(`secrets "${name}" not found`);
      return 's3cr3t';
    },
  });
  const web: Metric = { name: 'w', provider: { web: { url: 'http://127.0.0.1:1/{{args.token}}' } } };
  const run = newRun([web], { args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } }] });
  await h.step(run);
  const m = run.status!.metricResults![0].measurements![0];
  assert.equal(m.phase, 'Error');
  assert.match(m.message!, /http:\/\/127\.0\.0\.1:1\/\*\*\*\*\*/);
  assert.doesNotMatch(JSON.stringify(run.status), /s3cr3t/);
  assert.deepEqual(read, ['default/api/token']);
  const missing = newRun([web], { args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] });
  await h.step(missing);
  assert.equal(missing.status!.phase, 'Error');
  assert.equal(missing.status!.message, 'Unable to resolve metric arguments: secrets "nope" not found');
});

test('dry-run metrics are measured and reported but never fail the run', async () => {
  const h = harness([[100, 50]]);
  const run = newRun([rate(), { ...rate(), name: 'shadow' }], { dryRun: [{ metricName: 'shadow' }] });
  // Both fail; only the real one decides.
  await h.step(run);
  assert.equal(run.status!.phase, 'Failed');
  assert.deepEqual(run.status!.dryRunSummary, { count: 1, successful: 0, failed: 1, inconclusive: 0, error: 0 });
  const only = newRun([{ ...rate(), name: 'shadow' }], { dryRun: [{ metricName: '.*' }] });
  await h.step(only);
  assert.equal(only.status!.phase, 'Successful');
  assert.equal(only.status!.metricResults![0].dryRun, true);
});

test('measurements of several metrics run in parallel through the limiter; history keeps the last 10', async () => {
  let active = 0, peak = 0, calls = 0;
  const h = harness([[100, 0]], {
    limit: async (fn) => { calls++; active++; peak = Math.max(peak, active); try { return await fn(); } finally { active--; } },
  });
  const run = newRun([rate({ name: 'a', interval: '1s' }), rate({ name: 'b', interval: '1s' }), rate({ name: 'c', interval: '1s' })]);
  for (let i = 0; i < 12; i++) { await h.step(run); h.clock.advance(1000); }
  assert.equal(calls, 36);
  assert.equal(peak, 3);
  assert.deepEqual(run.status!.metricResults!.map((r) => [r.count, r.measurements!.length]), [[12, 10], [12, 10], [12, 10]]);
});
