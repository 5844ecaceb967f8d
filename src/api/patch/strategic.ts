/**
 * Strategic merge patch (application/strategic-merge-patch+json), with the semantics of upstream
 * k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch: mergeParallelList + ignoreUnmatchedNulls):
 *  - merge keys and strategies from the schema (x-kubernetes-patch-merge-key / x-kubernetes-patch-strategy);
 *    a list without the `merge` strategy is replaced whole; maps merge key by key; `null` deletes a key;
 *  - directives: `$patch: replace|delete` (in maps and as list elements), `$setElementOrder/<list>`,
 *    `$deleteFromPrimitiveList/<list>`, `$retainKeys`.
 * Errors are StatusErrors as the API server reports them: malformed directive formats 400, lists of lists and
 * retainKeys mismatches 422, other merge failures 500 with upstream's message.
 */
import type { Schema } from '../schema.ts';
import { StatusError } from '../errors.ts';
import { getSchema, resolve as schemaResolve } from '../schema-walk.ts';
import { setOwn } from './own.ts';

/** Resolves $ref/allOf of a property schema (keeping the property's own x-kubernetes-* extensions). */
export type SchemaResolver = (s: Schema | undefined) => Schema | undefined;

export interface StrategicOptions {
  /** Look a named definition up (default: the api-schema definitions table). */
  getSchema?: (name: string) => Schema | undefined;
  /** Resolve $ref/allOf (default: schema-walk's resolve). */
  resolve?: SchemaResolver;
}

type Obj = Record<string, unknown>;

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER_PREFIX = '$setElementOrder';
const DELETE_PRIMITIVE_PREFIX = '$deleteFromPrimitiveList';

// Upstream mergepatch error texts.
const ERR = {
  badJSONDoc: 'invalid JSON document',
  noListOfLists: 'lists of lists are not supported',
  badPrimitiveList: 'invalid patch format of primitive list',
  badRetainKeys: 'invalid patch format of retainKeys',
  badSetElementOrder: 'invalid patch format of setElementOrder list',
  retainKeysMismatch: "patch content doesn't match retainKeys list",
};

const badRequest = (m: string) => new StatusError(400, 'BadRequest', m);
const unprocessable = (m: string) => new StatusError(422, 'Invalid', m);
/** An error upstream does not map to a Status: the API server answers 500 with an empty reason. */
const mergeError = (m: string) => new StatusError(500, '', m);

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's %v rendering of a decoded JSON value, for error messages. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isObj(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  return String(v);
}
const goType = (v: unknown) => (v === null ? '<nil>' : Array.isArray(v) ? '[]interface {}' : isObj(v) ? 'map[string]interface {}'
  : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : 'float64');

const errNoMergeKey = (m: unknown, k: string) => mergeError(`map: ${goFormat(m)} does not contain declared merge key: ${k}`);
const errBadPatchType = (t: unknown, m: unknown) => mergeError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);

export function deepClone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

// ---- schema lookups ----

interface FieldMeta {
  schema: Schema | undefined; // resolved schema of the field's value (for lists: the list schema)
  strategy: string; // '' | 'merge' | 'replace' (retainKeys removed)
  mergeKey: string;
}

class Ctx {
  constructor(public resolve: SchemaResolver) {}

  /** Metadata of field `key` of an object described by `s`. Unknown fields get no strategy (lists replace, maps merge). */
  field(s: Schema | undefined, key: string): FieldMeta {
    const r = this.resolve(s);
    let prop: Schema | undefined;
    if (r?.properties && Object.prototype.hasOwnProperty.call(r.properties, key)) prop = r.properties[key];
    else if (r && typeof r.additionalProperties === 'object') prop = r.additionalProperties;
    if (!prop) return { schema: undefined, strategy: '', mergeKey: '' };
    const resolved = this.resolve(prop);
    const raw = String(prop['x-kubernetes-patch-strategy'] ?? resolved?.['x-kubernetes-patch-strategy'] ?? '');
    const mergeKey = String(prop['x-kubernetes-patch-merge-key'] ?? resolved?.['x-kubernetes-patch-merge-key'] ?? '');
    return { schema: resolved, strategy: extractStrategy(raw), mergeKey };
  }

  items(list: Schema | undefined): Schema | undefined {
    return this.resolve(this.resolve(list)?.items);
  }
}

