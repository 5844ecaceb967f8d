// The AnalysisRun controller against an in-memory API (informer cache + client), a FakeClock and an in-memory
// traffic source: status written by merge patch, events, requeue through the clock, stale caches, Secrets, TTL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisRunController, statusPatch, ttlExpiry } from '../../../src/controllers/analysis/controller.ts';
import { StatusError } from '../../../src/api/errors.ts';
import { FakeClock } from '../../../src/util/clock.ts';
import type { TrafficStatsSource, TrafficWindowQuery, TrafficWindowStats } from '../../../src/analysis/traffic-source.ts';
import type { AnalysisRun } from '../../../src/analysis/types.ts';

class Traffic implements TrafficStatsSource {
  queries: TrafficWindowQuery[] = [];
  constructor(public requests: number, public x5: number) {}
  async query(q: TrafficWindowQuery): Promise<TrafficWindowStats> {
    this.queries.push(q);
    return { requests: this.requests, failures: 0, codes: { '1xx': 0, '2xx': this.requests - this.x5, '3xx': 0, '4xx': 0, '5xx': this.x5 }, latencySeconds: { mean: null, p50: null, p90: null, p95: null, p99: null } };
  }
}

/** A tiny API: objects by key, merge patches applied with a new resourceVersion, watch delivery on demand. */
function world(opts: { deliverWrites?: boolean } = {}) {
  const runs = new Map<string, AnalysisRun>();
  const secrets = new Map<string, any>();
  const patches: { name: string; body: any }[] = [];
  const events: any[] = [];
  const deleted: { name: string; opts: any }[] = [];
  let rv = 100;
  let handler: any;
  const informer = {
    addHandler: (h: any) => { handler = h; },
    get: (k: string) => runs.get(k),
    list: () => [...runs.values()],
  };
  const client = {
    async patch(_ref: any, ns: string, name: string, body: any) {
      patches.push({ name, body: structuredClone(body) });
      const cur = runs.get(`${ns}/${name}`)!;
      const status: any = { ...(cur.status ?? {}) };
      for (const [k, v] of Object.entries(body.status)) { if (v === null) delete status[k]; else status[k] = v; }
      const updated = { ...structuredClone(cur), status, metadata: { ...cur.metadata, resourceVersion: String(++rv) } };
      if (opts.deliverWrites !== false) { runs.set(`${ns}/${name}`, updated); handler.update(cur, updated); }
      return structuredClone(updated);
    },
    async get(ref: any, ns: string, name: string) {
      const s = secrets.get(`${ns}/${name}`);
      if (ref.plural !== 'secrets' || !s) throw new StatusError(404, 'NotFound', `${ref.plural} "${name}" not found`);
      return s;
    },
    async delete(_ref: any, _ns: string, name: string, o: any) { deleted.push({ name, opts: o }); return {}; },
    async create(_ref: any, _ns: string, ev: any) { events.push(ev); return ev; },
  };
  const put = (run: AnalysisRun) => {
    const r = structuredClone(run);
    r.metadata.resourceVersion = String(++rv);
    const k = `${r.metadata.namespace}/${r.metadata.name}`;
    const old = runs.get(k);
    runs.set(k, r);
    if (old) handler.update(old, r); else handler.add(r);
  };
  return { runs, secrets, patches, events, deleted, informer, client, put };
}

const settle = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };

function start(w: ReturnType<typeof world>, traffic: Traffic, clock = new FakeClock(Date.parse('2026-04-01T08:00:00Z'))) {
  const c = new AnalysisRunController({ trafficStats: traffic, workers: 2 });
  c.init({ client: w.client as any, informers: { get: () => w.informer } as any, clock });
  return { c, clock };
}

const run = (name: string, spec: Partial<AnalysisRun['spec']> = {}): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun',
  metadata: { name, namespace: 'default', uid: `${name}-uid` },
  spec: {
    metrics: [{ name: 'success-rate', interval: '30s', count: 2, successCondition: 'result >= 0.95', provider: { kubelite: { service: 'web', backend: 'canary', metric: 'success-rate' } } }],
    ...spec,
  },
});

test('a run is measured, its status merge-patched, requeued through the clock until complete, with events', async () => {
  const w = world();
  const traffic = new Traffic(100, 1);
  const { c, clock } = start(w, traffic);
  w.put(run('r1'));
  await c.run();
  await settle();
  assert.equal(traffic.queries.length, 1);
  assert.equal(w.patches.length, 1);
  const first = w.patches[0].body.status;
  assert.equal(first.phase, 'Running');
  assert.equal(first.metricResults[0].measurements[0].value, '0.99');
  assert.equal(Object.keys(w.patches[0].body).join(), 'status', 'only status is written');
  clock.advance(29_000);
  await settle();
  assert.equal(traffic.queries.length, 1, 'not before the interval');
  clock.advance(1_000);
  await settle();
  assert.equal(traffic.queries.length, 2);
  const last = w.runs.get('default/r1')!.status!;
  assert.equal(last.phase, 'Successful');
  assert.equal(last.completedAt, '2026-04-01T08:00:30Z');
  await c.stop();
  assert.deepEqual(w.events.map((e) => [e.reason, e.type, e.involvedObject.kind, e.involvedObject.name]), [
    ['MetricSuccessful', 'Normal', 'AnalysisRun', 'r1'],
    ['AnalysisRunSuccessful', 'Normal', 'AnalysisRun', 'r1'],
  ]);
  assert.equal(w.events[1].message, 'Analysis Completed. Result: Successful');
});

