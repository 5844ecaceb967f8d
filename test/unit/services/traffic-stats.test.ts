/** The traffic router's measurements: log lines, per-second windows, quantiles, Prometheus text, GET /traffic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/util/clock.ts';
import { TrafficStats, parseLogLine, histogramQuantile, bucketIndex, LATENCY_BUCKETS } from '../../../src/proxy/router/stats.ts';
import { trafficRoute, parseWindow } from '../../../src/proxy/router/traffic-api.ts';
import { deferredTrafficSource } from '../../../src/proxy/router/source.ts';
import { renderPrometheus } from '../../../src/proxy/metrics.ts';

const key = (backend: 'stable' | 'canary', revision = backend === 'stable' ? 'aaa' : 'bbb') => ({ namespace: 'shop', service: 'web', backend, revision });
const ok = (ms: number, status = 200) => ({ failed: false, status, seconds: ms / 1000 });

test('log lines: HTTP status and times; no response = failed; tcp connections; <NOSRV> and junk ignored', () => {
  assert.deepEqual(parseLogLine('shop.web.80 s3 200 2 5 --'), { proxy: 'shop.web.80', server: 's3', outcome: { failed: false, status: 200, seconds: 0.005 } });
  assert.deepEqual(parseLogLine('shop.web.80 c1 503 -1 3001 SC'), { proxy: 'shop.web.80', server: 'c1', outcome: { failed: true, seconds: null } });
  assert.deepEqual(parseLogLine('shop.web.80 c1 502 -1 12 SH\n'), { proxy: 'shop.web.80', server: 'c1', outcome: { failed: true, seconds: null } });
  assert.deepEqual(parseLogLine('shop.web.80 s1 500 4 4 --')?.outcome, { failed: false, status: 500, seconds: 0.004 });
  assert.deepEqual(parseLogLine('shop.db.5432 s1 - 1 60000 --')?.outcome, { failed: false, seconds: null });
  assert.deepEqual(parseLogLine('shop.db.5432 s1 - -1 3000 SC')?.outcome, { failed: true, seconds: null });
  assert.equal(parseLogLine('shop.web.80 <NOSRV> 400 -1 0 PR'), undefined);
  assert.equal(parseLogLine('garbage'), undefined);
  assert.equal(parseLogLine('a b c d e f'), undefined);
});

test('windows: per-second buckets summed over the last N seconds, by backend and revision', () => {
  const clock = new FakeClock();
  const st = new TrafficStats(clock, { retentionSeconds: 120 });
  for (let i = 0; i < 80; i++) st.record(key('stable'), ok(2));
  for (let i = 0; i < 15; i++) st.record(key('canary'), ok(8));
  for (let i = 0; i < 5; i++) st.record(key('canary'), ok(9, 503));
  st.record(key('canary'), { failed: true, seconds: null });
  clock.advance(30_000);
  for (let i = 0; i < 10; i++) st.record(key('stable'), ok(3, 404));
  const q = (o: any) => st.window({ namespace: 'shop', service: 'web', windowSeconds: 60, ...o });
  const all = q({});
  assert.equal(all.requests, 111);
  assert.deepEqual(all.codes, { '1xx': 0, '2xx': 95, '3xx': 0, '4xx': 10, '5xx': 5 });
  assert.equal(all.failures, 1);
  const canary = q({ backend: 'canary' });
  assert.equal(canary.requests, 21);
  assert.equal(canary.codes['5xx'], 5);
  assert.equal(canary.failures, 1);
  assert.ok(Math.abs(canary.latencySeconds.mean! - (15 * 0.008 + 5 * 0.009) / 20) < 1e-12); // failures are not timed
  assert.equal(q({ revision: 'bbb' }).requests, 21);
  assert.equal(q({ revision: 'zzz' }).requests, 0);
  assert.equal(q({ backend: 'stable', revision: 'bbb' }).requests, 0);
  // Only the last 10 s: the 404s.
  const recent = q({ windowSeconds: 10 });
  assert.equal(recent.requests, 10);
  assert.deepEqual(recent.codes['4xx'], 10);
  // Past the first burst: it leaves the 20 s window.
  clock.advance(31_000);
  assert.equal(q({ windowSeconds: 20 }).requests, 0);
  assert.equal(q({ windowSeconds: 60 }).requests, 10);
  assert.equal(q({ windowSeconds: 60 }).latencySeconds.p50! > 0.002, true);
  // A different Service or namespace sees nothing.
  assert.equal(st.window({ namespace: 'shop', service: 'other', windowSeconds: 60 }).requests, 0);
  assert.equal(st.window({ namespace: 'x', service: 'web', windowSeconds: 60 }).latencySeconds.p99, null);
});

test('windows: the ring reuses slots of seconds older than the retention; prune forgets idle series', () => {
  const clock = new FakeClock();
  const st = new TrafficStats(clock, { retentionSeconds: 10 });
  st.record(key('stable'), ok(1));
  clock.advance(10_000); // same ring slot, 10 s later
  st.record(key('stable'), ok(1));
  st.record(key('stable'), ok(1));
  assert.equal(st.window({ namespace: 'shop', service: 'web', windowSeconds: 10 }).requests, 2);
  assert.equal(st.window({ namespace: 'shop', service: 'web', windowSeconds: 1000 }).requests, 2); // clamped to the retention
  clock.advance(11_000);
  st.prune();
  assert.deepEqual(st.keys(), []);
});

test('quantiles interpolate within the histogram buckets', () => {
  assert.equal(bucketIndex(0), 0);
  assert.equal(bucketIndex(0.001), 0);
  assert.equal(bucketIndex(0.0011), 1);
  assert.equal(bucketIndex(1000), LATENCY_BUCKETS.length);
  const h = new Array(LATENCY_BUCKETS.length + 1).fill(0);
  h[bucketIndex(0.004)] = 100; // (0.003, 0.005]
  assert.ok(Math.abs(histogramQuantile(h, 0.5)! - 0.004) < 1e-12);
  assert.ok(Math.abs(histogramQuantile(h, 0.99)! - (0.003 + 0.002 * 0.99)) < 1e-12);
  h[LATENCY_BUCKETS.length] = 100; // half beyond the last bound
  assert.equal(histogramQuantile(h, 0.99), LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]);
  assert.equal(histogramQuantile(new Array(h.length).fill(0), 0.5), null);
  // Real data: 90 fast, 10 slow requests.
  const clock = new FakeClock();
  const st = new TrafficStats(clock);
  for (let i = 0; i < 90; i++) st.record(key('canary'), ok(1));
  for (let i = 0; i < 10; i++) st.record(key('canary'), ok(400));
  const l = st.window({ namespace: 'shop', service: 'web', windowSeconds: 5 }).latencySeconds;
  assert.ok(l.p50! <= 0.001);
  assert.ok(l.p90! <= 0.001);
  assert.ok(l.p95! > 0.3 && l.p95! <= 0.5);
  assert.ok(Math.abs(l.mean! - (90 * 0.001 + 10 * 0.4) / 100) < 1e-12);
});

test('Prometheus text: cumulative request counters by class and a histogram per series', () => {
  const clock = new FakeClock();
  const st = new TrafficStats(clock);
  st.record(key('stable'), ok(2));
  st.record(key('stable'), ok(20, 500));
  st.record(key('stable'), { failed: true, seconds: null });
  const text = renderPrometheus(st.families());
  const lbl = 'namespace="shop",service="web",backend="stable",revision="aaa"';
  assert.match(text, /# TYPE kubelite_traffic_requests_total counter/);
  assert.match(text, new RegExp(`kubelite_traffic_requests_total\\{${lbl},code="2xx"\\} 1\\n`));
  assert.match(text, new RegExp(`kubelite_traffic_requests_total\\{${lbl},code="5xx"\\} 1\\n`));
  assert.match(text, new RegExp(`kubelite_traffic_requests_total\\{${lbl},code="failed"\\} 1\\n`));
  assert.doesNotMatch(text, /code="tcp"\}/); // only for ports routed per connection
  assert.match(text, /# TYPE kubelite_traffic_request_duration_seconds histogram/);
  assert.match(text, new RegExp(`kubelite_traffic_request_duration_seconds_bucket\\{${lbl},le="0.002"\\} 1\\n`));
  assert.match(text, new RegExp(`kubelite_traffic_request_duration_seconds_bucket\\{${lbl},le="0.015"\\} 1\\n`));
  assert.match(text, new RegExp(`kubelite_traffic_request_duration_seconds_bucket\\{${lbl},le="0.02"\\} 2\\n`));
  assert.match(text, new RegExp(`kubelite_traffic_request_duration_seconds_bucket\\{${lbl},le="\\+Inf"\\} 2\\n`));
  assert.match(text, new RegExp(`kubelite_traffic_request_duration_seconds_sum\\{${lbl}\\} 0.022\\n`));
  assert.match(text, new RegExp(`kubelite_traffic_request_duration_seconds_count\\{${lbl}\\} 2\\n`));
});

test('GET /traffic: one series over a window, every series, and 400 Status for bad parameters', async () => {
  const clock = new FakeClock();
  const st = new TrafficStats(clock, { retentionSeconds: 600 });
  for (let i = 0; i < 4; i++) st.record(key('stable'), ok(2));
  st.record(key('canary'), ok(5, 500));
  const route = trafficRoute(st);
  const get = async (qs: string) => { const r = await route(new URL(`http://x/traffic${qs}`)); return { status: r.status, body: JSON.parse(r.body) }; };
  let r = await get('?namespace=shop&service=web&window=30s');
  assert.equal(r.status, 200);
  assert.equal(r.body.requests, 5);
  assert.deepEqual(r.body.codes, { '1xx': 0, '2xx': 4, '3xx': 0, '4xx': 0, '5xx': 1 });
  r = await get('?namespace=shop&service=web&backend=canary&revision=bbb&window=30');
  assert.equal(r.body.requests, 1);
  r = await get('?namespace=shop');
  assert.deepEqual(r.body.items.map((i: any) => [i.backend, i.revision, i.requests]), [['canary', 'bbb', 1], ['stable', 'aaa', 4]]);
  for (const [qs, msg] of [
    ['?namespace=shop&service=web&window=abc', /window: "abc" is not a positive duration/],
    ['?namespace=shop&service=web&window=0', /window: "0" is not a positive duration/],
    ['?namespace=shop&service=web&window=2h', /longer than the 600 s/],
    ['?namespace=shop&service=web&backend=blue', /backend: "blue" must be stable or canary/],
    ['?service=web', /namespace: required with service/],
  ] as const) {
    r = await get(qs);
    assert.equal(r.status, 400, qs);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.reason, 'BadRequest');
    assert.match(r.body.message, msg);
  }
  assert.equal(parseWindow('1m30s'), 90);
  assert.equal(parseWindow('45'), 45);
  assert.equal(parseWindow('5 m'), undefined);
});

test('deferred source: no requests until a source is attached, then its answers', async () => {
  const d = deferredTrafficSource();
  const q = { namespace: 'shop', service: 'web', windowSeconds: 60 };
  assert.equal((await d.query(q)).requests, 0);
  const clock = new FakeClock();
  const st = new TrafficStats(clock);
  st.record(key('stable'), ok(1));
  d.attach(st);
  assert.equal((await d.query(q)).requests, 1);
  d.attach(undefined);
  assert.equal((await d.query(q)).latencySeconds.mean, null);
});
