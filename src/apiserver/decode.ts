/**
 * Request objects decoded and type-checked against the endpoint as upstream's serializers and codecs do it
 * (k8s.io/apimachinery runtime/serializer/{json,protobuf,versioning}, apiserver handlers transformDecodeError,
 * apiextensions-apiserver's CR decoding and ValidateTypeMeta). Every write goes through here: create, update,
 * subresource bodies (binding, eviction, scale, status), the result of a JSON or merge patch, and apply patches.
 *
 * What a client gets back (all 400 BadRequest unless said otherwise):
 * - a body that is not JSON (e.g. YAML sent as application/json, as `kubectl create --raw -f x.yaml` does):
 *   `the object provided is unrecognized (must be of type Namespace): couldn't get version/kind; json parse
 *   error: invalid character 'a' looking for beginning of value (<first 30 bytes, hex unless JSON>)`, with Go's
 *   encoding/json wording (goJsonSyntaxError);
 * - no kind / apiVersion: the endpoint's (gvkWithDefaults);
 * - another kind the server knows: `Pod in version "v1" cannot be handled as a Namespace: converting (v1.Pod) to
 *   (core.Namespace): unknown conversion`; a kind it does not know: `... no kind "Foo" is registered for version
 *   "v1" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`;
 * - the endpoint's kind in another version of its group: `the API version in the data (apps/v1beta1) does not
 *   match the expected API version (apps/v1)`;
 * - custom resources (argoproj.io): another group/version is `... request to convert CR from an invalid
 *   group/version: v1`; another kind of the same group/version is 422 `kind: Invalid value: "X": must be Rollout`;
 * - a JSON or merge patch that changes kind or apiVersion: 422 `"" is invalid: patch: Invalid value: "<json>":
 *   <the decode error>`; a strategic merge patch cannot change them (upstream converts into the typed object);
 * - an apply patch of another kind or version: `invalid object type: /v1, Kind=Pod` (versionCheckManager).
 */
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import { StatusError, badRequest, invalid, type FieldError } from '../api/errors.ts';
import { resources } from '../api/registry.ts';
import { definitions } from '../api/definitions/index.ts';
import { protobufTypeMeta } from '../api/protobuf.ts';
import { invalid as invalidField } from '../api/validation/field.ts';
import { parseYaml, rememberScan, MAX_DEPTH, type BodyFormat } from './body.ts';
import { jsonSourceOf, rememberJsonSource } from '../api/json-source.ts';
import { patchInvalid } from './strict-decoding.ts';
import { findTypeErrors, typeErrorMessage } from '../api/schema-walk.ts';
import { jsonDepthExceeds } from './codec.ts';

/** The type an endpoint takes: its kind and the group/versions it accepts. */
export interface ExpectedType {
  group: string;
  version: string;
  kind: string;
  /** Other apiVersions the endpoint also takes (pods/eviction: policy/v1beta1). */
  alsoAccepts?: string[];
  /** A custom resource (served from a CRD upstream): decoded unstructured, the kind checked by validation. */
  custom: boolean;
  /** A subresource body of another kind (Scale, Eviction, Binding): its schema, type-checked at decode. */
  schemaName?: string;
}

const SCHEME = 'k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30';

