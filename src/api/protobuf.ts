/**
 * Decoding Kubernetes protobuf request bodies (what `kubectl create deployment|service|namespace|configmap|secret`
 * sends): magic "k8s\0", a runtime.Unknown envelope {typeMeta, raw}, then the object's own message.
 *
 * The decoder walks the kind's schema (src/api/definitions): each object schema's `x-kubelite-protobuf` annotation
 * gives upstream's field number per property, which fields are Go pointers, which belong to Go embedded structs
 * (nested messages on the wire, flattened in JSON), and the types protobuf encodes specially (Time, MicroTime,
 * IntOrString, Quantity, FieldsV1). protobufjs's Reader reads the wire primitives.
 *
 * Go writes every non-pointer field, so the wire carries "", 0, false and empty messages everywhere: those are
 * dropped, except for pointers and fields without omitempty (the schema's `required`), which JSON would carry too.
 * A field number the schema does not know is not dropped: it becomes the property `protobuf-field-<n>`, which the
 * API server's unknown-field check reports (fieldValidation Strict: 400, Warn: a warning, Ignore: pruned).
 */
import protobuf from 'protobufjs';
import type { KubeObject } from './resource.ts';
import type { Schema } from './schema.ts';
import { StatusError, badRequest } from './errors.ts';
import { definitions, REF_PREFIX } from './definitions/index.ts';
import { findByKind, resources } from './registry.ts';
import { goDurationString } from '../util/duration.ts';

const { Reader } = protobuf;
type Reader = protobuf.Reader;

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5;

/** The name of the property an unknown field number is kept under. */
export const unknownFieldName = (n: number): string => `protobuf-field-${n}`;

/** A named definition behind a property schema ($ref, or allOf: [$ref] when it carries a description). */
function target(s: Schema): Schema {
  const r = s.$ref ?? s.allOf?.[0]?.$ref;
  if (r?.startsWith(REF_PREFIX)) {
    const d = definitions[r.slice(REF_PREFIX.length)];
    if (!d) throw new Error(`schema ${r} is not defined`);
    return d;
  }
  return s;
}

interface Slot { prop: string; schema: Schema; keepZero: boolean }
/** Field number → property, or → the embedded message (a Go inline struct) holding more properties. */
interface Plan { fields: Map<number, Slot | Plan> }

const plans = new WeakMap<Schema, Plan>();
function planOf(s: Schema): Plan {
  const hit = plans.get(s);
  if (hit) return hit;
  const plan: Plan = { fields: new Map() };
  const required = new Set(s.required ?? []);
  for (const [prop, f] of Object.entries(s['x-kubelite-protobuf']?.fields ?? {})) {
    const schema = s.properties?.[prop];
    if (!schema) throw new Error(`protobuf annotation names ${prop}, which the schema does not have`);
    let at = plan;
    for (const n of f.path.slice(0, -1)) {
      let next = at.fields.get(n);
      if (!next) at.fields.set(n, (next = { fields: new Map() }));
      if ('prop' in next) throw new Error(`field ${n} of ${prop} is both a property and an embedded message`);
      at = next;
    }
    at.fields.set(f.path[f.path.length - 1], { prop, schema, keepZero: !!f.keepZero || required.has(prop) });
  }
  plans.set(s, plan);
  return plan;
}

const isMessage = (s: Schema): boolean => !!s.properties || !!s['x-kubelite-protobuf'];
const isMap = (s: Schema): boolean => s.type === 'object' && !s.properties && typeof s.additionalProperties === 'object';

