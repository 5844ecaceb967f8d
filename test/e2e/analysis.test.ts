/**
 * AnalysisRuns measured by the analysis controller inside a real `kubelite up`, driven by the real kubectl:
 * a web metric against an HTTP endpoint on this machine (Successful, and a failing one), the built-in kubelite
 * provider wired to the (here idle) traffic router, and termination with `kubectl patch`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startCluster, waitFor, type Cluster } from './harness.ts';

let c: Cluster;
let http: Server;
let base: string;

before(async () => {
  http = createServer((req, res) => {
    if (req.url === '/healthz') { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify({ data: { ok: true, rate: 0.99 } })); return; }
    res.writeHead(503); res.end('down');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  c = await startCluster();
});
after(async () => { await c?.stop(); http?.close(); });

/** An AnalysisRun manifest as Argo's users write it; `spec` is the indented YAML under spec:. */
const analysisRun = (name: string, spec: string) => `apiVersion: argoproj.io/v1alpha1\nkind: AnalysisRun\nmetadata:\n  name: ${name}\nspec:${spec}`;
async function apply(...docs: string[]): Promise<void> {
  const r = await c.kubectl(['apply', '-f', '-'], { input: docs.join('\n---\n') });
  assert.equal(r.code, 0, r.stderr);
}
const phase = async (name: string) => (await c.kubectl(['get', 'ar', name, '-o', 'jsonpath={.status.phase}'])).stdout.trim();
const done = (name: string) => waitFor(async () => {
  const p = await phase(name);
  return ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(p) ? p : undefined;
}, { timeoutMs: 60_000, message: `${name} completes` });

test('an Argo AnalysisRun with a web metric is measured and Successful; kubectl shows it', async () => {
  await apply(analysisRun('web-check', `
  args:
  - name: base-url
    value: ${base}
  metrics:
  - name: healthz
    interval: 2s
    count: 2
    successCondition: result == true
    provider:
      web:
        url: "{{args.base-url}}/healthz"
        jsonPath: "{$.data.ok}"
`));
  assert.equal(await done('web-check'), 'Successful');
  const values = await c.kubectl(['get', 'ar', 'web-check', '-o', 'jsonpath={.status.metricResults[0].count} {.status.metricResults[0].measurements[*].value}']);
  assert.equal(values.stdout.trim(), '2 true true');
  const table = await c.kubectl(['get', 'ar', 'web-check', '--no-headers']);
  assert.match(table.stdout, /^web-check\s+Successful\s/);
  const events = await waitFor(async () => {
    const e = await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web-check', '-o', 'jsonpath={.items[*].reason}']);
    return e.stdout.includes('AnalysisRunSuccessful') ? e.stdout : undefined;
  }, { message: 'events' });
  assert.match(events, /MetricSuccessful/);
});

test('a failing endpoint errors the run with Argo\'s message; the built-in provider reports no traffic clearly', async () => {
  await apply(analysisRun('down', `
  metrics:
  - name: healthz
    consecutiveErrorLimit: 0
    provider:
      web:
        url: ${base}/down
`), analysisRun('idle-canary', `
  metrics:
  - name: success-rate
    consecutiveErrorLimit: 0
    successCondition: result[0] >= 0.95
    provider:
      kubelite:
        service: web
        backend: canary
        metric: success-rate
        window: 10s
`));
  assert.equal(await done('down'), 'Error');
  const msg = await c.kubectl(['get', 'ar', 'down', '-o', 'jsonpath={.status.message}']);
  assert.equal(msg.stdout, 'Metric "healthz" assessed Error due to consecutiveErrors (1) > consecutiveErrorLimit (0): "Error Message: received non 2xx response code: 503"');
  assert.equal(await done('idle-canary'), 'Error');
  const idle = await c.kubectl(['get', 'ar', 'idle-canary', '-o', 'jsonpath={.status.metricResults[0].measurements[0].message}']);
  assert.equal(idle.stdout, 'no requests to service default/web (canary) in the last 10s');
});

test('kubectl patch {"spec":{"terminate":true}} ends a background run: Successful, "Run Terminated"', async () => {
  await apply(analysisRun('background', `
  metrics:
  - name: healthz
    interval: 1h
    successCondition: result.data.rate >= 0.95
    provider:
      web:
        url: ${base}/healthz
`));
  await waitFor(async () => (await c.kubectl(['get', 'ar', 'background', '-o', 'jsonpath={.status.metricResults[0].successful}'])).stdout === '1' || undefined, { message: 'first measurement' });
  assert.equal(await phase('background'), 'Running');
  const p = await c.kubectl(['patch', 'ar', 'background', '--type', 'merge', '-p', '{"spec":{"terminate":true}}']);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(await done('background'), 'Successful');
  const msg = await c.kubectl(['get', 'ar', 'background', '-o', 'jsonpath={.status.message}']);
  assert.equal(msg.stdout, 'Run Terminated');
});
