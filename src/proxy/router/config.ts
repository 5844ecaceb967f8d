/**
 * The HAProxy side of the traffic router (pure): server slots per routed port, the configuration file, and the
 * runtime-API commands that move a running HAProxy from one state to the next without a reload.
 *
 * Each routed Service port is one `listen` section named `<namespace>.<service>.<port>` bound on 127.0.0.1 (the
 * proxy DNATs ClusterIP:port there, from the host and, with route_localnet, from pods). Its servers are fixed
 * slots — `s1..sN` for the stable side, `c1..cM` for the canary side — whose address, weight and state change at
 * runtime (`set server <proxy>/<slot> addr|weight|state`), so weight and endpoint changes keep every established
 * client connection and in-flight request. Only new or removed ports, or a side outgrowing its slots, need a
 * reload (master-worker: the old worker finishes its requests, idle keep-alive connections get `Connection: close`
 * on their next response, option idle-close-on-response).
 *
 * Balancing is weighted round robin per request (HTTP, keep-alive included) or per connection (tcp mode), with the
 * per-server weights of serverWeights(); every request is logged (one raw line: proxy, server, status, response
 * time, total time, termination state) into a ring that HAProxy forwards to the proxy over a unix socket.
 */
import { serverWeights, type RoutedPort, type Side } from './routes.ts';

export interface PortState {
  name: string;
  mode: 'http' | 'tcp';
  h2: boolean;
  /** Where HAProxy listens for this port (127.0.0.1:<port>). */
  bindPort: number;
  /** Endpoint ("ip:port") per slot, undefined = empty slot (in maintenance). */
  stable: (string | undefined)[];
  canary: (string | undefined)[];
  /** Weight of every filled slot of each side. */
  weights: { stable: number; canary: number };
}

/** Slots per side: at least 4, then powers of two, so a growing Deployment rarely needs a reload. */
export function slotCapacity(n: number): number {
  let c = 4;
  while (c < n) c *= 2;
  return c;
}

/**
 * Place endpoints in slots, keeping every endpoint that stays in the slot it had (its connections and counters
 * stay put); new endpoints take the lowest free slots; the slot list grows (to slotCapacity) only when full.
 */
export function assignSlots(prev: (string | undefined)[], endpoints: string[]): (string | undefined)[] {
  const want = new Set(endpoints);
  const cap = Math.max(prev.length, slotCapacity(endpoints.length));
  const out: (string | undefined)[] = Array.from({ length: cap }, (_, i) => (prev[i] !== undefined && want.has(prev[i]!) ? prev[i] : undefined));
  const placed = new Set(out.filter((x): x is string => x !== undefined));
  let free = 0;
  for (const ep of endpoints) {
    if (placed.has(ep)) continue;
    while (out[free] !== undefined) free++;
    out[free] = ep;
    placed.add(ep);
  }
  return out;
}

/** The state a route should have in HAProxy, given what it had before (slots are kept stable). */
export function desiredState(r: RoutedPort, bindPort: number, prev?: PortState): PortState {
  const stable = assignSlots(prev?.stable ?? [], r.stable.endpoints);
  const canary = assignSlots(prev?.canary ?? [], r.canary.endpoints);
  const w = serverWeights(r.stable.endpoints.length, r.canary.endpoints.length, r.weight);
  return { name: r.name, mode: r.mode, h2: r.h2, bindPort, stable, canary, weights: { stable: w.stable, canary: w.canary } };
}

/** True when `next` can be reached from `cur` with runtime commands alone (same listener and slot layout). */
export function sameLayout(cur: PortState, next: PortState): boolean {
  return cur.name === next.name && cur.mode === next.mode && cur.h2 === next.h2 && cur.bindPort === next.bindPort &&
    cur.stable.length === next.stable.length && cur.canary.length === next.canary.length;
}

export const slotName = (side: Side, i: number) => `${side === 'stable' ? 's' : 'c'}${i + 1}`;

/** Parse a slot name back: 's3' → stable, 'c1' → canary. */
export function slotSide(server: string): Side | undefined {
  return /^s\d+$/.test(server) ? 'stable' : /^c\d+$/.test(server) ? 'canary' : undefined;
}

function splitEndpoint(ep: string): { ip: string; port: string } {
  const i = ep.lastIndexOf(':');
  return { ip: ep.slice(0, i), port: ep.slice(i + 1) };
}

/**
 * Runtime commands taking a port from `cur` to `next` (same layout). Order per slot: address, weight, then state,
 * so a slot is only put in service once it points at its endpoint with its weight.
 */
