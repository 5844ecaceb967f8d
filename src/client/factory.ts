/**
 * Shared informers: one list+watch per resource (and options) for all controllers of a process,
 * as client-go's SharedInformerFactory. Register handlers before `startAll()`.
 */
import type { KubeClient } from './client.ts';
import { Informer, type InformerOptions } from './informer.ts';
import type { ResourceRef } from './resources.ts';
import type { KubeObject } from '../api/resource.ts';

export class SharedInformers {
  private informers = new Map<string, Informer<any>>();
  private started = false;
  constructor(private client: KubeClient, private defaults: InformerOptions = {}) {}

  get<T extends KubeObject = any>(ref: ResourceRef, opts: InformerOptions = {}): Informer<T> {
    const o = { ...this.defaults, ...opts };
    const key = `${ref.group}/${ref.plural}?ns=${o.namespace ?? ''}&l=${o.labelSelector ?? ''}&f=${o.fieldSelector ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer<T>(this.client, ref, o);
      this.informers.set(key, inf);
      if (this.started) void inf.start();
    }
    return inf as Informer<T>;
  }

  /** Start every informer; resolves when all have synced. */
  async startAll(): Promise<void> {
    this.started = true;
    await Promise.all([...this.informers.values()].map((i) => (i.hasSynced() ? undefined : i.start())));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
