/**
 * Small builders for OpenAPI v3 component schemas, so definitions read as data.
 * Named types are referenced through `ref(name)`; the definitions table is assembled in ./index.ts.
 */
import type { ProtobufAnnotation, ProtobufField, Schema } from '../schema.ts';

export const REF_PREFIX = '#/components/schemas/';

export const str = (description?: string, extra: Partial<Schema> = {}): Schema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
export const int32 = (description?: string, extra: Partial<Schema> = {}): Schema => ({ type: 'integer', format: 'int32', ...(description ? { description } : {}), ...extra });
export const int64 = (description?: string, extra: Partial<Schema> = {}): Schema => ({ type: 'integer', format: 'int64', ...(description ? { description } : {}), ...extra });
export const num = (description?: string): Schema => ({ type: 'number', format: 'double', ...(description ? { description } : {}) });
export const bool = (description?: string, extra: Partial<Schema> = {}): Schema => ({ type: 'boolean', ...(description ? { description } : {}), ...extra });
export const bytes = (description?: string): Schema => ({ type: 'string', format: 'byte', ...(description ? { description } : {}) });
/** A string enumeration; `values` in upstream's declaration order (see enumOf in ./index.ts). */
export const enumStr = (values: string[], description?: string, extra: Partial<Schema> = {}): Schema => ({ type: 'string', enum: values, ...(description ? { description } : {}), ...extra });

/** Reference to a named definition. With a description (or default) it is wrapped in allOf, as upstream v3 does. */
export function ref(name: string, description?: string, extra: Partial<Schema> = {}): Schema {
  if (!description && Object.keys(extra).length === 0) return { $ref: REF_PREFIX + name };
  return { allOf: [{ $ref: REF_PREFIX + name }], ...(description ? { description } : {}), ...extra };
}

/** map[string]string (or of another value schema) */
export const map = (description?: string, values: Schema = { type: 'string', default: '' }, extra: Partial<Schema> = {}): Schema =>
  ({ type: 'object', additionalProperties: values, ...(description ? { description } : {}), ...extra });

export interface ListOpts {
  mergeKey?: string;
  strategy?: string;
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
}
export function arr(items: Schema, description?: string, o: ListOpts = {}): Schema {
  const s: Schema = { type: 'array', items };
  if (description) s.description = description;
  if (o.mergeKey) s['x-kubernetes-patch-merge-key'] = o.mergeKey;
  if (o.strategy) s['x-kubernetes-patch-strategy'] = o.strategy;
  if (o.listType) s['x-kubernetes-list-type'] = o.listType;
  if (o.mapKeys) s['x-kubernetes-list-map-keys'] = o.mapKeys;
  return s;
}
/** A list merged by key (strategic merge `merge` + list-type map). */
export const keyedList = (items: Schema, key: string, description?: string, mapKeys: string[] = [key], strategy = 'merge'): Schema =>
  arr(items, description, { mergeKey: key, strategy, listType: 'map', mapKeys });
/** An atomic list (replaced as a whole). */
export const atomicList = (items: Schema, description?: string): Schema => arr(items, description, { listType: 'atomic' });
export const strList = (description?: string): Schema => atomicList({ type: 'string', default: '' }, description);

export interface ObjOpts {
  required?: string[];
  mapType?: 'atomic' | 'granular';
  gvk?: { group: string; version: string; kind: string };
  /**
   * Upstream's protobuf field numbers, one `property=number` per property (see pb()): `replicas=1?` marks a Go
   * pointer (kept when zero), `name=1.1` a field of a Go embedded struct that protobuf nests at field 1.
   */
  proto?: string;
  /** Properties upstream's protobuf does not carry, with the reason. */
  protoAbsent?: Record<string, string>;
}
export function obj(description: string, properties: Record<string, Schema>, o: ObjOpts = {}): Schema {
  const s: Schema = { type: 'object', description, properties };
  if (o.required?.length) s.required = o.required;
  if (o.mapType) s['x-kubernetes-map-type'] = o.mapType;
  if (o.gvk) s['x-kubernetes-group-version-kind'] = [o.gvk];
  if (o.proto !== undefined || o.protoAbsent) {
    const a: ProtobufAnnotation = { fields: pb(o.proto ?? '') };
    if (o.protoAbsent) a.absent = o.protoAbsent;
    s['x-kubelite-protobuf'] = a;
  }
  return s;
}

