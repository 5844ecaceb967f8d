/** Per-request context passed through the REST layer. */
import type { UserInfo } from './auth.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface RequestContext {
  user: UserInfo;
  namespace?: string;
  query: URLSearchParams;
  /** Warning headers to send (`299 - "text"`). */
  warnings: string[];
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: FieldValidation;
  userAgent?: string;
}

export function contextFromQuery(user: UserInfo, query: URLSearchParams, namespace: string | undefined, userAgent?: string): RequestContext {
  const fv = query.get('fieldValidation');
  return {
    user, namespace, query, warnings: [],
    dryRun: query.getAll('dryRun').includes('All'),
    fieldManager: query.get('fieldManager') ?? undefined,
    fieldValidation: fv === 'Strict' || fv === 'Warn' || fv === 'Ignore' ? fv : 'Warn',
    userAgent,
  };
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
/** A segment `new URL()` would resolve or rewrite: `.`/`..`, also spelled with `%2e` (kept conservative: any such start). */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e)/i;
const PRINTABLE = /^[\x21-\x7e]*$/;

/**
 * The path and query of a request target, as `new URL(target, 'https://localhost')` gives them, without building
 * a URL for the usual target (a plain absolute path and a query); anything else goes through `new URL()`.
 */
export function parseRequestTarget(target: string): RequestTarget {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (PRINTABLE.test(target) && PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path) && !target.includes('#')) {
    return { pathname: path, searchParams: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
  }
  const u = new URL(target, 'https://localhost');
  return { pathname: u.pathname, searchParams: u.searchParams };
}
