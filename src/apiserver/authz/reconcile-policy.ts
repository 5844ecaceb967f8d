/**
 * Writes the default RBAC policy at start-up (upstream's rbac/bootstrap-roles post-start hook and its reconciler,
 * pkg/registry/rbac/reconciliation): a missing default is created; an existing one annotated
 * `rbac.authorization.kubernetes.io/autoupdate: "true"` gets the rules, selectors and subjects it lacks (nothing is
 * taken away, so an administrator's additions stay); one annotated "false" is left alone.
 */
import type { KubeObject, ResourceDef } from '../../api/resource.ts';
import { StatusError } from '../../api/errors.ts';
import { deepEqual } from '../../api/validation/field.ts';
import type { GenericRegistry } from '../registry.ts';
import type { RequestContext } from '../context.ts';
import { DEFAULT_CLUSTER_ROLES, DEFAULT_CLUSTER_ROLE_BINDINGS, type DefaultClusterRole, type DefaultClusterRoleBinding } from './bootstrap-policy.ts';

const GROUP = 'rbac.authorization.k8s.io';
export const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';
export const BOOTSTRAPPING = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

export function clusterRoleObject(d: DefaultClusterRole): KubeObject {
  const o: KubeObject = {
    apiVersion: `${GROUP}/v1`, kind: 'ClusterRole',
    metadata: { name: d.name, labels: { ...BOOTSTRAPPING, ...(d.labels ?? {}) }, annotations: { [AUTOUPDATE]: 'true' } },
  };
  if (d.aggregateFrom) o.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [`${GROUP}/aggregate-to-${d.aggregateFrom}`]: 'true' } }] };
  o.rules = d.rules ?? [];
  return o;
}

export function clusterRoleBindingObject(d: DefaultClusterRoleBinding): KubeObject {
  return {
    apiVersion: `${GROUP}/v1`, kind: 'ClusterRoleBinding',
    metadata: { name: d.name, labels: { ...BOOTSTRAPPING }, annotations: { [AUTOUPDATE]: 'true' } },
    roleRef: { apiGroup: GROUP, kind: 'ClusterRole', name: d.role },
    subjects: d.subjects,
  };
}

const union = <T>(have: T[], want: T[]): T[] => [...have, ...want.filter((w) => !have.some((h) => deepEqual(h, w)))];

async function reconcile(reg: GenericRegistry, def: ResourceDef, want: KubeObject, ctx: RequestContext, merge: (cur: KubeObject) => KubeObject | undefined): Promise<void> {
  const name = want.metadata!.name!;
  let cur: KubeObject;
  try {
    cur = await reg.get(def, undefined, name);
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
    try { await reg.create(def, undefined, want, ctx); } catch (e2) { if (!(e2 instanceof StatusError && e2.code === 409)) throw e2; }
    return;
  }
  if (cur.metadata?.annotations?.[AUTOUPDATE] === 'false') return;
  const next = merge(cur);
  if (next) await reg.update(def, undefined, name, next, ctx);
}

export async function reconcileDefaultPolicy(reg: GenericRegistry, defFor: (g: string, p: string) => ResourceDef | undefined, ctx: RequestContext): Promise<void> {
  const roles = defFor(GROUP, 'clusterroles');
  const bindings = defFor(GROUP, 'clusterrolebindings');
  if (!roles || !bindings) return;
  for (const d of DEFAULT_CLUSTER_ROLES) {
    const want = clusterRoleObject(d);
    await reconcile(reg, roles, want, ctx, (cur) => {
      const next = structuredClone(cur) as any;
      next.metadata.labels = { ...(next.metadata.labels ?? {}), ...(want.metadata!.labels ?? {}) };
      if (want.aggregationRule) {
        const have = next.aggregationRule?.clusterRoleSelectors ?? [];
        next.aggregationRule = { clusterRoleSelectors: union(have, (want.aggregationRule as any).clusterRoleSelectors) };
      } else {
        next.rules = union(next.rules ?? [], want.rules as unknown[]);
      }
      return deepEqual(next, cur) ? undefined : next;
    });
  }
  for (const d of DEFAULT_CLUSTER_ROLE_BINDINGS) {
    const want = clusterRoleBindingObject(d);
    await reconcile(reg, bindings, want, ctx, (cur) => {
      if (!deepEqual(cur.roleRef, want.roleRef)) return undefined; // roleRef is immutable; upstream recreates, an admin's change is kept here
      const next = structuredClone(cur) as any;
      next.metadata.labels = { ...(next.metadata.labels ?? {}), ...(want.metadata!.labels ?? {}) };
      next.subjects = union(next.subjects ?? [], want.subjects as unknown[]);
      return deepEqual(next, cur) ? undefined : next;
    });
  }
}
