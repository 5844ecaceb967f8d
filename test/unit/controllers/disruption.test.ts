// The disruption controller's rules, as upstream's pkg/controller/disruption/disruption_test.go exercises them:
// each test keeps a budget's status the way the controller does (syncBudget, then store the status it writes)
// and checks disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods, disruptedPods and the condition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.d.ts';
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import {
  syncBudget, expectedScale, findDeployment, findReplicaSet, findReplicationController, findStatefulSet, scaledValue,
  staleDisruptionDelay, budgetsForPod, type ControllerAndScale, type WorkloadLookup,
} from '../../../src/controllers/disruption/plan.ts';
import { rfc3339 } from '../../../src/util/clock.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
let uidSeq = 0;
const uid = () => `uid-${++uidSeq}`;
const fooBar = () => ({ foo: 'bar' });

type Kind = 'ReplicaSet' | 'Deployment' | 'StatefulSet' | 'ReplicationController';
type Workload = { kind: Kind; metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; ownerReferences?: OwnerReference[] }; spec: { replicas?: number } };

/** The informer caches of the test (upstream's fake stores) and a scale client. */
class World implements WorkloadLookup {
  pods: Pod[] = [];
  workloads: Workload[] = [];
  scales = new Map<string, ControllerAndScale | null | Error>();
  get(kind: Kind, ns: string, name: string) {
    return this.workloads.find((w) => w.kind === kind && w.metadata.namespace === ns && w.metadata.name === name);
  }
  async scale(ref: OwnerReference): Promise<ControllerAndScale | null> {
    const s = this.scales.get(`${ref.apiVersion}/${ref.kind}`);
    if (s instanceof Error) throw s;
    if (s === undefined) throw new Error(`no matches for kind ${JSON.stringify(ref.kind)} in version ${JSON.stringify(ref.apiVersion)}`);
    return s;
  }
  add(w: Workload) { this.workloads.push(w); return w; }
}

function workload(kind: Kind, size: number, name = 'foobar'): Workload {
  return { kind, metadata: { name, namespace: 'default', uid: uid(), labels: fooBar() }, spec: { replicas: size } };
}
function pod(name: string, o: { ready?: boolean; labels?: Record<string, string>; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: uid(), labels: o.labels ?? fooBar(), ...(o.deleting ? { deletionTimestamp: rfc3339(NOW) } : {}) },
    spec: { containers: [] },
    status: { conditions: o.ready === false ? [] : [{ type: 'Ready', status: 'True' }] },
  };
}
const apiVersionOf: Record<Kind, string> = { ReplicaSet: 'apps/v1', Deployment: 'apps/v1', StatefulSet: 'apps/v1', ReplicationController: 'v1' };
function ownedBy(p: Pod, w: Workload): Pod {
  p.metadata!.ownerReferences = [...(p.metadata!.ownerReferences ?? []), { apiVersion: apiVersionOf[w.kind], kind: w.kind, name: w.metadata.name, uid: w.metadata.uid, controller: true }];
  return p;
}
function pdb(o: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: unknown }): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
    metadata: { name: 'foobar', namespace: 'default', uid: uid(), generation: 1 },
    spec: { ...(o.minAvailable !== undefined ? { minAvailable: o.minAvailable } : {}), ...(o.maxUnavailable !== undefined ? { maxUnavailable: o.maxUnavailable } : {}), selector: (o.selector ?? { matchLabels: fooBar() }) as any },
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  };
}

/** One controller sync: the status it would write is stored (upstream's pdbStates.Set). */
async function sync(b: PodDisruptionBudget, w: World, now = NOW) {
  const r = await syncBudget(b, w.pods, w, now);
  if (r.status) b.status = r.status;
  return r;
}
function verify(b: PodDisruptionBudget, allowed: number, current: number, desired: number, expected: number, disrupted: Record<string, string> = {}) {
  const st = b.status!;
  assert.deepEqual(
    { disruptionsAllowed: st.disruptionsAllowed, currentHealthy: st.currentHealthy, desiredHealthy: st.desiredHealthy, expectedPods: st.expectedPods, disruptedPods: st.disruptedPods ?? {}, observedGeneration: st.observedGeneration },
    { disruptionsAllowed: allowed, currentHealthy: current, desiredHealthy: desired, expectedPods: expected, disruptedPods: disrupted, observedGeneration: b.metadata!.generation },
  );
  const c = st.conditions?.find((x) => x.type === 'DisruptionAllowed');
  assert.ok(c, 'DisruptionAllowed condition');
  assert.equal(c.status, allowed > 0 ? 'True' : 'False');
  assert.equal(c.reason, allowed > 0 ? 'SufficientPods' : 'InsufficientPods');
}

