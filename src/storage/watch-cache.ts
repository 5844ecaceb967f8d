/**
 * CachedStore: the watch cache in front of any Store (the role of the Kubernetes apiserver's cacher).
 *
 * - One underlying watch on the whole keyspace (`prefix`, default '') feeds an in-memory map of the latest
 *   objects (with a sorted key index), so get and list-at-latest never touch storage.
 * - A ring of the most recent events (at most `ringSize` events and about `ringBytes` of values) serves every
 *   watcher from memory: N watchers cost one storage watch. A watch from a revision older than the ring's window
 *   throws CompactedError (the API server answers 410 Expired and the client relists).
 * - Writes pass through to the inner store; a write resolves only once the cache has applied its revision, so
 *   a get/list/watch on this CachedStore after an acknowledged write sees it (read-your-writes).
 * - Lists at an explicit older revision (pagination continue tokens) go to the inner store.
 *
 * KeyValue objects handed out are shared with the cache: callers must not mutate them.
 */
import {
  CompactedError,
  type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type Watcher,
} from './store.ts';
import { prefixEnd } from './sqlite.ts';
import { RevisionWatcher } from './watcher.ts';
import { SortedKeys } from './sorted-keys.ts';

export interface CachedStoreOptions {
  /** Keyspace to cache (default '': everything). */
  prefix?: string;
  /** Number of recent events kept for watchers resuming from an older revision (default 10,000). */
  ringSize?: number;
  /** Upper bound on the bytes of values (kv + prevKv) the event ring holds (default 64 MiB). */
  ringBytes?: number;
  /** How long a write waits for the cache to see its revision before resolving anyway (default 10 s). */
  writeVisibilityTimeoutMs?: number;
  /**
   * Compact storage periodically, as the Kubernetes apiserver does: every interval, compact to the revision seen
   * at the previous tick, so between one and two intervals of history stay watchable. 0/undefined = never.
   */
  compactIntervalMs?: number;
}

class CacheWatcher extends RevisionWatcher {
  deliver(ev: StoreEvent): void {
    this.emit(ev.kv.modRevision, ev.kv.key, () => ev);
  }
  fail(err: Error): void {
    if (this.stopped) return;
    this.stop();
    try { this.onError?.(err); } catch { /* ignore */ }
  }
}


/** Page size of the initial load (bounded so one etcd response stays small). */
const LOAD_PAGE = 1000;

/** Approximate memory an event pins in the ring (its value strings; the current kv is shared with the map). */
function eventBytes(ev: StoreEvent): number {
  return 2 * (ev.kv.value.length + (ev.prevKv?.value.length ?? 0)) + 200;
}

export class CachedStore implements Store {
  private readonly prefix: string;
  private readonly ringSize: number;
  private readonly ringBytesMax: number;
  private readonly visibilityTimeout: number;
  private readonly objects = new Map<string, KeyValue>();
  private keys = new SortedKeys();
  /** Recent events in revision order: a queue in `ring[ringHead..]` (evicted slots are cleared, then sliced off). */
  private ring: Array<StoreEvent | undefined> = [];
  private ringHead = 0;
  private ringBytes = 0;
  /** Every event with revision > ringStart is in the ring. */
  private ringStart = 0;
  /** The revision the cache reflects. */
  private rev = 0;
  /** Watchers grouped by prefix, so each event is prefix-matched once per distinct prefix. */
  private readonly watchersByPrefix = new Map<string, Set<CacheWatcher>>();
  private readonly revWaiters: Array<{ rev: number; resolve: () => void }> = [];
  private innerWatch: Watcher | null = null;
  private closed = false;
  private readonly ready: Promise<void>;
  /** The current (re)load: `ready` at first, a new promise while reloading after the storage watch failed. */
  private loaded: Promise<void>;

  constructor(readonly inner: Store, opts: CachedStoreOptions = {}) {
    this.prefix = opts.prefix ?? '';
    this.ringSize = Math.max(1, opts.ringSize ?? 10_000);
    this.ringBytesMax = opts.ringBytes ?? 64 * 1024 * 1024;
    this.visibilityTimeout = opts.writeVisibilityTimeoutMs ?? 10_000;
    this.ready = this.init();
    this.ready.catch(() => {}); // surfaced by every method that awaits it
    this.loaded = this.ready;
    if (opts.compactIntervalMs && opts.compactIntervalMs > 0) {
      let previous = 0;
      this.compactTimer = setInterval(() => {
        if (this.closed || this.rev === 0) return;
        const target = previous;
        previous = this.rev;
        if (target > 0) {
          this.compact(target).catch((e) => process.emitWarning(`watch cache: compaction to ${target} failed: ${(e as Error).message}`));
        }
      }, opts.compactIntervalMs);
      this.compactTimer.unref();
    }
  }
  private compactTimer: NodeJS.Timeout | null = null;

