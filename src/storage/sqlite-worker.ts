/**
 * The SQL side of the SQLite store (src/storage/sqlite.ts): runs in a worker thread that owns the one better-sqlite3
 * connection, so that statements — above all the fsync of each group commit — never block the API server's event
 * loop. The main thread sends requests (a batch of writes, get, list, a page of watch replay, a compaction step,
 * close) as messages; this thread answers each one, in the order received (one thread, synchronous SQL), so the
 * main thread sees replies in the order it sent the requests. The main thread relies on that order to hand watches
 * over from replay to live delivery without a gap or a duplicate.
 *
 * The table (kine's shape: one row per write, the row id is the write's revision):
 *   kine(id INTEGER PRIMARY KEY AUTOINCREMENT, name, created, deleted, create_revision, prev_revision, value, old_value)
 *
 * This module is only executed inside the worker (see the `workerData.kubeliteSqlite` guard at the bottom); the
 * main thread imports its types and the pure row helpers.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Database as DB, Statement } from 'better-sqlite3';
import type { KeyValue } from './store.ts';

export interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
  old_value: string | null;
}

export type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

/** The outcome of one write of a batch: the written row, or which precondition failed (nothing written). */
export type WriteResult = Row | { failed: 'exists' | 'conflict' | 'notfound' };

export type Request =
  | { op: 'write'; ops: WriteOp[] }
  | { op: 'get'; key: string }
  /** Latest live row of each name in [start, end) as of `revision`, in name order; `limit` 0 = all. */
  | { op: 'list'; start: string; end: string; revision: number; limit: number }
  /** Rows with id > after whose name is in [prefix, end), in id order, at most `limit`. */
  | { op: 'replay'; after: number; prefix: string; end: string; limit: number }
  | { op: 'setCompact'; revision: number }
  | { op: 'compactStep'; from: number; to: number }
  | { op: 'close' };

export interface ListReply { items: KeyValue[]; more: boolean; remaining?: number }
export interface OpenReply { rev: number; compactRev: number }

/** Worker -> main. id 0 answers the open. */
export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { message: string; code?: string } };

export interface WorkerOptions {
  kubeliteSqlite: true;
  path: string;
  exclusive: boolean;
  synchronous: 'FULL' | 'NORMAL';
}

export function rowKv(r: Row): KeyValue {
  return {
    key: r.name,
    value: r.value,
    createRevision: r.created ? r.id : r.create_revision,
    modRevision: r.id,
  };
}

class SqlSide {
  private readonly db: DB;
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
  private readonly stmtCache = new Map<string, Statement>();

  constructor(private readonly opts: WorkerOptions) {
    const path = opts.path;
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
      this.init();
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
  }

  /** Durability settings and schema (idempotent). */
  private init(): void {
    this.db.pragma(`synchronous = ${this.opts.synchronous}`);
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

  opened(): OpenReply {
    return { rev: this.st.seq.get()!.seq, compactRev: this.st.getMeta.get('compact_revision')?.v ?? 0 };
  }

  handle(req: Request): unknown {
    switch (req.op) {
      case 'write': return this.write(req.ops);
      case 'get': {
        const r = this.st.latest.get(req.key);
        return r && !r.deleted ? rowKv(r) : null;
      }
      case 'list': return this.list(req.start, req.end, req.revision, req.limit);
      case 'replay': {
        if (req.prefix === '') return this.st.after.all(req.after, req.limit);
        if (req.end) return this.st.afterPrefix.all(req.after, req.prefix, req.end, req.limit);
        return this.st.afterPrefixOpen.all(req.after, req.prefix, req.limit);
      }
      case 'setCompact':
        this.db.transaction(() => this.st.setMeta.run('compact_revision', req.revision))();
        return null;
      case 'compactStep': {
        // Each row in the window (from, to] removes the row it superseded (its prev_revision), wherever that row
        // is, and a tombstone removes itself. See SqliteStore.compact.
        const del = this.cached(`DELETE FROM kine WHERE
            id IN (SELECT prev_revision FROM kine WHERE id > @from AND id <= @to AND prev_revision > 0)
            OR (id > @from AND id <= @to AND deleted = 1)`);
        this.db.transaction(() => del.run({ from: req.from, to: req.to }))();
        return null;
      }
      case 'close':
        this.db.close();
        return null;
    }
  }

  /** One transaction for the whole batch (one fsync); each write checks its own precondition inside it. */
  private write(ops: WriteOp[]): WriteResult[] {
    const results: WriteResult[] = [];
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const op of ops) results.push(this.apply(op));
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
    return results;
  }

