/**
 * API requests from the browser, as the signed-in user: every request carries `Authorization: Bearer <token>`
 * (the token lives in sessionStorage only). A 401 signs the user out (the login page shows why).
 */
import { signal } from '@preact/signals';

const TOKEN_KEY = 'kubelite.token';

export const token = signal<string | null>(sessionStorage.getItem(TOKEN_KEY));
export const loginError = signal<string>('');

/** `#token=...` (from `kubelite dashboard`): moved to sessionStorage, and the fragment cleared from the address bar and history. */
export function takeTokenFromFragment(): void {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (!m) return;
  setToken(decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

export function setToken(t: string | null): void {
  if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY);
  token.value = t;
}

export function signOut(reason = ''): void {
  loginError.value = reason;
  setToken(null);
}

export class ApiError extends Error {
  constructor(readonly code: number, message: string, readonly reason = '') { super(message); }
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { Accept: 'application/json', Authorization: `Bearer ${token.value ?? ''}`, ...extra };
}

/** The error of a failed response, from its metav1.Status when there is one. A 401 signs out. */
export async function failure(r: Response): Promise<ApiError> {
  let msg = `${r.status} ${r.statusText}`;
  let reason = '';
  try {
    const s = await r.json();
    if (s?.message) msg = s.message;
    reason = s?.reason ?? '';
  } catch { /* not a Status */ }
  if (r.status === 401) signOut('The API server refused the token (401 Unauthorized).');
  return new ApiError(r.status, msg, reason);
}

export async function request<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal): Promise<T> {
  const init: RequestInit = {
    method, signal, cache: 'no-store',
    headers: headers(body === undefined ? {} : { 'Content-Type': contentType }),
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  let r: Response;
  // A request the browser could not send (e.g. net::ERR_NETWORK_CHANGED while a node adds a pod's network
  // interface) is sent once more; an answer from the server, whatever it is, never is.
  try { r = await fetch(path, init); } catch (e) {
    if (signal?.aborted) throw e;
    r = await fetch(path, init);
  }
  if (!r.ok) throw await failure(r);
  return r.json() as Promise<T>;
}

/**
 * Check a token without keeping it: GET /api. Only 401 refuses it; a 403 means the token is good and its user may
 * simply not read discovery (each view then says what it may not see).
 */
export async function checkToken(t: string): Promise<string | undefined> {
  const r = await fetch('/api', { headers: { Accept: 'application/json', Authorization: `Bearer ${t}` }, cache: 'no-store' });
  if (r.status === 401) return 'The API server refused the token (401 Unauthorized).';
  if (!r.ok && r.status !== 403) return `The API server answered ${r.status} ${r.statusText}.`;
  return undefined;
}

export interface Kind { group: string; version: string; plural: string; kind: string; namespaced: boolean }

export const K = {
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  replicasets: { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  services: { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  events: { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  nodes: { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  namespaces: { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  rollouts: { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', kind: 'Rollout', namespaced: true },
  analysisruns: { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns', kind: 'AnalysisRun', namespaced: true },
} satisfies Record<string, Kind>;

/** The REST path of a collection or object (namespace '' = all namespaces). */
export function pathOf(k: Kind, namespace: string, name?: string, subresource?: string): string {
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  const ns = k.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${k.plural}${name ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
}
