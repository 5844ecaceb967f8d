/** Services, Endpoints and EndpointSlices tables (upstream printService / printEndpoints / printEndpointSlice). */
import { DOC } from './descriptions.ts';
import { type TableDef, col, nameColumn, ageColumn, age, formatLabels, listWithMore } from './table.ts';

function loadBalancerIPs(svc: any): string {
  const seen = new Set<string>();
  for (const ing of svc?.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) seen.add(ing.ip);
    else if (ing.hostname) seen.add(ing.hostname);
  }
  return [...seen].join(',');
}

export function serviceExternalIP(svc: any): string {
  const ext: string[] = svc?.spec?.externalIPs ?? [];
  switch (svc?.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIPs(svc);
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc?.spec?.externalName ?? '';
  }
  return '<unknown>';
}

export function servicePorts(ports: any[] | undefined): string {
  return (ports ?? []).map((p) => (p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`)).join(',');
}

export const serviceTable: TableDef = {
  columns: [
    nameColumn(),
    col('Type', 'string', DOC.svcType),
    col('Cluster-IP', 'string', DOC.svcClusterIP),
    col('External-IP', 'string', DOC.svcExternalIPs),
    col('Port(s)', 'string', DOC.svcPorts),
    ageColumn(),
    col('Selector', 'string', DOC.svcSelector, 1),
  ],
  row(svc: any, nowMs: number) {
    const clusterIP = svc?.spec?.clusterIPs?.[0] ?? '<none>';
    const ports = servicePorts(svc?.spec?.ports) || '<none>';
    return [svc?.metadata?.name ?? '', svc?.spec?.type ?? '', clusterIP, serviceExternalIP(svc), ports, age(svc, nowMs),
      formatLabels(svc?.spec?.selector)];
  },
};

/** "10.88.0.5:80,10.88.0.6:80 + 1 more..." (upstream formatEndpoints with all ports). */
export function formatEndpoints(ep: any): string {
  const subsets: any[] = ep?.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs: any[] = ss.addresses ?? [];
    const ports: any[] = ss.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) { if (list.length === max) { more = true; break; } list.push(a.ip); }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) { more = true; break; }
        const ip: string = a.ip ?? '';
        list.push(ip.includes(':') ? `[${ip}]:${p.port}` : `${ip}:${p.port}`);
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsTable: TableDef = {
  columns: [nameColumn(), col('Endpoints', 'string', DOC.endpointsSubsets), ageColumn()],
  row: (ep: any, nowMs: number) => [ep?.metadata?.name ?? '', formatEndpoints(ep), age(ep, nowMs)],
};

function sliceListCell(items: string[], total: number): string {
  return listWithMore(items, total, 3, '<unset>');
}

export const endpointSliceTable: TableDef = {
  columns: [
    nameColumn(),
    col('AddressType', 'string', DOC.sliceAddressType),
    col('Ports', 'string', DOC.slicePorts),
    col('Endpoints', 'string', DOC.sliceEndpoints),
    ageColumn(),
  ],
  row(s: any, nowMs: number) {
    const ports: any[] = s?.ports ?? [];
    const portStrs = ports.map((p) => (p.port != null ? String(p.port) : p.name != null ? p.name : '*'));
    const addrs: string[] = [];
    for (const e of s?.endpoints ?? []) for (const a of e.addresses ?? []) addrs.push(a);
    return [s?.metadata?.name ?? '', s?.addressType ?? '', sliceListCell(portStrs, portStrs.length),
      sliceListCell(addrs, addrs.length), age(s, nowMs)];
  },
};
