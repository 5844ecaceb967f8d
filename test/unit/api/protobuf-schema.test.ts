import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufBody } from '../../../src/api/protobuf.ts';
import { definitions } from '../../../src/api/definitions/index.ts';
import { findUnknownFields } from '../../../src/api/schema-walk.ts';
import { resources } from '../../../src/api/registry.ts';
import type { Schema } from '../../../src/api/schema.ts';
import { bodyKinds, closure, encodeObject, envelope, isMap, populate, resolve } from './protobuf-wire.ts';

const KINDS = bodyKinds();

test('every served kind is carried as protobuf, or its schema says why not (custom resources upstream)', () => {
  for (const r of resources) {
    const ann = definitions[r.schemaName]['x-kubelite-protobuf'];
    if (ann?.notCarried) assert.ok(r.group.includes('.') && !r.group.endsWith('.k8s.io') && ann.notCarried.length > 20, r.kind);
    else assert.ok(KINDS.some((k) => k.schemaName === r.schemaName), r.kind);
  }
});

test('the protobuf-carried kinds include every served kind and the subresource kinds', () => {
  const names = KINDS.map((k) => k.kind).sort();
  for (const k of ['Pod', 'Service', 'Namespace', 'ConfigMap', 'Secret', 'Deployment', 'ReplicaSet', 'Node', 'Event', 'Endpoints', 'EndpointSlice', 'Lease', 'Scale', 'Binding', 'Eviction', 'DeleteOptions']) {
    assert.ok(names.includes(k), k);
  }
});

