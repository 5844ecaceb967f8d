import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategicMergePatch, strategicMergePatchWithSchema } from '../../../src/api/patch/strategic.ts';
import { StatusError } from '../../../src/api/errors.ts';
import type { Schema } from '../../../src/api/schema.ts';

const DEPLOY = 'io.k8s.api.apps.v1.Deployment';
const SVC = 'io.k8s.api.core.v1.Service';
const POD = 'io.k8s.api.core.v1.Pod';

function deployment(): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['a', 'b'], annotations: { x: '1' } },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'nginx', image: 'nginx:1.25', args: ['a', 'b'], ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 8080, protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], volumeMounts: [{ name: 'v', mountPath: '/data' }] },
            { name: 'side', image: 'busybox' },
          ],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };
}
const smp = (patch: object, orig: any = deployment(), schema = DEPLOY) => strategicMergePatch(orig, patch, schema) as any;
const containers = (d: any) => d.spec.template.spec.containers;

test('kubectl set image', () => {
  const orig = deployment();
  const out = smp({ spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'side' }], containers: [{ image: 'nginx:1.26', name: 'nginx' }] } } } });
  assert.equal(containers(out)[0].image, 'nginx:1.26');
  assert.deepEqual(containers(out)[0].ports, orig.spec.template.spec.containers[0].ports);
  assert.deepEqual(containers(out).map((c: any) => c.name), ['nginx', 'side']);
  assert.equal(JSON.stringify(out).includes('$setElementOrder'), false);
  assert.equal(containers(orig)[0].image, 'nginx:1.25', 'original untouched');
});

test('kubectl rollout pause / resume / restart', () => {
  const paused = smp({ spec: { paused: true } });
  assert.equal(paused.spec.paused, true);
  const resumed = smp({ spec: { paused: null } }, paused);
  assert.equal('paused' in resumed.spec, false);
  const restarted = smp({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-27T17:00:00Z' } } } } });
  assert.deepEqual(restarted.spec.template.metadata, { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-27T17:00:00Z' } });
  assert.deepEqual(smp({ spec: { paused: null } }), deployment(), 'deleting an absent key is a no-op');
});

test('kubectl apply (client-side) patch with last-applied annotation, retainKeys and deletions', () => {
  const lastApplied = '{"apiVersion":"apps/v1","kind":"Deployment"}\n';
  const out = smp({
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } },
    spec: {
      replicas: 3,
      strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' },
      template: { spec: {
        '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'side' }],
        containers: [{ '$setElementOrder/env': [{ name: 'A' }], '$setElementOrder/ports': [{ containerPort: 80 }], name: 'nginx',
          env: [{ $patch: 'delete', name: 'B' }], ports: [{ $patch: 'delete', containerPort: 8080 }] }],
      } },
    },
  });
  assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], lastApplied);
  assert.equal(out.metadata.annotations.x, '1');
  assert.equal(out.spec.replicas, 3);
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  assert.deepEqual(containers(out)[0].env, [{ name: 'A', value: '1' }]);
  assert.deepEqual(containers(out)[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(JSON.stringify(out).includes('$'), false);
});

test('kubectl edit: add a container, an env var and a port; lists keep server order', () => {
  const out = smp({ spec: { template: { spec: {
    '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'side' }, { name: 'third' }],
    containers: [{ name: 'nginx', '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }, { name: 'B' }], env: [{ name: 'C', value: '3' }] },
      { name: 'third', image: 'redis' }],
  } } } });
  assert.deepEqual(containers(out).map((c: any) => c.name), ['nginx', 'side', 'third']);
  assert.deepEqual(containers(out)[0].env.map((e: any) => e.name), ['A', 'C', 'B']);
});

test('merge lists: new items first without $setElementOrder (as upstream)', () => {
  const out = smp({ spec: { template: { spec: { containers: [{ name: 'new', image: 'x' }] } } } });
  assert.deepEqual(containers(out).map((c: any) => c.name), ['new', 'nginx', 'side']);
});

test('lists without a merge strategy are replaced whole (args, tolerations)', () => {
  const out = smp({ spec: { template: { spec: { containers: [{ name: 'nginx', args: ['z'] }], tolerations: [{ key: 'other', operator: 'Equal', value: 'v' }] } } } });
  assert.deepEqual(containers(out)[0].args, ['z']);
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'other', operator: 'Equal', value: 'v' }]);
  assert.equal(containers(out)[0].image, 'nginx:1.25');
});

test('$patch: replace and delete in lists and maps', () => {
  const rep = smp({ spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } } } });
  assert.deepEqual(containers(rep), [{ name: 'only', image: 'x' }]);
  const del = smp({ spec: { template: { spec: { containers: [{ $patch: 'delete', name: 'side' }] } } } });
  assert.deepEqual(containers(del).map((c: any) => c.name), ['nginx']);
  const mapRep = smp({ spec: { selector: { $patch: 'replace', matchLabels: { tier: 'x' } } } });
  assert.deepEqual(mapRep.spec.selector, { matchLabels: { tier: 'x' } });
  const mapDel = smp({ metadata: { annotations: { $patch: 'delete' } } });
  assert.deepEqual(mapDel.metadata.annotations, {});
});

