/**
 * /openapi/v2: the Swagger 2.0 document of every served kind, derived from the OpenAPI v3 documents (./openapi.ts),
 * so from the same definitions — served as JSON, or as the protobuf of gnostic's openapi_v2.Document
 * (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`), which is the only form client-go's
 * DiscoveryClient.OpenAPISchema reads.
 *
 * kubectl needs it when it validates a kind its OpenAPI v3 query-parameter check does not cover: `kubectl apply -f`
 * of a `kind: List` (v1/List is never "supported" by that check, so kubectl validates client-side, with the v2
 * definitions: kube-openapi's proto models looked up by their x-kubernetes-group-version-kind extension).
 *
 * v3 → v2: `#/components/schemas/X` → `#/definitions/X`; a reference wrapped in allOf (a v3 idiom for a reference
 * with a description) becomes the reference itself with its description; `anyOf`/`oneOf`/`not`/`nullable` have no
 * v2 form (gnostic's v2 Schema cannot carry them) and are dropped; x-* extensions become vendor extensions (YAML).
 * Operations: requestBody → a `body` parameter and `consumes`, response content → `schema` and `produces`,
 * parameter schemas inlined (`type`, `uniqueItems`).
 */
import protobuf from 'protobufjs';
import YAML from 'yaml';
import type { Schema } from './schema.ts';
import { groupVersions } from './registry.ts';
import { openapiV3Document, type ServedKinds } from './openapi.ts';
import { REF_PREFIX } from './definitions/index.ts';
import { resources } from './registry.ts';

type Obj = Record<string, any>;
const V2_REF = '#/definitions/';
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** The Content-Type upstream answers the protobuf with (the `.` form of the media type). */
export const OPENAPI_V2_PROTOBUF_RESPONSE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

// ------------------------------------------------------------------ v3 → v2

function convertSchema(s: unknown): Obj {
  if (!s || typeof s !== 'object' || Array.isArray(s)) return {};
  const v3 = s as Obj;
  let out: Obj = {};
  // A reference with a description: v3 wraps it in allOf, v2 keeps description beside $ref.
  if (Array.isArray(v3.allOf) && v3.allOf.length === 1 && typeof v3.allOf[0]?.$ref === 'string') {
    out.$ref = v3.allOf[0].$ref.replace(REF_PREFIX, V2_REF);
  }
  for (const [k, v] of Object.entries(v3)) {
    switch (k) {
      case '$ref': out.$ref = String(v).replace(REF_PREFIX, V2_REF); break;
      case 'allOf': if (!out.$ref && Array.isArray(v)) out.allOf = v.map(convertSchema); break;
      case 'anyOf': case 'oneOf': case 'not': case 'nullable': break;
      case 'properties': out.properties = Object.fromEntries(Object.entries(v as Obj).map(([p, ps]) => [p, convertSchema(ps)])); break;
      case 'items': out.items = convertSchema(v); break;
      case 'additionalProperties': out.additionalProperties = typeof v === 'boolean' ? v : convertSchema(v); break;
      default: if (!k.startsWith('x-kubelite-')) out[k] = v;
    }
  }
  if (out.$ref && Object.keys(out).some((k) => k !== '$ref' && k !== 'description' && !k.startsWith('x-'))) {
    // A reference with siblings other than description/extensions: keep only what v2 tools read with a $ref.
    out = Object.fromEntries(Object.entries(out).filter(([k]) => k === '$ref' || k === 'description' || k.startsWith('x-')));
  }
  return out;
}

function convertParam(p: Obj): Obj {
  const { schema, ...rest } = p;
  return { ...rest, ...(schema && typeof schema === 'object' ? convertSchema(schema) : {}) };
}

function convertOperation(op: Obj): Obj {
  const out: Obj = {};
  const consumes = new Set<string>();
  const produces = new Set<string>();
  const params: Obj[] = [];
  if (op.requestBody) {
    const content = (op.requestBody.content ?? {}) as Obj;
    const first = Object.values(content)[0] as Obj | undefined;
    for (const t of Object.keys(content)) consumes.add(t);
    params.push({ name: 'body', in: 'body', required: !!op.requestBody.required, schema: convertSchema(first?.schema) });
  }
  for (const p of op.parameters ?? []) params.push(convertParam(p));
  const responses: Obj = {};
  for (const [code, r] of Object.entries((op.responses ?? {}) as Obj)) {
    const content = (r.content ?? {}) as Obj;
    const first = Object.values(content)[0] as Obj | undefined;
    for (const t of Object.keys(content)) produces.add(t);
    responses[code] = { description: r.description ?? '', ...(first?.schema ? { schema: convertSchema(first.schema) } : {}) };
  }
  for (const [k, v] of Object.entries(op)) {
    if (k === 'requestBody' || k === 'parameters' || k === 'responses') continue;
    out[k] = v;
  }
  if (consumes.size) out.consumes = [...consumes];
  if (produces.size) out.produces = [...produces];
  out.schemes = ['https'];
  if (params.length) out.parameters = params;
  out.responses = responses;
  return out;
}

