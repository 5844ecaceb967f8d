/**
 * Hand-assembled protobuf bodies using field numbers read off upstream's generated.proto files (k8s.io/api,
 * k8s.io/apimachinery), written byte by byte here, independently of the schema annotations and of any encoder:
 * if an annotation carried a wrong number, these bodies would decode to something else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufBody } from '../../../src/api/protobuf.ts';
import { findUnknownFields, pruneUnknownFields } from '../../../src/api/schema-walk.ts';
import { StatusError } from '../../../src/api/errors.ts';

const varint = (n: number | bigint): number[] => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do { let b = Number(v & 0x7fn); v >>= 7n; if (v) b |= 0x80; out.push(b); } while (v);
  return out;
};
/** field n, varint */
const V = (n: number, v: number | bigint | boolean) => [...varint((n << 3) | 0), ...varint(typeof v === 'boolean' ? Number(v) : v)];
/** field n, length-delimited: a string or nested fields */
const L = (n: number, ...body: (string | number[])[]) => {
  const bytes = body.flatMap((b) => (typeof b === 'string' ? [...Buffer.from(b, 'utf8')] : b));
  return [...varint((n << 3) | 2), ...varint(bytes.length), ...bytes];
};
const body = (apiVersion: string, kind: string, ...fields: number[][]) =>
  Buffer.from([...Buffer.from('k8s\0', 'latin1'), ...L(1, L(1, apiVersion), L(2, kind)), ...L(2, fields.flat())]);

test('ObjectMeta.name=1, labels=11; PodSpec.containers=2, Container.name=1 image=2', () => {
  const b = body('v1', 'Pod',
    L(1, L(1, 'web'), L(11, L(1, 'app'), L(2, 'web'))),
    L(2, L(2, L(1, 'c'), L(2, 'nginx'))));
  assert.deepEqual(decodeProtobufBody(b), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
});

test('DeploymentSpec.replicas=1 (a pointer: 0 stays), DeploymentStatus.conditions=6 with lastUpdateTime=6 lastTransitionTime=7', () => {
  const b = body('apps/v1', 'Deployment',
    L(2, V(1, 0)),
    L(3, V(1, 7), L(6, L(1, 'Available'), L(2, 'True'), L(4, 'MinimumReplicasAvailable'), L(6, V(1, 1_700_000_000)), L(7, V(1, 1_700_000_060)))));
  assert.deepEqual(decodeProtobufBody(b), { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 0 },
    status: { observedGeneration: 7, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable',
      lastUpdateTime: '2023-11-14T22:13:20Z', lastTransitionTime: '2023-11-14T22:14:20Z' }] } });
});

test('PodSpec.affinity=18 (NodeAffinity → NodeSelector → terms → requirements) and topologySpreadConstraints=33', () => {
  const req = L(1, L(1, 'zone'), L(2, 'In'), L(3, 'a'), L(3, 'b'));
  const b = body('v1', 'Pod', L(2,
    L(18, L(1, L(1, L(1, req))), L(3, L(2, V(1, 50), L(2, L(1, L(1, L(1, 'app'), L(2, 'db'))), L(3, 'kubernetes.io/hostname'))))),
    L(33, V(1, 1), L(2, 'zone'), L(3, 'DoNotSchedule'), V(5, 2), L(8, 'pod-template-hash'))));
  assert.deepEqual(decodeProtobufBody(b).spec, {
    affinity: {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' } }] },
    },
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 2, matchLabelKeys: ['pod-template-hash'] }],
  });
});

test('Go embedded structs: Volume.volumeSource=2 (hostPath=1, projected=26), Probe.handler=1, ConfigMapKeySelector.localObjectReference=1', () => {
  const b = body('v1', 'Pod', L(2,
    L(1, L(1, 'data'), L(2, L(1, L(1, '/srv'), L(2, 'Directory')))),
    L(1, L(1, 'proj'), L(2, L(26, L(1, L(4, L(3, 'token'), V(2, 3600))), V(2, 0o644)))),
    L(2, L(1, 'c'), L(7, L(1, 'K'), L(3, L(3, L(1, L(1, 'cfg')), L(2, 'k')))),
      L(10, L(1, L(2, L(1, '/healthz'), L(2, V(1, 1), L(3, 'http')))), V(3, 2), V(6, 0)))));
  assert.deepEqual(decodeProtobufBody(b).spec, {
    volumes: [{ name: 'data', hostPath: { path: '/srv', type: 'Directory' } },
      { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }], defaultMode: 420 } }],
    containers: [{ name: 'c', env: [{ name: 'K', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }],
      livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, timeoutSeconds: 2 } }],
  });
});

