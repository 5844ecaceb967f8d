/**
 * Which Service ports the L7 traffic router carries, and how (pure: from the Services and the proxy's model).
 *
 * A Service opts in with the annotations a Rollout's controller keeps on its stable Service
 * (docs: /work/wt/notes/ROLLOUTS-CONTRACT.md, "Opting into kubelite's traffic router"):
 *   traffic.kubelite.io/canary-service: <name of the canary Service, same namespace>
 *   traffic.kubelite.io/canary-weight:  "<integer 0..100>"  (% of requests sent to the canary)
 * Each TCP port of such a Service is routed: requests go to the ready endpoints of the canary Service's matching
 * port (same port name, else the same position) with that probability, to the Service's own endpoints otherwise.
 * If one side has no usable endpoint, everything goes to the other; if neither has one, the port is left to plain
 * DNAT (which rejects it at once, as for any Service without endpoints).
 */
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import { usableEndpoints, type ServicePortInfo } from '../model.ts';

export const CANARY_SERVICE_ANNOTATION = 'traffic.kubelite.io/canary-service';
export const CANARY_WEIGHT_ANNOTATION = 'traffic.kubelite.io/canary-weight';
/** The label the rollout controller puts in each backend Service's selector (Argo's name). */
export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';

export type Side = 'stable' | 'canary';

export interface RouteBackend {
  /** The Service whose endpoints this side uses ('' when the canary Service does not exist). */
  service: string;
  /** rollouts-pod-template-hash in that Service's selector ('' if none). */
  revision: string;
  /** Usable endpoints ("ip:port"), sorted. */
  endpoints: string[];
}

export interface RoutedPort {
  /** Identity of the port, also the HAProxy proxy name: `<namespace>.<service>.<port>` (dots never occur in the names). */
  name: string;
  namespace: string;
  service: string;
  /** The key of the proxy model's ServicePortInfo (servicePortKey). */
  modelKey: string;
  clusterIP: string;
  port: number;
  nodePort?: number;
  /** http: per request (HTTP/1.x; h2 when appProtocol is kubernetes.io/h2c); tcp: per connection. */
  mode: 'http' | 'tcp';
  h2: boolean;
  /** % of requests to the canary, 0..100, as annotated. */
  weight: number;
  stable: RouteBackend;
  canary: RouteBackend;
}

/** The canary weight annotation as a percentage: integers 0..100; anything else is 0 (and reported). */
export function parseCanaryWeight(v: string | undefined): { weight: number; error?: string } {
  if (v === undefined || v.trim() === '') return { weight: 0 };
  const t = v.trim();
  if (!/^\d+$/.test(t) || Number(t) > 100) return { weight: 0, error: `${CANARY_WEIGHT_ANNOTATION}: "${v}" is not an integer between 0 and 100; using 0` };
  return { weight: Number(t) };
}

const HTTP_APP_PROTOCOLS = new Set(['http', 'kubernetes.io/h2c']);

/** The routing mode of a Service port from its appProtocol: HTTP (default) per request, anything else per connection. */
export function portMode(appProtocol: string | undefined): { mode: 'http' | 'tcp'; h2: boolean } {
  if (!appProtocol) return { mode: 'http', h2: false };
  const p = appProtocol.toLowerCase();
  if (!HTTP_APP_PROTOCOLS.has(p)) return { mode: 'tcp', h2: false };
  return { mode: 'http', h2: p === 'kubernetes.io/h2c' };
}

const revisionOf = (svc: Service | undefined) => svc?.spec?.selector?.[POD_TEMPLATE_HASH_LABEL] ?? '';

export interface RoutesResult {
  routes: RoutedPort[];
  /** One message per Service whose annotations could not be honoured as written. */
  problems: string[];
}

