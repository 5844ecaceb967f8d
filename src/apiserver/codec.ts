/**
 * Storage keys and object (de)serialisation between the REST layer and the Store.
 * Keys: `/registry/<group|core>/<plural>/<namespace>/<name>` (cluster-scoped: no namespace segment).
 * metadata.resourceVersion is never stored: it is the key's modRevision, stamped on read. A kind served in a second
 * version (ResourceDef.storage) is converted to its storage version on encode and back on decode.
 */
import type { KeyValue } from '../storage/store.ts';
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.d.ts';

/** ObjectMeta without the readonly modifiers (the server writes these fields). */
export type Meta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };
export function metaOf(obj: KubeObject): Meta {
  return (obj.metadata = obj.metadata ?? {}) as Meta;
}

export function groupSegment(def: { group: string }): string {
  return def.group || 'core';
}

export function objectKey(def: ResourceDef, namespace: string | undefined, name: string): string {
  return def.namespaced
    ? `/registry/${groupSegment(def)}/${def.plural}/${namespace}/${name}`
    : `/registry/${groupSegment(def)}/${def.plural}/${name}`;
}

/** Prefix of a collection (all namespaces when `namespace` is empty). Always ends with '/'. */
export function collectionPrefix(def: ResourceDef, namespace?: string): string {
  const base = `/registry/${groupSegment(def)}/${def.plural}/`;
  return def.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function apiVersionOf(def: { group: string; version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** Decode a stored value into an object with apiVersion/kind and resourceVersion = `rev`. */
export function decodeKV(def: ResourceDef, value: string, rev: number): KubeObject {
  let obj = JSON.parse(value) as KubeObject;
  if (def.storage) obj = def.storage.fromStorage(obj);
  obj.apiVersion = apiVersionOf(def);
  obj.kind = def.kind;
  metaOf(obj).resourceVersion = String(rev);
  return obj;
}

export function fromKV(def: ResourceDef, kv: KeyValue): KubeObject {
  return decodeKV(def, kv.value, kv.modRevision);
}

/** Serialise for storage: apiVersion/kind first, no resourceVersion. */
export function encodeObject(def: ResourceDef, obj: KubeObject): string {
  const stored = def.storage ? def.storage.toStorage(obj) : obj;
  const { apiVersion: _a, kind: _k, metadata, ...rest } = stored;
  const { resourceVersion: _rv, ...meta } = metadata ?? {};
  const apiVersion = def.storage ? apiVersionOf({ group: def.group, version: def.storage.version }) : apiVersionOf(def);
  return JSON.stringify({ apiVersion, kind: def.kind, metadata: meta, ...rest });
}

export function deepClone<T>(o: T): T {
  return o === undefined ? o : JSON.parse(JSON.stringify(o));
}

/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
export function specPart(obj: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** Depth of a decoded JSON value (iterative, so hostile input cannot overflow the stack). */
export function jsonDepthExceeds(v: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (d > max) return true;
    if (x && typeof x === 'object') {
      for (const c of Object.values(x as object)) if (c && typeof c === 'object') stack.push([c, d + 1]);
    }
  }
  return false;
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
/** Upstream SimpleNameGenerator: base (trimmed to 58 chars) + 5 random characters. */
export function generateName(base: string): string {
  let s = base.length > 58 ? base.slice(0, 58) : base;
  for (let i = 0; i < 5; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}
