/**
 * Walking the schema table: look up named definitions, resolve $ref/allOf, find the schema at a field path,
 * and check an object against its schema for unknown fields (fieldValidation Strict/Warn) and wrong JSON types.
 */
import type { Schema } from './schema.ts';
import { lookupDefinition, REF_PREFIX } from './definitions/index.ts';
import { jsonSourceOf, renderJsonPath } from './json-source.ts';

/** A named definition (e.g. io.k8s.api.apps.v1.Deployment), or undefined. */
export function getSchema(name: string): Schema | undefined {
  return lookupDefinition(name);
}

/**
 * Resolve a property schema to the schema that describes its value: follows `$ref` and single-element `allOf`
 * wrappers, keeping the outer extensions (patch strategy, list type) that sit on the property itself.
 */
const resolved = new WeakMap<Schema, Schema | null>();
export function resolve(schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  const hit = resolved.get(schema);
  if (hit !== undefined) return hit ?? undefined;
  const r = resolveUncached(schema);
  resolved.set(schema, r ?? null);
  return r;
}
function resolveUncached(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s && i < 16; i++) {
    let target: string | undefined;
    if (s.$ref) target = s.$ref;
    else if (s.allOf && s.allOf.length === 1 && s.allOf[0].$ref) target = s.allOf[0].$ref;
    if (!target) return s;
    const name = target.startsWith(REF_PREFIX) ? target.slice(REF_PREFIX.length) : target;
    const def = lookupDefinition(name);
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

/**
 * Every field of `obj` the schema does not know, as upstream strict decoding names them:
 * `spec.template.spec.containers[0].bogusField`, `metadata.labels`-style maps are open, preserve-unknown subtrees
 * and metadata.managedFields internals are skipped.
 */
export function findUnknownFields(obj: unknown, schemaName: string): string[] {
  const out: string[] = [];
  if (!getSchema(schemaName)) return out;
  walkUnknown(obj, rootRef(schemaName), [], out, false);
  return out;
}

/**
 * Remove, in place, every field findUnknownFields would report (what upstream's decoder drops under
 * fieldValidation Warn/Ignore), and return their paths. Same exemptions: maps, preserve-unknown, managedFields.
 */
export function pruneUnknownFields(obj: unknown, schemaName: string): string[] {
  const out: string[] = [];
  if (!getSchema(schemaName)) return out;
  walkUnknown(obj, rootRef(schemaName), [], out, true);
  return out;
}

function walkUnknown(v: unknown, schema: Schema, segs: Seg[], out: string[], prune: boolean): void {
  if (segs.length > 64 || v === null || typeof v !== 'object') return;
  const s = resolve(schema);
  if (!s) return;
  // Preserving unknown fields keeps this level's unknown fields; properties it does name are still walked.
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  if (preserve && !s.properties && !(s.additionalProperties && typeof s.additionalProperties === 'object') && !s.items) return;
  if (segs.length === 2 && segs[0] === 'metadata' && segs[1] === 'managedFields') return;
  if (Array.isArray(v)) {
    if (s.type !== 'array' || !s.items) return;
    for (let i = 0; i < v.length; i++) { segs.push(i); walkUnknown(v[i], s.items, segs, out, prune); segs.pop(); }
    return;
  }
  const props = s.properties;
  const ap = s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  if (!props && !ap) return;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const ps = props && Object.prototype.hasOwnProperty.call(props, k) ? props[k] : undefined;
    const next = ps ?? ap;
    segs.push(k);
    if (next) walkUnknown(o[k], next, segs, out, prune);
    else if (props && !s.additionalProperties && !preserve) { out.push(renderPath(segs)); if (prune) delete o[k]; }
    segs.pop();
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
  /** the offending value itself */
  value?: unknown;
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
    const d = lookupDefinition(n);
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
  const numbers = jsonSourceOf(obj)?.numbers;
  currentNumbers = numbers && numbers.size ? numbers : undefined;
  try { return findTypeErrorsIn(obj, schemaName); } finally { currentNumbers = undefined; }
}

/** Literal texts of the body being checked (json-source), while findTypeErrors runs. */
let currentNumbers: Map<string, string> | undefined;
/** The number as the body wrote it: its remembered literal, else as Go's JSON encoder would print it. */
function numberLiteral(v: number, segs: Seg[]): string {
  const lit = currentNumbers?.get(renderPath(segs));
  if (lit !== undefined) return lit;
  return Number.isFinite(v) ? String(v) : v > 0 ? '1e+309' : '-1e+309';
}

/**
 * int64 is bounded at ±(2^53 − 1), not ±(2^63 − 1): a larger integer has no exact JavaScript number, would be
 * stored rounded (9223372036854775807 becomes 9223372036854775808) and served back as a value no Go client can
 * decode into its int64 field — one such object would break every list of its kind. Refused like an overflow.
 */
const INT_RANGE = { int32: [-(2n ** 31n), 2n ** 31n - 1n], int64: [-(2n ** 53n - 1n), 2n ** 53n - 1n] } as const;
/**
 * Whether a JSON number literal decodes into a Go int32/int64 (strconv.ParseInt base 10, then the type's
 * overflow check): digits only — `1.0`, `1e3` and `1.5` do not — and within the type's range (int64: see above).
 */
export function integerFits(literal: string, format: 'int32' | 'int64'): boolean {
  if (!/^-?\d+$/.test(literal)) return false;
  const [lo, hi] = INT_RANGE[format];
  const n = BigInt(literal);
  return n >= lo && n <= hi;
}

function findTypeErrorsIn(obj: unknown, schemaName: string): TypeError[] {
  const out: TypeError[] = [];
  const root = getSchema(schemaName);
  if (!root) return out;
  const short = schemaName.split('.').pop()!;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    out.push({ field: '', expected: goTypeOfRef(schemaName), got: jsonType(obj), message: `json: cannot unmarshal ${jsonType(obj)} into Go value of type ${goTypeOfRef(schemaName)}` });
    return out;
  }
  walkTypes(obj, rootRef(schemaName), [], [], short, out);
  return out;
}

