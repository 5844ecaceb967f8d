/**
 * Walking the schema table: look up named definitions, resolve $ref/allOf, find the schema at a field path,
 * and check an object against its schema for unknown fields (fieldValidation Strict/Warn) and wrong JSON types.
 */
import type { Schema } from './schema.ts';
import { definitions, REF_PREFIX } from './definitions/index.ts';

/** A named definition (e.g. io.k8s.api.apps.v1.Deployment), or undefined. */
export function getSchema(name: string): Schema | undefined {
  return definitions[name];
}

/**
 * Resolve a property schema to the schema that describes its value: follows `$ref` and single-element `allOf`
 * wrappers, keeping the outer extensions (patch strategy, list type) that sit on the property itself.
 */
export function resolve(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s && i < 16; i++) {
    let target: string | undefined;
    if (s.$ref) target = s.$ref;
    else if (s.allOf && s.allOf.length === 1 && s.allOf[0].$ref) target = s.allOf[0].$ref;
    if (!target) return s;
    const name = target.startsWith(REF_PREFIX) ? target.slice(REF_PREFIX.length) : target;
    const def = definitions[name];
    if (!def) return undefined;
    const outer: Schema = { ...s };
    delete outer.$ref; delete outer.allOf;
    s = { ...def, ...pickExtensions(outer) };
  }
  return s;
}

function pickExtensions(s: Schema): Partial<Schema> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (k.startsWith('x-kubernetes-') && k !== 'x-kubernetes-group-version-kind') out[k] = v;
  return out as Partial<Schema>;
}

/** Schema of the object at `path` below `root` (a definition name or schema). Path segments are field names;
 *  a numeric segment or '*' descends into array items; map values are reached by any key. */
export function schemaAtPath(root: string | Schema, path: string[] | string): Schema | undefined {
  let s = resolve(typeof root === 'string' ? getSchema(root) : root);
  const segs = typeof path === 'string' ? path.split('.').filter(Boolean) : path;
  for (const seg of segs) {
    if (!s) return undefined;
    if (s.type === 'array') {
      if (seg === '*' || /^\d+$/.test(seg)) { s = resolve(s.items); continue; }
      return undefined;
    }
    if (s.properties && seg in s.properties) { s = resolve(s.properties[seg]); continue; }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') { s = resolve(s.additionalProperties); continue; }
    return undefined;
  }
  return s;
}

/** Property names of an object schema's allowed fields (for `explain`-like consumers). */
export function propertiesOf(schema: Schema | undefined): Record<string, Schema> {
  return resolve(schema)?.properties ?? {};
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function joinPath(base: string, key: string): string { return base ? `${base}.${key}` : key; }

/**
 * Every field of `obj` the schema does not know, as upstream strict decoding names them:
 * `spec.template.spec.containers[0].bogusField`, `metadata.labels`-style maps are open, preserve-unknown subtrees
 * and metadata.managedFields internals are skipped.
 */
export function findUnknownFields(obj: unknown, schemaName: string): string[] {
  const out: string[] = [];
  const root = getSchema(schemaName);
  if (!root) return out;
  walkUnknown(obj, root, '', out, 0);
  return out;
}

function walkUnknown(v: unknown, schema: Schema | undefined, path: string, out: string[], depth: number): void {
  if (depth > 64) return;
  const s = resolve(schema);
  if (!s || s['x-kubernetes-preserve-unknown-fields']) return;
  if (path === 'metadata.managedFields') return;
  if (Array.isArray(v)) {
    if (s.type !== 'array') return;
    v.forEach((el, i) => walkUnknown(el, s.items, `${path}[${i}]`, out, depth + 1));
    return;
  }
  if (!isPlainObject(v)) return;
  if (s.properties) {
    for (const [k, child] of Object.entries(v)) {
      const p = joinPath(path, k);
      if (k in s.properties) walkUnknown(child, s.properties[k], p, out, depth + 1);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') walkUnknown(child, s.additionalProperties, p, out, depth + 1);
      else if (!s.additionalProperties) out.push(p);
    }
  } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    for (const [k, child] of Object.entries(v)) walkUnknown(child, s.additionalProperties, joinPath(path, k), out, depth + 1);
  }
}

/**
 * Remove, in place, every field findUnknownFields would report (what upstream's decoder drops under
 * fieldValidation Warn/Ignore), and return their paths. Same exemptions: maps, preserve-unknown, managedFields.
 */
export function pruneUnknownFields(obj: unknown, schemaName: string): string[] {
  const out: string[] = [];
  const root = getSchema(schemaName);
  if (!root) return out;
  walkPrune(obj, root, '', out, 0);
  return out;
}

function walkPrune(v: unknown, schema: Schema | undefined, path: string, out: string[], depth: number): void {
  if (depth > 64) return;
  const s = resolve(schema);
  if (!s || s['x-kubernetes-preserve-unknown-fields'] || path === 'metadata.managedFields') return;
  if (Array.isArray(v)) {
    if (s.type === 'array') v.forEach((el, i) => walkPrune(el, s.items, `${path}[${i}]`, out, depth + 1));
    return;
  }
  if (!isPlainObject(v)) return;
  for (const [k, child] of Object.entries(v)) {
    const p = joinPath(path, k);
    if (s.properties && k in s.properties) walkPrune(child, s.properties[k], p, out, depth + 1);
    else if (s.additionalProperties && typeof s.additionalProperties === 'object') walkPrune(child, s.additionalProperties, p, out, depth + 1);
    else if (s.properties && !s.additionalProperties) { out.push(p); delete v[k]; }
  }
}

