/**
 * A Rollout's board in a real headless browser: the canary steps and weight, stable/canary faders, Promote from
 * the board (confirmed), each analysis measurement as it arrives, and Abort — against `kubelite up --no-node` with
 * the test-only sim node (pods turn Ready through the API; the rollout and analysis controllers are the real
 * ones). The analysis measures a small web endpoint this test serves.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { startSimNode, type SimNode } from './sim-node.ts';
import { kjson, kubectlOk } from './node-helpers.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';

let c: Cluster;
let node: SimNode;
let b: TestBrowser;
let page: Page;
let metric: http.Server;
let served = 0;
const shotsDir = process.env.KUBELITE_SCREENSHOTS_DIR;

before(async () => {
  metric = http.createServer((_req, res) => { served++; res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{"ok":1}'); });
  await new Promise<void>((r) => metric.listen(0, '127.0.0.1', r));
  b = await launchBrowser();
  c = await startCluster();
  node = await startSimNode({ client: c.client });
});
after(async () => {
  await b?.close();
  await node?.stop();
  await c?.stop();
  metric?.close();
});

const manifests = (port: number) => `
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: up}
spec:
  metrics:
  - name: up
    interval: 2s
    count: 3
    successCondition: result.ok == 1
    provider:
      web: {url: "http://127.0.0.1:${port}/", jsonPath: "{$}"}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1"}]}
  strategy:
    canary:
      steps:
      - setWeight: 25
      - pause: {}
      - analysis: {templates: [{templateName: up}]}
`;

const boardSel = '[data-board="rollout/web"]';
const steps = () => page.locator(`${boardSel} .steps li`).allInnerTexts();
const currentStep = () => page.locator(`${boardSel} .steps li[aria-current="step"]`).innerText().catch(() => '');
const setImage = (image: string) => kubectlOk(c, ['patch', 'rollout', 'web', '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'web', image }] } } } })]);

async function confirm(label: string): Promise<void> {
  await page.locator(boardSel).getByRole('button', { name: label, exact: true }).click();
  await page.locator('dialog.confirm').getByRole('button', { name: 'Confirm' }).click();
}

test('a canary on its board: steps, weight and tags; Promote; the analysis measurements as they arrive', async () => {
  page = await b.newPage();
  const token = /token: (\S+)/.exec(readFileSync(c.kubeconfig, 'utf8'))![1];
  await page.goto(`${c.server}/dashboard/#token=${encodeURIComponent(token)}`);
  await kubectlOk(c, ['apply', '-f', '-'], { input: manifests((metric.address() as { port: number }).port) });
  await page.locator(boardSel).waitFor({ timeout: 60_000 });
  assert.deepEqual(await steps(), ['setWeight 25%', 'pause (until promoted)', 'analysis up']);
  await waitFor(async () => /Healthy/.test(await page.locator(`${boardSel} .status`).innerText()), { timeoutMs: 60_000, message: 'Healthy' });

  await setImage('nginx:2');
  await waitFor(async () => (await currentStep()) === 'pause (until promoted)', { timeoutMs: 60_000, message: 'paused at step 2' });
  const words = await page.locator(`${boardSel} [data-words] li`).allInnerTexts();
  assert.equal(words[0], 'step 2 of 3 (pause (until promoted)), canary weight 25%');
  assert.equal(words[1], '5 pods allowed (4 + 1 surge), 3 must stay available (4 − 1 unavailable)');
  const tags = await page.locator(`${boardSel} [data-fader] .badge.tag`).allInnerTexts();
  assert.deepEqual(tags.sort(), ['canary', 'stable']);
  if (shotsDir) { mkdirSync(shotsDir, { recursive: true }); await page.screenshot({ path: join(shotsDir, 'rollout-paused-light.png') }); }

  await confirm('Promote');
  await page.locator('[data-outcome]', { hasText: 'Promoted rollout web' }).waitFor();
  // The analysis step: the run and each measurement appear as the controller records them.
  const run = page.locator(`${boardSel} [data-analysisrun]`).first();
  await run.waitFor({ timeout: 60_000 });
  await waitFor(async () => (await run.locator('[data-measurement]').count()) >= 2, { timeoutMs: 60_000, message: 'two measurements on the board' });
  assert.ok(served >= 2);
  assert.deepEqual([...new Set(await run.locator('[data-measurement]').allInnerTexts())], ['{"ok":1}'], 'each measurement shows its value');
  if (shotsDir) await page.screenshot({ path: join(shotsDir, 'rollout-analysis-light.png') });
  await waitFor(async () => /Healthy/.test(await page.locator(`${boardSel} .status`).innerText()), { timeoutMs: 60_000, message: 'Healthy after the analysis' });
  assert.equal((await kjson(c, ['get', 'rollout', 'web'])).status.phase, 'Healthy');
  assert.match(await run.innerText(), /Successful/);
});

test('Abort from the board: back to the stable version, and the actions are events', async () => {
  await setImage('nginx:3');
  await waitFor(async () => (await currentStep()) === 'pause (until promoted)', { timeoutMs: 60_000, message: 'paused again' });
  await confirm('Abort');
  await page.locator('[data-outcome]', { hasText: 'Aborted rollout web' }).waitFor();
  const ro = await waitFor(async () => { const r = await kjson(c, ['get', 'rollout', 'web']); return r.status?.abort && r.status?.phase === 'Degraded' ? r : undefined; }, { timeoutMs: 60_000, message: 'aborted' });
  assert.equal(ro.status.abort, true);
  await waitFor(async () => /aborted/.test(await page.locator(boardSel).innerText()), { timeoutMs: 30_000, message: 'the board says aborted' });
  const events = await kjson(c, ['get', 'events', '--field-selector', 'involvedObject.name=web,involvedObject.kind=Rollout']);
  const reasons = new Set(events.items.filter((e: any) => e.source?.component === 'kubelite-dashboard').map((e: any) => e.reason));
  assert.ok(reasons.has('Promoted') && reasons.has('Aborted'), [...reasons].join(', '));
});
