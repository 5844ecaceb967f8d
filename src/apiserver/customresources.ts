/**
 * The custom resources an API server serves (upstream apiextensions-apiserver: crdHandler, the naming and
 * establishing controllers and the CRD finalizer, all inside the API server). It watches the stored
 * CustomResourceDefinitions and, for each, keeps:
 *  - the descriptors of its served versions (src/api/crd/resource.ts) — looked up by the server after the built-in
 *    ones, listed in discovery and /openapi/v3 — and their schemas among the definitions;
 *  - its status: acceptedNames and NamesAccepted (names that no other CRD or built-in kind of the group holds) and
 *    Established once accepted;
 *  - its deletion: a deleted CRD (marked Terminating, with the customresourcecleanup finalizer) stops taking new
 *    objects, its objects are deleted through the registry (their own finalizers honoured; retried until none is
 *    left), then the finalizer goes and the CRD with it.
 * A CRD for a resource kubelite serves as a built-in kind (Argo Rollouts' own CRD manifests for argoproj.io) is
 * accepted and established without clashing: the built-in descriptor keeps serving, the CRD's schema is not used,
 * its conditions say so, and deleting it leaves the built-in objects alone.
 */
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import type { Store, Watcher } from '../storage/store.ts';
import { StatusError } from '../api/errors.ts';
import { setCustomDefinition } from '../api/definitions/index.ts';
import { customResourceVersions, type CustomResourceVersion } from '../api/crd/resource.ts';
import { CLEANUP_FINALIZER, customresourcedefinitions } from '../api/kinds/customresourcedefinitions.ts';
import { setStatusCondition } from '../api/validation/conditions.ts';
import { deepEqual } from '../api/validation/field.ts';
import { rfc3339 } from '../util/clock.ts';
import { collectionPrefix, fromKV } from './codec.ts';
import type { GenericRegistry } from './registry.ts';
import type { RequestContext } from './context.ts';

type Obj = Record<string, any>;

export interface CustomResourceCatalogOptions {
  store: Store;
  registry: GenericRegistry;
  /** The built-in descriptor of a group and plural, if any (built-in kinds win over CRDs). */
  builtin(group: string, plural: string): ResourceDef | undefined;
  /** Every built-in descriptor (for name conflicts within a group). */
  builtins: ResourceDef[];
  now?: () => number;
  log?: (m: string) => void;
  /** How often a terminating CRD whose objects still wait for their finalizers is looked at again. */
  cleanupRetryMs?: number;
}

interface Entry { crd: Obj; versions: CustomResourceVersion[]; shadowed?: ResourceDef }

const SERVER_CTX = (): RequestContext => ({
  user: { name: 'system:apiserver', groups: ['system:masters'] }, query: new URLSearchParams(), warnings: [], dryRun: false,
  fieldValidation: 'Ignore', userAgent: 'kube-apiserver',
});

export class CustomResourceCatalog {
  private entries = new Map<string, Entry>();
  private byGVR = new Map<string, ResourceDef>();
  private listeners = new Set<() => void>();
  private watcher?: Watcher;
  private timers = new Set<NodeJS.Timeout>();
  private cleaning = new Set<string>();
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  /** Bumped on every change of what is served (a cache key for discovery and OpenAPI documents). */
  generation = 0;
  private now: () => number;
  private log: (m: string) => void;

  constructor(private o: CustomResourceCatalogOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.log ?? ((m) => console.error(m));
  }

