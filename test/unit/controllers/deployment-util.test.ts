// Tables ported (as data) from upstream pkg/controller/deployment: deployment_util_test.go, rolling_test.go,
// sync_test.go (TestScale, TestDeploymentController_cleanupDeployment).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import * as util from '../../../src/controllers/deployment/util.ts';
import * as rolling from '../../../src/controllers/deployment/rolling.ts';
import * as sync from '../../../src/controllers/deployment/sync.ts';

/** The Deployment controller's pure functions: shared helpers, rolling arithmetic, scaling/status plans. */
const u = { ...util, ...rolling, ...sync };

type IntStr = number | string | undefined;
function dep(replicas: number, opts: { surge?: IntStr; unavail?: IntStr; type?: 'RollingUpdate' | 'Recreate'; rhl?: number; selector?: Record<string, string> } = {}): Deployment {
  const labels = opts.selector ?? { foo: 'bar' };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'foo', namespace: 'default', uid: 'dep-uid', generation: 1, annotations: {} },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      revisionHistoryLimit: opts.rhl,
      strategy: opts.type === 'Recreate' ? { type: 'Recreate' }
        : { type: 'RollingUpdate', rollingUpdate: { maxSurge: opts.surge ?? 0, maxUnavailable: opts.unavail ?? 0 } },
      template: { metadata: { labels: { ...labels } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
    },
  };
}
function rs(name: string, replicas: number, created = '2016-05-20T01:00:00Z', status: Partial<NonNullable<ReplicaSet['status']>> = {}): ReplicaSet {
  return {
    metadata: { name, namespace: 'default', uid: name, creationTimestamp: created, annotations: {} },
    spec: { replicas, selector: { matchLabels: { foo: 'bar' } }, template: { metadata: { labels: { foo: 'bar' } }, spec: { containers: [{ name: 'nginx', image: name }] } } },
    status: { replicas: status.replicas ?? 0, ...status },
  };
}

test('ResolveFenceposts (upstream table)', () => {
  const cases: [IntStr, IntStr, number, number, number, boolean][] = [
    ['0%', '0%', 0, 0, 1, false],
    ['39%', '39%', 10, 4, 3, false],
    ['oops', '39%', 10, 0, 0, true],
    ['55%', 'urg', 10, 0, 0, true],
    [undefined, '39%', 10, 0, 3, false],
    ['39%', undefined, 10, 4, 0, false],
    [undefined, undefined, 10, 0, 1, false],
  ];
  for (const [s, un, desired, es, eu, err] of cases) {
    if (err) { assert.throws(() => u.resolveFenceposts(s, un, desired)); continue; }
    assert.deepEqual(u.resolveFenceposts(s, un, desired), { surge: es, unavailable: eu }, `${s}/${un}/${desired}`);
  }
});

test('MaxUnavailable / MinAvailable / MaxSurge: defaults 25%, Recreate and 0 replicas, cap at replicas', () => {
  const d10: Deployment = { spec: { replicas: 10, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } } };
  assert.equal(u.maxSurge(d10), 3); // 2.5 rounds up
  assert.equal(u.maxUnavailable(d10), 2); // 2.5 rounds down
  assert.equal(u.minAvailable(d10), 8);
  assert.equal(u.maxUnavailable(dep(0, { unavail: 5 })), 0);
  assert.equal(u.maxUnavailable(dep(3, { unavail: 5 })), 3, 'capped at replicas');
  assert.equal(u.maxSurge(dep(3, { surge: 50 })), 50, 'surge is not capped');
  assert.equal(u.maxUnavailable(dep(10, { type: 'Recreate' })), 0);
  assert.equal(u.minAvailable(dep(10, { type: 'Recreate' })), 0);
  assert.equal(u.maxUnavailable(dep(10, { surge: 0, unavail: 0 })), 1, 'both zero → unavailable 1');
});