function isZero(v: unknown): boolean {
  if (v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function expectWire(wt: number, want: number, what: string): void {
  if (wt !== want) throw new Error(`${what}: wire type ${wt}, expected ${want}`);
}

const int64 = (r: Reader): number => { const v = r.int64() as unknown; return typeof v === 'number' ? v : Number((v as { toString(): string }).toString()); };

/** One scalar of type `s` (string, bytes, integer, boolean, number). */
function readScalar(r: Reader, wt: number, s: Schema, what: string): unknown {
  switch (s.type) {
    case 'string':
      expectWire(wt, WIRE_LEN, what);
      return s.format === 'byte' ? Buffer.from(r.bytes()).toString('base64') : r.string();
    case 'integer':
      expectWire(wt, WIRE_VARINT, what);
      return s.format === 'int32' ? r.int32() : int64(r);
    case 'boolean':
      expectWire(wt, WIRE_VARINT, what);
      return r.bool();
    case 'number':
      expectWire(wt, WIRE_I64, what);
      return r.double();
  }
  throw new Error(`${what}: no protobuf encoding for schema type ${s.type ?? 'untyped'}`);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** Go's metav1.Time/MicroTime JSON: RFC 3339 in UTC, to the second or the microsecond. */
function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const d = new Date(seconds * 1000);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return micro ? `${base}.${pad(Math.floor(nanos / 1000), 6)}Z` : `${base}Z`;
}

/** A type protobuf writes as a small message of its own but JSON as a scalar (or as raw JSON). */
function readSpecial(r: Reader, kind: string): unknown {
  const f: Record<number, unknown> = {};
  while (r.pos < r.len) {
    const tag = r.uint32(), n = tag >>> 3, wt = tag & 7;
    if (wt === WIRE_VARINT) f[n] = int64(r);
    else if (wt === WIRE_LEN) f[n] = r.bytes();
    else r.skipType(wt);
  }
  const str = (v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : '');
  switch (kind) {
    case 'time': case 'microTime': {
      const seconds = Number(f[1] ?? 0), nanos = Number(f[2] ?? 0);
      return seconds === 0 && nanos === 0 ? undefined : rfc3339(seconds, nanos, kind === 'microTime');
    }
    case 'intOrString': return Number(f[1] ?? 0) === 1 ? str(f[3]) : Number(f[2] ?? 0) | 0;
    case 'quantity': return str(f[1]) || '0';
    case 'duration': return goDurationString(Number(f[1] ?? 0) / 1e6); // metav1.Duration: int64 nanoseconds
    case 'fieldsV1': {
      const raw = str(f[1]);
      if (!raw) return {};
      try { return JSON.parse(raw); } catch { throw new Error('fieldsV1 does not hold JSON'); }
    }
  }
  throw new Error(`unknown special protobuf type ${kind}`);
}

/** A value of a message-typed schema (object with properties, or a special type). */
function readMessage(r: Reader, wt: number, s: Schema, what: string): unknown {
  expectWire(wt, WIRE_LEN, what);
  const sub = Reader.create(r.bytes());
  const special = s['x-kubelite-protobuf']?.special;
  if (special && JSON_SPECIALS.has(special)) return readJsonSpecial(sub, special, what);
  if (special) return readSpecial(sub, special);
  const out: Record<string, unknown> = {};
  decodeInto(sub, planOf(s), out, what);
  return out;
}

const JSON_SCHEMA_PROPS = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';
const JSON_SPECIALS = new Set(['json', 'jsonSchemaPropsOrArray', 'jsonSchemaPropsOrBool', 'jsonSchemaPropsOrStringArray']);

/**
 * apiextensions' JSON (raw JSON bytes at field 1) and the JSONSchemaProps unions, as their Go MarshalJSON writes
 * them: OrArray {schema 1, jSONSchemas 2} → the list if given, else the schema; OrBool {allows 1, schema 2} → the
 * schema if given, else the boolean; OrStringArray {schema 1, property 2} → the strings if given, else the schema.
 */
function readJsonSpecial(r: Reader, kind: string, what: string): unknown {
  const schemas: Record<number, Record<string, unknown>[]> = {};
  const strings: string[] = [];
  let allows = false;
  let raw: Uint8Array | undefined;
  const props = (bytes: Uint8Array) => {
    const out: Record<string, unknown> = {};
    decodeInto(Reader.create(bytes), planOf(definitions[JSON_SCHEMA_PROPS]), out, what);
    return out;
  };
  while (r.pos < r.len) {
    const tag = r.uint32(), n = tag >>> 3, wt = tag & 7;
    if (kind === 'json' && n === 1) { expectWire(wt, WIRE_LEN, what); raw = r.bytes(); continue; }
    if (kind === 'jsonSchemaPropsOrBool' && n === 1) { expectWire(wt, WIRE_VARINT, what); allows = r.bool(); continue; }
    if (kind === 'jsonSchemaPropsOrStringArray' && n === 2) { expectWire(wt, WIRE_LEN, what); strings.push(r.string()); continue; }
    if (kind !== 'json' && (n === 1 || n === 2)) { expectWire(wt, WIRE_LEN, what); (schemas[n] ??= []).push(props(r.bytes())); continue; }
    r.skipType(wt);
  }
  switch (kind) {
    case 'json': {
      const text = raw ? Buffer.from(raw).toString('utf8') : '';
      if (!text) return undefined;
      try { return JSON.parse(text); } catch { throw new Error(`${what}: JSON field does not hold JSON`); }
    }
    case 'jsonSchemaPropsOrArray': return schemas[2]?.length ? schemas[2] : schemas[1]?.[0];
    case 'jsonSchemaPropsOrBool': return schemas[2]?.[0] ?? allows;
    default: return strings.length ? strings : schemas[1]?.[0];
  }
}

/** One value (not a list element container) of property schema `p`. */
function readOne(r: Reader, wt: number, p: Schema, what: string): unknown {
  const s = target(p);
  if (isMessage(s)) return readMessage(r, wt, s, what);
  if (isMap(s)) throw new Error(`${what}: a map cannot be a list element`);
  return readScalar(r, wt, s, what);
}

function zeroOf(p: Schema): unknown {
  const s = target(p);
  const special = s['x-kubelite-protobuf']?.special;
  if (special === 'quantity') return '0';
  if (special === 'intOrString') return 0;
  if (special) return undefined;
  if (isMessage(s)) return {};
  return s.type === 'string' ? '' : s.type === 'boolean' ? false : 0;
}

/** A map entry: key at field 1, value at field 2. */
function readMapEntry(r: Reader, wt: number, valueSchema: Schema, what: string): [string, unknown] {
  expectWire(wt, WIRE_LEN, what);
  const sub = Reader.create(r.bytes());
  let key = '', value: unknown;
  while (sub.pos < sub.len) {
    const tag = sub.uint32(), n = tag >>> 3, fwt = tag & 7;
    if (n === 1) { expectWire(fwt, WIRE_LEN, `${what} key`); key = sub.string(); }
    else if (n === 2) value = readOne(sub, fwt, valueSchema, `${what}[${key}]`);
    else sub.skipType(fwt);
  }
  return [key, value === undefined ? zeroOf(valueSchema) : value];
}

const PACKABLE = new Set(['integer', 'boolean', 'number']);

/** Read every field of a message into `out` (Go embedded structs flatten into the same object). */
function decodeInto(r: Reader, plan: Plan, out: Record<string, unknown>, at: string): void {
  const keep = new Set<string>();
  const slots: Slot[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32(), n = tag >>> 3, wt = tag & 7;
    if (n === 0) throw new Error(`${at || 'object'}: field number 0`);
    const slot = plan.fields.get(n);
    if (!slot) { keepUnknown(r, wt, n, out); continue; }
    if (!('prop' in slot)) {
      expectWire(wt, WIRE_LEN, `${at}: embedded message ${n}`);
      decodeInto(Reader.create(r.bytes()), slot, out, at);
      continue;
    }
    const what = at ? `${at}.${slot.prop}` : slot.prop;
    const s = target(slot.schema);
    slots.push(slot);
    if (s.type === 'array' && s.items) {
      const list = (out[slot.prop] ??= []) as unknown[];
      const item = target(s.items);
      if (wt === WIRE_LEN && PACKABLE.has(item.type ?? '')) {
        const end = r.uint32() + r.pos;
        while (r.pos < end) list.push(readScalar(r, item.type === 'number' ? WIRE_I64 : WIRE_VARINT, item, what));
      } else {
        const v = readOne(r, wt, s.items, `${what}[${list.length}]`);
        list.push(v === undefined ? zeroOf(s.items) : v);
      }
    } else if (isMap(s)) {
      const [k, v] = readMapEntry(r, wt, s.additionalProperties as Schema, what);
      ((out[slot.prop] ??= {}) as Record<string, unknown>)[k] = v;
    } else {
      const v = readOne(r, wt, slot.schema, what);
      const prev = out[slot.prop];
      // a message field given twice merges, as protobuf does; a scalar's last value wins
      out[slot.prop] = v && typeof v === 'object' && prev && typeof prev === 'object' && !Array.isArray(v) ? { ...prev, ...v } : v;
    }
    if (slot.keepZero) keep.add(slot.prop);
  }
  for (const slot of slots) {
    const v = out[slot.prop];
    if (v === undefined || (isZero(v) && !keep.has(slot.prop))) delete out[slot.prop];
  }
}

/** A field this server's schema does not know: kept, so the unknown-field check reports it. */
function keepUnknown(r: Reader, wt: number, n: number, out: Record<string, unknown>): void {
  let v: unknown;
  if (wt === WIRE_VARINT) v = int64(r);
  else if (wt === WIRE_LEN) v = Buffer.from(r.bytes()).toString('base64');
  else if (wt === WIRE_I64) v = r.fixed64().toString();
  else if (wt === WIRE_I32) v = r.fixed32();
  else { r.skipType(wt); v = null; }
  const key = unknownFieldName(n);
  out[key] = key in out ? ([] as unknown[]).concat(out[key], v) : v;
}

/** runtime.Unknown: typeMeta (1: apiVersion, kind), raw (2), contentEncoding (3), contentType (4). */
function readEnvelope(body: Buffer): { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string } {
  const r = Reader.create(body.subarray(4));
  const env: { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string } = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '' };
  while (r.pos < r.len) {
    const tag = r.uint32(), n = tag >>> 3, wt = tag & 7;
    if (n === 1) {
      expectWire(wt, WIRE_LEN, 'typeMeta');
      const t = Reader.create(r.bytes());
      while (t.pos < t.len) {
        const tt = t.uint32(), tn = tt >>> 3;
        if (tn === 1) env.apiVersion = t.string();
        else if (tn === 2) env.kind = t.string();
        else t.skipType(tt & 7);
      }
    } else if (n === 2) { expectWire(wt, WIRE_LEN, 'raw'); env.raw = r.bytes(); }
    else if (n === 3) { expectWire(wt, WIRE_LEN, 'contentEncoding'); env.contentEncoding = r.string(); }
    else r.skipType(wt);
  }
  return env;
}

/**
 * The schema of the kind a body names: a served kind (registry), a kind a subresource takes (Scale, Binding,
 * Eviction), or DeleteOptions, which every group-version carries.
 */
function schemaNameFor(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const def = findByKind(group, kind, version);
  if (def) return def.schemaName;
  if (kind === 'DeleteOptions') return META + 'DeleteOptions';
  if (!resources.some((r) => r.subresources.some((s) => s.group === group && s.version === version && s.kind === kind))) return undefined;
  return Object.keys(definitions).find((n) => definitions[n]['x-kubernetes-group-version-kind']?.some((g) => g.group === group && g.version === version && g.kind === kind));
}

/**
 * Decode a protobuf body into the object as JSON would give it. Throws a 400 StatusError for anything
 * malformed or a kind this server does not serve.
 */
export function decodeProtobufBody(body: Buffer): KubeObject {
  if (!isProtobufBody(body)) {
    throw badRequest('the protobuf body does not start with the Kubernetes magic "k8s\\x00"');
  }
  let env: ReturnType<typeof readEnvelope>;
  try {
    env = readEnvelope(body);
  } catch (e) {
    throw badRequest(`failed to decode protobuf body: ${(e as Error).message}`);
  }
  if (env.contentEncoding) throw badRequest(`failed to decode protobuf body: unsupported content encoding ${JSON.stringify(env.contentEncoding)}`);
  const { apiVersion, kind } = env;
  const schemaName = schemaNameFor(apiVersion, kind);
  if (!schemaName) throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}" in the protobuf decoder`);
  const notCarried = definitions[schemaName]['x-kubelite-protobuf']?.notCarried;
  if (notCarried) throw new StatusError(415, 'UnsupportedMediaType', `${kind}.${apiVersion.split('/')[0]} is ${notCarried}; send it as application/json or application/yaml`);
  try {
    const out: Record<string, unknown> = {};
    decodeInto(Reader.create(env.raw), planOf(definitions[schemaName]), out, '');
    return { apiVersion, kind, ...out };
  } catch (e) {
    throw badRequest(`failed to decode protobuf ${kind}: ${(e as Error).message}`);
  }
}

/** Whether a body looks like a Kubernetes protobuf envelope. */
/** The apiVersion and kind a protobuf body's runtime.Unknown envelope names (undefined when it is not one). */
export function protobufTypeMeta(body: Buffer): { apiVersion: string; kind: string } | undefined {
  if (!isProtobufBody(body)) return undefined;
  try {
    const { apiVersion, kind } = readEnvelope(body);
    return { apiVersion, kind };
  } catch {
    return undefined;
  }
}

export function isProtobufBody(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(PROTOBUF_MAGIC);
}
