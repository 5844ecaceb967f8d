/**
 * Schema-aware walks over API objects for server-side apply (after upstream structured-merge-diff's typed
 * package): the field set of an applied configuration, the comparison of two objects (added / modified / removed
 * paths), the merge of an applied configuration into a live object, and removal of paths.
 *
 * List and map semantics come from the schema: x-kubernetes-list-type (map with x-kubernetes-list-map-keys, set,
 * atomic), or, for lists only marked for strategic merge, `merge` + merge key → map, `merge` alone → set; other
 * lists are atomic. x-kubernetes-map-type: atomic makes a map or struct a leaf. Unknown subtrees are deduced from
 * the value (objects granular, lists atomic).
 */
import type { Schema } from '../schema.ts';
import { type Path, FieldSet, fieldPE, keyPE, valuePE, indexPE } from './fieldpath.ts';
import { getOwn, setOwn, hasOwn } from './own.ts';

export type Resolver = (s: Schema | undefined) => Schema | undefined;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined), kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

interface TypeInfo {
  kind: 'scalar' | 'map' | 'list';
  atomic: boolean;
  listType?: 'map' | 'set' | 'atomic';
  keys?: string[];
  schema?: Schema; // resolved
}

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }

const SEP = '\u0000';
const join = (pk: string, pe: string) => (pk ? pk + SEP + pe : pe);

/** Default values of key fields that upstream schemas declare (used when an item omits them). */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** Walk filter for a top-level field name: false = do not look at it (e.g. status on a main-resource write). */
export type TopFilter = (field: string) => boolean;

export class Typed {
  private resolve: Resolver;
  private memo = new WeakMap<object, Schema | undefined>();
  constructor(resolve: Resolver) {
    // Definitions are immutable: memoize resolution per schema object (the hot path of every write).
    this.resolve = (s) => {
      if (!s) return undefined;
      if (this.memo.has(s)) return this.memo.get(s);
      const r = resolve(s);
      this.memo.set(s, r);
      return r;
    };
  }

  describe(schema: Schema | undefined, value: unknown): TypeInfo {
    const s = this.resolve(schema);
    if (!s || (s['x-kubernetes-preserve-unknown-fields'] && !s.properties && !s.items && !s.additionalProperties)) {
      if (Array.isArray(value)) return { kind: 'list', atomic: true, listType: 'atomic' };
      if (isObj(value)) return { kind: 'map', atomic: false, schema: s };
      return { kind: 'scalar', atomic: true };
    }
    if (s['x-kubernetes-int-or-string']) return { kind: 'scalar', atomic: true };
    if (s.type === 'array' || s.items) {
      let lt = s['x-kubernetes-list-type'];
      let keys = s['x-kubernetes-list-map-keys'];
      const strategy = String(s['x-kubernetes-patch-strategy'] ?? '');
      const mk = s['x-kubernetes-patch-merge-key'];
      if (!lt) {
        if (strategy.split(',').includes('merge')) lt = mk ? 'map' : 'set';
        else lt = 'atomic';
      }
      if (lt === 'map' && (!keys || keys.length === 0)) keys = mk ? [mk] : [];
      return { kind: 'list', atomic: lt === 'atomic', listType: lt, keys, schema: s };
    }
    if (s.type === 'object' || s.properties || s.additionalProperties) {
      return { kind: 'map', atomic: s['x-kubernetes-map-type'] === 'atomic', schema: s };
    }
    return { kind: 'scalar', atomic: true };
  }

  /** Schema of field `key` of a map/struct, and whether it is a declared field (vs. a map entry). */
  child(info: TypeInfo, key: string): { schema: Schema | undefined; declared: boolean } {
    const s = info.schema;
    if (s?.properties && Object.prototype.hasOwnProperty.call(s.properties, key)) return { schema: s.properties[key], declared: true };
    if (s && typeof s.additionalProperties === 'object') return { schema: s.additionalProperties, declared: false };
    return { schema: undefined, declared: !s };
  }

  itemSchema(info: TypeInfo): Schema | undefined { return info.schema?.items; }

