/**
 * What a request asks, as upstream's RequestInfoFactory reads it (k8s.io/apiserver/pkg/endpoints/request), the
 * authorizer chain (system:masters, the Node authorizer's slot, RBAC) and the 403 upstream answers with
 * (endpoints/handlers/responsewriters forbiddenMessage + apierrors.NewForbidden).
 */
import { StatusError } from '../../api/errors.ts';
import { goParseBool } from '../../api/options.ts';
import { pathSegmentErrors } from '../../api/validation/meta.ts';
import type { UserInfo } from '../auth.ts';
import type { Attributes, Authorizer, AuthorizerResult } from './types.ts';

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * The authorization attributes of a request (method, URL path already decoded into segments, query).
 * Not a /api or /apis/<group>/<version>/<resource>... path: a non-resource request whose verb is the lower-case
 * method.
 */
export function requestAttributes(user: UserInfo, method: string, path: string, query: URLSearchParams): Attributes {
  const a: Attributes = { user, verb: method.toLowerCase(), resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  let parts = path.split('/').filter(Boolean);
  try { parts = parts.map((p) => decodeURIComponent(p)); } catch { return a; }
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return a;
  let rest = parts.slice(1);
  if (parts[0] === 'apis') {
    if (rest.length < 3) return a;
    a.apiGroup = rest[0];
    rest = rest.slice(1);
  }
  a.resourceRequest = true;
  a.apiVersion = rest[0];
  rest = rest.slice(1);
  let byMethod = false;
  if (rest[0] === 'watch' || rest[0] === 'proxy') {
    if (rest.length < 2) { a.resourceRequest = false; return a; }
    a.verb = rest[0];
    rest = rest.slice(1);
  } else {
    byMethod = true;
    a.verb = ({ POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method.toUpperCase()] ?? '';
  }
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      a.namespace = rest[1];
      if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
    }
  }
  if (rest.length >= 3 && a.verb !== 'proxy') a.subresource = rest[2];
  if (rest.length >= 2) a.name = rest[1];
  if (rest.length >= 1) a.resource = rest[0];
  if (!a.name && a.verb === 'get') {
    const w = query.get('watch');
    a.verb = w !== null && (goParseBool(w) ?? (w.toLowerCase() !== 'false' && w !== '0')) ? 'watch' : 'list';
    const fs = query.get('fieldSelector');
    const m = fs ? /^metadata\.name==?([^,]*)$/.exec(fs) : null;
    if (m && !pathSegmentErrors(m[1]).length) a.name = m[1];
  }
  // The raw field selector of a list or watch (the Node authorizer lets nodes list their own pods only).
  if ((a.verb === 'list' || a.verb === 'watch') && query.get('fieldSelector')) a.fieldSelector = query.get('fieldSelector')!;
  if (!a.name && a.verb === 'delete') a.verb = 'deletecollection';
  void byMethod;
  return a;
}

/** Upstream forbiddenMessage. */
export function forbiddenMessage(a: Attributes): string {
  const user = JSON.stringify(a.user?.name ?? '');
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (a.namespace) return `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} in the namespace ${JSON.stringify(a.namespace)}`;
  return `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} at the cluster scope`;
}

/** apierrors.NewForbidden(GroupResource{group, resource}, name, err). */
export function forbidden(group: string, resource: string, name: string, message: string): StatusError {
  const gr = resource ? (group ? `${resource}.${group}` : resource) : '';
  const msg = !gr ? `forbidden: ${message}` : name ? `${gr} ${JSON.stringify(name)} is forbidden: ${message}` : `${gr} is forbidden: ${message}`;
  return new StatusError(403, 'Forbidden', msg, { name: name || undefined, group: group || undefined, kind: resource || undefined });
}

/** The 403 of a request the chain did not allow (upstream responsewriters.Forbidden). */
export function forbiddenError(a: Attributes, reason: string): StatusError {
  const msg = forbiddenMessage(a);
  return forbidden(a.apiGroup, a.resource, a.name, reason ? `${msg}: ${reason}` : msg);
}

export const SYSTEM_MASTERS = 'system:masters';

/**
 * kube-apiserver's authorizer chain: the privileged group short-circuits, then each authorizer in order (Node,
 * RBAC); the first Allow or Deny wins; NoOpinion from all is a denial with their reasons joined by newlines.
 */
export class AuthorizerChain implements Authorizer {
  constructor(private authorizers: Authorizer[]) {}

  /** Insert an authorizer before the others (the Node authorizer goes before RBAC, as --authorization-mode=Node,RBAC). */
  prepend(a: Authorizer): void { this.authorizers.unshift(a); }

  authorize(a: Attributes): AuthorizerResult | Promise<AuthorizerResult> {
    if (a.user.groups.includes(SYSTEM_MASTERS)) return { decision: 'Allow', reason: '' };
    const reasons: string[] = [];
    for (let i = 0; i < this.authorizers.length; i++) {
      const r = this.authorizers[i].authorize(a);
      if (r instanceof Promise) return this.rest(a, r, i, reasons);
      if (r.decision !== 'NoOpinion') return r;
      if (r.reason) reasons.push(r.reason);
    }
    return { decision: 'NoOpinion', reason: reasons.join('\n') };
  }

  private async rest(a: Attributes, first: Promise<AuthorizerResult>, i: number, reasons: string[]): Promise<AuthorizerResult> {
    let r = await first;
    for (;;) {
      if (r.decision !== 'NoOpinion') return r;
      if (r.reason) reasons.push(r.reason);
      if (++i >= this.authorizers.length) return { decision: 'NoOpinion', reason: reasons.join('\n') };
      r = await this.authorizers[i].authorize(a);
    }
  }
}

/** Allowed by the chain? (a helper for checks such as escalate/bind/impersonate). */
export async function allowed(authz: Authorizer, a: Attributes): Promise<boolean> {
  return (await authz.authorize(a)).decision === 'Allow';
}

/** Attributes of a resource check built in code (verb on group/resource[/sub] name in namespace). */
export function resourceAttributes(user: UserInfo, verb: string, apiGroup: string, resource: string, o: { namespace?: string; name?: string; subresource?: string; apiVersion?: string } = {}): Attributes {
  return { user, verb, resourceRequest: true, path: '', apiGroup, apiVersion: o.apiVersion ?? '*', resource, subresource: o.subresource ?? '', namespace: o.namespace ?? '', name: o.name ?? '' };
}
