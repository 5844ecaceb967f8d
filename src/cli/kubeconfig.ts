/**
 * kubeconfig files: the one `kubelite up` writes to <data-dir>/kubeconfig (context `kubelite`, the CA and the
 * admin bearer token + client certificate), and merging it into ~/.kube/config (as kind and minikube do:
 * replace our cluster/user/context entries, keep everything else, make ours current).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import YAML from 'yaml';
import type { Pki } from '../apiserver/tls.ts';

export const CONTEXT_NAME = 'kubelite';

export interface KubeconfigOptions {
  server: string;
  pki: Pki;
  name?: string;
}

export function buildKubeconfig(o: KubeconfigOptions): Record<string, any> {
  const name = o.name ?? CONTEXT_NAME;
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [{ name, cluster: { server: o.server, 'certificate-authority-data': b64(o.pki.caCert) } }],
    users: [{ name: `${name}-admin`, user: { token: o.pki.adminToken, 'client-certificate-data': b64(o.pki.adminCert), 'client-key-data': b64(o.pki.adminKey) } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
  };
}

/** A kubeconfig for one client-certificate identity (a node agent, a component, a user). */
export function certKubeconfig(o: { server: string; ca: string; user: string; cert: string; key: string; name?: string; context?: string; namespace?: string }): Record<string, any> {
  const name = o.name ?? CONTEXT_NAME;
  const context = o.context ?? name;
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [{ name, cluster: { server: o.server, 'certificate-authority-data': b64(o.ca) } }],
    users: [{ name: o.user, user: { 'client-certificate-data': b64(o.cert), 'client-key-data': b64(o.key) } }],
    contexts: [{ name: context, context: { cluster: name, user: o.user, ...(o.namespace ? { namespace: o.namespace } : {}) } }],
    'current-context': context,
  };
}

/** The server, CA and client certificate of a kubeconfig's current context (inline data only). */
export function readCertKubeconfig(path: string): { server: string; ca: string; cert: string; key: string; user: string } {
  const kc = YAML.parse(readFileSync(path, 'utf8')) ?? {};
  const ctx = (kc.contexts ?? []).find((c: any) => c?.name === kc['current-context'])?.context ?? kc.contexts?.[0]?.context ?? {};
  const cluster = (kc.clusters ?? []).find((c: any) => c?.name === ctx.cluster)?.cluster ?? {};
  const user = (kc.users ?? []).find((u: any) => u?.name === ctx.user) ?? {};
  const d = (v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '');
  const out = { server: String(cluster.server ?? ''), ca: d(cluster['certificate-authority-data']), cert: d(user.user?.['client-certificate-data']), key: d(user.user?.['client-key-data']), user: String(user.name ?? '') };
  if (!out.server || !out.ca || !out.cert || !out.key) throw new Error(`${path} is not a kubeconfig with an inline CA and client certificate (server, certificate-authority-data, client-certificate-data, client-key-data)`);
  return out;
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

export function writeKubeconfig(path: string, kc: Record<string, any>): void {
  writeAtomic(path, YAML.stringify(kc));
}

/** Merge `kc` into the kubeconfig at `target` (created if missing); ours becomes the current context. */
export function mergeKubeconfig(target: string, kc: Record<string, any>): void {
  let base: Record<string, any> = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [], preferences: {} };
  if (existsSync(target)) {
    const parsed = YAML.parse(readFileSync(target, 'utf8'));
    if (parsed && typeof parsed === 'object') base = parsed;
  }
  for (const section of ['clusters', 'users', 'contexts'] as const) {
    const mine: { name: string }[] = kc[section];
    const names = new Set(mine.map((e) => e.name));
    base[section] = [...(Array.isArray(base[section]) ? base[section] : []).filter((e: any) => !names.has(e?.name)), ...mine];
  }
  base['current-context'] = kc['current-context'];
  writeAtomic(target, YAML.stringify(base));
}
