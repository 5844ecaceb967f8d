/**
 * The service proxy of a node (kube-proxy, iptables mode): watches Services and EndpointSlices and keeps the
 * kernel's NAT rules (src/proxy/rules.ts) equal to them, so connections to ClusterIP:port and to
 * <node>:nodePort — from the host and from pods — are DNATed to a ready endpoint chosen at random (or the
 * client's previous one with sessionAffinity ClientIP). Why kernel DNAT and not a userspace relay:
 * docs/services.md (measured: bench/services.ts).
 *
 * Syncs run as soon as a watch event arrives (one at a time; events during a sync cause one more), plus a
 * periodic resync that repairs rules someone else flushed. Per-endpoint connection counters are exported in
 * Prometheus format on http://127.0.0.1:10249/metrics (another free port if that one is taken).
 * Services annotated traffic.kubelite.io/canary-service are DNATed to the L7 traffic router instead
 * (src/proxy/router: HAProxy splitting requests between stable and canary endpoints by weight, and measuring them:
 * GET /traffic, kubelite_traffic_* metrics, ProxyHandle.traffic).
 * stop() removes every rule and chain it made, and stops the router.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Pod as PodT } from 'kubernetes-types/core/v1.d.ts';
import type { Service as ServiceT } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice as EndpointSliceT } from 'kubernetes-types/discovery/v1.d.ts';
import type { KubeObject } from '../api/resource.ts';
import type { KubeClient } from '../client/client.ts';
import { SharedInformers } from '../client/factory.ts';
import { R } from '../client/resources.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { buildServiceMap, usableEndpoints, type ServicePortInfo } from './model.ts';
import { buildRules, chainNames, foreignPodIPs, jumpRules, listOurChains, parseSepCounters, type SepInfo } from './rules.ts';
import { Iptables, readSysctl, writeSysctl } from './iptables.ts';
import { serveMetrics, type Family } from './metrics.ts';
import { TrafficRouter, type Redirect } from './router/router.ts';
import { trafficRoute } from './router/traffic-api.ts';
import { deferredTrafficSource } from './router/source.ts';
import type { TrafficStatsSource } from '../analysis/traffic-source.ts';

type Service = ServiceT & KubeObject;
type Pod = PodT & KubeObject;
type EndpointSlice = EndpointSliceT & KubeObject;

export interface ProxyOptions {
  client: KubeClient;
  nodeName: string;
  clock?: Clock;
  /** Distinguishes proxies of different clusters on one host (chain names); '' = plain KUBELITE-* chains. */
  instance?: string;
  /** Service CIDR: traffic to it that matches no Service is rejected instead of routed off the node. */
  serviceCIDR?: string;
  /** Metrics listen address (default 127.0.0.1:10249; port 0 = any free port). */
  metricsHost?: string;
  metricsPort?: number;
  /** Periodic full resync (default 30 s). */
  resyncMs?: number;
  /** How often other clusters' pod lists on this host are re-read (default 2 s). */
  foreignPollMs?: number;
  log?: (msg: string) => void;
  /** Program this network namespace instead of the host's (tests with their own netns fixture). */
  netns?: string;
  /**
   * The L7 traffic router for Services annotated traffic.kubelite.io/canary-service (src/proxy/router): on by
   * default (it starts HAProxy only while such a Service exists); false (or `netns`) = those Services get plain DNAT.
   */
  trafficRouter?: boolean;
  /** Private directory for the router's HAProxy files (default defaultRouterDir(instance)); its parents must be searchable by the haproxy user. */
  routerDir?: string;
  /** HAProxy binary (default `haproxy`). */
  haproxyBin?: string;
}

export interface ProxyHandle {
  stop(): Promise<void>;
  /** Where the Prometheus metrics are served. */
  metricsUrl: string;
  /** Run a sync now and wait for it (tests). */
  sync(): Promise<void>;
  /** The current model (tests, debugging). */
  services(): ServicePortInfo[];
  /** Whether the rules now in the kernel send new connections to this endpoint IP (the drain's LocalProxy). */
  routesTo(ip: string): boolean;
  /** The traffic router's request measurements (window queries), also served as GET /traffic. */
  traffic: TrafficStatsSource;
  /** The traffic router (undefined when disabled): what HAProxy carries, its pid (tests, debugging). */
  router?: TrafficRouter;
}

