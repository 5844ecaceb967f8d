/**
 * Prometheus on demand, in a real `kubelite up` with a node, driven by the real kubectl: a pod exposes Prometheus
 * metrics (busybox httpd serving a file its command wrote) and opts in with the prometheus.io/* annotations; an
 * AnalysisTemplate's prometheus metrics give no address, so the first measurement starts Debian's Prometheus
 * (loopback only, its own data dir), which scrapes the pod and the service proxy; real PromQL decides the runs:
 * one Successful with its values recorded, one whose condition fails Failed. Stopping the cluster stops Prometheus.
 * With --prometheus-address (the user's own Prometheus, here one the test starts) nothing is started.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, kjson, kubectlOk, reapLeftovers } from './node-helpers.ts';
import { newAnalysisRunFromTemplates } from '../../src/analysis/run-from-templates.ts';
import type { AnalysisTemplate } from '../../src/analysis/types.ts';

let c: Cluster;
let promPid = 0;
before(async () => { c = await startCluster({ node: true }); });
after(async () => {
  if (c) {
    await c.kubectl(['delete', 'analysisruns,analysistemplates', '-l', 'e2e=analysis-prometheus', '--ignore-not-found']).catch(() => {});
    await cleanup(c, ['pod exporter'], 'e2e=analysis-prometheus').catch(() => {});
    await c.stop();
  }
  await reapLeftovers();
  if (promPid) {
    let alive = true;
    try { process.kill(promPid, 0); } catch { alive = false; }
    if (alive) process.kill(promPid, 'SIGKILL');
    assert.equal(alive, false, 'kubelite up stopped its Prometheus');
  }
});

const promDir = () => join(c.dataDir, 'prometheus');
const phase = async (name: string) => (await c.kubectl(['get', 'ar', name, '-o', 'jsonpath={.status.phase}'])).stdout.trim();
const done = (name: string) => waitFor(async () => {
  const p = await phase(name);
  return ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(p) ? p : undefined;
}, { timeoutMs: 180_000, intervalMs: 500, message: `${name} completes` });

/** An AnalysisRun built from the template (as a Rollout would), created with kubectl. */
async function runFromTemplate(name: string, args: Record<string, string>): Promise<void> {
  const tpl = await kjson<AnalysisTemplate>(c, ['get', 'analysistemplate', 'exporter-metrics']);
  const run = newAnalysisRunFromTemplates({
    refs: [{ templateName: 'exporter-metrics' }], templates: [tpl], namespace: 'default', name,
    labels: { e2e: 'analysis-prometheus' }, args: Object.entries(args).map(([n, value]) => ({ name: n, value })),
  });
  delete run.metadata.namespace;
  await kubectlOk(c, ['create', '-f', '-'], { input: JSON.stringify(run) });
}

