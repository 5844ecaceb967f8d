/**
 * The create fast path of updateManagedFields (old == null, nobody else managing) must write exactly what the
 * general path writes: a create is an update from the kind's zero value, so the general path is reached by
 * passing that zero value as the old object.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateManagedFields } from '../../../src/api/patch/apply.ts';
import { Typed } from '../../../src/api/patch/typed.ts';
import { getSchema, resolve } from '../../../src/api/schema-walk.ts';
import { findByKind } from '../../../src/api/registry.ts';

const T0 = '2026-12-02T16:00:00Z';
const typed = new Typed(resolve);
const clone = (o: any) => JSON.parse(JSON.stringify(o));

function both(schemaName: string, obj: any, manager = 'kubectl-create', now = T0): { fast: any; general: any } {
  const fast = clone(obj);
  const general = clone(obj);
  updateManagedFields(fast, null, { manager, operation: 'Update', schemaName, now });
  updateManagedFields(general, typed.zero(getSchema(schemaName)), { manager, operation: 'Update', schemaName, now });
  return { fast, general };
}

function same(schemaName: string, obj: any, label: string, manager?: string, now?: string): any {
  const { fast, general } = both(schemaName, obj, manager, now);
  // Byte-identical: key order matters in what the server stores and returns.
  assert.equal(JSON.stringify(fast), JSON.stringify(general), `${label}: fast path differs from the general path`);
  return fast;
}

const meta = (name: string, extra: any = {}) => ({ name, namespace: 'default', uid: '6f0c1f3e-1111-2222-3333-444455556666', creationTimestamp: T0, generation: 1, ...extra });

/** Objects as the registry creates them (server metadata set, defaults applied). */
function created(): { schema: string; obj: any }[] {
  const raw: { group: string; kind: string; obj: any }[] = [
    { group: '', kind: 'ConfigMap', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('c', { labels: { app: 'bench' } }), data: { payload: 'x'.repeat(40) }, binaryData: {} } },
    { group: 'apps', kind: 'Deployment', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', { labels: { app: 'web' }, annotations: { a: 'b' } }),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } },
        spec: { containers: [
          { name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }, { containerPort: 443, protocol: 'TCP', name: 'https' }],
            env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], resources: { limits: { cpu: '1' } } },
          { name: 'side', image: 'busybox', command: ['sleep', '1d'] }],
        volumes: [{ name: 'v', emptyDir: {} }], securityContext: {} } } },
      status: { replicas: 3 } } },
    { group: '', kind: 'Pod', obj: { apiVersion: 'v1', kind: 'Pod', metadata: meta('p', { labels: { a: 'b' }, finalizers: ['x/y', 'x/z'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }] }),
      spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }], tolerations: [{ key: 'k', operator: 'Exists' }], nodeSelector: { x: 'y' } } } },
    { group: '', kind: 'Service', obj: { apiVersion: 'v1', kind: 'Service', metadata: meta('s'),
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }, { port: 53, protocol: 'UDP', name: 'dns', targetPort: 'dns' }], clusterIP: '10.96.0.10' } } },
    { group: '', kind: 'Namespace', obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', uid: 'u', creationTimestamp: T0, labels: { 'kubernetes.io/metadata.name': 'n' } }, spec: {} } },
    { group: '', kind: 'Secret', obj: { apiVersion: 'v1', kind: 'Secret', metadata: meta('sec'), type: 'Opaque', data: { a: 'YQ==' }, immutable: null } },
    { group: '', kind: 'Event', obj: { apiVersion: 'v1', kind: 'Event', metadata: meta('ev'), involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'X', source: {}, firstTimestamp: null } },
    { group: '', kind: 'Node', obj: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, spec: { podCIDR: '10.0.0.0/24', taints: [{ key: 'a', effect: 'NoSchedule' }] } } },
    { group: 'apps', kind: 'ReplicaSet', obj: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('rs', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u', controller: true, blockOwnerDeletion: true }] }),
      spec: { replicas: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } } },
    { group: 'discovery.k8s.io', kind: 'EndpointSlice', obj: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('es'), addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
    { group: 'coordination.k8s.io', kind: 'Lease', obj: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('l'), spec: { holderIdentity: 'x', leaseDurationSeconds: 15 } } },
    { group: '', kind: 'Endpoints', obj: { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('e'), subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] } },
  ];
  return raw.map(({ group, kind, obj }) => {
    const def = findByKind(group, kind)!;
    def.defaults(obj);
    return { schema: def.schemaName, obj };
  });
}

test('create managedFields: the fast path writes what the general path writes, for every kind served', () => {
  for (const { schema, obj } of created()) {
    const out = same(schema, obj, schema);
    assert.equal(out.metadata.managedFields.length, 1, schema);
  }
});

