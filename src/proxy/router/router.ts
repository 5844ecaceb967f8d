/**
 * The L7 traffic router of the service proxy: Services annotated with traffic.kubelite.io/canary-service get their
 * TCP ports DNATed to HAProxy on 127.0.0.1 instead of straight to pods, and HAProxy splits their requests between
 * the stable and the canary endpoints by the annotated weight (routes.ts, config.ts), logging every request into
 * the router's measurements (stats.ts). Why HAProxy: docs/services.md ("The traffic router").
 *
 * The proxy calls, on every sync:
 *   prepare(services, model) — bring HAProxy to carry every routable port (starting it, reloading it when ports
 *     are added or outgrow their slots, otherwise changing weights, addresses and states through the runtime API),
 *     and return the ports the rules may now send to it;
 *   (the proxy applies its iptables rules)
 *   finish() — drop ports the rules no longer send to HAProxy (reload), stop HAProxy when none is left.
 * So a port switches to the router only once HAProxy listens for it, and leaves it only after the rules moved
 * away. If HAProxy is missing, or exits, the ports fall back to plain DNAT (the stable Service's own endpoints)
 * until the next sync restarts it.
 */
import { cpus } from 'node:os';
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { Clock } from '../../util/clock.ts';
import { freeLoopbackPort } from '../../util/ports.ts';
import type { ServicePortInfo } from '../model.ts';
import { buildRoutes, routable, type RoutedPort } from './routes.ts';
import { desiredState, renderConfig, routerThreads, runtimeCommands, sameLayout, slotSide, type GlobalSettings, type PortState } from './config.ts';
import { HAProxy, haproxyAvailable } from './haproxy.ts';
import { TrafficStats, parseLogLine } from './stats.ts';

export interface Redirect { ip: string; port: number }

export interface TrafficRouterOptions {
  /** Private directory for HAProxy's files (created 0711, removed by stop()). */
  dir: string;
  clock: Clock;
  log: (msg: string) => void;
  /** Ask the proxy for a sync (HAProxy exited, or may be restarted now). */
  requestSync: () => void;
  /** HAProxy binary (default `haproxy`). */
  bin?: string;
  /** Seconds of per-second measurements kept for window queries (default 3600). */
  retentionSeconds?: number;
  /** Wait this long before restarting HAProxy after a failure (default 2 s). */
  restartBackoffMs?: number;
}


export class TrafficRouter {
  readonly stats: TrafficStats;
  private hp: HAProxy;
  private available?: boolean;
  /** What HAProxy carries now, by port name. */
  private applied = new Map<string, PortState>();
  /** The routes last prepared (the ones the rules are told to redirect). */
  private wanted = new Map<string, RoutedPort>();
  /** Every route seen, by port name: attributes log lines (kept after removal for late lines). */
  private known = new Map<string, RoutedPort>();
  private bindPorts = new Map<string, number>();
  private reported = new Set<string>();
  private retryAt = 0;
  private retryTimer?: { cancel(): void };
  private stopped = false;
  /** Requests logged for a port the router does not know (should stay 0). */
  unattributed = 0;

  constructor(private opts: TrafficRouterOptions) {
    this.stats = new TrafficStats(opts.clock, { retentionSeconds: opts.retentionSeconds });
    this.hp = new HAProxy({
      dir: opts.dir, bin: opts.bin, log: opts.log,
      onLogLine: (l) => this.onLogLine(l),
      onExit: (why) => {
        if (this.stopped) return;
        this.opts.log(`traffic router: haproxy ${why}; routed Services fall back to plain DNAT until it is restarted`);
        this.applied.clear();
        this.retryAt = this.opts.clock.now() + (this.opts.restartBackoffMs ?? 2000);
        this.opts.requestSync();
        this.scheduleRetry();
      },
    });
  }

  /** Route names HAProxy carries now (tests, debugging). */
  carried(): string[] { return [...this.applied.keys()].sort(); }
  haproxyPid(): number | undefined { return this.hp.pid(); }
  get files() { return this.hp.files; }

  private onLogLine(line: string): void {
    const l = parseLogLine(line);
    if (!l) return;
    const r = this.known.get(l.proxy);
    const side = slotSide(l.server);
    if (!r || !side) { this.unattributed++; return; }
    this.stats.record({ namespace: r.namespace, service: r.service, backend: side, revision: r[side].revision }, l.outcome);
  }

  private report(msg: string): void {
    if (this.reported.has(msg)) return;
    this.reported.add(msg);
    this.opts.log(`traffic router: ${msg}`);
  }

  private scheduleRetry(): void {
    this.retryTimer?.cancel();
    const wait = Math.max(0, this.retryAt - this.opts.clock.now());
    this.retryTimer = this.opts.clock.setTimeout(() => { if (!this.stopped) this.opts.requestSync(); }, wait + 10);
  }

  private globals(): GlobalSettings {
    const f = this.hp.files;
    return { adminSocket: f.adminSocket, logSocket: f.logSocket, user: this.hp.user?.name, group: this.hp.user?.name, threads: routerThreads(cpus().length) };
  }