test('primitive merge lists: finalizers add, $deleteFromPrimitiveList, $setElementOrder', () => {
  assert.deepEqual(smp({ metadata: { finalizers: ['c'] } }).metadata.finalizers, ['c', 'a', 'b']);
  assert.deepEqual(smp({ metadata: { finalizers: ['a'] } }).metadata.finalizers, ['a', 'b']);
  assert.deepEqual(smp({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }).metadata.finalizers, ['b']);
  assert.deepEqual(smp({ metadata: { '$setElementOrder/finalizers': ['b', 'c'], '$deleteFromPrimitiveList/finalizers': ['a'], finalizers: ['c'] } }).metadata.finalizers, ['b', 'c']);
  assert.deepEqual(smp({ metadata: { finalizers: null } }).metadata.finalizers, undefined);
});

test('service ports merge by port; labels and selector maps merge; null removes a label', () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', labels: { a: '1', b: '2' } },
    spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }, { name: 'https', port: 443, protocol: 'TCP' }] } };
  const out = smp({ metadata: { labels: { a: null, c: '3' } }, spec: { ports: [{ port: 80, targetPort: 9090 }] } }, svc, SVC);
  assert.deepEqual(out.metadata.labels, { b: '2', c: '3' });
  assert.deepEqual(out.spec.ports, [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 9090 }, { name: 'https', port: 443, protocol: 'TCP' }]);
  const typ = smp({ spec: { type: 'NodePort' } }, svc, SVC);
  assert.equal(typ.spec.type, 'NodePort');
});

test('pod status conditions merge by type; ownerReferences by uid', () => {
  const pod = { metadata: { name: 'p', ownerReferences: [{ uid: 'u1', name: 'rs', kind: 'ReplicaSet', apiVersion: 'apps/v1' }] },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } };
  const out = smp({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True', reason: 'x' }] },
    metadata: { ownerReferences: [{ uid: 'u1', controller: true }] } }, pod, POD);
  assert.deepEqual(out.status.conditions.map((c: any) => c.type).sort(), ['PodScheduled', 'Ready']);
  assert.equal(out.status.conditions.find((c: any) => c.type === 'PodScheduled').reason, 'x');
  assert.deepEqual(out.metadata.ownerReferences, [{ uid: 'u1', name: 'rs', kind: 'ReplicaSet', apiVersion: 'apps/v1', controller: true }]);
});

test('errors as upstream', () => {
  const code = (patch: object) => { try { smp(patch); } catch (e) { assert.ok(e instanceof StatusError); return [e.code, e.message]; } return 'ok'; };
  assert.deepEqual(code({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }), [500, 'map: map[image:x] does not contain declared merge key: name']);
  assert.deepEqual(code({ spec: { selector: { $patch: 'bogus' } } }), [500, 'unknown patch type: bogus in map: map[$patch:bogus]']);
  assert.deepEqual(code({ spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } }), [500, 'merging lists cannot yet be specified in the patch']);
  assert.deepEqual(code({ spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } }), [400, 'invalid patch format of retainKeys']);
  assert.deepEqual(code({ spec: { strategy: { $retainKeys: 'type' } } }), [400, 'invalid patch format of retainKeys']);
  assert.deepEqual(code({ metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }), [400, 'invalid patch format of primitive list']);
  assert.deepEqual(code({ metadata: { finalizers: [['x']] } }), [500, 'list element types are not identical: [a b] [[x]]']);
  assert.throws(() => strategicMergePatch({ metadata: {} }, { metadata: { finalizers: [['x']] } }, DEPLOY),
    (e: unknown) => e instanceof StatusError && e.code === 422 && e.message === 'lists of lists are not supported');
  assert.equal((code({ spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'side' }], containers: [{ name: 'nginx', image: 'y' }] } } } }) as any)[0], 500);
  assert.throws(() => strategicMergePatch({}, [] as any, DEPLOY), (e: unknown) => e instanceof StatusError && e.code === 400);
});

test('unknown fields pass through (strict checking is the caller\'s), schema-less subtrees merge as maps', () => {
  const out = smp({ spec: { bogus: { a: 1 }, template: { spec: { containers: [{ name: 'nginx', bogusField: true }] } } } });
  assert.deepEqual(out.spec.bogus, { a: 1 });
  assert.equal(containers(out)[0].bogusField, true);
});

test('works with an explicit schema (resolver-independent)', () => {
  const schema: Schema = { type: 'object', properties: {
    items: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' }, v: { type: 'string' } } }, 'x-kubernetes-patch-merge-key': 'k', 'x-kubernetes-patch-strategy': 'merge' },
    tags: { type: 'array', items: { type: 'string' } },
  } };
  const out = strategicMergePatchWithSchema({ items: [{ k: 'a', v: '1' }, { k: 'b', v: '2' }], tags: ['x'] }, { items: [{ k: 'b', v: '3' }], tags: ['y'] }, schema, { resolve: (s) => s }) as any;
  assert.deepEqual(out, { items: [{ k: 'a', v: '1' }, { k: 'b', v: '3' }], tags: ['y'] });
});
