/**
 * Privilege-escalation prevention on RBAC writes, as upstream's policy-based storages
 * (pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased, pkg/registry/rbac/escalation_check.go,
 * pkg/registry/rbac/validation ConfirmNoEscalation):
 *  - a Role/ClusterRole may be written only with rules the writer already holds (in the request's namespace, or
 *    cluster-wide for a ClusterRole), unless the writer may `escalate` that role; an aggregationRule needs full
 *    authority;
 *  - a binding may be written when the writer may `bind` the referenced role, or holds all of its rules (a binding
 *    to a missing role is then forbidden with the lookup error);
 *  - system:masters may do anything; updates that only touch garbage-collection fields are not checked.
 */
import type { KubeObject } from '../../api/resource.ts';
import { deepEqual } from '../../api/validation/field.ts';
import type { UserInfo } from '../auth.ts';
import type { RequestContext } from '../context.ts';
import type { KindHooks } from '../hooks.ts';
import { aggregate, type RbacCache, type RoleRef } from './rbac.ts';
import { allowed, forbidden, resourceAttributes, SYSTEM_MASTERS } from './request.ts';
import { compactRules, compactString, covers, goQuoteList, type PolicyRule } from './rules.ts';
import type { Authorizer } from './types.ts';

const GROUP = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

export interface AuthorizationContext {
  authorizer: Authorizer;
  rbac: RbacCache;
}

/** ConfirmNoEscalation: the error message when `user` does not hold every rule of `rules` in `namespace`. */
export function escalationError(rbac: RbacCache, user: UserInfo, namespace: string, rules: PolicyRule[]): string | undefined {
  const held = rbac.rulesFor(user, namespace);
  const { covered, missing } = covers(held.rules.map((r) => r.rule), rules);
  if (covered) return undefined;
  const descriptions = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join('\n')}`;
  if (held.errors.length) msg += `; resolution errors: [${aggregate(held.errors)}]`;
  return msg;
}

const isMaster = (u: UserInfo) => u.groups.includes(SYSTEM_MASTERS);

/** Only metadata.ownerReferences / finalizers changed (upstream IsOnlyMutatingGCFields). */
function onlyGCFields(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata, ...rest } = o;
    const { ownerReferences: _o, finalizers: _f, resourceVersion: _r, managedFields: _m, generation: _g, ...m } = (metadata ?? {}) as Record<string, unknown>;
    return { ...rest, metadata: m };
  };
  return deepEqual(strip(obj), strip(old));
}

function rulesOf(obj: KubeObject): PolicyRule[] {
  return Array.isArray(obj.rules) ? (obj.rules as PolicyRule[]) : [];
}

/** Hooks of roles and clusterroles. */
export function roleHooks(plural: 'roles' | 'clusterroles', authz: AuthorizationContext | undefined): KindHooks {
  if (!authz) return {};
  const check = async (obj: KubeObject, ctx: RequestContext) => {
    const user = ctx.user;
    const name = obj.metadata?.name ?? '';
    const ns = plural === 'roles' ? (obj.metadata?.namespace ?? ctx.namespace ?? '') : '';
    if (isMaster(user)) return;
    if (await allowed(authz.authorizer, resourceAttributes(user, 'escalate', GROUP, plural, { namespace: ns, name }))) return;
    const err = escalationError(authz.rbac, user, ns, rulesOf(obj));
    if (err) throw forbidden(GROUP, plural, name, err);
    const agg = (obj as any).aggregationRule;
    if (plural === 'clusterroles' && agg && typeof agg === 'object' && escalationError(authz.rbac, user, '', FULL_AUTHORITY)) {
      throw forbidden(GROUP, plural, name, 'must have cluster-admin privileges to use the aggregationRule');
    }
  };
  return {
    async beforeCreate(obj, ctx) { await check(obj, ctx); },
    async beforeUpdate(obj, old, ctx) { if (!onlyGCFields(obj, old)) await check(obj, ctx); },
  };
}

/** Hooks of rolebindings and clusterrolebindings. */
export function bindingHooks(plural: 'rolebindings' | 'clusterrolebindings', authz: AuthorizationContext | undefined): KindHooks {
  if (!authz) return {};
  const check = async (obj: KubeObject, ctx: RequestContext) => {
    const user = ctx.user;
    if (isMaster(user)) return;
    const name = obj.metadata?.name ?? '';
    const ns = plural === 'rolebindings' ? (obj.metadata?.namespace ?? ctx.namespace ?? '') : '';
    const ref = ((obj as any).roleRef ?? {}) as RoleRef;
    const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
    if (await allowed(authz.authorizer, resourceAttributes(user, 'bind', GROUP, roleResource, { namespace: ns, name: ref.name ?? '' }))) return;
    const r = authz.rbac.roleRefRules(ref, ns);
    if (r.error) throw forbidden(GROUP, plural, name, r.error);
    const err = escalationError(authz.rbac, user, ns, r.rules!);
    if (err) throw forbidden(GROUP, plural, name, err);
  };
  return {
    async beforeCreate(obj, ctx) { await check(obj, ctx); },
    async beforeUpdate(obj, old, ctx) { if (!onlyGCFields(obj, old)) await check(obj, ctx); },
  };
}
