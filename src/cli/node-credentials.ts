/**
 * A node agent's own credentials, issued by the cluster CA (upstream: the kubelet's client certificate for
 * `system:node:<name>` in group `system:nodes`, its serving certificate, and kube-proxy's `system:kube-proxy`
 * identity; kubeadm obtains them through bootstrap tokens and CSRs — here the CA holder issues them directly):
 *
 *   kubelet.kubeconfig  — the API server URL, the CA and the client certificate of system:node:<name>
 *                          (limited by the Node authorizer and NodeRestriction to what this node's pods need)
 *   kubelet.crt/.key    — the node agent's serving certificate: SANs <name>, 127.0.0.1 and the node's IPs
 *   proxy.kubeconfig    — the service proxy's identity, system:kube-proxy (system:node-proxier's rights)
 *
 * `kubelite node credentials NAME` writes them into a directory for `kubelite node --credentials DIR` (on another
 * machine give `--address <its IP>`); `kubelite up` keeps its local node's in `<data-dir>/pki/nodes/<name>/`.
 * The admin credential is never handed to a node.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate, type IssuedCert, type Pki } from '../apiserver/tls.ts';
import { isDNS1123Subdomain } from '../api/validation/names.ts';
import { certKubeconfig, readCertKubeconfig, writeKubeconfig } from './kubeconfig.ts';
import { NODES_GROUP, NODE_USER_PREFIX } from '../apiserver/authz/node.ts';
import { PROXY_USER as KUBE_PROXY_USER } from '../apiserver/authz/bootstrap-policy.ts';


export interface NodeCredentials {
  /** The cluster CA (PEM). */
  ca: string;
  /** system:node:<name>, group system:nodes. */
  client: IssuedCert;
  /** The agent's serving certificate. */
  serving: IssuedCert;
  /** system:kube-proxy. */
  proxy: IssuedCert;
}

/** Why `name` cannot name a node, or undefined. */
export function invalidNodeName(name: string): string | undefined {
  const errs = isDNS1123Subdomain(name);
  return errs.length ? `invalid node name "${name}": ${errs.join('; ')}` : undefined;
}

/** Issue a node's credentials; the serving certificate names `name`, 127.0.0.1 and `addresses`. */
export function issueNodeCredentials(pki: Pick<Pki, 'caCert' | 'caKey'>, name: string, addresses: string[]): NodeCredentials {
  const bad = invalidNodeName(name);
  if (bad) throw new Error(bad);
  return {
    ca: pki.caCert,
    client: issueCertificate(pki, { cn: `${NODE_USER_PREFIX}${name}`, groups: [NODES_GROUP], usage: 'client', years: 5 }),
    serving: issueCertificate(pki, { cn: name, usage: 'server', sans: [name, '127.0.0.1', ...addresses], years: 5 }),
    proxy: issueCertificate(pki, { cn: KUBE_PROXY_USER, usage: 'client', years: 5 }),
  };
}

/** Write credentials into `dir` (mode 0600 files). */
export function writeNodeCredentials(dir: string, server: string, c: NodeCredentials, name: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const w = (f: string, s: string) => writeFileSync(join(dir, f), s, { mode: 0o600 });
  writeKubeconfig(join(dir, 'kubelet.kubeconfig'), certKubeconfig({ server, ca: c.ca, user: `${NODE_USER_PREFIX}${name}`, cert: c.client.cert, key: c.client.key }));
  writeKubeconfig(join(dir, 'proxy.kubeconfig'), certKubeconfig({ server, ca: c.ca, user: KUBE_PROXY_USER, cert: c.proxy.cert, key: c.proxy.key }));
  w('kubelet.crt', c.serving.cert);
  w('kubelet.key', c.serving.key);
  w('ca.crt', c.ca);
}

export interface LoadedNodeCredentials {
  server: string;
  /** The node name the client certificate names. */
  nodeName: string;
  kubelet: { ca: string; cert: string; key: string };
  proxy: { ca: string; cert: string; key: string };
  serving: { cert: string; key: string };
}

/** Read a credentials directory written by writeNodeCredentials; errors say what is missing or wrong. */
export function readNodeCredentials(dir: string): LoadedNodeCredentials {
  for (const f of ['kubelet.kubeconfig', 'proxy.kubeconfig', 'kubelet.crt', 'kubelet.key']) {
    if (!existsSync(join(dir, f))) throw new Error(`${join(dir, f)} is missing: write the node's credentials with \`kubelite node credentials NAME --out ${dir}\` on the control-plane machine`);
  }
  const k = readCertKubeconfig(join(dir, 'kubelet.kubeconfig'));
  const p = readCertKubeconfig(join(dir, 'proxy.kubeconfig'));
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(new X509Certificate(k.cert).subject)?.[1] ?? '';
  if (!cn.startsWith(NODE_USER_PREFIX)) throw new Error(`${join(dir, 'kubelet.kubeconfig')} is not a node credential (its certificate names "${cn}", not ${NODE_USER_PREFIX}<name>)`);
  return {
    server: k.server, nodeName: cn.slice(NODE_USER_PREFIX.length),
    kubelet: { ca: k.ca, cert: k.cert, key: k.key },
    proxy: { ca: p.ca, cert: p.cert, key: p.key },
    serving: { cert: readFileSync(join(dir, 'kubelet.crt'), 'utf8'), key: readFileSync(join(dir, 'kubelet.key'), 'utf8') },
  };
}

/** Whether a serving certificate names this IP (the API server dials the node's InternalIP and checks it). */
export function servingCertCovers(certPem: string, ip: string): boolean {
  try { return new X509Certificate(certPem).checkIP(ip) !== undefined; } catch { return false; }
}

/**
 * The local node's credentials (`kubelite up`), kept in `<dataDir>/pki/nodes/<name>/` and re-issued when the
 * serving certificate does not name `addresses` (the machine's IP changed).
 */
export function ensureLocalNodeCredentials(dataDir: string, pki: Pick<Pki, 'caCert' | 'caKey'>, name: string, addresses: string[], server: string): LoadedNodeCredentials {
  const dir = join(dataDir, 'pki', 'nodes', name);
  let loaded: LoadedNodeCredentials | undefined;
  try { loaded = readNodeCredentials(dir); } catch { loaded = undefined; }
  const current = loaded && loaded.nodeName === name && loaded.kubelet.ca === pki.caCert && addresses.every((a) => servingCertCovers(loaded!.serving.cert, a));
  if (!current) {
    writeNodeCredentials(dir, server, issueNodeCredentials(pki, name, addresses), name);
    loaded = readNodeCredentials(dir);
  }
  return { ...loaded!, server };
}
