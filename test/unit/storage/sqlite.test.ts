import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/storage/sqlite.ts';
import { storeConformance } from './conformance.ts';

const dirs: string[] = [];
for (const synchronous of ['FULL', 'NORMAL'] as const) {
  storeConformance({
    name: `sqlite (synchronous=${synchronous})`,
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'kubelite-sqlite-'));
      dirs.push(dir);
      const path = join(dir, 'state.db');
      const env = {
        store: openSqliteStore(path, { synchronous }),
        async restart() {
          await env.store.close();
          env.store = openSqliteStore(path, { synchronous });
          return env.store;
        },
      };
      return env;
    },
    async teardown() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  });
}

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openStore } from '../../../src/storage/index.ts';

describe('sqlite store specifics', () => {
  it('refuses a second process on an exclusively opened file with a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-sqlite-'));
    dirs.push(dir);
    const s = await openStore({ kind: 'sqlite', dataDir: dir });
    await s.create('/registry/x', '1');
    const code = `import { openStore } from ${JSON.stringify(new URL('../../../src/storage/index.ts', import.meta.url).pathname)};
      try { await openStore({ kind: 'sqlite', dataDir: ${JSON.stringify(dir)} }); console.log('opened'); }
      catch (e) { console.log(e.message); }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
    assert.match(r.stdout, /in use by another process/);
    await s.close();
    const again = await openStore({ kind: 'sqlite', dataDir: dir });
    assert.equal((await again.get('/registry/x'))!.value, '1');
    await again.close();
  });

  it('reports watch progress: every event up to progress() has been delivered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-sqlite-'));
    dirs.push(dir);
    const s = openSqliteStore(join(dir, 'state.db'));
    const seen: number[] = [];
    let resolve!: () => void;
    const got = new Promise<void>((r) => { resolve = r; });
    const w = s.watch('/registry/a/', 0, (ev) => { seen.push(ev.kv.modRevision); resolve(); });
    const a = await s.create('/registry/a/1', 'x');
    await got;
    const b = await s.create('/registry/b/1', 'y'); // not in the watched prefix
    assert.ok(w.progress!() >= b.modRevision);
    assert.deepEqual(seen, [a.modRevision]);
    w.stop();
    await s.close();
  });

  it('hands replaying watches over to live delivery without gap or duplicate while writes are in flight', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-sqlite-'));
    dirs.push(dir);
    const s = openSqliteStore(join(dir, 'state.db'), { synchronous: 'NORMAL' });
    const p = '/registry/handover/';
    const written: number[] = [];
    // More history than one replay page, in and out of the watched prefix.
    for (let i = 0; i < 2600; i += 100) {
      const kvs = await Promise.all(Array.from({ length: 100 }, (_, j) => s.create(`${(i + j) % 3 ? p : '/registry/other/'}k${i + j}`, 'v')));
      for (const kv of kvs) if (kv.key.startsWith(p)) written.push(kv.modRevision);
    }
    let stopWriting = false;
    let n = 0;
    const writers = Array.from({ length: 8 }, async () => {
      while (!stopWriting) {
        const kv = await s.create(`${n % 4 ? p : '/registry/other/'}live-${n++}`, 'v');
        if (kv.key.startsWith(p)) written.push(kv.modRevision);
      }
    });
    // Watches starting from many points of the history while the writers run.
    const watches: Array<{ from: number; seen: number[]; w: { stop(): void } }> = [];
    for (let i = 0; i < 40; i++) {
      const cur = await s.currentRevision();
      const from = i % 4 === 0 ? 0 : Math.max(0, cur - ((i * 997) % 3000));
      const seen: number[] = [];
      watches.push({ from, seen, w: s.watch(p, from, (ev) => { seen.push(ev.kv.modRevision); }) });
      await new Promise((r) => setImmediate(r));
    }
    stopWriting = true;
    await Promise.all(writers);
    const last = await s.create(`${p}last`, 'v');
    written.push(last.modRevision);
    written.sort((a, b) => a - b);
    for (const x of watches) {
      // Wait (polling, not a timing assertion; 20 s hang guard) for the last write to reach the watch.
      const guard = Date.now() + 20_000;
      while (x.seen[x.seen.length - 1] !== last.modRevision && Date.now() < guard) await new Promise((r) => setTimeout(r, 5));
      x.w.stop();
      assert.deepEqual(x.seen, written.filter((r) => r > x.from), `watch from ${x.from}`);
    }
    await s.close();
  });

  it('fails pending and later operations and its watchers with a clear error when the worker dies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-sqlite-'));
    dirs.push(dir);
    const s = openSqliteStore(join(dir, 'state.db'));
    await s.create('/registry/x', '1');
    const watchErr = new Promise<Error>((resolve) => s.watch('/registry/', 0, () => {}, resolve));
    const pending = s.create('/registry/y', '2');
    // The worker thread going away unexpectedly (as on a crash): reach the private worker to end it.
    void s['worker'].terminate();
    await assert.rejects(pending, /storage worker failed/);
    assert.match((await watchErr).message, /storage worker failed/);
    await assert.rejects(s.get('/registry/x'), /storage worker failed/);
    await assert.rejects(s.create('/registry/z', '3'), /storage worker failed/);
    await s.close();
    const again = openSqliteStore(join(dir, 'state.db'));
    assert.equal((await again.get('/registry/x'))!.value, '1');
    assert.equal(await again.get('/registry/y'), null);
    await again.close();
  });

  it('does not keep the process alive when a store is left open, and keeps its writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-sqlite-'));
    dirs.push(dir);
    const file = join(dir, 'state.db');
    const code = `import { openSqliteStore } from ${JSON.stringify(new URL('../../../src/storage/sqlite.ts', import.meta.url).pathname)};
      const s = openSqliteStore(${JSON.stringify(file)}, { groupCommit: false });
      const kvs = await Promise.all([s.create('/registry/a', '1'), s.create('/registry/b', '2')]);
      console.log(kvs.map((kv) => kv.modRevision).join(' '));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const [a, b] = r.stdout.trim().split(' ').map(Number);
    assert.ok(a > 0 && b > a);
    const s = openSqliteStore(file);
    assert.deepEqual((await s.list('/registry/')).items.map((kv) => [kv.key, kv.modRevision]), [['/registry/a', a], ['/registry/b', b]]);
    await s.close();
  });
});

after(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
