import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, serverSideApply, updateManagedFields, applyConflictError, LAST_APPLIED } from '../../../src/api/patch/apply.ts';
import { toFieldsV1, fromFieldsV1, pathString, FieldSet } from '../../../src/api/patch/fieldpath.ts';
import { StatusError } from '../../../src/api/errors.ts';

const S = 'io.k8s.api.apps.v1.Deployment';
const T0 = '2026-11-27T17:00:00Z', T1 = '2026-11-27T17:01:00Z', T2 = '2026-11-27T17:02:00Z';
const clone = (o: any) => JSON.parse(JSON.stringify(o));

function config(over: { replicas?: number; image?: string; labels?: Record<string, string>; containers?: any[] } = {}): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: over.labels ?? { app: 'web' } },
    spec: { replicas: over.replicas ?? 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } },
      spec: { containers: over.containers ?? [{ name: 'nginx', image: over.image ?? 'nginx:1.25', ports: [{ containerPort: 80 }] }] } } },
  };
}
const apply = (live: any, applied: any, manager = 'kubectl', force = false, now = T1) => applyPatch({ live, applied, manager, force, schemaName: S, now });
const mf = (o: any) => o.metadata.managedFields as any[];
const entry = (o: any, manager: string) => mf(o).find((e) => e.manager === manager);

test('fieldpath: FieldsV1 round trip, ordering and path strings', () => {
  const v1 = { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {} } }, 'f:replicas': {} } };
  const set = fromFieldsV1(v1);
  assert.equal(set.size, 5);
  assert.deepEqual(toFieldsV1(set), v1);
  assert.deepEqual(Object.keys(toFieldsV1(new FieldSet().insert(['f:b']).insert(['k:{"a":1}']).insert(['f:a']).insert(['v:"x"']))), ['f:a', 'f:b', 'k:{"a":1}', 'v:"x"']);
  assert.equal(pathString(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']), '.spec.template.spec.containers[name="nginx"].image');
  assert.equal(pathString(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}']), '.spec.ports[port=80,protocol="TCP"]');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"a"']), '.metadata.finalizers[="a"]');
});

