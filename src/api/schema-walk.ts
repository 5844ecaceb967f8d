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

/** A JSON type error: `field` as upstream paths it, `message` in the decoder's words. */
export interface TypeError {
  field: string;
  expected: string;
  got: string;
  message: string;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/**
 * Values whose JSON type contradicts the schema (a string where an object belongs, an object for an integer, ...).
 * null is accepted everywhere (it means "unset"). Int-or-string accepts numbers and strings; Quantity too.
 * The message follows the upstream decoder: `json: cannot unmarshal string into Go struct field ... of type int32`.
 */
export function findTypeErrors(obj: unknown, schemaName: string): TypeError[] {
  const out: TypeError[] = [];
  const root = getSchema(schemaName);
  if (!root) return out;
  walkTypes(obj, root, '', out, 0);
  return out;
}

function expectedName(s: Schema): string {
  if (s.type === 'integer') return s.format === 'int32' ? 'int32' : 'int64';
  if (s.type === 'number') return 'float64';
  if (s.type === 'boolean') return 'bool';
  if (s.type === 'array') return 'array';
  if (s.type === 'object') return 'object';
  return 'string';
}

function walkTypes(v: unknown, schema: Schema | undefined, path: string, out: TypeError[], depth: number): void {
  if (depth > 64) return;
  const s = resolve(schema);
  if (!s || v === null || v === undefined) return;
  const got = jsonType(v);
  const push = () => out.push({ field: path || '<root>', expected: expectedName(s), got, message: `json: cannot unmarshal ${got === 'integer' ? 'number' : got} into Go struct field ${path || '<root>'} of type ${expectedName(s)}` });
  if (s['x-kubernetes-int-or-string']) {
    if (got !== 'string' && got !== 'integer' && got !== 'number') push();
    return;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties) {
    if (s.type === 'object' && got !== 'object') push();
    return;
  }
  switch (s.type) {
    case 'string': if (got !== 'string') push(); return;
    case 'boolean': if (got !== 'boolean') push(); return;
    case 'integer': if (got !== 'integer') push(); return;
    case 'number': if (got !== 'integer' && got !== 'number') push(); return;
    case 'array':
      if (got !== 'array') { push(); return; }
      (v as unknown[]).forEach((el, i) => walkTypes(el, s.items, `${path}[${i}]`, out, depth + 1));
      return;
    case 'object': {
      if (got !== 'object') { push(); return; }
      const o = v as Record<string, unknown>;
      for (const [k, child] of Object.entries(o)) {
        const p = joinPath(path, k);
        if (s.properties && k in s.properties) walkTypes(child, s.properties[k], p, out, depth + 1);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') walkTypes(child, s.additionalProperties, p, out, depth + 1);
      }
      return;
    }
    default: return;
  }
}