  /** Resolves once the cache is loaded and watching. */
  waitReady(): Promise<void> { return this.ready; }

  private async init(): Promise<void> {
    const { items, revision } = await this.loadAll();
    this.objects.clear();
    for (const kv of items) this.objects.set(kv.key, kv);
    this.keys = SortedKeys.fromSorted(items.map((kv) => kv.key)); // list results are in key order
    this.ring = [];
    this.ringHead = 0;
    this.ringBytes = 0;
    this.ringStart = revision;
    this.rev = revision;
    this.innerWatch = this.inner.watch(this.prefix, revision, (ev) => this.apply(ev), (err) => this.onInnerError(err));
    if (this.revWaiters.length) this.releaseWaiters();
  }

  /** A consistent snapshot of the keyspace, paginated at one revision. */
  private async loadAll(): Promise<{ items: KeyValue[]; revision: number }> {
    const items: KeyValue[] = [];
    let res = await this.inner.list(this.prefix, { limit: LOAD_PAGE });
    const revision = res.revision;
    items.push(...res.items);
    while (res.more && res.items.length) {
      const last = res.items[res.items.length - 1].key;
      res = await this.inner.list(this.prefix, { revision, limit: LOAD_PAGE, startKey: last + '\0' });
      items.push(...res.items);
    }
    return { items, revision };
  }

  private onInnerError(err: Error): void {
    if (this.closed) return;
    process.emitWarning(`watch cache: storage watch failed (${err.message}); reloading`);
    // History between our revision and the reload is unknown: watchers must relist (410).
    const failAt = this.rev;
    for (const set of this.watchersByPrefix.values()) for (const w of set) w.fail(new CompactedError(w.cursor, failAt + 1));
    this.innerWatch = null;
    // Until the reload is done, reads and new watches wait for it (a watch must not start from the stale ring).
    let done!: () => void;
    this.loaded = new Promise<void>((r) => { done = r; });
    const retry = (): void => {
      if (this.closed) { done(); return; }
      this.init().then(done, (e) => {
        process.emitWarning(`watch cache: reload failed (${(e as Error).message}); retrying`);
        setTimeout(retry, 1000).unref();
      });
    };
    retry();
  }

  /** Apply one event from the storage watch to the map, the ring, the watchers and the write waiters. */
  private apply(ev: StoreEvent): void {
    const rev = ev.kv.modRevision;
    if (rev <= this.rev) return;
    const key = ev.kv.key;
    if (ev.type === 'PUT') {
      if (!this.objects.has(key)) this.keys.insert(key);
      this.objects.set(key, ev.kv);
    } else if (this.objects.delete(key)) {
      this.keys.delete(key);
    }
    this.rev = rev;
    this.ring.push(ev);
    this.ringBytes += eventBytes(ev);
    while (this.ring.length - this.ringHead > this.ringSize
      || (this.ringBytes > this.ringBytesMax && this.ring.length - this.ringHead > 1)) this.evictOldest();
    for (const [prefix, set] of this.watchersByPrefix) {
      if (!key.startsWith(prefix)) continue;
      for (const w of set) if (w.live) w.deliver(ev);
    }
    if (this.revWaiters.length) this.releaseWaiters();
  }

  private releaseWaiters(): void {
    let n = 0;
    for (const w of this.revWaiters) {
      if (w.rev <= this.rev) { w.resolve(); n++; }
    }
    if (n) {
      const keep = this.revWaiters.filter((w) => w.rev > this.rev);
      this.revWaiters.length = 0;
      this.revWaiters.push(...keep);
    }
  }

