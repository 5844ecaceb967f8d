// PodDisruptionBudgets and the pods eviction subresource against a real API server (in-process, SQLite in a temp
// dir; no containers): validation with every field error, the status the disruption controller writes (real
// informers and client), and the eviction rules — 429 with upstream's words, multiple budgets, unhealthy pods,
// pending pods, dry runs, and an atomic spend under concurrent evictions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../../src/client/client.ts';
import { SharedInformers } from '../../../src/client/factory.ts';
import { R } from '../../../src/client/resources.ts';
import { StatusError } from '../../../src/api/errors.ts';
import { DisruptionController } from '../../../src/controllers/disruption/controller.ts';
import { realClock } from '../../../src/util/clock.ts';
import { startTestApiServer, statusError, type TestApiServer } from './inprocess.ts';

let t: TestApiServer, client: KubeClient;
const NS = 'default';

before(async () => {
  t = await startTestApiServer('eviction');
  client = t.client;
});
after(async () => { await t?.stop(); });

/** A pod bound to a node, Running and Ready (or not), as a node agent would report it. */
async function runningPod(name: string, labels: Record<string, string>, ready = true): Promise<any> {
  await client.create(R.pods, NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } });
  const p = await client.get(R.pods, NS, name);
  p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }] };
  return client.update(R.pods, NS, p, 'status');
}
async function budget(name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): Promise<any> {
  let b = await client.create(R.poddisruptionbudgets, NS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec });
  if (status) b = await client.update(R.poddisruptionbudgets, NS, { ...b, status: { observedGeneration: b.metadata.generation, ...status } }, 'status');
  return b;
}
const evict = (name: string, extra: Record<string, unknown> = {}) =>
  client.create(R.pods, NS, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS }, ...extra }, {}, 'eviction', name);
/** A request as a client sends it, answered with the HTTP code, headers and parsed body. */
async function raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ code: number; headers: Record<string, unknown>; body: any }> {
  const r = await t.raw(method, path, body === undefined ? undefined : JSON.stringify(body), headers);
  return { code: r.code, headers: r.headers, body: JSON.parse(r.text) };
}
const gone = async (name: string) => (await statusError(client.get(R.pods, NS, name))).code === 404;

