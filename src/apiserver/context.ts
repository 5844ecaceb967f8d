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
