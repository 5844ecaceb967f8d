import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/storage/sqlite.ts';
import { openEtcdStore } from '../../../src/storage/etcd.ts';
import { CachedStore } from '../../../src/storage/watch-cache.ts';
import { openStore } from '../../../src/storage/index.ts';
import { CompactedError, type Store, type StoreEvent } from '../../../src/storage/store.ts';
import { storeConformance, collect, watchError } from './conformance.ts';
import { EtcdProcess } from './etcd-process.ts';

const dirs: string[] = [];
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'kubelite-cache-')); dirs.push(d); return d; };
after(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

async function cached(inner: Store, ringSize?: number): Promise<CachedStore> {
  const c = new CachedStore(inner, { ringSize });
  await c.waitReady();
  return c;
}

storeConformance({
  name: 'CachedStore over sqlite',
  async fresh() {
    const path = join(tmp(), 'state.db');
    const env = {
      store: (await cached(openSqliteStore(path))) as Store,
      async restart() {
        await env.store.close();
        env.store = await cached(openSqliteStore(path));
        return env.store;
      },
    };
    return env;
  },
});

let etcd: EtcdProcess;
storeConformance({
  name: 'CachedStore over etcd',
  async setup() { etcd = new EtcdProcess(); await etcd.start(); },
  async teardown() { await etcd.destroy(); },
  async fresh() {
    const env = {
      store: (await cached(await openEtcdStore([etcd.endpoint]))) as Store,
      async restart() {
        await env.store.close();
        await etcd.stop();
        await etcd.start();
        env.store = await cached(await openEtcdStore([etcd.endpoint]));
        return env.store;
      },
    };
    return env;
  },
});

/** Counts the calls that reach the wrapped store. */
function counting(inner: Store): { store: Store; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const store = new Proxy(inner, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

describe('CachedStore specifics', () => {
  it('serves get, list and 1,000 watchers from memory: one storage watch, no per-watcher reads', async () => {
    const { store: inner, calls } = counting(openSqliteStore(join(tmp(), 'state.db')));
    const c = await cached(inner);
    const p = '/registry/core/pods/default/';
    for (let i = 0; i < 20; i++) await c.create(`${p}p${i}`, `{"i":${i}}`);
    const base = { ...calls };
    const from = await c.currentRevision();
    const watchers = Array.from({ length: 1000 }, (_, i) => collect(c, i % 2 ? p : '/registry/core/pods/', from, 3));
    const a = await c.create(`${p}new`, 'x');
    const a2 = await c.update(`${p}new`, 'y', a.modRevision);
    await c.delete(`${p}new`);
    const all = await Promise.all(watchers.map((w) => w.done));
    for (const w of watchers) w.stop();
    for (const evs of all) assert.deepEqual(evs.map((e) => e.type), ['PUT', 'PUT', 'DELETE']);
    assert.equal(all[7][1].prevKv!.value, 'x');
    assert.equal(all[7][1].kv.modRevision, a2.modRevision);
    assert.equal((await c.get(`${p}p3`))!.value, '{"i":3}');
    assert.equal((await c.list(p)).items.length, 20);
    assert.equal((await c.list(p, { limit: 5 })).remaining, 15);
    // Only the three writes reached storage; no watch, list or get.
    assert.equal(calls.watch, base.watch);
    assert.equal(calls.list ?? 0, base.list ?? 0);
    assert.equal(calls.get ?? 0, base.get ?? 0);
    assert.equal(calls.watch, 1);
    await c.close();
  });

  it('answers CompactedError for a watch older than its event ring', async () => {
    const c = await cached(openSqliteStore(join(tmp(), 'state.db')), 5);
    const p = '/registry/x/';
    const first = await c.create(p + 'k0', '0');
    let last = first;
    for (let i = 1; i < 12; i++) last = await c.create(p + `k${i}`, String(i));
    const err = await watchError(c, p, first.modRevision);
    assert.ok(err instanceof CompactedError, String(err));
    // The most recent events are still there.
    const recent = collect(c, p, last.modRevision - 3, 3);
    const evs = await recent.done;
    recent.stop();
    assert.deepEqual(evs.map((e) => e.kv.modRevision), [last.modRevision - 2, last.modRevision - 1, last.modRevision]);
    await c.close();
  });

  it('keeps the ring window exact across many evictions', async () => {
    const c = new CachedStore(openSqliteStore(join(tmp(), 'state.db'), { synchronous: 'NORMAL' }), { ringSize: 50 });
    await c.waitReady();
    const p = '/registry/many/';
    for (let b = 0; b < 30; b++) await Promise.all(Array.from({ length: 100 }, (_, i) => c.create(`${p}k${b}-${i}`, '1')));
    const cur = await c.currentRevision();
    assert.ok((await watchError(c, p, cur - 51)) instanceof CompactedError);
    const w = collect(c, p, cur - 50, 50);
    const evs = await w.done;
    w.stop();
    assert.deepEqual(evs.map((e) => e.kv.modRevision), Array.from({ length: 50 }, (_, i) => cur - 49 + i));
    await c.close();
  });

  it('bounds the event ring by bytes too', async () => {
    const c = new CachedStore(openSqliteStore(join(tmp(), 'state.db')), { ringBytes: 10_000 });
    await c.waitReady();
    const p = '/registry/big/';
    const first = await c.create(p + 'k0', 'x'.repeat(1000));
    let last = first;
    for (let i = 1; i < 20; i++) last = await c.create(p + `k${i}`, 'x'.repeat(1000));
    assert.ok((await watchError(c, p, first.modRevision)) instanceof CompactedError);
    const recent = collect(c, p, last.modRevision - 1, 1);
    assert.equal((await recent.done)[0].kv.modRevision, last.modRevision);
    recent.stop();
    assert.equal((await c.list(p)).items.length, 20, 'the object map is not bounded by the ring');
    await c.close();
  });

  it('makes an acknowledged write visible to the next get and list (read-your-writes)', async () => {
    const c = await cached(openSqliteStore(join(tmp(), 'state.db')));
    const p = '/registry/ryw/';
    for (let i = 0; i < 200; i++) {
      const kv = await c.create(`${p}k${i}`, String(i));
      assert.deepEqual(await c.get(`${p}k${i}`), kv);
      const l = await c.list(p);
      assert.equal(l.items.length, i + 1);
      assert.ok(l.revision >= kv.modRevision);
      const u = await c.update(`${p}k${i}`, `${i}b`, kv.modRevision);
      assert.equal((await c.get(`${p}k${i}`))!.modRevision, u.modRevision);
    }
    await c.close();
  });

  it('sees writes made directly to the inner store (the one storage watch feeds it)', async () => {
    const inner = openSqliteStore(join(tmp(), 'state.db'));
    await inner.create('/registry/pre/a', 'before-cache');
    const c = await cached(inner);
    assert.equal((await c.get('/registry/pre/a'))!.value, 'before-cache');
    const w = collect(c, '/registry/pre/', await c.currentRevision(), 1);
    const b = await inner.create('/registry/pre/b', 'direct');
    const evs: StoreEvent[] = await w.done;
    w.stop();
    assert.equal(evs[0].kv.modRevision, b.modRevision);
    assert.equal((await c.get('/registry/pre/b'))!.value, 'direct');
    await c.close();
  });

  it('openStore opens sqlite in a data dir, cached, and brings the data back on reopen', async () => {
    const dataDir = join(tmp(), 'data');
    const s = await openStore({ kind: 'sqlite', dataDir });
    assert.ok(s instanceof CachedStore);
    const kv = await s.create('/registry/core/namespaces/default', '{}');
    await s.close();
    const s2 = await openStore({ kind: 'sqlite', dataDir });
    assert.deepEqual(await s2.get('/registry/core/namespaces/default'), kv);
    await s2.close();
  });
});

describe('CachedStore compaction and progress', () => {
  it('compacts periodically to the revision seen at the previous tick', async () => {
    const c = new CachedStore(openSqliteStore(join(tmp(), 'state.db')), { compactIntervalMs: 30 });
    try {
      await c.waitReady();
      const a = await c.create('/registry/c/a', '1');
      let last = a;
      // Keep writing until a compaction has passed a's revision (polling, not a timing assertion). A tick that
      // ran before the create saw an earlier revision, so the first compaction may stop short of it.
      while ((await c.compactedRevision()) <= a.modRevision) {
        last = await c.update('/registry/c/a', String(last.modRevision), last.modRevision);
        await new Promise((r) => setTimeout(r, 10));
      }
      const cr = await c.compactedRevision();
      // Never beyond what a tick could have seen: every compaction target is a revision the cache had reached.
      assert.ok(cr <= last.modRevision, `compacted to ${cr}, past the last write ${last.modRevision}`);
      const err = await watchError(c, '/registry/c/', a.modRevision);
      assert.ok(err instanceof CompactedError);
      assert.equal((await c.get('/registry/c/a'))!.modRevision, last.modRevision);
    } finally {
      await c.close();
    }
  });

  it('watch progress() covers quiet prefixes once live', async () => {
    const c = await cached(openSqliteStore(join(tmp(), 'state.db')));
    const w = collect(c, '/registry/quiet/', await c.currentRevision(), 0);
    const other = collect(c, '/registry/busy/', await c.currentRevision(), 1);
    const b = await c.create('/registry/busy/x', '1');
    await other.done;
    other.stop();
    await new Promise((r) => setImmediate(r));
    assert.ok(w.watcher.progress!() >= b.modRevision);
    w.stop();
    await c.close();
  });
});

describe('CachedStore over etcd with large data', () => {
  it('loads a keyspace whose first page is larger than gRPC\'s default 4 MiB message limit', async () => {
    const e = new EtcdProcess();
    await e.start();
    try {
      const raw = await openEtcdStore([e.endpoint]);
      const big = 'x'.repeat(8 * 1024);
      for (let b = 0; b < 600; b += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, i) => raw.create(`/registry/big/k${String(b + i).padStart(4, '0')}`, big)));
      }
      assert.equal((await raw.list('/registry/big/')).items.length, 600);
      const c = await cached(raw);
      assert.equal((await c.list('/registry/big/')).items.length, 600);
      await c.close();
    } finally {
      await e.destroy();
    }
  });
});