test('create managedFields: nulls, empty maps and lists, zero-valued structs, unknown fields, odd keys', () => {
  const D = 'io.k8s.api.apps.v1.Deployment';
  const base = () => clone(created().find((c) => c.schema === D)!.obj);
  const cases: [string, (o: any) => void][] = [
    ['spec null (the zero value has a struct)', (o) => { o.spec = null; }],
    ['spec empty', (o) => { o.spec = {}; }],
    ['selector null (the zero value has null)', (o) => { o.spec.selector = null; }],
    ['containers empty list (zero null)', (o) => { o.spec.template.spec.containers = []; }],
    ['containers null', (o) => { o.spec.template.spec.containers = null; }],
    ['strategy empty (zero {})', (o) => { o.spec.strategy = {}; }],
    ['template only metadata', (o) => { o.spec.template = { metadata: {} }; }],
    ['labels empty map', (o) => { o.metadata.labels = {}; }],
    ['annotations null', (o) => { o.metadata.annotations = null; }],
    ['metadata only stripped fields', (o) => { o.metadata = { name: 'x', namespace: 'd', uid: 'u', generation: 1, resourceVersion: '5', selfLink: '/x' }; }],
    ['metadata empty', (o) => { o.metadata = {}; }],
    ['duplicate keyed items (first wins)', (o) => { o.spec.template.spec.containers.push({ name: 'nginx', image: 'other', stdin: true }); }],
    ['duplicate set items', (o) => { o.metadata.finalizers = ['a', 'a', 'b']; }],
    ['unknown fields (deduced from the value)', (o) => { o.spec.extra = { a: { b: [1, 2] }, c: null, d: {} }; o.spec.template.spec.containers[0].x = [{ y: 1 }]; }],
    ['__proto__ and odd keys in maps', (o) => { o.metadata.labels = JSON.parse('{"__proto__":"x","a.b/c":"d","":"e"}'); }],
    ['status is not the main resource\'s', (o) => { o.status = { replicas: 4, conditions: [{ type: 'Available', status: 'True' }] }; }],
    ['keyed list item without its key', (o) => { o.spec.template.spec.containers[0].ports = [{ name: 'p' }, { containerPort: 1 }]; }],
    ['managedFields [{}] resets', (o) => { o.metadata.managedFields = [{}]; }],
    ['managedFields not a list', (o) => { o.metadata.managedFields = 'x'; }],
    ['an undefined property', (o) => { o.spec.paused = undefined; }],
  ];
  for (const [label, mutate] of cases) {
    const o = base();
    mutate(o);
    same(D, o, label);
  }
  // No time, another manager name; a create that owns nothing has no managedFields at all.
  same(D, base(), 'empty time', 'm', '');
  const nothing = same('io.k8s.api.core.v1.ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', managedFields: [{}] } }, 'nothing owned');
  assert.equal(nothing.metadata.managedFields, undefined);
  // Sent managedFields on create keep the general path (others' entries are kept): same answer either way.
  const sent = base();
  sent.metadata.managedFields = [{ manager: 'other', operation: 'Update', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
  const kept = same(D, sent, 'sent managedFields');
  assert.deepEqual(kept.metadata.managedFields.map((e: any) => e.manager), ['kubectl-create']);
});

test('create managedFields: fast and general paths agree on randomly pruned objects', () => {
  // Deterministic pseudo-random pruning: each node is kept, removed, nulled, emptied or replaced by a scalar.
  let seed = 42;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const prune = (v: any, depth: number): any => {
    if (Array.isArray(v)) return v.map((x) => prune(x, depth + 1)).filter((x) => x !== undefined);
    if (v && typeof v === 'object') {
      const out: any = {};
      for (const k of Object.keys(v)) {
        const r = rnd();
        if (depth > 0 && r < 0.08) continue;
        if (depth > 0 && r < 0.12) { out[k] = null; continue; }
        if (depth > 0 && r < 0.15) { out[k] = Array.isArray(v[k]) ? [] : {}; continue; }
        if (depth > 0 && r < 0.16) { out[k] = 'x'; continue; }
        const c = prune(v[k], depth + 1);
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    return v;
  };
  let n = 0;
  for (const { schema, obj } of created()) {
    for (let i = 0; i < 60; i++) {
      const o = prune(obj, 0);
      o.metadata = o.metadata && typeof o.metadata === 'object' ? o.metadata : {};
      same(schema, o, `${schema} variant ${i}: ${JSON.stringify(o)}`);
      n++;
    }
  }
  assert.ok(n >= 600);
});