  /** The path element of a list item (k:{...} for associative lists, v:... for sets, i:n otherwise). */
  itemPE(info: TypeInfo, item: unknown, index: number): string {
    if (info.listType === 'map' && isObj(item) && info.keys && info.keys.length) {
      const fields: Obj = {};
      const itemProps = this.resolve(this.itemSchema(info))?.properties ?? {};
      for (const k of info.keys) {
        if (item[k] !== undefined) fields[k] = item[k];
        else {
          const def = this.resolve(itemProps[k])?.default ?? itemProps[k]?.default;
          if (def !== undefined && def !== '') fields[k] = def;
          else if (k in KEY_DEFAULTS) fields[k] = KEY_DEFAULTS[k];
        }
      }
      return keyPE(fields);
    }
    if (info.listType === 'set') return valuePE(item);
    return indexPE(index);
  }

  // ---- field set of a value (upstream ToFieldSet) ----

  toFieldSet(value: unknown, schema: Schema | undefined): FieldSet {
    const set = new FieldSet();
    this.walkSet(value, schema, '', set);
    return set;
  }

  // Paths are carried as FieldSet keys (elements joined by NUL) so the hot walks build no arrays or closures.
  private walkSet(v: unknown, schema: Schema | undefined, pk: string, set: FieldSet): void {
    if (v === null || v === undefined) return;
    const info = this.describe(schema, v);
    if (info.kind === 'scalar' || info.atomic) { if (pk) set.members.add(pk); return; }
    if (info.kind === 'map') {
      if (!isObj(v)) { if (pk) set.members.add(pk); return; }
      for (const k of Object.keys(v)) {
        const cv = v[k];
        const c = this.child(info, k);
        const cp = join(pk, 'f:' + k);
        this.walkSet(cv, c.schema, cp, set);
        if (cv === null || (isObj(cv) && Object.keys(cv).length === 0)) set.members.add(cp);
        else if (!c.declared) set.members.add(cp);
      }
      return;
    }
    if (!Array.isArray(v)) { if (pk) set.members.add(pk); return; }
    const itemSchema = this.itemSchema(info);
    for (let i = 0; i < v.length; i++) {
      const ip = join(pk, this.itemPE(info, v[i], i));
      this.walkSet(v[i], itemSchema, ip, set);
      set.members.add(ip);
    }
  }

  // ---- comparison (upstream TypedValue.Compare) ----

  compare(lhs: unknown, rhs: unknown, schema: Schema | undefined, top?: TopFilter): Comparison {
    const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
    if (top && (isObj(lhs) || isObj(rhs))) {
      // Root object: compare only the top-level fields the filter lets through.
      const info = this.describe(schema, isObj(rhs) ? rhs : lhs);
      const l = isObj(lhs) ? lhs : {}, r = isObj(rhs) ? rhs : {};
      const keys = new Set([...Object.keys(l), ...Object.keys(r)]);
      for (const k of keys) {
        if (!top(k)) continue;
        this.walkCompare(getOwn(l, k), getOwn(r, k), this.child(info, k).schema, 'f:' + k, out);
      }
      return out;
    }
    this.walkCompare(lhs, rhs, schema, '', out);
    return out;
  }

  private leaf(lhs: unknown, rhs: unknown, pk: string, out: Comparison): void {
    if (!pk) return;
    if (lhs === undefined) out.added.members.add(pk);
    else if (rhs === undefined) out.removed.members.add(pk);
    else if (!deepEqual(lhs, rhs)) out.modified.members.add(pk);
  }

