/** Per-request context passed through the REST layer. */
import type { UserInfo } from './auth.ts';
import type { FieldValidation, WriteOptions } from '../api/options.ts';

export type { FieldValidation } from '../api/options.ts';

export interface RequestContext {
  user: UserInfo;
  namespace?: string;
  query: URLSearchParams;
  /** Warning headers to send (`299 - "text"`). */
  warnings: string[];
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: FieldValidation;
  /** PatchOptions.force: server-side apply takes the conflicting fields. */
  force?: boolean;
  userAgent?: string;
}

/**
 * The context of a request. `write` are its Create/Update/PatchOptions as src/api/options.ts decoded and
 * validated them (the server decodes them once it knows the verb); without them, upstream's defaults.
 */
export function contextFromQuery(user: UserInfo, query: URLSearchParams, namespace: string | undefined, userAgent?: string, write?: WriteOptions): RequestContext {
  return {
    user, namespace, query, warnings: [],
    dryRun: write?.dryRun ?? false,
    fieldManager: write?.fieldManager,
    fieldValidation: write?.fieldValidation ?? 'Warn',
    force: write?.force,
    userAgent,
  };
}

/** Set a request's decoded write options on its context. */
export function withWriteOptions(ctx: RequestContext, w: WriteOptions): RequestContext {
  ctx.dryRun = w.dryRun;
  ctx.fieldManager = w.fieldManager;
  ctx.fieldValidation = w.fieldValidation;
  ctx.force = w.force;
  return ctx;
}

/** Upstream default field manager: the user agent's program name ("kubectl-client-side-apply", "kubectl"...). */
export function managerOf(ctx: RequestContext): string {
  if (ctx.fieldManager) return ctx.fieldManager;
  const ua = ctx.userAgent ?? 'unknown';
  return ua.split('/')[0] || 'unknown';
}

export interface RequestTarget { pathname: string; searchParams: URLSearchParams }

/** A path that `new URL()` leaves as it is: printable ASCII without the characters it escapes, no `\`, no `//` start. */
const PLAIN_PATH = /^\/(?!\/)[^"#<>?`{}\\\s]*$/;
/** A dot segment — `.`/`..`, also spelled with `%2e` — which `new URL()` would resolve against its parent. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
const PRINTABLE = /^[\x21-\x7e]*$/;
const DOT_MARK = '\u2603';
const DOT_MARKED = /%E2%98%83(\d+)%E2%98%83/g;

/**
 * The path and query of a request target, as `new URL(target, 'https://localhost')` gives them, without building
 * a URL for the usual target (a plain absolute path and a query); anything else goes through `new URL()`.
 * Except: dot segments stay as they are, as Go's net/url leaves them (the API server's RequestInfo splits the path
 * as sent) — `.../configmaps/%2e%2e` names a ConfigMap "..", refused as upstream refuses it; it never resolves to
 * the parent (the Namespace).
 */
export function parseRequestTarget(target: string): RequestTarget {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (PRINTABLE.test(target) && PLAIN_PATH.test(path) && !target.includes('#')) {
    return { pathname: path, searchParams: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
  }
  const dots: string[] = [];
  const h = target.indexOf('#');
  const end = q >= 0 && (h < 0 || q < h) ? q : h >= 0 ? h : target.length;
  const kept = target.slice(0, end).split('/').map((sg) => (DOT_SEGMENT.test(sg) ? `${DOT_MARK}${dots.push(sg) - 1}${DOT_MARK}` : sg)).join('/') + target.slice(end);
  const u = new URL(kept, 'https://localhost');
  return { pathname: dots.length ? u.pathname.replace(DOT_MARKED, (_, i) => dots[Number(i)]) : u.pathname, searchParams: u.searchParams };
}
