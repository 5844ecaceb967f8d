/**
 * SQLite implementation of the Store: an etcd-shaped revision log in one table, after kine's design
 * (k3s's etcd shim). Own code; the shape:
 *
 *   kine(id INTEGER PRIMARY KEY AUTOINCREMENT  -- the global revision
 *        name, created, deleted, create_revision, prev_revision, value, old_value)
 *
 * Every write (create, update, delete) appends one row; the row's id is the write's revision. The latest row of a
 * name (highest id) is the key's current state; a row with deleted=1 is a tombstone. `old_value` and
 * `prev_revision` make each row a self-contained watch event with prevKv, so history can be compacted freely.
 * Reading "as of revision R" means: for each name the row with the highest id <= R, unless it is a tombstone.
 *
 * Threads: a worker thread (src/storage/sqlite-worker.ts) owns the one better-sqlite3 connection and runs every
 * statement, so a commit's fsync never stalls the API server's event loop. This (main-thread) side keeps the
 * current revision, the compacted revision and the watchers, and talks to the worker by messages. The worker
 * answers requests one at a time in the order sent, and messages in each direction are FIFO, so replies arrive in
 * request order; everything below relies on that.
 *
 * Durability: WAL journal. `synchronous` defaults to FULL (each commit is fsynced: survives kill -9 *and* power
 * loss, like etcd); NORMAL survives kill -9 (the WAL is written before the commit returns) but may lose the last
 * commits on power loss. Writes are group-committed with pipelining: the writes of one event-loop turn go to the
 * worker as one batch, applied in one transaction (one fsync), each with its own precondition check; while a batch
 * is in the worker, new writes queue here and go as the next batch when its result comes back. A write resolves
 * only after its COMMIT returned in the worker.
 *
 * Watches: events written by this process are delivered in-process when a batch's result arrives (no polling). A
 * watcher starting from an older revision first replays history, a page per request, then goes live. The hand-over
 * is exact because of the reply order: a batch the worker committed before a replay page was read has its result
 * arrive before that page (the page contains its rows; the watcher is not live yet, so it is not delivered twice),
 * and a batch committed after it has its result arrive after the page (delivered live). Reply handlers that take
 * part in this (batch results, replay pages) run synchronously in the message callback, never after an await.
 * Writes by other processes to the same file are not observed by watches: one process owns a data dir.
 */
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { RevisionWatcher } from './watcher.ts';
import type { ListReply, OpenReply, Reply, Request, Row, WorkerOptions, WriteOp, WriteResult } from './sqlite-worker.ts';
import { rowKv } from './sqlite-worker.ts';
import {
  CompactedError, ConflictError, KeyExistsError, KeyNotFoundError,
  type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type Watcher,
} from './store.ts';

export interface SqliteStoreOptions {
  /**
   * Hold the database exclusively for the life of the store (SQLite locking_mode=EXCLUSIVE): a second process
   * opening the same file fails with "in use by another process" instead of silently missing watch events.
   * Default false; openStore() turns it on.
   */
  exclusive?: boolean;
  /** 'FULL' (default): fsync per commit (power-loss safe). 'NORMAL': survives kill -9, not power loss. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Group the writes of one event-loop turn (and those queued behind a batch) into one transaction (default
   *  true). false: one transaction per write, one at a time. */
  groupCommit?: boolean;
}

interface PendingWrite { op: WriteOp; resolve: (kv: KeyValue) => void; reject: (e: Error) => void }
type Callback = (err: Error | null, result: unknown) => void;

/** The smallest string greater than every string starting with `prefix` ('' = unbounded). */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '';
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return '';
}

export function rowEvent(r: Row): StoreEvent {
  const kv = rowKv(r);
  if (r.deleted) {
    return {
      type: 'DELETE', kv, created: false,
      prevKv: { key: r.name, value: r.value, createRevision: kv.createRevision, modRevision: r.prev_revision },
    };
  }
  if (r.created) return { type: 'PUT', kv, created: true };
  return {
    type: 'PUT', kv, created: false,
    prevKv: { key: r.name, value: r.old_value ?? '', createRevision: kv.createRevision, modRevision: r.prev_revision },
  };
}

const REPLAY_BATCH = 1000;
const COMPACT_STEP = 5000;

