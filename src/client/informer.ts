/**
 * Informer: a list + watch cache of one resource, with ordered, awaited event handlers.
 * Relists after 410 Expired (delivering the difference as add/update/delete), re-watches after a clean close,
 * retries with back-off after network errors. Keys are "namespace/name" (or "name" for cluster-scoped kinds).
 */
import type { KubeClient, WatchEvent } from './client.ts';
import type { ResourceRef } from './resources.ts';
import type { KubeObject } from '../api/resource.ts';
import { realClock, type Clock } from '../util/clock.ts';

export type Handler<T> = {
  add?: (obj: T) => void | Promise<void>;
  update?: (oldObj: T, newObj: T) => void | Promise<void>;
  delete?: (obj: T) => void | Promise<void>;
};

export function objectKey(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock?: Clock;
}

export class Informer<T extends KubeObject = KubeObject> {
  private cache = new Map<string, T>();
  private handlers: Handler<T>[] = [];
  private stopped = false;
  private current?: { stop(): void };
  private rv = '';
  private synced = false;
  private clock: Clock;
  private loop?: Promise<void>;

  constructor(private client: KubeClient, public readonly ref: ResourceRef, private opts: InformerOptions = {}) {
    this.clock = opts.clock ?? realClock;
  }

  addHandler(h: Handler<T>): void { this.handlers.push(h); }
  hasSynced(): boolean { return this.synced; }
  list(): T[] { return [...this.cache.values()]; }
  get(key: string): T | undefined { return this.cache.get(key); }
  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace && this.ref.namespaced ? `${namespace}/${name}` : name);
  }
  /** The resourceVersion the cache is current to. */
  lastResourceVersion(): string { return this.rv; }

  /** Start: resolves once the initial list is in the cache and its add handlers have run. */
  async start(): Promise<void> {
    await this.relist();
    this.synced = true;
    this.loop = this.watchLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.stop();
    await this.loop;
  }

  private async relist(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const items: T[] = [];
        let cont: string | undefined;
        let rv = '';
        do {
          const l = await this.client.list<T>(this.ref, this.opts.namespace, {
            labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, limit: 500, continue: cont,
          });
          items.push(...l.items);
          cont = l.metadata.continue || undefined;
          rv = l.metadata.resourceVersion ?? rv;
        } while (cont);
        this.rv = rv;
        const fresh = new Map(items.map((o) => [objectKey(o), o] as const));
        for (const [k, old] of this.cache) {
          if (!fresh.has(k)) { this.cache.delete(k); await this.emit('delete', old); }
        }
        for (const [k, obj] of fresh) {
          const old = this.cache.get(k);
          this.cache.set(k, obj);
          if (!old) await this.emit('add', obj);
          else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) await this.emit('update', obj, old);
        }
        return;
      } catch (e) {
        if (this.stopped) return;
        await this.clock.sleep(Math.min(200 * 2 ** attempt, 5000));
      }
    }
  }

  private async watchLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let expired = false;
      const h = this.client.watch<T>(this.ref, this.opts.namespace, {
        resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds: 300 + Math.floor(Math.random() * 60),
        labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
      }, async (ev: WatchEvent<T>) => {
        if (ev.type === 'ERROR') {
          if ((ev.object as any)?.code === 410) expired = true;
          h.stop();
          return;
        }
        const obj = ev.object;
        const rv = obj.metadata?.resourceVersion;
        if (rv) this.rv = rv;
        if (ev.type === 'BOOKMARK') return;
        const k = objectKey(obj);
        const old = this.cache.get(k);
        if (ev.type === 'DELETED') {
          this.cache.delete(k);
          await this.emit('delete', obj);
        } else {
          this.cache.set(k, obj);
          if (old) await this.emit('update', obj, old);
          else await this.emit('add', obj);
        }
        failures = 0;
      });
      this.current = h;
      const { error } = await h.done;
      if (this.stopped) return;
      if (expired || (error as any)?.code === 410) { await this.relist(); continue; }
      if (error) {
        failures++;
        await this.clock.sleep(Math.min(100 * 2 ** failures, 5000));
      }
    }
  }

  private async emit(kind: 'add' | 'update' | 'delete', obj: T, old?: T): Promise<void> {
    for (const h of this.handlers) {
      try {
        if (kind === 'add') await h.add?.(obj);
        else if (kind === 'update') await h.update?.(old as T, obj);
        else await h.delete?.(obj);
      } catch (e) {
        console.error(`informer ${this.ref.plural}: handler failed:`, e);
      }
    }
  }
}