export function apiVersionOfGV(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** The expected type of a kind's own endpoint. */
export function expectedOf(def: ResourceDef): ExpectedType {
  return { group: def.group, version: def.version, kind: def.kind, custom: isCustomResource(def) };
}

/** The expected type of a subresource's body (status: the kind itself; scale: autoscaling/v1 Scale...). */
export function expectedOfSubresource(def: ResourceDef, sub: string): ExpectedType {
  const s = def.subresources.find((x) => x.name === sub);
  if (!s) return expectedOf(def);
  const also = s.kind === 'Eviction' && s.group === 'policy' ? ['policy/v1beta1'] : undefined;
  const own = `io.k8s.api.${s.group || 'core'}.${s.version}.${s.kind}`;
  const schemaName = s.kind !== def.kind && definitions[own] ? own : undefined;
  return { group: s.group, version: s.version, kind: s.kind, alsoAccepts: also, custom: s.kind === def.kind && isCustomResource(def), schemaName };
}

export function isCustomResource(def: ResourceDef): boolean {
  // A kind served from a CustomResourceDefinition, or a built-in kind upstream serves from one (argoproj.io).
  return def.custom === true || definitions[def.schemaName]?.['x-kubelite-protobuf']?.notCarried !== undefined;
}

/** Group/version/kinds the server knows (its kinds, their subresource kinds and the meta kinds). */
let knownKinds: Set<string> | undefined;
function isKnown(apiVersion: string, kind: string): boolean {
  if (!knownKinds) {
    knownKinds = new Set();
    for (const d of resources) {
      knownKinds.add(`${apiVersionOfGV(d.group, d.version)}|${d.kind}`);
      knownKinds.add(`${apiVersionOfGV(d.group, d.version)}|${d.listKind}`);
      for (const s of d.subresources) knownKinds.add(`${apiVersionOfGV(s.group, s.version)}|${s.kind}`);
    }
    for (const k of ['Status', 'List', 'DeleteOptions', 'ListOptions', 'GetOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions']) knownKinds.add(`v1|${k}`);
    knownKinds.add('policy/v1beta1|Eviction');
  }
  return knownKinds.has(`${apiVersion}|${kind}`);
}

/** schema.ParseGroupVersion; undefined for an unparsable string (upstream then treats the version as missing). */
function parseGV(apiVersion: string): { group: string; version: string } | undefined {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return undefined;
}

/** The Go package of an internal type, as a conversion error names it (core.Namespace, apps.ReplicaSet). */
function internalPackage(group: string): string {
  return group ? group.split('.')[0] : 'core';
}

// ------------------------------------------------------------------ Go's JSON wording

/** summarizeData(body, 30): the start of the body, as text when it is a JSON object, else as hex. */
export function summarizeData(buf: Buffer, max = 30): string {
  if (buf.length === 0) return '<empty>';
  if (buf[0] === 0x7b) return buf.length > max ? buf.subarray(0, max).toString('latin1') + ' ...' : buf.toString('latin1');
  return buf.length > max ? buf.subarray(0, max).toString('hex') + ' ...' : buf.toString('hex');
}

/** Go's quoteChar: a byte as the scanner names it in an error. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const esc: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 0x5c: '\\\\' };
  if (esc[c]) return `'${esc[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  if (c >= 0x80 && c < 0xa0) return `'\\u${c.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

/**
 * The syntax error Go's encoding/json reports for `buf` (its scanner's wording), or undefined when it is valid
 * JSON. Only called on the error path.
 */
export function goJsonSyntaxError(buf: Buffer): string | undefined {
  let i = 0;
  const n = buf.length;
  class Stop extends Error {}
  const fail = (what: string): never => { throw new Stop(i >= n ? 'unexpected end of JSON input' : `invalid character ${quoteChar(buf[i])} ${what}`); };
  const ws = () => { while (i < n && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0a || buf[i] === 0x0d)) i++; };
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
  const literal = (word: string) => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (i >= n || buf[i] !== word.charCodeAt(k)) fail(`in literal ${word} (expecting '${word[k]}')`);
    }
    i++;
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= n) fail('');
      const c = buf[i];
      if (c === 0x22) { i++; return; }
      if (c === 0x5c) {
        i++;
        if (i >= n) fail('');
        const e = buf[i];
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= n) fail('');
            const h = buf[i];
            if (!(isDigit(h) || (h >= 0x61 && h <= 0x66) || (h >= 0x41 && h <= 0x46))) fail('in \\u hexadecimal character escape');
          }
          i++;
          continue;
        }
        if (!'bfnrt\\/"'.includes(String.fromCharCode(e))) fail('in string escape code');
        i++;
        continue;
      }
      if (c < 0x20) fail('in string literal');
      i++;
    }
  };
  const number = () => {
    if (buf[i] === 0x2d) { i++; if (i >= n || !isDigit(buf[i])) fail('in numeric literal'); }
    if (buf[i] === 0x30) i++;
    else while (i < n && isDigit(buf[i])) i++;
    if (i < n && buf[i] === 0x2e) {
      i++;
      if (i >= n || !isDigit(buf[i])) fail('after decimal point in numeric literal');
      while (i < n && isDigit(buf[i])) i++;
    }
    if (i < n && (buf[i] === 0x65 || buf[i] === 0x45)) {
      i++;
      if (i < n && (buf[i] === 0x2b || buf[i] === 0x2d)) i++;
      if (i >= n || !isDigit(buf[i])) fail('in exponent of numeric literal');
      while (i < n && isDigit(buf[i])) i++;
    }
  };
  const value = (depth: number): void => {
    ws();
    if (i >= n) fail('');
    const c = buf[i];
    if (c === 0x7b) {
      if (depth > 10000) throw new Stop('exceeded max depth');
      i++;
      ws();
      if (i < n && buf[i] === 0x7d) { i++; return; }
      for (;;) {
        ws();
        if (i >= n || buf[i] !== 0x22) fail('looking for beginning of object key string');
        string();
        ws();
        if (i >= n || buf[i] !== 0x3a) fail('after object key');
        i++;
        value(depth + 1);
        ws();
        if (i < n && buf[i] === 0x2c) { i++; continue; }
        if (i < n && buf[i] === 0x7d) { i++; return; }
        fail('after object key:value pair');
      }
    }
    if (c === 0x5b) {
      if (depth > 10000) throw new Stop('exceeded max depth');
      i++;
      ws();
      if (i < n && buf[i] === 0x5d) { i++; return; }
      for (;;) {
        value(depth + 1);
        ws();
        if (i < n && buf[i] === 0x2c) { i++; continue; }
        if (i < n && buf[i] === 0x5d) { i++; return; }
        fail('after array element');
      }
    }
    if (c === 0x22) return string();
    if (c === 0x2d || isDigit(c)) return number();
    if (c === 0x74) return literal('true');
    if (c === 0x66) return literal('false');
    if (c === 0x6e) return literal('null');
    fail('looking for beginning of value');
  };
  try {
    value(0);
    ws();
    if (i < n) fail('after top-level value');
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return e.message;
    throw e;
  }
}