/*
 * How the worker runs TypeScript. Node 20 applies neither the tsx hooks that bin/kubelite.js registers on the main
 * thread nor `--import tsx` in a worker's execArgv to a worker's entry module, and registering tsx inside the
 * worker costs ~200 ms and ~30 MiB per store (a second module loader and its hooks thread). So the worker's source,
 * sqlite-worker.ts (type-checked with the rest), is transpiled once per process with esbuild (the transpiler tsx
 * itself uses) to a CommonJS script, and each worker evaluates that script. Its only imports at run time are
 * node:worker_threads and better-sqlite3 (the rest are types, erased), resolved from the worker file's own path so
 * the cwd does not matter. The worker gets an empty execArgv (none of the parent's flags, e.g. --test, apply).
 */
let workerScript: string | undefined;
function workerBootstrap(): string {
  if (workerScript) return workerScript;
  const file = fileURLToPath(new URL('./sqlite-worker.ts', import.meta.url));
  const { code } = transformSync(readFileSync(file, 'utf8'), { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: file });
  workerScript = `'use strict';
(function (require, module, exports) {
${code}
})(require('node:module').createRequire(${JSON.stringify(file)}), { exports: {} }, {});`;
  return workerScript;
}

class SqliteWatcher extends RevisionWatcher {
  deliver(r: Row): void {
    this.emit(r.id, r.name, () => rowEvent(r));
  }
}

function preconditionError(failed: 'exists' | 'conflict' | 'notfound', key: string): Error {
  if (failed === 'exists') return new KeyExistsError(key);
  if (failed === 'conflict') return new ConflictError(key);
  return new KeyNotFoundError(key);
}

export class SqliteStore implements Store {
  private readonly worker: Worker;
  private readonly callbacks = new Map<number, Callback>();
  private nextId = 1;
  /** Latest committed revision whose batch result has arrived here. */
  private rev = 0;
  private compactRev = 0;
  private readonly opened: Promise<void>;
  private isOpen = false;
  /** Set when the open failed or the worker died: every operation fails with it from then on. */
  private failure: Error | null = null;
  private closeRequested = false;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly watchers = new Set<SqliteWatcher>();
  private queue: PendingWrite[] = [];
  /** A write batch is in the worker. */
  private writing = false;
  private flushScheduled = false;
  /** close() waiting for the queued writes to drain. */
  private idleWaiters: Array<() => void> = [];
  private compacting: Promise<void> | null = null;
  private readonly groupCommit: boolean;

