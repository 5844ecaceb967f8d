/**
 * Test helpers for the protobuf decoder: an encoder driven by the same schema annotations (the way Go's generated
 * Marshal writes a message), a builder of fully populated objects from a schema, and the served kinds' schemas.
 * Not product code: the API server only decodes.
 */
import protobuf from 'protobufjs';
import type { Schema } from '../../../src/api/schema.ts';
import { definitions, REF_PREFIX } from '../../../src/api/definitions/index.ts';
import { resources } from '../../../src/api/registry.ts';

const { Writer } = protobuf;
type Writer = protobuf.Writer;

export const MAGIC = Buffer.from('k8s\0', 'latin1');

export function refName(s: Schema): string | undefined {
  const r = s.$ref ?? s.allOf?.[0]?.$ref;
  return r?.startsWith(REF_PREFIX) ? r.slice(REF_PREFIX.length) : undefined;
}
export const resolve = (s: Schema): Schema => { const n = refName(s); return n ? definitions[n] : s; };
export const isMap = (s: Schema) => s.type === 'object' && !s.properties && typeof s.additionalProperties === 'object';

/** Every kind a protobuf body may carry: the served kinds, the kinds their subresources take, DeleteOptions. */
export function bodyKinds(): { apiVersion: string; kind: string; schemaName: string }[] {
  const out = new Map<string, { apiVersion: string; kind: string; schemaName: string }>();
  const gv = (g: string, v: string) => (g ? `${g}/${v}` : v);
  for (const r of resources) {
    if (definitions[r.schemaName]['x-kubelite-protobuf']?.notCarried) continue;
    out.set(r.schemaName, { apiVersion: gv(r.group, r.version), kind: r.kind, schemaName: r.schemaName });
    for (const s of r.subresources) {
      const name = Object.keys(definitions).find((n) => definitions[n]['x-kubernetes-group-version-kind']?.some((g) => g.group === s.group && g.version === s.version && g.kind === s.kind));
      if (name && !out.has(name)) out.set(name, { apiVersion: gv(s.group, s.version), kind: s.kind, schemaName: name });
    }
  }
  out.set('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', { apiVersion: 'v1', kind: 'DeleteOptions', schemaName: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions' });
  return [...out.values()];
}

/** Every object schema reachable from `name`, with the path it was first reached by. */
export function closure(name: string): Map<Schema, string> {
  const seen = new Map<Schema, string>();
  const walk = (s: Schema | undefined, path: string): void => {
    if (!s) return;
    const r = resolve(s);
    if (r.type === 'array' || r.items) return walk(r.items, `${path}[]`);
    if (isMap(r)) return walk(r.additionalProperties as Schema, `${path}{}`);
    if (!r.properties && !r['x-kubelite-protobuf']) return;
    if (seen.has(r)) return;
    seen.set(r, `${refName(s) ?? 'inline'} at ${path || '.'}`);
    for (const [k, p] of Object.entries(r.properties ?? {})) walk(p, path ? `${path}.${k}` : k);
  };
  walk(definitions[name], '');
  return seen;
}

// ---------------------------------------------------------------- encoder

const tag = (w: Writer, n: number, wt: number) => w.uint32((n << 3) | wt);

function writeScalar(w: Writer, n: number, s: Schema, v: unknown): void {
  if (s.type === 'string') { tag(w, n, 2); if (s.format === 'byte') w.bytes(Buffer.from(String(v), 'base64')); else w.string(String(v)); }
  else if (s.type === 'integer') { tag(w, n, 0); if (s.format === 'int32') w.int32(Number(v)); else w.int64(Number(v)); }
  else if (s.type === 'boolean') { tag(w, n, 0); w.bool(Boolean(v)); }
  else if (s.type === 'number') { tag(w, n, 1); w.double(Number(v)); }
  else throw new Error(`cannot encode schema type ${s.type}`);
}

function writeSpecial(w: Writer, kind: string, v: unknown): void {
  if (kind === 'time' || kind === 'microTime') {
    const m = /^(.*?)(?:\.(\d+))?Z$/.exec(String(v))!;
    tag(w, 1, 0); w.int64(Date.parse(`${m[1]}Z`) / 1000);
    tag(w, 2, 0); w.int32(m[2] ? Number(m[2].padEnd(9, '0')) : 0);
  } else if (kind === 'intOrString') {
    tag(w, 1, 0); w.int64(typeof v === 'string' ? 1 : 0);
    tag(w, 2, 0); w.int32(typeof v === 'number' ? v : 0);
    tag(w, 3, 2); w.string(typeof v === 'string' ? v : '');
  } else if (kind === 'quantity') { tag(w, 1, 2); w.string(String(v)); }
  else if (kind === 'fieldsV1') { tag(w, 1, 2); w.bytes(Buffer.from(JSON.stringify(v))); }
  else if (kind === 'duration') { tag(w, 1, 0); w.int64(Number(/^(\d+)ms$/.exec(String(v))![1]) * 1e6); }
  else if (kind === 'json') { tag(w, 1, 2); w.bytes(Buffer.from(JSON.stringify(v))); }
  else if (kind === 'jsonSchemaPropsOrArray') {
    if (Array.isArray(v)) for (const x of v) schemaProps(w, 2, x);
    else schemaProps(w, 1, v);
  } else if (kind === 'jsonSchemaPropsOrBool') {
    tag(w, 1, 0); w.bool(typeof v === 'boolean' ? v : true);
    if (typeof v !== 'boolean') schemaProps(w, 2, v);
  } else if (kind === 'jsonSchemaPropsOrStringArray') {
    if (Array.isArray(v)) for (const x of v) { tag(w, 2, 2); w.string(String(x)); }
    else schemaProps(w, 1, v);
  } else throw new Error(`unknown special ${kind}`);
}

/** A JSONSchemaProps message as field n (the JSONSchemaProps unions hold them). */
function schemaProps(w: Writer, n: number, v: unknown): void {
  tag(w, n, 2); w.fork(); writeMessage(w, definitions['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps'], v as Record<string, unknown>); w.ldelim();
}

/** One value as field n: a nested message (length-delimited) or a scalar. */
function writeValue(w: Writer, n: number, p: Schema, v: unknown): void {
  const s = resolve(p);
  const ann = s['x-kubelite-protobuf'];
  if (ann?.special) { tag(w, n, 2); w.fork(); writeSpecial(w, ann.special, v); w.ldelim(); return; }
  if (s.properties) { tag(w, n, 2); w.fork(); writeMessage(w, s, v as Record<string, unknown>); w.ldelim(); return; }
  writeScalar(w, n, s, v);
}

/** The fields of `obj` in field-number order; properties of Go embedded structs go into their nested message. */
export function writeMessage(w: Writer, s: Schema, obj: Record<string, unknown>): void {
  const fields = s['x-kubelite-protobuf']?.fields ?? {};
  interface Node { n: number; prop?: string; children: Node[] }
  const root: Node = { n: 0, children: [] };
  for (const [prop, f] of Object.entries(fields)) {
    if (obj[prop] === undefined) continue;
    let at = root;
    for (const n of f.path.slice(0, -1)) {
      let next = at.children.find((c) => c.n === n && !c.prop);
      if (!next) at.children.push((next = { n, children: [] }));
      at = next;
    }
    at.children.push({ n: f.path[f.path.length - 1], prop, children: [] });
  }
  for (const k of Object.keys(obj)) if (!fields[k] && !s['x-kubelite-protobuf']?.absent?.[k]) throw new Error(`no field number for ${k}`);
  const emit = (node: Node): void => {
    for (const c of [...node.children].sort((a, b) => a.n - b.n)) {
      if (!c.prop) { tag(w, c.n, 2); w.fork(); emit(c); w.ldelim(); continue; }
      const p = s.properties![c.prop];
      const r = resolve(p);
      const v = obj[c.prop];
      if (r.type === 'array') for (const x of v as unknown[]) writeValue(w, c.n, r.items!, x);
      else if (isMap(r)) {
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          tag(w, c.n, 2); w.fork(); tag(w, 1, 2); w.string(k); writeValue(w, 2, r.additionalProperties as Schema, x); w.ldelim();
        }
      } else writeValue(w, c.n, p, v);
    }
  };
  emit(root);
}

export function encodeObject(schemaName: string, obj: Record<string, unknown>): Uint8Array {
  const w = Writer.create();
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  writeMessage(w, definitions[schemaName], rest);
  return w.finish();
}

/** magic + runtime.Unknown{typeMeta{apiVersion, kind}, raw} */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const w = Writer.create();
  tag(w, 1, 2); w.fork(); tag(w, 1, 2); w.string(apiVersion); tag(w, 2, 2); w.string(kind); w.ldelim();
  tag(w, 2, 2); w.bytes(raw);
  return Buffer.concat([MAGIC, w.finish()]);
}