test('every property of every served kind has an upstream protobuf field number, or says why upstream has none', () => {
  const problems: string[] = [];
  for (const k of KINDS) {
    for (const [s, where] of closure(k.schemaName)) {
      const ann = s['x-kubelite-protobuf'];
      if (ann?.special) continue;
      if (!ann) { problems.push(`${where}: no protobuf annotation`); continue; }
      const fields = ann.fields ?? {};
      const props = Object.keys(s.properties ?? {});
      for (const p of props) {
        if (!fields[p] && !ann.absent?.[p]) problems.push(`${where}: ${p} has no field number`);
        if (fields[p] && ann.absent?.[p]) problems.push(`${where}: ${p} has a number and is marked absent`);
        if (ann.absent?.[p] !== undefined && ann.absent[p].length < 10) problems.push(`${where}: ${p} is absent without a reason`);
      }
      for (const p of Object.keys(fields)) if (!props.includes(p)) problems.push(`${where}: annotation names ${p}, not a property`);
      // no two properties share a field number, and an embedded message's number is not also a property's
      const seen = new Map<string, string>();
      for (const [p, f] of Object.entries(fields)) {
        const key = f.path.join('.');
        if (seen.has(key)) problems.push(`${where}: ${p} and ${seen.get(key)} are both field ${key}`);
        seen.set(key, p);
      }
      for (const [p, f] of Object.entries(fields)) {
        if (f.path.length > 1 && seen.has(String(f.path[0]))) problems.push(`${where}: ${p} nests in field ${f.path[0]}, which is ${seen.get(String(f.path[0]))}`);
        if (f.path.some((n) => !Number.isInteger(n) || n < 1 || n > 536_870_911)) problems.push(`${where}: ${p} has field number ${key(f.path)}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
const key = (p: number[]) => p.join('.');

test('no served kind holds a free-form (preserve-unknown) field protobuf could not carry', () => {
  const freeForm: string[] = [];
  for (const k of KINDS) {
    const walk = (s: Schema | undefined, path: string, seen: Set<Schema>): void => {
      if (!s) return;
      const r = resolve(s);
      if (r['x-kubelite-protobuf']?.special) return;
      if (r.items) return walk(r.items, `${path}[]`, seen);
      if (isMap(r)) return walk(r.additionalProperties as Schema, `${path}{}`, seen);
      if (r['x-kubernetes-preserve-unknown-fields'] || (r.type === 'object' && !r.properties && !r.additionalProperties)) freeForm.push(`${k.kind}: ${path}`);
      if (seen.has(r)) return;
      seen.add(r);
      for (const [p, q] of Object.entries(r.properties ?? {})) walk(q, path ? `${path}.${p}` : p, seen);
    };
    walk(definitions[k.schemaName], '', new Set());
  }
  assert.deepEqual(freeForm, []);
});

test('a fully populated object of every served kind survives encode → decode field for field', () => {
  for (const k of KINDS) {
    const obj = { apiVersion: k.apiVersion, kind: k.kind, ...populate(k.schemaName) };
    const decoded = decodeProtobufBody(envelope(k.apiVersion, k.kind, encodeObject(k.schemaName, obj)));
    assert.deepEqual(decoded, obj, k.kind);
    assert.deepEqual(findUnknownFields(decoded, k.schemaName), [], k.kind);
  }
});

test('the populated Pod really carries affinity, topology spread, ephemeral containers, projected volumes and statuses', () => {
  const pod: any = { apiVersion: 'v1', kind: 'Pod', ...populate('io.k8s.api.core.v1.Pod') };
  const d: any = decodeProtobufBody(envelope('v1', 'Pod', encodeObject('io.k8s.api.core.v1.Pod', pod)));
  const term = d.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1];
  assert.equal(term.matchExpressions.length, 2);
  assert.equal(typeof d.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey, 'string');
  assert.equal(d.spec.topologySpreadConstraints.length, 2);
  assert.ok(d.spec.topologySpreadConstraints[0].labelSelector.matchLabels);
  assert.ok(d.spec.ephemeralContainers[0].targetContainerName);
  assert.ok(d.spec.ephemeralContainers[0].livenessProbe.httpGet.port !== undefined);
  assert.ok(d.spec.volumes[0].projected.sources[0].serviceAccountToken.path);
  assert.ok(d.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources.requests);
  assert.match(d.spec.containers[0].resources.limits[Object.keys(d.spec.containers[0].resources.limits)[0]], /^\d+m$/);
  assert.match(d.status.conditions[0].lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(d, pod);
  const dep: any = { apiVersion: 'apps/v1', kind: 'Deployment', ...populate('io.k8s.api.apps.v1.Deployment') };
  const dd: any = decodeProtobufBody(envelope('apps/v1', 'Deployment', encodeObject('io.k8s.api.apps.v1.Deployment', dep)));
  assert.equal(dd.status.conditions.length, 2);
  assert.deepEqual(dd.status.conditions, dep.status.conditions);
  const ev: any = { apiVersion: 'v1', kind: 'Event', ...populate('io.k8s.api.core.v1.Event') };
  const de: any = decodeProtobufBody(envelope('v1', 'Event', encodeObject('io.k8s.api.core.v1.Event', ev)));
  assert.match(de.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.deepEqual(de, ev);
});

test('zero values: kept for Go pointers and fields without omitempty, dropped elsewhere (as Go JSON would)', () => {
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'z', deletionGracePeriodSeconds: 0, generation: 0 },
    spec: { replicas: 0, revisionHistoryLimit: 0, progressDeadlineSeconds: 0, paused: false, minReadySeconds: 0,
      template: { spec: { containers: [{ name: 'c', image: '', ports: [{ containerPort: 0, hostPort: 0 }], restartPolicy: '' }],
        terminationGracePeriodSeconds: 0, hostNetwork: false, enableServiceLinks: false } } },
    status: { replicas: 0, collisionCount: 0, conditions: [{ type: 'Progressing', status: '', message: '' }] } };
  const d = decodeProtobufBody(envelope('apps/v1', 'Deployment', encodeObject('io.k8s.api.apps.v1.Deployment', dep)));
  assert.deepEqual(d, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'z', deletionGracePeriodSeconds: 0 },
    spec: { replicas: 0, revisionHistoryLimit: 0, progressDeadlineSeconds: 0,
      template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 0 }], restartPolicy: '' }], terminationGracePeriodSeconds: 0, enableServiceLinks: false } } },
    status: { collisionCount: 0, conditions: [{ type: 'Progressing', status: '' }] } });
});