test('no selector ({}) matches every pod of the namespace (TestNoSelector)', async () => {
  const w = new World();
  const b = pdb({ minAvailable: 3, selector: {} });
  await sync(b, w);
  verify(b, 0, 0, 3, 0);
  w.pods.push(pod('yo-yo-yo', { labels: {} }));
  await sync(b, w);
  verify(b, 0, 1, 3, 1);
});

test('a null selector matches no pod', async () => {
  const w = new World();
  const b = pdb({ minAvailable: 1 });
  delete (b.spec as any).selector;
  w.pods.push(pod('a'));
  const r = await sync(b, w);
  assert.equal(r.pods.length, 0);
  verify(b, 0, 0, 1, 0);
});

test('available and expected counts rise with pods; an unready pod lowers availability (TestUnavailable)', async () => {
  const w = new World();
  const b = pdb({ minAvailable: 3 });
  await sync(b, w);
  const pods: Pod[] = [];
  for (let i = 0; i < 4; i++) {
    verify(b, 0, i, 3, i);
    const p = pod(`yo-yo-yo ${i}`);
    pods.push(p);
    w.pods.push(p);
    await sync(b, w);
  }
  verify(b, 1, 4, 3, 4);
  pods[0].status!.conditions = [];
  await sync(b, w);
  verify(b, 0, 3, 3, 4);
});

test('an integer maxUnavailable allows no disruption of pods without a controller (TestIntegerMaxUnavailable)', async () => {
  const w = new World();
  const b = pdb({ maxUnavailable: 1 });
  await sync(b, w);
  assert.equal(b.status!.disruptionsAllowed, 0);
  w.pods.push(pod('naked'));
  const r = await sync(b, w);
  assert.equal(b.status!.disruptionsAllowed, 0);
  assert.deepEqual(r.unmanagedPods, ['naked']); // the UnmanagedPods event
});

test('maxUnavailable follows the scale of the pods\' ReplicaSet, a percentage rounded up (TestIntegerMaxUnavailableWithScaling, TestPercentageMaxUnavailableWithScaling)', async () => {
  const cases: [number | string, [number, number], [number, number]][] = [[2, [5, 7], [3, 5]], ['30%', [4, 7], [2, 3]]];
  for (const [maxUnavailable, [desired1, expected1], [desired2, expected2]] of cases) {
    const w = new World();
    const b = pdb({ maxUnavailable });
    const rs = w.add(workload('ReplicaSet', expected1));
    w.pods.push(ownedBy(pod('pod'), rs));
    await sync(b, w);
    verify(b, 0, 1, desired1, expected1);
    rs.spec.replicas = expected2;
    await sync(b, w);
    verify(b, 0, 1, desired2, expected2);
  }
});

test('a percentage with a naked pod allows no disruption and reports it unmanaged (TestNakedPod, TestStatusForUnmanagedPod)', async () => {
  const w = new World();
  const b = pdb({ minAvailable: '28%' });
  await sync(b, w);
  assert.equal(b.status!.disruptionsAllowed, 0);
  w.pods.push(pod('naked'));
  const r = await sync(b, w);
  assert.equal(b.status!.disruptionsAllowed, 0);
  assert.deepEqual(r.unmanagedPods, ['naked']);
  assert.equal(r.countError, undefined);
  assert.ok(!b.status!.conditions!.some((c) => c.reason === 'SyncFailed'), 'unmanaged pods are not a sync failure');
});

test('a pod whose controller no finder knows fails the sync safe: no disruption, SyncFailed (TestUnsupportedControllerPod)', async () => {
  const w = new World();
  const b = pdb({ minAvailable: '28%' });
  await sync(b, w);
  const p = pod('naked');
  p.metadata!.ownerReferences = [{ apiVersion: 'apps.test.io/v1', kind: 'TestWorkload', name: 'fake-controller', uid: 'b7329742-8daa-493a-8881-6ca07139172b', controller: true }];
  w.pods.push(p);
  const r = await sync(b, w);
  assert.match(r.countError!, /no matches for kind "TestWorkload"/);
  assert.equal(b.status!.disruptionsAllowed, 0);
  const c = b.status!.conditions!.find((x) => x.type === 'DisruptionAllowed')!;
  assert.deepEqual([c.status, c.reason, c.message], ['False', 'SyncFailed', r.countError]);
});

