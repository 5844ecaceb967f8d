/**
 * Server-side apply and managedFields, after upstream (k8s.io/apiserver fieldmanager + structured-merge-diff):
 *  - `applyPatch`: merge an applied configuration into the live object; the manager's `Apply` entry becomes the
 *    configuration's field set; fields it applied before and no longer applies are removed when no other manager
 *    owns them; a changed value owned by another manager is a conflict (unless `force`, which takes ownership).
 *    The `kubectl` manager may take over fields recorded in the client-side-apply annotation when they still hold
 *    the live value (upgrade path from `kubectl apply`), and keeps that annotation in step.
 *  - `updateManagedFields`: record what a create/update/patch (operation Update) changed, taking those fields from
 *    other managers, as upstream does for every non-apply write.
 * managedFields entries are sorted as upstream (Apply before Update, then by time, manager).
 */
import type { Schema } from '../schema.ts';
import { StatusError } from '../errors.ts';
import { getSchema, resolve as schemaResolve } from '../schema-walk.ts';
import { definitions } from '../definitions/index.ts';
import { type Path, FieldSet, fieldPE, toFieldsV1, fromFieldsV1, pathString, pathKey, comparePE } from './fieldpath.ts';
import { getOwn } from './own.ts';
import { Typed, deepEqual, type Resolver } from './typed.ts';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface Conflict { manager: string; field: string }

export interface ApplyOptions {
  live?: object | null;
  applied: object;
  manager: string;
  force: boolean;
  /** Definition name, e.g. io.k8s.api.apps.v1.Deployment (default: found from the applied apiVersion and kind). */
  schemaName?: string;
  /** RFC 3339 time of this operation (managedFields time). */
  now: string;
  /** Subresource the apply goes through ('' / undefined for the main resource, 'status', 'scale'). */
  subresource?: string;
  getSchema?: (name: string) => Schema | undefined;
  resolve?: Resolver;
}

export interface ApplyResult {
  /** The new object (with metadata.managedFields); the live object, unchanged, when there are conflicts. */
  object: object;
  conflicts: Conflict[];
  /** Whether anything but managedFields differs from the live object. */
  changed: boolean;
}

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const BEFORE_FIRST_APPLY = 'before-first-apply';

/** Paths never tracked (upstream stripMetaManager). */
const STRIPPED: Path[] = [
  ['f:apiVersion'], ['f:kind'], ['f:metadata'], ['f:metadata', 'f:name'], ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'], ['f:metadata', 'f:selfLink'], ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:clusterName'], ['f:metadata', 'f:generation'], ['f:metadata', 'f:managedFields'],
  ['f:metadata', 'f:resourceVersion'],
];
const STRIPPED_KEYS = new Set(STRIPPED.map(pathKey));

/** Keep only the paths a write through `subresource` may own: the main resource never owns status, /status only status. */
const SEP = '\u0000';
function filterSet(set: FieldSet, subresource: string | undefined): FieldSet {
  const keep: string[] = [];
  let dropped = false;
  for (const k of set.members) {
    const top = k.split(SEP, 1)[0];
    const ok = !STRIPPED_KEYS.has(k)
      && !k.startsWith(`f:metadata${SEP}f:managedFields`) && !k.startsWith(`f:metadata${SEP}f:resourceVersion`)
      && (subresource === 'status' ? top === 'f:status' : top !== 'f:status');
    if (ok) keep.push(k); else dropped = true;
  }
  return dropped ? new FieldSet(keep) : set;
}

/** Top-level fields a write through `subresource` can own (others are not even compared). */
const topFilter = (subresource: string | undefined) => (field: string) =>
  subresource === 'status' ? field === 'status' : field !== 'status' && field !== 'apiVersion' && field !== 'kind';

// ---- managedFields encoding ----

interface ManagerState {
  entry: Omit<ManagedFieldsEntry, 'fieldsV1' | 'fieldsType'>;
  set: FieldSet;
  /** The decoded FieldsV1 and the set it gave, reused when the set is unchanged (saves re-encoding). */
  raw?: { fieldsV1: Record<string, unknown>; set: FieldSet };
}

/** Identity of a manager (upstream BuildManagerIdentifier: no time; Apply managers without apiVersion). */
function identity(e: { manager: string; operation: string; apiVersion?: string; subresource?: string }): string {
  return [e.manager, e.operation, e.operation === 'Apply' ? '' : e.apiVersion ?? '', e.subresource ?? ''].join('\u0000');
}