test('create by apply: object and managedFields as upstream', () => {
  const r = apply(undefined, config(), 'kubectl', false, T0);
  assert.deepEqual(r.conflicts, []);
  assert.equal(r.changed, true);
  const o: any = r.object;
  assert.equal(o.spec.replicas, 2);
  assert.deepEqual(mf(o).map((e) => [e.manager, e.operation, e.apiVersion, e.time, e.fieldsType]), [['kubectl', 'Apply', 'apps/v1', T0, 'FieldsV1']]);
  assert.deepEqual(mf(o)[0].fieldsV1, {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:template': { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:containers': {
      'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } } } },
  });
});

test('re-apply of the same configuration is a no-op (time kept)', () => {
  const o: any = apply(undefined, config(), 'kubectl', false, T0).object;
  const r = apply(o, config(), 'kubectl', false, T2);
  assert.equal(r.changed, false);
  assert.deepEqual(r.object, o);
});

test('fields no longer applied are removed, unless another manager owns them', () => {
  const o: any = apply(undefined, config({ labels: { app: 'web', tier: 'fe' }, containers: [{ name: 'nginx', image: 'nginx' }, { name: 'side', image: 'busybox' }] }), 'kubectl', false, T0).object;
  const r: any = apply(o, config({ containers: [{ name: 'nginx', image: 'nginx' }] }), 'kubectl', false, T1).object;
  assert.deepEqual(r.metadata.labels, { app: 'web' });
  assert.deepEqual(r.spec.template.spec.containers.map((c: any) => c.name), ['nginx']);
  // another manager took the label with an Update: it stays
  const edited = clone(o); edited.metadata.labels.tier = 'be';
  updateManagedFields(o, edited, 'kubectl-edit', 'Update', 'apps/v1', T1, { schemaName: S });
  const r2: any = apply(edited, config({ containers: [{ name: 'nginx', image: 'nginx' }, { name: 'side', image: 'busybox' }] }), 'kubectl', false, T2).object;
  assert.equal(r2.metadata.labels.tier, 'be');
});

test('conflict with an Update manager (kubectl scale): 409 as upstream; force takes ownership', () => {
  const o: any = apply(undefined, config(), 'kubectl', false, T0).object;
  const scaled = clone(o); scaled.spec.replicas = 5;
  updateManagedFields(o, scaled, 'kubectl-scale', 'Update', 'apps/v1', T1, { schemaName: S });
  assert.deepEqual(entry(scaled, 'kubectl-scale').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(entry(scaled, 'kubectl').fieldsV1['f:spec']['f:replicas'], undefined, 'the Update took replicas from the applier');
  const r = apply(scaled, config(), 'kubectl', false, T2);
  assert.deepEqual(r.conflicts, [{ manager: '"kubectl-scale" using apps/v1', field: '.spec.replicas' }]);
  assert.equal((r.object as any).spec.replicas, 5);
  assert.throws(() => serverSideApply({ live: scaled, applied: config(), manager: 'kubectl', force: false, schemaName: S, now: T2 }), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 409);
    assert.equal(e.reason, 'Conflict');
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
    assert.deepEqual(e.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" using apps/v1', field: '.spec.replicas' }]);
    return true;
  });
  const forced: any = apply(scaled, config(), 'kubectl', true, T2).object;
  assert.equal(forced.spec.replicas, 2);
  assert.equal(entry(forced, 'kubectl-scale'), undefined);
  assert.deepEqual(entry(forced, 'kubectl').fieldsV1['f:spec']['f:replicas'], {});
});

test('two appliers: same value is shared, a different value conflicts (Apply managers print without version)', () => {
  const o: any = apply(undefined, config(), 'a', false, T0).object;
  const shared = apply(o, config(), 'b', false, T1);
  assert.deepEqual(shared.conflicts, []);
  assert.ok(entry(shared.object, 'a') && entry(shared.object, 'b'));
  const r = apply(o, config({ replicas: 3, image: 'nginx:2' }), 'b', false, T1);
  assert.deepEqual(r.conflicts, [
    { manager: '"a"', field: '.spec.replicas' },
    { manager: '"a"', field: '.spec.template.spec.containers[name="nginx"].image' },
  ]);
  assert.equal(applyConflictError(r.conflicts).message,
    'Apply failed with 2 conflicts: conflicts with "a":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
});

test('client-side apply → server-side apply upgrade: kubectl takes fields still matching last-applied', () => {
  const la = config({ replicas: 3 });
  const created = clone(la);
  created.metadata.annotations = { [LAST_APPLIED]: JSON.stringify(la) + '\n' };
  updateManagedFields(null, created, 'kubectl-client-side-apply', 'Update', 'apps/v1', T0, { schemaName: S });
  const r = apply(created, config({ replicas: 4 }), 'kubectl', false, T1);
  assert.deepEqual(r.conflicts, []);
  const o: any = r.object;
  assert.equal(o.spec.replicas, 4);
  assert.equal(JSON.parse(o.metadata.annotations[LAST_APPLIED]).spec.replicas, 4, 'annotation kept in step');
  // a field changed since (live differs from last-applied) still conflicts
  const edited = clone(created); edited.spec.replicas = 7;
  updateManagedFields(created, edited, 'kubectl-client-side-apply', 'Update', 'apps/v1', T1, { schemaName: S });
  const r2 = apply(edited, config({ replicas: 4 }), 'kubectl', false, T2);
  assert.deepEqual(r2.conflicts, [{ manager: '"kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }]);
  // another manager name gets no such allowance
  assert.equal(apply(created, config({ replicas: 4 }), 'other', false, T1).conflicts.length, 1);
});

test('objects without managedFields: existing fields belong to before-first-apply', () => {
  const live = config({ replicas: 1 });
  const r = apply(live, config({ replicas: 1, labels: { app: 'web', x: 'y' } }), 'kubectl', false, T1);
  assert.deepEqual(r.conflicts, []);
  const o: any = r.object;
  assert.deepEqual(mf(o).map((e) => [e.manager, e.operation]), [['kubectl', 'Apply'], ['before-first-apply', 'Update']]);
  assert.equal(apply(live, config({ replicas: 9 }), 'kubectl', false, T1).conflicts[0].manager, '"before-first-apply" using apps/v1');
});

test('status is not owned through the main resource; /status owns only status', () => {
  const o: any = apply(undefined, { ...config(), status: { replicas: 2 } }, 'kubectl', false, T0).object;
  assert.equal(mf(o)[0].fieldsV1['f:status'], undefined);
  const next = clone(o); next.status = { replicas: 2, readyReplicas: 2 };
  updateManagedFields(o, next, 'kube-controller-manager', 'Update', 'apps/v1', T1, { schemaName: S, subresource: 'status' });
  const e = entry(next, 'kube-controller-manager');
  assert.equal(e.subresource, 'status');
  assert.deepEqual(e.fieldsV1, { 'f:status': { 'f:readyReplicas': {} } }, 'only what changed');
});

test('create by Update marks maps and pointers added, as upstream kubectl-create entries', () => {
  const created: any = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }], securityContext: {} } } } };
  updateManagedFields(null, created, 'kubectl-create', 'Update', 'apps/v1', T0, { schemaName: S });
  assert.deepEqual(mf(created)[0].fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {} }, 'f:type': {} },
      'f:template': { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:securityContext': {} } } },
  });
  // an update that changes nothing keeps the entries as they are
  const same = clone(created);
  updateManagedFields(created, same, 'other', 'Update', 'apps/v1', T1, { schemaName: S });
  assert.deepEqual(same.metadata.managedFields, created.metadata.managedFields);
  // a second update by the same manager unions its fields and refreshes the time
  const more = clone(created); more.spec.paused = true;
  updateManagedFields(created, more, 'kubectl-create', 'Update', 'apps/v1', T1, { schemaName: S });
  assert.equal(mf(more)[0].time, T1);
  assert.deepEqual(mf(more)[0].fieldsV1['f:spec']['f:paused'], {});
  assert.deepEqual(mf(more)[0].fieldsV1['f:spec']['f:replicas'], {});
});

