/**
 * A little fuzzing over HTTPS: valid objects of every kind, mutated at random (wrong types, deleted fields,
 * nulls, huge strings, deep nesting, unknown fields, numbers past their Go type), sent as create, update, and
 * every patch type; hostile names (dot segments and their encodings, %2F, %25) in every verb's name position.
 * No answer may be a 5xx, the server must keep serving, and what was stored must still read back as JSON.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from './harness.ts';
import { R } from '../../src/client/resources.ts';
import { StatusError } from '../../src/api/errors.ts';

let c: Cluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

// Deterministic PRNG so a failure can be replayed.
let seed = 20261127;
const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];

const podSpec = { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: 'b' }] }] };
const seeds: [typeof R[keyof typeof R], any][] = [
  [R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: podSpec }],
  [R.deployments, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: podSpec } } }],
  [R.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', selector: { a: 'b' }, ports: [{ port: 80, targetPort: 8080 }] } }],
  [R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } }],
  [R.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { a: 'Yg==' } }],
  [R.endpointslices, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'es' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] }],
  [R.leases, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { holderIdentity: 'x', leaseDurationSeconds: 10 } }],
  [R.events, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'ev' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R', message: 'm' }],
];

const weird = (): unknown => pick<() => unknown>([
  () => null, () => 42, () => -1, () => 1e308, () => 'x'.repeat(70000), () => '', () => true, () => [], () => {},
  () => [[[[[]]]]], () => ({ a: { b: { c: { d: 1 } } } }), () => '\u0000\uffff', () => '../../etc', () => ({ $patch: 'delete' }),
  () => JSON.parse('{"__proto__":{"polluted":1}}'), () => Array.from({ length: 50 }, (_, i) => i),
  // Numbers past their Go type: int32 and int64 overflow, floats into integers.
  () => 2147483648, () => -2147483649, () => 1e12, () => 0.5, () => 2 ** 53 + 2, () => -1e300,
])();

function paths(o: any, base: string[] = [], out: string[][] = []): string[][] {
  if (o && typeof o === 'object') {
    for (const k of Object.keys(o)) { out.push([...base, k]); paths(o[k], [...base, k], out); }
  }
  return out;
}

function mutate(obj: any): any {
  const o = JSON.parse(JSON.stringify(obj));
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const ps = paths(o).filter((p) => !(p.length === 2 && p[0] === 'metadata' && p[1] === 'name'));
    if (!ps.length) break;
    const p = pick(ps);
    let parent = o;
    for (const k of p.slice(0, -1)) parent = parent[k];
    const key = p[p.length - 1];
    const action = rnd();
    if (action < 0.3) delete parent[key];
    else if (action < 0.8) parent[key] = weird();
    else parent[`bogus${Math.floor(rnd() * 100)}`] = weird();
  }
  return o;
}

test('mutated objects of every kind never get a 5xx and never break the server', async () => {
  const results: Record<string, number> = {};
  let i = 0;
  for (let round = 0; round < 12; round++) {
    for (const [ref, base] of seeds) {
      const name = `${base.metadata.name}-${i++}`;
      const obj = mutate({ ...base, metadata: { ...base.metadata, name } });
      const note = (e: unknown) => {
        const code = e instanceof StatusError ? e.code : 0;
        results[code] = (results[code] ?? 0) + 1;
        assert.ok(code >= 400 && code < 500, `${ref.plural} ${JSON.stringify(obj).slice(0, 300)} -> ${code} ${(e as Error).message}`);
      };
      const ok = (code: number) => { results[code] = (results[code] ?? 0) + 1; };
      try { await c.client.create(ref, 'default', obj); ok(201); } catch (e) { note(e); }
      // make sure a valid one exists, then update/patch it with mutations
      const valid = { ...base, metadata: { ...base.metadata, name: `${base.metadata.name}-v${round}` } };
      await c.client.create(ref, 'default', valid).catch((e) => { if (e.code !== 409) throw e; });
      const cur = await c.client.get(ref, 'default', valid.metadata.name);
      const m = mutate(cur);
      m.metadata = { ...(typeof m.metadata === 'object' && m.metadata ? m.metadata : {}), name: valid.metadata.name };
      try { await c.client.update(ref, 'default', m); ok(200); } catch (e) { note(e); }
      const patch = mutate({ metadata: { labels: { x: 'y' } }, spec: cur.spec ?? {}, data: cur.data ?? {} });
      for (const type of ['merge', 'strategic'] as const) {
        try { await c.client.patch(ref, 'default', valid.metadata.name, patch, type); ok(200); } catch (e) { note(e); }
      }
      const jp = [{ op: pick(['add', 'replace', 'remove', 'move', 'copy', 'test', 'bogus']), path: '/' + pick(paths(cur)).join('/'), value: weird(), from: '/metadata/name' }];
      try { await c.client.patch(ref, 'default', valid.metadata.name, jp, 'json'); ok(200); } catch (e) { note(e); }
      try { await c.client.patch(ref, 'default', valid.metadata.name, { ...m, apiVersion: base.apiVersion, kind: base.kind }, 'apply', undefined, { fieldManager: 'fuzz', force: true }); ok(200); } catch (e) { note(e); }
    }
  }
  // Hostile names in the name position (dot segments, their encodings, separators and %): 4xx, never the parent.
  for (const [ref] of seeds) {
    for (const seg of ['.', '..', '%2e', '%2e%2e', '.%2E', '%2F', 'a%2Fb', '%25', 'a%25b', '%2e%2e%2f%2e%2e']) {
      for (const [method, body] of [['GET', undefined], ['DELETE', undefined], ['PUT', '{}'], ['PATCH', '{}']] as const) {
        const path = `/${ref.group ? `apis/${ref.group}` : 'api'}/${ref.version}/namespaces/default/${ref.plural}/${seg}`;
        try {
          const got = await c.client.request(method, path, body, method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
          assert.fail(`${method} ${path} answered 2xx: ${JSON.stringify(got).slice(0, 200)}`);
        } catch (e) {
          if (!(e instanceof StatusError)) throw e;
          results[e.code] = (results[e.code] ?? 0) + 1;
          assert.ok(e.code >= 400 && e.code < 500, `${method} ${path} -> ${e.code} ${e.message}`);
        }
      }
    }
  }
  // still serving, and everything stored reads back
  for (const [ref] of seeds) {
    const l = await c.client.list(ref, 'default');
    for (const o of l.items) assert.equal(typeof o.metadata.name, 'string');
  }
  const prototype = ({} as any).polluted;
  assert.equal(prototype, undefined);
  assert.ok(Object.keys(results).length > 1, JSON.stringify(results));
});
