/**
 * The controller manager (upstream kube-controller-manager): one process running every registered controller
 * over shared informers, behind leader election on the Lease kube-system/kube-controller-manager, so that of two
 * managers only the leader acts. On winning the lease it builds fresh shared informers, calls init(ctx) on each
 * controller, starts the informers (waiting for their sync) and then each controller's run(); on losing it (or on
 * stop()) it stops the controllers and informers. Controllers come from src/controllers/all.ts by default;
 * with factories each leadership term gets fresh instances.
 */
import { hostname } from 'node:os';
import type { KubeClient } from '../client/client.ts';
import { SharedInformers } from '../client/factory.ts';
import { LeaderElector } from '../client/leaderelection.ts';
import { realClock, type Clock } from '../util/clock.ts';
import type { Controller } from './types.ts';
import type { TrafficStatsSource } from '../analysis/traffic-source.ts';
import { defaultControllers, type ControllersOptions } from './all.ts';

export interface ControllerManagerOptions {
  client: KubeClient;
  clock?: Clock;
  /** Leader-election identity; default `<hostname>_<random>` as upstream. */
  identity?: string;
  /** Instances to run (re-initialised on each leadership term); default: every controller in all.ts. */
  controllers?: Controller[] | (() => Controller[]);
  /** Options of the default controllers (when `controllers` is not given). */
  controllerOptions?: ControllersOptions;
  /** Lease name (default kube-controller-manager) and timings (seconds, upstream defaults 15/10/2). */
  leaseName?: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  log?: (msg: string) => void;
  /** Handed to every controller's init (ControllerContext.trafficStats): the service proxy's request measurements. */
  trafficStats?: TrafficStatsSource;
}

export interface ControllerManager {
  stop(): Promise<void>;
  isLeader(): boolean;
}

export async function startControllerManager(opts: ControllerManagerOptions): Promise<ControllerManager> {
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? ((m: string) => console.log(`controller-manager: ${m}`));
  const identity = opts.identity ?? `${hostname()}_${crypto.randomUUID()}`;
  const make = typeof opts.controllers === 'function' ? opts.controllers
    : opts.controllers ? (() => opts.controllers as Controller[]) : () => defaultControllers(opts.controllerOptions);
  let term: { informers: SharedInformers; controllers: Controller[]; started: Promise<void> } | undefined;
  let transition: Promise<void> = Promise.resolve();

  const startTerm = async () => {
    const informers = new SharedInformers(opts.client, { clock });
    const controllers = make();
    const t = { informers, controllers, started: Promise.resolve() };
    term = t;
    t.started = (async () => {
      for (const c of controllers) await c.init({ client: opts.client, informers, clock, trafficStats: opts.trafficStats });
      await informers.startAll();
      for (const c of controllers) {
        try { await c.run(); } catch (e) { log(`controller ${c.name} failed to start: ${(e as Error).message}`); }
      }
      log(`leading as ${identity}: started ${controllers.map((c) => c.name).join(', ')}`);
    })();
    await t.started;
  };
  const stopTerm = async () => {
    const t = term;
    term = undefined;
    if (!t) return;
    try { await t.started; } catch { /* stop what did start */ }
    await Promise.all(t.controllers.map((c) => c.stop().catch((e) => log(`controller ${c.name} stop: ${(e as Error).message}`))));
    await t.informers.stopAll();
  };

  const elector = new LeaderElector({
    client: opts.client, name: opts.leaseName ?? 'kube-controller-manager', namespace: 'kube-system', identity, clock,
    leaseDurationSeconds: opts.leaseDurationSeconds, renewDeadlineSeconds: opts.renewDeadlineSeconds, retryPeriodSeconds: opts.retryPeriodSeconds,
    onStartedLeading: () => { transition = transition.then(startTerm); return transition; },
    onStoppedLeading: () => { log(`lost leadership (${identity})`); transition = transition.then(stopTerm); return transition; },
  });
  elector.start();
  return {
    isLeader: () => elector.isLeader,
    async stop() {
      await elector.stop();
      await transition;
      await stopTerm();
    },
  };
}