test('a ReplicaSet without a Deployment counts its own scale (TestReplicaSet)', async () => {
  const w = new World();
  const b = pdb({ minAvailable: '20%' });
  const rs = w.add(workload('ReplicaSet', 10));
  w.pods.push(ownedBy(pod('pod'), rs));
  await sync(b, w);
  verify(b, 0, 1, 2, 10);
});

test('any other owner counts through its scale subresource (TestScaleResource)', async () => {
  const w = new World();
  const replicas = 10, pods = 4, maxUnavailable = 5;
  const crUid = uid();
  w.scales.set('custom.k8s.io/v1/customresource', { uid: crUid, scale: replicas });
  const b = pdb({ maxUnavailable });
  for (let i = 0; i < pods; i++) {
    const p = pod(`pod-${i}`);
    p.metadata!.ownerReferences = [{ apiVersion: 'custom.k8s.io/v1', kind: 'customresource', name: 'cr', uid: crUid, controller: true }];
    w.pods.push(p);
  }
  await sync(b, w);
  const allowed = replicas - pods < maxUnavailable ? maxUnavailable - (replicas - pods) : 0;
  verify(b, allowed, pods, replicas - maxUnavailable, replicas);
});

test('a scale finder error (no scale subresource) fails the sync (TestScaleFinderNoResource)', async () => {
  const w = new World();
  w.scales.set('custom.k8s.io/v1/customresource', new Error('customresources.custom.k8s.io does not implement the scale subresource'));
  const b = pdb({ maxUnavailable: 1 });
  const p = pod('p');
  p.metadata!.ownerReferences = [{ apiVersion: 'custom.k8s.io/v1', kind: 'customresource', name: 'cr', uid: 'x', controller: true }];
  w.pods.push(p);
  const r = await sync(b, w);
  assert.equal(r.countError, 'customresources.custom.k8s.io does not implement the scale subresource');
  // A resource that is gone (404 on scale) is no controller: the pod then has none a finder knows.
  w.scales.set('custom.k8s.io/v1/customresource', null);
  assert.match((await sync(b, w)).countError!, /found no controllers for pod "p"/);
});

test('a ReplicationController\'s or StatefulSet\'s pods: 34% of 3 rounds up to 2; a rogue pod without controller is counted healthy (TestReplicationController, TestStatefulSetController)', async () => {
  const labels = { foo: 'bar', baz: 'quux' };
  for (const kind of ['ReplicationController', 'StatefulSet'] as const) {
    const w = new World();
    const b = pdb({ minAvailable: '34%' });
    const owner = w.add(workload(kind, 3));
    await sync(b, w);
    verify(b, 0, 0, 0, 0);
    for (let i = 0; i < 3; i++) {
      w.pods.push(ownedBy(pod(`foobar ${i}`, { labels }), owner));
      await sync(b, w);
      if (i < 2) verify(b, 0, i + 1, 2, 3);
      else verify(b, 1, 3, 2, 3);
    }
    w.pods.push(pod('rogue'));
    await sync(b, w);
    assert.equal(b.status!.disruptionsAllowed, 2, kind);
  }
});

