import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTypeErrors, findUnknownFields, getSchema, pruneUnknownFields, resolve, schemaAtPath, typeErrorMessage } from '../../../src/api/schema-walk.ts';
import { resources } from '../../../src/api/registry.ts';
import { definitions, REF_PREFIX } from '../../../src/api/definitions/index.ts';

test('every $ref resolves and every ResourceDef names a definition with its GVK', () => {
  const missing: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') { const n = x.slice(REF_PREFIX.length); if (!definitions[n]) missing.push(n); } else visit(x); // (a property may be named $ref: JSONSchemaProps)
    }
  };
  visit(definitions);
  assert.deepEqual(missing, []);
  for (const r of resources) {
    const s = getSchema(r.schemaName);
    assert.ok(s, r.schemaName);
    assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: r.group, version: r.version, kind: r.kind }]);
  }
});

test('unknown fields are reported with upstream paths; maps, preserve-unknown and managedFields are open', () => {
  const obj = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'w', labels: { anything: 'goes' }, managedFields: [{ manager: 'x', fieldsV1: { 'f:spec': {} }, weird: 1 }], bogusMeta: 1 },
    spec: {
      replicas: 1, extra: true,
      selector: { matchLabels: { app: 'w' } },
      template: { metadata: { labels: { app: 'w' } }, spec: {
        affinity: { nodeAffinity: { whatever: [1, 2] } },
        containers: [{ name: 'c', image: 'i', bogusField: 1, resources: { limits: { cpu: '1' } }, ports: [{ containerPort: 80, nope: 1 }] }],
      } },
    },
    status: { conditions: [{ type: 'Available', status: 'True', bad: 1 }] },
  };
  assert.deepEqual(findUnknownFields(obj, 'io.k8s.api.apps.v1.Deployment').sort(), [
    'metadata.bogusMeta',
    'spec.extra',
    // affinity is typed (as upstream's schema has it), no longer free-form: its unknown fields are reported too
    'spec.template.spec.affinity.nodeAffinity.whatever',
    'spec.template.spec.containers[0].bogusField',
    'spec.template.spec.containers[0].ports[0].nope',
    'status.conditions[0].bad',
  ]);
  assert.deepEqual(findUnknownFields({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } }, 'io.k8s.api.core.v1.ConfigMap'), []);
});

test('type errors: strings for integers, scalars for objects and arrays; int-or-string and quantities accept both', () => {
  const errs = findTypeErrors({
    spec: { replicas: '3', selector: 'app=web', strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' } },
      template: { spec: { containers: { name: 'c' }, terminationGracePeriodSeconds: 1.5 } } },
    metadata: { labels: { a: 1 } },
  }, 'io.k8s.api.apps.v1.Deployment');
  assert.deepEqual(errs.map((e) => [e.field, e.expected, e.got]), [
    ['spec.replicas', 'int32', 'string'],
    ['spec.selector', 'v1.LabelSelector', 'string'],
    ['spec.template.spec.containers', '[]v1.Container', 'object'],
    ['spec.template.spec.terminationGracePeriodSeconds', 'int64', 'number 1.5'], // Go names a number's literal: "cannot unmarshal number 1.5 into ...",
    ['metadata.labels.a', 'string', 'number'],
  ]);
  assert.equal(typeErrorMessage('Deployment', 'v1', errs[0]),
    'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(errs[4].message, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  const port = findTypeErrors({ spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] } }, 'io.k8s.api.core.v1.Pod');
  assert.deepEqual(port.map((e) => [e.field, e.message]), [['spec.containers[0].ports[0].containerPort',
    'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32']]);
  assert.equal(findTypeErrors([], 'io.k8s.api.core.v1.Pod')[0].message, 'json: cannot unmarshal array into Go value of type v1.Pod');
  assert.deepEqual(findTypeErrors({ spec: { containers: [{ name: 'c', resources: { limits: { cpu: 1, memory: '1Gi' } } }] } }, 'io.k8s.api.core.v1.Pod'), []);
  assert.deepEqual(findTypeErrors({ spec: { replicas: null } }, 'io.k8s.api.apps.v1.Deployment'), []);
});

test('schemaAtPath and resolve carry the strategic-merge and list-type facts', () => {
  const containers = schemaAtPath('io.k8s.api.apps.v1.Deployment', 'spec.template.spec.containers')!;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  const ports = schemaAtPath('io.k8s.api.core.v1.Service', ['spec', 'ports'])!;
  assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.equal(ports['x-kubernetes-patch-merge-key'], 'port');
  const cports = schemaAtPath('io.k8s.api.core.v1.PodSpec', 'containers.*.ports')!;
  assert.deepEqual(cports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(schemaAtPath('io.k8s.api.core.v1.PodSpec', 'containers.0.volumeMounts')!['x-kubernetes-patch-merge-key'], 'mountPath');
  assert.equal(schemaAtPath('io.k8s.api.core.v1.PodSpec', 'volumes')!['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(schemaAtPath('io.k8s.api.core.v1.PodSpec', 'tolerations')!['x-kubernetes-list-type'], 'atomic');
  assert.equal(schemaAtPath('io.k8s.api.core.v1.Container', 'args')!['x-kubernetes-list-type'], 'atomic');
  assert.equal(schemaAtPath('io.k8s.api.core.v1.Pod', 'metadata.finalizers')!['x-kubernetes-list-type'], 'set');
  assert.equal(schemaAtPath('io.k8s.api.core.v1.Pod', 'metadata.ownerReferences')!['x-kubernetes-patch-merge-key'], 'uid');
  assert.equal(schemaAtPath('io.k8s.api.apps.v1.Deployment', 'status.conditions')!['x-kubernetes-patch-merge-key'], 'type');
  assert.equal(schemaAtPath('io.k8s.api.apps.v1.Deployment', 'spec.strategy')!['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.equal(schemaAtPath('io.k8s.api.apps.v1.Deployment', 'spec.selector')!['x-kubernetes-map-type'], 'atomic');
  assert.equal(schemaAtPath('io.k8s.api.apps.v1.Deployment', 'spec.template.metadata.labels.app')!.type, 'string');
  assert.equal(schemaAtPath('io.k8s.api.core.v1.Pod', 'spec.nope'), undefined);
  assert.equal(resolve({ $ref: REF_PREFIX + 'io.k8s.apimachinery.pkg.util.intstr.IntOrString' })!['x-kubernetes-int-or-string'], true);
});

test('pruneUnknownFields drops exactly what findUnknownFields reports', () => {
  const obj: any = { apiVersion: 'v1', kind: 'Pod', bogus: 1, metadata: { name: 'p', labels: { keep: 'me' } },
    spec: { affinity: { anything: 1 }, containers: [{ name: 'c', image: 'i', extra: { deep: 1 }, ports: [{ containerPort: 80, x: 1 }] }] } };
  const reported = findUnknownFields(obj, 'io.k8s.api.core.v1.Pod');
  const pruned = pruneUnknownFields(obj, 'io.k8s.api.core.v1.Pod');
  assert.deepEqual(pruned, reported);
  assert.deepEqual(pruned.sort(), ['bogus', 'spec.affinity.anything', 'spec.containers[0].extra', 'spec.containers[0].ports[0].x']);
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { keep: 'me' } },
    spec: { affinity: {}, containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } });
  assert.deepEqual(findUnknownFields(obj, 'io.k8s.api.core.v1.Pod'), []);
});
