/**
 * Decoding Kubernetes protobuf request bodies (what `kubectl create deployment|service|namespace|configmap|secret`
 * sends): magic "k8s\0", a runtime.Unknown envelope {typeMeta, raw}, then the object's own message.
 *
 * The .proto subset lives in src/api/proto (upstream field numbers). Go writes every non-pointer field, so the
 * decoder sees "", 0 and false everywhere: those are dropped, except where Go has a pointer (or a required
 * non-omitempty field), listed in KEEP_ZERO. Time → RFC 3339, IntOrString → number|string, Quantity → string,
 * bytes → base64, and Go's inline (embedded) structs are flattened.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import type { KubeObject } from './resource.ts';
import { badRequest } from './errors.ts';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const PROTO_FILES = ['meta.proto', 'apimachinery.proto', 'util.proto', 'resource.proto', 'core.proto', 'apps.proto', 'autoscaling.proto'];

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const CORE = 'k8s.io.api.core.v1.';
const APPS = 'k8s.io.api.apps.v1.';

/** apiVersion/kind → message type. */
const KINDS: Record<string, string> = {
  'v1/Pod': CORE + 'Pod', 'v1/Service': CORE + 'Service', 'v1/Namespace': CORE + 'Namespace',
  'v1/ConfigMap': CORE + 'ConfigMap', 'v1/Secret': CORE + 'Secret',
  'apps/v1/Deployment': APPS + 'Deployment', 'apps/v1/ReplicaSet': APPS + 'ReplicaSet',
  'autoscaling/v1/Scale': 'k8s.io.api.autoscaling.v1.Scale',
  'v1/DeleteOptions': META + 'DeleteOptions', 'meta.k8s.io/v1/DeleteOptions': META + 'DeleteOptions',
};

/** Fields that are pointers in Go (or required without omitempty): present means meant, even when zero. */
const KEEP_ZERO = new Set([
  'DeploymentSpec.replicas', 'DeploymentSpec.revisionHistoryLimit', 'DeploymentSpec.progressDeadlineSeconds',
  'ReplicaSetSpec.replicas', 'ScaleSpec.replicas', 'ReplicaSetStatus.replicas',
  'PodSpec.terminationGracePeriodSeconds', 'PodSpec.activeDeadlineSeconds', 'PodSpec.automountServiceAccountToken',
  'PodSpec.shareProcessNamespace', 'PodSpec.priority', 'PodSpec.enableServiceLinks', 'PodSpec.preemptionPolicy',
  'PodSpec.setHostnameAsFQDN', 'PodSpec.hostUsers',
  'Container.restartPolicy', 'ContainerPort.containerPort', 'ServicePort.port', 'GRPCAction.port', 'GRPCAction.service',
  'Probe.terminationGracePeriodSeconds',
  'SecurityContext.privileged', 'SecurityContext.runAsUser', 'SecurityContext.runAsGroup', 'SecurityContext.runAsNonRoot',
  'SecurityContext.readOnlyRootFilesystem', 'SecurityContext.allowPrivilegeEscalation', 'SecurityContext.procMount',
  'PodSecurityContext.runAsUser', 'PodSecurityContext.runAsGroup', 'PodSecurityContext.runAsNonRoot', 'PodSecurityContext.fsGroup',
  'PodSecurityContext.fsGroupChangePolicy',
  'ConfigMapKeySelector.optional', 'SecretKeySelector.optional', 'ConfigMapEnvSource.optional', 'SecretEnvSource.optional',
  'ConfigMapVolumeSource.defaultMode', 'ConfigMapVolumeSource.optional', 'SecretVolumeSource.defaultMode', 'SecretVolumeSource.optional',
  'KeyToPath.mode', 'HostPathVolumeSource.type', 'Toleration.tolerationSeconds',
  'ServiceSpec.ipFamilyPolicy', 'ServiceSpec.allocateLoadBalancerNodePorts', 'ServiceSpec.loadBalancerClass',
  'ServiceSpec.internalTrafficPolicy', 'ServiceSpec.trafficDistribution', 'ClientIPConfig.timeoutSeconds',
  'ConfigMap.immutable', 'Secret.immutable',
  'OwnerReference.controller', 'OwnerReference.blockOwnerDeletion', 'ObjectMeta.deletionGracePeriodSeconds',
  'DeleteOptions.gracePeriodSeconds', 'DeleteOptions.orphanDependents', 'DeleteOptions.propagationPolicy',
  'Preconditions.uid', 'Preconditions.resourceVersion', 'DeploymentStatus.collisionCount',
]);
/** Embedded Go structs (`json:",inline"`): their fields join the parent's. */
const INLINE = new Set(['Volume.volumeSource', 'Probe.handler', 'ConfigMapKeySelector.localObjectReference',
  'SecretKeySelector.localObjectReference', 'ConfigMapEnvSource.localObjectReference', 'SecretEnvSource.localObjectReference',
  'ConfigMapVolumeSource.localObjectReference']);

