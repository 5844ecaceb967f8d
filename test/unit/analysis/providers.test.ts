// The metric providers against real HTTP servers on 127.0.0.1 (web, prometheus) and an in-memory traffic source
// (kubelite's built-in provider reads the TrafficStatsSource interface the service proxy implements).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createProviders, takeMeasurement, providerFor } from '../../../src/analysis/providers/index.ts';
import { processResult } from '../../../src/analysis/providers/prometheus.ts';
import { toJsonPath } from '../../../src/analysis/providers/web.ts';
import type { TrafficStatsSource, TrafficWindowQuery, TrafficWindowStats } from '../../../src/analysis/traffic-source.ts';
import type { AnalysisRun, Metric } from '../../../src/analysis/types.ts';
import { NO_DATA } from '../../../src/analysis/measurement.ts';
import { FakeClock } from '../../../src/util/clock.ts';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string }
const servers: Server[] = [];
after(() => { for (const s of servers) s.close(); });

async function serve(handler: (req: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { const s = { method: req.method!, url: req.url!, headers: req.headers, body }; seen.push(s); handler(s, res); });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

const run: AnalysisRun = { metadata: { name: 'r', namespace: 'shop' }, spec: { metrics: [] } };
const clock = new FakeClock(Date.parse('2026-05-01T10:00:00Z'));
const json = (res: ServerResponse, code: number, body: unknown) => { res.writeHead(code, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };

test('web: GET with headers, jsonPath {$.data.ok}, the first match is result and its JSON the value', async () => {
  const srv = await serve((_req, res) => json(res, 200, { data: { ok: true, rate: 0.97, items: [{ v: 3 }, { v: 4 }] } }));
  const providers = createProviders();
  const base = { name: 'w', provider: { web: { url: `${srv.url}/check?x=1`, headers: [{ key: 'Authorization', value: 'Bearer t' }], jsonPath: '{$.data.ok}' } } } as Metric;
  let m = await takeMeasurement({ run, metric: { ...base, successCondition: 'result == true' } }, providers, clock);
  assert.deepEqual([m.phase, m.value, m.message], ['Successful', 'true', undefined]);
  assert.equal(srv.seen[0].method, 'GET');
  assert.equal(srv.seen[0].url, '/check?x=1');
  assert.equal(srv.seen[0].headers.authorization, 'Bearer t');
  m = await takeMeasurement({ run, metric: { ...base, provider: { web: { url: srv.url, jsonPath: '{.data.rate}' } }, successCondition: 'result >= 0.99' } }, providers, clock);
  assert.deepEqual([m.phase, m.value], ['Failed', '0.97']);
  m = await takeMeasurement({ run, metric: { ...base, provider: { web: { url: srv.url, jsonPath: '{$.data.items[*].v}' } }, successCondition: 'result == 3' } }, providers, clock);
  assert.deepEqual([m.phase, m.value], ['Successful', '3']);
  m = await takeMeasurement({ run, metric: { ...base, provider: { web: { url: srv.url } }, successCondition: 'result.data.items[1].v == 4' } }, providers, clock);
  assert.equal(m.phase, 'Successful', 'default jsonPath {$} is the whole document');
  m = await takeMeasurement({ run, metric: { ...base, provider: { web: { url: srv.url, jsonPath: '{$.data.missing}' } }, successCondition: 'true' } }, providers, clock);
  assert.equal(m.phase, 'Error');
  assert.match(m.message!, /Could not find JSONPath in body: \{\$\.data\.missing\} matched nothing/);
});

test('web: POST jsonBody sets Content-Type; non-JSON answers are a string result; non-2xx and timeouts are Errors', async () => {
  const srv = await serve((req, res) => {
    if (req.url === '/text') { res.end('healthy'); return; }
    if (req.url === '/500') { res.writeHead(500); res.end('boom'); return; }
    if (req.url === '/slow') { setTimeout(() => res.end('late'), 3000).unref(); return; }
    json(res, 200, { echo: JSON.parse(req.body || 'null') });
  });
  const providers = createProviders();
  let m = await takeMeasurement({ run, metric: { name: 'p', provider: { web: { url: `${srv.url}/post`, method: 'POST', jsonBody: { q: 'x' }, jsonPath: '{$.echo.q}' } }, successCondition: 'result == "x"' } }, providers, clock);
  assert.deepEqual([m.phase, m.value], ['Successful', '"x"']);
  assert.equal(srv.seen.at(-1)!.headers['content-type'], 'application/json');
  assert.equal(srv.seen.at(-1)!.body, '{"q":"x"}');
  m = await takeMeasurement({ run, metric: { name: 't', provider: { web: { url: `${srv.url}/text` } }, successCondition: 'result == "healthy"' } }, providers, clock);
  assert.deepEqual([m.phase, m.value], ['Successful', 'healthy']);
  m = await takeMeasurement({ run, metric: { name: 'e', provider: { web: { url: `${srv.url}/500` } }, successCondition: 'true' } }, providers, clock);
  assert.deepEqual([m.phase, m.message, m.value], ['Error', 'received non 2xx response code: 500', undefined]);
  m = await takeMeasurement({ run, metric: { name: 's', provider: { web: { url: `${srv.url}/slow`, timeoutSeconds: 1 } } } }, providers, clock);
  assert.equal(m.phase, 'Error');
  assert.match(m.message!, /timed out after 1s/);
  m = await takeMeasurement({ run, metric: { name: 'c', provider: { web: { url: 'http://127.0.0.1:1/' } } } }, providers, clock);
  assert.equal(m.phase, 'Error');
  assert.match(m.message!, /ECONNREFUSED/);
  assert.ok(m.startedAt && m.finishedAt);
});

test('web: the Kubernetes JSONPath template forms', () => {
  assert.deepEqual(['{$.data.ok}', '{.data.ok}', '{$}', undefined, '$.a', 'data.ok', '{.items[0].v}'].map(toJsonPath),
    ['$.data.ok', '$.data.ok', '$', '$', '$.a', '$.data.ok', '$.items[0].v']);
});

test('prometheus: real PromQL over /api/v1/query — scalar, vector, empty vector, errors, warnings', async () => {
  let answer: { code: number; body: unknown } = { code: 200, body: {} };
  const srv = await serve((_req, res) => json(res, answer.code, answer.body));
  const providers = createProviders();
  const metric = (successCondition: string, query = 'sum(rate(http_requests_total{code!~"5.."}[1m]))'): Metric =>
    ({ name: 'p', successCondition, provider: { prometheus: { address: srv.url, query, headers: [{ key: 'X-Scope-OrgID', value: 'tenant' }] } } });

  answer = { code: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1714557600, '0.99'] }, { metric: { a: 'b' }, value: [1714557600, '0.5'] }] } } };
  let m = await takeMeasurement({ run, metric: metric('result[0] >= 0.95') }, providers, clock);
  assert.deepEqual([m.phase, m.value], ['Successful', '[0.99,0.5]']);
  const req = srv.seen.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/api/v1/query');
  assert.equal(new URLSearchParams(req.body).get('query'), 'sum(rate(http_requests_total{code!~"5.."}[1m]))');
  assert.equal(req.headers['x-scope-orgid'], 'tenant');

  answer = { code: 200, body: { status: 'success', data: { resultType: 'scalar', result: [1714557600, '0.9'] } } };
  m = await takeMeasurement({ run, metric: metric('result >= 0.95') }, providers, clock);
  assert.deepEqual([m.phase, m.value], ['Failed', '0.9']);

  answer = { code: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } } };
  m = await takeMeasurement({ run, metric: metric('result[0] >= 0.95') }, providers, clock);
  assert.deepEqual([m.phase, m.value], ['Error', '[]']);
  assert.equal(m.message, `could not evaluate successCondition "result[0] >= 0.95": ${NO_DATA}`);
  m = await takeMeasurement({ run, metric: metric('len(result) == 0 || result[0] >= 0.95') }, providers, clock);
  assert.equal(m.phase, 'Successful', 'a guarded condition passes on no data');

  answer = { code: 400, body: { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected end of input' } };
  m = await takeMeasurement({ run, metric: metric('true', 'sum(') }, providers, clock);
  assert.deepEqual([m.phase, m.message], ['Error', 'bad_data: 1:5: parse error: unexpected end of input']);

  answer = { code: 200, body: { status: 'success', warnings: ['partial data'], data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] } } };
  m = await takeMeasurement({ run, metric: metric('isNaN(result[0])') }, providers, clock);
  assert.deepEqual([m.phase, m.value, m.metadata], ['Successful', '[NaN]', { warnings: '"partial data"' }]);

  answer = { code: 502, body: 'bad gateway' };
  m = await takeMeasurement({ run, metric: metric('true') }, providers, clock);
  assert.equal(m.phase, 'Error');

  const p = providerFor(metric('true'), providers);
  assert.ok('provider' in p);
  assert.deepEqual(p.provider.metricMetadata!(metric('true', 'up')), { ResolvedPrometheusQuery: 'up' });
});