/** "merge,retainKeys" → "merge"; "retainKeys" → "" (upstream extractRetainKeysPatchStrategy). */
function extractStrategy(raw: string): string {
  if (!raw) return '';
  const parts = raw.split(',');
  if (parts.length === 1) return parts[0] === 'retainKeys' ? '' : parts[0];
  if (parts.length === 2) {
    if (parts[0] === 'retainKeys') return parts[1];
    if (parts[1] === 'retainKeys') return parts[0];
  }
  throw mergeError(`unexpected patch strategy: ${raw}`);
}

// ---- entry point ----

/**
 * Apply a strategic merge patch to `original` (not modified) using the schema `schemaName`
 * (e.g. io.k8s.api.apps.v1.Deployment). Returns the patched object.
 */
export function strategicMergePatch(original: object, patch: object, schemaName: string, opts: StrategicOptions = {}): object {
  const lookup = opts.getSchema ?? getSchema;
  const ctx = new Ctx(opts.resolve ?? schemaResolve);
  if (!isObj(patch)) throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  const schema = lookup(schemaName);
  return mergeMap(ctx, deepClone(isObj(original) ? original : {}), deepClone(patch), schema);
}

/** The same merge with an explicit root schema (for subresources or tests). */
export function strategicMergePatchWithSchema(original: object, patch: object, schema: Schema | undefined, opts: StrategicOptions = {}): object {
  const ctx = new Ctx(opts.resolve ?? schemaResolve);
  if (!isObj(patch)) throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  return mergeMap(ctx, deepClone(isObj(original) ? original : {}), deepClone(patch), schema);
}

// ---- maps ----

function mergeMap(ctx: Ctx, original: Obj, patch: Obj, schema: Schema | undefined): Obj {
  if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      delete patch[DIRECTIVE];
      return stripDirectives(ctx, patch, schema);
    }
    if (d === 'delete') return {};
    throw errBadPatchType(d, patch);
  }
  applyRetainKeys(original, patch);
  mergeSetElementOrder(ctx, original, patch, schema);

  for (const rawKey of Object.keys(patch)) {
    const patchV = patch[rawKey];
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_PRIMITIVE_PREFIX)) {
      key = extractKey(rawKey, DELETE_PRIMITIVE_PREFIX, ERR.badPrimitiveList);
      isDeleteList = true;
    } else if (rawKey.startsWith(SET_ORDER_PREFIX)) {
      continue; // handled (and removed) by mergeSetElementOrder
    }
    if (patchV === null) {
      if (!isDeleteList) delete original[key];
      continue;
    }
    const meta = ctx.field(schema, key);
    const has = Object.prototype.hasOwnProperty.call(original, key);
    const origV = has ? original[key] : undefined;
    if (isDeleteList) {
      if (!has) continue;
      if (!Array.isArray(patchV)) throw badRequest(ERR.badPrimitiveList);
      if (!Array.isArray(origV)) continue;
      setOwn(original, key, mergeSliceHandler(ctx, origV, patchV, meta, true));
      continue;
    }
    if (isObj(patchV)) {
      const base = isObj(origV) ? origV : {};
      setOwn(original, key, meta.strategy === 'replace' ? stripDirectives(ctx, patchV, meta.schema) : mergeMap(ctx, base, patchV, meta.schema));
    } else if (Array.isArray(patchV)) {
      const base = Array.isArray(origV) ? origV : [];
      setOwn(original, key, mergeSliceHandler(ctx, base, patchV, meta, false));
    } else {
      setOwn(original, key, patchV);
    }
  }
  return original;
}

/** A patch value taken as is (no original): apply it to an empty value so directives and nulls are resolved. */
function stripDirectives(ctx: Ctx, v: Obj, schema: Schema | undefined): Obj {
  return mergeMap(ctx, {}, v, schema);
}

function extractKey(s: string, prefix: string, err: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) throw badRequest(err);
  return s.slice(i + 1);
}

/** `$retainKeys`: drop every key of original not listed; every non-null patch key must be listed. */
function applyRetainKeys(original: Obj, patch: Obj): void {
  if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest(ERR.badRetainKeys);
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PRIMITIVE_PREFIX) || k.startsWith(SET_ORDER_PREFIX)) continue;
    if (!keep.has(k)) throw badRequest(ERR.badRetainKeys);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

// ---- $setElementOrder ----