  private walkCompare(lhs: unknown, rhs: unknown, schema: Schema | undefined, pk: string, out: Comparison): void {
    if (lhs === undefined && rhs === undefined) return;
    if (lhs === rhs && (lhs === null || typeof lhs !== 'object')) return; // identical scalars: nothing to record
    const info = this.describe(schema, rhs !== undefined && rhs !== null ? rhs : lhs);
    if (info.kind === 'scalar' || info.atomic) { this.leaf(lhs, rhs, pk, out); return; }
    if (info.kind === 'map') {
      const l = isObj(lhs) ? lhs : undefined, r = isObj(rhs) ? rhs : undefined;
      if ((lhs !== undefined && lhs !== null && !l) || (rhs !== undefined && rhs !== null && !r)) { this.leaf(lhs, rhs, pk, out); return; }
      const lKeys = l ? Object.keys(l) : [], rKeys = r ? Object.keys(r) : [];
      if (lKeys.length === 0 && rKeys.length === 0) { this.leaf(lhs, rhs, pk, out); return; }
      const inMeta = pk === 'f:metadata';
      const seen = new Set<string>();
      for (const keys of [lKeys, rKeys]) {
        for (const k of keys) {
          if (seen.has(k)) continue;
          seen.add(k);
          if (inMeta && (k === 'managedFields' || k === 'resourceVersion')) continue;
          this.walkCompare(l ? getOwn(l, k) : undefined, r ? getOwn(r, k) : undefined, this.child(info, k).schema, join(pk, 'f:' + k), out);
        }
      }
      if (pk) { if (lhs === undefined) out.added.members.add(pk); else if (rhs === undefined) out.removed.members.add(pk); }
      return;
    }
    const l = Array.isArray(lhs) ? lhs : undefined, r = Array.isArray(rhs) ? rhs : undefined;
    if ((lhs !== undefined && lhs !== null && !l) || (rhs !== undefined && rhs !== null && !r)) { this.leaf(lhs, rhs, pk, out); return; }
    if ((!l || l.length === 0) && (!r || r.length === 0)) { this.leaf(lhs, rhs, pk, out); return; }
    const lm = this.indexItems(info, l ?? []), rm = this.indexItems(info, r ?? []);
    const itemSchema = this.itemSchema(info);
    for (const [pe, lv] of lm) this.walkCompare(lv, rm.get(pe), itemSchema, join(pk, pe), out);
    for (const [pe, rv] of rm) if (!lm.has(pe)) this.walkCompare(undefined, rv, itemSchema, join(pk, pe), out);
    if (pk) { if (lhs === undefined) out.added.members.add(pk); else if (rhs === undefined) out.removed.members.add(pk); }
  }

  /** Items of a list by path element (first occurrence wins, as upstream). */
  indexItems(info: TypeInfo, list: unknown[]): Map<string, unknown> {
    const m = new Map<string, unknown>();
    for (let i = 0; i < list.length; i++) { const pe = this.itemPE(info, list[i], i); if (!m.has(pe)) m.set(pe, list[i]); }
    return m;
  }

  // ---- merge of an applied configuration into the live object ----

  merge(lhs: unknown, rhs: unknown, schema: Schema | undefined): unknown {
    if (rhs === undefined) return clone(lhs);
    if (lhs === undefined || lhs === null || rhs === null) return clone(rhs);
    const info = this.describe(schema, rhs);
    if (info.kind === 'scalar' || info.atomic) return clone(rhs);
    if (info.kind === 'map') {
      if (!isObj(lhs) || !isObj(rhs)) return clone(rhs);
      const out: Obj = clone(lhs);
      for (const [k, rv] of Object.entries(rhs)) {
        if (rv === null) { delete out[k]; continue; }
        setOwn(out, k, this.merge(getOwn(lhs, k), rv, this.child(info, k).schema));
      }
      return out;
    }
    if (!Array.isArray(lhs) || !Array.isArray(rhs)) return clone(rhs);
    const itemSchema = this.itemSchema(info);
    const lOrder = [...this.indexItems(info, lhs).keys()], rOrder = [...this.indexItems(info, rhs).keys()];
    const lMap = this.indexItems(info, lhs), rMap = this.indexItems(info, rhs);
    const shared = rOrder.filter((pe) => lMap.has(pe));
    let nextShared = shared.shift();
    const out: unknown[] = [];
    let li = 0, ri = 0;
    while (li < lOrder.length || ri < rOrder.length) {
      if (li < lOrder.length && ri < rOrder.length) {
        const pe = lOrder[li];
        if (pe === rOrder[ri]) {
          out.push(this.merge(lMap.get(pe), rMap.get(pe), itemSchema));
          li++; ri++;
          nextShared = shared.shift();
          continue;
        }
        if (rMap.has(pe) && nextShared !== undefined && nextShared !== pe) { li++; continue; }
      }
      if (li < lOrder.length) {
        const pe = lOrder[li];
        if (!rMap.has(pe)) { out.push(clone(lMap.get(pe))); li++; continue; }
      }
      if (ri < rOrder.length) {
        const pe = rOrder[ri];
        out.push(this.merge(lMap.get(pe), rMap.get(pe), itemSchema));
        ri++;
        if (nextShared !== undefined && nextShared === pe) nextShared = shared.shift();
      }
    }
    return out;
  }