describe('CachedStore over etcd across an etcd restart', () => {
  it('keeps serving: writes succeed again once etcd is back, and the cache and watchers see them', async () => {
    const e = new EtcdProcess();
    await e.start();
    try {
      const c = await cached(await openEtcdStore([e.endpoint]));
      const a = await c.create('/registry/r/a', '1');
      const w = collect(c, '/registry/r/', a.modRevision, 1);
      await e.stop();
      await assert.rejects(c.create('/registry/r/down', 'x'));
      await e.start();
      let b;
      for (let attempt = 0; !b; attempt++) {
        try { b = await c.create('/registry/r/b', '2'); } catch (err) {
          if (attempt > 100) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const evs = await w.done;
      w.stop();
      assert.equal(evs[0].kv.key, '/registry/r/b');
      assert.deepEqual(await c.get('/registry/r/b'), b);
      assert.deepEqual((await c.list('/registry/r/')).items.map((kv) => kv.key), ['/registry/r/a', '/registry/r/b']);
      await c.close();
    } finally {
      await e.destroy();
    }
  });
});

describe('CachedStore when its storage watch fails', () => {
  it('fails its watchers with CompactedError, reloads, and serves new writes and watches again', async () => {
    const inner = openSqliteStore(join(tmp(), 'state.db'));
    let failInnerWatch: ((e: Error) => void) | undefined;
    // Fault injection: keep the cache's storage watch error callback so the test can fire it.
    const wrapped: Store = new Proxy(inner, {
      get(target, prop, recv) {
        if (prop === 'watch') {
          return (p: string, after: number, onEvent: (ev: StoreEvent) => void, onError?: (e: Error) => void) => {
            failInnerWatch = (e) => { w.stop(); onError?.(e); };
            const w = target.watch(p, after, onEvent, onError);
            return w;
          };
        }
        const v = Reflect.get(target, prop, recv);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const c = await cached(wrapped);
    const a = await c.create('/registry/f/a', '1');
    const before = collect(c, '/registry/f/', a.modRevision, 1);
    await new Promise((r) => setImmediate(r));
    failInnerWatch!(new Error('injected storage watch failure'));
    await assert.rejects(before.done, CompactedError);
    // Written while the cache's watch is down: the reload must pick it up.
    const b = await inner.create('/registry/f/b', '2');
    const c2 = await c.create('/registry/f/c', '3');
    assert.deepEqual(await c.get('/registry/f/b'), b);
    assert.deepEqual((await c.list('/registry/f/')).items.map((kv) => kv.key), ['/registry/f/a', '/registry/f/b', '/registry/f/c']);
    const after = collect(c, '/registry/f/', c2.modRevision, 1);
    const d = await c.create('/registry/f/d', '4');
    assert.equal((await after.done)[0].kv.modRevision, d.modRevision);
    after.stop();
    await c.close();
  });
});
