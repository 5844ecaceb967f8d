/**
 * Horizontal pod autoscaling with real containers and the real kubectl: a Deployment whose pods burn CPU (100m
 * limit against a 50m request: 200% of request) is autoscaled by `kubectl autoscale ... --cpu-percent=50` from 1
 * pod up to its maximum, `kubectl get hpa -w` shows TARGETS like "cpu: 200%/50%"; after the load stops (a file
 * each pod checks) it goes back to 1 within its behavior.scaleDown.stabilizationWindowSeconds. Bad input: an HPA
 * whose target has no scale subresource gets AbleToScale=False FailedGetScale while the controller keeps
 * scaling the others; an invalid HPA is a 422 listing every field error.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, isReady, kjson, kubectlOk, pods, reapLeftovers } from './node-helpers.ts';
import { burnDeployment } from './metrics-helpers.ts';

let c: Cluster;
before(async () => { c = await startCluster({ node: true, env: { KUBELITE_METRIC_RESOLUTION: '5s', KUBELITE_HPA_SYNC_PERIOD: '5s' } }); });
after(async () => {
  if (c) {
    await cleanup(c, ['hpa --all', 'deployment burn', 'deployment web', 'configmap settings']).catch(() => {});
    await c.stop();
  }
  await reapLeftovers();
});

/** `kubectl get hpa -w` running in the background, its output collected. */
function watchHpa(): { proc: ChildProcess; out: () => string; stop: () => void } {
  const cache = mkdtempSync(join(tmpdir(), 'kubelite-kubectl-watch-'));
  const proc = spawn('kubectl', ['--cache-dir', cache, 'get', 'hpa', '-w'], { env: { ...process.env, KUBECONFIG: c.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  proc.stdout!.on('data', (d) => { text += d; });
  proc.stderr!.on('data', (d) => { text += d; });
  return { proc, out: () => text, stop: () => { proc.kill('SIGKILL'); rmSync(cache, { recursive: true, force: true }); } };
}

const hpaEvents = async (name: string) => (await kjson<{ items: any[] }>(c, ['get', 'events', '--field-selector', `involvedObject.name=${name},involvedObject.kind=HorizontalPodAutoscaler`])).items;

test('kubectl autoscale: minReplicas is enforced and kubectl get hpa prints upstream\'s columns', async () => {
  const web = JSON.parse(burnDeployment('web'));
  web.spec.template.spec.containers[0].command = ['sleep', '100000'];
  await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify(web) });
  assert.match(await kubectlOk(c, ['autoscale', 'deployment', 'web', '--min=2', '--max=10', '--cpu-percent=50']), /horizontalpodautoscaler\.autoscaling\/web autoscaled/);
  const table = await kubectlOk(c, ['get', 'hpa', 'web']);
  const [head, row] = table.trim().split('\n');
  assert.match(head, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
  assert.match(row, /^web\s+Deployment\/web\s+cpu: (<unknown>|\d+%)\/50%\s+2\s+10\s+\d+\s+\d+s$/);
  // Below minReplicas: the controller brings it to 2.
  await waitFor(async () => (await kjson(c, ['get', 'deployment', 'web'])).spec.replicas === 2, { timeoutMs: 60_000, intervalMs: 1000, message: 'web scaled to minReplicas' });
  const ev = await waitFor(async () => (await hpaEvents('web')).find((e) => e.reason === 'SuccessfulRescale'), { timeoutMs: 30_000, intervalMs: 1000, message: 'rescale event' });
  assert.equal(ev.message, 'New size: 2; reason: Current number of replicas below Spec.MinReplicas');
  // The v1 object kubectl created reads back in both versions.
  const v1 = await kjson(c, ['get', 'horizontalpodautoscalers.v1.autoscaling', 'web']);
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 50);
  const v2 = await kjson(c, ['get', 'horizontalpodautoscalers.v2.autoscaling', 'web']);
  assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  await kubectlOk(c, ['delete', 'hpa', 'web']);
  await kubectlOk(c, ['scale', 'deployment', 'web', '--replicas=0']);
});

test('a CPU-burning Deployment is autoscaled from 1 up, and back down within the stabilization window after the load stops', async (t) => {
  await kubectlOk(c, ['apply', '-f', '-'], { input: burnDeployment('burn') });
  await waitFor(async () => { const ps = await pods(c, 'app=burn'); return ps.length === 1 && isReady(ps[0]); }, { timeoutMs: 120_000, intervalMs: 500, message: 'one burn pod ready' });
  await kubectlOk(c, ['autoscale', 'deployment', 'burn', '--min=1', '--max=3', '--cpu-percent=50']);
  // A short scale-down stabilization window, through the HPA's own behavior field (the v2 object).
  await kubectlOk(c, ['patch', 'hpa', 'burn', '--type=merge', '-p', '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":20}}}}']);
  const w = watchHpa();
  const autoscaledAt = Date.now();
  try {
    // 200% of request against 50%: up to the maximum, 3.
    await waitFor(async () => (await kjson(c, ['get', 'deployment', 'burn'])).spec.replicas === 3, { timeoutMs: 180_000, intervalMs: 1000, message: 'burn scaled to 3' });
    t.diagnostic(`scaled 1 -> 3 ${((Date.now() - autoscaledAt) / 1000).toFixed(0)} s after kubectl autoscale`);
    const up = (await hpaEvents('burn')).filter((e) => e.reason === 'SuccessfulRescale');
    assert.ok(up.length >= 1);
    for (const e of up) assert.match(e.message, /^New size: [23]; reason: cpu resource utilization \(percentage of request\) above target$/);
    await waitFor(async () => /burn\s+Deployment\/burn\s+cpu: \d{3}%\/50%\s+1\s+3\s+\d/.test(w.out()), { timeoutMs: 60_000, intervalMs: 500, message: `kubectl get hpa -w shows the utilization:\n${w.out()}` });
    assert.match(w.out(), /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/m);
  } finally { w.stop(); }

  const hpa = await kjson(c, ['get', 'hpa', 'burn']);
  assert.deepEqual(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds, 20);
  const able = hpa.status.conditions.find((x: any) => x.type === 'AbleToScale');
  assert.equal(able.status, 'True');
  const active = hpa.status.conditions.find((x: any) => x.type === 'ScalingActive');
  assert.deepEqual([active.status, active.reason], ['True', 'ValidMetricFound']);

  // Stop the load in every pod (all three are running and burning).
  const burning = await waitFor(async () => { const ps = await pods(c, 'app=burn'); return ps.length === 3 && ps.every(isReady) ? ps : undefined; }, { timeoutMs: 120_000, intervalMs: 500, message: '3 burn pods ready' });
  for (const p of burning) await kubectlOk(c, ['exec', p.metadata!.name!, '--', 'touch', '/tmp/stop']);
  const stoppedAt = Date.now();
  await waitFor(async () => (await kjson(c, ['get', 'deployment', 'burn'])).spec.replicas === 1, { timeoutMs: 150_000, intervalMs: 1000, message: 'burn scaled back to 1' });
  const tookS = (Date.now() - stoppedAt) / 1000;
  t.diagnostic(`scaled 3 -> 1 ${tookS.toFixed(0)} s after the load stopped (stabilization window 20 s)`);
  // 20 s window + a metric window of the idle pods (≤ 2 scrapes of 5 s) + a sync period, with slack for a loaded machine.
  assert.ok(tookS < 90, `scaled down ${tookS.toFixed(0)} s after the load stopped`);
  const down = (await hpaEvents('burn')).find((e) => e.reason === 'SuccessfulRescale' && /New size: 1;/.test(e.message));
  assert.equal(down?.message, 'New size: 1; reason: All metrics below target');
});

test('bad input: a target without a scale subresource is a condition, an invalid HPA a 422 with every field error; the controller keeps running', async () => {
  await kubectlOk(c, ['create', 'configmap', 'settings']);
  await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'noscale' },
    spec: { scaleTargetRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings' }, maxReplicas: 3 },
  }) });
  const h = await waitFor(async () => { const x = await kjson(c, ['get', 'hpa', 'noscale']); return x.status?.conditions?.length ? x : undefined; }, { timeoutMs: 60_000, intervalMs: 1000, message: 'noscale condition' });
  const able = h.status.conditions.find((x: any) => x.type === 'AbleToScale');
  assert.deepEqual([able.status, able.reason, able.message], ['False', 'FailedGetScale',
    "the HPA controller was unable to get the target's current scale: could not find scale subresource for /v1, Resource=configmaps in discovery information"]);
  const described = await kubectlOk(c, ['describe', 'hpa', 'noscale']);
  assert.match(described, /AbleToScale\s+False\s+FailedGetScale/);
  assert.match(described, /Warning\s+FailedGetScale/);

  const bad = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bad' },
    spec: { scaleTargetRef: { kind: '', name: 'web' }, minReplicas: 0, maxReplicas: 0, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }] },
  }) });
  assert.notEqual(bad.code, 0);
  for (const m of ['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1', 'spec.maxReplicas: Invalid value: 0: must be greater than 0',
    'spec.scaleTargetRef.kind: Required value', 'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0']) {
    assert.ok(bad.stderr.includes(m), `${m} in: ${bad.stderr}`);
  }
  assert.match(bad.stderr, /The HorizontalPodAutoscaler "bad" is invalid/);
  // The controller still serves HPAs: a new one on the burn Deployment gets a status.
  await kubectlOk(c, ['delete', 'hpa', 'noscale']);
  assert.match(c.output(), /kubelite: ready/);
  const ok = await kjson(c, ['get', 'hpa', 'burn']);
  assert.equal(ok.status.conditions.find((x: any) => x.type === 'AbleToScale').status, 'True');
});
