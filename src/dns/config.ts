/**
 * Cluster DNS settings shared by the node agent (which writes each pod's /etc/resolv.conf: the CLI hands it
 * podResolvConf as its PodDNSConfigurer) and the cluster DNS server (src/dns/server.ts). As upstream's kubelet flags --cluster-dns / --cluster-domain and its
 * pkg/kubelet/network/dns: dnsPolicy ClusterFirst → nameserver clusterDNS, search <ns>.svc.<domain>
 * svc.<domain> <domain> (+ the host's searches), options ndots:5.
 */
import { readFileSync } from 'node:fs';

export const clusterDNS = '10.96.0.10';
export const clusterDomain = 'cluster.local';
/** The Service in kube-system whose ClusterIP is clusterDNS (created by the DNS component at startup). */
export const dnsServiceNamespace = 'kube-system';
export const dnsServiceName = 'kube-dns';

export const dnsConfig = { clusterDNS, clusterDomain } as const;

/** Search domains of a pod in `namespace` under ClusterFirst. */
export function searchesFor(namespace: string, domain = clusterDomain): string[] {
  return [`${namespace}.svc.${domain}`, `svc.${domain}`, domain];
}

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** Parse resolv.conf text (nameserver / search / domain / options lines). */
export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest; // the last one wins, as in glibc
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

/** The node's own resolv.conf (what dnsPolicy Default gives a pod, and where cluster DNS forwards). */
export function hostResolvConf(path = '/etc/resolv.conf'): ResolvConf {
  try { return parseResolvConf(readFileSync(path, 'utf8')); } catch { return { nameservers: [], searches: [], options: [] }; }
}

export function formatResolvConf(rc: ResolvConf): string {
  const lines: string[] = [];
  if (rc.searches.length) lines.push(`search ${rc.searches.join(' ')}`);
  for (const ns of rc.nameservers) lines.push(`nameserver ${ns}`);
  if (rc.options.length) lines.push(`options ${rc.options.join(' ')}`);
  return lines.join('\n') + '\n';
}

interface PodLike {
  metadata?: { namespace?: string };
  spec?: {
    dnsPolicy?: string;
    hostNetwork?: boolean;
    dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: { name?: string; value?: string }[] };
  };
}

/**
 * The resolv.conf a pod gets, as upstream's kubelet: ClusterFirst (default) → cluster DNS + cluster searches
 * + ndots:5 (a hostNetwork pod falls back to Default unless ClusterFirstWithHostNet); Default → the host's;
 * None → only spec.dnsConfig. spec.dnsConfig is merged in every case (searches appended, options by name).
 */
export function podResolvConf(pod: PodLike, host: ResolvConf = hostResolvConf(),
  cfg: { clusterDNS: string; clusterDomain: string } = dnsConfig): ResolvConf {
  const ns = pod.metadata?.namespace || 'default';
  let policy = pod.spec?.dnsPolicy || 'ClusterFirst';
  if (policy === 'ClusterFirst' && pod.spec?.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  let rc: ResolvConf;
  if (policy === 'None') rc = { nameservers: [], searches: [], options: [] };
  else if (policy === 'Default') rc = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  else rc = {
    nameservers: [cfg.clusterDNS],
    searches: [...searchesFor(ns, cfg.clusterDomain), ...host.searches.filter((s) => !s.endsWith(cfg.clusterDomain))],
    options: ['ndots:5'],
  };
  const dc = pod.spec?.dnsConfig;
  if (dc) {
    for (const n of dc.nameservers ?? []) if (!rc.nameservers.includes(n)) rc.nameservers.push(n);
    for (const s of dc.searches ?? []) if (!rc.searches.includes(s)) rc.searches.push(s);
    const opts = new Map(rc.options.map((o) => [o.split(':')[0], o] as const));
    for (const o of dc.options ?? []) if (o.name) opts.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
    rc.options = [...opts.values()];
  }
  rc.nameservers = rc.nameservers.slice(0, 3); // glibc reads at most 3
  rc.searches = rc.searches.slice(0, 32);
  return rc;
}

