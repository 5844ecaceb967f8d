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
});

after(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
