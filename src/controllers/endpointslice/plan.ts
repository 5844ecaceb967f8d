/**
 * Pure planning for EndpointSlices (discovery.k8s.io/v1), as upstream pkg/controller/endpointslice
 * (reconciler + utils) and pkg/controller/endpointslicemirroring, simplified:
 *  - an endpoint per selected pod with an IP, conditions ready (= ready and not terminating, or
 *    publishNotReadyAddresses), serving (= ready), terminating (= deletionTimestamp set);
 *  - endpoints grouped by address type and by the ports they resolve to, at most `maxPerSlice` per slice;
 *  - existing slices of the same group are reused in name order, so an update rewrites as few as possible;
 *  - a Service with no endpoints keeps one empty placeholder slice, as upstream.
 */
import type { Pod, Service, Endpoints, ObjectReference } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice, Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.d.ts';
import { selectorMatches, shouldPodBeInEndpoints, endpointPortsFor, isPodReady, isPodTerminating, jsonEqual } from '../endpoints/plan.ts';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
export const MANAGED_BY_CONTROLLER = 'endpointslice-controller.k8s.io';
export const MANAGED_BY_MIRRORING = 'endpointslicemirroring-controller.k8s.io';
export const DEFAULT_MAX_PER_SLICE = 100;

/** One endpoint before it is placed into a slice. */
export interface PlannedEndpoint {
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  hostname?: string;
  targetRef?: ObjectReference;
  ports: EndpointPort[];
}

export function addressTypeOf(ip: string): 'IPv4' | 'IPv6' { return ip.includes(':') ? 'IPv6' : 'IPv4'; }

/** Endpoints of a Service with a selector, from the pods (terminating pods included, not ready). */
export function endpointsFromPods(svc: Service, pods: Pod[]): PlannedEndpoint[] {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const headlessNoPorts = svc.spec?.clusterIP === 'None' && (svc.spec?.ports ?? []).length === 0;
  const out: PlannedEndpoint[] = [];
  for (const pod of pods) {
    if (pod.metadata?.namespace !== svc.metadata?.namespace) continue;
    if (!selectorMatches(svc.spec?.selector, pod.metadata?.labels)) continue;
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPortsFor(svc, pod);
    if (ports.length === 0 && !headlessNoPorts) continue;
    const serving = isPodReady(pod);
    const terminating = isPodTerminating(pod);
    const e: PlannedEndpoint = {
      ip: pod.status!.podIP!,
      ready: publishNotReady || (serving && !terminating),
      serving, terminating, ports,
      targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
    };
    if (pod.spec?.nodeName) e.nodeName = pod.spec.nodeName;
    if (pod.spec?.hostname && pod.spec?.subdomain === svc.metadata?.name) e.hostname = pod.spec.hostname;
    out.push(e);
  }
  return out;
}

/** Endpoints of a selectorless Service, mirrored from its (hand-written) Endpoints object. */
export function endpointsFromEndpoints(ep: Endpoints): PlannedEndpoint[] {
  const out: PlannedEndpoint[] = [];
  for (const s of ep.subsets ?? []) {
    const ports: EndpointPort[] = (s.ports ?? []).map((p) => {
      const o: EndpointPort = { port: p.port, protocol: p.protocol ?? 'TCP' };
      if (p.name) o.name = p.name;
      if (p.appProtocol) o.appProtocol = p.appProtocol;
      return o;
    });
    const add = (a: NonNullable<typeof s.addresses>[number], ready: boolean) => {
      const e: PlannedEndpoint = { ip: a.ip, ready, serving: ready, terminating: false, ports };
      if (a.nodeName) e.nodeName = a.nodeName;
      if (a.hostname) e.hostname = a.hostname;
      if (a.targetRef) e.targetRef = a.targetRef;
      out.push(e);
    };
    for (const a of s.addresses ?? []) add(a, true);
    for (const a of s.notReadyAddresses ?? []) add(a, false);
  }
  return out;
}

