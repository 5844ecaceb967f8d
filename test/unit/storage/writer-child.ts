/**
 * Child process for the kill -9 tests: writes keys in a loop (a few writers at once, so group commit is exercised)
 * and prints each key on stdout only after the store acknowledged it. Runs until killed.
 *   node --import tsx writer-child.ts sqlite <file> [FULL|NORMAL] | cached-sqlite <dataDir> | etcd <endpoint>
 */
import { openSqliteStore } from '../../../src/storage/sqlite.ts';
import { openEtcdStore } from '../../../src/storage/etcd.ts';
import { openStore } from '../../../src/storage/index.ts';
import type { Store } from '../../../src/storage/store.ts';

const [kind, target, mode] = process.argv.slice(2);
let store: Store;
if (kind === 'sqlite') store = openSqliteStore(target, { synchronous: mode === 'NORMAL' ? 'NORMAL' : 'FULL' });
else if (kind === 'cached-sqlite') store = await openStore({ kind: 'sqlite', dataDir: target });
else store = await openEtcdStore([target]);

let next = 0;
async function writer(): Promise<void> {
  for (;;) {
    const i = next++;
    const key = `/registry/kill/${process.pid}-k${String(i).padStart(7, '0')}`;
    try {
      const kv = await store.create(key, JSON.stringify({ i, pad: 'x'.repeat(900) }));
      process.stdout.write(`${key} ${kv.modRevision}\n`);
    } catch (e) {
      process.stderr.write(`write ${key} failed: ${(e as Error).message}\n`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
process.stdout.write('ready\n');
await Promise.all([writer(), writer(), writer(), writer()]);