/**
 * Parse `name=1 generateName=2 deletionGracePeriodSeconds=10? name=1.1` into field annotations.
 * `?`: Go pointer or non-omitempty scalar (a zero on the wire stays in the JSON); `a.b`: field b of the message
 * that protobuf nests at field a for a Go embedded struct.
 */
export function pb(spec: string): Record<string, ProtobufField> {
  const out: Record<string, ProtobufField> = {};
  for (const tok of spec.split(/\s+/).filter(Boolean)) {
    const m = /^([A-Za-z$][A-Za-z0-9$-]*)=(\d+(?:\.\d+)*)(\?)?$/.exec(tok);
    if (!m) throw new Error(`bad protobuf field annotation ${JSON.stringify(tok)}`);
    if (out[m[1]]) throw new Error(`protobuf field annotation for ${m[1]} given twice`);
    out[m[1]] = { path: m[2].split('.').map(Number), ...(m[3] ? { keepZero: true } : {}) };
  }
  return out;
}

/** TypeMeta travels in the runtime.Unknown envelope, not in the object's own protobuf message. */
export const TYPE_META_ABSENT = {
  apiVersion: 'TypeMeta: carried by the runtime.Unknown envelope (typeMeta.apiVersion), not by the message',
  kind: 'TypeMeta: carried by the runtime.Unknown envelope (typeMeta.kind), not by the message',
};

/** Free-form content: not checked for unknown fields (affinity, RawExtension, fieldsV1). */
export const preserve = (description?: string): Schema => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...(description ? { description } : {}) });

/** The standard apiVersion/kind/metadata properties of a top-level kind. */
export function typeMeta(): Record<string, Schema> {
  return {
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources'),
    kind: str('Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds'),
  };
}
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const objectMetaProp = (): Schema => ref(META + 'ObjectMeta', "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", { default: {} });
export const listMetaProp = (): Schema => ref(META + 'ListMeta', 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', { default: {} });

/** A top-level kind: apiVersion, kind, metadata, then its own properties. */
export function kind(group: string, version: string, kindName: string, description: string, props: Record<string, Schema>, o: Omit<ObjOpts, 'gvk'> = {}): Schema {
  const custom = isCustomGroup(group);
  const s = obj(description, { ...typeMeta(), metadata: objectMetaProp(), ...props }, { ...o, gvk: { group, version, kind: kindName },
    ...(custom ? { proto: undefined, protoAbsent: undefined } : { proto: `metadata=1 ${o.proto ?? ''}`, protoAbsent: { ...TYPE_META_ABSENT, ...o.protoAbsent } }) });
  return custom ? notCarried(s) : s;
}
/** The XList kind for an item definition. */
export function listKind(group: string, version: string, kindName: string, itemName: string, description: string): Schema {
  const custom = isCustomGroup(group);
  const s = obj(description, { ...typeMeta(), items: arr(ref(itemName), `List of ${kindName.replace(/List$/, '').toLowerCase()}s.`), metadata: listMetaProp() },
    { required: ['items'], gvk: { group, version, kind: kindName }, ...(custom ? {} : { proto: 'metadata=1 items=2', protoAbsent: TYPE_META_ABSENT }) });
  return custom ? notCarried(s) : s;
}

/**
 * A group upstream serves through a CustomResourceDefinition (a dotted name outside *.k8s.io, e.g. argoproj.io):
 * its kinds have no protobuf encoding; clients send them as JSON.
 */
const isCustomGroup = (group: string) => group.includes('.') && !group.endsWith('.k8s.io');
const notCarried = (s: Schema): Schema => ({ ...s, 'x-kubelite-protobuf': { notCarried: 'a custom resource upstream (served from a CRD): clients send it as JSON, never as protobuf' } });

export const intOrString = (description?: string): Schema => ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', description);
export const quantity = (description?: string): Schema => ref('io.k8s.apimachinery.pkg.api.resource.Quantity', description);
export const time = (description?: string): Schema => ref(META + 'Time', description);
export const microTime = (description?: string): Schema => ref(META + 'MicroTime', description);