export function decodeManagedFields(obj: unknown): Map<string, ManagerState> {
  const out = new Map<string, ManagerState>();
  const list = isObj(obj) ? obj.metadata?.managedFields : undefined;
  if (!Array.isArray(list)) return out;
  for (const e of list) {
    if (!isObj(e) || typeof e.manager !== 'string') continue;
    const op = e.operation === 'Apply' ? 'Apply' : 'Update';
    const entry: ManagerState['entry'] = { manager: e.manager, operation: op, apiVersion: String(e.apiVersion ?? '') };
    if (e.time) entry.time = String(e.time);
    if (e.subresource) entry.subresource = String(e.subresource);
    const set = fromFieldsV1(e.fieldsV1);
    out.set(identity(entry), { entry, set, raw: isObj(e.fieldsV1) ? { fieldsV1: e.fieldsV1, set } : undefined });
  }
  return out;
}

export function encodeManagedFields(managers: Map<string, ManagerState>): ManagedFieldsEntry[] {
  const entries: ManagedFieldsEntry[] = [];
  for (const { entry, set, raw } of managers.values()) {
    if (set.empty()) continue;
    const e: ManagedFieldsEntry = { manager: entry.manager, operation: entry.operation, apiVersion: entry.apiVersion } as ManagedFieldsEntry;
    if (entry.time) e.time = entry.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = raw && raw.set === set ? raw.fieldsV1 : toFieldsV1(set);
    if (entry.subresource) e.subresource = entry.subresource;
    entries.push(e);
  }
  const secs = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  entries.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    if (secs(p.time) !== secs(q.time)) return secs(p.time) - secs(q.time);
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : (p.subresource ?? '') > (q.subresource ?? '') ? 1 : 0;
  });
  return entries;
}

const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/** Keep at most 10 Update entries: the oldest merge into "ancient-changes" per apiVersion (upstream capManagersManager). */
function capUpdateManagers(managers: Map<string, ManagerState>): void {
  const updaters = [...managers.entries()].filter(([, st]) => st.entry.operation === 'Update' && !st.set.empty());
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  const secs = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  updaters.sort(([ia, a], [ib, b]) => secs(a.entry.time) - secs(b.entry.time) || (ia < ib ? -1 : ia > ib ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const [id, st] = updaters[i];
    const version = st.entry.apiVersion;
    const bucketEntry: ManagerState['entry'] = { manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: version };
    const bucket = identity(bucketEntry);
    const first = firstByVersion.get(version);
    if (first === undefined) { firstByVersion.set(version, id); continue; }
    if (!managers.has(bucket)) {
      const f = managers.get(first)!;
      managers.delete(first);
      managers.set(bucket, { entry: { ...bucketEntry, time: f.entry.time }, set: f.set });
    }
    const b = managers.get(bucket)!;
    managers.set(bucket, { entry: { ...b.entry, time: st.entry.time }, set: st.set.union(b.set) });
    managers.delete(id);
    length--;
  }
}

function setManagedFields(obj: Obj, managers: Map<string, ManagerState>): void {
  capUpdateManagers(managers);
  const entries = encodeManagedFields(managers);
  obj.metadata = obj.metadata ?? {};
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

function withoutManagedFields(obj: unknown): unknown {
  if (!isObj(obj)) return obj;
  const c = clone(obj);
  if (isObj(c.metadata)) delete c.metadata.managedFields;
  return c;
}

/** `"kubectl-client-side-apply" using apps/v1` (upstream printManager). */
function printManager(e: ManagerState['entry']): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/** The 409 of an apply with conflicts, worded as upstream. */
export function applyConflictError(conflicts: Conflict[]): StatusError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${conflicts[0].manager}: ${conflicts[0].field}`;
  } else {
    const by = new Map<string, string[]>();
    for (const c of conflicts) by.set(c.manager, [...(by.get(c.manager) ?? []), c.field]);
    const lines: string[] = [];
    for (const m of [...by.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const f of by.get(m)!) lines.push(`- ${f}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.field })),
  });
}

// ---- the updater (upstream merge.Updater) ----

/** One Typed walker per resolver, so its memo of resolved schemas lives across requests. */
const typedCache = new WeakMap<Resolver, Typed>();
function typedFor(resolve: Resolver): Typed {
  let t = typedCache.get(resolve);
  if (!t) { t = new Typed(resolve); typedCache.set(resolve, t); }
  return t;
}

