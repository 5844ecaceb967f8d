/**
 * The proxy's view of the cluster (upstream pkg/proxy ServicePortMap + EndpointsMap): one entry per Service
 * port with a ClusterIP, with the endpoints its EndpointSlices list. Pure: built from informer caches.
 */
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';

export interface ProxyEndpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  /** The pod behind it (targetRef.name), for metrics. */
  pod?: string;
}

export interface ServicePortInfo {
  namespace: string;
  name: string;
  /** The Service port's name ('' if unnamed). */
  portName: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  clusterIP: string;
  port: number;
  nodePort?: number;
  /** sessionAffinity ClientIP timeout in seconds, undefined = no affinity. */
  affinitySeconds?: number;
  /** All endpoints of this port (ready or not), de-duplicated by ip:port, sorted. */
  endpoints: ProxyEndpoint[];
}

export const servicePortKey = (sp: { namespace: string; name: string; portName: string; protocol: string }) =>
  `${sp.namespace}/${sp.name}:${sp.portName}/${sp.protocol}`;

/**
 * The endpoints traffic goes to (upstream CategorizeEndpoints, cluster traffic policy): the ready ones;
 * if none is ready, the serving-and-terminating ones, so a Service whose every pod is shutting down keeps
 * answering while they drain.
 */
export function usableEndpoints(eps: ProxyEndpoint[]): ProxyEndpoint[] {
  const ready = eps.filter((e) => e.ready);
  if (ready.length) return ready;
  return eps.filter((e) => e.serving && e.terminating);
}

function ipKey(ip: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? m.slice(1).map((x) => x.padStart(3, '0')).join('.') : ip;
}

/** Build the proxy's model from Services and EndpointSlices. Services without a ClusterIP (headless, ExternalName) are skipped. */
export function buildServiceMap(services: Service[], slices: EndpointSlice[]): ServicePortInfo[] {
  const slicesBySvc = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.['kubernetes.io/service-name'];
    if (!svc || (s.addressType && s.addressType !== 'IPv4')) continue;
    const k = `${s.metadata?.namespace}/${svc}`;
    if (!slicesBySvc.has(k)) slicesBySvc.set(k, []);
    slicesBySvc.get(k)!.push(s);
  }
  const out: ServicePortInfo[] = [];
  for (const svc of services) {
    const ns = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None' || svc.spec?.type === 'ExternalName' || ip.includes(':')) continue;
    const affinity = svc.spec?.sessionAffinity === 'ClientIP'
      ? (svc.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
    const svcSlices = slicesBySvc.get(`${ns}/${name}`) ?? [];
    for (const sp of svc.spec?.ports ?? []) {
      const portName = sp.name ?? '';
      const protocol = (sp.protocol ?? 'TCP') as ServicePortInfo['protocol'];
      const eps = new Map<string, ProxyEndpoint>();
      for (const sl of svcSlices) {
        // The slice port for this Service port: same name and protocol (upstream matches by name).
        const p = (sl.ports ?? []).find((x) => (x.name ?? '') === portName && (x.protocol ?? 'TCP') === protocol);
        if (!p || !p.port) continue;
        for (const e of sl.endpoints ?? []) {
          const c = e.conditions ?? {};
          const ready = c.ready !== false; // nil = ready (upstream)
          const serving = c.serving ?? ready;
          const terminating = c.terminating ?? false;
          for (const addr of (e.addresses ?? []).slice(0, 1)) {
            const k = `${addr}:${p.port}`;
            if (eps.has(k)) continue;
            eps.set(k, { ip: addr, port: p.port, ready, serving, terminating, nodeName: e.nodeName, pod: e.targetRef?.kind === 'Pod' ? e.targetRef.name : undefined });
          }
        }
      }
      out.push({
        namespace: ns, name, portName, protocol, clusterIP: ip, port: sp.port,
        nodePort: (svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer') && sp.nodePort ? sp.nodePort : undefined,
        affinitySeconds: affinity,
        endpoints: [...eps.values()].sort((a, b) => ipKey(a.ip).localeCompare(ipKey(b.ip)) || a.port - b.port),
      });
    }
  }
  return out.sort((a, b) => servicePortKey(a).localeCompare(servicePortKey(b)));
}