const portKey = (ports: EndpointPort[]) => ports.map((p) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`).join(',');
function ipSortKey(ip: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? m.slice(1).map((x) => x.padStart(3, '0')).join('.') : ip;
}

function toEndpoint(e: PlannedEndpoint): Endpoint {
  const o: Endpoint = { addresses: [e.ip], conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating } };
  if (e.hostname) o.hostname = e.hostname;
  if (e.nodeName) o.nodeName = e.nodeName;
  if (e.targetRef) o.targetRef = e.targetRef;
  return o;
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface PlanOptions {
  managedBy: string;
  maxPerSlice?: number;
  /** A fresh object name for a new slice (upstream: generateName `<service>-`). */
  newName: (svc: Service) => string;
}

/** Labels of every slice of a Service: the Service's own, plus service-name and managed-by. */
export function sliceLabels(svc: Service, managedBy: string): Record<string, string> {
  const l: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') l['service.kubernetes.io/headless'] = '';
  else delete l['service.kubernetes.io/headless'];
  l[LABEL_SERVICE_NAME] = svc.metadata!.name!;
  l[LABEL_MANAGED_BY] = managedBy;
  return l;
}

/**
 * Decide which slices to create, update and delete so that `existing` (this Service's slices managed by
 * `opts.managedBy`) holds exactly `endpoints`.
 */
export function planEndpointSlices(svc: Service, endpoints: PlannedEndpoint[], existing: EndpointSlice[], opts: PlanOptions): SlicePlan {
  const max = opts.maxPerSlice ?? DEFAULT_MAX_PER_SLICE;
  const labels = sliceLabels(svc, opts.managedBy);
  const owner = { apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true };

  // Desired groups: addressType|ports → sorted, de-duplicated endpoints.
  const groups = new Map<string, { addressType: string; ports: EndpointPort[]; eps: PlannedEndpoint[]; seen: Set<string> }>();
  for (const e of endpoints) {
    const at = addressTypeOf(e.ip);
    const key = `${at}|${portKey(e.ports)}`;
    let g = groups.get(key);
    if (!g) { g = { addressType: at, ports: e.ports, eps: [], seen: new Set() }; groups.set(key, g); }
    if (g.seen.has(e.ip)) continue;
    g.seen.add(e.ip);
    g.eps.push(e);
  }
  if (groups.size === 0) groups.set('IPv4|', { addressType: 'IPv4', ports: [], eps: [], seen: new Set() }); // placeholder

  // Existing slices by the same key, in name order.
  const byKey = new Map<string, EndpointSlice[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const key = `${s.addressType}|${portKey(s.ports ?? [])}`;
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key)!.push(s);
  }

  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const toCreate: { addressType: string; ports: EndpointPort[]; eps: Endpoint[] }[] = [];
  const leftovers: EndpointSlice[] = [];
  const write = (old: EndpointSlice, ports: EndpointPort[], eps: Endpoint[]) => {
    const same = jsonEqual(old.endpoints ?? [], eps) && jsonEqual(old.ports ?? [], ports)
      && jsonEqual(old.metadata?.labels ?? {}, labels)
      && (old.metadata?.ownerReferences ?? []).some((o) => o.uid === owner.uid && o.controller);
    if (!same) plan.update.push({ ...old, metadata: { ...old.metadata, labels, ownerReferences: [owner] }, endpoints: eps, ports });
  };
  for (const [key, g] of groups) {
    g.eps.sort((a, b) => ipSortKey(a.ip).localeCompare(ipSortKey(b.ip)));
    const chunks: PlannedEndpoint[][] = [];
    for (let i = 0; i < g.eps.length; i += max) chunks.push(g.eps.slice(i, i + max));
    if (chunks.length === 0) chunks.push([]);
    const olds = byKey.get(key) ?? [];
    byKey.delete(key);
    chunks.forEach((chunk, i) => {
      const eps = chunk.map(toEndpoint);
      if (olds[i]) write(olds[i], g.ports, eps);
      else toCreate.push({ addressType: g.addressType, ports: g.ports, eps });
    });
    leftovers.push(...olds.slice(chunks.length));
  }
  for (const rest of byKey.values()) leftovers.push(...rest);
  // Reuse a leftover slice of the same address type (e.g. the placeholder) before creating a new one.
  for (const c of toCreate) {
    const i = leftovers.findIndex((s) => s.addressType === c.addressType);
    if (i >= 0) { write(leftovers.splice(i, 1)[0], c.ports, c.eps); continue; }
    plan.create.push({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: opts.newName(svc), namespace: svc.metadata!.namespace, labels, ownerReferences: [owner] },
      addressType: c.addressType, endpoints: c.eps, ports: c.ports,
    });
  }
  plan.delete.push(...leftovers);
  return plan;
}