test('sets (finalizers) and removal of a field removes it from every owner', () => {
  const o: any = apply(undefined, { ...config(), metadata: { name: 'web', finalizers: ['a/b'] } }, 'kubectl', false, T0).object;
  assert.deepEqual(mf(o)[0].fieldsV1['f:metadata'], { 'f:finalizers': { 'v:"a/b"': {} } });
  const removed = clone(o); delete removed.metadata.finalizers;
  updateManagedFields(o, removed, 'gc', 'Update', 'apps/v1', T1, { schemaName: S });
  assert.equal(entry(removed, 'kubectl').fieldsV1['f:metadata'], undefined);
  assert.equal(entry(removed, 'gc'), undefined, 'a pure removal gives the remover nothing');
});

test('apply errors: managedFields in the body; entries sorted Apply before Update', () => {
  assert.throws(() => apply(undefined, { ...config(), metadata: { name: 'web', managedFields: [{ manager: 'x' }] } }), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'metadata.managedFields must be nil');
  const o: any = apply(undefined, config(), 'kubectl', false, T0).object;
  const up = clone(o); up.metadata.annotations = { a: 'b' };
  updateManagedFields(o, up, 'aaa', 'Update', 'apps/v1', T0, { schemaName: S });
  assert.deepEqual(mf(up).map((e) => e.operation), ['Apply', 'Update']);
});