/** One `$ref` object per definition (its resolution is cached); a replaced custom definition gets a fresh one. */
const rootRefs = new Map<string, { def: Schema | undefined; ref: Schema }>();
function rootRef(name: string): Schema {
  const def = lookupDefinition(name);
  let r = rootRefs.get(name);
  if (!r || r.def !== def) { r = { def, ref: { $ref: REF_PREFIX + name } }; rootRefs.set(name, r); }
  return r.ref;
}

/** The 400 message upstream gives for a body that does not decode: `Deployment in version "v1" cannot be handled as a Deployment: json: ...`. */
export function typeErrorMessage(kind: string, version: string, err: TypeError): string {
  return `${kind} in version "${version}" cannot be handled as a ${kind}: ${err.message}`;
}

/** Per-schema facts the type walk needs, computed once. */
interface TypeInfo { s: Schema | undefined; struct?: string; itemStruct?: string }
const typeInfos = new WeakMap<Schema, TypeInfo>();
function typeInfo(schema: Schema): TypeInfo {
  let t = typeInfos.get(schema);
  if (!t) {
    const s = resolve(schema);
    const n = refName(schema);
    t = { s, struct: n && lookupDefinition(n)?.type === 'object' ? n.split('.').pop() : undefined, itemStruct: s?.type === 'array' ? itemStruct(s.items) : undefined };
    typeInfos.set(schema, t);
  }
  return t;
}

/** Path segments: a string is a field, a number an index. Paths are only rendered for an error. */
type Seg = string | number;
const renderPath = renderJsonPath;
/** Go leaves indexes and map keys out of its field path. */
function renderGoPath(segs: Seg[], goSkip: boolean[]): string {
  let p = '';
  segs.forEach((x, i) => { if (typeof x === 'string' && !goSkip[i]) p = p ? `${p}.${x}` : x; });
  return p;
}

