/**
 * iptables rules for Services, as kube-proxy's iptables mode (pkg/proxy/iptables/proxier.go), in our own chains:
 *
 *   nat  PREROUTING, OUTPUT → KUBELITE-SERVICES:  -d <ClusterIP> -p <proto> --dport <port> → KUBELITE-SVC-<hash>
 *                              last rule: dst-type LOCAL → KUBELITE-NODEPORTS: --dport <nodePort> → KUBELITE-SVC-<hash>
 *       KUBELITE-SVC-<hash>:   mark for masquerade; (ClientIP affinity: `recent --rcheck` → the endpoint seen last);
 *                              one rule per endpoint with `statistic --mode random --probability 1/(n-i)`
 *       KUBELITE-SEP-<hash>:   (affinity: `recent --set`) DNAT --to-destination <ip:port>; its packet counter
 *                              counts connections (nat rules see only a connection's first packet)
 *  ports carried by the L7 traffic router (src/proxy/router): ClusterIP:port and nodePort DNAT to 127.0.0.1:<its port>
 *  nat  POSTROUTING → KUBELITE-POSTROUTING: MASQUERADE marked packets (pod → VIP → same pod works, replies
 *                              return through the node even without br_netfilter, 127.0.0.1:nodePort works)
 *  filter OUTPUT, FORWARD → KUBELITE-FIREWALL: REJECT a Service port with no endpoints (connection refused at
 *                              once), and anything else still addressed to the service CIDR, so an unproxied VIP never
 *                              leaves the node; FORWARD → KUBELITE-FORWARD accepts marked / established traffic;
 *                              INPUT → KUBELITE-INPUT drops non-local packets to 127/8 (route_localnet guard).
 *
 * SEP chains are rewritten only when their content changes, so their counters live as long as the endpoint.
 * Pure: turns the model into iptables-restore input; src/proxy/iptables.ts runs it.
 */
import { createHash } from 'node:crypto';
import { type ServicePortInfo, type ProxyEndpoint, usableEndpoints, servicePortKey } from './model.ts';

export const MASQ_MARK = '0x4000/0x4000';

export interface ChainNames {
  services: string;
  /** PREROUTING's entry: this cluster's pods and non-pod sources go on to `services`, other clusters' pods return. */
  pods: string;
  nodeports: string;
  postrouting: string;
  markMasq: string;
  firewall: string;
  forward: string;
  input: string;
  /** Prefix of per-service and per-endpoint chains. */
  svcPrefix: string;
  sepPrefix: string;
  /** Salt of chain hashes (distinguishes proxy instances sharing a host). */
  salt: string;
}

/**
 * Chain names for a proxy instance: '' = the default KUBELITE-* names; otherwise (several clusters sharing one
 * host, e.g. tests next to a manual cluster) every chain carries the instance id, so no instance ever touches
 * another's chains.
 */
export function chainNames(instance = ''): ChainNames {
  const id = instance.replace(/[^A-Za-z0-9]/g, '').slice(0, 6);
  const sfx = id ? `-${id}` : '';
  return {
    services: `KUBELITE-SERVICES${sfx}`,
    pods: `KUBELITE-PODS${sfx}`,
    nodeports: `KUBELITE-NODEPORTS${sfx}`,
    postrouting: `KUBELITE-POSTROUTING${sfx}`,
    markMasq: `KUBELITE-MARK-MASQ${sfx}`,
    firewall: `KUBELITE-FIREWALL${sfx}`,
    forward: `KUBELITE-FORWARD${sfx}`,
    input: `KUBELITE-INPUT${sfx}`,
    svcPrefix: id ? `KL${id}-SVC-` : 'KUBELITE-SVC-',
    sepPrefix: id ? `KL${id}-SEP-` : 'KUBELITE-SEP-',
    salt: id,
  };
}

