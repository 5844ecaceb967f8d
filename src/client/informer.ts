/**
 * Informer: a list + watch cache of one resource, with ordered, awaited event handlers.
 * Relists after 410 Expired (delivering the difference as add/update/delete), re-watches after a clean close,
 * retries with back-off after network errors. Keys are "namespace/name" (or "name" for cluster-scoped kinds).
 *
 * The cache is indexed as client-go's Indexer: every informer keeps the `namespace`, `owner` (uid of each
 * ownerReference) and `node` (spec.nodeName) indexes, and more can be added with addIndexers() before start.
 * `byIndex(name, value)` answers from the index, so controllers never scan the whole cache on a hot path.
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

/** The values an object is filed under in one index (client-go IndexFunc). */
export type IndexFunc<T> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';
export const OWNER_INDEX = 'owner';
export const NODE_INDEX = 'node';

/** The indexes every informer keeps. */
export const defaultIndexers: Record<string, IndexFunc<KubeObject>> = {
  [NAMESPACE_INDEX]: (o) => [o.metadata?.namespace ?? ''],
  [OWNER_INDEX]: (o) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid).filter((u): u is string => !!u),
  [NODE_INDEX]: (o) => {
    const n = (o as { spec?: { nodeName?: unknown } }).spec?.nodeName;
    return typeof n === 'string' && n ? [n] : [];
  },
};

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock?: Clock;
}

export class Informer<T extends KubeObject = KubeObject> {
  private cache = new Map<string, T>();
  private indexers: Record<string, IndexFunc<T>> = { ...defaultIndexers };
  /** index name → indexed value → keys */
  private indices = new Map<string, Map<string, Set<string>>>();
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

  /** Add indexes (client-go AddIndexers); existing objects are indexed at once. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers[name]) throw new Error(`informer ${this.ref.plural}: index ${name} already exists`);
      this.indexers[name] = fn;
      for (const [k, obj] of this.cache) this.fileUnder(name, fn(obj), k);
    }
  }

  hasIndex(name: string): boolean { return !!this.indexers[name]; }

  /** The cached objects filed under `value` in an index (client-go ByIndex); [] for an unknown value. */
  byIndex(indexName: string, value: string): T[] {
    if (!this.indexers[indexName]) throw new Error(`informer ${this.ref.plural}: no index ${indexName}`);
    const keys = this.indices.get(indexName)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) { const o = this.cache.get(k); if (o) out.push(o); }
    return out;
  }

  /** The values that have objects in an index (client-go ListIndexFuncValues). */
  indexValues(indexName: string): string[] {
    if (!this.indexers[indexName]) throw new Error(`informer ${this.ref.plural}: no index ${indexName}`);
    return [...(this.indices.get(indexName)?.keys() ?? [])];
  }

  private fileUnder(index: string, values: string[], key: string): void {
    let idx = this.indices.get(index);
    if (!idx) { idx = new Map(); this.indices.set(index, idx); }
    for (const v of values) {
      let set = idx.get(v);
      if (!set) { set = new Set(); idx.set(v, set); }
      set.add(key);
    }
  }

  private unfile(index: string, values: string[], key: string): void {
    const idx = this.indices.get(index);
    if (!idx) return;
    for (const v of values) {
      const set = idx.get(v);
      if (!set) continue;
      set.delete(key);
      if (!set.size) idx.delete(v);
    }
  }

  /** Put an object in the cache and its indexes. */
  private store(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    for (const [name, fn] of Object.entries(this.indexers)) {
      const next = fn(obj);
      if (old) {
        const prev = fn(old);
        if (prev.length === next.length && prev.every((v, i) => v === next[i])) continue;
        this.unfile(name, prev, key);
      }
      this.fileUnder(name, next, key);
    }
  }

  private remove(key: string): void {
    const old = this.cache.get(key);
    if (!old) return;
    this.cache.delete(key);
    for (const [name, fn] of Object.entries(this.indexers)) this.unfile(name, fn(old), key);
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
          if (!fresh.has(k)) { this.remove(k); await this.emit('delete', old); }
        }
        for (const [k, obj] of fresh) {
          const old = this.cache.get(k);
          this.store(k, obj);
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
          this.remove(k);
          await this.emit('delete', obj);
        } else {
          this.store(k, obj);
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