const BUILTIN: ServedKinds = { defs: resources, token: '' };
const cache = new Map<string, { json: string; proto: Buffer; doc: Obj }>();

function build(kinds: ServedKinds): { json: string; proto: Buffer; doc: Obj } {
  const hit = cache.get(kinds.token);
  if (hit) return hit;
  const paths: Obj = {};
  const definitions: Obj = {};
  for (const gv of groupVersions(kinds.defs)) {
    const d3 = openapiV3Document(gv.path, kinds) as Obj | undefined;
    if (!d3) continue;
    for (const [p, item] of Object.entries(d3.paths as Obj)) {
      const v2: Obj = {};
      for (const [k, v] of Object.entries(item as Obj)) {
        if (k === 'parameters') v2.parameters = (v as Obj[]).map(convertParam);
        else v2[k] = convertOperation(v as Obj);
      }
      paths[p] = v2;
    }
    for (const [name, s] of Object.entries(d3.components.schemas as Obj)) definitions[name] ??= convertSchema(s);
  }
  const sortedDefs = Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]]));
  const doc: Obj = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths: Object.fromEntries(Object.keys(paths).sort().map((k) => [k, paths[k]])),
    definitions: sortedDefs,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
  const entry = { doc, json: JSON.stringify(doc), proto: encodeDocument(doc) };
  if (kinds.token) for (const k of cache.keys()) if (k !== '') cache.delete(k);
  cache.set(kinds.token, entry);
  return entry;
}

/** The v2 document (JSON text) and its protobuf. */
export function openapiV2(kinds: ServedKinds = BUILTIN): { doc: Obj; json: string; proto: Buffer } {
  return build(kinds);
}

// ------------------------------------------------------------------ gnostic openapi_v2 protobuf

type W = protobuf.Writer;
const LEN = 2, VARINT = 0, I64 = 1;
const tag = (w: W, field: number, wire: number) => w.uint32((field << 3) | wire);
function str(w: W, field: number, v: unknown): void { if (typeof v === 'string' && v !== '') tag(w, field, LEN).string(v); }
function bool(w: W, field: number, v: unknown): void { if (v === true) tag(w, field, VARINT).bool(true); }
function int64(w: W, field: number, v: unknown): void { if (typeof v === 'number' && v !== 0) tag(w, field, VARINT).int64(v); }
function double(w: W, field: number, v: unknown): void { if (typeof v === 'number' && v !== 0) tag(w, field, I64).double(v); }
function msg(w: W, field: number, body: (w: W) => void): void { tag(w, field, LEN); w.fork(); body(w); w.ldelim(); }
/** openapi_v2.Any {yaml = 2}: a value as YAML, as gnostic writes it. */
function anyYaml(w: W, field: number, v: unknown): void { msg(w, field, (m) => str(m, 2, YAML.stringify(v))); }
function vendorExtensions(w: W, field: number, o: Obj): void {
  for (const [k, v] of Object.entries(o)) if (k.startsWith('x-')) msg(w, field, (m) => { str(m, 1, k); anyYaml(m, 2, v); });
}

/** The scalar fields of openapi_v2.Schema, by number: [field, property, encoder]. */
const SCHEMA_SCALARS: [number, string, (w: W, f: number, v: unknown) => void][] = [
  [1, '$ref', str], [2, 'format', str], [3, 'title', str], [4, 'description', str],
  [6, 'multipleOf', double], [7, 'maximum', double], [8, 'exclusiveMaximum', bool], [9, 'minimum', double],
  [10, 'exclusiveMinimum', bool], [11, 'maxLength', int64], [12, 'minLength', int64], [13, 'pattern', str],
  [14, 'maxItems', int64], [15, 'minItems', int64], [16, 'uniqueItems', bool], [17, 'maxProperties', int64], [18, 'minProperties', int64],
];