  // ---- paths in values ----

  /** Remove the value at `path` (a field, a list item) from `root` in place; returns whether something was removed. */
  removePath(root: unknown, schema: Schema | undefined, path: Path): boolean {
    let cur: unknown = root;
    let s = schema;
    for (let i = 0; i < path.length; i++) {
      const pe = path[i];
      const last = i === path.length - 1;
      const info = this.describe(s, cur);
      if (pe.startsWith('f:')) {
        if (!isObj(cur)) return false;
        const k = pe.slice(2);
        if (!hasOwn(cur, k)) return false;
        if (last) { delete cur[k]; return true; }
        s = this.child(info, k).schema;
        cur = cur[k];
      } else {
        if (!Array.isArray(cur)) return false;
        const idx = cur.findIndex((item, j) => this.itemPE(info, item, j) === pe);
        if (idx < 0) return false;
        if (last) { cur.splice(idx, 1); return true; }
        s = this.itemSchema(info);
        cur = cur[idx];
      }
    }
    return false;
  }

  /** The value at `path`, or undefined. */
  getPath(root: unknown, schema: Schema | undefined, path: Path): unknown {
    let cur: unknown = root;
    let s = schema;
    for (const pe of path) {
      const info = this.describe(s, cur);
      if (pe.startsWith('f:')) {
        if (!isObj(cur)) return undefined;
        const k = pe.slice(2);
        s = this.child(info, k).schema;
        cur = getOwn(cur, k);
      } else {
        if (!Array.isArray(cur)) return undefined;
        const idx = cur.findIndex((item, j) => this.itemPE(info, item, j) === pe);
        if (idx < 0) return undefined;
        s = this.itemSchema(info);
        cur = cur[idx];
      }
      if (cur === undefined) return undefined;
    }
    return cur;
  }

  /**
   * The JSON a zero-valued Go object of this schema serialises to: non-pointer structs (properties with a `{}`
   * default) as `{}`, required lists and pointers as null. Used as the "live" object of a create, so that
   * managedFields mark exactly what upstream marks.
   */
  private zeroMemo = new WeakMap<object, Obj>();
  zero(schema: Schema | undefined): Obj {
    return clone(this.zeroShared(schema));
  }

  /** The zero value of `zero()`, memoized and shared by every caller: read it, never modify it. */
  zeroShared(schema: Schema | undefined): Obj {
    if (!schema) return {};
    let z = this.zeroMemo.get(schema);
    if (!z) { z = this.zeroOf(schema, 0); this.zeroMemo.set(schema, z); }
    return z;
  }

  private zeroOf(schema: Schema | undefined, depth: number): Obj {
    const s = this.resolve(schema);
    const out: Obj = {};
    if (!s?.properties || depth > 12) return out;
    const required = new Set(s.required ?? []);
    for (const [k, p] of Object.entries(s.properties)) {
      const rp = this.resolve(p);
      if (!rp) continue;
      const isStruct = (rp.type === 'object' || rp.properties) && !!rp.properties;
      const hasEmptyDefault = isObj(p.default) || isObj(rp.default);
      if (isStruct && hasEmptyDefault) out[k] = this.zeroOf(p, depth + 1);
      else if (required.has(k) && (rp.type === 'array' || rp.type === 'object' || rp.properties || rp.additionalProperties)) out[k] = null;
    }
    return out;
  }
}
