/** Differential test: the watch cache must answer exactly as the store it fronts, under a random workload. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/storage/sqlite.ts';
import { CachedStore } from '../../../src/storage/watch-cache.ts';
import type { Store, StoreEvent } from '../../../src/storage/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubelite-cache-random-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('CachedStore agrees with its storage under a random workload', () => {
  it('same objects, same lists and pages, same event history for watchers', async () => {
    const inner = openSqliteStore(join(dir, 'state.db'), { synchronous: 'NORMAL' });
    const c = new CachedStore(inner);
    await c.waitReady();
    let s = 7;
    const rnd = (n: number): number => { s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff; return (s >>> 12) % n; };
    const start = await c.currentRevision();
    const key = (): string => `/registry/${['a', 'b', 'ab'][rnd(3)]}/${['ns1', 'ns2'][rnd(2)]}/k${rnd(40)}`;
    for (let round = 0; round < 40; round++) {
      await Promise.allSettled(Array.from({ length: 10 }, async () => {
        const k = key();
        const cur = await c.get(k);
        const op = rnd(4);
        if (!cur || op === 0) return c.create(k, `v${round}`);
        if (op === 3) return c.delete(k, rnd(2) ? cur.modRevision : undefined);
        return c.update(k, `u${round}`, rnd(5) === 0 ? cur.modRevision - 1 : cur.modRevision);
      }));
    }
    const cur = await c.currentRevision();
    assert.equal(cur, await inner.currentRevision());
    for (const prefix of ['/registry/', '/registry/a/', '/registry/ab/ns1/', '/registry/b/ns2/']) {
      assert.deepEqual((await c.list(prefix)).items, (await inner.list(prefix)).items, prefix);
      const pc = await c.list(prefix, { limit: 7, startKey: prefix + 'ns1/k2' });
      const pi = await inner.list(prefix, { limit: 7, startKey: prefix + 'ns1/k2' });
      assert.deepEqual([pc.items, pc.more, pc.remaining], [pi.items, pi.more, pi.remaining], prefix);
    }
    // Both must replay the same history from an older revision, up to a final sentinel write.
    const from = start + Math.floor((cur - start) / 3);
    const upToSentinel = (store: Store): Promise<StoreEvent[]> => new Promise((resolve, reject) => {
      const evs: StoreEvent[] = [];
      const w = store.watch('/registry/a', from, (ev) => {
        evs.push(ev);
        if (ev.kv.key === '/registry/a/sentinel') { w.stop(); resolve(evs); }
      }, reject);
    });
    const [want, got] = [upToSentinel(inner), upToSentinel(c)];
    await c.create('/registry/a/sentinel', 'end');
    const [we, ge] = await Promise.all([want, got]);
    assert.ok(we.length > 50, `history has ${we.length} events`);
    assert.deepEqual(ge, we);
    await c.close();
  });
});