let root: protobuf.Root | undefined;
function protoRoot(): protobuf.Root {
  if (root) return root;
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'proto');
  const r = new protobuf.Root();
  for (const f of PROTO_FILES) protobuf.parse(readFileSync(join(dir, f), 'utf8'), r, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const d = new Date(seconds * 1000);
  const base = d.toISOString().slice(0, 19);
  if (!micro) return base + 'Z';
  return `${base}.${String(Math.floor((nanos || 0) / 1000)).padStart(6, '0')}Z`;
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** Convert a plain protobufjs object (longs as numbers, bytes as base64) to Kubernetes JSON, guided by the type. */
function convert(type: protobuf.Type, o: Record<string, unknown>): unknown {
  const full = type.fullName.replace(/^\./, '');
  switch (full) {
    case META + 'Time': case META + 'MicroTime': {
      const s = Number(o.seconds ?? 0), n = Number(o.nanos ?? 0);
      if (s === 0 && n === 0) return undefined;
      return rfc3339(s, n, full.endsWith('MicroTime'));
    }
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      return Number(o.type ?? 0) === 1 ? String(o.strVal ?? '') : Number(o.intVal ?? 0);
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
      return typeof o.string === 'string' ? o.string : '0';
    case META + 'FieldsV1': {
      if (typeof o.Raw !== 'string' || !o.Raw) return {};
      try { return JSON.parse(Buffer.from(o.Raw, 'base64').toString('utf8')); } catch { return {}; }
    }
  }
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const raw = o[field.name];
    if (raw === undefined || raw === null) continue;
    const key = `${type.name}.${field.name}`;
    const rt = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const one = (v: unknown): unknown => (rt ? convert(rt, (v ?? {}) as Record<string, unknown>) : v);
    let value: unknown;
    if (field.map) {
      const m: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        const c = one(v);
        m[k] = c === undefined ? (field.type === 'bytes' || field.type === 'string' ? '' : c) : c;
      }
      value = m;
    } else if (field.repeated) {
      value = (raw as unknown[]).map((v) => { const c = one(v); return c === undefined ? {} : c; });
    } else value = one(raw);
    if (INLINE.has(key) && value && typeof value === 'object') { Object.assign(out, value); continue; }
    if (isZero(value) && !(KEEP_ZERO.has(key) && value !== undefined && value !== null)) continue;
    out[field.name] = value;
  }
  return out;
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, bytes: String, defaults: false, arrays: false, objects: false, enums: String };

/**
 * Decode a protobuf request body into the object as JSON would give it. Throws a 400 StatusError for anything
 * malformed or a kind without a protobuf description here.
 */
export function decodeProtobufBody(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw badRequest('the protobuf body does not start with the Kubernetes magic "k8s\\x00"');
  }
  const r = protoRoot();
  let apiVersion: string, kind: string, raw: Uint8Array;
  try {
    const Unknown = r.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    const u = Unknown.decode(body.subarray(4)) as unknown as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array; contentEncoding?: string };
    apiVersion = u.typeMeta?.apiVersion ?? '';
    kind = u.typeMeta?.kind ?? '';
    raw = u.raw ?? new Uint8Array();
    if (u.contentEncoding) throw new Error(`unsupported content encoding ${JSON.stringify(u.contentEncoding)}`);
  } catch (e) {
    throw badRequest(`failed to decode protobuf body: ${(e as Error).message}`);
  }
  const typeName = KINDS[`${apiVersion}/${kind}`];
  if (!typeName) throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}" in the protobuf decoder`);
  try {
    const T = r.lookupType(typeName);
    const plain = T.toObject(T.decode(raw), TO_OBJECT) as Record<string, unknown>;
    const obj = convert(T, plain) as Record<string, unknown>;
    return { apiVersion, kind, ...obj };
  } catch (e) {
    throw badRequest(`failed to decode protobuf ${kind}: ${(e as Error).message}`);
  }
}

/** Whether a body looks like a Kubernetes protobuf envelope. */
export function isProtobufBody(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(PROTOBUF_MAGIC);
}
