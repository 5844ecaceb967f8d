// upstream rolling_test.go TestDeploymentController_rolloutRolling, ported as data: a scale write that fails
// still syncs the rollout status (progress deadline), and both errors are returned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { Syncer, type D, type RS } from '../../../src/controllers/deployment/sync.ts';
import { rolloutRolling } from '../../../src/controllers/deployment/rolling.ts';
import { rolloutRecreate, oldPodsRunning } from '../../../src/controllers/deployment/recreate.ts';
import * as util from '../../../src/controllers/deployment/util.ts';
import * as syncPlans from '../../../src/controllers/deployment/sync.ts';

const u = { ...util, ...syncPlans };
import { FakeClock } from '../../../src/util/clock.ts';

type Action = { verb: string; resource: string; sub?: string; obj?: any };
function fakeClient(failRS?: Error, failStatus?: Error) {
  const actions: Action[] = [];
  const client = {
    actions,
    async update(ref: any, _ns: string, obj: any, sub?: string) {
      actions.push({ verb: 'update', resource: ref.plural, sub, obj: structuredClone(obj) });
      if (ref.plural === 'replicasets' && failRS) throw failRS;
      if (ref.plural === 'deployments' && failStatus) throw failStatus;
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(actions.length) } };
    },
    async patch(ref: any, _ns: string, name: string, body: any) { actions.push({ verb: 'patch', resource: ref.plural, obj: body }); return { metadata: { name, resourceVersion: 'p' } }; },
    async create(ref: any, _ns: string, obj: any) { actions.push({ verb: 'create', resource: ref.plural, obj }); return obj; },
    async delete(ref: any, _ns: string, name: string) { actions.push({ verb: 'delete', resource: ref.plural, obj: name }); return {}; },
    async get() { throw Object.assign(new Error('not found'), { code: 404 }); },
  };
  return client;
}
function syncer(client: any, clock: FakeClock) {
  const requeued: number[] = [];
  const s = new Syncer({
    client, clock, recorder: { event() {}, flush: async () => {} } as any,
    enqueueAfter: (_d, ms) => requeued.push(ms), enqueueRateLimited: () => requeued.push(0),
    getReplicaSet: () => undefined,
  });
  return { s, requeued };
}

function setup(newReplicas: number, oldAvailable: number, expired: boolean, clock: FakeClock) {
  const d = {
    metadata: { name: 'foo', namespace: 'default', uid: 'd-uid', generation: 2, annotations: { [u.RevisionAnnotation]: '2' } },
    spec: {
      replicas: 4, selector: { matchLabels: { app: 'foo' } }, progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: { metadata: { labels: { app: 'foo' } }, spec: { containers: [{ name: 'foo', image: 'foo/bar' }] } },
    },
  } as unknown as D;
  const mk = (name: string, replicas: number, image: string, rev: string, st: any, created: string): RS => ({
    metadata: { name, namespace: 'default', uid: name, creationTimestamp: created, annotations: { [u.RevisionAnnotation]: rev } },
    spec: { replicas, selector: { matchLabels: { app: 'foo' } }, template: { metadata: { labels: { app: 'foo' } }, spec: { containers: [{ name: 'foo', image }] } } },
    status: st,
  } as RS);
  const newRS = mk('foo-new', newReplicas, 'foo/bar', '2', { replicas: newReplicas, readyReplicas: newReplicas, availableReplicas: newReplicas }, '2026-01-01T00:00:01Z');
  const oldRS = mk('foo-old', 1, 'foo/old', '1', { replicas: 1, readyReplicas: oldAvailable, availableReplicas: oldAvailable }, '2026-01-01T00:00:00Z');
  (d as any).status = u.calculateStatus([oldRS, newRS], newRS, d as Deployment, clock.now());
  d.status!.observedGeneration = 1;
  const cond = u.newCondition('Progressing', 'True', u.Reasons.ReplicaSetUpdated, 'Deployment is progressing.', clock.now());
  if (expired) cond.lastUpdateTime = new Date(clock.now() - 3600_000).toISOString();
  u.setCondition(d.status!, cond);
  return { d, newRS, oldRS };
}

