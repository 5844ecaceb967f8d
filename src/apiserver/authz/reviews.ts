/**
 * The create-only review kinds, answered from the authorizer chain and the request's user, never stored (upstream
 * pkg/registry/authorization/{subjectaccessreview,selfsubjectaccessreview,localsubjectaccessreview,
 * selfsubjectrulesreview} and pkg/registry/authentication/selfsubjectreview).
 */
import { StatusError, badRequest, invalid as invalidError, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/resource.ts';
import { invalid, invalidRaw, isObj } from '../../api/validation/field.ts';
import type { UserInfo } from '../auth.ts';
import type { RequestContext } from '../context.ts';
import type { AuthorizationContext } from './escalation.ts';
import { SYSTEM_MASTERS } from './request.ts';
import type { Attributes } from './types.ts';

export type Review = (obj: KubeObject, ctx: RequestContext) => Promise<KubeObject>;

type Obj = Record<string, any>;
const AUTHZ_GROUP = 'authorization.k8s.io';

function noAuthorizer(): never {
  throw new StatusError(503, 'ServiceUnavailable', 'authorization is not configured on this server');
}

/** The metadata a review may carry: nothing (a LocalSubjectAccessReview: its namespace). */
function metadataErrors(obj: KubeObject, allowNamespace: boolean): FieldError[] {
  const m = { ...((obj.metadata ?? {}) as Obj) };
  if (allowNamespace) delete m.namespace;
  for (const k of Object.keys(m)) if (m[k] === undefined || m[k] === '' || (Array.isArray(m[k]) && !m[k].length)) delete m[k];
  return Object.keys(m).length ? [invalidRaw('metadata', JSON.stringify(obj.metadata), 'must be empty')] : [];
}

function specErrors(spec: Obj, self: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ra = isObj(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nra = isObj(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (ra && nra) errs.push(invalidRaw('spec.nonResourceAttributes', JSON.stringify(nra), 'cannot be specified in combination with resourceAttributes'));
  if (!ra && !nra) errs.push(invalid('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (!self && !spec.user && !(Array.isArray(spec.groups) && spec.groups.length)) errs.push(invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  return errs;
}

/** Upstream authorizationutil.AuthorizationAttributesFrom (a missing version matches every version). */
function attributesFrom(user: UserInfo, spec: Obj): Attributes {
  const ra = spec.resourceAttributes as Obj | undefined;
  if (isObj(ra)) {
    return {
      user, verb: String(ra.verb ?? ''), resourceRequest: true, path: '', apiGroup: String(ra.group ?? ''), apiVersion: ra.version ? String(ra.version) : '*',
      resource: String(ra.resource ?? ''), subresource: String(ra.subresource ?? ''), namespace: String(ra.namespace ?? ''), name: String(ra.name ?? ''),
    };
  }
  const n = (spec.nonResourceAttributes ?? {}) as Obj;
  return { user, verb: String(n.verb ?? ''), resourceRequest: false, path: String(n.path ?? ''), apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

async function decide(authz: AuthorizationContext, a: Attributes): Promise<Obj> {
  const r = await authz.authorizer.authorize(a);
  const status: Obj = { allowed: r.decision === 'Allow' };
  if (r.decision === 'Deny') status.denied = true;
  if (r.reason) status.reason = r.reason;
  return status;
}

function respond(obj: KubeObject, status: Obj): KubeObject {
  return { ...obj, metadata: { ...(obj.metadata ?? {}), creationTimestamp: null } as any, status };
}

export function subjectAccessReview(authz: AuthorizationContext | undefined): Review {
  return async (obj) => {
    if (!authz) noAuthorizer();
    const spec = (isObj(obj.spec) ? obj.spec : {}) as Obj;
    const errs = [...metadataErrors(obj, false), ...specErrors(spec, false)];
    if (errs.length) throw invalidError('SubjectAccessReview', AUTHZ_GROUP, '', errs);
    const user: UserInfo = { name: String(spec.user ?? ''), groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [] };
    if (spec.uid) user.uid = String(spec.uid);
    return respond(obj, await decide(authz, attributesFrom(user, spec)));
  };
}

export function selfSubjectAccessReview(authz: AuthorizationContext | undefined): Review {
  return async (obj, ctx) => {
    if (!authz) noAuthorizer();
    const spec = (isObj(obj.spec) ? obj.spec : {}) as Obj;
    const errs = [...metadataErrors(obj, false), ...specErrors(spec, true)];
    if (errs.length) throw invalidError('SelfSubjectAccessReview', AUTHZ_GROUP, '', errs);
    return respond(obj, await decide(authz, attributesFrom(ctx.user, spec)));
  };
}

export function localSubjectAccessReview(authz: AuthorizationContext | undefined): Review {
  return async (obj, ctx) => {
    if (!authz) noAuthorizer();
    const ns = ctx.namespace ?? '';
    if (!ns) throw badRequest(`namespace is required on this type: ${ns}`);
    const spec = (isObj(obj.spec) ? obj.spec : {}) as Obj;
    const errs = [...metadataErrors(obj, true), ...specErrors(spec, false)];
    if (isObj(spec.nonResourceAttributes)) errs.push(invalidRaw('spec.nonResourceAttributes', JSON.stringify(spec.nonResourceAttributes), 'disallowed on this kind of request'));
    if (errs.length) throw invalidError('LocalSubjectAccessReview', AUTHZ_GROUP, '', errs);
    const ra = spec.resourceAttributes as Obj;
    if (ra.namespace && ra.namespace !== ns) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${ns}`);
    ra.namespace = ns;
    const user: UserInfo = { name: String(spec.user ?? ''), groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [] };
    return respond(obj, await decide(authz, attributesFrom(user, spec)));
  };
}

/** SelfSubjectRulesReview: the union of what each authorizer can enumerate (system:masters: everything; RBAC). */
export function selfSubjectRulesReview(authz: AuthorizationContext | undefined): Review {
  return async (obj, ctx) => {
    if (!authz) noAuthorizer();
    const spec = (isObj(obj.spec) ? obj.spec : {}) as Obj;
    const ns = String(spec.namespace ?? '');
    if (!ns) throw badRequest('no namespace on request');
    const resourceRules: Obj[] = [];
    const nonResourceRules: Obj[] = [];
    if (ctx.user.groups.includes(SYSTEM_MASTERS)) {
      resourceRules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
      nonResourceRules.push({ verbs: ['*'], nonResourceURLs: ['*'] });
    }
    const r = authz.rbac.rulesFor(ctx.user, ns);
    for (const { rule } of r.rules) {
      if (rule.resources?.length) {
        const rr: Obj = { verbs: rule.verbs ?? [], apiGroups: rule.apiGroups ?? [], resources: rule.resources };
        if (rule.resourceNames?.length) rr.resourceNames = rule.resourceNames;
        resourceRules.push(rr);
      }
      if (rule.nonResourceURLs?.length) nonResourceRules.push({ verbs: rule.verbs ?? [], nonResourceURLs: rule.nonResourceURLs });
    }
    const status: Obj = { resourceRules, nonResourceRules, incomplete: false };
    if (r.errors.length) status.evaluationError = r.errors.length === 1 ? r.errors[0] : `[${[...new Set(r.errors)].join(', ')}]`;
    return respond(obj, status);
  };
}

/** authentication.k8s.io/v1 SelfSubjectReview: who the server thinks the caller is (`kubectl auth whoami`). */
export function selfSubjectReview(): Review {
  return async (obj, ctx) => {
    const u = ctx.user;
    const userInfo: Obj = { username: u.name };
    if (u.uid) userInfo.uid = u.uid;
    if (u.groups.length) userInfo.groups = u.groups;
    if (u.extra && Object.keys(u.extra).length) userInfo.extra = u.extra;
    return respond(obj, { userInfo });
  };
}