function walkTypes(v: unknown, schema: Schema, segs: Seg[], goSkip: boolean[], struct: string, out: TypeError[]): void {
  if (segs.length > 64 || v === null || v === undefined) return;
  const info = typeInfo(schema);
  const s = info.s;
  if (!s) return;
  const got = jsonType(v);
  if (s['x-kubernetes-int-or-string']) {
    if (got !== 'string' && got !== 'number') pushTypeError(out, schema, segs, goSkip, struct, got, v);
    return;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties) {
    if (s.type === 'object' && got !== 'object') pushTypeError(out, schema, segs, goSkip, struct, got, v);
    return;
  }
  switch (s.type) {
    case 'string': if (got !== 'string') pushTypeError(out, schema, segs, goSkip, struct, got, v); return;
    case 'boolean': if (got !== 'bool') pushTypeError(out, schema, segs, goSkip, struct, got, v); return;
    case 'integer': {
      if (got !== 'number') { pushTypeError(out, schema, segs, goSkip, struct, got, v); return; }
      const int32 = s.format === 'int32';
      const n = v as number;
      if (!currentNumbers && Number.isSafeInteger(n)) { // the common case: a plain integer, exact in a double
        if (int32 && (n < -2147483648 || n > 2147483647)) pushTypeError(out, schema, segs, goSkip, struct, `number ${n}`, v);
        return;
      }
      const lit = numberLiteral(n, segs);
      if (!integerFits(lit, int32 ? 'int32' : 'int64')) pushTypeError(out, schema, segs, goSkip, struct, `number ${lit}`, v);
      return;
    }
    case 'number':
      if (got !== 'number') pushTypeError(out, schema, segs, goSkip, struct, got, v);
      else if (!Number.isFinite(v as number)) pushTypeError(out, schema, segs, goSkip, struct, `number ${numberLiteral(v as number, segs)}`, v);
      return;
    case 'array': {
      if (got !== 'array') { pushTypeError(out, schema, segs, goSkip, struct, got, v); return; }
      const arr = v as unknown[];
      if (!s.items) return;
      const st = info.itemStruct ?? struct;
      for (let i = 0; i < arr.length; i++) {
        segs.push(i); goSkip.push(true);
        walkTypes(arr[i], s.items, segs, goSkip, st, out);
        segs.pop(); goSkip.pop();
      }
      return;
    }
    case 'object': {
      if (got !== 'object') { pushTypeError(out, schema, segs, goSkip, struct, got, v); return; }
      const here = info.struct ?? struct;
      const props = s.properties;
      const ap = s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
      const o = v as Record<string, unknown>;
      for (const k in o) {
        const ps = props && Object.prototype.hasOwnProperty.call(props, k) ? props[k] : undefined;
        if (ps) { segs.push(k); goSkip.push(false); walkTypes(o[k], ps, segs, goSkip, here, out); segs.pop(); goSkip.pop(); }
        else if (ap) { segs.push(k); goSkip.push(true); walkTypes(o[k], ap, segs, goSkip, here, out); segs.pop(); goSkip.pop(); }
      }
      return;
    }
    default: return;
  }
}
function pushTypeError(out: TypeError[], schema: Schema, segs: Seg[], goSkip: boolean[], struct: string, got: string, value: unknown): void {
  const expected = goType(schema);
  out.push({ field: renderPath(segs), expected, got, value, message: `json: cannot unmarshal ${got} into Go struct field ${struct}.${renderGoPath(segs, goSkip)} of type ${expected}` });
}

/** Types that decode themselves (UnmarshalJSON): the unstructured converter hands them their JSON, its words differ. */
const SELF_DECODING = new Set(['intstr.IntOrString', 'resource.Quantity', 'v1.Time', 'v1.MicroTime', 'runtime.RawExtension']);

/**
 * The same type error in the words of upstream's unstructured converter (runtime.DefaultUnstructuredConverter
 * .FromUnstructured), which turns a strategic merge patch's result into the typed object and names only the
 * reason: `cannot restore map from string`, `cannot restore slice from map`, `cannot restore struct from: bool`,
 * `unrecognized type: int32` (a string for an integer), `cannot convert int64 to string`. Undefined where that
 * converter would hand the value to the type's own decoder, or accept it.
 */
export function unstructuredConverterMessage(te: TypeError): string | undefined {
  const v = te.value;
  const kind = Array.isArray(v) ? 'slice' : v !== null && typeof v === 'object' ? 'map' : typeof v === 'number' ? (Number.isInteger(v) ? 'int64' : 'float64') : typeof v === 'boolean' ? 'bool' : typeof v === 'string' ? 'string' : undefined;
  const e = te.expected;
  if (!kind || SELF_DECODING.has(e)) return undefined;
  if (e.startsWith('map[')) return kind === 'map' ? undefined : `cannot restore map from ${kind}`;
  if (e.startsWith('[]')) return kind === 'slice' || (e === '[]uint8' && kind === 'string') ? undefined : `cannot restore slice from ${kind}`;
  if (e.includes('.')) return kind === 'map' ? undefined : `cannot restore struct from: ${kind}`;
  // Scalars: Go assigns or converts within one JSON group only (integers to integers or floats, strings to strings).
  const isInt = e === 'int32' || e === 'int64';
  if (kind === 'int64' && (isInt || e === 'float64')) return undefined; // in range or not, Go's conversion takes it
  if (kind === 'int64' && e === 'string') return 'cannot convert int64 to string';
  if (kind === 'float64' && isInt) return `cannot convert float64 to ${e}`;
  if (kind === e) return undefined;
  return `unrecognized type: ${e}`;
}
function itemStruct(items: Schema | undefined): string | undefined {
  const n = refName(items);
  return n && lookupDefinition(n)?.type === 'object' ? n.split('.').pop() : undefined;
}