  /** Wait until the cache reflects `rev` (or the timeout passes: the write is durable either way). */
  private waitFor(rev: number): Promise<void> {
    if (rev <= this.rev || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        const i = this.revWaiters.indexOf(entry);
        if (i >= 0) this.revWaiters.splice(i, 1);
        process.emitWarning(`watch cache: revision ${rev} not seen after ${this.visibilityTimeout} ms`);
        resolve();
      }, this.visibilityTimeout);
      t.unref();
      const entry = { rev, resolve: () => { clearTimeout(t); resolve(); } };
      this.revWaiters.push(entry);
    });
  }

  private evictOldest(): void {
    const ev = this.ring[this.ringHead]!;
    this.ring[this.ringHead++] = undefined;
    this.ringStart = ev.kv.modRevision;
    this.ringBytes -= eventBytes(ev);
    if (this.ringHead >= 1024 && this.ringHead * 2 >= this.ring.length) {
      this.ring = this.ring.slice(this.ringHead);
      this.ringHead = 0;
    }
  }

  /** Index in `ring` of the first event with revision > rev (binary search: the ring is in revision order). */
  private ringIndexAfter(rev: number): number {
    let lo = this.ringHead, hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ring[mid]!.kv.modRevision <= rev) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  async currentRevision(): Promise<number> {
    await this.loaded;
    return this.rev;
  }

  async get(key: string): Promise<KeyValue | null> {
    await this.loaded;
    if (!key.startsWith(this.prefix)) return this.inner.get(key);
    return this.objects.get(key) ?? null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    await this.loaded;
    if (!prefix.startsWith(this.prefix)) return this.inner.list(prefix, opts);
    if (opts.revision && opts.revision > 0 && opts.revision !== this.rev) {
      if (opts.revision < this.rev) return this.inner.list(prefix, opts);
      await this.waitFor(opts.revision); // a revision from the future of this cache: catch up first
      if (opts.revision < this.rev) return this.inner.list(prefix, opts);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const start = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix;
    const end = prefixEnd(prefix);
    const keys = this.keys.range(start, end || undefined, limit);
    const items = keys.map((k) => this.objects.get(k)!);
    let more = false;
    let remaining: number | undefined;
    if (limit && keys.length === limit) {
      const total = (end ? this.keys.rank(end) : this.keys.size) - this.keys.rank(start);
      remaining = total - keys.length;
      more = remaining > 0;
    }
    return { items, revision: this.rev, more, ...(more ? { remaining } : {}) };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    await this.ready; // not `loaded`: a write goes to storage (and fails fast) even while the cache reloads
    const kv = await this.inner.create(key, value);
    if (key.startsWith(this.prefix)) await this.waitFor(kv.modRevision);
    return kv;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    await this.ready; // not `loaded`: a write goes to storage (and fails fast) even while the cache reloads
    const kv = await this.inner.update(key, value, expectedModRevision);
    if (key.startsWith(this.prefix)) await this.waitFor(kv.modRevision);
    return kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    await this.ready; // not `loaded`: a write goes to storage (and fails fast) even while the cache reloads
    const kv = await this.inner.delete(key, expectedModRevision);
    if (key.startsWith(this.prefix)) await this.waitFor(kv.modRevision);
    return kv;
  }

  watch(prefix: string, afterRevision: number, onEvent: (ev: StoreEvent) => void, onError?: (err: Error) => void): Watcher {
    if (this.closed) throw new Error('store is closed');
    if (!prefix.startsWith(this.prefix)) return this.inner.watch(prefix, afterRevision, onEvent, onError);
    const w = new CacheWatcher(prefix, afterRevision, onEvent, onError, (x) => this.detach(x as CacheWatcher), () => this.rev);
    let set = this.watchersByPrefix.get(prefix);
    if (!set) { set = new Set(); this.watchersByPrefix.set(prefix, set); }
    set.add(w);
    const start = (): void => {
      if (w.stopped) return;
      if (w.cursor < this.ringStart) { w.fail(new CompactedError(w.cursor, this.ringStart)); return; }
      // Replay from the ring and go live in one synchronous step: no event can slip in between.
      if (w.cursor < this.rev) {
        for (let i = this.ringIndexAfter(w.cursor); i < this.ring.length && !w.stopped; i++) {
          const ev = this.ring[i]!;
          if (ev.kv.key.startsWith(prefix)) w.deliver(ev);
        }
        if (!w.stopped && w.cursor < this.rev) w.cursor = this.rev;
      }
      w.live = true;
    };
    // Once loaded, a revision older than the ring fails at once; before that the window is unknown (decided in start).
    if (this.innerWatch && afterRevision < this.ringStart) {
      this.detach(w);
      throw new CompactedError(afterRevision, this.ringStart);
    }
    this.loaded.then(() => setImmediate(start), (err) => w.fail(err as Error));
    return w;
  }

  private detach(w: CacheWatcher): void {
    const set = this.watchersByPrefix.get(w.prefix);
    if (!set) return;
    set.delete(w);
    if (set.size === 0) this.watchersByPrefix.delete(w.prefix);
  }

  /** Number of active watchers served from this cache. */
  /** How many objects the cache holds (the keys under its prefix). */
  objectCount(): number {
    return this.objects.size;
  }

  watcherCount(): number {
    let n = 0;
    for (const s of this.watchersByPrefix.values()) n += s.size;
    return n;
  }

  async compact(revision: number): Promise<void> {
    await this.loaded;
    // History at and before `revision` is about to go from storage: stop serving it from the ring first, so that
    // no watch starts below the store's compacted revision (which the store reports before its compaction ends).
    if (revision > this.ringStart) this.ringStart = Math.min(revision, this.rev);
    await this.inner.compact(revision);
  }

  async compactedRevision(): Promise<number> {
    await this.loaded;
    return this.inner.compactedRevision();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.compactTimer) clearInterval(this.compactTimer);
    this.innerWatch?.stop();
    for (const set of this.watchersByPrefix.values()) for (const w of set) w.stopped = true;
    this.watchersByPrefix.clear();
    for (const w of this.revWaiters) w.resolve();
    this.revWaiters.length = 0;
    await this.inner.close();
  }
}
