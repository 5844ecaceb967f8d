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