  private async bindPort(name: string): Promise<number> {
    let p = this.bindPorts.get(name);
    if (p === undefined) { p = await freeLoopbackPort(); this.bindPorts.set(name, p); }
    return p;
  }

  /** Bring HAProxy to carry every routable port; return the redirects (by the model's service-port key). */
  async prepare(services: Service[], model: ServicePortInfo[]): Promise<Map<string, Redirect>> {
    const { routes, problems } = buildRoutes(services, model);
    for (const p of problems) this.report(p);
    const want = routes.filter(routable);
    this.wanted = new Map(want.map((r) => [r.name, r]));
    for (const r of want) this.known.set(r.name, r);
    const redirects = new Map<string, Redirect>();
    if (this.stopped || (want.length === 0 && !this.hp.running())) return redirects;
    if (this.available === undefined) this.available = await haproxyAvailable(this.opts.bin);
    if (!this.available) {
      if (want.length) this.report(`haproxy is not installed (\`kubelite setup\` installs it): ${want.length} annotated Service port(s) use plain DNAT without weights`);
      return redirects;
    }

    const desired = new Map<string, PortState>();
    for (const r of want) desired.set(r.name, desiredState(r, await this.bindPort(r.name), this.applied.get(r.name)));
    // Ports the current rules may still send to HAProxy stay until finish().
    const keep = [...this.applied.values()].filter((p) => !desired.has(p.name));
    const all = () => [...desired.values(), ...keep].sort((a, b) => a.name.localeCompare(b.name));
    const ok = (names: Iterable<string>) => {
      for (const n of names) {
        const r = this.wanted.get(n);
        if (r) redirects.set(r.modelKey, { ip: '127.0.0.1', port: this.bindPorts.get(n)! });
      }
      return redirects;
    };

    if (!this.hp.running()) {
      if (want.length === 0) return redirects;
      if (this.opts.clock.now() < this.retryAt) { this.scheduleRetry(); return redirects; }
      try {
        await this.hp.start(renderConfig(this.globals(), all()));
        this.applied = new Map(all().map((p) => [p.name, p]));
        this.opts.log(`traffic router: haproxy started (pid ${this.hp.pid()}) for ${want.map((r) => r.name).join(', ')}`);
      } catch (e) {
        this.failed(`could not start haproxy: ${(e as Error).message}`);
        return redirects;
      }
      return ok(desired.keys());
    }

    const needReload = [...desired.values()].some((p) => { const cur = this.applied.get(p.name); return !cur || !sameLayout(cur, p); });
    if (!needReload) {
      const cmds = [...desired.values()].flatMap((p) => runtimeCommands(this.applied.get(p.name)!, p));
      try {
        if (cmds.length) await this.hp.command(cmds);
        for (const p of desired.values()) this.applied.set(p.name, p);
        return ok(desired.keys());
      } catch (e) {
        this.opts.log(`traffic router: ${(e as Error).message}; reloading haproxy with the full configuration`);
      }
    }
    try {
      await this.hp.reload(renderConfig(this.globals(), all()));
      this.applied = new Map(all().map((p) => [p.name, p]));
      return ok(desired.keys());
    } catch (e) {
      // The old configuration stays in force: keep redirecting only what it already carries.
      this.failed(`could not reload haproxy: ${(e as Error).message}`);
      return ok([...desired.keys()].filter((n) => this.applied.has(n)));
    }
  }

  private failed(msg: string): void {
    this.opts.log(`traffic router: ${msg}`);
    // Ports not carried get fresh listen ports next time (in case one was taken meanwhile).
    for (const n of [...this.bindPorts.keys()]) if (!this.applied.has(n)) this.bindPorts.delete(n);
    this.retryAt = this.opts.clock.now() + (this.opts.restartBackoffMs ?? 2000);
    this.scheduleRetry();
  }

  /** After the rules are in place: drop ports no longer redirected; stop HAProxy when none is left. */
  async finish(): Promise<void> {
    if (!this.hp.running()) return;
    const drop = [...this.applied.keys()].filter((n) => !this.wanted.has(n));
    if (!drop.length) return;
    if (this.wanted.size === 0 || drop.length === this.applied.size) {
      await this.hp.stop();
      this.applied.clear();
      this.opts.log('traffic router: no routed Service left; haproxy stopped');
      return;
    }
    const rest = [...this.applied.values()].filter((p) => this.wanted.has(p.name));
    try {
      await this.hp.reload(renderConfig(this.globals(), rest));
      this.applied = new Map(rest.map((p) => [p.name, p]));
    } catch (e) {
      this.opts.log(`traffic router: could not reload haproxy to drop ${drop.join(', ')}: ${(e as Error).message}`);
    }
    for (const n of drop) this.bindPorts.delete(n);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retryTimer?.cancel();
    await this.hp.close();
    this.applied.clear();
  }
}
