/**
 * The one Store conformance suite, run against every implementation (sqlite, etcd, CachedStore over each).
 * Not a test file itself: *.test.ts files call storeConformance() with a backend.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError, ConflictError, KeyExistsError, KeyNotFoundError,
  type Store, type StoreEvent, type Watcher,
} from '../../../src/storage/store.ts';

export interface Env {
  store: Store;
  /** Close the store, restart its persistence (for etcd: the etcd process), open it again. */
  restart(): Promise<Store>;
}

export interface Backend {
  name: string;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** A store over an empty keyspace (or one no other test touches). */
  fresh(): Promise<Env>;
}

/** Wait for `n` events from a watch; rejects on watch error or after 10 s (a hang guard, not a timing assertion). */
export function collect(store: Store, prefix: string, after: number, n: number): { events: StoreEvent[]; done: Promise<StoreEvent[]>; stop(): void; watcher: Watcher } {
  const events: StoreEvent[] = [];
  let resolve!: (v: StoreEvent[]) => void, reject!: (e: Error) => void;
  const done = new Promise<StoreEvent[]>((res, rej) => { resolve = res; reject = rej; });
  done.catch(() => {}); // a caller that never awaits it must not crash the test process
  const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} events, got ${events.length}`)), 10_000);
  const w = store.watch(prefix, after, (ev) => {
    events.push(ev);
    if (events.length === n) { clearTimeout(timer); resolve(events); }
  }, (err) => { clearTimeout(timer); reject(err); });
  if (n === 0) { clearTimeout(timer); resolve(events); }
  return { events, done, watcher: w, stop: () => { clearTimeout(timer); w.stop(); } };
}

/** The error a watch reports, whether thrown at once or passed to onError (rejects if events arrive instead). */
export function watchError(store: Store, prefix: string, after: number): Promise<Error> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('watch neither failed nor delivered')), 10_000);
    try {
      const w = store.watch(prefix, after, (ev) => {
        clearTimeout(timer); w.stop(); reject(new Error(`unexpected event at ${ev.kv.modRevision}`));
      }, (err) => { clearTimeout(timer); resolve(err); });
    } catch (e) {
      clearTimeout(timer);
      resolve(e as Error);
    }
  });
}

export function storeConformance(backend: Backend): void {
  describe(`Store conformance: ${backend.name}`, () => {
    let env: Env;
    let store: Store;
    let n = 0;
    const ns = (): string => `/registry/conf/t${++n}-${Date.now().toString(36)}/`;

    before(async () => { await backend.setup?.(); });
    after(async () => { await backend.teardown?.(); });

    const fresh = async (): Promise<void> => {
      env = await backend.fresh();
      store = env.store;
    };
    const done = async (): Promise<void> => { await store.close(); };

    it('assigns increasing global revisions; createRevision stays, modRevision moves', async () => {
      await fresh();
      const p = ns();
      const r0 = await store.currentRevision();
      assert.ok(r0 >= 1, 'an empty store starts at revision >= 1 (never resourceVersion 0)');
      const a = await store.create(p + 'a', '{"v":1}');
      assert.ok(a.modRevision > r0);
      assert.equal(a.createRevision, a.modRevision);
      assert.equal(a.value, '{"v":1}');
      const b = await store.create(p + 'b', 'b');
      assert.ok(b.modRevision > a.modRevision);
      const a2 = await store.update(p + 'a', '{"v":2}', a.modRevision);
      assert.ok(a2.modRevision > b.modRevision);
      assert.equal(a2.createRevision, a.createRevision);
      assert.ok((await store.currentRevision()) >= a2.modRevision);
      assert.deepEqual(await store.get(p + 'a'), a2);
      const d = await store.delete(p + 'b');
      assert.ok(d.modRevision > a2.modRevision);
      assert.equal(d.value, 'b');
      assert.equal(d.createRevision, b.createRevision);
      assert.equal(await store.get(p + 'b'), null);
      await done();
    });

    it('enforces create/update/delete preconditions', async () => {
      await fresh();
      const p = ns();
      const a = await store.create(p + 'a', '1');
      await assert.rejects(store.create(p + 'a', '2'), KeyExistsError);
      await assert.rejects(store.update(p + 'a', '2', a.modRevision - 1), ConflictError);
      await assert.rejects(store.update(p + 'missing', '2', a.modRevision), KeyNotFoundError);
      await assert.rejects(store.update(p + 'missing', '2', 0), KeyNotFoundError);
      await assert.rejects(store.delete(p + 'missing'), KeyNotFoundError);
      const a2 = await store.update(p + 'a', '2', a.modRevision);
      await assert.rejects(store.update(p + 'a', '3', a.modRevision), ConflictError, 'stale revision');
      await assert.rejects(store.delete(p + 'a', a.modRevision), ConflictError);
      assert.equal((await store.get(p + 'a'))!.value, '2');
      await store.delete(p + 'a', a2.modRevision);
      assert.equal(await store.get(p + 'a'), null);
      await assert.rejects(store.update(p + 'a', '4', a2.modRevision), KeyNotFoundError);
      const again = await store.create(p + 'a', 'new');
      assert.ok(again.createRevision > a2.modRevision, 'a re-created key has a new createRevision');
      assert.equal(await store.get(p + 'nothing'), null);
      await done();
    });

    it('lets exactly one of concurrent creates / CAS updates of a key win', async () => {
      await fresh();
      const p = ns();
      const creates = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.create(p + 'x', String(i))));
      assert.equal(creates.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of creates) if (r.status === 'rejected') assert.ok(r.reason instanceof KeyExistsError);
      const cur = (await store.get(p + 'x'))!;
      const updates = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.update(p + 'x', `u${i}`, cur.modRevision)));
      const won = updates.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of updates) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError);
      assert.equal((await store.get(p + 'x'))!.value, (won[0] as PromiseFulfilledResult<{ value: string }>).value.value);
      await done();
    });

    it('lists a prefix at the latest and at an older revision', async () => {
      await fresh();
      const p = ns();
      const a = await store.create(p + 'a', 'a1');
      await store.create(p + 'b', 'b1');
      await store.create(p + 'ab', 'sibling-not-in-prefix-a/');
      await store.create(p + 'a/x', 'child');
      const r1 = await store.currentRevision();
      await store.update(p + 'a', 'a2', a.modRevision);
      await store.delete(p + 'b');
      await store.create(p + 'c', 'c1');
      const latest = await store.list(p);
      assert.deepEqual(latest.items.map((kv) => [kv.key.slice(p.length), kv.value]),
        [['a', 'a2'], ['a/x', 'child'], ['ab', 'sibling-not-in-prefix-a/'], ['c', 'c1']]);
      assert.ok(latest.revision >= r1);
      assert.equal(latest.more, false);
      const old = await store.list(p, { revision: r1 });
      assert.equal(old.revision, r1);
      assert.deepEqual(old.items.map((kv) => [kv.key.slice(p.length), kv.value]),
        [['a', 'a1'], ['a/x', 'child'], ['ab', 'sibling-not-in-prefix-a/'], ['b', 'b1']]);
      const sub = await store.list(p + 'a/');
      assert.deepEqual(sub.items.map((kv) => kv.key), [p + 'a/x']);
      assert.deepEqual((await store.list(p + 'zzz/')).items, []);
      await done();
    });

    it('paginates with limit and startKey at one revision, counting the remaining items', async () => {
      await fresh();
      const p = ns();
      const names = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`);
      for (const nm of names) await store.create(p + nm, nm);
      const first = await store.list(p, { limit: 10 });
      assert.equal(first.items.length, 10);
      assert.equal(first.more, true);
      assert.equal(first.remaining, 15);
      const rev = first.revision;
      // Writes after the first page must not show in later pages read at the first page's revision.
      await store.create(p + 'k05a', 'late');
      await store.delete(p + 'k20');
      const seen = first.items.map((kv) => kv.value);
      let page = first;
      while (page.more) {
        const last = page.items[page.items.length - 1].key;
        page = await store.list(p, { revision: rev, limit: 10, startKey: last + '\u0000' });
        assert.equal(page.revision, rev);
        seen.push(...page.items.map((kv) => kv.value));
        if (page.more) assert.equal(page.remaining, 25 - seen.length);
      }
      assert.deepEqual(seen, names);
      const now = await store.list(p);
      assert.equal(now.items.length, 25);
      assert.ok(now.items.some((kv) => kv.value === 'late'));
      assert.ok(!now.items.some((kv) => kv.value === 'k20'));
      await done();
    });

    it('watches in revision order with prevKv, from now and from an older revision, filtered by prefix', async () => {
      await fresh();
      const p = ns();
      const start = await store.currentRevision();
      const live = collect(store, p, start, 5);
      const other = collect(store, p + 'b', start, 1);
      const a = await store.create(p + 'a', 'a1');
      const a2 = await store.update(p + 'a', 'a2', a.modRevision);
      await store.create(ns() + 'elsewhere', 'x');
      const b = await store.create(p + 'b', 'b1');
      const da = await store.delete(p + 'a');
      const db = await store.delete(p + 'b', b.modRevision);
      const evs = await live.done;
      live.stop();
      assert.deepEqual(evs.map((e) => [e.type, e.kv.key.slice(p.length), e.kv.modRevision]),
        [['PUT', 'a', a.modRevision], ['PUT', 'a', a2.modRevision], ['PUT', 'b', b.modRevision],
          ['DELETE', 'a', da.modRevision], ['DELETE', 'b', db.modRevision]]);
      assert.equal(evs[0].created, true);
      assert.equal(evs[0].prevKv, undefined);
      assert.equal(evs[1].created, false);
      assert.deepEqual(evs[1].prevKv, { key: p + 'a', value: 'a1', createRevision: a.createRevision, modRevision: a.modRevision });
      assert.equal(evs[1].kv.value, 'a2');
      assert.equal(evs[1].kv.createRevision, a.createRevision);
      assert.deepEqual(evs[3].prevKv, { key: p + 'a', value: 'a2', createRevision: a.createRevision, modRevision: a2.modRevision });
      assert.equal(evs[3].kv.value, 'a2', 'a DELETE carries the last value');
      assert.equal(evs[4].prevKv!.value, 'b1');
      const ob = await other.done;
      other.stop();
      assert.equal(ob[0].kv.key, p + 'b');
      // Replay from an older revision: everything after a's creation.
      const replay = collect(store, p, a.modRevision, 4);
      const rev = await replay.done;
      replay.stop();
      assert.deepEqual(rev.map((e) => e.kv.modRevision), [a2.modRevision, b.modRevision, da.modRevision, db.modRevision]);
      assert.equal(rev[0].prevKv!.value, 'a1');
      // Replay then live, without gap or duplicate.
      const mixed = collect(store, p, da.modRevision, 3);
      const c = await store.create(p + 'c', 'c1');
      const c2 = await store.update(p + 'c', 'c2', c.modRevision);
      const m = await mixed.done;
      mixed.stop();
      assert.deepEqual(m.map((e) => e.kv.modRevision), [db.modRevision, c.modRevision, c2.modRevision]);
      await done();
    });

    it('stops delivering after stop()', async () => {
      await fresh();
      const p = ns();
      const got: StoreEvent[] = [];
      const w = store.watch(p, await store.currentRevision(), (e) => got.push(e));
      const first = collect(store, p, await store.currentRevision(), 2);
      await store.create(p + 'a', '1');
      w.stop();
      await store.create(p + 'b', '2');
      await first.done; // both writes delivered to a live watcher, so the stopped one had its chance
      first.stop();
      assert.ok(got.length <= 1);
      assert.ok(!got.some((e) => e.kv.key === p + 'b'));
      await done();
    });

    it('compacts: old revisions give CompactedError, the latest state and recent history stay', async () => {
      await fresh();
      const p = ns();
      const a = await store.create(p + 'a', 'a1');
      const a2 = await store.update(p + 'a', 'a2', a.modRevision);
      const b = await store.create(p + 'b', 'b1');
      await store.delete(p + 'b', b.modRevision);
      const a3 = await store.update(p + 'a', 'a3', a2.modRevision);
      const c = await store.create(p + 'c', 'c1');
      const a4 = await store.update(p + 'a', 'a4', a3.modRevision);
      await store.compact(c.modRevision);
      assert.ok((await store.compactedRevision()) >= c.modRevision);
      const cr = await store.compactedRevision();
      await assert.rejects(store.list(p, { revision: a2.modRevision }), CompactedError);
      const err = await watchError(store, p, a.modRevision);
      assert.ok(err instanceof CompactedError, `watch from a compacted revision: ${err}`);
      const atC = await store.list(p, { revision: cr });
      assert.deepEqual(atC.items.map((kv) => [kv.key.slice(p.length), kv.value]), [['a', 'a3'], ['c', 'c1']]);
      assert.deepEqual((await store.list(p)).items.map((kv) => kv.value), ['a4', 'c1']);
      const after = collect(store, p, cr, 1);
      const evs = await after.done;
      after.stop();
      assert.equal(evs[0].kv.modRevision, a4.modRevision);
      assert.deepEqual(evs[0].prevKv, { key: p + 'a', value: 'a3', createRevision: a.createRevision, modRevision: a3.modRevision });
      // Compacting again to the same or an older revision is harmless.
      await store.compact(c.modRevision);
      const more = await store.update(p + 'a', 'a5', a4.modRevision);
      assert.equal((await store.get(p + 'a'))!.modRevision, more.modRevision);
      await done();
    });

    it('a key deleted after an earlier compaction stays deleted through later compactions and a restart', async () => {
      await fresh();
      const p = ns();
      const a = await store.create(p + 'a', 'a1');
      const a2 = await store.update(p + 'a', 'a2', a.modRevision);
      await store.create(p + 'filler', 'x');
      await store.compact(await store.currentRevision()); // a2 is the latest row of `a`: kept
      await store.delete(p + 'a', a2.modRevision);
      await store.create(p + 'filler2', 'y');
      await store.compact(await store.currentRevision()); // the tombstone and a2 both go
      assert.equal(await store.get(p + 'a'), null);
      store = await env.restart();
      assert.equal(await store.get(p + 'a'), null);
      assert.deepEqual((await store.list(p)).items.map((kv) => kv.key.slice(p.length)), ['filler', 'filler2']);
      const again = await store.create(p + 'a', 'new');
      assert.equal((await store.get(p + 'a'))!.value, 'new');
      assert.equal((await store.get(p + 'a'))!.createRevision, again.modRevision);
      await done();
    });

    it('keeps every key across a restart, and keeps counting revisions from where it was', async () => {
      await fresh();
      const p = ns();
      const written = new Map<string, string>();
      for (let i = 0; i < 50; i++) {
        const k = `${p}k${i}`;
        await store.create(k, `v${i}`);
        written.set(k, `v${i}`);
      }
      const x = await store.update(`${p}k0`, 'v0b', (await store.get(`${p}k0`))!.modRevision);
      written.set(`${p}k0`, 'v0b');
      await store.delete(`${p}k1`);
      written.delete(`${p}k1`);
      const rev = await store.currentRevision();
      store = await env.restart();
      const items = (await store.list(p)).items;
      assert.deepEqual(new Map(items.map((kv) => [kv.key, kv.value])), written);
      assert.equal((await store.get(`${p}k0`))!.modRevision, x.modRevision);
      assert.ok((await store.currentRevision()) >= rev);
      const y = await store.create(`${p}after`, '1');
      assert.ok(y.modRevision > rev);
      await done();
    });
  });
}
