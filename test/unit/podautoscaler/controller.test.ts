/**
 * The HPA controller against a real API server (in-process, SQLite; no node, no containers): real informers and
 * client, scale subresources of Deployments and Rollouts, status written through the HPA's status subresource,
 * events created. PodMetrics come from a scripted metrics client (the metrics.k8s.io pipeline is covered by
 * test/unit/metrics and the e2e tests); time is a FakeClock, so stabilization windows pass on demand.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControllerAgainstApiServer, type ControllerHarness } from '../controller-harness.ts';
import { KubeClient } from '../../../src/client/client.ts';
import { R } from '../../../src/client/resources.ts';
import { FakeClock, rfc3339 } from '../../../src/util/clock.ts';
import { parseSelector, selectorMatches } from '../../../src/api/labels.ts';
import { HorizontalController } from '../../../src/controllers/podautoscaler/controller.ts';
import type { PodMetricsItem } from '../../../src/controllers/podautoscaler/metrics-client.ts';

let harness: ControllerHarness, client: KubeClient, controller: HorizontalController;
const clock = new FakeClock(Date.parse('2026-05-01T10:00:00Z'));
/** Per pod name: CPU usage in millicores (pods without an entry have no metrics). */
const usage = new Map<string, number>();
const metricsClient = {
  async listPodMetrics(ns: string, selector: string): Promise<PodMetricsItem[]> {
    const sel = parseSelector(selector);
    const pods = (await client.list<any>(R.pods, ns)).items.filter((p) => selectorMatches(sel, p.metadata.labels ?? {}));
    return pods.filter((p) => usage.has(p.metadata.name)).map((p) => ({
      metadata: { name: p.metadata.name, namespace: ns }, timestamp: rfc3339(clock.now()), window: '15s',
      containers: [{ name: 'app', usage: { cpu: `${usage.get(p.metadata.name)}m`, memory: '10Mi' } }],
    }));
  },
};

before(async () => {
  controller = new HorizontalController({ syncPeriodMs: 15_000, metricsClient });
  harness = await startControllerAgainstApiServer('kubelite-hpa-', controller, clock);
  client = harness.client;
});

after(async () => {
  await harness?.stop();
});

async function until<T>(what: string, f: () => Promise<T | undefined | false>, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const HPAS = R.horizontalpodautoscalers;
const getHpa = (name: string) => client.get<any>(HPAS, 'default', name);
const condition = (h: any, type: string) => h.status?.conditions?.find((c: any) => c.type === type);
const events = async (name: string) => (await client.list<any>(R.events, 'default')).items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === 'HorizontalPodAutoscaler');

async function deployment(name: string, replicas: number) {
  await client.create(R.deployments, 'default', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } } },
  });
}

/** A Running, Ready pod of `app` that started 10 minutes ago (past the CPU initialization period). */
async function readyPod(app: string, name: string) {
  await client.create(R.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } }, spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } });
  const long = rfc3339(clock.now() - 10 * 60_000);
  await client.request('PATCH', `/api/v1/namespaces/default/pods/${name}/status`, { status: { phase: 'Running', startTime: long, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: long }] } }, 'application/merge-patch+json');
}

function hpa(name: string, target: { apiVersion: string; kind: string; name: string }, extra: Record<string, unknown> = {}) {
  return client.create(HPAS, 'default', {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name },
    spec: { scaleTargetRef: target, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }], ...extra },
  });
}

test('scale up: 300% of request against a 50% target asks for 6, limited to 4 (the classic limit), with upstream\'s conditions and event', async () => {
  await deployment('up', 1);
  await readyPod('up', 'up-0');
  usage.set('up-0', 300);
  await hpa('up', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'up' });
  const d = await until('deployment scaled', async () => { const x = await client.get<any>(R.deployments, 'default', 'up'); return x.spec.replicas === 4 && x; });
  assert.equal(d.spec.replicas, 4);
  const h = await until('status written', async () => { const x = await getHpa('up'); return x.status?.desiredReplicas === 4 && x; });
  assert.equal(h.status.currentReplicas, 1);
  assert.deepEqual(h.status.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 300, averageValue: '300m' } } }]);
  assert.ok(h.status.lastScaleTime);
  assert.deepEqual([condition(h, 'AbleToScale').status, condition(h, 'AbleToScale').reason], ['True', 'SucceededRescale']);
  assert.equal(condition(h, 'AbleToScale').message, 'the HPA controller was able to update the target scale to 4');
  assert.deepEqual([condition(h, 'ScalingActive').status, condition(h, 'ScalingActive').reason], ['True', 'ValidMetricFound']);
  assert.equal(condition(h, 'ScalingActive').message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
  assert.deepEqual([condition(h, 'ScalingLimited').status, condition(h, 'ScalingLimited').reason, condition(h, 'ScalingLimited').message],
    ['True', 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']);
  const ev = await until('event', async () => (await events('up')).find((e) => e.reason === 'SuccessfulRescale'));
  assert.equal(ev.message, 'New size: 4; reason: cpu resource utilization (percentage of request) above target');
  assert.equal(ev.source.component, 'horizontal-pod-autoscaler');
});

test('scale down waits out behavior.scaleDown.stabilizationWindowSeconds, then goes to what the metrics ask', async () => {
  await deployment('down', 4);
  for (let i = 0; i < 4; i++) { await readyPod('down', `down-${i}`); usage.set(`down-${i}`, 50); }
  await hpa('down', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'down' }, { behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } });
  const first = await until('first sync', async () => { const x = await getHpa('down'); return x.status?.currentReplicas === 4 && x; });
  assert.equal(condition(first, 'AbleToScale').reason, 'ReadyForNewScale', '50% of request = target: within tolerance');
  for (let i = 0; i < 4; i++) usage.set(`down-${i}`, 10);
  clock.advance(15_000); // next sync: 10% → 1 replica recommended, but 4 was recommended within the window
  const held = await until('stabilized', async () => { const x = await getHpa('down'); return condition(x, 'AbleToScale')?.reason === 'ScaleDownStabilized' && x; });
  assert.equal(held.status.desiredReplicas, 4);
  assert.equal(condition(held, 'AbleToScale').message, 'recent recommendations were higher than current one, applying the highest recent recommendation');
  assert.equal((await client.get<any>(R.deployments, 'default', 'down')).spec.replicas, 4);
  clock.advance(15_000);
  clock.advance(15_000); // past the 30 s window
  const d = await until('scaled down', async () => { const x = await client.get<any>(R.deployments, 'default', 'down'); return x.spec.replicas === 1 && x; });
  assert.equal(d.spec.replicas, 1);
  const ev = await until('event', async () => (await events('down')).find((e) => e.reason === 'SuccessfulRescale'));
  assert.equal(ev.message, 'New size: 1; reason: All metrics below target');
});