test('NewRSNewReplicas (upstream table)', () => {
  const cases: [string, 'RollingUpdate' | 'Recreate', number, number, number, number][] = [
    ['can not scale up - to newRSReplicas', 'RollingUpdate', 1, 5, 1, 5],
    ['scale up - to depReplicas', 'RollingUpdate', 6, 2, 10, 6],
    ['recreate - to depReplicas', 'Recreate', 3, 1, 1, 3],
  ];
  for (const [name, type, depReplicas, newRSReplicas, surge, expected] of cases) {
    const d = dep(depReplicas, { type, surge, unavail: 1 });
    const newRS = rs('new', newRSReplicas);
    assert.equal(u.newRSNewReplicas(d, [rs('rs5', 5)], newRS), expected, name);
  }
});

test('reconcileNewReplicaSet (upstream table, maxUnavailable 0)', () => {
  const cases: [number, number, number, number, number | undefined][] = [
    [10, 0, 10, 0, undefined],
    [10, 2, 10, 0, 2],
    [10, 2, 5, 0, 7],
    [10, 2, 10, 2, undefined],
    [10, 2, 2, 11, 10], // scale down
  ];
  for (const [replicas, surge, oldR, newR, expected] of cases) {
    const d = dep(replicas, { surge, unavail: 0 });
    const newRS = rs('foo-v2', newR), oldRS = rs('foo-v1', oldR);
    assert.equal(u.planNewReplicaSet([newRS, oldRS], newRS, d), expected, `${replicas}/${surge}/${oldR}/${newR}`);
  }
});

test('reconcileOldReplicaSets (upstream table, maxSurge 0)', () => {
  const cases: [number, number, number, number, number, number, boolean, number?][] = [
    [10, 0, 10, 0, 10, 0, true, 9],
    [10, 2, 10, 0, 10, 0, true, 8],
    [10, 2, 10, 0, 8, 0, true, 8], // unhealthy old replicas cleaned up
    [10, 2, 10, 0, 9, 0, true, 8], // one unhealthy cleaned up, one ready scaled down
    [10, 2, 8, 2, 8, 0, false], // new RS's unavailable pods block further scale-down
  ];
  for (const [replicas, unavail, oldR, newR, oldReady, newReady, scale, expectedOld] of cases) {
    const d = dep(replicas, { surge: 0, unavail });
    const newRS = rs('foo-new', newR, '2016-05-20T02:00:00Z', { availableReplicas: newReady });
    const oldRS = rs('foo-old', oldR, '2016-05-20T01:00:00Z', { availableReplicas: oldReady });
    const plan = u.planOldReplicaSets([oldRS, newRS], [oldRS], newRS, d);
    assert.equal(plan.total > 0, scale, `case ${[replicas, unavail, oldR, newR, oldReady]}`);
    if (scale) assert.equal(plan.actions.at(-1)!.to, expectedOld);
  }
});

test('cleanupUnhealthyReplicas (upstream table)', () => {
  const cases: [number, number, number, number][] = [
    [10, 8, 1, 1],
    [10, 8, 3, 2],
    [10, 8, 0, 0],
    [10, 10, 3, 0],
  ];
  for (const [oldR, ready, maxCleanup, expected] of cases) {
    const r = u.cleanupUnhealthyReplicas([rs('foo-v2', oldR, undefined, { availableReplicas: ready })], maxCleanup);
    assert.equal(r.total, expected);
    if (expected) assert.equal(r.actions[0].to, oldR - expected);
  }
});

test('cleanupUnhealthyReplicas goes oldest RS first and stops at the cap', () => {
  const older = rs('a', 3, '2016-05-20T00:00:00Z', { availableReplicas: 1 });
  const newer = rs('b', 3, '2016-05-20T01:00:00Z', { availableReplicas: 0 });
  const r = u.cleanupUnhealthyReplicas([newer, older], 3);
  assert.deepEqual(r.actions.map((a) => [a.rs.metadata!.name, a.to]), [['a', 1], ['b', 2]]);
  assert.equal(r.total, 3);
});