/**
 * Where the router of a proxy instance keeps HAProxy's files: /run/kubelite/router-<instance> (root's, not under the
 * data dir, whose 0700 would keep HAProxy's unprivileged workers from reaching the request-log socket).
 */
export function defaultRouterDir(instance: string): string {
  const name = `router-${instance || 'default'}`;
  try {
    accessSync('/run', constants.W_OK);
    return join('/run/kubelite', name);
  } catch {
    return join(tmpdir(), `kubelite-${name}`);
  }
}

/**
 * The proxy instance id for a cluster's data dir: '' (plain KUBELITE-* chains) for the default ~/.kubelite,
 * a short hash for any other, so test clusters and a manual cluster on one host never touch each other's rules.
 */
export function instanceForDataDir(dataDir: string): string {
  const def = join(homedir(), '.kubelite');
  if (resolve(dataDir) === resolve(def)) return '';
  return 'd' + createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 5);
}

export async function startProxy(opts: ProxyOptions): Promise<ProxyHandle> {
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? ((m: string) => console.log(`proxy: ${m}`));
  const names = chainNames(opts.instance ?? '');
  const ipt = new Iptables(opts.netns);
  const informers = new SharedInformers(opts.client);
  const svcInf = informers.get<Service>(R.services);
  const sliceInf = informers.get<EndpointSlice>(R.endpointslices);
  const podInf = informers.get<Pod>(R.pods);

  // Kernel prerequisites (as kubelet/CNI and kube-proxy set them): forwarding for pod traffic, and
  // route_localnet so 127.0.0.1:<nodePort> can be DNATed (guarded by the KUBELITE-INPUT rule).
  const changedSysctls: [string, string][] = [];
  if (!opts.netns) for (const [path, want] of [['net/ipv4/ip_forward', '1'], ['net/ipv4/conf/all/route_localnet', '1']] as const) {
    const cur = readSysctl(path);
    if (cur !== undefined && cur !== want && writeSysctl(path, want)) changedSysctls.push([path, cur]);
  }

  let model: ServicePortInfo[] = [];
  /** Endpoint IPs the rules in the kernel send new connections to (for the kubelet's drain). */
  let routed = new Set<string>();
  let seps = new Map<string, SepInfo>();
  let svcChains = new Set<string>();
  let stale: string[] = [];
  /** Connections counted by SEP chains that were since rewritten or deleted, by endpoint identity. */
  const base = new Map<string, number>();
  const sepKey = (s: SepInfo) => `${s.namespace}/${s.service}/${s.port}/${s.endpoint}`;
  let syncs = 0;
  let syncErrors = 0;
  let lastSyncSeconds = 0;
  let lastSyncAt = 0;

  // Leftovers of an earlier run of this instance (crash, kill -9): delete them in the first sync.
  {
    const save = await ipt.save('nat');
    stale = listOurChains(save, [names.svcPrefix, names.sepPrefix]);
  }

  let running: Promise<void> | undefined;
  let again = false;
  /** Check the jumps from built-in chains on the first sync, each periodic resync and after a failure. */
  let needJumps = true;
  let foreign: string[] = [];
  let stopped = false;
  // (Not in a test's private netns: HAProxy would listen in the host's.)
  const router = opts.trafficRouter === false || opts.netns ? undefined : new TrafficRouter({
    dir: opts.routerDir ?? defaultRouterDir(opts.instance ?? ''), clock, log, bin: opts.haproxyBin,
    requestSync: () => { again = true; void sync(); },
  });

  const doSync = async () => {
    const t0 = performance.now();
    model = buildServiceMap(svcInf.list(), sliceInf.list());
    const localPodIPs = podInf.list().filter((p) => !p.spec?.hostNetwork && p.status?.podIP).map((p) => p.status!.podIP!);
    // Other proxies' pods: read on the first sync, then kept current by the watcher below.
    if (syncs === 0) foreign = foreignPodIPs(await ipt.save('nat'), names.pods);
    // Ports of traffic-routed Services go to HAProxy once it carries them (router.prepare), plain DNAT otherwise.
    let redirects = new Map<string, Redirect>();
    if (router) {
      try { redirects = await router.prepare(svcInf.list(), model); } catch (e) { log(`traffic router: ${(e as Error).message}`); }
    }
    const rs = buildRules(model, { names, serviceCIDR: opts.serviceCIDR, previous: seps, previousSvc: svcChains, stale, localPodIPs, foreignPodIPs: foreign, redirects });
    if (rs.rewritten.length) {
      // Keep counters monotonic across chains we are about to reset.
      const counts = parseSepCounters(await ipt.save('nat', true), names.sepPrefix);
      for (const c of rs.rewritten) {
        const info = seps.get(c);
        if (info) base.set(sepKey(info), (base.get(sepKey(info)) ?? 0) + (counts.get(c) ?? 0));
      }
    }
    await ipt.restore(rs.text);
    routed = new Set(model.flatMap((sp) => usableEndpoints(sp.endpoints).map((e) => e.ip)));
    seps = rs.seps;
    svcChains = rs.svcChains;
    stale = [];
    if (needJumps) {
      for (const [table, chain, rule] of jumpRules(names)) await ipt.ensureJump(table, chain, rule);
      needJumps = false;
    }
    // Rules no longer send to ports the router dropped: let HAProxy forget them.
    if (router) await router.finish().catch((e) => log(`traffic router: ${(e as Error).message}`));
    syncs++;
    lastSyncSeconds = (performance.now() - t0) / 1000;
    lastSyncAt = clock.now();
  };

  const sync = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) { again = true; return running; }
    running = (async () => {
      do {
        again = false;
        try { await doSync(); } catch (e) { syncErrors++; needJumps = true; log(`sync failed: ${(e as Error).message}`); }
      } while (again && !stopped);
      running = undefined;
    })();
    return running;
  };
  const trigger = () => { if (svcInf.hasSynced() && sliceInf.hasSynced() && podInf.hasSynced()) void sync(); };
  for (const inf of [svcInf, sliceInf] as const) {
    (inf as any).addHandler({ add: trigger, update: trigger, delete: trigger });
  }
  // Pods matter only through their IPs (the KUBELITE-PODS chain).
  podInf.addHandler({
    add: (p) => { if (p.status?.podIP) trigger(); },
    update: (o, p) => { if (o.status?.podIP !== p.status?.podIP) trigger(); },
    delete: (p) => { if (p.status?.podIP) trigger(); },
  });
  await informers.startAll();
  await sync();

  // Other kubelite proxies on this host (other clusters) list their pods in their KUBELITE-PODS* chains; a new
  // pod of theirs must be left to them within a moment, so re-read those lists every 2 s and resync on change.
  let foreignTimer: { cancel(): void } | undefined;
  const watchForeign = () => {
    foreignTimer = clock.setTimeout(async () => {
      if (stopped) return;
      try {
        const f = foreignPodIPs(await ipt.save('nat'), names.pods);
        if (f.join(',') !== foreign.join(',')) { foreign = f; again = true; void sync(); }
      } catch { /* next round */ }
      if (!stopped) watchForeign();
    }, opts.foreignPollMs ?? 2000);
  };
  watchForeign();
  let timer: { cancel(): void } | undefined;
  const schedule = () => {
    timer = clock.setTimeout(() => { needJumps = true; void sync().then(() => { if (!stopped) schedule(); }); }, opts.resyncMs ?? 30_000);
  };
  schedule();

  const collect = async (): Promise<Family[]> => {
    const counts = parseSepCounters(await ipt.save('nat', true), names.sepPrefix);
    const conns: Family = {
      name: 'kubelite_proxy_endpoint_connections_total', type: 'counter',
      help: 'Connections (first packets) the proxy sent to each endpoint of a Service port.', samples: [],
    };
    for (const s of seps.values()) {
      conns.samples.push({
        labels: { namespace: s.namespace, service: s.service, port: s.port, endpoint: s.endpoint, pod: s.pod ?? '' },
        value: (base.get(sepKey(s)) ?? 0) + (counts.get(s.chain) ?? 0),
      });
    }
    const ready: Family = {
      name: 'kubelite_proxy_endpoint_ready', type: 'gauge',
      help: '1 if the endpoint receives new connections (ready, or serving while terminating with no ready peer), else 0.', samples: [],
    };
    for (const sp of model) {
      const used = new Set(usableEndpoints(sp.endpoints).map((e) => `${e.ip}:${e.port}`));
      for (const e of sp.endpoints) {
        ready.samples.push({ labels: { namespace: sp.namespace, service: sp.name, port: sp.portName || String(sp.port), endpoint: `${e.ip}:${e.port}`, pod: e.pod ?? '' }, value: used.has(`${e.ip}:${e.port}`) ? 1 : 0 });
      }
    }
    return [conns, ready,
      { name: 'kubelite_proxy_service_ports', type: 'gauge', help: 'Service ports the proxy programs.', samples: [{ labels: {}, value: model.length }] },
      { name: 'kubelite_proxy_sync_total', type: 'counter', help: 'Rule syncs applied.', samples: [{ labels: {}, value: syncs }] },
      { name: 'kubelite_proxy_sync_errors_total', type: 'counter', help: 'Rule syncs that failed.', samples: [{ labels: {}, value: syncErrors }] },
      { name: 'kubelite_proxy_last_sync_duration_seconds', type: 'gauge', help: 'Duration of the last rule sync.', samples: [{ labels: {}, value: lastSyncSeconds }] },
      { name: 'kubelite_proxy_last_sync_timestamp_seconds', type: 'gauge', help: 'When the last rule sync finished.', samples: [{ labels: {}, value: lastSyncAt / 1000 }] },
      ...(router ? router.stats.families() : []),
    ];
  };
  const traffic = router ? router.stats : deferredTrafficSource();
  const metrics = await serveMetrics(collect, opts.metricsHost ?? '127.0.0.1', opts.metricsPort ?? 10249,
    router ? { '/traffic': trafficRoute(router.stats) } : {});
  log(`programming services with iptables (chains ${names.services}, ${names.svcPrefix}*), metrics at ${metrics.url}`);

  return {
    metricsUrl: metrics.url,
    sync: async () => { again = true; await sync(); await running; },
    services: () => model,
    traffic,
    router,
    routesTo: (ip) => routed.has(ip),
    stop: async () => {
      stopped = true;
      timer?.cancel();
      foreignTimer?.cancel();
      await running;
      await informers.stopAll();
      await new Promise<void>((r) => metrics.server.close(() => r()));
      metrics.server.closeAllConnections?.();
      await cleanupRules(ipt, names);
      await router?.stop();
      // Put sysctls back only if no other kubelite proxy still relies on them.
      const others = listOurChains(await ipt.save('nat'), ['KUBELITE-SERVICES', 'KL']).length > 0;
      if (!others) for (const [p, v] of changedSysctls) if (p.includes('route_localnet')) writeSysctl(p, v);
    },
  };
}

/** Remove the jumps into our chains and every chain of this instance (nat and filter). */
export async function cleanupRules(ipt: Iptables, names: ReturnType<typeof chainNames>): Promise<void> {
  for (const [table, chain, rule] of jumpRules(names)) await ipt.deleteJump(table, chain, rule);
  const tops = [names.services, names.pods, names.nodeports, names.postrouting, names.markMasq];
  const nat = listOurChains(await ipt.save('nat'), [names.svcPrefix, names.sepPrefix, ...tops])
    .filter((c) => c.startsWith(names.svcPrefix) || c.startsWith(names.sepPrefix) || tops.includes(c));
  const filter = listOurChains(await ipt.save('filter'), [names.firewall, names.forward, names.input])
    .filter((c) => [names.firewall, names.forward, names.input].includes(c));
  const lines = ['*nat', ...nat.map((c) => `:${c} - [0:0]`), ...nat.map((c) => `-X ${c}`), 'COMMIT',
    '*filter', ...filter.map((c) => `:${c} - [0:0]`), ...filter.map((c) => `-X ${c}`), 'COMMIT', ''];
  await ipt.restore(lines.join('\n'));
}