/** The ports to route, from the Services and the proxy's model (endpoints per Service port). */
export function buildRoutes(services: Service[], model: ServicePortInfo[]): RoutesResult {
  const byName = new Map<string, Service>();
  for (const s of services) byName.set(`${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`, s);
  const modelBy = new Map<string, ServicePortInfo>();
  for (const sp of model) modelBy.set(`${sp.namespace}/${sp.name}/${sp.portName}/${sp.protocol}`, sp);
  const routes: RoutedPort[] = [];
  const problems: string[] = [];
  for (const svc of services) {
    const canaryName = svc.metadata?.annotations?.[CANARY_SERVICE_ANNOTATION]?.trim();
    if (!canaryName) continue;
    const ns = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    const w = parseCanaryWeight(svc.metadata?.annotations?.[CANARY_WEIGHT_ANNOTATION]);
    if (w.error) problems.push(`${ns}/${name}: ${w.error}`);
    const canarySvc = canaryName === name ? undefined : byName.get(`${ns}/${canaryName}`);
    if (canaryName === name) problems.push(`${ns}/${name}: ${CANARY_SERVICE_ANNOTATION} names the Service itself; sending every request to its own endpoints`);
    else if (!canarySvc) problems.push(`${ns}/${name}: canary Service "${canaryName}" not found; sending every request to the stable endpoints`);
    const ports = svc.spec?.ports ?? [];
    const canaryPorts = canarySvc?.spec?.ports ?? [];
    ports.forEach((p, i) => {
      const protocol = p.protocol ?? 'TCP';
      if (protocol !== 'TCP') return;
      const sp = modelBy.get(`${ns}/${name}/${p.name ?? ''}/TCP`);
      if (!sp) return; // no ClusterIP (headless, ExternalName): nothing to route
      const cp = (p.name ? canaryPorts.find((x) => x.name === p.name) : undefined) ?? canaryPorts[i];
      const csp = cp && (cp.protocol ?? 'TCP') === 'TCP' ? modelBy.get(`${ns}/${canaryName}/${cp.name ?? ''}/TCP`) : undefined;
      const eps = (x: ServicePortInfo | undefined) => usableEndpoints(x?.endpoints ?? []).map((e) => `${e.ip}:${e.port}`).sort();
      const { mode, h2 } = portMode(p.appProtocol);
      routes.push({
        name: `${ns}.${name}.${p.port}`, namespace: ns, service: name,
        modelKey: `${ns}/${name}:${sp.portName}/TCP`,
        clusterIP: sp.clusterIP, port: sp.port, nodePort: sp.nodePort, mode, h2,
        weight: w.weight,
        stable: { service: name, revision: revisionOf(svc), endpoints: eps(sp) },
        canary: { service: canarySvc ? canaryName : '', revision: revisionOf(canarySvc), endpoints: canarySvc ? eps(csp) : [] },
      });
    });
  }
  routes.sort((a, b) => a.name.localeCompare(b.name));
  return { routes, problems };
}

/** A route is carried by the router only while some side has an endpoint; otherwise plain rules reject it. */
export const routable = (r: RoutedPort) => r.stable.endpoints.length + r.canary.endpoints.length > 0;

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/** HAProxy's largest server weight. */
export const MAX_SERVER_WEIGHT = 256;

/**
 * Per-server weights that give the canary side `percent`% of the requests under weighted round robin:
 * nCanary·wc / (nCanary·wc + nStable·ws) = percent/100, with 1 ≤ wc, ws ≤ 256 — exact when the reduced fraction fits
 * (9 stable + 1 canary at 20%: wc 9, ws 4 → 9/45), else the closest pair. A side without servers gets weight 0;
 * 0% and 100% give the other side weight 0 (its servers stay configured but receive nothing).
 */
export function serverWeights(nStable: number, nCanary: number, percent: number): { stable: number; canary: number; canaryShare: number } {
  const pct = Math.min(100, Math.max(0, Math.round(percent)));
  if (nStable === 0 && nCanary === 0) return { stable: 0, canary: 0, canaryShare: 0 };
  if (nCanary === 0 || (pct === 0 && nStable > 0)) return { stable: 1, canary: 0, canaryShare: 0 };
  if (nStable === 0 || pct === 100) return { stable: 0, canary: 1, canaryShare: 1 };
  // wc / ws = nStable·pct / (nCanary·(100 − pct))
  const num = nStable * pct;
  const den = nCanary * (100 - pct);
  const g = gcd(num, den);
  const share = (wc: number, ws: number) => (nCanary * wc) / (nCanary * wc + nStable * ws);
  if (num / g <= MAX_SERVER_WEIGHT && den / g <= MAX_SERVER_WEIGHT) return { canary: num / g, stable: den / g, canaryShare: share(num / g, den / g) };
  const target = pct / 100;
  let best = { canary: 1, stable: 1, err: Infinity };
  const consider = (wc: number, ws: number) => {
    wc = Math.min(MAX_SERVER_WEIGHT, Math.max(1, wc));
    ws = Math.min(MAX_SERVER_WEIGHT, Math.max(1, ws));
    const err = Math.abs(share(wc, ws) - target);
    if (err < best.err - 1e-12) best = { canary: wc, stable: ws, err };
  };
  for (let ws = 1; ws <= MAX_SERVER_WEIGHT; ws++) consider(Math.round((ws * num) / den), ws);
  for (let wc = 1; wc <= MAX_SERVER_WEIGHT; wc++) consider(wc, Math.round((wc * den) / num));
  return { canary: best.canary, stable: best.stable, canaryShare: share(best.canary, best.stable) };
}
