/**
 * What every controller gets and gives. Controllers are level-triggered: informer handlers enqueue keys,
 * `reconcile(key)` reads informer caches, calls pure planning functions, then writes through the client.
 */
import type { KubeClient } from '../client/client.ts';
import type { SharedInformers } from '../client/factory.ts';
import type { Clock } from '../util/clock.ts';
import type { TrafficStatsSource } from '../analysis/traffic-source.ts';

export interface ControllerContext {
  client: KubeClient;
  informers: SharedInformers;
  clock: Clock;
  /**
   * Request measurements of the node's L7 traffic router (src/proxy/router), for the analysis controller's
   * built-in metric provider; undefined when the manager runs without one (tests, a control plane alone).
   */
  trafficStats?: TrafficStatsSource;
}

export interface Controller {
  name: string;
  /** Register informer handlers (before informers start). */
  init(ctx: ControllerContext): void | Promise<void>;
  /** Start workers (after informers synced). */
  run(): Promise<void>;
  stop(): Promise<void>;
}