test('scaleDownOldReplicaSetsForRollingUpdate (upstream table, maxSurge 0)', () => {
  const cases: [number, number, number, number, boolean, number?][] = [
    [10, 0, 10, 10, true, 9],
    [10, 2, 10, 10, true, 8],
    [10, 2, 8, 10, false],
    [10, 2, 10, 0, false],
    [10, 2, 1, 10, false],
  ];
  for (const [replicas, unavail, ready, oldR, scale, expected] of cases) {
    const d = dep(replicas, { surge: 0, unavail });
    const old = rs('foo-v2', oldR, undefined, { availableReplicas: ready });
    const r = u.scaleDownOldReplicaSetsForRollingUpdate([old], [old], d);
    assert.equal(r.total > 0, scale);
    if (scale) assert.equal(r.actions[0].to, expected);
  }
});

test("the guide's demo arithmetic: 10 replicas, 25%/25%, broken image → old 8, new 5", () => {
  const d: Deployment = { ...dep(10), spec: { ...dep(10).spec!, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } } };
  let old = rs('web-old', 10, '2016-05-20T00:00:00Z', { replicas: 10, availableReplicas: 10 });
  let neu = rs('web-new', 0, '2016-05-20T01:00:00Z', { replicas: 0, availableReplicas: 0 });
  for (let step = 0; step < 10; step++) {
    const up = u.planNewReplicaSet([old, neu], neu, d);
    if (up !== undefined) { neu = { ...neu, spec: { ...neu.spec!, replicas: up }, status: { replicas: up, availableReplicas: 0 } }; continue; }
    const down = u.planOldReplicaSets([old, neu], [old], neu, d);
    if (down.total === 0) break;
    const to = down.actions[0].to;
    old = { ...old, spec: { ...old.spec!, replicas: to }, status: { replicas: to, availableReplicas: to } };
  }
  assert.equal(u.replicasOf(old), 8);
  assert.equal(u.replicasOf(neu), 5);
});