export function runtimeCommands(cur: PortState, next: PortState): string[] {
  const cmds: string[] = [];
  for (const side of ['stable', 'canary'] as const) {
    const a = cur[side];
    const b = next[side];
    const wa = cur.weights[side];
    const wb = next.weights[side];
    for (let i = 0; i < b.length; i++) {
      const srv = `${next.name}/${slotName(side, i)}`;
      if (b[i] === undefined) {
        if (a[i] !== undefined) cmds.push(`set server ${srv} state maint`);
        continue;
      }
      if (a[i] !== b[i]) {
        const { ip, port } = splitEndpoint(b[i]!);
        cmds.push(`set server ${srv} addr ${ip} port ${port}`);
        cmds.push(`set server ${srv} weight ${wb}`);
        cmds.push(`set server ${srv} state ready`);
      } else if (wa !== wb) {
        cmds.push(`set server ${srv} weight ${wb}`);
      }
    }
  }
  return cmds;
}

export interface GlobalSettings {
  /** Runtime API (stats) socket: root only, admin level. */
  adminSocket: string;
  /** The unix socket the proxy reads request logs from (HAProxy's ring forwards them there). */
  logSocket: string;
  /** Drop privileges to this user/group after binding (the Debian package's haproxy user); omitted = stay. */
  user?: string;
  group?: string;
  /** Size of the request-log ring buffer in bytes (absorbs pauses of the reader). */
  ringBytes?: number;
  /** Worker threads (default routerThreads()). */
  threads?: number;
}

/**
 * HAProxy threads for a node with `cpus` CPUs: half of them (at least 1, at most 4). The router shares the node
 * with the pods it forwards to; on the 2-vCPU machines one thread gave the best throughput (docs/benchmarks.md).
 */
export function routerThreads(cpus: number): number {
  return Math.max(1, Math.min(4, Math.floor(cpus / 2)));
}

/** The fields of a request log line, in order (see parseLogLine in stats.ts). */
export const HTTP_LOG_FORMAT = '%b %s %ST %Tr %Ta %ts';
export const TCP_LOG_FORMAT = '%b %s - %Tc %Tt %ts';

function serverLine(side: Side, i: number, ep: string | undefined, weight: number, h2: boolean): string {
  const proto = h2 ? ' proto h2' : '';
  if (ep === undefined) return `  server ${slotName(side, i)} 127.0.0.1:1 weight 0 disabled${proto}`;
  return `  server ${slotName(side, i)} ${ep} weight ${weight}${proto}`;
}

/** The whole configuration file for the given ports. */
export function renderConfig(g: GlobalSettings, ports: PortState[]): string {
  const out: string[] = [
    '# Written by the kubelite service proxy: the L7 traffic router of Services annotated with',
    '# traffic.kubelite.io/canary-service (src/proxy/router). Rewritten on every change; do not edit.',
    'global',
    '  master-worker',
    ...(g.user ? [`  user ${g.user}`] : []),
    ...(g.group ? [`  group ${g.group}`] : []),
    `  nbthread ${g.threads ?? 1}`,
    `  stats socket ${g.adminSocket} mode 600 level admin expose-fd listeners`,
    '  stats timeout 30s',
    '  hard-stop-after 60s',
    '  log ring@requests len 1024 format raw local0 info',
    '',
    'ring requests',
    '  format raw',
    '  maxlen 1024',
    `  size ${g.ringBytes ?? 8 * 1024 * 1024}`,
    '  timeout connect 5s',
    '  timeout server 60s',
    `  server sink unix@${g.logSocket} log-proto octet-count`,
    '',
    'defaults',
    '  log global',
    '  option dontlognull',
    '  option idle-close-on-response',
    '  timeout connect 5s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout tunnel 1h',
    '  timeout http-request 60s',
    '  timeout http-keep-alive 5m',
    '  timeout client-fin 30s',
    '  retries 2',
    '  option redispatch 1',
    '',
  ];
  for (const p of ports) {
    out.push(`listen ${p.name}`);
    out.push(`  bind 127.0.0.1:${p.bindPort}${p.h2 ? ' proto h2' : ''}`);
    out.push(`  mode ${p.mode}`);
    out.push('  balance roundrobin');
    out.push(`  log-format "${p.mode === 'http' ? HTTP_LOG_FORMAT : TCP_LOG_FORMAT}"`);
    p.stable.forEach((ep, i) => out.push(serverLine('stable', i, ep, p.weights.stable, p.h2)));
    p.canary.forEach((ep, i) => out.push(serverLine('canary', i, ep, p.weights.canary, p.h2)));
    out.push('');
  }
  return out.join('\n');
}