/** Go's name of a JSON value's type in "cannot unmarshal X into ...". */
function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return 'number';
    case 'boolean': return 'bool';
    default: return 'object';
  }
}

const FIND_KIND = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

// ------------------------------------------------------------------ decoding a write body

function unrecognized(exp: ExpectedType, why: string, buf: Buffer): StatusError {
  return badRequest(`the object provided is unrecognized (must be of type ${exp.kind}): ${why} (${summarizeData(buf)})`);
}

function cannotBeHandled(kind: string, version: string, exp: ExpectedType, why: string): StatusError {
  return badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${exp.kind}: ${why}`);
}

/**
 * The error upstream's decoder gives for an object whose (defaulted) apiVersion/kind is not what the endpoint
 * takes, or undefined when it is. For a custom resource of the right group/version but another kind, the 422
 * its validation gives (`name` names the object in it).
 */
export function typeMismatch(apiVersion: string, kind: string, exp: ExpectedType, name = ''): StatusError | undefined {
  const want = apiVersionOfGV(exp.group, exp.version);
  if (kind === exp.kind && (apiVersion === want || exp.alsoAccepts?.includes(apiVersion))) return undefined;
  const gv = parseGV(apiVersion) ?? { group: '', version: '' };
  if (exp.custom) {
    if (apiVersion !== want) return cannotBeHandled(kind, gv.version, exp, `request to convert CR from an invalid group/version: ${apiVersion}`);
    const errs: FieldError[] = [invalidField('kind', kind, `must be ${exp.kind}`)];
    return invalid(exp.kind, exp.group, name, errs);
  }
  // The endpoint's kind in another version of its (named) group: upstream's scheme knows the group's older
  // versions (apps/v1beta1...), decodes, and then refuses the version. The core group has only v1.
  if (kind === exp.kind && gv.group === exp.group && exp.group && gv.version) {
    return badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${want})`);
  }
  if (isKnown(apiVersion, kind)) {
    return cannotBeHandled(kind, gv.version, exp, `converting (${gv.version}.${kind}) to (${internalPackage(exp.group)}.${exp.kind}): unknown conversion`);
  }
  return cannotBeHandled(kind, gv.version, exp, `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme ${JSON.stringify(SCHEME)}`);
}

/** Fill a missing kind/apiVersion from the endpoint (gvkWithDefaults); returns the defaulted pair. */
function withDefaults(apiVersion: unknown, kind: unknown, exp: ExpectedType): { apiVersion: string; kind: string } {
  let k = typeof kind === 'string' ? kind : '';
  let gv = typeof apiVersion === 'string' ? parseGV(apiVersion) ?? { group: '', version: '' } : { group: '', version: '' };
  if (!k) k = exp.kind;
  if (!gv.version && !gv.group) gv = { group: exp.group, version: exp.version };
  if (!gv.version && gv.group === exp.group) gv = { group: exp.group, version: exp.version };
  return { apiVersion: apiVersionOfGV(gv.group, gv.version), kind: k };
}

/**
 * Decode a create/update/subresource body for an endpoint that takes `exp`, as upstream would: parse, default
 * the type, check it. Returns the object with apiVersion and kind set.
 */
