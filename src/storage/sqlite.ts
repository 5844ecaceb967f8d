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
 * Durability: WAL journal. `synchronous` defaults to FULL (each commit is fsynced: survives kill -9 *and* power
 * loss, like etcd); NORMAL survives kill -9 (the WAL is written before the commit returns) but may lose the last
 * commits on power loss. Writes issued in the same event-loop turn are group-committed in one transaction (one
 * fsync), each with its own precondition check, so FULL costs little under concurrency.
 *
 * Watches: events written by this process are delivered in-process right after commit (no polling). A watcher
 * starting from an older revision first replays history from the table, then switches to live delivery; the
 * revision cursor makes the hand-over exact (no gaps, no duplicates). Writes by other processes to the same file
 * are not observed by watches: one process owns a data dir (the API server).
 */
import Database from 'better-sqlite3';
import type { Database as DB, Statement } from 'better-sqlite3';
import { RevisionWatcher } from './watcher.ts';
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
  /** Group writes of one event-loop turn into one transaction (default true). */
  groupCommit?: boolean;
}

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
  old_value: string | null;
}

type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

interface PendingWrite { op: WriteOp; resolve: (kv: KeyValue) => void; reject: (e: Error) => void }

/** The smallest string greater than every string starting with `prefix` ('' = unbounded). */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '';
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return '';
}