/** A JSON type error: `field` as upstream paths it, `message` in the decoder's words. */
export interface TypeError {
  field: string;
  /** Go type the decoder wanted, e.g. int32, string, []v1.Container, v1.LabelSelector */
  expected: string;
  /** JSON type found: string, number, bool, array, object */
  got: string;
  /** `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32` */
  message: string;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** The Go name of a definition: io.k8s.api.core.v1.Container → v1.Container, ...intstr.IntOrString → intstr.IntOrString. */
function goTypeOfRef(name: string): string {
  const parts = name.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}
function refName(s: Schema | undefined): string | undefined {
  const r = s?.$ref ?? (s?.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
  return r?.startsWith(REF_PREFIX) ? r.slice(REF_PREFIX.length) : undefined;
}
/** Go type of a property schema, as encoding/json names it in errors. */
function goType(schema: Schema | undefined): string {
  const n = refName(schema);
  if (n) {
    const d = definitions[n];
    if (d && d.type !== 'object') return d['x-kubernetes-int-or-string'] || d.format === 'date-time' ? goTypeOfRef(n) : goScalar(d);
    return goTypeOfRef(n);
  }
  const s = schema ?? {};
  if (s.type === 'array') return `[]${goType(s.items)}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') return `map[string]${goType(s.additionalProperties)}`;
  if (s.type === 'object') return 'map[string]interface {}';
  return goScalar(s);
}
function goScalar(s: Schema): string {
  if (s.type === 'integer') return s.format === 'int32' ? 'int32' : 'int64';
  if (s.type === 'number') return 'float64';
  if (s.type === 'boolean') return 'bool';
  if (s.format === 'byte') return '[]uint8';
  return 'string';
}

/**
 * Values whose JSON type contradicts the schema (a string where an object belongs, an object for an integer, ...),
 * in document order. null is accepted everywhere (it means "unset"); int-or-string and Quantity take numbers and
 * strings. The upstream decoder stops at the first one: report `[0]` (see typeErrorMessage).
 */
export function findTypeErrors(obj: unknown, schemaName: string): TypeError[] {
  const out: TypeError[] = [];
  const root = getSchema(schemaName);
  if (!root) return out;
  const short = schemaName.split('.').pop()!;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    out.push({ field: '', expected: goTypeOfRef(schemaName), got: jsonType(obj), message: `json: cannot unmarshal ${jsonType(obj)} into Go value of type ${goTypeOfRef(schemaName)}` });
    return out;
  }
  walkTypes(obj, { $ref: REF_PREFIX + schemaName }, '', '', short, out, 0);
  return out;
}

/** The 400 message upstream gives for a body that does not decode: `Deployment in version "v1" cannot be handled as a Deployment: json: ...`. */
export function typeErrorMessage(kind: string, version: string, err: TypeError): string {
  return `${kind} in version "${version}" cannot be handled as a ${kind}: ${err.message}`;
}

/** `path` has indexes (spec.containers[0].name), `goPath` not (spec.containers.name), as Go reports it. */
function walkTypes(v: unknown, schema: Schema | undefined, path: string, goPath: string, struct: string, out: TypeError[], depth: number): void {
  if (depth > 64 || v === null || v === undefined) return;
  const s = resolve(schema);
  if (!s) return;
  const got = jsonType(v);
  const push = () => {
    const expected = goType(schema);
    out.push({ field: path, expected, got, message: `json: cannot unmarshal ${got} into Go struct field ${struct}.${goPath} of type ${expected}` });
  };
  if (s['x-kubernetes-int-or-string']) {
    if (got !== 'string' && got !== 'number') push();
    return;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties) {
    if (s.type === 'object' && got !== 'object') push();
    return;
  }
  const n = refName(schema);
  const here = n && definitions[n]?.type === 'object' ? n.split('.').pop()! : struct;
  switch (s.type) {
    case 'string': if (got !== 'string') push(); return;
    case 'boolean': if (got !== 'bool') push(); return;
    case 'integer': if (got !== 'number' || !Number.isInteger(v)) push(); return;
    case 'number': if (got !== 'number') push(); return;
    case 'array':
      if (got !== 'array') { push(); return; }
      (v as unknown[]).forEach((el, i) => walkTypes(el, s.items, `${path}[${i}]`, goPath, itemStruct(s.items) ?? struct, out, depth + 1));
      return;
    case 'object': {
      if (got !== 'object') { push(); return; }
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        const p = joinPath(path, k), gp = joinPath(goPath, k);
        if (s.properties && k in s.properties) walkTypes(child, s.properties[k], p, gp, here, out, depth + 1);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') walkTypes(child, s.additionalProperties, p, goPath, here, out, depth + 1); // Go leaves map keys out
      }
      return;
    }
    default: return;
  }
}
function itemStruct(items: Schema | undefined): string | undefined {
  const n = refName(items);
  return n && definitions[n]?.type === 'object' ? n.split('.').pop() : undefined;
}