function hash12(s: string): string {
  // base32 of sha256, upper case, as kube-proxy's portProtoHash (16 chars there; 12 keep us under 28 chars).
  const h = createHash('sha256').update(s).digest();
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  for (let i = 0; i < 12; i++) out += abc[h[i] & 31];
  return out;
}

export const svcChain = (n: ChainNames, sp: ServicePortInfo) => n.svcPrefix + hash12(`${n.salt}|${servicePortKey(sp)}`);
export const sepChain = (n: ChainNames, sp: ServicePortInfo, ep: { ip: string; port: number }) =>
  n.sepPrefix + hash12(`${n.salt}|${servicePortKey(sp)}|${ep.ip}:${ep.port}`);

/** What a SEP chain stands for (kept by the proxy for metrics). */
export interface SepInfo {
  chain: string;
  namespace: string;
  service: string;
  port: string;
  endpoint: string; // ip:port
  pod?: string;
  /** The chain's rules; a change means the chain must be rewritten. */
  content: string;
}

export interface RuleSet {
  /** iptables-restore --noflush input (nat + filter). */
  text: string;
  /** Every SEP chain now in place. */
  seps: Map<string, SepInfo>;
  /** SEP chains this run rewrote or deleted (their counters restart). */
  rewritten: string[];
  /** Every SVC chain now in place. */
  svcChains: Set<string>;
}

const proto = (p: string) => p.toLowerCase();
const comment = (s: string) => `-m comment --comment ${JSON.stringify(s)}`;

function sepRules(n: ChainNames, sp: ServicePortInfo, ep: ProxyEndpoint, chain: string): string[] {
  const p = proto(sp.protocol);
  const recent = sp.affinitySeconds !== undefined ? ` -m recent --name ${chain} --set` : '';
  return [`-A ${chain} -p ${p}${recent} -m ${p} -j DNAT --to-destination ${ep.ip}:${ep.port}`];
}

export interface BuildOptions {
  names: ChainNames;
  /** Service CIDR (e.g. 10.96.0.0/12): traffic to it that no rule translated is rejected. */
  serviceCIDR?: string;
  /** SEP chains (and their content) already in the kernel, from the previous run. */
  previous?: Map<string, SepInfo>;
  /** Existing chains with our prefixes found in the kernel that are not in `previous` (e.g. left by a crash). */
  stale?: string[];
  /** SVC chains already in the kernel (they are rewritten or deleted every run). */
  previousSvc?: Set<string>;
  /**
   * Several clusters may share one host (and one CNI bridge) and use the same Service IPs (10.96.0.1,
   * 10.96.0.10). Traffic from this cluster's pods (`localPodIPs`) and from any unknown source is handled here;
   * traffic from `foreignPodIPs` (pods other kubelite proxies on this host list as theirs) is left to their
   * rules. A single cluster per host (the normal case) has no foreign pods: every source is handled.
   */
  localPodIPs?: string[];
  foreignPodIPs?: string[];
  /**
   * Service ports carried by the L7 traffic router (src/proxy/router), by servicePortKey: their ClusterIP:port and
   * nodePort are DNATed to the router's listener (127.0.0.1:<port>) instead of to endpoints.
   */
  redirects?: Map<string, { ip: string; port: number }>;
}