function encodeSchema(w: W, s: Obj): void {
  for (const [f, prop, enc] of SCHEMA_SCALARS) {
    enc(w, f, s[prop]);
    if (f === 4 && s.default !== undefined) anyYaml(w, 5, s.default);
  }
  for (const r of s.required ?? []) str(w, 19, r);
  for (const e of s.enum ?? []) anyYaml(w, 20, e);
  if (s.additionalProperties !== undefined) {
    msg(w, 21, (m) => (typeof s.additionalProperties === 'boolean' ? tag(m, 2, VARINT).bool(s.additionalProperties) : msg(m, 1, (x) => encodeSchema(x, s.additionalProperties))));
  }
  if (s.type !== undefined) msg(w, 22, (m) => { for (const t of Array.isArray(s.type) ? s.type : [s.type]) str(m, 1, t); });
  if (s.items !== undefined) msg(w, 23, (m) => { for (const i of Array.isArray(s.items) ? s.items : [s.items]) msg(m, 1, (x) => encodeSchema(x, i)); });
  for (const a of s.allOf ?? []) msg(w, 24, (m) => encodeSchema(m, a));
  if (s.properties !== undefined) {
    msg(w, 25, (m) => { for (const [n, ps] of Object.entries(s.properties as Obj)) msg(m, 1, (x) => { str(x, 1, n); msg(x, 2, (y) => encodeSchema(y, ps)); }); });
  }
  bool(w, 27, s.readOnly);
  if (s.example !== undefined) anyYaml(w, 30, s.example);
  vendorExtensions(w, 31, s);
}

/** A non-body parameter: QueryParameterSubSchema (3) or PathParameterSubSchema (4) of NonBodyParameter. */
function encodeParameter(w: W, p: Obj): void {
  msg(w, 1, (param) => { // ParametersItem.parameter
    if (p.in === 'body') {
      msg(param, 1, (b) => { str(b, 1, p.description); str(b, 2, p.name); str(b, 3, p.in); bool(b, 4, p.required); msg(b, 5, (x) => encodeSchema(x, p.schema ?? {})); });
      return;
    }
    msg(param, 2, (nb) => {
      if (p.in === 'path') {
        msg(nb, 4, (x) => { bool(x, 1, p.required); str(x, 2, p.in); str(x, 3, p.description); str(x, 4, p.name); str(x, 5, p.type); str(x, 6, p.format); bool(x, 19, p.uniqueItems); });
      } else {
        msg(nb, 3, (x) => { bool(x, 1, p.required); str(x, 2, p.in); str(x, 3, p.description); str(x, 4, p.name); str(x, 6, p.type); str(x, 7, p.format); bool(x, 20, p.uniqueItems); });
      }
    });
  });
}

function encodeOperation(w: W, op: Obj): void {
  for (const t of op.tags ?? []) str(w, 1, t);
  str(w, 2, op.summary);
  str(w, 3, op.description);
  str(w, 5, op.operationId);
  for (const t of op.produces ?? []) str(w, 6, t);
  for (const t of op.consumes ?? []) str(w, 7, t);
  for (const p of op.parameters ?? []) msg(w, 8, (m) => encodeParameter(m, p));
  msg(w, 9, (rs) => {
    for (const [code, r] of Object.entries((op.responses ?? {}) as Obj)) {
      msg(rs, 1, (nr) => {
        str(nr, 1, code);
        msg(nr, 2, (rv) => msg(rv, 1, (resp) => { str(resp, 1, r.description); if (r.schema) msg(resp, 2, (si) => msg(si, 1, (x) => encodeSchema(x, r.schema))); }));
      });
    }
  });
  for (const s of op.schemes ?? []) str(w, 10, s);
  vendorExtensions(w, 13, op);
}

const OPS: [string, number][] = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

/** gnostic openapi_v2.Document (field numbers from OpenAPIv2.proto). */
export function encodeDocument(doc: Obj): Buffer {
  const w = protobuf.Writer.create();
  str(w, 1, doc.swagger);
  msg(w, 2, (m) => { str(m, 1, doc.info?.title); str(m, 2, doc.info?.version); });
  msg(w, 8, (ps) => {
    for (const [p, item] of Object.entries(doc.paths as Obj)) {
      msg(ps, 2, (np) => {
        str(np, 1, p);
        msg(np, 2, (pi) => {
          for (const [verb, n] of OPS) if (item[verb]) msg(pi, n, (o) => encodeOperation(o, item[verb]));
          for (const prm of item.parameters ?? []) msg(pi, 9, (m) => encodeParameter(m, prm));
        });
      });
    }
  });
  msg(w, 9, (ds) => {
    for (const [name, s] of Object.entries(doc.definitions as Obj)) msg(ds, 1, (ns) => { str(ns, 1, name); msg(ns, 2, (x) => encodeSchema(x, s as Schema as Obj)); });
  });
  for (const req of doc.security ?? []) {
    msg(w, 12, (sr) => { for (const name of Object.keys(req)) msg(sr, 1, (ns) => { str(ns, 1, name); msg(ns, 2, () => undefined); }); });
  }
  msg(w, 13, (sd) => {
    for (const [name, d] of Object.entries((doc.securityDefinitions ?? {}) as Obj)) {
      msg(sd, 1, (n) => { str(n, 1, name); msg(n, 2, (item) => msg(item, 2, (k) => { str(k, 1, d.type); str(k, 2, d.name); str(k, 3, d.in); str(k, 4, d.description); })); });
    }
  });
  return Buffer.from(w.finish());
}