test('proportional scaling (upstream TestScale table)', () => {
  const T = { newer: '2016-05-20T02:00:00Z', old: '2016-05-20T01:00:00Z', older: '2016-05-20T00:00:00Z' };
  type C = { name: string; d: Deployment; old: Deployment; newRS?: [string, number]; olds: [string, number, string][]; eNew?: number; eOld: number[]; desired?: Record<string, number>; newAvail?: number };
  const tpl = (d: Deployment) => { d.spec!.template!.metadata!.labels!.another = 'label'; return d; };
  const cases: C[] = [
    { name: 'normal scaling event: 10 -> 12', d: dep(12), old: dep(10), newRS: ['foo-v1', 10], olds: [], eNew: 12, eOld: [] },
    { name: 'normal scaling event: 10 -> 5', d: dep(5), old: dep(10), newRS: ['foo-v1', 10], olds: [], eNew: 5, eOld: [] },
    { name: 'proportional scaling: 5 -> 10', d: dep(10), old: dep(5), newRS: ['foo-v2', 2], olds: [['foo-v1', 3, T.old]], eNew: 4, eOld: [6] },
    { name: 'proportional scaling: 5 -> 3', d: dep(3), old: dep(5), newRS: ['foo-v2', 2], olds: [['foo-v1', 3, T.old]], eNew: 1, eOld: [2] },
    { name: 'proportional scaling: 9 -> 4', d: dep(4), old: dep(9), newRS: ['foo-v2', 8], olds: [['foo-v1', 1, T.old]], eNew: 4, eOld: [0] },
    { name: 'proportional scaling: 7 -> 10', d: dep(10), old: dep(7), newRS: ['foo-v3', 2], olds: [['foo-v2', 3, T.old], ['foo-v1', 2, T.older]], eNew: 3, eOld: [4, 3] },
    { name: 'proportional scaling: 13 -> 8', d: dep(8), old: dep(13), newRS: ['foo-v3', 2], olds: [['foo-v2', 8, T.old], ['foo-v1', 3, T.older]], eNew: 1, eOld: [5, 2] },
    { name: 'leftover distribution: 3 -> 4', d: dep(4), old: dep(3), newRS: ['foo-v3', 1], olds: [['foo-v2', 1, T.old], ['foo-v1', 1, T.older]], eNew: 2, eOld: [1, 1] },
    { name: 'leftover distribution: 3 -> 2', d: dep(2), old: dep(3), newRS: ['foo-v3', 1], olds: [['foo-v2', 1, T.old], ['foo-v1', 1, T.older]], eNew: 1, eOld: [1, 0] },
    { name: 'proportional scaling (no new rs): 4 -> 5', d: dep(5), old: dep(4), olds: [['foo-v2', 2, T.old], ['foo-v1', 2, T.older]], eOld: [3, 2] },
    { name: 'proportional scaling: 6 -> 0', d: dep(0), old: dep(6), newRS: ['foo-v3', 3], olds: [['foo-v2', 2, T.old], ['foo-v1', 1, T.older]], eNew: 0, eOld: [0, 0] },
    { name: 'proportional scaling: 0 -> 6', d: dep(6), old: dep(6), newRS: ['foo-v3', 0], olds: [['foo-v2', 0, T.old], ['foo-v1', 0, T.older]], eNew: 6, eOld: [0, 0] },
    { name: 'deployment with surge pods', d: dep(20, { surge: 2 }), old: dep(10, { surge: 2 }), newRS: ['foo-v2', 6], olds: [['foo-v1', 6, T.old]], eNew: 11, eOld: [11] },
    { name: 'change both surge and size', d: dep(50, { surge: 6 }), old: dep(10, { surge: 3 }), newRS: ['foo-v2', 5], olds: [['foo-v1', 8, T.old]], eNew: 22, eOld: [34] },
    { name: 'change both size and template', d: tpl(dep(14)), old: dep(10), olds: [['foo-v2', 7, T.newer], ['foo-v1', 3, T.old]], eOld: [10, 4] },
    { name: 'saturated but broken new replica set does not affect old pods', d: dep(2, { surge: 1, unavail: 1 }), old: dep(2, { surge: 1, unavail: 1 }), newRS: ['foo-v2', 2], newAvail: 0, olds: [['foo-v1', 1, T.old]], eNew: 2, eOld: [1] },
  ];
  for (const c of cases) {
    const mk = (name: string, n: number, created: string) => {
      const r = rs(name, n, created);
      const desired = c.desired?.[name] ?? u.replicasOf(c.old);
      u.setReplicasAnnotations(r, desired, desired + u.maxSurge(c.old));
      return r;
    };
    const newRS = c.newRS ? mk(c.newRS[0], c.newRS[1], T.newer) : undefined;
    if (newRS && c.newAvail !== undefined) newRS.status!.availableReplicas = c.newAvail;
    const olds = c.olds.map(([n, r, t]) => mk(n, r, t));
    const plan = u.planScale(c.d, newRS, olds);
    const size = (r: ReplicaSet) => plan.actions.find((a) => a.rs === r)?.to ?? u.replicasOf(r);
    if (newRS) assert.equal(size(newRS), c.eNew, `${c.name}: new`);
    assert.deepEqual(olds.map(size), c.eOld, `${c.name}: old`);
  }
});

test('isScalingEvent: an active RS whose desired-replicas differs', () => {
  const d = dep(5);
  const r = rs('a', 3); u.setReplicasAnnotations(r, 3, 3);
  assert.equal(u.isScalingEvent(d, r, []), true);
  u.setReplicasAnnotations(r, 5, 5);
  assert.equal(u.isScalingEvent(d, r, []), false);
  const z = rs('z', 0); u.setReplicasAnnotations(z, 1, 1);
  assert.equal(u.isScalingEvent(d, r, [z]), false, 'inactive RSs do not count');
});

