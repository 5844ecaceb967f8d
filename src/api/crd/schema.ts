/**
 * A CustomResourceDefinition version's openAPIV3Schema, as the rest of the server uses it:
 *  - `publishedSchema`: the kind's definition (registered beside the built-in ones, so pruning, unknown-field
 *    checks, server-side apply and /openapi/v3 — hence `kubectl explain` — read it like any other): apiVersion,
 *    kind and metadata (ObjectMeta) at the root, the GVK extension, and every object that names no properties,
 *    no additionalProperties and does not preserve unknown fields made explicit as having none (so pruning drops
 *    what it holds, as upstream's structural pruning does);
 *  - `applyDefaults`: upstream's structural defaulting (a missing property with a default gets it; a null where
 *    null is not allowed counts as missing; objects and lists are walked after their own defaults apply).
 * Schema names are upstream's OpenAPI names for CRDs: the group reversed, version, kind (`com.example.v1.CronTab`).
 */
import type { Schema } from '../schema.ts';
import { REF_PREFIX } from '../definitions/builders.ts';

type S = Record<string, any>;
const isObj = (v: unknown): v is S => typeof v === 'object' && v !== null && !Array.isArray(v);

export function schemaNameOf(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const COPIED = ['type', 'format', 'description', 'title', 'enum', 'default', 'nullable', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'required', 'example',
  'externalDocs', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-embedded-resource', 'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations'];

function convert(s: S): Schema {
  const out: S = {};
  for (const f of COPIED) if (s[f] !== undefined) out[f] = structuredClone(s[f]);
  if (isObj(s.properties)) out.properties = Object.fromEntries(Object.entries(s.properties).filter(([, v]) => isObj(v)).map(([k, v]) => [k, convert(v as S)]));
  if (isObj(s.items)) out.items = convert(s.items);
  if (isObj(s.additionalProperties)) out.additionalProperties = convert(s.additionalProperties);
  else if (s.additionalProperties !== undefined) out.additionalProperties = s.additionalProperties;
  for (const j of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(s[j])) out[j] = s[j].filter(isObj).map(convert);
  if (isObj(s.not)) out.not = convert(s.not);
  if (out.type === 'object' && !out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.properties = {};
  return out as Schema;
}

/** The definition of a custom resource kind, from its version's openAPIV3Schema (undefined: no schema). */
export function publishedSchema(raw: unknown, group: string, version: string, kind: string): Schema {
  const root = convert(isObj(raw) ? raw : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as S;
  root.type = 'object';
  root.properties = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    metadata: { $ref: REF_PREFIX + META + 'ObjectMeta' },
    ...Object.fromEntries(Object.entries(root.properties ?? {}).filter(([k]) => !['apiVersion', 'kind', 'metadata'].includes(k))),
  };
  root['x-kubernetes-group-version-kind'] = [{ group, version, kind }];
  root['x-kubelite-protobuf'] = { notCarried: 'a custom resource (served from a CustomResourceDefinition): clients send it as JSON, never as protobuf' };
  return root as Schema;
}

/** The <Kind>List definition beside it. */
export function publishedListSchema(itemSchemaName: string, group: string, version: string, listKind: string, kind: string): Schema {
  return {
    type: 'object',
    description: `${listKind} is a list of ${kind}`,
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      items: { type: 'array', description: `List of ${kind.toLowerCase()}s. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, items: { $ref: REF_PREFIX + itemSchemaName } },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { $ref: REF_PREFIX + META + 'ListMeta' },
    },
    'x-kubernetes-group-version-kind': [{ group, version, kind: listKind }],
    'x-kubelite-protobuf': { notCarried: 'a custom resource list: JSON only' },
  };
}

const nonNullableNull = (v: unknown, s: S | undefined) => v === null && !!s && s.nullable !== true;

/** Structural defaulting, in place, from the raw (CRD) schema. */
export function applyDefaults(x: unknown, s: unknown): void {
  if (!isObj(s)) return;
  if (isObj(x)) {
    const props = isObj(s.properties) ? s.properties : {};
    for (const [k, p] of Object.entries(props)) {
      if (!isObj(p) || p.default === undefined) continue;
      if (!(k in x) || nonNullableNull(x[k], p)) x[k] = structuredClone(p.default);
    }
    const ap = isObj(s.additionalProperties) ? s.additionalProperties : undefined;
    for (const [k, v] of Object.entries(x)) {
      if (isObj(props[k])) applyDefaults(v, props[k]);
      else if (ap) {
        if (nonNullableNull(v, ap) && ap.default !== undefined) x[k] = structuredClone(ap.default);
        applyDefaults(x[k], ap);
      }
    }
  } else if (Array.isArray(x) && isObj(s.items)) {
    for (let i = 0; i < x.length; i++) {
      if (nonNullableNull(x[i], s.items) && s.items.default !== undefined) x[i] = structuredClone(s.items.default);
      applyDefaults(x[i], s.items);
    }
  }
}