export function buildRules(services: ServicePortInfo[], opts: BuildOptions): RuleSet {
  const n = opts.names;
  const prev = opts.previous ?? new Map<string, SepInfo>();
  const seps = new Map<string, SepInfo>();
  const svcChains = new Set<string>();
  const natChains: string[] = [n.services, n.pods, n.nodeports, n.postrouting, n.markMasq];
  const natRules: string[] = [];
  const local = [...new Set(opts.localPodIPs ?? [])].sort();
  for (const ip of local) natRules.push(`-A ${n.pods} -s ${ip}/32 ${comment('pod of this cluster')} -j ${n.services}`);
  for (const ip of [...new Set(opts.foreignPodIPs ?? [])].sort()) {
    if (!local.includes(ip)) natRules.push(`-A ${n.pods} -s ${ip}/32 ${comment('pod of another cluster')} -j RETURN`);
  }
  natRules.push(`-A ${n.pods} -j ${n.services}`);
  const filterRules: string[] = [];
  const rewritten: string[] = [];

  natRules.push(`-A ${n.markMasq} -j MARK --set-xmark ${MASQ_MARK}`);
  natRules.push(`-A ${n.postrouting} -m mark ! --mark ${MASQ_MARK} -j RETURN`);
  natRules.push(`-A ${n.postrouting} -j MARK --set-xmark 0x4000/0x0`); // clear the bit (xor) so re-encapsulation is not re-masqueraded
  natRules.push(`-A ${n.postrouting} ${comment('kubelite service traffic requiring SNAT')} -j MASQUERADE --random-fully`);

  const nodePortRules: string[] = [];
  for (const sp of services) {
    const p = proto(sp.protocol);
    const name = `${sp.namespace}/${sp.name}${sp.portName ? ':' + sp.portName : ''}`;
    const red = opts.redirects?.get(servicePortKey(sp));
    if (red && p === 'tcp') {
      const to = `-j DNAT --to-destination ${red.ip}:${red.port}`;
      natRules.push(`-A ${n.services} -d ${sp.clusterIP}/32 -p tcp ${comment(`${name} cluster IP, traffic router`)} -m tcp --dport ${sp.port} ${to}`);
      if (sp.nodePort) nodePortRules.push(`-A ${n.nodeports} -p tcp ${comment(`${name} node port, traffic router`)} -m tcp --dport ${sp.nodePort} ${to}`);
      continue;
    }
    const eps = usableEndpoints(sp.endpoints);
    if (eps.length === 0) {
      filterRules.push(`-A ${n.firewall} -d ${sp.clusterIP}/32 -p ${p} ${comment(`${name} has no endpoints`)} -m ${p} --dport ${sp.port} -j REJECT --reject-with icmp-port-unreachable`);
      continue;
    }
    const svc = svcChain(n, sp);
    svcChains.add(svc);
    natChains.push(svc);
    natRules.push(`-A ${n.services} -d ${sp.clusterIP}/32 -p ${p} ${comment(`${name} cluster IP`)} -m ${p} --dport ${sp.port} -j ${svc}`);
    if (sp.nodePort) nodePortRules.push(`-A ${n.nodeports} -p ${p} ${comment(`${name} node port`)} -m ${p} --dport ${sp.nodePort} -j ${svc}`);
    natRules.push(`-A ${svc} -j ${n.markMasq}`);
    const chains = eps.map((ep) => sepChain(n, sp, ep));
    if (sp.affinitySeconds !== undefined) {
      chains.forEach((c) => natRules.push(`-A ${svc} -m recent --name ${c} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${c}`));
    }
    eps.forEach((ep, i) => {
      const c = chains[i];
      const left = eps.length - i;
      natRules.push(left > 1
        ? `-A ${svc} ${comment(`${name} -> ${ep.ip}:${ep.port}`)} -m statistic --mode random --probability ${(1 / left).toFixed(10)} -j ${c}`
        : `-A ${svc} ${comment(`${name} -> ${ep.ip}:${ep.port}`)} -j ${c}`);
      const rules = sepRules(n, sp, ep, c);
      const content = rules.join('\n');
      seps.set(c, { chain: c, namespace: sp.namespace, service: sp.name, port: sp.portName || String(sp.port), endpoint: `${ep.ip}:${ep.port}`, pod: ep.pod, content });
      const old = prev.get(c);
      if (!old || old.content !== content) {
        natChains.push(c);
        natRules.push(...rules);
        if (old) rewritten.push(c);
      }
    });
  }
  natRules.push(...nodePortRules);
  natRules.push(`-A ${n.services} ${comment('kubelite service nodeports; must be last')} -m addrtype --dst-type LOCAL -j ${n.nodeports}`);

  // Chains to delete: SEP/SVC chains no longer wanted, and leftovers of an earlier run.
  const del = new Set<string>(opts.stale ?? []);
  for (const c of prev.keys()) if (!seps.has(c)) { del.add(c); rewritten.push(c); }
  for (const c of opts.previousSvc ?? []) if (!svcChains.has(c)) del.add(c);
  for (const c of svcChains) del.delete(c);
  for (const c of seps.keys()) del.delete(c);

  if (opts.serviceCIDR) {
    filterRules.push(`-A ${n.firewall} -d ${opts.serviceCIDR} ${comment('service IP without a rule: never leaves the node')} -j REJECT --reject-with icmp-port-unreachable`);
  }
  const filterChains = [n.firewall, n.forward, n.input];
  filterRules.push(`-A ${n.forward} -m mark --mark ${MASQ_MARK} -j ACCEPT`);
  filterRules.push(`-A ${n.forward} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  filterRules.push(`-A ${n.input} ! -s 127.0.0.0/8 -d 127.0.0.0/8 ${comment('block incoming localnet connections')} -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`);

  const lines: string[] = ['*nat'];
  for (const c of natChains) lines.push(`:${c} - [0:0]`);
  for (const c of del) lines.push(`:${c} - [0:0]`);
  lines.push(...natRules);
  for (const c of del) lines.push(`-X ${c}`);
  lines.push('COMMIT', '*filter');
  for (const c of filterChains) lines.push(`:${c} - [0:0]`);
  lines.push(...filterRules, 'COMMIT', '');
  return { text: lines.join('\n'), seps, rewritten, svcChains };
}

/** The jumps from built-in chains into ours: [table, chain, rule args]. */
export function jumpRules(n: ChainNames): [string, string, string[]][] {
  const c = (s: string) => ['-m', 'comment', '--comment', s];
  return [
    ['nat', 'PREROUTING', [...c('kubelite service portals'), '-j', n.pods]],
    ['nat', 'OUTPUT', [...c('kubelite service portals'), '-j', n.services]],
    ['nat', 'POSTROUTING', [...c('kubelite postrouting rules'), '-j', n.postrouting]],
    ['filter', 'OUTPUT', [...c('kubelite services firewall'), '-j', n.firewall]],
    ['filter', 'FORWARD', [...c('kubelite services firewall'), '-j', n.firewall]],
    ['filter', 'FORWARD', [...c('kubelite forwarding rules'), '-j', n.forward]],
    ['filter', 'INPUT', [...c('kubelite localnet guard'), '-j', n.input]],
  ];
}

/** Parse `iptables-save -c -t nat` into per-chain DNAT packet counts (connections per SEP chain). */
export function parseSepCounters(save: string, sepPrefix: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = /^\[(\d+):(\d+)\] -A (\S+) .*-j DNAT/;
  for (const line of save.split('\n')) {
    const m = re.exec(line);
    if (!m || !m[3].startsWith(sepPrefix)) continue;
    out.set(m[3], (out.get(m[3]) ?? 0) + Number(m[1]));
  }
  return out;
}

/** Pod IPs that other kubelite proxies on this host list as their own (their KUBELITE-PODS* chains). */
export function foreignPodIPs(save: string, ownPodsChain: string): string[] {
  const out: string[] = [];
  const re = /^-A (KUBELITE-PODS\S*) -s (\d+\.\d+\.\d+\.\d+)\/32 .*pod of this cluster/;
  for (const line of save.split('\n')) {
    const m = re.exec(line);
    if (m && m[1] !== ownPodsChain) out.push(m[2]);
  }
  return out;
}

/** Chains of ours present in an `iptables-save -t nat` dump (declared with `:NAME`). */
export function listOurChains(save: string, prefixes: string[]): string[] {
  const out: string[] = [];
  for (const line of save.split('\n')) {
    const m = /^:(\S+) /.exec(line);
    if (m && prefixes.some((p) => m[1].startsWith(p))) out.push(m[1]);
  }
  return out;
}