class Updater {
  typed: Typed;
  schema: Schema | undefined;
  constructor(schemaName: string, lookup: (n: string) => Schema | undefined, resolve: Resolver) {
    this.typed = typedFor(resolve);
    this.schema = lookup(schemaName);
  }

  compare(lhs: unknown, rhs: unknown, subresource?: string) {
    const c = this.typed.compare(lhs, rhs, this.schema, topFilter(subresource));
    return { added: filterSet(c.added, subresource), modified: filterSet(c.modified, subresource), removed: filterSet(c.removed, subresource) };
  }

  /** Others lose what `self` changed (conflicts) and what was removed; returns conflicts per manager. */
  update(live: unknown, next: unknown, managers: Map<string, ManagerState>, self: string, force: boolean, subresource?: string) {
    const cmp = this.compare(live, next, subresource);
    const changed = cmp.modified.union(cmp.added);
    const conflicts = new Map<string, FieldSet>();
    for (const [id, st] of managers) {
      if (id === self) continue;
      const c = st.set.intersection(changed);
      if (!c.empty()) conflicts.set(id, c);
    }
    if (!force && conflicts.size) return { cmp, conflicts };
    for (const [id, c] of conflicts) managers.get(id)!.set = managers.get(id)!.set.difference(c);
    if (!cmp.removed.empty()) for (const [id, st] of managers) if (id !== self) st.set = st.set.difference(cmp.removed);
    for (const [id, st] of managers) if (st.set.empty() && id !== self) managers.delete(id);
    return { cmp, conflicts: new Map<string, FieldSet>() };
  }

  /** Record a non-apply write by `manager` (upstream Updater.Update + managedFieldsUpdater). */
  recordUpdate(live: unknown, next: unknown, managers: Map<string, ManagerState>, entry: ManagerState['entry'], now: string, subresource?: string): void {
    const id = identity(entry);
    const SELF = '\u0000current-operation';
    managers.set(SELF, { entry: { ...entry }, set: new FieldSet() });
    const { cmp } = this.update(live, next, managers, SELF, true, subresource);
    managers.delete(SELF);
    const taken = cmp.modified.union(cmp.added);
    const prev = managers.get(id);
    if (!taken.empty()) {
      const set = taken.union(prev ? prev.set : new FieldSet());
      managers.set(id, { entry: { ...entry, time: now }, set });
    } else if (prev && prev.set.empty()) {
      managers.delete(id);
    }
  }
}

function named(paths: FieldSet): FieldSet {
  // upstream EnsureNamedFieldsAreMembers: struct fields on the way to a member are members too
  const out = new FieldSet(paths.members);
  for (const p of paths.paths()) {
    for (let i = 1; i < p.length; i++) if (p[i - 1].startsWith('f:')) out.insert(p.slice(0, i));
  }
  return out;
}

/**
 * Server-side apply (PATCH application/apply-patch+yaml). Returns the new object with managedFields, or the live
 * object and the conflicts. `live` absent = create.
 */