test('prometheus: result shapes (matrix flattened, +Inf) and the default address option', async () => {
  assert.deepEqual(processResult({ resultType: 'matrix', result: [{ values: [[1, '1'], [2, '+Inf']] }, { values: [[1, '3']] }] }), { result: [1, Infinity, 3], value: '[1,+Inf,3]' });
  assert.throws(() => processResult({ resultType: 'string', result: [1, 'x'] }), /Prometheus metric type not supported: string/);
  const srv = await serve((_req, res) => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1, '1'] } }));
  const m = await takeMeasurement({ run, metric: { name: 'd', successCondition: 'result == 1', provider: { prometheus: { query: 'vector(1)' } } } }, createProviders({ prometheusAddress: srv.url }), clock);
  assert.equal(m.phase, 'Successful');
});

class MemorySource implements TrafficStatsSource {
  queries: TrafficWindowQuery[] = [];
  constructor(public stats: TrafficWindowStats) {}
  async query(q: TrafficWindowQuery) { this.queries.push(q); return this.stats; }
}
const stats = (requests: number, x5: number, failures = 0, p99: number | null = 0.25): TrafficWindowStats => ({
  requests, failures, codes: { '1xx': 0, '2xx': requests - x5 - failures, '3xx': 0, '4xx': 0, '5xx': x5 },
  latencySeconds: { mean: p99 === null ? null : p99 / 2, p50: p99 === null ? null : p99 / 4, p90: p99, p95: p99, p99 },
});