test('positional call forms used by the API server wiring', () => {
  const created: any = serverSideApply(null, config(), { manager: 'kubectl', force: false, schemaName: S, now: T0 });
  assert.equal(mf(created)[0].manager, 'kubectl');
  const scaled = clone(created); scaled.spec.replicas = 5;
  const out: any = updateManagedFields(scaled, created, { manager: 'kubectl-scale', operation: 'Update', schemaName: S, now: T1 });
  assert.equal(out, scaled, 'mutated in place');
  assert.deepEqual(entry(scaled, 'kubectl-scale'), { manager: 'kubectl-scale', operation: 'Update', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
  assert.throws(() => serverSideApply(scaled, config(), { manager: 'kubectl', schemaName: S }), (e: unknown) => e instanceof StatusError && e.code === 409);
  const t = (serverSideApply(scaled, config(), { manager: 'kubectl', force: true, schemaName: S }) as any).metadata.managedFields[0].time;
  assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('the schema is found from apiVersion and kind when not given', () => {
  const o: any = applyPatch({ applied: config(), manager: 'kubectl', force: false, now: T0 }).object;
  assert.ok(mf(o)[0].fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'], 'containers keyed by name');
  const scaled = clone(o); scaled.spec.replicas = 7;
  updateManagedFields(o, scaled, 'kubectl-scale', 'Update', 'apps/v1', T1);
  assert.deepEqual(entry(scaled, 'kubectl-scale').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  const svc: any = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } };
  updateManagedFields(null, svc, 'm', 'Update', 'v1', T0);
  assert.deepEqual(mf(svc)[0].fieldsV1['f:spec']['f:ports'], { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } }, 'an omitempty list is added with its items, as upstream');
});

test('an update sending managedFields [{}] resets ownership', () => {
  const o: any = apply(undefined, config(), 'kubectl', false, T0).object;
  const next = clone(o); next.metadata.managedFields = [{}]; next.spec.replicas = 4;
  updateManagedFields(o, next, 'editor', 'Update', 'apps/v1', T1, { schemaName: S });
  assert.deepEqual(mf(next).map((e) => e.manager), ['editor']);
  assert.deepEqual(mf(next)[0].fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  const kept = clone(o); kept.metadata.managedFields = []; kept.spec.replicas = 4;
  updateManagedFields(o, kept, 'editor', 'Update', 'apps/v1', T1, { schemaName: S });
  assert.deepEqual(mf(kept).map((e) => e.manager), ['kubectl', 'editor'], 'an empty list keeps the stored entries');
});

test('more than 10 Update managers: the oldest merge into ancient-changes', () => {
  let o: any = apply(undefined, config(), 'kubectl', false, T0).object;
  for (let i = 0; i < 12; i++) {
    const next = clone(o); next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [`a${i}`]: 'x' };
    updateManagedFields(o, next, `m${String(i).padStart(2, '0')}`, 'Update', 'apps/v1', new Date(Date.parse(T0) + (i + 1) * 1000).toISOString().replace('.000Z', 'Z'), { schemaName: S });
    o = next;
  }
  const names = mf(o).map((e) => e.manager);
  assert.equal(mf(o).filter((e) => e.operation === 'Update').length, 10);
  assert.ok(names.includes('ancient-changes'));
  assert.ok(!names.includes('m00') && !names.includes('m01') && !names.includes('m02'));
  const ancient = entry(o, 'ancient-changes');
  assert.deepEqual(Object.keys(ancient.fieldsV1['f:metadata']['f:annotations']).sort(), ['.', 'f:a0', 'f:a1', 'f:a2']);
  assert.equal(names[0], 'kubectl', 'Apply entries first');
});

test('a second applier, with and without --force-conflicts: who owns each field afterwards (upstream merge.Updater)', () => {
  // The first applier owns everything it applied; the second applies the same configuration, or a changed one.
  const owners = (o: any, field: string) => mf(o)
    .filter((e) => { const fs = fromFieldsV1(e.fieldsV1); return fs.paths().some((p) => pathString(p) === field); })
    .map((e) => e.manager).sort();
  const base: any = apply(undefined, config(), 'kubectl', false, T0).object;
  const cases: { name: string; applied: any; force: boolean; conflicts: string[]; replicas: string[]; image: string[]; labels: string[] }[] = [
    // Same values: no conflict, with or without force; every field it applied is shared.
    { name: 'same values, force', applied: config(), force: true, conflicts: [], replicas: ['kubectl', 'my-field-manager'], image: ['kubectl', 'my-field-manager'], labels: ['kubectl', 'my-field-manager'] },
    { name: 'same values, no force', applied: config(), force: false, conflicts: [], replicas: ['kubectl', 'my-field-manager'], image: ['kubectl', 'my-field-manager'], labels: ['kubectl', 'my-field-manager'] },
    // A changed value: a conflict without force; with force the new manager takes it, the rest stays shared.
    { name: 'changed replicas, no force', applied: config({ replicas: 5 }), force: false, conflicts: ['.spec.replicas'], replicas: ['kubectl'], image: ['kubectl'], labels: ['kubectl'] },
    { name: 'changed replicas, force', applied: config({ replicas: 5 }), force: true, conflicts: [], replicas: ['my-field-manager'], image: ['kubectl', 'my-field-manager'], labels: ['kubectl', 'my-field-manager'] },
    // A configuration naming fewer fields: it co-owns only those.
    { name: 'only replicas, force', applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, force: true, conflicts: [], replicas: ['kubectl', 'my-field-manager'], image: ['kubectl'], labels: ['kubectl'] },
  ];
  for (const c of cases) {
    const r = apply(clone(base), c.applied, 'my-field-manager', c.force, T1);
    assert.deepEqual(r.conflicts.map((x) => x.field), c.conflicts, c.name);
    const o = r.object as any;
    assert.deepEqual(owners(o, '.spec.replicas'), c.replicas, `${c.name}: replicas`);
    assert.deepEqual(owners(o, '.spec.template.spec.containers[name="nginx"].image'), c.image, `${c.name}: image`);
    assert.deepEqual(owners(o, '.metadata.labels.app'), c.labels, `${c.name}: labels`);
    if (!c.conflicts.length) {
      const me = entry(o, 'my-field-manager');
      assert.deepEqual([me.operation, me.apiVersion, me.time], ['Apply', 'apps/v1', T1], c.name);
    }
  }
  // The co-owned object: kubectl re-applying its old value now conflicts with the forcing manager only where it took over.
  const forced: any = apply(clone(base), config({ replicas: 5 }), 'my-field-manager', true, T1).object;
  const back = apply(forced, config({ replicas: 2, image: 'nginx:1.25' }), 'kubectl', false, T2);
  assert.deepEqual(back.conflicts, [{ manager: '"my-field-manager"', field: '.spec.replicas' }]);
});
