/**
 * Pure planning for a Service's endpoints (upstream pkg/controller/endpoint and pkg/api/v1/endpoints):
 * which pods a Service selects, whether each is ready, which port numbers a Service port resolves to
 * on each pod, and the Endpoints subsets that result. Shared by the EndpointSlice controller.
 */
import type { Pod, Service, EndpointSubset, EndpointAddress, EndpointPort, Endpoints, ServicePort } from 'kubernetes-types/core/v1.d.ts';

/** A Service selector (a plain equality map) matches these labels. An empty or missing selector matches nothing. */
export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

/** Keys ("ns/name") of the Services in the pod's namespace whose selector matches the pod's labels, new or old. */
export function serviceKeysForPod(services: Service[], pod: Pod, old?: Pod): string[] {
  const ns = pod.metadata?.namespace;
  return services
    .filter((s) => s.metadata?.namespace === ns
      && (selectorMatches(s.spec?.selector, pod.metadata?.labels) || (!!old && selectorMatches(s.spec?.selector, old.metadata?.labels))))
    .map((s) => `${ns}/${s.metadata?.name}`);
}

/** Whether the Service's endpoints are computed from pods (it has a non-empty selector and is not ExternalName). */
export function serviceHasSelector(svc: Service): boolean {
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0 && svc.spec?.type !== 'ExternalName';
}

export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}
export function isPodTerminating(pod: Pod): boolean { return !!pod.metadata?.deletionTimestamp; }
function isTerminalPhase(pod: Pod): boolean { return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'; }

/** upstream ShouldPodBeInEndpoints: has an IP, not finished, and (unless terminating ones are wanted) not terminating. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isTerminalPhase(pod)) return false;
  if (!pod.status?.podIP) return false;
  if (!includeTerminating && isPodTerminating(pod)) return false;
  return true;
}

/**
 * The port on the pod a Service port goes to (upstream podutil.FindPort): a number is used as is; a name is
 * looked up among the pod's container ports with the same protocol. Missing targetPort = port.
 * Returns undefined when a named port does not exist on the pod (the pod then lacks that port).
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  const proto = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === tp && (p.protocol ?? 'TCP') === proto) return p.containerPort;
    }
  }
  return undefined;
}

/** The endpoint ports a pod offers for a Service, in Service port order. */
export function endpointPortsFor(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
    if (sp.name) ep.name = sp.name;
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

export function podAddress(pod: Pod, svc: Service): EndpointAddress {
  const a: EndpointAddress = {
    ip: pod.status!.podIP!,
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  // A pod's hostname is published only when its subdomain names this Service (upstream, for headless DNS).
  if (pod.spec?.hostname && pod.spec?.subdomain === svc.metadata?.name) a.hostname = pod.spec.hostname;
  return a;
}

const portKey = (ports: EndpointPort[]) => ports.map((p) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`).join(',');
const ipCompare = (a: { ip: string }, b: { ip: string }) => ipSortKey(a.ip).localeCompare(ipSortKey(b.ip));
function ipSortKey(ip: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? m.slice(1).map((x) => x.padStart(3, '0')).join('.') : ip;
}

/**
 * The Endpoints subsets of a Service (upstream endpoint controller + RepackSubsets): every pod its selector
 * matches that has an IP; ready pods in `addresses`, others in `notReadyAddresses`; terminating pods are left
 * out (unless publishNotReadyAddresses); pods grouped by the ports they resolve to; addresses sorted by IP.
 */
export function planEndpointSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const headlessNoPorts = svc.spec?.clusterIP === 'None' && (svc.spec?.ports ?? []).length === 0;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[]; seen: Set<string> }>();
  for (const pod of pods) {
    if (pod.metadata?.namespace !== svc.metadata?.namespace) continue;
    if (!selectorMatches(svc.spec?.selector, pod.metadata?.labels)) continue;
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ports = endpointPortsFor(svc, pod);
    if (ports.length === 0 && !headlessNoPorts) continue;
    const key = portKey(ports);
    let g = groups.get(key);
    if (!g) { g = { ports, ready: [], notReady: [], seen: new Set() }; groups.set(key, g); }
    const addr = podAddress(pod, svc);
    if (g.seen.has(addr.ip)) continue;
    g.seen.add(addr.ip);
    if (publishNotReady || isPodReady(pod)) g.ready.push(addr);
    else g.notReady.push(addr);
  }
  const subsets: EndpointSubset[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const s: EndpointSubset = {};
    if (g.ready.length) s.addresses = g.ready.sort(ipCompare);
    if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(ipCompare);
    if (g.ports.length) s.ports = g.ports;
    subsets.push(s);
  }
  return subsets;
}

/** Labels the Endpoints object carries: the Service's, plus service.kubernetes.io/headless for headless ones. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const l: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') l['service.kubernetes.io/headless'] = '';
  else delete l['service.kubernetes.io/headless'];
  return l;
}

/** The Endpoints object the controller wants for a Service (to create or to compare with the current one). */
export function desiredEndpoints(svc: Service, pods: Pod[]): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata!.name, namespace: svc.metadata!.namespace, labels: endpointsLabels(svc) },
    subsets: planEndpointSubsets(svc, pods),
  };
}

/** Deep equality of JSON-like values, ignoring key order and treating missing and empty arrays alike. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(canon) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canon((v as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

/** Whether the current Endpoints already say what `want` says (subsets and labels). */
export function endpointsUpToDate(cur: Endpoints, want: Endpoints): boolean {
  return jsonEqual(cur.subsets ?? [], want.subsets ?? []) && jsonEqual(cur.metadata?.labels ?? {}, want.metadata?.labels ?? {});
}
