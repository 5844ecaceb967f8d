/**
 * rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding (upstream
 * pkg/apis/rbac/validation, rbac/v1 defaults, the policy-based storages' escalation checks and the printers'
 * columns).
 */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { asArray, child, deepEqual, index, invalid, invalidRaw, isObj, notSupported, required } from '../validation/field.ts';
import { nameIsDNSSubdomain, pathSegmentErrors, validateMeta } from '../validation/meta.ts';
import { validateLabelSelector } from '../validation/selector.ts';
import { DOC } from '../tables/descriptions.ts';
import { col, nameColumn, ageColumn, age, type TableDef } from '../tables/table.ts';
import { define } from './common.ts';
import { bindingHooks, roleHooks } from '../../apiserver/authz/escalation.ts';

const GROUP = 'rbac.authorization.k8s.io';
type Obj = Record<string, any>;

/** Upstream ValidateRBACName: path.IsValidPathSegmentName. */
const rbacName = (n: string) => pathSegmentErrors(n);

/** Upstream ValidatePolicyRule. */
function policyRuleErrors(rule: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const r = isObj(rule) ? rule : {};
  const len = (k: string) => asArray(r[k]).length;
  if (!len('verbs')) errs.push(required(child(path, 'verbs'), 'verbs must contain at least one value'));
  if (len('nonResourceURLs')) {
    const urls = asArray<string>(r.nonResourceURLs);
    if (namespaced) errs.push(invalid(child(path, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (len('apiGroups') || len('resources') || len('resourceNames')) errs.push(invalid(child(path, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    return errs;
  }
  if (!len('apiGroups')) errs.push(required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if (!len('resources')) errs.push(required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function rulesErrors(obj: KubeObject, namespaced: boolean): FieldError[] {
  return asArray<Obj>(obj.rules).flatMap((r, i) => policyRuleErrors(r, namespaced, index('rules', i)));
}

/** Upstream ValidateRoleBindingSubject. */
function subjectErrors(s: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof s?.name === 'string' ? s.name : '';
  const apiGroup = typeof s?.apiGroup === 'string' ? s.apiGroup : '';
  if (!name) errs.push(required(child(path, 'name')));
  switch (s?.kind) {
    case 'ServiceAccount':
      if (name) for (const m of nameIsDNSSubdomain(name, false)) errs.push(invalid(child(path, 'name'), name, m));
      if (apiGroup) errs.push(notSupported(child(path, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(child(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== GROUP) errs.push(notSupported(child(path, 'apiGroup'), apiGroup, [GROUP]));
      break;
    default:
      errs.push(notSupported(child(path, 'kind'), s?.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function bindingErrors(obj: KubeObject, old: KubeObject | undefined, namespaced: boolean): FieldError[] {
  const errs = validateMeta(obj, old, namespaced, rbacName);
  const ref = (isObj(obj.roleRef) ? obj.roleRef : {}) as Obj;
  if (ref.apiGroup !== GROUP) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name'));
  else for (const m of rbacName(String(ref.name))) errs.push(invalid('roleRef.name', ref.name, m));
  asArray<Obj>(obj.subjects).forEach((s, i) => errs.push(...subjectErrors(s, namespaced, index('subjects', i))));
  if (old && !deepEqual(obj.roleRef, old.roleRef)) {
    const r = (obj.roleRef ?? {}) as Obj;
    errs.push(invalidRaw('roleRef', `v1.RoleRef{APIGroup:${JSON.stringify(r.apiGroup ?? '')}, Kind:${JSON.stringify(r.kind ?? '')}, Name:${JSON.stringify(r.name ?? '')}}`, 'cannot change roleRef'));
  }
  return errs;
}

/** rbac/v1 SetDefaults_Subject and the binding's roleRef.apiGroup. */
function defaultBinding(obj: KubeObject): void {
  if (isObj(obj.roleRef) && !obj.roleRef.apiGroup) obj.roleRef.apiGroup = GROUP;
  for (const s of asArray<Obj>(obj.subjects)) {
    if (!isObj(s) || s.apiGroup) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = GROUP;
    else if (s.kind === 'ServiceAccount') s.apiGroup = '';
  }
}

/** NAME, CREATED AT (upstream printRole/printClusterRole). */
const roleTable: TableDef = {
  columns: [nameColumn(), col('Created At', 'date', DOC.creationTimestamp)],
  row: (r) => [r.metadata?.name ?? '', r.metadata?.creationTimestamp ?? ''],
};

/** NAME, ROLE, AGE; wide: USERS, GROUPS, SERVICEACCOUNTS (upstream printRoleBinding/printClusterRoleBinding). */
const bindingTable: TableDef = {
  columns: [
    nameColumn(), col('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.'), ageColumn(),
    col('Users', 'string', 'Users in the roleBinding', 1),
    col('Groups', 'string', 'Groups in the roleBinding', 1),
    col('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
  ],
  row: (b, now) => {
    const subs = asArray<Obj>(b.subjects);
    const of = (k: string) => subs.filter((s) => s?.kind === k);
    return [
      b.metadata?.name ?? '', `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, age(b, now),
      of('User').map((s) => s.name).join(', '), of('Group').map((s) => s.name).join(', '),
      of('ServiceAccount').map((s) => `${s.namespace ?? ''}/${s.name}`).join(', '),
    ];
  },
};

export const roles = define({
  group: GROUP, version: 'v1', kind: 'Role', plural: 'roles', namespaced: true,
  schemaName: 'io.k8s.api.rbac.v1.Role',
  hasGeneration: false,
  table: roleTable,
  rest: (ctx) => roleHooks('roles', ctx.authorization),
  defaults() {},
  validate(obj, old) {
    return [...validateMeta(obj, old, true, rbacName), ...rulesErrors(obj, true)];
  },
});

export const clusterroles = define({
  group: GROUP, version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false,
  schemaName: 'io.k8s.api.rbac.v1.ClusterRole',
  hasGeneration: false,
  table: roleTable,
  rest: (ctx) => roleHooks('clusterroles', ctx.authorization),
  defaults() {},
  validate(obj, old) {
    const errs = [...validateMeta(obj, old, false, rbacName), ...rulesErrors(obj, false)];
    const agg = (obj as Obj).aggregationRule;
    if (isObj(agg)) {
      const sels = asArray<Obj>(agg.clusterRoleSelectors);
      if (!sels.length) errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
      sels.forEach((s, i) => errs.push(...validateLabelSelector(s, index('aggregationRule.clusterRoleSelectors', i))));
    }
    return errs;
  },
});

export const rolebindings = define({
  group: GROUP, version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true,
  schemaName: 'io.k8s.api.rbac.v1.RoleBinding',
  hasGeneration: false,
  table: bindingTable,
  rest: (ctx) => bindingHooks('rolebindings', ctx.authorization),
  defaults: defaultBinding,
  validate: (obj, old) => bindingErrors(obj, old, true),
});

export const clusterrolebindings = define({
  group: GROUP, version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false,
  schemaName: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  hasGeneration: false,
  table: bindingTable,
  rest: (ctx) => bindingHooks('clusterrolebindings', ctx.authorization),
  defaults: defaultBinding,
  validate: (obj, old) => bindingErrors(obj, old, false),
});
