// The AnalysisRun controller against a real API server (in-process, SQLite in a temp dir; no cluster, no
// containers): real informers and client, the argoproj.io kinds as registered, status written through the main
// resource and accepted by the server's validation, events created, termination by a merge patch on spec.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startControllerAgainstApiServer, type ControllerHarness } from '../controller-harness.ts';
import { KubeClient } from '../../../src/client/client.ts';
import { R } from '../../../src/client/resources.ts';
import { AnalysisRunController, ANALYSIS_RUNS } from '../../../src/controllers/analysis/controller.ts';
import { newAnalysisRunFromTemplates } from '../../../src/analysis/run-from-templates.ts';
import type { AnalysisRun, AnalysisTemplate } from '../../../src/analysis/types.ts';
import type { TrafficStatsSource, TrafficWindowStats } from '../../../src/analysis/traffic-source.ts';
import { realClock } from '../../../src/util/clock.ts';

const TEMPLATES = { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysistemplates', kind: 'AnalysisTemplate', namespaced: true };
let harness: ControllerHarness, client: KubeClient, controller: AnalysisRunController, web: Server, webUrl: string;
let x5 = 0;
const traffic: TrafficStatsSource = {
  async query(): Promise<TrafficWindowStats> {
    return { requests: 200, failures: 0, codes: { '1xx': 0, '2xx': 200 - x5, '3xx': 0, '4xx': 0, '5xx': x5 }, latencySeconds: { mean: 0.01, p50: 0.01, p90: 0.02, p95: 0.02, p99: 0.03 } };
  },
};

before(async () => {
  web = createServer((_req, res) => { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify({ status: { healthy: true } })); });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  webUrl = `http://127.0.0.1:${(web.address() as { port: number }).port}`;
  controller = new AnalysisRunController({ trafficStats: traffic });
  harness = await startControllerAgainstApiServer('kubelite-analysis-', controller, realClock);
  client = harness.client;
});

after(async () => {
  await harness?.stop();
  web?.close();
});

async function until<T>(what: string, f: () => Promise<T | undefined>, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const phaseOf = (name: string, want: string[]) => until(`${name} in ${want}`, async () => {
  const r = await client.get<AnalysisRun>(ANALYSIS_RUNS, 'default', name);
  return want.includes(r.status?.phase ?? '') ? r : undefined;
});

test('a run built from a template measures the built-in and web providers and completes; the server accepts the status', async () => {
  const tpl: AnalysisTemplate = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'health', namespace: 'default' },
    spec: {
      args: [{ name: 'service-name' }, { name: 'url' }],
      metrics: [
        { name: 'success-rate', successCondition: 'result >= 0.95', provider: { kubelite: { service: '{{args.service-name}}', backend: 'canary', metric: 'success-rate' } } },
        { name: 'healthz', successCondition: 'result == true', provider: { web: { url: '{{args.url}}/healthz', jsonPath: '{$.status.healthy}' } } },
      ],
    },
  };
  await client.create(TEMPLATES, 'default', tpl);
  const fromApi = await client.get<AnalysisTemplate>(TEMPLATES, 'default', 'health');
  const run = newAnalysisRunFromTemplates({
    refs: [{ templateName: 'health' }], templates: [fromApi], namespace: 'default', name: 'web-abc-1-0',
    args: [{ name: 'service-name', value: 'web' }, { name: 'url', value: webUrl }],
    labels: { 'rollouts-pod-template-hash': 'abc', 'rollout-type': 'Step', 'step-index': '0' },
  });
  await client.create(ANALYSIS_RUNS, 'default', run);
  const done = await phaseOf('web-abc-1-0', ['Successful', 'Failed', 'Error', 'Inconclusive']);
  assert.equal(done.status!.phase, 'Successful', JSON.stringify(done.status));
  assert.deepEqual(done.status!.metricResults!.map((r) => [r.name, r.phase, r.measurements![0].value]), [['success-rate', 'Successful', '1'], ['healthz', 'Successful', 'true']]);
  assert.ok(done.status!.startedAt && done.status!.completedAt);
  assert.equal(done.spec.metrics[0].provider.kubelite!.service, '{{args.service-name}}', 'the spec keeps its placeholders');
  const events = await until('events', async () => {
    const l = await client.list(R.events, 'default', { fieldSelector: 'involvedObject.name=web-abc-1-0' });
    return l.items.length >= 3 ? l.items : undefined;
  });
  assert.deepEqual(events.map((e: any) => e.reason).sort(), ['AnalysisRunSuccessful', 'MetricSuccessful', 'MetricSuccessful']);
});

test('a failing canary fails the run with the metric and value; a background run ends on {"spec":{"terminate":true}}', async () => {
  x5 = 30;
  const failing: AnalysisRun = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'bad-canary', namespace: 'default' },
    spec: { metrics: [{ name: 'success-rate', successCondition: 'result >= 0.95', provider: { kubelite: { service: 'web', metric: 'success-rate' } } }] } };
  await client.create(ANALYSIS_RUNS, 'default', failing);
  const failed = await phaseOf('bad-canary', ['Failed', 'Successful', 'Error']);
  assert.equal(failed.status!.phase, 'Failed');
  assert.equal(failed.status!.message, 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0) (last measured value: 0.85)');
  x5 = 0;
  const background: AnalysisRun = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'bg', namespace: 'default' },
    spec: { metrics: [{ name: 'success-rate', interval: '1h', successCondition: 'result >= 0.95', provider: { kubelite: { service: 'web', metric: 'success-rate' } } }] } };
  await client.create(ANALYSIS_RUNS, 'default', background);
  await until('first measurement', async () => {
    const r = await client.get<AnalysisRun>(ANALYSIS_RUNS, 'default', 'bg');
    return r.status?.metricResults?.[0]?.measurements?.length ? r : undefined;
  });
  await client.patch(ANALYSIS_RUNS, 'default', 'bg', { spec: { terminate: true } }, 'merge');
  const ended = await phaseOf('bg', ['Successful', 'Failed', 'Error']);
  assert.deepEqual([ended.status!.phase, ended.status!.message], ['Successful', 'Run Terminated']);
});

test('a run naming a provider kubelite lacks is admitted and ends in Error saying so', async () => {
  const r: AnalysisRun = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'dd', namespace: 'default' },
    spec: { metrics: [{ name: 'dd', provider: { datadog: { query: 'avg:requests{*}' } } }] } };
  await client.create(ANALYSIS_RUNS, 'default', r);
  const ended = await phaseOf('dd', ['Error', 'Failed', 'Successful']);
  assert.deepEqual([ended.status!.phase, ended.status!.message], ['Error', 'Analysis spec invalid: metrics[0]: provider datadog is not supported by kubelite (supported: kubelite, web, prometheus)']);
});