test('a stale informer copy does not repeat a measurement: the controller\'s own write wins until the cache catches up', async () => {
  const w = world({ deliverWrites: false });
  const traffic = new Traffic(100, 0);
  const { c } = start(w, traffic);
  w.put(run('r2'));
  await c.reconcile('default/r2');
  await c.reconcile('default/r2');
  assert.equal(traffic.queries.length, 1);
  assert.equal(w.patches.length, 1, 'the second pass found nothing to change');
});

test('spec.terminate (as the rollout controller patches it) ends a running run: Successful, "Run Terminated"', async () => {
  const w = world();
  const traffic = new Traffic(100, 0);
  const { c } = start(w, traffic);
  w.put(run('r3', { metrics: [{ name: 'bg', interval: '5m', successCondition: 'result > 0.9', provider: { kubelite: { service: 'web', metric: 'success-rate' } } }] }));
  await c.reconcile('default/r3');
  const cur = w.runs.get('default/r3')!;
  w.put({ ...cur, spec: { ...cur.spec, terminate: true } });
  await c.reconcile('default/r3');
  const s = w.runs.get('default/r3')!.status!;
  assert.deepEqual([s.phase, s.message], ['Successful', 'Run Terminated']);
  assert.equal(traffic.queries.length, 1);
});

test('bad input: an unknown provider errors the run with a clear message; the controller goes on', async () => {
  const w = world();
  const { c } = start(w, new Traffic(1, 0));
  w.put(run('bad', { metrics: [{ name: 'dd', provider: { datadog: { query: 'avg:x' } } }] }));
  await c.reconcile('default/bad');
  const s = w.runs.get('default/bad')!.status!;
  assert.equal(s.phase, 'Error');
  assert.equal(s.message, 'Analysis spec invalid: metrics[0]: provider datadog is not supported by kubelite (supported: kubelite, web, prometheus)');
  await c.stop();
  assert.equal(w.events[0].reason, 'AnalysisRunError');
  assert.equal(w.events[0].type, 'Warning');
});

test('Secret arguments are read through the API and decoded; a missing key is a clear error', async () => {
  const w = world();
  w.secrets.set('default/creds', { data: { token: Buffer.from('tok-123').toString('base64') } });
  const traffic = new Traffic(100, 0);
  const { c } = start(w, traffic);
  const spec = (key: string): Partial<AnalysisRun['spec']> => ({
    args: [{ name: 'svc', valueFrom: { secretKeyRef: { name: 'creds', key } } }],
    metrics: [{ name: 'm', successCondition: 'result > 0.5', provider: { kubelite: { service: '{{args.svc}}', metric: 'success-rate' } } }],
  });
  w.put(run('s1', spec('token')));
  await c.reconcile('default/s1');
  assert.equal(traffic.queries[0].service, 'tok-123');
  assert.equal(w.runs.get('default/s1')!.status!.phase, 'Successful');
  assert.doesNotMatch(JSON.stringify(w.runs.get('default/s1')), /tok-123/, 'the value is never stored');
  w.put(run('s2', spec('nope')));
  await c.reconcile('default/s2');
  assert.equal(w.runs.get('default/s2')!.status!.message, "Unable to resolve metric arguments: key 'nope' does not exist in secret 'creds'");
});

test('ttlStrategy: a completed run is deleted (uid precondition) once its time has come', async () => {
  const w = world();
  const { c, clock } = start(w, new Traffic(100, 0));
  w.put(run('t1', { ttlStrategy: { secondsAfterCompletion: 60 }, metrics: [{ name: 'm', provider: { kubelite: { service: 'web', metric: 'requests' } } }] }));
  await c.run();
  await settle();
  assert.equal(w.runs.get('default/t1')!.status!.phase, 'Successful');
  assert.equal(w.deleted.length, 0);
  clock.advance(60_000);
  await settle();
  assert.deepEqual(w.deleted, [{ name: 't1', opts: { preconditions: { uid: 't1-uid' } } }]);
  await c.stop();
});

test('ttlExpiry and statusPatch rules', () => {
  const done = (phase: any, ttl: any): AnalysisRun => ({ metadata: { name: 'x' }, spec: { metrics: [], ttlStrategy: ttl }, status: { phase, completedAt: '2026-01-01T00:00:00Z' } });
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(ttlExpiry(done('Failed', { secondsAfterFailure: 10, secondsAfterCompletion: 99 })), t0 + 10_000);
  assert.equal(ttlExpiry(done('Successful', { secondsAfterSuccess: 20, secondsAfterCompletion: 99 })), t0 + 20_000);
  assert.equal(ttlExpiry(done('Error', { secondsAfterFailure: 10, secondsAfterCompletion: 99 })), t0 + 99_000);
  assert.equal(ttlExpiry(done('Successful', { secondsAfterFailure: 10 })), undefined);
  assert.equal(ttlExpiry(done('Running', { secondsAfterCompletion: 1 })), undefined);
  assert.deepEqual(statusPatch({ phase: 'Running', message: 'x' }, { phase: 'Successful' }), { status: { phase: 'Successful', message: null } });
});
