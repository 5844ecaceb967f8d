/**
 * What every controller gets and gives. Controllers are level-triggered: informer handlers enqueue keys,
 * `reconcile(key)` reads informer caches, calls pure planning functions, then writes through the client.
 */
import type { KubeClient } from '../client/client.ts';
import type { SharedInformers } from '../client/factory.ts';
import type { Clock } from '../util/clock.ts';

export interface ControllerContext {
  client: KubeClient;
  informers: SharedInformers;
  clock: Clock;
}

export interface Controller {
  name: string;
  /** Register informer handlers (before informers start). */
  init(ctx: ControllerContext): void | Promise<void>;
  /** Start workers (after informers synced). */
  run(): Promise<void>;
  stop(): Promise<void>;
}