test('pods of two controllers: expected counts add up, availability follows readiness (TestTwoControllers)', async () => {
  const rcLabels = { foo: 'bar', baz: 'quux' };
  const dLabels = { foo: 'bar', baz: 'quuux' };
  const w = new World();
  const collectionSize = 11, minimumOne = 4, minimumTwo = 7;
  const b = pdb({ minAvailable: '28%' });
  const rc = w.add(workload('ReplicationController', collectionSize));
  await sync(b, w);
  verify(b, 0, 0, 0, 0);
  const pods: Pod[] = [];
  let unavailablePods = collectionSize - minimumOne - 1;
  for (let i = 1; i <= collectionSize; i++) {
    const p = ownedBy(pod(`quux ${i}`, { labels: rcLabels, ready: i > unavailablePods }), rc);
    pods.push(p);
    w.pods.push(p);
    await sync(b, w);
    if (i <= unavailablePods) verify(b, 0, 0, minimumOne, collectionSize);
    else if (i - unavailablePods <= minimumOne) verify(b, 0, i - unavailablePods, minimumOne, collectionSize);
    else verify(b, 1, i - unavailablePods, minimumOne, collectionSize);
  }
  const d = w.add(workload('Deployment', collectionSize));
  await sync(b, w);
  verify(b, 1, minimumOne + 1, minimumOne, collectionSize);
  const rs = w.add(workload('ReplicaSet', collectionSize));
  rs.metadata.labels = dLabels;
  rs.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true }];
  await sync(b, w);
  verify(b, 1, minimumOne + 1, minimumOne, collectionSize);
  unavailablePods = 2 * collectionSize - (minimumTwo + 2) - unavailablePods;
  for (let i = 1; i <= collectionSize; i++) {
    const p = ownedBy(pod(`quuux ${i}`, { labels: dLabels, ready: i > unavailablePods }), rs);
    pods.push(p);
    w.pods.push(p);
    await sync(b, w);
    if (i <= unavailablePods) verify(b, 0, minimumOne + 1, minimumTwo, 2 * collectionSize);
    else if (i - unavailablePods <= minimumTwo - (minimumOne + 1)) verify(b, 0, minimumOne + 1 + (i - unavailablePods), minimumTwo, 2 * collectionSize);
    else verify(b, i - unavailablePods - (minimumTwo - (minimumOne + 1)), minimumOne + 1 + (i - unavailablePods), minimumTwo, 2 * collectionSize);
  }
  verify(b, 2, 2 + minimumTwo, minimumTwo, 2 * collectionSize);
  pods[collectionSize - 1].status!.conditions = [];
  await sync(b, w);
  verify(b, 1, 1 + minimumTwo, minimumTwo, 2 * collectionSize);
  pods[collectionSize - 2].status!.conditions = [];
  await sync(b, w);
  verify(b, 0, minimumTwo, minimumTwo, 2 * collectionSize);
  pods[collectionSize - 1].status!.conditions = [{ type: 'Ready', status: 'True' }];
  await sync(b, w);
  verify(b, 1, 1 + minimumTwo, minimumTwo, 2 * collectionSize);
});

test('disruptedPods: deleting, expired and vanished pods leave the map; an untouched one stays (TestUpdateDisruptedPods)', async () => {
  const w = new World();
  const b = pdb({ minAvailable: 1 });
  b.status!.disruptedPods = {
    p1: rfc3339(NOW), // pod deletion started: removed
    p2: rfc3339(NOW - 3 * 60_000), // expired: removed
    p3: rfc3339(NOW - 60_000), // untouched: stays
    notthere: rfc3339(NOW), // pod gone: removed
  };
  w.pods.push(pod('p1', { deleting: true }), pod('p2'), pod('p3'));
  const r = await sync(b, w);
  verify(b, 0, 1, 1, 3, { p3: rfc3339(NOW - 60_000) });
  assert.deepEqual(r.expired, ['p2']); // the NotDeleted event
  assert.equal(r.recheckAt, NOW - 60_000 + 2 * 60_000, 'sync again when p3\'s eviction times out');
});

test('a status that already says it all is not written again', async () => {
  const w = new World();
  const b = pdb({ minAvailable: 1 });
  w.pods.push(pod('a'), pod('b'));
  assert.ok((await sync(b, w)).status);
  assert.equal((await sync(b, w)).status, undefined);
  (b.metadata as any).generation = 2; // a spec change: observedGeneration must follow
  const r = await sync(b, w);
  assert.equal(r.status?.observedGeneration, 2);
});

test('the finders, by group and kind (TestBasicFinderFunctions)', async () => {
  const w = new World();
  const rs = w.add(workload('ReplicaSet', 10));
  const rc = w.add(workload('ReplicationController', 12));
  const ss = w.add(workload('StatefulSet', 14));
  const cases: [string, typeof findReplicaSet, string, string, Workload, number | null][] = [
    ['replicaset controller with apps group', findReplicaSet, 'apps/v1', 'ReplicaSet', rs, 10],
    ['replicaset controller with invalid group', findReplicaSet, 'invalid/v1', 'ReplicaSet', rs, null],
    ['replicationcontroller with empty group', findReplicationController, '/v1', 'ReplicationController', rc, 12],
    ['replicationcontroller with invalid group', findReplicationController, 'apps/v1', 'ReplicationController', rc, null],
    ['statefulset controller with extensions group', findStatefulSet, 'apps/v1', 'StatefulSet', ss, 14],
    ['statefulset controller with invalid kind', findStatefulSet, 'apps/v1', 'ReplicaSet', ss, null],
  ];
  for (const [name, finder, apiVersion, kind, wl, want] of cases) {
    const got = await finder({ apiVersion, kind, name: wl.metadata.name, uid: wl.metadata.uid }, 'default', w);
    assert.deepEqual(got, want === null ? null : { uid: wl.metadata.uid, scale: want }, name);
  }
});