export function decodeWriteBody(buf: Buffer, fmt: BodyFormat, exp: ExpectedType, decodeProtobuf: (b: Buffer) => unknown): KubeObject {
  let v: unknown;
  if (fmt === 'protobuf') {
    // The envelope's type first (an unknown kind is a type error, not a decoding failure), then the object.
    const tm = protobufTypeMeta(buf);
    if (tm) {
      const t = withDefaults(tm.apiVersion, tm.kind, exp);
      const err = typeMismatch(t.apiVersion, t.kind, exp);
      if (err) throw err;
    }
    v = decodeProtobuf(buf);
  } else if (fmt === 'yaml') {
    try { v = parseYaml(buf); } catch (e) { throw unrecognized(exp, `error converting YAML to JSON: ${(e as StatusError).message.replace(/^error decoding YAML: /, 'yaml: ')}`, buf); }
  } else {
    const text = buf.toString('utf8');
    try {
      v = JSON.parse(text);
    } catch {
      throw unrecognized(exp, `couldn't get version/kind; json parse error: ${goJsonSyntaxError(buf) ?? 'unexpected end of JSON input'}`, buf);
    }
    if (jsonDepthExceeds(v, MAX_DEPTH)) throw badRequest('error decoding request body: exceeded max depth');
    rememberScan(v, buf);
  }
  if (v === null) v = {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw unrecognized(exp, `couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonType(v)} into Go value of type ${FIND_KIND}`, buf);
  }
  const o = v as Record<string, unknown>;
  for (const f of ['apiVersion', 'kind'] as const) {
    if (o[f] !== undefined && o[f] !== null && typeof o[f] !== 'string') {
      throw unrecognized(exp, `couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonType(o[f])} into Go struct field .${f} of type string`, buf);
    }
  }
  const t = withDefaults(o.apiVersion, o.kind, exp);
  const meta = o.metadata as Record<string, unknown> | undefined;
  const err = typeMismatch(t.apiVersion, t.kind, exp, typeof meta?.name === 'string' ? meta.name : '');
  if (err) throw err;
  const out = { ...o, apiVersion: t.apiVersion, kind: t.kind } as KubeObject;
  const src = jsonSourceOf(o);
  if (src) rememberJsonSource(out, src);
  if (exp.schemaName) {
    // The subresource's own type (the registry checks the parent kind's): `Scale in version "v1" cannot be
    // handled as a Scale: json: cannot unmarshal number 1e12 into Go struct field ScaleSpec.spec.replicas ...`.
    const errs = findTypeErrors(out, exp.schemaName);
    if (errs.length) throw badRequest(typeErrorMessage(exp.kind, exp.version, errs[0]));
  }
  return out;
}

/**
 * The check of a JSON or merge patch's result (jsonPatcher: DecodeInto the kind): a changed kind or apiVersion
 * is 422 `"" is invalid: patch: Invalid value: "<patched JSON>": <decode error>`. A strategic merge patch's
 * result keeps the endpoint's type (it is converted into the typed object, whose type wins).
 */
export function checkPatchedType(patched: KubeObject, exp: ExpectedType, patchKind: string): void {
  if (patchKind === 'strategic') {
    patched.apiVersion = apiVersionOfGV(exp.group, exp.version);
    patched.kind = exp.kind;
    return;
  }
  const t = withDefaults(patched.apiVersion, patched.kind, exp);
  const err = typeMismatch(t.apiVersion, t.kind, exp, patched.metadata?.name ?? '');
  if (!err) return;
  if (err.code === 422) throw err;
  const why = err.message.replace(/^.* cannot be handled as a [^:]+: /, '');
  throw patchInvalid(JSON.stringify(patched), why);
}


/** versionCheckManager: an apply patch must name exactly the endpoint's group/version/kind. */
export function checkApplyType(applied: Record<string, unknown>, exp: ExpectedType): void {
  const kind = typeof applied.kind === 'string' ? applied.kind : '';
  const gv = typeof applied.apiVersion === 'string' ? parseGV(applied.apiVersion) ?? { group: '', version: '' } : { group: '', version: '' };
  const ok = kind === exp.kind && ((gv.group === exp.group && gv.version === exp.version) || exp.alsoAccepts?.includes(apiVersionOfGV(gv.group, gv.version)));
  if (!ok) throw badRequest(`invalid object type: ${gv.group}/${gv.version}, Kind=${kind}`);
}
