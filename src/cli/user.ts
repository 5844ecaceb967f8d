/**
 * `kubelite user add NAME [--group G]... [--out FILE] [--data-dir DIR]`: a user of the cluster, as a client
 * certificate signed by the cluster CA (CN = NAME, O = each group, as upstream's x509 authenticator reads them),
 * written with the cluster's address and CA into a kubeconfig (default <data-dir>/users/NAME.kubeconfig) whose path
 * is printed. The user can do nothing until RBAC grants it something (kubectl create rolebinding ...).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { issueCertificate } from '../apiserver/tls.ts';
import { CONTEXT_NAME, certKubeconfig, writeKubeconfig } from './kubeconfig.ts';

export interface UserAddOptions {
  name: string;
  groups: string[];
  out?: string;
  dataDir: string;
}

/** Names and groups as upstream's certificate fields allow: printable, no control characters, not empty. */
function checkName(kind: string, v: string): string | undefined {
  if (!v.trim()) return `${kind} must not be empty`;
  if (/[\x00-\x1f\x7f]/.test(v)) return `${kind} ${JSON.stringify(v)} contains control characters`;
  if (v.length > 253) return `${kind} ${JSON.stringify(v)} is longer than 253 characters`;
  return undefined;
}

/** Writes the kubeconfig and returns its path (throws an Error with a one-line reason). */
export function userAdd(o: UserAddOptions): string {
  const err = checkName('user name', o.name) ?? o.groups.map((g) => checkName('group', g)).find(Boolean);
  if (err) throw new Error(err);
  if (o.groups.includes('system:masters')) throw new Error('refusing to put a user in system:masters: that group bypasses authorization; bind cluster-admin instead');
  const dataDir = resolve(o.dataDir);
  const pkiDir = join(dataDir, 'pki');
  const kcPath = join(dataDir, 'kubeconfig');
  if (!existsSync(join(pkiDir, 'ca.key')) || !existsSync(kcPath)) {
    throw new Error(`no cluster in ${dataDir} (missing pki/ca.key or kubeconfig): start one with \`kubelite up --data-dir ${dataDir}\` or pass --data-dir`);
  }
  const admin = YAML.parse(readFileSync(kcPath, 'utf8'));
  const cluster = (admin?.clusters ?? []).find((c: any) => c?.name === CONTEXT_NAME)?.cluster ?? admin?.clusters?.[0]?.cluster;
  if (!cluster?.server) throw new Error(`${kcPath} names no cluster server`);
  const ca = { caCert: readFileSync(join(pkiDir, 'ca.crt'), 'utf8'), caKey: readFileSync(join(pkiDir, 'ca.key'), 'utf8') };
  const cert = issueCertificate(ca, { cn: o.name, groups: o.groups, usage: 'client', years: 1 });
  const kc = certKubeconfig({ server: cluster.server, ca: ca.caCert, user: o.name, cert: cert.cert, key: cert.key, context: `${o.name}@${CONTEXT_NAME}`, namespace: 'default' });
  const out = resolve(o.out ?? join(dataDir, 'users', `${o.name.replace(/[^A-Za-z0-9_.@-]/g, '_')}.kubeconfig`));
  writeKubeconfig(out, kc);
  return out;
}
