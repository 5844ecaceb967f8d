/**
 * kill -9 in the middle of a write loop loses no acknowledged write: for SQLite (FULL and NORMAL, raw and through
 * openStore's CachedStore) the writer process is killed; for etcd both the writer and the etcd server are killed.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../../src/storage/sqlite.ts';
import { openEtcdStore } from '../../../src/storage/etcd.ts';
import type { Store } from '../../../src/storage/store.ts';
import { EtcdProcess } from './etcd-process.ts';

const child = fileURLToPath(new URL('./writer-child.ts', import.meta.url));
const dirs: string[] = [];
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'kubelite-kill9-')); dirs.push(d); return d; };
after(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

interface Writer { proc: ChildProcess; acked: Map<string, number>; waitFor(n: number): Promise<void>; exited: Promise<void> }

function startWriter(args: string[]): Writer {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked = new Map<string, number>();
  let buf = '';
  let stderr = '';
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const [key, rev] = line.split(' ');
      if (key.startsWith('/registry/')) acked.set(key, Number(rev));
    }
    for (const w of waiters.splice(0)) if (acked.size >= w.n) w.resolve(); else waiters.push(w);
  });
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc, acked, exited,
    waitFor: (n) => new Promise<void>((resolve, reject) => {
      if (acked.size >= n) return resolve();
      const t = setTimeout(() => reject(new Error(`writer acked only ${acked.size} of ${n}: ${stderr.slice(-1000)}`)), 60_000);
      waiters.push({ n, resolve: () => { clearTimeout(t); resolve(); } });
      proc.once('exit', (code, sig) => { if (acked.size < n) { clearTimeout(t); reject(new Error(`writer exited ${code ?? sig}: ${stderr.slice(-1000)}`)); } });
    }),
  };
}

async function assertAllPresent(store: Store, acked: Map<string, number>): Promise<void> {
  const items = (await store.list('/registry/kill/')).items;
  const have = new Map(items.map((kv) => [kv.key, kv]));
  const missing = [...acked.keys()].filter((k) => !have.has(k));
  assert.deepEqual(missing, [], `${missing.length} acknowledged keys lost of ${acked.size}`);
  for (const [k, rev] of acked) {
    const kv = have.get(k)!;
    assert.equal(kv.modRevision, rev, `${k} has the acknowledged revision`);
    assert.equal(JSON.parse(kv.value).i, Number(k.slice(-7)));
  }
}

describe('kill -9 loses no acknowledged write', () => {
  for (const mode of ['FULL', 'NORMAL']) {
    it(`sqlite synchronous=${mode}: writer killed mid-loop`, async () => {
      const file = join(tmp(), 'state.db');
      for (let round = 0; round < 3; round++) {
        const w = startWriter(['sqlite', file, mode]);
        await w.waitFor(300);
        w.proc.kill('SIGKILL');
        await w.exited;
        const store = openSqliteStore(file);
        await assertAllPresent(store, w.acked);
        await store.close();
      }
    });
  }

  it('sqlite through openStore (CachedStore): writer killed mid-loop', async () => {
    const dataDir = join(tmp(), 'data');
    const w = startWriter(['cached-sqlite', dataDir]);
    await w.waitFor(300);
    w.proc.kill('SIGKILL');
    await w.exited;
    const store = openSqliteStore(join(dataDir, 'state.db'));
    await assertAllPresent(store, w.acked);
    await store.close();
  });

  it('etcd: writer killed mid-loop, then the etcd server killed mid-loop', async () => {
    const etcd = new EtcdProcess();
    try {
      await etcd.start();
      const w = startWriter(['etcd', etcd.endpoint]);
      await w.waitFor(300);
      w.proc.kill('SIGKILL');
      await w.exited;
      let store = await openEtcdStore([etcd.endpoint]);
      await assertAllPresent(store, w.acked);
      await store.close();

      // Now kill etcd itself under load; everything it acknowledged must come back after a restart.
      const w2 = startWriter(['etcd', etcd.endpoint]);
      await w2.waitFor(300);
      await etcd.stop(true);
      w2.proc.kill('SIGKILL');
      await w2.exited;
      await etcd.start();
      store = await openEtcdStore([etcd.endpoint]);
      await assertAllPresent(store, w.acked);
      await assertAllPresent(store, w2.acked);
      await store.close();
    } finally {
      await etcd.destroy();
    }
  });
});