test('a PodDisruptionBudget with both minAvailable and maxUnavailable is 422 with every field error, in upstream words', async () => {
  const e = await statusError(client.create(R.poddisruptionbudgets, NS, {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'both' },
    spec: { minAvailable: '150%', maxUnavailable: -1, selector: { matchLabels: { app: 'x' } }, unhealthyPodEvictionPolicy: 'Sometimes' },
  }));
  assert.equal(e.code, 422);
  assert.equal(e.reason, 'Invalid');
  assert.deepEqual(e.details!.causes!.map((c) => [c.field, c.reason]), [
    ['spec', 'FieldValueInvalid'],
    ['spec.minAvailable', 'FieldValueInvalid'],
    ['spec.maxUnavailable', 'FieldValueInvalid'],
    ['spec.unhealthyPodEvictionPolicy', 'FieldValueNotSupported'],
  ]);
  assert.match(e.message, /^PodDisruptionBudget\.policy "both" is invalid: \[spec: Invalid value: policy\.PodDisruptionBudgetSpec\{MinAvailable:\(\*intstr\.IntOrString\)\(0x[0-9a-f]+\), Selector:\(\*v1\.LabelSelector\)\(0x[0-9a-f]+\), MaxUnavailable:\(\*intstr\.IntOrString\)\(0x[0-9a-f]+\), UnhealthyPodEvictionPolicy:\(\*policy\.UnhealthyPodEvictionPolicyType\)\(0x[0-9a-f]+\)\}: minAvailable and maxUnavailable cannot be both set, /);
  assert.ok(e.message.includes('spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%'), e.message);
  assert.ok(e.message.includes('spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0'), e.message);
  assert.ok(e.message.includes('spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"'), e.message);
  const bad = await statusError(client.create(R.poddisruptionbudgets, NS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pct' }, spec: { minAvailable: 'half' } }));
  assert.equal(bad.details!.causes![0].message, "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"half\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
});

test('a new budget starts with a zero status and generation 1; a spec change bumps the generation, status writes do not', async () => {
  const b = await budget('fresh', { minAvailable: 2, selector: { matchLabels: { app: 'fresh' } } });
  assert.deepEqual(b.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  assert.equal(b.metadata.generation, 1);
  const s = await client.update(R.poddisruptionbudgets, NS, { ...b, spec: { minAvailable: 5 }, status: { ...b.status, currentHealthy: 3, observedGeneration: 1 } }, 'status');
  assert.equal(s.spec.minAvailable, 2, 'a status write leaves the spec');
  assert.equal(s.status.currentHealthy, 3);
  assert.equal(s.metadata.generation, 1);
  const u = await client.update(R.poddisruptionbudgets, NS, { ...s, spec: { ...s.spec, minAvailable: 3 }, status: {} });
  assert.equal(u.metadata.generation, 2);
  assert.equal(u.status.currentHealthy, 3, 'a spec write leaves the status');
  const neg = await statusError(client.update(R.poddisruptionbudgets, NS, { ...u, status: { ...u.status, disruptionsAllowed: -1, conditions: [{ type: 'DisruptionAllowed', status: 'Maybe', reason: '', message: '' }] } }, 'status'));
  assert.equal(neg.code, 422);
  assert.deepEqual(neg.details!.causes!.map((c) => c.field), ['status.conditions[0].status', 'status.conditions[0].lastTransitionTime', 'status.conditions[0].reason', 'status.disruptionsAllowed']);
  const t = await client.request<any>('GET', `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets`, undefined);
  assert.ok(t.items.some((x: any) => x.metadata.name === 'fresh'));
});

test('the table has upstream\'s columns: NAME, MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS, AGE', async () => {
  await budget('tab', { maxUnavailable: '25%', selector: { matchLabels: { app: 'tab' } } }, { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 });
  const r = await raw('GET', `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/tab`, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.deepEqual(r.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
  assert.deepEqual(r.body.rows[0].cells.slice(0, 4), ['tab', 'N/A', '25%', 1]);
});

test('evicting a pod no budget covers deletes it (201 Success); a pending pod is deleted without consulting budgets', async () => {
  await runningPod('free', { app: 'free' });
  const r = await evict('free');
  assert.deepEqual(r, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  const p = await client.get(R.pods, NS, 'free');
  assert.ok(p.metadata.deletionTimestamp, 'a bound pod terminates gracefully');
  const dt = p.status.conditions.find((c: any) => c.type === 'DisruptionTarget');
  assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);

  await budget('strict', { minAvailable: '100%', selector: { matchLabels: { app: 'pending' } } }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 });
  await client.create(R.pods, NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending', labels: { app: 'pending' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await evict('pending');
  assert.ok(await gone('pending'));
});

test('no disruption left: 429 TooManyRequests with upstream\'s message and a DisruptionBudget cause; the pod stays', async () => {
  await runningPod('guarded-0', { app: 'guarded' });
  await budget('guarded', { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 });
  const e = await statusError(evict('guarded-0'));
  assert.equal(e.code, 429);
  assert.equal(e.reason, 'TooManyRequests');
  assert.equal(e.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.deepEqual(e.details, { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guarded needs 1 healthy pods and has 1 currently' }] });
  const p = await client.get(R.pods, NS, 'guarded-0');
  assert.equal(p.metadata.deletionTimestamp, undefined);
  assert.equal(p.status.conditions.some((c: any) => c.type === 'DisruptionTarget'), false);
});

test('a budget whose status is behind its spec: 429 with retryAfterSeconds 10 and a Retry-After header', async () => {
  await runningPod('behind-0', { app: 'behind' });
  const b = await budget('behind', { maxUnavailable: 1, selector: { matchLabels: { app: 'behind' } } }, { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 });
  await client.update(R.poddisruptionbudgets, NS, { ...(await client.get(R.poddisruptionbudgets, NS, 'behind')), spec: { ...b.spec, maxUnavailable: 2 } });
  const res = await raw('POST', `/api/v1/namespaces/${NS}/pods/behind-0/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'behind-0' } });
  assert.equal(res.code, 429);
  assert.equal(res.headers['retry-after'], '10');
  assert.equal(res.body.details.retryAfterSeconds, 10);
  assert.equal(res.body.details.causes[0].message, 'The disruption budget behind is still being processed by the server.');
});

test('a disruption is spent atomically: decremented, the pod recorded in disruptedPods, the condition turned False', async () => {
  for (let i = 0; i < 3; i++) await runningPod(`spend-${i}`, { app: 'spend' });
  await budget('spend', { minAvailable: 2, selector: { matchLabels: { app: 'spend' } } }, {
    disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3,
    conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 }],
  });
  await evict('spend-0');
  const b = await client.get(R.poddisruptionbudgets, NS, 'spend');
  assert.equal(b.status.disruptionsAllowed, 0);
  assert.deepEqual(Object.keys(b.status.disruptedPods), ['spend-0']);
  const c = b.status.conditions.find((x: any) => x.type === 'DisruptionAllowed');
  assert.deepEqual([c.status, c.reason], ['False', 'InsufficientPods']);
  assert.ok(b.metadata.managedFields.some((m: any) => m.manager === 'kube-apiserver' && m.subresource === 'status'), 'written as the API server');
  assert.equal((await statusError(evict('spend-1'))).code, 429);
});

test('concurrent evictions never spend more disruptions than allowed (resourceVersion-checked, retried on conflict)', async () => {
  for (let i = 0; i < 6; i++) await runningPod(`race-${i}`, { app: 'race' });
  await budget('race', { maxUnavailable: 2, selector: { matchLabels: { app: 'race' } } }, { disruptionsAllowed: 2, currentHealthy: 6, desiredHealthy: 4, expectedPods: 6 });
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => evict(`race-${i}`)));
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter((r) => r.status === 'rejected' && (r.reason as StatusError).code === 429).length;
  assert.deepEqual([ok, refused], [2, 4]);
  const b = await client.get(R.poddisruptionbudgets, NS, 'race');
  assert.equal(b.status.disruptionsAllowed, 0);
  assert.equal(Object.keys(b.status.disruptedPods).length, 2);
});

test('a pod two budgets cover: a Failure Status with code 500 and upstream\'s message', async () => {
  await runningPod('twice-0', { app: 'twice', tier: 'web' });
  await budget('twice-a', { maxUnavailable: 1, selector: { matchLabels: { app: 'twice' } } }, { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 });
  await budget('twice-b', { maxUnavailable: 1, selector: { matchLabels: { tier: 'web' } } }, { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 });
  const r = await raw('POST', `/api/v1/namespaces/${NS}/pods/twice-0/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'twice-0' } });
  assert.equal(r.code, 201, 'upstream serves the Status result of a create with 201');
  assert.deepEqual([r.body.status, r.body.code], ['Failure', 500]);
  const e = await statusError(evict('twice-0'));
  assert.equal(e.code, 500, 'clients read the Status: an error with code 500');
  assert.equal(e.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  assert.equal((await client.get(R.pods, NS, 'twice-0')).metadata.deletionTimestamp, undefined);
});

test('an unready pod: evicted without spending when the budget is met (IfHealthyBudget) or AlwaysAllow; refused otherwise', async () => {
  await runningPod('met-ok', { app: 'met' });
  await runningPod('met-sick', { app: 'met' }, false);
  await budget('met', { minAvailable: 1, selector: { matchLabels: { app: 'met' } } }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2 });
  await evict('met-sick');
  assert.ok((await client.get(R.pods, NS, 'met-sick')).metadata.deletionTimestamp);
  assert.equal((await client.get(R.poddisruptionbudgets, NS, 'met')).status.disruptionsAllowed, 0, 'nothing spent');

  await runningPod('unmet-sick', { app: 'unmet' }, false);
  await budget('unmet', { minAvailable: 1, selector: { matchLabels: { app: 'unmet' } } }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 });
  assert.equal((await statusError(evict('unmet-sick'))).code, 429);

  await runningPod('always-sick', { app: 'always' }, false);
  await budget('always', { minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: { app: 'always' } } }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 });
  await evict('always-sick');
  assert.ok((await client.get(R.pods, NS, 'always-sick')).metadata.deletionTimestamp);
});

test('a dry-run eviction changes nothing; a body naming another pod is 400; a v1beta1 Eviction is accepted', async () => {
  await runningPod('dry-0', { app: 'dry' });
  await budget('dry', { maxUnavailable: 1, selector: { matchLabels: { app: 'dry' } } }, { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 });
  await client.create(R.pods, NS, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'dry-0' } }, { dryRun: true }, 'eviction', 'dry-0');
  assert.equal((await client.get(R.poddisruptionbudgets, NS, 'dry')).status.disruptionsAllowed, 1);
  assert.equal((await client.get(R.pods, NS, 'dry-0')).metadata.deletionTimestamp, undefined);
  const e = await statusError(client.create(R.pods, NS, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other' } }, {}, 'eviction', 'dry-0'));
  assert.equal(e.code, 400);
  assert.equal(e.message, 'name in URL does not match name in Eviction object');
  await client.create(R.pods, NS, { apiVersion: 'policy/v1beta1', kind: 'Eviction', metadata: { name: 'dry-0' }, deleteOptions: { gracePeriodSeconds: 0 } }, {}, 'eviction', 'dry-0');
  assert.ok(await gone('dry-0'), 'grace period 0 from the eviction\'s delete options');
  assert.equal((await statusError(evict('no-such-pod'))).code, 404);
});

test('the disruption controller computes the status from live pods, and recomputes after an eviction', async () => {
  const informers = new SharedInformers(client);
  const dc = new DisruptionController();
  dc.init({ client, informers, clock: realClock });
  await informers.startAll();
  await dc.run();
  try {
    const rs = await client.create(R.replicasets, NS, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'ctl' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'ctl' } }, template: { metadata: { labels: { app: 'ctl' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    for (let i = 0; i < 3; i++) {
      await runningPod(`ctl-${i}`, { app: 'ctl' });
      const p = await client.get(R.pods, NS, `ctl-${i}`);
      p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ctl', uid: rs.metadata.uid, controller: true }];
      await client.update(R.pods, NS, p);
    }
    await budget('ctl', { minAvailable: '60%', selector: { matchLabels: { app: 'ctl' } } });
    const until = async (f: (b: any) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const b = await client.get(R.poddisruptionbudgets, NS, 'ctl');
        if (f(b)) return b;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('timed out waiting for the PDB status');
    };
    const b = await until((x) => x.status.observedGeneration === 1 && x.status.expectedPods === 3);
    assert.deepEqual({ ...b.status, conditions: undefined }, { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1, conditions: undefined });
    const c = b.status.conditions[0];
    assert.deepEqual([c.type, c.status, c.reason, c.message, c.observedGeneration], ['DisruptionAllowed', 'True', 'SufficientPods', '', 1]);
    await evict('ctl-1');
    // The evicted pod is terminating: not healthy, and gone from disruptedPods once the controller saw it deleting.
    const after = await until((x) => x.status.currentHealthy === 2 && !x.status.disruptedPods);
    assert.equal(after.status.disruptionsAllowed, 0);
    assert.equal(after.status.conditions[0].reason, 'InsufficientPods');
    assert.equal((await statusError(evict('ctl-2'))).code, 429);
  } finally {
    await dc.stop();
    await informers.stopAll();
  }
});