test('an address-less prometheus metric starts Prometheus on demand; real PromQL over an annotated pod decides the run', async () => {
  await kubectlOk(c, ['apply', '-f', '-'], {
    input: `apiVersion: v1
kind: Pod
metadata:
  name: exporter
  labels: {app: exporter, e2e: analysis-prometheus}
  annotations:
    prometheus.io/scrape: "true"
    prometheus.io/port: "9102"
    prometheus.io/path: /stats/metrics
spec:
  containers:
  - name: exporter
    image: kubelite/busybox
    command: ["sh", "-c"]
    args:
    - |
      mkdir -p /srv/stats
      printf '# TYPE my_metric gauge\\nmy_metric{shard="a"} 4\\nmy_metric{shard="b"} 3\\n' > /srv/stats/metrics
      exec httpd -f -p 9102 -h /srv
    ports: [{containerPort: 9102}]
    readinessProbe:
      httpGet: {path: /stats/metrics, port: 9102}
      periodSeconds: 1
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: exporter-metrics
  labels: {e2e: analysis-prometheus}
spec:
  args:
  - name: app
  - name: min
  metrics:
  - name: my-metric
    interval: 3s
    count: 2
    successCondition: result[0] >= {{args.min}}
    provider:
      prometheus:
        query: sum(my_metric{namespace="default", app="{{args.app}}"})
  - name: proxy-up
    successCondition: result[0] == 1
    provider:
      prometheus:
        query: sum(up{job="kubelite-proxy"})
`,
  });
  await kubectlOk(c, ['wait', '--for=condition=Ready', 'pod/exporter', '--timeout=90s'], { timeoutMs: 100_000 });
  assert.equal(existsSync(join(promDir(), 'prometheus.pid')), false, 'no Prometheus before a metric needs one');

  await runFromTemplate('exporter-ok', { app: 'exporter', min: '7' });
  assert.equal(await done('exporter-ok'), 'Successful', (await c.kubectl(['get', 'ar', 'exporter-ok', '-o', 'yaml'])).stdout);
  const values = await c.kubectl(['get', 'ar', 'exporter-ok', '-o',
    'jsonpath={.status.metricResults[0].name} {.status.metricResults[0].count} {.status.metricResults[0].measurements[*].value} {.status.metricResults[1].name} {.status.metricResults[1].measurements[0].value}']);
  assert.equal(values.stdout.trim(), 'my-metric 2 [7] [7] proxy-up [1]');
  const query = await c.kubectl(['get', 'ar', 'exporter-ok', '-o', 'jsonpath={.status.metricResults[0].metadata.ResolvedPrometheusQuery}']);
  assert.equal(query.stdout, 'sum(my_metric{namespace="default", app="exporter"})');

  // Debian's Prometheus, on loopback only, in the cluster's data dir.
  promPid = Number(readFileSync(join(promDir(), 'prometheus.pid'), 'utf8').trim());
  const argv = readFileSync(`/proc/${promPid}/cmdline`, 'utf8').split('\0');
  assert.equal(argv[0].endsWith('prometheus'), true, argv.join(' '));
  const listen = argv.find((a) => a.startsWith('--web.listen-address='))!.split('=')[1];
  assert.match(listen, /^127\.0\.0\.1:\d+$/);
  assert.ok(argv.includes(`--storage.tsdb.path=${join(promDir(), 'data')}`));
  const targets = await (await fetch(`http://${listen}/api/v1/targets?state=active`)).json() as any;
  const byJob = Object.fromEntries(targets.data.activeTargets.map((t: any) => [t.labels.job, t]));
  assert.equal(byJob['kubernetes-pods'].health, 'up');
  assert.match(byJob['kubernetes-pods'].scrapeUrl, /^http:\/\/10\.[\d.]+:9102\/stats\/metrics$/);
  assert.equal(byJob['kubernetes-pods'].labels.pod, 'exporter');
  assert.equal(byJob['kubelite-proxy'].health, 'up');
  const started = /prometheus: started on \S+ \(pid \d+, ready in (\d+) ms, every target scraped after (\d+) ms/.exec(c.output());
  assert.ok(started, c.output());
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${promPid}/status`, 'utf8'))?.[1];
  console.log(`# on-demand Prometheus: /-/ready after ${started[1]} ms, every target scraped after ${started[2]} ms, RSS ${Math.round(Number(rss) / 1024)} MiB`);

  // The same template with a bar the pod does not meet: Failed, with the value that failed it.
  await runFromTemplate('exporter-low', { app: 'exporter', min: '100' });
  assert.equal(await done('exporter-low'), 'Failed');
  const low = await c.kubectl(['get', 'ar', 'exporter-low', '-o', 'jsonpath={.status.metricResults[0].phase} {.status.metricResults[0].measurements[0].value}|{.status.message}']);
  assert.equal(low.stdout, 'Failed [7]|Metric "my-metric" assessed Failed due to failed (1) > failureLimit (0) (last measured value: [7])');
  assert.equal(Number(readFileSync(join(promDir(), 'prometheus.pid'), 'utf8').trim()), promPid, 'the running Prometheus is reused');
});

test('with --prometheus-address the user\'s Prometheus answers address-less metrics and kubelite starts none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-e2e-own-prom-'));
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {scrape_interval: 5s}\nscrape_configs: []\n');
  const own = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  const exited = new Promise((r) => own.once('exit', r));
  let c2: Cluster | undefined;
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok, { timeoutMs: 60_000, message: 'own Prometheus ready' });
    c2 = await startCluster({ args: ['--prometheus-address', `http://127.0.0.1:${port}`] });
    assert.match(c2.output(), new RegExp(`prometheus metrics without an address query http://127\\.0\\.0\\.1:${port}`));
    const r = await c2.kubectl(['create', '-f', '-'], {
      input: `apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata: {name: own-prom}
spec:
  metrics:
  - name: answer
    successCondition: result == 42
    provider:
      prometheus:
        query: scalar(vector(6) * 7)
`,
    });
    assert.equal(r.code, 0, r.stderr);
    const p = await waitFor(async () => {
      const x = (await c2!.kubectl(['get', 'ar', 'own-prom', '-o', 'jsonpath={.status.phase} {.status.metricResults[0].measurements[0].value}'])).stdout.trim();
      return /^(Successful|Failed|Error)/.test(x) ? x : undefined;
    }, { timeoutMs: 60_000, message: 'own-prom completes' });
    assert.equal(p, 'Successful 42');
    assert.equal(existsSync(join(c2.dataDir, 'prometheus')), false, 'no on-demand Prometheus');
  } finally {
    await c2?.stop();
    own.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