test('rolloutRolling (upstream table): failed scale → status still synced, errors returned', async () => {
  const scaleErr = new Error('ReplicaSet update failed');
  const statusErr = new Error('Deployment status update failed');
  const cases: [string, number, number, boolean, Error?][] = [
    ['healthy old replicas time out', 1, 4, true],
    ['unhealthy old replicas time out', 0, 4, true],
    ['status is updated before the deadline', 1, 4, false],
    ['scaling and status update errors are returned', 1, 4, true, statusErr],
    ['new ReplicaSet scale-up failure times out', 1, 3, true],
    ['new ReplicaSet scale-up failure updates status before the deadline', 1, 3, false],
    ['new ReplicaSet scale-up and status update errors are returned', 1, 3, true, statusErr],
    ['new ReplicaSet scale-down failure times out', 1, 5, true],
  ];
  for (const [name, oldAvailable, newReplicas, expired, sErr] of cases) {
    const clock = new FakeClock();
    const { d, newRS, oldRS } = setup(newReplicas, oldAvailable, expired, clock);
    const client = fakeClient(scaleErr, sErr);
    const { s } = syncer(client, clock);
    let err: any;
    try { await rolloutRolling(s, d, [oldRS, newRS]); } catch (e) { err = e; }
    const errs: Error[] = err instanceof AggregateError ? err.errors : [err];
    assert.ok(errs.includes(scaleErr), `${name}: scale error returned`);
    if (sErr) assert.ok(errs.includes(sErr), `${name}: status error returned`);
    assert.equal(client.actions.length, 2, `${name}: ${JSON.stringify(client.actions.map((a) => a.resource + '/' + (a.sub ?? '')))}`);
    const [scale, status] = client.actions;
    assert.equal(scale.resource, 'replicasets');
    const [expName, expReplicas] = newReplicas !== 4 ? ['foo-new', 4] : ['foo-old', 0];
    assert.equal(scale.obj.metadata.name, expName, name);
    assert.equal(scale.obj.spec.replicas, expReplicas, name);
    assert.equal(status.resource, 'deployments');
    assert.equal(status.sub, 'status');
    const p = u.getCondition(status.obj.status, 'Progressing')!;
    assert.equal(p.reason, expired ? u.Reasons.TimedOut : u.Reasons.ReplicaSetUpdated, name);
    assert.equal(p.status, expired ? 'False' : 'True', name);
    assert.equal(status.obj.status.observedGeneration, 2);
  }
});

test('a stuck rollout with nothing to write is requeued for its progress deadline (+1 s)', async () => {
  const clock = new FakeClock();
  const { d, newRS, oldRS } = setup(4, 1, false, clock);
  d.status!.observedGeneration = 2;
  // The new RS is not yet available: nothing to scale, status unchanged → requeue at the deadline.
  (newRS as any).status = { replicas: 4, readyReplicas: 2, availableReplicas: 2 };
  d.status = u.calculateStatus([oldRS, newRS], newRS, d as Deployment, clock.now());
  u.removeCondition(d.status, 'Progressing');
  u.setCondition(d.status, u.newCondition('Progressing', 'True', u.Reasons.ReplicaSetUpdated, 'x', clock.now() - 100_000));
  const client = fakeClient();
  const { s, requeued } = syncer(client, clock);
  await rolloutRolling(s, d, [oldRS, newRS]);
  assert.deepEqual(client.actions, []);
  assert.equal(requeued.length, 1);
  assert.ok(Math.abs(requeued[0] - (600_000 - 100_000 + 1000)) <= 1000, String(requeued[0]));
});

test('Recreate: old RSs go to 0 first; the new RS is created only when no old pod runs', async () => {
  const clock = new FakeClock();
  const { d, oldRS } = setup(0, 1, false, clock);
  d.spec.strategy = { type: 'Recreate' } as any;
  const client = fakeClient();
  const { s } = syncer(client, clock);
  await rolloutRecreate(s, d, [oldRS], new Map([['foo-old', [{ status: { phase: 'Running' } }]]]));
  assert.deepEqual(client.actions.map((a) => [a.verb, a.resource, a.obj?.spec?.replicas]).slice(0, 1), [['update', 'replicasets', 0]]);
  assert.equal(client.actions.some((a) => a.verb === 'create'), false, 'no new RS while old pods run');
  // Old RS at 0 but a pod still running: wait.
  const zero = { ...oldRS, spec: { ...oldRS.spec!, replicas: 0 }, status: { replicas: 0 } } as RS;
  assert.equal(oldPodsRunning(undefined, [zero], new Map([['foo-old', [{ status: { phase: 'Running' } }]]])), true);
  assert.equal(oldPodsRunning(undefined, [zero], new Map([['foo-old', [{ status: { phase: 'Succeeded' } }]]])), false);
  const c2 = fakeClient();
  const { s: s2 } = syncer(c2, clock);
  await rolloutRecreate(s2, d, [zero], new Map([['foo-old', []]]));
  const created = c2.actions.find((a) => a.verb === 'create' && a.resource === 'replicasets');
  assert.ok(created, 'new RS created once old pods are gone');
  assert.equal(created!.obj.spec.replicas, 4);
  assert.match(created!.obj.metadata.name, /^foo-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(created!.obj.spec.selector.matchLabels['pod-template-hash'], created!.obj.metadata.name.slice(4));
  assert.equal(created!.obj.metadata.annotations[u.RevisionAnnotation], '2');
});