test('cleanupDeployment planning (upstream table)', () => {
  const w = (name: string, spec: number, status: number) => { const r = rs(name, spec, '2016-05-20T01:00:00Z', { replicas: status }); return r; };
  const deleted = w('foo-1', 0, 0); (deleted.metadata as any).deletionTimestamp = '2016-05-20T03:00:00Z';
  const cases: [ReplicaSet[], number, number][] = [
    [[w('foo-1', 0, 0), w('foo-2', 0, 0), w('foo-3', 0, 0)], 1, 2],
    [[w('foo-1', 0, 0), w('foo-2', 0, 1), w('foo-3', 1, 0), w('foo-4', 1, 1)], 0, 1],
    [[w('foo-1', 0, 0), w('foo-2', 0, 0)], 0, 2],
    [[w('foo-1', 1, 1), w('foo-2', 1, 1)], 0, 0],
    [[deleted], 0, 0],
    [[w('foo-1', 0, 0), w('foo-2', 0, 0), w('foo-3', 0, 0)], 2147483647, 0],
  ];
  for (const [olds, limit, expected] of cases) {
    assert.equal(u.planCleanup(olds, dep(1, { rhl: limit })).length, expected);
  }
  // oldest revisions go first
  const a = w('a', 0, 0), b = w('b', 0, 0), c = w('c', 0, 0);
  a.metadata!.annotations![u.RevisionAnnotation] = '3';
  b.metadata!.annotations![u.RevisionAnnotation] = '1';
  c.metadata!.annotations![u.RevisionAnnotation] = '10';
  assert.deepEqual(u.planCleanup([a, b, c], dep(1, { rhl: 1 })).map((r) => r.metadata!.name), ['b', 'a']);
});

test('FindNewReplicaSet / FindOldReplicaSets (upstream table)', () => {
  const d = dep(3);
  const mkFrom = (dd: Deployment, name: string, hash: string, created: string): ReplicaSet => {
    const t = structuredClone(dd.spec!.template!);
    t.metadata!.labels![u.DefaultDeploymentUniqueLabelKey] = hash;
    return { metadata: { name, creationTimestamp: created, uid: name }, spec: { replicas: 1, selector: dd.spec!.selector, template: t } };
  };
  const newRS = mkFrom(d, 'new', 'hash', '2016-05-20T01:01:00Z');
  const newDup = mkFrom(d, 'dup', 'different-hash', '2016-05-20T01:00:00Z');
  const od = dep(3); od.spec!.template!.spec!.containers[0].name = 'nginx-old-1';
  const oldRS = mkFrom(od, 'old', 'x', '2016-05-20T00:00:00Z');
  assert.equal(u.findNewReplicaSet(d, [newRS, oldRS]), newRS);
  assert.equal(u.findNewReplicaSet(d, [newRS, oldRS, newDup]), newDup, 'the oldest of equal templates');
  assert.equal(u.findNewReplicaSet(d, [oldRS]), undefined);
  const zero = mkFrom(od, 'zero', 'y', '2016-05-20T00:00:00Z'); zero.spec!.replicas = 0;
  const r = u.findOldReplicaSets(d, [newRS, oldRS, zero]);
  assert.deepEqual(r.all.map((x) => x.metadata!.name), ['old', 'zero']);
  assert.deepEqual(r.required.map((x) => x.metadata!.name), ['old']);
});

test('EqualIgnoreHash is semantic: key order, empty values, the hash label', () => {
  const a = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' }, creationTimestamp: null as any }, spec: { containers: [{ name: 'n', image: 'i', env: [] }] } };
  const b = { spec: { containers: [{ image: 'i', name: 'n' }] }, metadata: { labels: { app: 'web' } } };
  assert.equal(u.equalIgnoreHash(a as any, b as any), true);
  assert.equal(u.equalIgnoreHash(a as any, { ...b, spec: { containers: [{ name: 'n', image: 'j' }] } } as any), false);
});

