/**
 * The RBAC authorizer (upstream plugin/pkg/auth/authorizer/rbac + pkg/registry/rbac/validation DefaultRuleResolver)
 * over an in-process cache of Roles, ClusterRoles, RoleBindings and ClusterRoleBindings fed by the store's watch
 * (the API server is the only one touching storage; this cache is its own, like upstream's shared informers).
 *
 * Bindings are indexed by subject (user name, group name; a ServiceAccount subject is indexed under its user name
 * system:serviceaccount:<ns>:<name>), RoleBindings also by namespace, so a request looks only at the bindings
 * naming its user or one of its groups. The rules a user holds in a namespace are memoised until any RBAC object
 * changes, so with 1,000 bindings a request costs a map lookup and a scan of its own rules.
 */
import type { Store, StoreEvent, Watcher } from '../../storage/store.ts';
import type { UserInfo } from '../auth.ts';
import type { Attributes, Authorizer, AuthorizerResult } from './types.ts';
import { ruleAllows, type PolicyRule } from './rules.ts';

export interface Subject { kind?: string; apiGroup?: string; name?: string; namespace?: string }
export interface RoleRef { apiGroup?: string; kind?: string; name?: string }
interface Binding { kind: 'RoleBinding' | 'ClusterRoleBinding'; name: string; namespace: string; roleRef: RoleRef; subjects: Subject[] }

/** A rule and where it came from ("ClusterRoleBinding "x" of ClusterRole "y" to User "z""). */
export interface SourcedRule { rule: PolicyRule; source: string }
export interface ResolvedRules { rules: SourcedRule[]; errors: string[] }

const GROUP = 'rbac.authorization.k8s.io';
const PREFIX = `/registry/${GROUP}/`;
const KINDS = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'] as const;
type Plural = typeof KINDS[number];

export const serviceAccountUser = (ns: string, name: string) => `system:serviceaccount:${ns}:${name}`;

/** The index key of a binding subject (undefined: matches no one — an unknown kind, a SA without a namespace). */
function subjectKey(s: Subject, bindingNs: string): string | undefined {
  if (!s?.name) return undefined;
  switch (s.kind) {
    case 'User': return 'u\0' + s.name;
    case 'Group': return 'g\0' + s.name;
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNs;
      return ns ? 'u\0' + serviceAccountUser(ns, s.name) : undefined;
    }
    default: return undefined;
  }
}

function describeSubject(s: Subject, bindingNs: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNs}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