  /** Load the stored CRDs and follow their changes. */
  async start(): Promise<void> {
    const prefix = collectionPrefix(customresourcedefinitions);
    const l = await this.o.store.list(prefix);
    for (const kv of l.items) this.apply(fromKV(customresourcedefinitions, kv) as Obj);
    this.watcher = this.o.store.watch(prefix, l.revision, (ev) => {
      if (ev.type === 'DELETE') this.remove(nameOfKey(ev.kv.key));
      else this.apply(fromKV(customresourcedefinitions, ev.kv) as Obj);
    }, (err) => this.log(`apiserver: watch of CustomResourceDefinitions failed: ${err.message}`));
    for (const e of this.entries.values()) this.reconcile(e.crd.metadata.name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.stop();
    for (const t of this.timers) clearTimeout(t);
    await this.chain.catch(() => undefined);
  }

  onChange(fn: () => void): void { this.listeners.add(fn); }

  lookup(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byGVR.get(`${group}/${version}/${plural}`);
  }

  /** Every served custom resource version. */
  defs(): ResourceDef[] { return [...this.byGVR.values()]; }

  /** Whether the CRD behind a descriptor is being deleted (creates are refused meanwhile). */
  terminating(def: ResourceDef): boolean {
    for (const e of this.entries.values()) {
      if (e.versions.some((v) => v.def === def)) return !!e.crd.metadata?.deletionTimestamp;
    }
    return false;
  }

  private apply(crd: Obj): void {
    const name = crd.metadata?.name as string;
    const prev = this.entries.get(name);
    const group = String(crd.spec?.group ?? ''), plural = String(crd.spec?.names?.plural ?? '');
    const shadowed = this.o.builtin(group, plural);
    const accepted = !!crd.status?.acceptedNames?.plural;
    const versions = shadowed || !accepted ? [] : customResourceVersions(crd);
    this.unpublish(prev);
    const e: Entry = { crd, versions, shadowed };
    this.entries.set(name, e);
    for (const v of versions) {
      this.byGVR.set(`${v.def.group}/${v.def.version}/${v.def.plural}`, v.def);
      for (const [n, s] of Object.entries(v.schemas)) setCustomDefinition(n, s);
    }
    this.changed();
    this.reconcile(name);
  }

  private remove(name: string): void {
    const prev = this.entries.get(name);
    if (!prev) return;
    this.unpublish(prev);
    this.entries.delete(name);
    this.changed();
  }

  private unpublish(e: Entry | undefined): void {
    if (!e) return;
    for (const v of e.versions) {
      const k = `${v.def.group}/${v.def.version}/${v.def.plural}`;
      if (this.byGVR.get(k) === v.def) this.byGVR.delete(k);
      for (const n of Object.keys(v.schemas)) setCustomDefinition(n, undefined);
    }
  }

  private changed(): void {
    this.generation++;
    for (const fn of this.listeners) fn();
  }

  /** Status and deletion work for one CRD, one at a time (serialised, never concurrent with itself). */
  private reconcile(name: string): void {
    this.chain = this.chain.then(() => this.sync(name)).catch((e) => {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) this.log(`apiserver: CustomResourceDefinition ${name}: ${(e as Error).message}`);
      if (e instanceof StatusError && e.code === 409) this.later(name, 200);
    });
  }