export function applyPatch(opts: ApplyOptions): ApplyResult {
  const lookup = opts.getSchema ?? getSchema;
  const applied = clone(opts.applied) as Obj;
  if (!isObj(applied)) throw new StatusError(400, 'BadRequest', 'the body of an apply patch must be an object');
  const schemaName = opts.schemaName ?? schemaNameFor(String(applied.apiVersion ?? ''), String(applied.kind ?? '')) ?? '';
  const u = new Updater(schemaName, lookup, opts.resolve ?? schemaResolve);
  if (Array.isArray(applied.metadata?.managedFields) && applied.metadata.managedFields.length > 0) {
    throw new StatusError(400, 'BadRequest', 'metadata.managedFields must be nil');
  }
  const live = opts.live ? (clone(opts.live) as Obj) : undefined;
  const apiVersion = String(applied.apiVersion ?? live?.apiVersion ?? '');
  const managers = decodeManagedFields(live);

  // An object nobody manages yet: its existing fields belong to "before-first-apply".
  if (live && managers.size === 0) {
    u.recordUpdate(u.typed.zero(u.schema), live, managers,
      { manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: String(live.apiVersion ?? apiVersion) }, opts.now, opts.subresource);
  }

  const entry: ManagerState['entry'] = { manager: opts.manager, operation: 'Apply', apiVersion };
  if (opts.subresource) entry.subresource = opts.subresource;
  const self = identity(entry);
  const lastSet = managers.get(self)?.set;
  const configSet = filterSet(u.typed.toFieldSet(withoutManagedFields(applied), u.schema), opts.subresource);

  let next = u.typed.merge(withoutManagedFields(live ?? {}), withoutManagedFields(applied), u.schema) as Obj;
  managers.set(self, { entry: { ...entry, time: managers.get(self)?.entry.time }, set: configSet });

  // Remove what this manager applied last time and no longer applies, unless someone else owns it.
  if (lastSet && !lastSet.empty()) {
    const gone = filterSet(named(lastSet), opts.subresource).difference(configSet);
    const others = [...managers.entries()].filter(([id]) => id !== self).map(([, st]) => st.set);
    for (const p of gone.paths()) {
      if (p.length === 0) continue;
      if (configSet.hasPrefix(p)) continue;
      if (others.some((s) => s.hasPrefix(p))) continue;
      u.typed.removePath(next, u.schema, p);
    }
  }

  let { conflicts } = u.update(live ?? {}, next, managers, self, opts.force, opts.subresource);
  if (conflicts.size && opts.manager === 'kubectl' && live) {
    const allowed = allowedFromLastApplied(u, live);
    const remaining = new Map<string, FieldSet>();
    for (const [id, set] of conflicts) {
      const rest = set.difference(allowed);
      if (!rest.empty()) remaining.set(id, rest);
    }
    if (remaining.size === 0) ({ conflicts } = u.update(live, next, managers, self, true, opts.subresource));
    else conflicts = remaining;
  }
  if (conflicts.size) {
    const list: Conflict[] = [];
    const ids = [...conflicts.keys()].sort((a, b) => (managers.get(a)!.entry.manager < managers.get(b)!.entry.manager ? -1 : 1));
    for (const id of ids) for (const p of conflicts.get(id)!.paths()) list.push({ manager: printManager(managers.get(id)!.entry), field: pathString(p) });
    return { object: opts.live ? clone(opts.live) : {}, conflicts: list, changed: false };
  }

  // Keep kubectl's client-side-apply annotation in step with what it applies server-side.
  if (opts.manager === 'kubectl' && isObj(next.metadata?.annotations) && LAST_APPLIED in next.metadata.annotations) {
    const la = clone(opts.applied) as Obj;
    if (isObj(la.metadata?.annotations)) {
      delete la.metadata.annotations[LAST_APPLIED];
      if (Object.keys(la.metadata.annotations).length === 0) delete la.metadata.annotations;
    }
    next.metadata.annotations[LAST_APPLIED] = JSON.stringify(la) + '\n';
  }

  const changed = !deepEqual(withoutManagedFields(live ?? {}), withoutManagedFields(next));
  const mine = managers.get(self)!;
  const before = opts.live ? decodeManagedFields(opts.live).get(self) : undefined;
  if (changed || !before || !before.set.equals(mine.set) || !mine.entry.time) mine.entry.time = opts.now;
  setManagedFields(next, managers);
  return { object: next, conflicts: [], changed };
}

/** Options of the positional call forms the API server's generic registry uses. */
export interface PositionalOptions {
  manager: string;
  force?: boolean;
  operation?: 'Update' | 'Apply';
  subresource?: string;
  schemaName?: string;
  now?: string;
  apiVersion?: string;
}

const nowRFC3339 = () => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * applyPatch that throws the upstream 409 on conflicts and returns the new object.
 * Also callable as `serverSideApply(current, applied, { manager, force, schemaName, subresource? })`.
 */
export function serverSideApply(opts: ApplyOptions): object;
export function serverSideApply(current: object | null | undefined, applied: object, o: PositionalOptions): object;
export function serverSideApply(a: ApplyOptions | object | null | undefined, applied?: object, o?: PositionalOptions): object {
  const opts: ApplyOptions = o
    ? { live: a as object | null, applied: applied!, manager: o.manager, force: !!o.force, schemaName: o.schemaName, now: o.now ?? nowRFC3339(), subresource: o.subresource }
    : (a as ApplyOptions);
  const r = applyPatch(opts);
  if (r.conflicts.length) throw applyConflictError(r.conflicts);
  return r.object;
}

/** Fields of the client-side-apply annotation that still hold their live value (kubectl may take them over). */
function allowedFromLastApplied(u: Updater, live: Obj): FieldSet {
  const raw = live.metadata?.annotations?.[LAST_APPLIED];
  if (typeof raw !== 'string' || !raw) return new FieldSet();
  let la: unknown;
  try { la = JSON.parse(raw); } catch { return new FieldSet(); }
  const set = u.typed.toFieldSet(la, u.schema);
  const c = u.typed.compare(la, withoutManagedFields(live), u.schema);
  return set.difference(c.modified).difference(c.added).difference(c.removed);
}