function mergeSetElementOrder(ctx: Ctx, original: Obj, patch: Obj, schema: Schema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER_PREFIX)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw mergeError(`expected a []interface {}, but received a ${goType(order)}`);
    const field = extractKey(key, SET_ORDER_PREFIX, ERR.badSetElementOrder);
    const foundOriginal = Object.prototype.hasOwnProperty.call(original, field) && original[field] !== null;
    const foundPatch = Object.prototype.hasOwnProperty.call(patch, field);
    const origList = foundOriginal ? original[field] : undefined;
    const patchList = foundPatch ? patch[field] : undefined;
    if (foundOriginal && !Array.isArray(origList)) throw mergeError(`expected a []interface {}, but received a ${goType(origList)}`);
    if (foundPatch && patchList !== null && !Array.isArray(patchList)) throw mergeError(`expected a []interface {}, but received a ${goType(patchList)}`);
    if (foundPatch && patchList === null) continue; // the list is deleted by the main loop
    const meta = ctx.field(schema, field);
    validateWithSetOrder((patchList as unknown[] | undefined) ?? [], order, meta.mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = origList as unknown[];
    else if (!foundOriginal && foundPatch) merged = mergeSliceHandler(ctx, [], patchList as unknown[], meta, false);
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(ctx, origList as unknown[], patchList as unknown[], meta, false);
    else continue;

    const [inOrder, serverOnly] = partition(merged, order, meta.mergeKey);
    original[field] = normalizeElementOrder(inOrder, serverOnly, order, (origList as unknown[] | undefined) ?? [], meta.mergeKey);
    delete patch[field];
  }
}

function validateWithSetOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let nonDelete = patchList;
  if (mergeKey) nonDelete = patchList.filter((v) => !(isObj(v) && v[DIRECTIVE] === 'delete'));
  let pi = 0, oi = 0;
  while (pi < nonDelete.length && oi < order.length) {
    const p = nonDelete[pi];
    if (isObj(p) && DIRECTIVE in p) { pi++; continue; }
    if (mergeKeyEqual(p, order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < nonDelete.length && oi >= order.length) {
    throw mergeError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ORDER_PREFIX} list:\n${goFormat(order)}\n`);
  }
}

function mergeKeyEqual(a: unknown, b: unknown, mergeKey: string): boolean {
  if (!mergeKey) return a === b;
  if (!isObj(a)) throw mergeError(`expected a map[string]interface {}, but received a ${goType(a)}`);
  if (!isObj(b)) throw mergeError(`expected a map[string]interface {}, but received a ${goType(b)}`);
  if (!(mergeKey in a)) throw errNoMergeKey(a, mergeKey);
  if (!(mergeKey in b)) throw errNoMergeKey(b, mergeKey);
  return a[mergeKey] === b[mergeKey];
}

// ---- lists ----

function mergeSliceHandler(ctx: Ctx, original: unknown[], patch: unknown[], meta: FieldMeta, isDeleteList: boolean): unknown[] {
  if (meta.strategy === 'merge') return mergeSlice(ctx, original, patch, ctx.items(meta.schema), meta.mergeKey, isDeleteList);
  // Replaced whole: resolve directives inside map elements (a patch value may carry them).
  if (isDeleteList) return patch;
  return patch.map((el) => (isObj(el) ? stripDirectives(ctx, el, ctx.items(meta.schema)) : el));
}

function elementKind(...lists: unknown[][]): 'map' | 'scalar' | undefined {
  let kind: 'map' | 'scalar' | 'list' | undefined;
  let prevType: string | undefined;
  for (const l of lists) {
    for (const v of l) {
      const t = Array.isArray(v) ? 'list' : isObj(v) ? 'map' : v === null ? 'null' : typeof v;
      if (prevType === undefined) {
        if (t === 'list') throw unprocessable(ERR.noListOfLists);
        prevType = t;
        kind = t === 'map' ? 'map' : 'scalar';
      } else if (prevType !== t) {
        throw mergeError(`list element types are not identical: ${lists.map(goFormat).join(' ')}`);
      }
    }
  }
  return kind as 'map' | 'scalar' | undefined;
}

function mergeSlice(ctx: Ctx, original: unknown[], patch: unknown[], elemSchema: Schema | undefined, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) {
      const del = new Set(patch);
      return original.filter((v) => !del.has(v));
    }
    merged = dedupe([...original, ...patch]);
  } else {
    if (!mergeKey) throw mergeError('cannot merge lists without merge key for type map');
    let [orig, rest] = mergeSpecialElements(original, patch, mergeKey);
    merged = mergeWithoutSpecialElements(ctx, orig, rest, mergeKey, elemSchema);
    patch = rest;
    original = orig;
  }
  const [inPatch, serverOnly] = partition(merged, patch, kind === 'map' ? mergeKey : '');
  return normalizeElementOrder(inPatch, serverOnly, patch, original, kind === 'map' ? mergeKey : '');
}

function dedupe(list: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) if (!out.includes(v)) out.push(v);
  return out;
}

/** Handle `{$patch: delete, key: v}` and `{$patch: replace}` elements; returns [original', patch without them]. */
function mergeSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const rest: unknown[] = [];
  let replace = false;
  let orig = original;
  for (const v of patch) {
    const m = v as Obj;
    if (!Object.prototype.hasOwnProperty.call(m, DIRECTIVE)) { rest.push(v); continue; }
    const d = m[DIRECTIVE];
    if (d === 'delete') {
      if (!Object.prototype.hasOwnProperty.call(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      // One directive deletes one matching entry (upstream deleteMatchingEntry), so duplicates can be cleaned up.
      const idx = orig.findIndex((o, i) => {
        if (!isObj(o)) throw mergeError(`value for key ${i} is not a map.`);
        return Object.prototype.hasOwnProperty.call(o, mergeKey) && o[mergeKey] === m[mergeKey];
      });
      if (idx >= 0) orig = [...orig.slice(0, idx), ...orig.slice(idx + 1)];
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      throw mergeError('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(d, m);
    }
  }
  if (replace) return [rest, []];
  return [orig, rest];
}

function mergeWithoutSpecialElements(ctx: Ctx, original: unknown[], patch: unknown[], mergeKey: string, elemSchema: Schema | undefined): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const m = v as Obj;
    if (!Object.prototype.hasOwnProperty.call(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
    const idx = out.findIndex((o) => {
      if (!isObj(o)) throw mergeError(`value for key ${out.indexOf(o)} is not a map.`);
      return Object.prototype.hasOwnProperty.call(o, mergeKey) && o[mergeKey] === m[mergeKey];
    });
    if (idx >= 0) out[idx] = mergeMap(ctx, out[idx] as Obj, m, elemSchema);
    else out.push(stripDirectives(ctx, m, elemSchema));
  }
  return out;
}

/** Split `list` into items present in `by` (by merge key, or by value for scalars) and the others. */
function partition(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const others: unknown[] = [];
  for (const v of list) {
    let found: boolean;
    if (!mergeKey) found = by.includes(v);
    else {
      if (!isObj(v)) throw mergeError(`expected a map[string]interface {}, but received a ${goType(v)}`);
      if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
      found = by.some((b) => isObj(b) && b[mergeKey] === v[mergeKey]);
    }
    (found ? inBy : others).push(v);
  }
  return [inBy, others];
}

function indexIn(list: unknown[], v: unknown, mergeKey: string): number {
  const key = (x: unknown) => (mergeKey ? (isObj(x) ? x[mergeKey] : undefined) : x);
  const kv = key(v);
  return list.findIndex((x) => key(x) === kv);
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string): unknown[] {
  let toDelete: unknown[] = [];
  let items = toSort;
  if (mergeKey) {
    for (const l of [toSort, order]) for (const it of l) {
      if (!isObj(it)) throw mergeError(`expected a map[string]interface {}, but received a ${goType(it)}`);
      if (!Object.prototype.hasOwnProperty.call(it, mergeKey)) throw errNoMergeKey(it, mergeKey);
    }
    items = toSort.filter((v) => !(isObj(v) && v[DIRECTIVE] === 'delete'));
    toDelete = toSort.filter((v) => isObj(v) && v[DIRECTIVE] === 'delete');
  }
  // Stable: items found in `order` take its order; the others keep their place relative to each other.
  const idx = items.map((v) => indexIn(order, v, mergeKey));
  const sorted = insertionSortStable(items, (a, b) => {
    const ia = idx[items.indexOf(a)], ib = idx[items.indexOf(b)];
    return ia >= 0 && ib >= 0 ? ia - ib : 0;
  });
  return [...sorted, ...toDelete];
}

function insertionSortStable<T>(arr: T[], cmp: (a: T, b: T) => number): T[] {
  const out = [...arr];
  for (let i = 1; i < out.length; i++) {
    const x = out[i];
    let j = i - 1;
    while (j >= 0 && cmp(out[j], x) > 0) { out[j + 1] = out[j]; j--; }
    out[j + 1] = x;
  }
  return out;
}

/** Merge patch items (in patch order) with server-only items (in live order), interleaving by the live order. */
function normalizeElementOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string): unknown[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0, j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) { out.push(right[j++]); continue; }
    if (j >= right.length) { out.push(left[i++]); continue; }
    const li = indexIn(serverOrder, left[i], mergeKey);
    const ri = indexIn(serverOrder, right[j], mergeKey);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return out;
}
