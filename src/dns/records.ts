/**
 * The cluster DNS zone (upstream's DNS specification, as CoreDNS's kubernetes plugin serves it), pure:
 *   <svc>.<ns>.svc.<domain>            A    ClusterIP; a headless Service → its ready endpoints' IPs
 *                                      CNAME for an ExternalName Service
 *   <hostname>.<svc>.<ns>.svc.<domain> A    a headless Service's endpoint with a hostname
 *   _<port>._<proto>.<svc>.<ns>.svc.<domain>  SRV  per named port
 *   a-b-c-d.<ns>.pod.<domain>          A    a.b.c.d (CoreDNS "pods insecure")
 *   d.c.b.a.in-addr.arpa               PTR  for ClusterIPs and endpoint IPs
 * Names inside the domain that do not exist are NXDOMAIN (with the zone's SOA); existing names without data of
 * the asked type (e.g. AAAA) are NOERROR/empty. TTL 5 s, as CoreDNS.
 */
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import type { Answer, Question } from 'dns-packet';

export const TTL = 5;

export interface Zone {
  domain: string;
  a: Map<string, string[]>;
  cname: Map<string, string>;
  srv: Map<string, { priority: number; weight: number; port: number; target: string }[]>;
  ptr: Map<string, string>;
  /** Every name that exists (with or without records), including empty non-terminals. */
  names: Set<string>;
}

const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');

export function buildZone(services: Service[], slices: EndpointSlice[], domain: string): Zone {
  const z: Zone = { domain: norm(domain), a: new Map(), cname: new Map(), srv: new Map(), ptr: new Map(), names: new Set() };
  const add = (m: Map<string, string[]>, k: string, v: string) => { const l = m.get(k) ?? []; if (!l.includes(v)) l.push(v); m.set(k, l); };
  const exist = (name: string) => {
    // name and each parent down to the domain exist
    let n = name;
    while (n.length >= z.domain.length) {
      z.names.add(n);
      const i = n.indexOf('.');
      if (i < 0 || n === z.domain) break;
      n = n.slice(i + 1);
    }
  };
  exist(z.domain);
  exist(`svc.${z.domain}`);
  exist(`pod.${z.domain}`);
  const slicesBy = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    const k = `${s.metadata?.namespace}/${svc}`;
    if (!slicesBy.has(k)) slicesBy.set(k, []);
    slicesBy.get(k)!.push(s);
  }
  for (const svc of services) {
    const ns = svc.metadata?.namespace ?? 'default';
    const name = norm(`${svc.metadata?.name}.${ns}.svc.${z.domain}`);
    exist(name);
    exist(`${ns}.pod.${z.domain}`);
    if (svc.spec?.type === 'ExternalName' && svc.spec.externalName) {
      z.cname.set(name, norm(svc.spec.externalName));
      continue;
    }
    const ip = svc.spec?.clusterIP;
    const headless = !ip || ip === 'None';
    const ready: { ip: string; hostname?: string }[] = [];
    for (const sl of slicesBy.get(`${ns}/${svc.metadata?.name}`) ?? []) {
      for (const e of sl.endpoints ?? []) {
        if (e.conditions?.ready === false) continue;
        for (const a of e.addresses ?? []) ready.push({ ip: a, hostname: e.hostname });
      }
    }
    if (!headless) {
      for (const cip of svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : [ip!]) if (!cip.includes(':')) add(z.a, name, cip);
      z.ptr.set(ptrName(ip!), name);
    } else {
      for (const r of ready) {
        add(z.a, name, r.ip);
        if (r.hostname) {
          const hn = `${r.hostname.toLowerCase()}.${name}`;
          exist(hn);
          add(z.a, hn, r.ip);
          z.ptr.set(ptrName(r.ip), hn);
        }
      }
    }
    for (const p of svc.spec?.ports ?? []) {
      if (!p.name) continue;
      const srvName = `_${p.name.toLowerCase()}._${(p.protocol ?? 'TCP').toLowerCase()}.${name}`;
      exist(srvName);
      const list = headless
        ? ready.map((r) => ({ priority: 0, weight: 100, port: p.port, target: `${(r.hostname ?? r.ip.replace(/\./g, '-')).toLowerCase()}.${name}` }))
        : [{ priority: 0, weight: 100, port: p.port, target: name }];
      if (headless) for (const r of ready) { const t = `${(r.hostname ?? r.ip.replace(/\./g, '-')).toLowerCase()}.${name}`; exist(t); add(z.a, t, r.ip); }
      z.srv.set(srvName, list);
    }
  }
  return z;
}

export function ptrName(ip: string): string { return `${ip.split('.').reverse().join('.')}.in-addr.arpa`; }

/** Whether this server answers for the name (the cluster domain, and reverse names of 10.0.0.0/8). */
export function isLocalName(zone: Zone, qname: string): boolean {
  const n = norm(qname);
  return n === zone.domain || n.endsWith(`.${zone.domain}`) || n.endsWith('.10.in-addr.arpa');
}

export interface ZoneAnswer { rcode: 'NOERROR' | 'NXDOMAIN'; answers: Answer[]; authorities: Answer[] }

export function soa(zone: Zone): Answer {
  return {
    type: 'SOA', name: zone.domain, ttl: TTL, class: 'IN',
    data: { mname: `ns.dns.${zone.domain}`, rname: `hostmaster.${zone.domain}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL },
  } as Answer;
}

/** Answer one question from the zone (call only when isLocalName). */
export function answerQuestion(zone: Zone, q: Question): ZoneAnswer {
  const name = norm(q.name);
  const type = q.type as string; // '*' / ANY included
  const out: ZoneAnswer = { rcode: 'NOERROR', answers: [], authorities: [] };
  if (name.endsWith('.in-addr.arpa')) {
    const t = zone.ptr.get(name);
    if (t && (type === 'PTR' || type === 'ANY')) out.answers.push({ type: 'PTR', name: q.name, ttl: TTL, class: 'IN', data: t } as Answer);
    if (!t) { out.rcode = 'NXDOMAIN'; out.authorities.push(soa(zone)); }
    return out;
  }
  // a-b-c-d.<ns>.pod.<domain>
  const pod = new RegExp(`^(\\d+)-(\\d+)-(\\d+)-(\\d+)\\.([^.]+)\\.pod\\.${zone.domain.replace(/\./g, '\\.')}$`).exec(name);
  if (pod) {
    if (type === 'A' || type === 'ANY') out.answers.push({ type: 'A', name: q.name, ttl: TTL, class: 'IN', data: pod.slice(1, 5).join('.') } as Answer);
    return out;
  }
  const cname = zone.cname.get(name);
  if (cname) {
    out.answers.push({ type: 'CNAME', name: q.name, ttl: TTL, class: 'IN', data: cname } as Answer);
    return out;
  }
  if (!zone.names.has(name)) {
    out.rcode = 'NXDOMAIN';
    out.authorities.push(soa(zone));
    return out;
  }
  if (type === 'A' || type === 'ANY') {
    for (const ip of zone.a.get(name) ?? []) out.answers.push({ type: 'A', name: q.name, ttl: TTL, class: 'IN', data: ip } as Answer);
  }
  if (type === 'SRV' || type === 'ANY') {
    for (const s of zone.srv.get(name) ?? []) out.answers.push({ type: 'SRV', name: q.name, ttl: TTL, class: 'IN', data: s } as Answer);
  }
  if (type === 'SOA' && name === zone.domain) out.answers.push(soa(zone));
  if (out.answers.length === 0) out.authorities.push(soa(zone));
  return out;
}