  constructor(private readonly path: string, opts: SqliteStoreOptions) {
    this.groupCommit = opts.groupCommit ?? true;
    const workerData: WorkerOptions = {
      kubeliteSqlite: true, path, exclusive: opts.exclusive ?? false, synchronous: opts.synchronous ?? 'FULL',
    };
    this.worker = new Worker(workerBootstrap(), { eval: true, workerData, execArgv: [] });
    this.worker.on('message', (m: Reply) => this.onReply(m));
    this.worker.on('error', (e) => this.fail(this.workerError(e)));
    this.worker.on('messageerror', (e) => this.fail(this.workerError(e)));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(this.workerError(new Error(`the worker thread exited (code ${code})`)));
    });
    let resolve!: () => void, reject!: (e: Error) => void;
    this.opened = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
    this.opened.catch(() => {}); // surfaced by every operation (and ready())
    this.callbacks.set(0, (err, result) => {
      if (err) {
        const e = this.failure ?? new Error(err.message.includes(path) ? err.message : `${path}: ${err.message}`);
        this.fail(e);
        reject(e);
        return;
      }
      const o = result as OpenReply;
      this.rev = o.rev;
      this.compactRev = o.compactRev;
      this.isOpen = true;
      resolve();
      this.flush();
    });
  }

  /** Resolves once the database is open; rejects with the reason it could not be (e.g. in use by another process). */
  ready(): Promise<void> { return this.opened; }

  private workerError(e: unknown): Error {
    return new Error(`sqlite store ${this.path}: the storage worker failed: ${(e as Error)?.message ?? e}`, { cause: e });
  }

  /** The worker is gone or never opened the database: fail everything waiting, and everything after. */
  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    const cbs = [...this.callbacks.values()];
    this.callbacks.clear();
    for (const cb of cbs) cb(err, undefined);
    for (const p of this.queue.splice(0)) p.reject(err);
    this.releaseIdle();
    for (const w of [...this.watchers]) {
      if (w.stopped) continue;
      w.stop();
      try { w.onError?.(err); } catch { /* a handler must not break the store */ }
    }
    void this.worker.terminate();
  }

  private onReply(m: Reply): void {
    const cb = this.callbacks.get(m.id);
    if (!cb) return;
    this.callbacks.delete(m.id);
    // An idle worker must not keep the process alive (an open database never did).
    if (this.callbacks.size === 0) this.worker.unref();
    if (m.ok) cb(null, m.result);
    else cb(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}), undefined);
  }

  /** Send a request; `cb` runs synchronously in the message callback of its reply. */
  private send(req: Request, cb: Callback): void {
    if (this.failure) {
      const err = this.failure;
      process.nextTick(() => cb(err, undefined));
      return;
    }
    if (this.callbacks.size === 0) this.worker.ref();
    const id = this.nextId++;
    this.callbacks.set(id, cb);
    this.worker.postMessage({ id, req });
  }

  private call(req: Request): Promise<unknown> {
    return new Promise((resolve, reject) => this.send(req, (err, result) => (err ? reject(err) : resolve(result))));
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('store is closed');
    if (this.failure) throw this.failure;
  }

  async currentRevision(): Promise<number> {
    await this.opened;
    this.checkOpen();
    return this.rev;
  }

  async get(key: string): Promise<KeyValue | null> {
    await this.opened;
    this.checkOpen();
    return (await this.call({ op: 'get', key })) as KeyValue | null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    await this.opened;
    this.checkOpen();
    // The revision is fixed here; a batch still in the worker has higher ids, and the read filters by id.
    const revision = opts.revision && opts.revision > 0 ? opts.revision : this.rev;
    if (revision < this.compactRev) throw new CompactedError(revision, this.compactRev);
    if (revision > this.rev) throw new Error(`revision ${revision} is in the future (current ${this.rev})`);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const start = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix;
    const r = (await this.call({ op: 'list', start, end: prefixEnd(prefix), revision, limit })) as ListReply;
    return { items: r.items, revision, more: r.more, ...(r.more ? { remaining: r.remaining } : {}) };
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'update', key, value, expected: expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'delete', key, expected: expectedModRevision });
  }

  private enqueue(op: WriteOp): Promise<KeyValue> {
    if (this.closeRequested) return Promise.reject(new Error('store is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<KeyValue>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (this.writing || this.flushScheduled) return; // goes with the next batch
      if (!this.groupCommit) { this.flush(); return; }
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Send the queued writes as one batch, unless a batch is already in the worker (then they go when it returns). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.writing || !this.isOpen || this.failure || this.queue.length === 0) return;
    const batch = this.groupCommit ? this.queue.splice(0) : this.queue.splice(0, 1);
    this.writing = true;
    this.send({ op: 'write', ops: batch.map((p) => p.op) }, (err, result) => {
      this.writing = false;
      if (err) {
        for (const p of batch) p.reject(err);
      } else {
        this.committed(batch, result as WriteResult[]);
      }
      // Pipelining: what queued up while this batch was in the worker goes now.
      if (this.queue.length) this.flush();
      else this.releaseIdle();
    });
  }

  /** A batch's COMMIT returned: advance the revision, acknowledge each write, deliver to live watchers. */
  private committed(batch: PendingWrite[], results: WriteResult[]): void {
    const written: Row[] = [];
    for (let i = 0; i < batch.length; i++) {
      const r = results[i];
      if ('failed' in r) { batch[i].reject(preconditionError(r.failed, batch[i].op.key)); continue; }
      written.push(r);
      if (r.id > this.rev) this.rev = r.id;
      batch[i].resolve(rowKv(r));
    }
    if (written.length) this.notify(written);
  }

  private releaseIdle(): void {
    for (const r of this.idleWaiters.splice(0)) r();
  }

  private notify(rows: Row[]): void {
    for (const w of this.watchers) {
      if (!w.live) continue; // still replaying: a later replay page holds these rows
      for (const r of rows) w.deliver(r);
    }
  }

  watch(prefix: string, afterRevision: number, onEvent: (ev: StoreEvent) => void, onError?: (err: Error) => void): Watcher {
    this.checkOpen();
    if (this.isOpen && afterRevision < this.compactRev) throw new CompactedError(afterRevision, this.compactRev);
    const w = new SqliteWatcher(prefix, Math.max(0, afterRevision), onEvent, onError, (x) => this.watchers.delete(x as SqliteWatcher), () => this.rev);
    this.watchers.add(w);
    // Replay asynchronously so the caller has its Watcher before the first event. (A failed open reaches the
    // watcher through fail().)
    setImmediate(() => { this.opened.then(() => this.replay(w), () => {}); });
    return w;
  }

  /**
   * Deliver history after the watcher's cursor, a page per request, then go live. Each page's reply is handled
   * synchronously in its message callback: every batch result that arrived before it is in the page (or in an
   * earlier one), every one arriving after it is delivered live.
   */
  private replay(w: SqliteWatcher): void {
    if (w.stopped || this.closed || this.failure) return;
    if (w.cursor < this.compactRev) {
      w.stop();
      w.onError?.(new CompactedError(w.cursor, this.compactRev));
      return;
    }
    if (w.cursor >= this.rev) { w.live = true; return; } // nothing committed after the cursor has arrived yet
    this.send({ op: 'replay', after: w.cursor, prefix: w.prefix, end: prefixEnd(w.prefix), limit: REPLAY_BATCH }, (err, result) => {
      if (w.stopped || this.closed) return;
      if (err) {
        w.stop();
        w.onError?.(err);
        return;
      }
      const rows = result as Row[];
      for (const r of rows) w.deliver(r);
      if (rows.length === REPLAY_BATCH) { this.replay(w); return; }
      // Caught up: every revision up to this.rev has been read.
      if (!w.stopped && w.cursor < this.rev) w.cursor = this.rev;
      w.live = true;
    });
  }

  async compact(revision: number): Promise<void> {
    await this.opened;
    this.checkOpen();
    if (revision > this.rev) throw new Error(`cannot compact to future revision ${revision} (current ${this.rev})`);
    while (this.compacting) await this.compacting;
    if (revision <= this.compactRev) return;
    this.compacting = this.doCompact(revision).finally(() => { this.compacting = null; });
    return this.compacting;
  }

  /**
   * Drop rows at or below `revision` superseded by a later row at or below `revision`, and tombstones, in steps
   * (one request each, so writes interleave). Each row in the window (from, to] removes the row it superseded (its
   * prev_revision), wherever that row is — also one kept by an earlier compaction because it was then the latest —
   * and a tombstone removes itself. (Looking only inside the window would leave the last live row of a key deleted
   * after an earlier compaction, and the key would come back to life.)
   */
  private async doCompact(revision: number): Promise<void> {
    // Refuse reads below `revision` from here on, before any of its history is gone (reads sent before this point
    // reach the worker before the first step).
    await this.call({ op: 'setCompact', revision });
    const from0 = this.compactRev;
    this.compactRev = revision;
    for (const w of this.watchers) {
      if (!w.live && w.cursor < revision) {
        w.stop();
        w.onError?.(new CompactedError(w.cursor, revision));
      }
    }
    for (let from = from0; from < revision && !this.closed && !this.failure; from += COMPACT_STEP) {
      await this.call({ op: 'compactStep', from, to: Math.min(revision, from + COMPACT_STEP) });
    }
  }

  async compactedRevision(): Promise<number> {
    await this.opened;
    this.checkOpen();
    return this.compactRev;
  }

  /** Commits the writes already queued, finishes a running compaction, closes the database, ends the worker. */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closeRequested = true;
    await this.opened.catch(() => {});
    if (!this.failure && (this.queue.length || this.writing)) await new Promise<void>((r) => this.idleWaiters.push(r));
    if (this.compacting) await this.compacting.catch(() => {});
    this.closed = true;
    for (const w of this.watchers) w.stopped = true;
    this.watchers.clear();
    if (!this.failure) await this.call({ op: 'close' }).catch(() => {});
    await this.worker.terminate();
  }
}

/**
 * Open (creating if needed) the SQLite store at `path`. Returns at once; the worker opens the database meanwhile
 * and operations wait for it. An open that fails (e.g. the file is in use by another process) rejects ready() and
 * every operation with the reason.
 */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, opts);
}