  private later(name: string, ms: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => { this.timers.delete(t); this.reconcile(name); }, ms);
    this.timers.add(t);
  }

  private async sync(name: string): Promise<void> {
    if (this.stopped) return;
    const e = this.entries.get(name);
    if (!e) return;
    if (e.crd.metadata?.deletionTimestamp) return this.finalize(e);
    const want = this.namesStatus(e);
    const st = e.crd.status ?? {};
    if (deepEqual(st.acceptedNames ?? {}, want.acceptedNames) && sameConditions(st.conditions, want.conditions)) return;
    await this.writeStatus(e.crd, { ...st, acceptedNames: want.acceptedNames, conditions: want.conditions });
  }

  /** The naming controller: names of the CRD's group held by another CRD or a built-in kind are refused. */
  private namesStatus(e: Entry): { acceptedNames: Obj; conditions: Obj[] } {
    const crd = e.crd;
    const names = crd.spec?.names ?? {};
    const group = crd.spec?.group;
    const now = rfc3339(this.now());
    let conds: Obj[] = Array.isArray(crd.status?.conditions) ? crd.status.conditions : [];
    const set = (type: string, status: string, reason: string, message: string) => {
      conds = setStatusCondition(conds, { type, status, reason, message }, now) as Obj[];
      conds.forEach((c) => { delete c.observedGeneration; });
    };
    if (e.shadowed) {
      const d = e.shadowed;
      set('NamesAccepted', 'True', 'NoConflicts', `no conflicts found; ${d.plural}.${d.group} is served by kubelite's built-in ${d.kind} kind (this definition's schema is not used)`);
      set('Established', 'True', 'InitialNamesAccepted', `the initial names have been accepted; ${d.plural}.${d.group} is served by kubelite's built-in ${d.kind} kind`);
      return { acceptedNames: withNameDefaults(names), conditions: conds };
    }
    const taken = new Map<string, string>(); // name → which kind of name clashes
    for (const other of this.entries.values()) {
      if (other === e || other.crd.spec?.group !== group) continue;
      const on = other.crd.status?.acceptedNames?.plural ? other.crd.status.acceptedNames : {};
      for (const n of [on.plural, on.singular, ...(on.shortNames ?? [])]) if (n) taken.set(`r:${n}`, 'x');
      for (const n of [on.kind, on.listKind]) if (n) taken.set(`k:${n}`, 'x');
    }
    for (const d of this.o.builtins.filter((b) => b.group === group)) {
      for (const n of [d.plural, d.singular, ...d.shortNames]) taken.set(`r:${n}`, 'x');
      for (const n of [d.kind, d.listKind]) taken.set(`k:${n}`, 'x');
    }
    const clash: [string, string | undefined][] = [
      ['PluralConflict', taken.has(`r:${names.plural}`) ? names.plural : undefined],
      ['SingularConflict', names.singular && taken.has(`r:${names.singular}`) ? names.singular : undefined],
      ['ShortNamesConflict', (names.shortNames ?? []).find((s: string) => taken.has(`r:${s}`))],
      ['KindConflict', taken.has(`k:${names.kind}`) ? names.kind : undefined],
      ['ListKindConflict', names.listKind && taken.has(`k:${names.listKind}`) ? names.listKind : undefined],
    ];
    const bad = clash.find(([, v]) => v !== undefined);
    if (bad) {
      set('NamesAccepted', 'False', bad[0], `"${bad[1]}" is already in use`);
      if (!conds.some((c) => c.type === 'Established')) set('Established', 'False', 'NotAccepted', 'not all names are accepted');
      return { acceptedNames: crd.status?.acceptedNames ?? { plural: '', kind: '' }, conditions: conds };
    }
    set('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found');
    set('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted');
    return { acceptedNames: withNameDefaults(names), conditions: conds };
  }

  /** The CRD finalizer: delete every object, then let the CRD go. */
  private async finalize(e: Entry): Promise<void> {
    const crd = e.crd;
    const name = crd.metadata.name as string;
    if (!(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) return;
    if (this.cleaning.has(name)) return;
    this.cleaning.add(name);
    try {
      let left = 0;
      if (!e.shadowed && crd.status?.acceptedNames?.plural) {
        await this.setTerminating(crd, 'InstanceDeletionInProgress', 'CustomResource deletion is in progress');
        left = await this.deleteInstances(crd);
      }
      if (left > 0) {
        await this.setTerminating(this.entries.get(name)?.crd ?? crd, 'InstanceDeletionCheck', `could not confirm zero CustomResources remaining: ${left} left`);
        this.later(name, this.o.cleanupRetryMs ?? 2000);
        return;
      }
      await this.setTerminating(this.entries.get(name)?.crd ?? crd, 'InstanceDeletionCompleted', 'removed all instances');
      const cur = (await this.o.registry.get(customresourcedefinitions, undefined, name)) as Obj;
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f: string) => f !== CLEANUP_FINALIZER);
      await this.o.registry.update(customresourcedefinitions, undefined, name, cur as KubeObject, SERVER_CTX());
    } finally {
      this.cleaning.delete(name);
    }
  }

  /** Delete the objects of every namespace (one storage for all versions); returns how many remain. */
  private async deleteInstances(crd: Obj): Promise<number> {
    const versions = customResourceVersions({ ...crd, spec: { ...crd.spec, versions: (crd.spec?.versions ?? []).map((v: Obj) => ({ ...v, served: true })) } });
    const def = versions[0]?.def;
    if (!def) return 0;
    const ctx = SERVER_CTX();
    const l = await this.o.registry.list(def, undefined, {});
    for (const item of l.items) {
      if (item.metadata?.deletionTimestamp) continue;
      try {
        await this.o.registry.delete(def, item.metadata?.namespace, item.metadata!.name!, {}, ctx);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
    return (await this.o.registry.list(def, undefined, {})).items.length;
  }

  private async setTerminating(crd: Obj, reason: string, message: string): Promise<void> {
    const now = rfc3339(this.now());
    const conds = (setStatusCondition(crd.status?.conditions ?? [], { type: 'Terminating', status: 'True', reason, message }, now) as Obj[])
      .map((c) => { const { observedGeneration: _g, ...rest } = c; return rest; });
    if (sameConditions(crd.status?.conditions, conds)) return;
    await this.writeStatus(crd, { ...(crd.status ?? {}), conditions: conds });
  }

  private async writeStatus(crd: Obj, status: Obj): Promise<void> {
    const name = crd.metadata.name as string;
    await this.o.registry.guaranteedUpdate(customresourcedefinitions, undefined, name, SERVER_CTX(), (cur) => {
      (cur as Obj).status = { ...((cur as Obj).status ?? {}), acceptedNames: status.acceptedNames ?? (cur as Obj).status?.acceptedNames, conditions: status.conditions };
      delete (cur.metadata as Obj).resourceVersion;
      return cur;
    }, { subresource: 'status' });
  }
}

const nameOfKey = (key: string) => key.slice(key.lastIndexOf('/') + 1);

/** Accepted names as upstream records them: singular and listKind filled in. */
function withNameDefaults(n: Obj): Obj {
  const out: Obj = { plural: n.plural ?? '', singular: n.singular || String(n.kind ?? '').toLowerCase(), kind: n.kind ?? '', listKind: n.listKind || `${n.kind}List` };
  if (Array.isArray(n.shortNames) && n.shortNames.length) out.shortNames = n.shortNames;
  if (Array.isArray(n.categories) && n.categories.length) out.categories = n.categories;
  return out;
}

function sameConditions(a: unknown, b: Obj[]): boolean {
  const strip = (l: unknown) => (Array.isArray(l) ? l : []).map((c: Obj) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }));
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