// ---------------------------------------------------------------- fully populated objects

/** An object with every property of the schema set to a distinct non-zero value, two entries per list and map. */
export function populate(name: string): Record<string, unknown> {
  let n = 0;
  const recursing: string[] = [];
  const build = (p: Schema, depth: number): unknown => {
    n++;
    const s = resolve(p);
    const special = s['x-kubelite-protobuf']?.special;
    const t = Date.UTC(2024, 0, 2, 3, 4, 5) + n * 61_000;
    if (special === 'time') return new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
    if (special === 'microTime') return new Date(t).toISOString().replace(/\.\d+Z$/, `.${String(n * 1013 % 1_000_000).padStart(6, '0')}Z`);
    if (special === 'intOrString') return n % 2 ? n : `port-${n}`;
    if (special === 'quantity') return `${n}m`;
    if (special === 'fieldsV1') return { 'f:metadata': { 'f:labels': { [`f:l${n}`]: {} } } };
    if (special === 'duration') return `${n % 999 + 1}ms`;
    if (special === 'json') return { [`k${n}`]: [n, `s${n}`, true, null] };
    if (special === 'jsonSchemaPropsOrArray') return [{ type: 'string', description: `d${n}` }, { type: 'integer', maximum: n + 0.5 }];
    if (special === 'jsonSchemaPropsOrBool') return n % 2 ? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } : false;
    if (special === 'jsonSchemaPropsOrStringArray') return [`p${n}`, `q${n}`];
    if (s.type === 'array' || s.items) return [build(s.items!, depth + 1), build(s.items!, depth + 1)];
    if (isMap(s)) return { [`a${n}`]: build(s.additionalProperties as Schema, depth + 1), [`b${n}`]: build(s.additionalProperties as Schema, depth + 1) };
    if (s.properties) {
      // A recursive type (JSONSchemaProps holds JSONSchemaProps): its second level of recursion stays empty.
      const name = refName(p);
      if (name && recursing.filter((x) => x === name).length >= 2) return {};
      if (depth > 40) throw new Error('schema too deep (a cycle?)');
      const out: Record<string, unknown> = {};
      if (name) recursing.push(name);
      for (const [k, q] of Object.entries(s.properties)) {
        if (s['x-kubelite-protobuf']?.absent?.[k]) continue;
        out[k] = build(q, depth + 1);
      }
      if (name) recursing.pop();
      return out;
    }
    if (s.enum) return (s.enum.filter((e) => e !== '') as string[])[n % s.enum.filter((e) => e !== '').length];
    if (s.type === 'string') return s.format === 'byte' ? Buffer.from(`bytes-${n}\u0000\u00ff`, 'latin1').toString('base64') : `v${n}-é`;
    if (s.type === 'integer') return s.format === 'int32' ? (n % 3 === 0 ? -n : n * 7) : (n % 3 === 0 ? -(2 ** 40) - n : 2 ** 40 + n);
    if (s.type === 'boolean') return true;
    if (s.type === 'number') return n + 0.5;
    throw new Error(`no value for a free-form schema (${JSON.stringify(s).slice(0, 80)})`);
  };
  return build(definitions[name], 0) as Record<string, unknown>;
}