test('a target without a scale subresource, an unknown kind and a missing object: AbleToScale=False FailedGetScale, the controller keeps going', async () => {
  await client.create(R.configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } });
  await hpa('noscale', { apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg' });
  await hpa('nokind', { apiVersion: 'apps/v1', kind: 'Nope', name: 'x' });
  await hpa('ghost', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ghost' });
  const cases: [string, string][] = [
    ['noscale', 'could not find scale subresource for /v1, Resource=configmaps in discovery information'],
    ['nokind', 'no matches for kind "Nope" in group "apps"'],
    ['ghost', 'deployments.apps "ghost" not found'],
  ];
  for (const [name, err] of cases) {
    const h = await until(`${name} condition`, async () => { const x = await getHpa(name); return condition(x, 'AbleToScale') && x; });
    assert.deepEqual({ ...condition(h, 'AbleToScale'), lastTransitionTime: undefined }, {
      type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', lastTransitionTime: undefined,
      message: `the HPA controller was unable to get the target's current scale: ${err}`,
    });
    const ev = await until(`${name} event`, async () => (await events(name)).find((e) => e.reason === 'FailedGetScale'));
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, err);
  }
  // ... and it keeps serving the others: the deployment appears, and the next sync scales it.
  await deployment('ghost', 1);
  await readyPod('ghost', 'ghost-0');
  usage.set('ghost-0', 100);
  clock.advance(15_000);
  await until('ghost scaled', async () => (await client.get<any>(R.deployments, 'default', 'ghost')).spec.replicas === 2);
});

test('no metrics: ScalingActive=False FailedGetResourceMetric and a FailedComputeMetricsReplicas event; nothing is scaled', async () => {
  await deployment('blind', 2);
  await readyPod('blind', 'blind-0');
  await hpa('blind', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'blind' });
  const h = await until('condition', async () => { const x = await getHpa('blind'); return condition(x, 'ScalingActive') && x; });
  assert.deepEqual([condition(h, 'ScalingActive').status, condition(h, 'ScalingActive').reason], ['False', 'FailedGetResourceMetric']);
  assert.equal(condition(h, 'ScalingActive').message, 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  const ev = await until('event', async () => (await events('blind')).find((e) => e.reason === 'FailedComputeMetricsReplicas'));
  assert.equal(ev.message, 'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  assert.equal((await client.get<any>(R.deployments, 'default', 'blind')).spec.replicas, 2);
  assert.equal(h.status.currentReplicas, 2);
});

test('a Rollout is scaled through its scale subresource (.spec.replicas, .status.HPAReplicas, .status.selector)', async () => {
  const ROLLOUTS = R.rollouts;
  await client.create(ROLLOUTS, 'default', {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'ro' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'ro' } }, template: { metadata: { labels: { app: 'ro' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } }, strategy: { canary: { steps: [{ setWeight: 50 }] } } },
  });
  await client.request('PATCH', '/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/ro/status', { status: { HPAReplicas: 2, selector: 'app=ro' } }, 'application/merge-patch+json');
  const scale = await client.request<any>('GET', '/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/ro/scale');
  assert.deepEqual([scale.spec.replicas, scale.status.replicas, scale.status.selector], [2, 2, 'app=ro']);
  for (const n of ['ro-0', 'ro-1']) { await readyPod('ro', n); usage.set(n, 150); }
  await hpa('ro', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'ro' });
  const r = await until('rollout scaled', async () => { const x = await client.get<any>(ROLLOUTS, 'default', 'ro'); return x.spec.replicas === 4 && x; });
  assert.equal(r.spec.replicas, 4, '150% of request against 50% asks 2 × 3 = 6; the classic limit max(2 × 2, 4) gives 4');
});

test('the autoscaling/v1 view of the same object: targetCPUUtilizationPercentage and currentCPUUtilizationPercentage', async () => {
  const v1 = await client.request<any>('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/up');
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 50);
  assert.equal(v1.status.currentCPUUtilizationPercentage, 300);
  assert.ok(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/conditions']).some((c: any) => c.type === 'AbleToScale'));
  const created = await client.request<any>('POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', {
    apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'viav1' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'up' }, maxReplicas: 5 },
  });
  assert.equal(created.spec.targetCPUUtilizationPercentage, 80, 'no target: the 80% default');
  assert.equal(created.spec.minReplicas, 1);
  const v2 = await getHpa('viav1');
  assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  await assert.rejects(client.request('POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', {
    apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bad' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'up' }, minReplicas: 3, maxReplicas: 2, targetCPUUtilizationPercentage: 0 },
  }), (e: any) => e.code === 422 && /spec\.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`/.test(e.message) && /averageUtilization: Invalid value: 0: must be greater than 0/.test(e.message));
});
