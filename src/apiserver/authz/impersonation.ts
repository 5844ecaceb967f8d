/**
 * Impersonation (upstream k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): `Impersonate-User`,
 * `Impersonate-Group` (repeatable), `Impersonate-Uid` and `Impersonate-Extra-<key>` headers make the request act as
 * another user, when the caller may `impersonate` each of them: users (or serviceaccounts in their namespace for a
 * system:serviceaccount:<ns>:<name> user), groups, uids, userextras/<key>.
 */
import type * as http from 'node:http';
import { badRequest } from '../../api/errors.ts';
import type { UserInfo } from '../auth.ts';
import { forbiddenError, resourceAttributes } from './request.ts';
import type { Attributes, Authorizer } from './types.ts';

const SA_PREFIX = 'system:serviceaccount:';

function headerValues(req: http.IncomingMessage, name: string): string[] {
  const v = req.headers[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  // Node joins repeated unknown headers with ", " (the raw headers keep them apart).
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === name) raw.push(req.rawHeaders[i + 1]);
  return raw.length ? raw : list;
}

/** Whether the request asks to impersonate. */
export function wantsImpersonation(req: http.IncomingMessage): boolean {
  for (const k of Object.keys(req.headers)) if (k.startsWith('impersonate-')) return true;
  return false;
}

/** The impersonated user, after checking the caller may impersonate each part (403 as upstream otherwise). */
export async function impersonate(req: http.IncomingMessage, caller: UserInfo, authz: Authorizer): Promise<UserInfo> {
  const userName = headerValues(req, 'impersonate-user')[0];
  const groups = headerValues(req, 'impersonate-group');
  const uid = headerValues(req, 'impersonate-uid')[0];
  const extra: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const h = req.rawHeaders[i].toLowerCase();
    if (!h.startsWith('impersonate-extra-')) continue;
    let key = h.slice('impersonate-extra-'.length);
    try { key = decodeURIComponent(key); } catch { /* as sent */ }
    (extra[key] ??= []).push(req.rawHeaders[i + 1]);
  }
  if (!userName) {
    if (groups.length || uid || Object.keys(extra).length) throw badRequest('requested [' + [...groups.map((g) => `{Group ${g}}`)].join(' ') + '] without impersonating a user');
    return caller;
  }
  const checks: Attributes[] = [];
  if (userName.startsWith(SA_PREFIX)) {
    const [ns, name] = userName.slice(SA_PREFIX.length).split(':');
    checks.push(resourceAttributes(caller, 'impersonate', '', 'serviceaccounts', { namespace: ns ?? '', name: name ?? '' }));
  } else {
    checks.push(resourceAttributes(caller, 'impersonate', '', 'users', { name: userName }));
  }
  for (const g of groups) checks.push(resourceAttributes(caller, 'impersonate', '', 'groups', { name: g }));
  for (const [k, vs] of Object.entries(extra)) for (const v of vs) checks.push(resourceAttributes(caller, 'impersonate', 'authentication.k8s.io', 'userextras', { subresource: k, name: v }));
  if (uid) checks.push(resourceAttributes(caller, 'impersonate', 'authentication.k8s.io', 'uids', { name: uid }));
  for (const a of checks) {
    const d = await authz.authorize(a);
    if (d.decision !== 'Allow') throw forbiddenError(a, d.reason);
  }
  const out = [...groups];
  if (userName.startsWith(SA_PREFIX) && !groups.length) {
    const ns = userName.slice(SA_PREFIX.length).split(':')[0];
    out.push('system:serviceaccounts', `system:serviceaccounts:${ns}`);
  }
  if (userName !== 'system:anonymous' && !out.includes('system:authenticated') && !out.includes('system:unauthenticated')) out.push('system:authenticated');
  const u: UserInfo = { name: userName, groups: out };
  if (uid) u.uid = uid;
  if (Object.keys(extra).length) u.extra = extra;
  return u;
}