function describe(b: Binding, s: Subject): string {
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} ${JSON.stringify(name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(s, b.namespace)}`;
}

export class RbacCache {
  private roles = new Map<string, PolicyRule[]>();
  private clusterRoles = new Map<string, PolicyRule[]>();
  private bindings = new Map<string, Binding>();
  /** subject key -> ClusterRoleBindings naming it */
  private crbBySubject = new Map<string, Set<Binding>>();
  /** namespace -> subject key -> RoleBindings naming it */
  private rbBySubject = new Map<string, Map<string, Set<Binding>>>();
  private memo = new Map<string, ResolvedRules>();
  private watchers: Watcher[] = [];
  private stopped = false;
  /** Bumped on every change (memo invalidation; tests and reviews can wait on it). */
  generation = 0;

  constructor(private store: Store, private log: (m: string) => void = () => undefined) {}

  async start(): Promise<void> {
    await Promise.all(KINDS.map((k) => this.sync(k)));
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers) w.stop();
    this.watchers = [];
  }

  /** List then watch one kind; on a watch error, list again (the store's watch cache may have compacted). */
  private async sync(plural: Plural): Promise<void> {
    const prefix = PREFIX + plural + '/';
    let rev = 0;
    const seen = new Set<string>();
    let start: string | undefined;
    for (;;) {
      const page = await this.store.list(prefix, { startKey: start, limit: 1000, revision: rev || undefined });
      rev = page.revision;
      for (const kv of page.items) { seen.add(kv.key); this.put(plural, kv.key, kv.value); }
      if (!page.more || !page.items.length) break;
      start = page.items[page.items.length - 1].key + '\0';
    }
    for (const key of [...this.keysOf(plural)]) if (!seen.has(key)) this.remove(plural, key);
    this.changed();
    const w = this.store.watch(prefix, rev, (ev: StoreEvent) => {
      if (ev.type === 'DELETE') this.remove(plural, ev.kv.key); else this.put(plural, ev.kv.key, ev.kv.value);
      this.changed();
    }, (err) => {
      if (this.stopped) return;
      this.log(`rbac: watch of ${plural} ended (${err.message}); listing again`);
      this.watchers = this.watchers.filter((x) => x !== w);
      this.sync(plural).catch((e) => this.log(`rbac: re-listing ${plural}: ${(e as Error).message}`));
    });
    this.watchers.push(w);
  }

  private keysOf(plural: Plural): string[] {
    const p = PREFIX + plural + '/';
    if (plural === 'roles' || plural === 'clusterroles') {
      const m = plural === 'roles' ? this.roles : this.clusterRoles;
      return [...m.keys()].map((k) => p + k);
    }
    return [...this.bindings.keys()].filter((k) => k.startsWith(p));
  }

  private changed(): void {
    this.generation++;
    this.memo.clear();
  }

  private put(plural: Plural, key: string, value: string): void {
    let obj: any;
    try { obj = JSON.parse(value); } catch { return; }
    const rel = key.slice(PREFIX.length + plural.length + 1);
    if (plural === 'roles') this.roles.set(rel, Array.isArray(obj.rules) ? obj.rules : []);
    else if (plural === 'clusterroles') this.clusterRoles.set(rel, Array.isArray(obj.rules) ? obj.rules : []);
    else {
      this.remove(plural, key);
      const b: Binding = {
        kind: plural === 'rolebindings' ? 'RoleBinding' : 'ClusterRoleBinding',
        name: obj.metadata?.name ?? '', namespace: plural === 'rolebindings' ? (obj.metadata?.namespace ?? '') : '',
        roleRef: obj.roleRef ?? {}, subjects: Array.isArray(obj.subjects) ? obj.subjects : [],
      };
      this.bindings.set(key, b);
      const idx = this.indexFor(b, true)!;
      for (const k of this.subjectKeys(b)) {
        const set = idx.get(k);
        if (set) set.add(b); else idx.set(k, new Set([b]));
      }
    }
  }

  private remove(plural: Plural, key: string): void {
    const rel = key.slice(PREFIX.length + plural.length + 1);
    if (plural === 'roles') { this.roles.delete(rel); return; }
    if (plural === 'clusterroles') { this.clusterRoles.delete(rel); return; }
    const b = this.bindings.get(key);
    if (!b) return;
    this.bindings.delete(key);
    const idx = this.indexFor(b, false);
    for (const k of this.subjectKeys(b)) {
      const s = idx?.get(k);
      s?.delete(b);
      if (s && !s.size) idx!.delete(k);
    }
  }

  private subjectKeys(b: Binding): Set<string> {
    const keys = new Set<string>();
    for (const s of b.subjects) { const k = subjectKey(s, b.namespace); if (k) keys.add(k); }
    return keys;
  }

  private indexFor(b: Binding, create: boolean): Map<string, Set<Binding>> | undefined {
    if (b.kind === 'ClusterRoleBinding') return this.crbBySubject;
    let m = this.rbBySubject.get(b.namespace);
    if (!m && create) { m = new Map(); this.rbBySubject.set(b.namespace, m); }
    return m;
  }

  /** The rules a role reference resolves to, or the upstream lister's not-found error. */
  roleRefRules(ref: RoleRef, bindingNs: string): { rules?: PolicyRule[]; error?: string } {
    if (ref.kind === 'Role') {
      const r = this.roles.get(`${bindingNs}/${ref.name}`);
      return r ? { rules: r } : { error: `role.${GROUP} ${JSON.stringify(ref.name ?? '')} not found` };
    }
    if (ref.kind === 'ClusterRole') {
      const r = this.clusterRoles.get(ref.name ?? '');
      return r ? { rules: r } : { error: `clusterrole.${GROUP} ${JSON.stringify(ref.name ?? '')} not found` };
    }
    return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind ?? '')}` };
  }

  /** Every rule that applies to `user` in `namespace` ('' = cluster-wide only), with its source (memoised). */
  rulesFor(user: UserInfo, namespace: string): ResolvedRules {
    const mk = `${namespace}\0${user.name}\0${user.groups.join('\0')}`;
    const hit = this.memo.get(mk);
    if (hit) return hit;
    const out: ResolvedRules = { rules: [], errors: [] };
    const keys = ['u\0' + user.name, ...user.groups.map((g) => 'g\0' + g)];
    const collect = (idx: Map<string, Set<Binding>> | undefined) => {
      const found = new Set<Binding>();
      for (const k of keys) for (const b of idx?.get(k) ?? []) found.add(b);
      for (const b of [...found].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
        const s = b.subjects.find((x) => { const k = subjectKey(x, b.namespace); return k !== undefined && keys.includes(k); })!;
        const r = this.roleRefRules(b.roleRef, b.namespace);
        if (r.error) { out.errors.push(r.error); continue; }
        const source = describe(b, s);
        for (const rule of r.rules!) out.rules.push({ rule, source });
      }
    };
    collect(this.crbBySubject);
    if (namespace) collect(this.rbBySubject.get(namespace));
    if (this.memo.size > 10_000) this.memo.clear();
    this.memo.set(mk, out);
    return out;
  }
}

/** Upstream's RBACAuthorizer: Allow when some bound rule allows the request, else NoOpinion with the resolution errors. */
export class RbacAuthorizer implements Authorizer {
  constructor(readonly cache: RbacCache) {}

  authorize(a: Attributes): AuthorizerResult {
    const r = this.cache.rulesFor(a.user, a.resourceRequest ? a.namespace : '');
    for (const sr of r.rules) if (ruleAllows(a, sr.rule)) return { decision: 'Allow', reason: `RBAC: allowed by ${sr.source}` };
    return { decision: 'NoOpinion', reason: r.errors.length ? `RBAC: ${aggregate(r.errors)}` : '' };
  }
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several in brackets. */
export function aggregate(msgs: string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}
