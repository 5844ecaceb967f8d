import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonMergePatch, mergePatchObject } from '../../../src/api/patch/merge.ts';
import { applyJsonPatch, JsonPatchApplyError } from '../../../src/api/patch/json.ts';
import { StatusError } from '../../../src/api/errors.ts';

test('RFC 7386 examples', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    [{ a: 'foo' }, { a: { b: null, c: 1 } }, { a: { c: 1 } }],
  ];
  for (const [o, p, want] of cases) assert.deepEqual(jsonMergePatch(o, p), want, JSON.stringify([o, p]));
  assert.deepEqual(jsonMergePatch({ a: 'b' }, ['c']), ['c']);
});

test('kubectl label / scale bodies; original untouched', () => {
  const pod = { metadata: { name: 'p', labels: { app: 'web', status: 'old' } }, spec: { replicas: 1 } };
  assert.deepEqual(mergePatchObject(pod, { metadata: { labels: { status: 'enabled' } } }), { metadata: { name: 'p', labels: { app: 'web', status: 'enabled' } }, spec: { replicas: 1 } });
  assert.deepEqual(mergePatchObject(pod, { metadata: { labels: { status: null } } }), { metadata: { name: 'p', labels: { app: 'web' } }, spec: { replicas: 1 } });
  assert.deepEqual(mergePatchObject(pod, { spec: { replicas: 10 } }).valueOf(), { metadata: { name: 'p', labels: { app: 'web', status: 'old' } }, spec: { replicas: 10 } });
  assert.equal(pod.metadata.labels.status, 'old');
});

test('merge patch errors', () => {
  for (const bad of [null, 5, 'x', true]) {
    assert.throws(() => jsonMergePatch({}, bad), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'Invalid JSON Patch');
  }
  assert.throws(() => mergePatchObject({}, [1]), (e: unknown) => e instanceof StatusError && e.code === 422);
});

test('JSON patch: kubectl rollout undo body, escaping, all ops', () => {
  const dep = { metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:2' }] } } } };
  const out = applyJsonPatch(dep, [
    { op: 'replace', path: '/spec/template', value: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } } },
    { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '1' } },
  ]) as any;
  assert.equal(out.spec.template.spec.containers[0].image, 'nginx:1');
  assert.equal(dep.spec.template.spec.containers[0].image, 'nginx:2', 'original untouched');
  const o2 = applyJsonPatch(dep, [
    { op: 'add', path: '/metadata/annotations/kubernetes.io~1change-cause', value: 'x' },
    { op: 'test', path: '/spec/replicas', value: 2 },
    { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 'busybox' } },
    { op: 'copy', from: '/spec/replicas', path: '/spec/minReadySeconds' },
    { op: 'move', from: '/metadata/name', path: '/metadata/generateName' },
    { op: 'remove', path: '/spec/template/spec/containers/0' },
  ]) as any;
  assert.equal(o2.metadata.annotations['kubernetes.io/change-cause'], 'x');
  assert.deepEqual(o2.spec.template.spec.containers, [{ name: 'side', image: 'busybox' }]);
  assert.equal(o2.spec.minReadySeconds, 2);
  assert.equal(o2.metadata.generateName, 'web');
  assert.equal(o2.metadata.name, undefined);
});

test('JSON patch errors as upstream', () => {
  const is422 = (e: unknown) => e instanceof JsonPatchApplyError && e.code === 422 && e.reason === 'Invalid' && e.message === 'the server rejected our request due to an error in our request';
  assert.throws(() => applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'test', path: '/spec/replicas', value: 2 }]), (e: unknown) => is422(e) && (e as JsonPatchApplyError).detail === 'test failed');
  assert.throws(() => applyJsonPatch({ spec: {} }, [{ op: 'remove', path: '/spec/nope' }]), is422);
  assert.throws(() => applyJsonPatch({ spec: {} }, [{ op: 'replace', path: '/spec/nope', value: 1 }]), is422);
  assert.throws(() => applyJsonPatch({}, [{ op: 'add', path: '/a/b', value: 1 }]), is422);
  assert.throws(() => applyJsonPatch({}, [{ op: 'bogus', path: '/a' }]), is422);
  assert.throws(() => applyJsonPatch({}, { op: 'add' }), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  assert.throws(() => applyJsonPatch({}, [1]), (e: unknown) => e instanceof StatusError && e.code === 400);
  assert.throws(() => applyJsonPatch({}, new Array(10001).fill({ op: 'test', path: '/a', value: 1 })), (e: unknown) => e instanceof StatusError && e.code === 413);
  assert.throws(() => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/x', value: 1 }]), is422);
});

test('"__proto__" keys are plain data and never reach Object.prototype (all patch types)', async () => {
  const { strategicMergePatch } = await import('../../../src/api/patch/strategic.ts');
  const { applyPatch } = await import('../../../src/api/patch/apply.ts');
  const cm = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"__proto__":"old","a":"1"}}');
  const patch = JSON.parse('{"data":{"__proto__":"new"},"metadata":{"__proto__":{"polluted":"yes"}}}');
  const viaMerge: any = mergePatchObject(cm, patch);
  const viaSmp: any = strategicMergePatch(cm, patch, 'io.k8s.api.core.v1.ConfigMap');
  const viaApply: any = applyPatch({ live: cm, applied: JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","__proto__":{"polluted":"yes"}},"data":{"__proto__":"new"}}'), manager: 'm', force: true, now: '2026-01-01T00:00:00Z' }).object;
  for (const out of [viaMerge, viaSmp, viaApply]) {
    assert.equal(Object.getOwnPropertyDescriptor(out.data, '__proto__')?.value, 'new');
    assert.equal(out.data.a, '1');
    assert.equal(Object.getPrototypeOf(out.metadata), Object.prototype);
  }
  assert.equal(({} as any).polluted, undefined);
  assert.equal((Object.prototype as any).polluted, undefined);
});