test('kubelite: success-rate, error-rate, rates and latencies from the traffic source; the query carries namespace, service, backend, revision, window', async () => {
  const src = new MemorySource(stats(200, 10, 10));
  const providers = createProviders({ trafficSource: src });
  const metric = (name: string, extra: object = {}, cond = 'true'): Metric => ({
    name, interval: '20s', successCondition: cond,
    provider: { kubelite: { service: 'web', backend: 'canary', revision: 'abc123', metric: name, ...extra } },
  });
  let m = await takeMeasurement({ run, metric: metric('success-rate', {}, 'result >= 0.95') }, providers, clock);
  assert.deepEqual([m.phase, m.value], ['Failed', '0.9']);
  assert.deepEqual(m.metadata, { requests: '200', '5xx': '10', failures: '10', window: '20s' });
  assert.deepEqual(src.queries[0], { namespace: 'shop', service: 'web', backend: 'canary', revision: 'abc123', windowSeconds: 20 });
  m = await takeMeasurement({ run, metric: metric('success-rate', {}, 'result[0] < 0.95') }, providers, clock);
  assert.equal(m.phase, 'Successful', 'result[0] of the plain number works');
  m = await takeMeasurement({ run, metric: metric('error-rate', { window: '30s' }, 'result <= 0.1') }, providers, clock);
  assert.equal(m.phase, 'Successful');
  assert.equal(Number(m.value).toFixed(6), '0.100000');
  assert.equal(src.queries.at(-1)!.windowSeconds, 30);
  m = await takeMeasurement({ run, metric: metric('request-rate', {}, 'result == 10') }, providers, clock);
  assert.equal(m.phase, 'Successful');
  m = await takeMeasurement({ run, metric: metric('requests', {}, 'result == 200') }, providers, clock);
  assert.equal(m.phase, 'Successful');
  m = await takeMeasurement({ run, metric: metric('latency-p99', {}, 'result < 0.5') }, providers, clock);
  assert.deepEqual([m.phase, m.value], ['Successful', '0.25']);
  const noWindow: Metric = { name: 'x', provider: { kubelite: { service: 'web', metric: 'requests' } } };
  await takeMeasurement({ run, metric: noWindow }, providers, clock);
  assert.deepEqual(src.queries.at(-1), { namespace: 'shop', service: 'web', backend: undefined, revision: undefined, windowSeconds: 60 });
});

test('kubelite: no requests in the window is an Error with the no-data text; no source is an Error too', async () => {
  const src = new MemorySource(stats(0, 0, 0, null));
  const providers = createProviders({ trafficSource: src });
  let m = await takeMeasurement({ run, metric: { name: 's', successCondition: 'result >= 0.95', provider: { kubelite: { service: 'web', backend: 'canary', metric: 'success-rate', window: '30s' } } } }, providers, clock);
  assert.deepEqual([m.phase, m.message], ['Error', 'no requests to service shop/web (canary) in the last 30s']);
  m = await takeMeasurement({ run, metric: { name: 's', interval: '1m', provider: { kubelite: { service: 'web', metric: 'latency-p95' } } } }, providers, clock);
  assert.deepEqual([m.phase, m.message], ['Error', 'no requests to service shop/web (stable+canary) in the last 1m']);
  m = await takeMeasurement({ run, metric: { name: 'r', successCondition: 'result == 0', provider: { kubelite: { service: 'web', metric: 'requests' } } } }, providers, clock);
  assert.deepEqual([m.phase, m.value], ['Successful', '0'], 'a count of zero is data');
  src.stats = stats(5, 0, 5, null);
  m = await takeMeasurement({ run, metric: { name: 'l', provider: { kubelite: { service: 'web', metric: 'latency-p50', window: '10s' } } } }, providers, clock);
  assert.equal(m.phase, 'Error');
  assert.match(m.message!, /no answered requests to service shop\/web/);
  m = await takeMeasurement({ run, metric: { name: 'n', provider: { kubelite: { service: 'web', metric: 'requests' } } } }, createProviders(), clock);
  assert.equal(m.phase, 'Error');
  assert.match(m.message!, /no traffic statistics source/);
});

test('an unknown provider is an Error measurement, never a throw', async () => {
  const m = await takeMeasurement({ run, metric: { name: 'd', provider: { datadog: { query: 'x' } } } }, createProviders(), clock);
  assert.deepEqual([m.phase, m.message], ['Error', 'provider datadog is not supported by kubelite (supported: kubelite, web, prometheus)']);
});