test('pod-template-hash: deterministic, safe alphabet, changes with collisionCount', () => {
  const t = dep(1).spec!.template;
  const h = u.computeHash(t);
  assert.equal(u.computeHash(structuredClone(t)), h);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.notEqual(u.computeHash(t, 1), h);
  assert.notEqual(u.computeHash(t, 1), u.computeHash(t, 2));
  assert.equal(u.computeHash(t, 0) === h, false, 'collisionCount 0 differs from nil, as upstream');
});

test('revisions: max, last, and the rollback moving the old number into revision-history', () => {
  const a = rs('a', 0), b = rs('b', 0), c = rs('c', 0);
  a.metadata!.annotations![u.RevisionAnnotation] = '2';
  b.metadata!.annotations![u.RevisionAnnotation] = '10';
  c.metadata!.annotations![u.RevisionAnnotation] = '9';
  assert.equal(u.maxRevision([a, b, c]), 10, 'integers, not strings');
  assert.equal(u.lastRevision([a, b, c]), 9);
  const d = dep(3);
  d.metadata!.annotations = { 'kubernetes.io/change-cause': 'v1', [u.LastAppliedAnnotation]: '{}', [u.RevisionAnnotation]: '7', keep: 'x' };
  assert.equal(u.setNewReplicaSetAnnotations(d, a, 11, true), true);
  assert.equal(a.metadata!.annotations![u.RevisionAnnotation], '11');
  assert.equal(a.metadata!.annotations![u.RevisionHistoryAnnotation], '2');
  assert.equal(a.metadata!.annotations!['kubernetes.io/change-cause'], 'v1');
  assert.equal(a.metadata!.annotations![u.LastAppliedAnnotation], undefined, 'last-applied not copied');
  u.setNewReplicaSetAnnotations(d, a, 14, true);
  assert.equal(a.metadata!.annotations![u.RevisionHistoryAnnotation], '2,11');
  assert.equal(u.setNewReplicaSetAnnotations(d, a, 12, true), false, 'a lower revision never lowers it');
  const fresh = rs('f', 0);
  u.setNewReplicaSetAnnotations(dep(10, { surge: 3 }), fresh, 1, false);
  assert.equal(fresh.metadata!.annotations![u.DesiredReplicasAnnotation], '10');
  assert.equal(fresh.metadata!.annotations![u.MaxReplicasAnnotation], '13');
  assert.equal(fresh.metadata!.annotations![u.RevisionHistoryAnnotation], undefined);
});

test('DeploymentComplete (upstream table)', () => {
  const mk = (desired: number, current: number, updated: number, available: number, mu: number, ms: number): [Deployment, any] => {
    const d = dep(desired, { unavail: mu, surge: ms });
    (d.metadata as any).generation = 0;
    return [d, { replicas: current, updatedReplicas: updated, availableReplicas: available }];
  };
  const cases: [[Deployment, any], boolean][] = [
    [mk(5, 5, 5, 4, 1, 0), false],
    [mk(5, 5, 5, 3, 1, 0), false],
    [mk(5, 5, 5, 5, 0, 0), true],
    [mk(5, 5, 4, 5, 0, 0), false],
    [mk(5, 6, 5, 5, 0, 0), false],
    [mk(1, 1, 1, 0, 1, 1), false],
  ];
  for (const [[d, s], e] of cases) assert.equal(u.deploymentComplete(d, s), e);
  const [d] = mk(5, 5, 5, 5, 0, 0); (d.metadata as any).generation = 3;
  assert.equal(u.deploymentComplete(d, { replicas: 5, updatedReplicas: 5, availableReplicas: 5, observedGeneration: 2 }), false, 'unobserved generation');
});

