import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../../src/api/registry.ts';
import { findTypeErrors, findUnknownFields, pruneUnknownFields } from '../../../src/api/schema-walk.ts';
import type { KubeObject } from '../../../src/api/resource.ts';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const WEIRD: unknown[] = [null, 0, -1, 1.5, '', 'x', 'Bad_Name', true, false, [], [1, 'a', null], {}, { a: 1 }, [{}], 70000, '25%', '-5%', { name: 7 }];

function seedObject(kind: string): KubeObject {
  const spec = { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }], volumes: [{ name: 'v', emptyDir: {} }] } } };
  const podSpec = spec.template.spec;
  switch (kind) {
    case 'Deployment': case 'ReplicaSet': return { metadata: { name: 'x', namespace: 'default', labels: { a: 'b' } }, spec };
    case 'Pod': return { metadata: { name: 'x', namespace: 'default' }, spec: podSpec };
    case 'Service': return { metadata: { name: 'x', namespace: 'default' }, spec: { selector: { a: 'b' }, ports: [{ port: 80 }] } };
    default: return { metadata: { name: 'x', namespace: 'default' }, spec: { a: 1 }, data: { k: 'v' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }], endpoints: [{ addresses: ['10.0.0.1'] }], addressType: 'IPv4' };
  }
}

/** Replace one random node of the object with a weird value. */
function mutate(o: any, r: () => number): void {
  let cur = o;
  for (let depth = 0; depth < 8; depth++) {
    const keys = cur && typeof cur === 'object' ? Object.keys(cur) : [];
    if (!keys.length) return;
    const k = keys[Math.floor(r() * keys.length)];
    if (r() < 0.35 || cur[k] === null || typeof cur[k] !== 'object') { cur[k] = structuredClone(WEIRD[Math.floor(r() * WEIRD.length)]); return; }
    cur = cur[k];
  }
}

test('defaults, validate, prepare hooks and schema walks never throw on garbage (2,400 mutated objects)', () => {
  const r = rng(42);
  for (const def of resources) {
    for (let i = 0; i < 200; i++) {
      const obj = seedObject(def.kind);
      for (let m = 0; m < 1 + Math.floor(r() * 3); m++) mutate(obj, r);
      const old = seedObject(def.kind);
      assert.doesNotThrow(() => {
        findTypeErrors(obj, def.schemaName);
        findUnknownFields(obj, def.schemaName);
        const copy = structuredClone(obj);
        pruneUnknownFields(copy, def.schemaName);
        def.prepareForCreate?.(structuredClone(obj));
        const d = structuredClone(obj);
        def.defaults(d);
        const errs = def.validate(d);
        assert.ok(Array.isArray(errs));
        for (const e of errs) assert.ok(typeof e.field === 'string' && typeof e.message === 'string' && e.type);
        def.defaults(old);
        const u = structuredClone(obj);
        def.prepareForUpdate?.(u, old);
        def.defaults(u);
        def.validate(u, old);
        const st = structuredClone(obj);
        def.prepareForStatusUpdate?.(st, old);
        def.validateStatus?.(st, old);
      }, `${def.kind} #${i}: ${JSON.stringify(obj)}`);
    }
  }
});

test('deeply nested and huge inputs do not overflow the walkers', () => {
  let deep: any = { leaf: 1 };
  for (let i = 0; i < 5000; i++) deep = { spec: deep };
  for (const def of resources) {
    assert.doesNotThrow(() => { findUnknownFields(deep, def.schemaName); findTypeErrors(deep, def.schemaName); });
  }
  const many = { metadata: { name: 'x', labels: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, `v${i}`])) } };
  const d = resources.find((x) => x.kind === 'ConfigMap')!;
  assert.deepEqual(d.validate({ ...many, metadata: { ...many.metadata, namespace: 'default' } }), []);
});