/**
 * Record a non-apply write (create, update, patch, subresource write) in `next.metadata.managedFields`, in place
 * and returned. `old` null = create (compared against the kind's zero value, as upstream). Managed fields sent by
 * the client on the main resource replace the stored ones (upstream allows editing them); otherwise the stored
 * ones are kept. Call after defaulting, as upstream does (defaults set by the write are owned by its manager).
 * Also callable as `updateManagedFields(next, old, { manager, operation, subresource?, schemaName })`.
 */
export function updateManagedFields(old: object | null | undefined, next: object, manager: string, operation: 'Update',
  apiVersion: string, now: string, opts?: { schemaName?: string; subresource?: string; getSchema?: (n: string) => Schema | undefined; resolve?: Resolver }): object;
export function updateManagedFields(next: object, old: object | null | undefined, o: PositionalOptions): object;
export function updateManagedFields(a: object | null | undefined, b: object | null | undefined, c: string | PositionalOptions, _operation?: 'Update',
  apiVersion?: string, now?: string, opts?: { schemaName?: string; subresource?: string; getSchema?: (n: string) => Schema | undefined; resolve?: Resolver }): object {
  if (typeof c === 'object') {
    const n = a as Obj;
    return recordUpdate(b, n, c.manager, c.apiVersion ?? String(n.apiVersion ?? ''), c.now ?? nowRFC3339(), { schemaName: c.schemaName, subresource: c.subresource });
  }
  return recordUpdate(a, b as object, c, apiVersion!, now!, opts ?? {});
}

let gvkIndex: Map<string, string> | undefined;
/** The definition name of an apiVersion + kind (from x-kubernetes-group-version-kind), e.g. apps/v1 Deployment. */
export function schemaNameFor(apiVersion: string, kind: string): string | undefined {
  if (!gvkIndex) {
    gvkIndex = new Map();
    for (const [name, s] of Object.entries(definitions)) {
      for (const g of s['x-kubernetes-group-version-kind'] ?? []) gvkIndex.set(`${g.group ? g.group + '/' : ''}${g.version}/${g.kind}`, name);
    }
  }
  return gvkIndex.get(`${apiVersion}/${kind}`);
}

function recordUpdate(old: object | null | undefined, next: object, manager: string, apiVersion: string, now: string,
  opts: { schemaName?: string; subresource?: string; getSchema?: (n: string) => Schema | undefined; resolve?: Resolver }): object {
  const schemaName = opts.schemaName ?? schemaNameFor(apiVersion, String((next as Obj).kind ?? '')) ?? '';
  const u = new Updater(schemaName, opts.getSchema ?? getSchema, opts.resolve ?? schemaResolve);
  const n = next as Obj;
  const sent = decodeManagedFields(n);
  // `managedFields: [{}]` resets ownership (upstream): only what this write changes is recorded.
  const mfSent = n.metadata?.managedFields;
  const reset = !opts.subresource && Array.isArray(mfSent) && mfSent.length === 1 && isObj(mfSent[0]) && Object.keys(mfSent[0]).length === 0;
  const managers = reset ? new Map<string, ManagerState>() : sent.size > 0 && !opts.subresource ? sent : decodeManagedFields(old);
  if (old == null && managers.size === 0 && !opts.subresource) {
    // A create nobody else manages: every field it sets is this manager's, built straight as FieldsV1.
    const fieldsV1 = createdFieldsV1(u.typed, u.schema, n);
    if (fieldsV1 !== BAIL) {
      n.metadata = n.metadata ?? {};
      if (fieldsV1) {
        const e = { manager, operation: 'Update', apiVersion } as ManagedFieldsEntry;
        if (now) e.time = now;
        e.fieldsType = 'FieldsV1';
        e.fieldsV1 = fieldsV1;
        n.metadata.managedFields = [e];
      } else {
        delete n.metadata.managedFields;
      }
      return n;
    }
  }
  const entry: ManagerState['entry'] = { manager, operation: 'Update', apiVersion };
  if (opts.subresource) entry.subresource = opts.subresource;
  const base = old ?? u.typed.zero(u.schema);
  u.recordUpdate(base, n, managers, entry, now, opts.subresource);
  setManagedFields(n, managers);
  return n;
}