test('the Deployment finder goes through the ReplicaSet (TestDeploymentFinderFunction)', async () => {
  const cases: [string, string, string, string, string, boolean][] = [
    ['happy path', 'apps/v1', 'ReplicaSet', 'extensions/v1', 'Deployment', true],
    ['invalid rs apiVersion', 'invalid/v1', 'ReplicaSet', 'apps/v1', 'Deployment', false],
    ['invalid rs kind', 'apps/v1', 'InvalidKind', 'apps/v1', 'Deployment', false],
    ['invalid deployment apiVersion', 'extensions/v1', 'ReplicaSet', 'deployment/v1', 'Deployment', false],
    ['invalid deployment kind', 'apps/v1', 'ReplicaSet', 'extensions/v1', 'InvalidKind', false],
  ];
  for (const [name, rsApiVersion, rsKind, depApiVersion, depKind, finds] of cases) {
    const w = new World();
    const dep = w.add(workload('Deployment', 10));
    const rs = w.add(workload('ReplicaSet', 5));
    rs.metadata.ownerReferences = [{ apiVersion: depApiVersion, kind: depKind, name: dep.metadata.name, uid: dep.metadata.uid, controller: true }];
    const got = await findDeployment({ apiVersion: rsApiVersion, kind: rsKind, name: rs.metadata.name, uid: rs.metadata.uid }, 'default', w);
    assert.deepEqual(got, finds ? { uid: dep.metadata.uid, scale: 10 } : null, name);
  }
});

test('a ReplicaSet owned by a Deployment is counted once, through the Deployment', async () => {
  const w = new World();
  const d = w.add(workload('Deployment', 3, 'web'));
  const rs = w.add(workload('ReplicaSet', 3, 'web-abc'));
  rs.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true }];
  for (let i = 0; i < 3; i++) w.pods.push(ownedBy(pod(`web-abc-${i}`), rs));
  assert.deepEqual(await expectedScale(w.pods, w), { expectedCount: 3, unmanagedPods: [] });
});

test('intstr scaling: percentages round as asked; a non-percent string is an error', () => {
  assert.equal(scaledValue('34%', 3, true), 2);
  assert.equal(scaledValue('34%', 3, false), 1);
  assert.equal(scaledValue(5, 100, true), 5);
  assert.throws(() => scaledValue('5', 10, true), /string is not a percentage/);
  assert.throws(() => scaledValue(undefined, 10, true), /nil value/);
});

test('budgets for a pod: same namespace, selector matches; a null selector matches nothing', () => {
  const a = pdb({ minAvailable: 1 });
  const b = pdb({ minAvailable: 1, selector: { matchLabels: { foo: 'other' } } });
  const c = pdb({ minAvailable: 1, selector: {} });
  const d = pdb({ minAvailable: 1 });
  delete (d.spec as any).selector;
  const e = pdb({ minAvailable: 1 });
  e.metadata!.namespace = 'elsewhere';
  assert.deepEqual(budgetsForPod(pod('x'), [a, b, c, d, e]), [a, c]);
});

test('stale DisruptionTarget: reset after 2 minutes on a live pod; never on a deleting, finished or kubelet-terminated one (TestStalePodDisruption)', () => {
  const withCond = (o: { deleting?: boolean; reason?: string; phase?: string; status?: string; since?: number } = {}): Pod => {
    const p = pod('foo', { deleting: o.deleting });
    (p as any).status = { phase: o.phase as any, conditions: [{ type: 'DisruptionTarget', status: o.status ?? 'True', reason: o.reason, lastTransitionTime: rfc3339(NOW - (o.since ?? 0)) }] };
    return p;
  };
  assert.equal(staleDisruptionDelay(withCond({ since: 2 * 60_000 + 1000 }), NOW), 0, 'stale pod disruption');
  assert.equal(staleDisruptionDelay(withCond({ since: 2 * 60_000 - 1000 }), NOW), 1000, 'pod disruption in progress');
  assert.equal(staleDisruptionDelay(withCond({ deleting: true, since: 3 * 60_000 }), NOW), undefined, 'pod disruption actuated');
  assert.equal(staleDisruptionDelay(pod('foo', { deleting: true }), NOW), undefined, 'no pod disruption');
  assert.equal(staleDisruptionDelay(withCond({ status: 'False' }), NOW), undefined, 'pod disruption cleared');
  assert.equal(staleDisruptionDelay(withCond({ reason: 'TerminationByKubelet', since: 3 * 60_000 }), NOW), undefined, 'kubelet disruption');
  assert.equal(staleDisruptionDelay(withCond({ phase: 'Failed', since: 3 * 60_000 }), NOW), undefined, 'finished pod');
});
