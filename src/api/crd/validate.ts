/**
 * A custom resource against its version's structural schema (upstream apiextensions-apiserver
 * pkg/apiserver/validation ValidateCustomResource over k8s.io/kube-openapi's validator): every field error, in
 * upstream's words — `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer:
 * "string"`, `spec.cronSpec: Required value`, `spec.size: Unsupported value: "XL": supported values: "S", "M"`,
 * `spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10`, patterns,
 * lengths, item and property counts, formats, list-type set/map uniqueness, allOf/anyOf/oneOf/not.
 * (x-kubernetes-validations CEL rules are not evaluated.)
 */
import type { FieldError } from '../errors.ts';
import { deepEqual, duplicate, goValue, invalid, notSupported, required } from '../validation/field.ts';

type S = Record<string, any>;
const isObj = (v: unknown): v is S => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON type name kube-openapi reports for a value. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** field.TypeInvalid with kube-openapi's InvalidType text: `<name> in body must be of type <t>: "<got>"`. */
const typeInvalid = (field: string, type: string, got: string): FieldError =>
  ({ type: 'FieldValueTypeInvalid', field, message: `Invalid value: ${JSON.stringify(got)}: ${field} in body must be of type ${type}: ${JSON.stringify(got)}` });
/** The default case: field.Invalid(path, value, kube-openapi's message). */
const valueInvalid = (field: string, value: unknown, msg: string): FieldError => invalid(field, value, `${field} in body ${msg}`);

const dateTime = (v: string) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v));
const FORMATS: Record<string, RegExp | ((v: string) => boolean)> = {
  'date-time': dateTime,
  datetime: dateTime,
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
  uuid3: /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
  uuid4: /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i,
  uuid5: /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i,
  ipv4: /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  ipv6: (v) => v.includes(':') && /^[0-9a-fA-F:.]+$/.test(v) && v.split('::').length <= 2,
  cidr: (v) => { const [ip, bits, ...rest] = v.split('/'); return !rest.length && /^\d+$/.test(bits ?? '') && ((FORMATS.ipv4 as RegExp).test(ip) ? Number(bits) <= 32 : (FORMATS.ipv6 as (x: string) => boolean)(ip) && Number(bits) <= 128); },
  mac: /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/,
  hostname: /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
  email: /^[^\s@]+@[^\s@]+$/,
  uri: (v) => { try { return !!new URL(v).protocol; } catch { return false; } },
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^0$/,
  bsonobjectid: /^[0-9a-fA-F]{24}$/,
  hexcolor: /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/,
};

/** The path of a child: `spec.a`, `spec.list[0]`. */
const at = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

export function validateCustomResource(obj: unknown, schema: S | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (!schema || !isObj(obj)) return errs;
  // apiVersion, kind and metadata are checked by the generic registry; the rest against the schema.
  const rest: S = { ...obj };
  delete rest.apiVersion; delete rest.kind; delete rest.metadata;
  const root: S = { ...schema, properties: { ...(isObj(schema.properties) ? schema.properties : {}) } };
  delete root.properties.metadata; delete root.properties.apiVersion; delete root.properties.kind;
  root.required = (Array.isArray(schema.required) ? schema.required : []).filter((r: string) => !['metadata', 'apiVersion', 'kind'].includes(r));
  walk(rest, root, '', errs);
  return errs;
}

function walk(v: unknown, s: S, path: string, errs: FieldError[]): void {
  if (v === null) {
    if (s.nullable === true) return;
    if (s.type) errs.push(typeInvalid(path, s.type, 'null'));
    return;
  }
  if (s['x-kubernetes-int-or-string'] === true) {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) { errs.push(typeInvalid(path, 'integer,string', jsonType(v))); return; }
  } else if (s.type) {
    const t = jsonType(v);
    const ok = s.type === t || (s.type === 'number' && t === 'integer') || (s.type === 'boolean' && t === 'boolean');
    if (!ok) { errs.push(typeInvalid(path, s.type, t)); return; }
  }
  if (Array.isArray(s.enum) && !s.enum.some((e: unknown) => deepEqual(e, v))) {
    errs.push(notSupported(path, v, s.enum.map((e: unknown) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof v === 'string') strings(v, s, path, errs);
  if (typeof v === 'number') numbers(v, s, path, errs);
  if (Array.isArray(v)) arrays(v, s, path, errs);
  if (isObj(v)) objects(v, s, path, errs);
  junctors(v, s, path, errs);
}

function strings(v: string, s: S, path: string, errs: FieldError[]): void {
  if (typeof s.maxLength === 'number' && [...v].length > s.maxLength) {
    errs.push({ type: 'FieldValueTooLong', field: path, message: `Too long: may not be more than ${s.maxLength} bytes` });
  }
  if (typeof s.minLength === 'number' && [...v].length < s.minLength) errs.push(valueInvalid(path, v, `should be at least ${s.minLength} chars long`));
  if (typeof s.pattern === 'string' && s.pattern) {
    let re: RegExp | undefined;
    try { re = new RegExp(s.pattern, 'u'); } catch { re = undefined; }
    if (re && !re.test(v)) errs.push(valueInvalid(path, v, `should match '${s.pattern}'`));
  }
  const f = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
  if (f && !(typeof f === 'function' ? f(v) : f.test(v))) {
    errs.push({ type: 'FieldValueTypeInvalid', field: path, message: `Invalid value: ${JSON.stringify(v)}: ${path} in body must be of type ${s.format}: ${JSON.stringify(v)}` });
  }
}

/**
 * kube-openapi's IsValueValidAgainstRange: an integer must fit its format (int32; int64 or no format — bounded
 * at ±(2^53 − 1) here, the integers a JavaScript number holds exactly), a `float` number a float32.
 */
function rangeError(v: number, s: S): string | undefined {
  const fmt = typeof s.format === 'string' ? s.format : '';
  if (s.type === 'integer') {
    const ok = fmt === 'int32' ? v >= -2147483648 && v <= 2147483647 : fmt === 'uint32' ? v >= 0 && v <= 4294967295 : Number.isSafeInteger(v) && (fmt !== 'uint64' || v >= 0);
    if (!ok) return fmt && ['int32', 'int64', 'uint32', 'uint64'].includes(fmt) ? `must be of type integer with format ${fmt}` : 'must be of type integer (default format)';
  } else if (s.type === 'number' && (fmt === 'float' || fmt === 'float32')) {
    if (Number.isFinite(v) && Math.abs(v) > 3.4028234663852886e38) return `must be of type number with format ${fmt}`;
  }
  return undefined;
}

function numbers(v: number, s: S, path: string, errs: FieldError[]): void {
  const range = rangeError(v, s);
  if (range) errs.push(invalid(path, v, `Checked value ${range} in ${path}`));
  if (typeof s.maximum === 'number') {
    if (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum) {
      errs.push(valueInvalid(path, v, s.exclusiveMaximum === true ? `should be less than ${s.maximum}` : `should be less than or equal to ${s.maximum}`));
    }
  }
  if (typeof s.minimum === 'number') {
    if (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum) {
      errs.push(valueInvalid(path, v, s.exclusiveMinimum === true ? `should be greater than ${s.minimum}` : `should be greater than or equal to ${s.minimum}`));
    }
  }
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0) {
    const q = v / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) errs.push(valueInvalid(path, v, `should be a multiple of ${s.multipleOf}`));
  }
}