test('scalars: negative int32, int64 beyond 2^32, packed and unpacked repeated int64, bytes, Quantity, MicroTime, IntOrString int', () => {
  const b = body('v1', 'Pod', L(2,
    L(14, V(2, 4_294_967_296 + 5), L(4, [...varint(10), ...varint(20)]), V(4, 30)),
    V(25, -3),
    L(2, L(1, 'c'), L(8, L(1, L(1, 'cpu'), L(2, L(1, '250m')))), L(6, V(3, 8080), L(4, 'TCP'))),
    L(32, L(1, 'memory'), L(2, L(1, '64Mi')))));
  assert.deepEqual(decodeProtobufBody(b).spec, {
    securityContext: { runAsUser: 4_294_967_301, supplementalGroups: [10, 20, 30] }, priority: -3,
    containers: [{ name: 'c', resources: { limits: { cpu: '250m' } }, ports: [{ containerPort: 8080, protocol: 'TCP' }] }],
    overhead: { memory: '64Mi' },
  });
  const lease = body('coordination.k8s.io/v1', 'Lease', L(2, L(1, 'me'), L(4, V(1, 1_700_000_000), V(2, 123_456_789))));
  assert.deepEqual(decodeProtobufBody(lease).spec, { holderIdentity: 'me', renewTime: '2023-11-14T22:13:20.123456Z' });
  const secret = body('v1', 'Secret', L(2, L(1, 'k'), L(2, [0, 1, 255])), L(3, 'Opaque'));
  assert.deepEqual(decodeProtobufBody(secret), { apiVersion: 'v1', kind: 'Secret', data: { k: Buffer.from([0, 1, 255]).toString('base64') }, type: 'Opaque' });
  const svc = body('v1', 'Service', L(2, L(1, V(3, 80), L(4, V(1, 0), V(2, 8080)))));
  assert.deepEqual(decodeProtobufBody(svc).spec, { ports: [{ port: 80, targetPort: 8080 }] });
});

test('Scale (autoscaling/v1, a subresource kind) and DeleteOptions decode; unknown kinds are a 400', () => {
  assert.deepEqual(decodeProtobufBody(body('autoscaling/v1', 'Scale', L(1, L(1, 'web')), L(2, V(1, 0)))),
    { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 0 } });
  assert.deepEqual(decodeProtobufBody(body('meta.k8s.io/v1', 'DeleteOptions', V(1, 0), L(2, L(1, 'uid-1')), L(4, 'Foreground'), L(5, 'All'))),
    { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, propagationPolicy: 'Foreground', dryRun: ['All'] });
  assert.throws(() => decodeProtobufBody(body('v1', 'PersistentVolume', L(1, L(1, 'x')))), (e: unknown) => e instanceof StatusError && e.code === 400 && /no kind "PersistentVolume"/.test(e.message));
  // a custom resource upstream (argoproj.io): clients never send it as protobuf
  assert.throws(() => decodeProtobufBody(body('argoproj.io/v1alpha1', 'Rollout', L(1, L(1, 'x')))), (e: unknown) => e instanceof StatusError && e.code === 415);
  assert.throws(() => decodeProtobufBody(body('v1', 'Pod', V(2, 5))), (e: unknown) => e instanceof StatusError && e.code === 400 && /wire type/.test(e.message));
});

test('a field number the schema does not know is kept, and the unknown-field check reports it', () => {
  const b = body('apps/v1', 'Deployment', L(1, L(1, 'web')), L(2, V(1, 2), V(99, 7), L(3, L(2, L(250, 'future')))));
  const d = decodeProtobufBody(b);
  assert.deepEqual(d, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: 2, 'protobuf-field-99': 7, template: { spec: { 'protobuf-field-250': Buffer.from('future').toString('base64') } } } });
  assert.deepEqual(findUnknownFields(d, 'io.k8s.api.apps.v1.Deployment').sort(), ['spec.protobuf-field-99', 'spec.template.spec.protobuf-field-250']);
  pruneUnknownFields(d, 'io.k8s.api.apps.v1.Deployment');
  assert.deepEqual(d.spec, { replicas: 2, template: { spec: {} } });
});