// ---- the create fast path ----

/** Metadata fields a write never owns (STRIPPED below f:metadata; managedFields and resourceVersion included). */
const META_SKIPPED = new Set(STRIPPED.filter((p) => p.length === 2 && p[0] === 'f:metadata').map((p) => p[1].slice(2)));
const BAIL = Symbol('bail');
type Fields = Record<string, unknown>;

/**
 * The FieldsV1 a create records for its manager, with no other manager around: exactly
 * `toFieldsV1(filterSet(added ∪ modified of Typed.compare(zero, obj, schema, main-resource filter)))` — what the
 * general path computes for a create — but built in one walk of the new object, without the comparison's three
 * sets, the zero object's own walk or the set-to-tree encoding. Undefined when the create owns nothing;
 * BAIL when the zero value holds something the walk does not model (a list), and the general path must answer.
 */
function createdFieldsV1(t: Typed, schema: Schema | undefined, obj: Obj): Fields | undefined | typeof BAIL {
  const zero = t.zeroShared(schema);
  const info = t.describe(schema, obj);
  const children: [string, Fields][] = [];
  try {
    for (const k of Object.keys(obj)) {
      if (k === 'status' || k === 'apiVersion' || k === 'kind') continue;
      const c = createdNode(t, getOwn(zero, k), getOwn(obj, k), t.child(info, k).schema, k === 'metadata');
      if (c) children.push([fieldPE(k), c]);
    }
  } catch (e) {
    if (e === BAIL) return BAIL;
    throw e;
  }
  return fieldsNode(false, children);
}

/** One node of createdFieldsV1: Typed.walkCompare(z, v) restricted to added and modified paths. */
function createdNode(t: Typed, z: unknown, v: unknown, schema: Schema | undefined, rootMeta: boolean): Fields | undefined {
  if (v === undefined) return undefined;
  if (z === v && (z === null || typeof z !== 'object')) return undefined;
  const info = t.describe(schema, v !== null ? v : z);
  if (info.kind === 'scalar' || info.atomic) return createdLeaf(z, v, rootMeta);
  if (info.kind === 'map') {
    const l = isObj(z) ? z : undefined, r = isObj(v) ? v : undefined;
    if ((z !== undefined && z !== null && !l) || (v !== null && !r)) return createdLeaf(z, v, rootMeta);
    const rKeys = r ? Object.keys(r) : [];
    if (rKeys.length === 0 && (!l || Object.keys(l).length === 0)) return createdLeaf(z, v, rootMeta);
    const children: [string, Fields][] = [];
    for (const k of rKeys) {
      if (rootMeta && META_SKIPPED.has(k)) continue;
      const c = createdNode(t, l ? getOwn(l, k) : undefined, getOwn(r!, k), t.child(info, k).schema, false);
      if (c) children.push([fieldPE(k), c]);
    }
    // The map itself is a member when the zero value lacks it.
    return fieldsNode(z === undefined && !rootMeta, children);
  }
  const l = Array.isArray(z) ? z : undefined, r = Array.isArray(v) ? v : undefined;
  if ((z !== undefined && z !== null && !l) || (v !== null && !r)) return createdLeaf(z, v, rootMeta);
  if (l && l.length) throw BAIL;
  if (!r || r.length === 0) return createdLeaf(z, v, rootMeta);
  const itemSchema = t.itemSchema(info);
  const children: [string, Fields][] = [];
  for (const [pe, item] of t.indexItems(info, r)) {
    const c = createdNode(t, undefined, item, itemSchema, false);
    if (c) children.push([pe, c]);
  }
  return fieldsNode(z === undefined, children);
}

/** A leaf is a member when added (nothing in the zero value) or modified; the root's metadata never is (stripped). */
function createdLeaf(z: unknown, v: unknown, rootMeta: boolean): Fields | undefined {
  return !rootMeta && (z === undefined || !deepEqual(z, v)) ? {} : undefined;
}

/** A FieldsV1 node as toFieldsV1 writes it: `.` first when the node is a member with children, children sorted. */
function fieldsNode(member: boolean, children: [string, Fields][]): Fields | undefined {
  if (children.length === 0) return member ? {} : undefined;
  children.sort((a, b) => comparePE(a[0], b[0]));
  const out: Fields = {};
  if (member) out['.'] = {};
  for (const [pe, c] of children) out[pe] = c;
  return out;
}