function arrays(v: unknown[], s: S, path: string, errs: FieldError[]): void {
  if (typeof s.maxItems === 'number' && v.length > s.maxItems) {
    errs.push({ type: 'FieldValueTooMany', field: path, message: `Too many: ${v.length}: must have at most ${s.maxItems} items` });
  }
  if (typeof s.minItems === 'number' && v.length < s.minItems) errs.push(valueInvalid(path, v, `should have at least ${s.minItems} items`));
  const items = isObj(s.items) ? s.items : undefined;
  if (items) v.forEach((x, i) => walk(x, items, at(path, i), errs));
  const lt = s['x-kubernetes-list-type'];
  if (lt === 'set') {
    v.forEach((x, i) => { if (v.slice(0, i).some((y) => deepEqual(x, y))) errs.push(duplicate(at(path, i), x)); });
  } else if (lt === 'map' && Array.isArray(s['x-kubernetes-list-map-keys'])) {
    const keys: string[] = s['x-kubernetes-list-map-keys'];
    const keyOf = (x: unknown) => (isObj(x) ? Object.fromEntries(keys.filter((k) => x[k] !== undefined).map((k) => [k, x[k]])) : {});
    v.forEach((x, i) => {
      if (v.slice(0, i).some((y) => deepEqual(keyOf(x), keyOf(y)))) {
        errs.push({ type: 'FieldValueDuplicate', field: at(path, i), message: `Duplicate value: ${goValue(keyOf(x))}` });
      }
    });
  }
}

function objects(v: S, s: S, path: string, errs: FieldError[]): void {
  const props = isObj(s.properties) ? s.properties : {};
  for (const r of Array.isArray(s.required) ? s.required : []) {
    if (!(r in v)) errs.push(required(at(path, r)));
  }
  const n = Object.keys(v).length;
  if (typeof s.maxProperties === 'number' && n > s.maxProperties) {
    errs.push({ type: 'FieldValueTooMany', field: path, message: `Too many: ${n}: must have at most ${s.maxProperties} items` });
  }
  if (typeof s.minProperties === 'number' && n < s.minProperties) errs.push(valueInvalid(path, v, `should have at least ${s.minProperties} properties`));
  const ap = isObj(s.additionalProperties) ? s.additionalProperties : undefined;
  for (const [k, x] of Object.entries(v)) {
    if (isObj(props[k])) walk(x, props[k], at(path, k), errs);
    else if (ap) walk(x, ap, at(path, k), errs);
  }
}

/** allOf: every one; anyOf: at least one; oneOf: exactly one; not: none (their own failures are reported). */
function junctors(v: unknown, s: S, path: string, errs: FieldError[]): void {
  const check = (x: unknown) => { const e: FieldError[] = []; if (isObj(x)) walk(v, x, path, e); return e; };
  for (const x of Array.isArray(s.allOf) ? s.allOf : []) errs.push(...check(x));
  if (Array.isArray(s.anyOf) && s.anyOf.length && s['x-kubernetes-int-or-string'] !== true) {
    const results = s.anyOf.map(check);
    if (!results.some((r: FieldError[]) => !r.length)) {
      errs.push(...results.flat(), valueInvalid(path, v, 'must validate at least one schema (anyOf)'));
    }
  }
  if (Array.isArray(s.oneOf) && s.oneOf.length) {
    const ok = s.oneOf.map(check).filter((r: FieldError[]) => !r.length).length;
    if (ok !== 1) errs.push(valueInvalid(path, v, 'must validate one and only one schema (oneOf)'));
  }
  if (isObj(s.not) && !check(s.not).length) errs.push(valueInvalid(path, v, 'must not validate the schema (not)'));
}