test('DeploymentProgressing (upstream table)', () => {
  const st = (current: number, updated: number, ready: number, available: number) => ({ replicas: current, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available });
  const cases: [number[], number[], boolean][] = [
    [[10, 4, 4, 4], [10, 6, 4, 4], true],
    [[10, 4, 4, 4], [10, 4, 4, 4], false],
    [[10, 4, 6, 6], [8, 4, 6, 6], true],
    [[10, 7, 3, 3], [10, 6, 3, 3], false],
    [[10, 4, 7, 7], [8, 8, 5, 5], true],
    [[10, 10, 9, 8], [10, 10, 10, 8], true],
    [[10, 10, 10, 9], [10, 10, 10, 10], true],
  ];
  for (const [o, n, e] of cases) {
    const d = dep(10); d.status = st(o[0], o[1], o[2], o[3]);
    assert.equal(u.deploymentProgressing(d, st(n[0], n[1], n[2], n[3])), e, `${o} -> ${n}`);
  }
});

test('DeploymentTimedOut (upstream table)', () => {
  const t = (min: number, sec: number) => Date.UTC(2016, 0, 1, 0, min, sec);
  const mk = (reason: string, pds: number | undefined, from: number) => {
    const d = dep(1); d.spec!.progressDeadlineSeconds = pds;
    const s = { conditions: [{ type: 'Progressing', status: 'True', reason, lastUpdateTime: new Date(from).toISOString() }] };
    return [d, s] as const;
  };
  const cases: [readonly [Deployment, any], number, boolean][] = [
    [mk('', undefined, t(1, 9)), t(1, 20), false],
    [mk('', 2147483647, t(1, 9)), t(1, 20), false],
    [mk('', 10, t(1, 9)), t(1, 20), true],
    [mk('', 10, t(1, 11)), t(1, 20), false],
    [mk(u.Reasons.NewRSAvailable, 10, 0), t(1, 20), false],
    [mk(u.Reasons.TimedOut, 10, t(1, 19)), t(1, 20), true],
  ];
  for (const [[d, s], now, e] of cases) assert.equal(u.deploymentTimedOut(d, s, now), e);
});

test('calculateStatus: counts, unavailable floored at 0, Available condition by minAvailable', () => {
  const d = dep(10, { surge: 3, unavail: 2 });
  const a = rs('a', 8, undefined, { replicas: 8, readyReplicas: 8, availableReplicas: 8 });
  const b = rs('b', 5, undefined, { replicas: 5, readyReplicas: 0, availableReplicas: 0 });
  const s = u.calculateStatus([a, b], b, d, Date.UTC(2026, 0, 1));
  assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 1, replicas: 13, updatedReplicas: 5, readyReplicas: 8, availableReplicas: 8, unavailableReplicas: 5, conditions: undefined });
  assert.equal(u.getCondition(s, 'Available')!.reason, 'MinimumReplicasAvailable');
  const s2 = u.calculateStatus([rs('c', 2, undefined, { replicas: 5, availableReplicas: 5 })], undefined, dep(2), 0);
  assert.equal(s2.unavailableReplicas, 0);
  const s3 = u.calculateStatus([rs('c', 10, undefined, { replicas: 10, availableReplicas: 7 })], undefined, d, 0);
  assert.equal(u.getCondition(s3, 'Available')!.reason, 'MinimumReplicasUnavailable');
  assert.equal(u.getCondition(s3, 'Available')!.status, 'False');
});

test('SetDeploymentCondition keeps lastTransitionTime while status holds, replaces on reason change', () => {
  const s: any = {};
  u.setCondition(s, u.newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'm1', Date.UTC(2026, 0, 1, 0, 0, 0)));
  u.setCondition(s, u.newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'm2', Date.UTC(2026, 0, 1, 0, 1, 0)));
  assert.equal(s.conditions[0].message, 'm1', 'same status and reason: unchanged');
  u.setCondition(s, u.newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'm3', Date.UTC(2026, 0, 1, 0, 2, 0)));
  assert.equal(s.conditions[0].lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(s.conditions[0].lastUpdateTime, '2026-01-01T00:02:00Z');
  u.setCondition(s, u.newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', 'm4', Date.UTC(2026, 0, 1, 0, 3, 0)));
  assert.equal(s.conditions[0].lastTransitionTime, '2026-01-01T00:03:00Z');
});