  /** Apply one write inside the open transaction; reports (without writing) a failed precondition. */
  private apply(op: WriteOp): WriteResult {
    const cur = this.st.latest.get(op.key);
    const live = cur && !cur.deleted ? cur : undefined;
    let row: Omit<Row, 'id'>;
    if (op.kind === 'create') {
      if (live) return { failed: 'exists' };
      row = { name: op.key, created: 1, deleted: 0, create_revision: 0, prev_revision: cur?.id ?? 0, value: op.value, old_value: null };
    } else if (op.kind === 'update') {
      if (!live) return { failed: 'notfound' };
      if (live.id !== op.expected) return { failed: 'conflict' };
      row = {
        name: op.key, created: 0, deleted: 0, create_revision: live.created ? live.id : live.create_revision,
        prev_revision: live.id, value: op.value, old_value: live.value,
      };
    } else {
      if (!live) return { failed: 'notfound' };
      if (op.expected !== undefined && op.expected !== 0 && live.id !== op.expected) return { failed: 'conflict' };
      row = {
        name: op.key, created: 0, deleted: 1, create_revision: live.created ? live.id : live.create_revision,
        prev_revision: live.id, value: live.value, old_value: null,
      };
    }
    const info = this.st.insert.run(row.name, row.created, row.deleted, row.create_revision, row.prev_revision, row.value, row.old_value);
    return { id: Number(info.lastInsertRowid), ...row };
  }

  private list(start: string, end: string, revision: number, limit: number): ListReply {
    const rows = this.rangeAt(start, end, revision, limit ? limit + 1 : 0);
    if (!limit || rows.length <= limit) return { items: rows.map(rowKv), more: false };
    rows.length = limit;
    const remaining = this.countAfter(rows[rows.length - 1].name, end, revision);
    return { items: rows.map(rowKv), more: true, remaining };
  }

  /** Latest non-deleted row of each name in [start, end) as of `revision`, in name order. */
  private rangeAt(start: string, end: string, revision: number, limit: number): Row[] {
    const endClause = end ? 'AND k.name < @end' : '';
    const sql = `SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value, k.old_value
      FROM kine k
      WHERE k.name >= @start ${endClause} AND k.id <= @rev AND k.deleted = 0
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

  private cached(sql: string): Statement {
    let s = this.stmtCache.get(sql);
    if (!s) { s = this.db.prepare(sql); this.stmtCache.set(sql, s); }
    return s;
  }
}

function errorOf(e: unknown): { message: string; code?: string } {
  const err = e as { message?: string; code?: unknown };
  return { message: err?.message ?? String(e), ...(typeof err?.code === 'string' ? { code: err.code } : {}) };
}

/** Open the database and report the outcome as reply 0; null when it failed (the main thread then ends this worker). */
function open(port: MessagePort, o: WorkerOptions): SqlSide | null {
  try {
    const sql = new SqlSide(o);
    port.postMessage({ id: 0, ok: true, result: sql.opened() } satisfies Reply);
    return sql;
  } catch (e) {
    port.postMessage({ id: 0, ok: false, error: errorOf(e) } satisfies Reply);
    return null;
  }
}

const opts = workerData as WorkerOptions | undefined;
if (parentPort && opts?.kubeliteSqlite) {
  const port = parentPort;
  const sql = open(port, opts);
  if (sql) {
    port.on('message', (m: { id: number; req: Request }) => {
      let reply: Reply;
      try {
        reply = { id: m.id, ok: true, result: sql.handle(m.req) };
      } catch (e) {
        reply = { id: m.id, ok: false, error: errorOf(e) };
      }
      port.postMessage(reply);
    });
  }
}
