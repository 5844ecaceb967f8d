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