function rowKv(r: Row): KeyValue {
  return {
    key: r.name,
    value: r.value,
    createRevision: r.created ? r.id : r.create_revision,
    modRevision: r.id,
  };
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

class SqliteWatcher extends RevisionWatcher {
  deliver(r: Row): void {
    this.emit(r.id, r.name, () => rowEvent(r));
  }
}

class SqliteStore implements Store {
  private readonly db: DB;
  private rev: number;
  private compactRev: number;
  private closed = false;
  private readonly watchers = new Set<SqliteWatcher>();
  private queue: PendingWrite[] = [];
  private flushScheduled = false;
  private compacting: Promise<void> | null = null;
  private readonly groupCommit: boolean;
  private readonly st: {
    latest: Statement<[string], Row>;
    insert: Statement<[string, number, number, number, number, string, string | null]>;
    seq: Statement<[], { seq: number }>;
    getMeta: Statement<[string], { v: number }>;
    setMeta: Statement<[string, number]>;
    after: Statement<[number, number], Row>;
    afterPrefix: Statement<[number, string, string, number], Row>;
    afterPrefixOpen: Statement<[number, string, number], Row>;
  };

  constructor(path: string, opts: SqliteStoreOptions) {
    this.groupCommit = opts.groupCommit ?? true;
    this.db = new Database(path);
    try {
      if (opts.exclusive) {
        this.db.pragma('locking_mode = EXCLUSIVE');
        this.db.pragma('busy_timeout = 0');
      } else {
        this.db.pragma('busy_timeout = 5000');
      }
      this.db.pragma('journal_mode = WAL');
      // With EXCLUSIVE locking the lock is taken by the first write: take it now.
      if (opts.exclusive) this.db.exec('BEGIN IMMEDIATE; COMMIT');
    } catch (e) {
      this.db.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY') {
        throw new Error(`database ${path} is in use by another process (another kubelite on the same data dir?)`);
      }
      throw e;
    }
    try {
      this.init(opts);
    } catch (e) {
      this.db.close();
      throw e;
    }
    const cols = 'id, name, created, deleted, create_revision, prev_revision, value, old_value';
    this.st = {
      latest: this.db.prepare(`SELECT ${cols} FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`),
      insert: this.db.prepare(`INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value, old_value)
                               VALUES (?, ?, ?, ?, ?, ?, ?)`),
      seq: this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'kine'`),
      getMeta: this.db.prepare(`SELECT v FROM kine_meta WHERE k = ?`),
      setMeta: this.db.prepare(`INSERT INTO kine_meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`),
      after: this.db.prepare(`SELECT ${cols} FROM kine WHERE id > ? ORDER BY id LIMIT ?`),
      afterPrefix: this.db.prepare(`SELECT ${cols} FROM kine WHERE id > ? AND name >= ? AND name < ? ORDER BY id LIMIT ?`),
      afterPrefixOpen: this.db.prepare(`SELECT ${cols} FROM kine WHERE id > ? AND name >= ? ORDER BY id LIMIT ?`),
    };
    this.rev = this.st.seq.get()!.seq;
    this.compactRev = this.st.getMeta.get('compact_revision')?.v ?? 0;
  }

  /** Durability settings and schema (idempotent). */
  private init(opts: SqliteStoreOptions): void {
    this.db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    // Truncate the WAL file back to 64 MiB after checkpoints instead of letting it keep its peak size.
    this.db.pragma('journal_size_limit = 67108864');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS kine (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        created INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        create_revision INTEGER NOT NULL,
        prev_revision INTEGER NOT NULL,
        value TEXT NOT NULL,
        old_value TEXT
      );
      CREATE UNIQUE INDEX IF NOT EXISTS kine_name_id ON kine (name, id);
      CREATE TABLE IF NOT EXISTS kine_meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
    `);
    // Start at revision 1 like etcd, so that no list or object ever carries resourceVersion "0" (which
    // Kubernetes clients read as "any version").
    this.db.exec(`INSERT INTO sqlite_sequence (name, seq) SELECT 'kine', 1
                  WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'kine')`);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.rev;
  }

  async get(key: string): Promise<KeyValue | null> {
    this.checkOpen();
    const r = this.st.latest.get(key);
    return r && !r.deleted ? rowKv(r) : null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = opts.revision && opts.revision > 0 ? opts.revision : this.rev;
    if (revision < this.compactRev) throw new CompactedError(revision, this.compactRev);
    if (revision > this.rev) throw new Error(`revision ${revision} is in the future (current ${this.rev})`);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const start = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix;
    const end = prefixEnd(prefix);
    const rows = this.rangeAt(start, end, revision, limit ? limit + 1 : 0, true);
    let more = false;
    let remaining: number | undefined;
    if (limit && rows.length > limit) {
      rows.length = limit;
      more = true;
      const last = rows[rows.length - 1].name;
      remaining = this.countAfter(last, end, revision);
    }
    return { items: rows.map(rowKv), revision, more, ...(more ? { remaining } : {}) };
  }

  /** Latest non-deleted row of each name in [start, end) as of `revision`, in name order. */
  private rangeAt(start: string, end: string, revision: number, limit: number, inclusive: boolean): Row[] {
    const cmp = inclusive ? '>=' : '>';
    const endClause = end ? 'AND k.name < @end' : '';
    const sql = `SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value, k.old_value
      FROM kine k
      WHERE k.name ${cmp} @start ${endClause} AND k.id <= @rev AND k.deleted = 0
        AND k.id = (SELECT MAX(k2.id) FROM kine k2 WHERE k2.name = k.name AND k2.id <= @rev)
      ORDER BY k.name ${limit ? 'LIMIT @limit' : ''}`;
    const params: Record<string, unknown> = { start, rev: revision };
    if (end) params.end = end;
    if (limit) params.limit = limit;
    return this.cached(sql).all(params) as Row[];
  }

  private countAfter(after: string, end: string, revision: number): number {
    // Grouping over the covering (name, id) index is about twice as fast as the correlated form for a count.
    const endClause = end ? 'AND name < @end' : '';
    const sql = `SELECT COUNT(*) AS n FROM
        (SELECT MAX(id) AS mid FROM kine WHERE name > @start ${endClause} AND id <= @rev GROUP BY name) m
      JOIN kine k ON k.id = m.mid WHERE k.deleted = 0`;
    const params: Record<string, unknown> = { start: after, rev: revision };
    if (end) params.end = end;
    return (this.cached(sql).get(params) as { n: number }).n;
  }

  private readonly stmtCache = new Map<string, Statement>();
  private cached(sql: string): Statement {
    let s = this.stmtCache.get(sql);
    if (!s) { s = this.db.prepare(sql); this.stmtCache.set(sql, s); }
    return s;
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
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<KeyValue>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.groupCommit) { this.flush(); return; }
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Apply one write inside the open transaction; throws (without writing) when its precondition fails. */
  private apply(op: WriteOp): Row {
    const cur = this.st.latest.get(op.key);
    const live = cur && !cur.deleted ? cur : undefined;
    let row: Omit<Row, 'id'>;
    if (op.kind === 'create') {
      if (live) throw new KeyExistsError(op.key);
      row = { name: op.key, created: 1, deleted: 0, create_revision: 0, prev_revision: cur?.id ?? 0, value: op.value, old_value: null };
    } else if (op.kind === 'update') {
      if (!live) throw new KeyNotFoundError(op.key);
      if (live.id !== op.expected) throw new ConflictError(op.key);
      row = {
        name: op.key, created: 0, deleted: 0, create_revision: live.created ? live.id : live.create_revision,
        prev_revision: live.id, value: op.value, old_value: live.value,
      };
    } else {
      if (!live) throw new KeyNotFoundError(op.key);
      if (op.expected !== undefined && op.expected !== 0 && live.id !== op.expected) throw new ConflictError(op.key);
      row = {
        name: op.key, created: 0, deleted: 1, create_revision: live.created ? live.id : live.create_revision,
        prev_revision: live.id, value: live.value, old_value: null,
      };
    }
    const info = this.st.insert.run(row.name, row.created, row.deleted, row.create_revision, row.prev_revision, row.value, row.old_value);
    return { id: Number(info.lastInsertRowid), ...row };
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    if (this.closed) {
      for (const p of batch) p.reject(new Error('store is closed'));
      return;
    }
    const results: Array<Row | Error> = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        for (const p of batch) {
          try { results.push(this.apply(p.op)); } catch (e) {
            if (e instanceof KeyExistsError || e instanceof ConflictError || e instanceof KeyNotFoundError) results.push(e);
            else throw e;
          }
        }
        this.db.exec('COMMIT');
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    } catch (e) {
      for (const p of batch) p.reject(e as Error);
      return;
    }
    const written: Row[] = [];
    for (let i = 0; i < batch.length; i++) {
      const r = results[i];
      if (r instanceof Error) { batch[i].reject(r); continue; }
      written.push(r);
      if (r.id > this.rev) this.rev = r.id;
      batch[i].resolve(rowKv(r));
    }
    if (written.length) this.notify(written);
  }

  private notify(rows: Row[]): void {
    for (const w of this.watchers) {
      if (!w.live) continue; // still replaying: its replay reads these rows from the table
      for (const r of rows) w.deliver(r);
    }
  }

  watch(prefix: string, afterRevision: number, onEvent: (ev: StoreEvent) => void, onError?: (err: Error) => void): Watcher {
    this.checkOpen();
    if (afterRevision < this.compactRev) throw new CompactedError(afterRevision, this.compactRev);
    const w = new SqliteWatcher(prefix, Math.max(0, afterRevision), onEvent, onError, (x) => this.watchers.delete(x as SqliteWatcher), () => this.rev);
    this.watchers.add(w);
    // Replay asynchronously so the caller has its Watcher before the first event.
    setImmediate(() => this.replay(w));
    return w;
  }

  /** Deliver history after the watcher's cursor from the table, a batch per turn, then go live. */
  private replay(w: SqliteWatcher): void {
    if (w.stopped || this.closed) return;
    if (w.cursor < this.compactRev) {
      w.stop();
      w.onError?.(new CompactedError(w.cursor, this.compactRev));
      return;
    }
    // Read history up to the current revision synchronously (no write can interleave inside this call).
    const end = prefixEnd(w.prefix);
    let rows: Row[];
    if (w.cursor >= this.rev) rows = [];
    else if (w.prefix === '') rows = this.st.after.all(w.cursor, REPLAY_BATCH);
    else if (end) rows = this.st.afterPrefix.all(w.cursor, w.prefix, end, REPLAY_BATCH);
    else rows = this.st.afterPrefixOpen.all(w.cursor, w.prefix, REPLAY_BATCH);
    for (const r of rows) w.deliver(r);
    if (rows.length === REPLAY_BATCH) {
      setImmediate(() => this.replay(w));
      return;
    }
    // Caught up: every committed revision up to this.rev has been read.
    if (!w.stopped && w.cursor < this.rev) w.cursor = this.rev;
    w.live = true;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new Error(`cannot compact to future revision ${revision} (current ${this.rev})`);
    while (this.compacting) await this.compacting;
    if (revision <= this.compactRev) return;
    this.compacting = this.doCompact(revision).finally(() => { this.compacting = null; });
    return this.compacting;
  }

  /**
   * Drop rows at or below `revision` superseded by a later row at or below `revision`, and tombstones, in steps.
   * Each row in the window (from, to] removes the row it superseded (its prev_revision), wherever that row is —
   * also one kept by an earlier compaction because it was then the latest — and a tombstone removes itself.
   * (Looking only inside the window would leave the last live row of a key deleted after an earlier compaction,
   * and the key would come back to life.)
   */
  private async doCompact(revision: number): Promise<void> {
    const del = this.cached(`DELETE FROM kine WHERE
        id IN (SELECT prev_revision FROM kine WHERE id > @from AND id <= @to AND prev_revision > 0)
        OR (id > @from AND id <= @to AND deleted = 1)`);
    const step = 5000;
    // Refuse reads below `revision` from the start, before any of its history is gone.
    this.db.transaction(() => this.st.setMeta.run('compact_revision', revision))();
    const from0 = this.compactRev;
    this.compactRev = revision;
    for (const w of this.watchers) {
      if (!w.live && w.cursor < revision) {
        w.stop();
        w.onError?.(new CompactedError(w.cursor, revision));
      }
    }
    for (let from = from0; from < revision && !this.closed; from += step) {
      const to = Math.min(revision, from + step);
      this.db.transaction(() => del.run({ from, to, rev: revision }))();
      await new Promise((r) => setImmediate(r));
    }
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compactRev;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length) this.flush();
    if (this.compacting) await this.compacting.catch(() => {});
    this.closed = true;
    for (const w of this.watchers) w.stopped = true;
    this.watchers.clear();
    this.db.close();
  }
}

/** Open (creating if needed) the SQLite store at `path`. */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  try {
    return new SqliteStore(path, opts);
  } catch (e) {
    const msg = (e as Error).message;
    if (msg.includes(path)) throw e;
    throw new Error(`${path}: ${msg}`);
  }
}
