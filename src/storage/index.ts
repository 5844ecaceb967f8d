/**
 * Storage entry point for the API server: opens the configured backend and wraps it in the watch cache.
 *
 *   const store = await openStore({ kind: 'sqlite', dataDir });          // <dataDir>/state.db
 *   const store = await openStore({ kind: 'etcd', etcdEndpoints: ['http://127.0.0.1:2379'] });
 *
 * The returned CachedStore is loaded and watching when the promise resolves; close() closes the backend too.
 * SQLite is opened exclusively (a second process on the same data dir gets a clear error). An etcd may hold other
 * applications' keys too, so there the cache loads and watches only `/registry/` (every key the API server
 * writes lives under it, as upstream's do), unless `cache.prefix` says otherwise. Compaction is the
 * caller's (the API server runs it every 5 minutes); `cache.compactIntervalMs` can do it here instead.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store.ts';
import { openSqliteStore } from './sqlite.ts';
import { CachedStore, type CachedStoreOptions } from './watch-cache.ts';

export * from './store.ts';

/** Where every key the API server writes lives (objects, and the IP and port allocations). */
export const REGISTRY_PREFIX = '/registry/';
export { CachedStore } from './watch-cache.ts';

export interface OpenStoreOptions {
  kind: 'sqlite' | 'etcd';
  /** Directory for the SQLite database (sqlite). */
  dataDir?: string;
  /** etcd client URLs (etcd), e.g. ['http://127.0.0.1:2379']. */
  etcdEndpoints?: string[];
  /** Key prefix inside etcd (etcd; default none). */
  etcdPrefix?: string;
  /** SQLite durability: 'FULL' (default, fsync per group commit) or 'NORMAL' (kill -9 safe, not power-loss safe). */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** Watch cache tuning. */
  cache?: CachedStoreOptions;
  /** Skip the watch cache (benchmarks, tests). */
  uncached?: boolean;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  let inner: Store;
  if (opts.kind === 'sqlite') {
    if (!opts.dataDir) throw new Error('openStore: sqlite needs dataDir');
    mkdirSync(opts.dataDir, { recursive: true });
    const sqlite = openSqliteStore(join(opts.dataDir, 'state.db'), { synchronous: opts.sqliteSynchronous, exclusive: true });
    try {
      await sqlite.ready();
    } catch (e) {
      await sqlite.close().catch(() => {});
      throw e;
    }
    inner = sqlite;
  } else if (opts.kind === 'etcd') {
    if (!opts.etcdEndpoints?.length) throw new Error('openStore: etcd needs etcdEndpoints');
    const { openEtcdStore } = await import('./etcd.ts');
    inner = await openEtcdStore(opts.etcdEndpoints, { prefix: opts.etcdPrefix });
  } else {
    throw new Error(`openStore: unknown store kind ${(opts as { kind: string }).kind}`);
  }
  if (opts.uncached) return inner;
  const cached = new CachedStore(inner, opts.kind === 'etcd' ? { prefix: REGISTRY_PREFIX, ...opts.cache } : opts.cache);
  try {
    await cached.waitReady();
  } catch (e) {
    await inner.close().catch(() => {});
    throw e;
  }
  return cached;
}
