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
