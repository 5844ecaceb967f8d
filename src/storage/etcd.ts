/**
 * etcd v3 implementation of the Store, on the `etcd3` npm client (raw KV/Watch RPCs, not its namespace helper).
 *
 * - create: txn [create_revision(key) == 0] -> put.
 * - update: txn [mod_revision(key) == expected, create_revision(key) > 0] -> put (prev_kv); on failure a range
 *   tells NotFound from Conflict.
 * - delete: txn [create_revision(key) > 0 (, mod_revision == expected)] -> delete_range (prev_kv).
 * - list: a range at a revision, limit+count for pagination ("remaining" = count - returned).
 * - watch: etcd watch from afterRevision+1 with prev_kv; etcd's compaction cancel becomes CompactedError.
 * - compaction: etcd Compact; the compacted revision is also kept in a meta key (outside the object keyspace)
 *   so compactedRevision() and early CompactedErrors survive restarts. etcd itself makes every acknowledged
 *   write durable (fsync of its WAL before answering).
 *
 * Every write is one etcd txn touching one key, so each revision carries at most one event of ours.
 */
import { Etcd3, isRecoverableError, type IKeyValue, type IWatchResponse, type Watcher as EtcdWatcher } from 'etcd3';
import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, retry, type IBackoff } from 'cockatiel';
import {
  CompactedError, ConflictError, KeyExistsError, KeyNotFoundError,
  type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type Watcher,
} from './store.ts';
import { prefixEnd } from './sqlite.ts';

export interface EtcdStoreOptions {
  /** Prefix prepended to every key inside etcd (default ''). */
  prefix?: string;
  /** Connect timeout for the first request, ms (default 5000). */
  dialTimeoutMs?: number;
}

const META_COMPACT = '\u0000kubelite/compact-revision';

function isCompactedError(e: unknown): boolean {
  return /compacted/i.test(String((e as Error)?.message ?? e));
}

class EtcdStore implements Store {
  private compactRev = 0;
  private closed = false;
  private readonly watchers = new Set<EtcdWatcher>();

  constructor(private readonly client: Etcd3, private readonly prefix: string) {}

  private k(key: string): Buffer { return Buffer.from(this.prefix + key); }
  private unk(b: Buffer): string { return b.toString().slice(this.prefix.length); }
  private get metaKey(): Buffer { return Buffer.from(this.prefix + META_COMPACT); }
  private isMeta(b: Buffer): boolean { return b.equals(this.metaKey); }

  private kv(kv: IKeyValue): KeyValue {
    return {
      key: this.unk(kv.key), value: kv.value.toString(),
      createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision),
    };
  }

  async init(): Promise<void> {
    const res = await this.client.kv.range({ key: this.metaKey });
    if (res.kvs.length) this.compactRev = Number(res.kvs[0].value.toString());
  }

  async currentRevision(): Promise<number> {
    const res = await this.client.kv.range({ key: this.metaKey, count_only: true });
    return Number(res.header.revision);
  }

  async get(key: string): Promise<KeyValue | null> {
    const res = await this.client.kv.range({ key: this.k(key) });
    return res.kvs.length ? this.kv(res.kvs[0]) : null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const revision = opts.revision && opts.revision > 0 ? opts.revision : 0;
    if (revision && revision < this.compactRev) throw new CompactedError(revision, this.compactRev);
    const full = this.prefix + prefix;
    const start = opts.startKey && opts.startKey > prefix ? this.prefix + opts.startKey : full;
    const end = full === '' ? '\0' : prefixEnd(full);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    let res;
    try {
      res = await this.client.kv.range({
        key: Buffer.from(start === '' ? '\0' : start), range_end: Buffer.from(end),
        revision, limit: limit ? limit + 1 : 0,
      });
    } catch (e) {
      if (isCompactedError(e)) throw new CompactedError(revision, Math.max(this.compactRev, revision + 1));
      throw e;
    }
    let kvs = res.kvs.filter((kv) => !this.isMeta(kv.key));
    const metaSkipped = res.kvs.length - kvs.length;
    let more = false;
    if (limit && kvs.length > limit) { kvs = kvs.slice(0, limit); more = true; }
    const out: ListResult = { items: kvs.map((kv) => this.kv(kv)), revision: revision || Number(res.header.revision), more };
    if (more) out.remaining = Math.max(0, Number(res.count) - metaSkipped - kvs.length);
    return out;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      failure: [],
    });
    if (!res.succeeded) throw new KeyExistsError(key);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.client.kv.txn({
      compare: [
        { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision },
        { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
      ],
      success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
      failure: [{ request_range: { key: k, keys_only: true } }],
    });
    if (!res.succeeded) {
      const found = res.responses[0]?.response_range?.kvs?.length;
      throw found ? new ConflictError(key) : new KeyNotFoundError(key);
    }
    const rev = Number(res.header.revision);
    const prev = res.responses[0].response_put.prev_kv;
    return { key, value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = this.k(key);
    const compare: Array<Record<string, unknown>> = [{ key: k, target: 'Create', result: 'Greater', create_revision: 0 }];
    if (expectedModRevision) compare.push({ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision });
    const res = await this.client.kv.txn({
      compare,
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k, keys_only: true } }],
    });
    if (!res.succeeded) {
      const found = res.responses[0]?.response_range?.kvs?.length;
      throw found ? new ConflictError(key) : new KeyNotFoundError(key);
    }
    const prev = res.responses[0].response_delete_range.prev_kvs[0];
    return { key, value: prev.value.toString(), createRevision: Number(prev.create_revision), modRevision: Number(res.header.revision) };
  }

  watch(prefix: string, afterRevision: number, onEvent: (ev: StoreEvent) => void, onError?: (err: Error) => void): Watcher {
    if (this.closed) throw new Error('store is closed');
    if (afterRevision < this.compactRev) throw new CompactedError(afterRevision, this.compactRev);
    const full = this.prefix + prefix;
    let b = this.client.watch();
    b = full === '' ? b.inRange({ start: Buffer.from('\0'), end: Buffer.from('\0') }) : b.prefix(Buffer.from(full));
    const w = b.withPreviousKV().startRevision(String(afterRevision + 1)).watcher();
    this.watchers.add(w);
    let stopped = false;
    let cursor = afterRevision;
    w.on('data', (res: IWatchResponse) => {
      if (stopped) return;
      for (const e of res.events) {
        if (this.isMeta(e.kv.key)) continue;
        const rev = Number(e.kv.mod_revision);
        if (rev <= cursor) continue; // etcd3 resumes after a reconnect from its last revision; never replay
        cursor = rev;
        const prev = e.prev_kv ? this.kv(e.prev_kv) : undefined;
        let ev: StoreEvent;
        if (e.type === 'Delete') {
          ev = {
            type: 'DELETE', created: false, prevKv: prev,
            kv: { key: this.unk(e.kv.key), value: prev?.value ?? '', createRevision: prev?.createRevision ?? 0, modRevision: rev },
          };
        } else {
          const kv = this.kv(e.kv);
          const created = kv.createRevision === kv.modRevision;
          ev = created ? { type: 'PUT', kv, created } : { type: 'PUT', kv, created, prevKv: prev };
        }
        try { onEvent(ev); } catch (err) { process.emitWarning(`storage watch handler threw: ${(err as Error)?.stack ?? err}`); }
      }
    });
    w.on('error', (err: Error) => {
      if (stopped) return;
      stopped = true;
      this.watchers.delete(w);
      w.cancel().catch(() => {});
      const e = isCompactedError(err) ? new CompactedError(cursor, Math.max(this.compactRev, cursor + 1)) : err;
      onError?.(e);
    });
    return {
      progress: () => cursor,
      stop: () => {
        if (stopped) return;
        stopped = true;
        this.watchers.delete(w);
        w.cancel().catch(() => {});
      },
    };
  }

  async compact(revision: number): Promise<void> {
    if (revision <= this.compactRev) return;
    // Record first, so reads below `revision` are refused before etcd forgets them.
    await this.client.kv.put({ key: this.metaKey, value: Buffer.from(String(revision)) });
    this.compactRev = revision;
    try {
      await this.client.kv.compact({ revision, physical: true });
    } catch (e) {
      if (!isCompactedError(e)) throw e; // already compacted further by someone else
    }
  }

  async compactedRevision(): Promise<number> {
    const res = await this.client.kv.range({ key: this.metaKey });
    if (res.kvs.length) this.compactRev = Math.max(this.compactRev, Number(res.kvs[0].value.toString()));
    return this.compactRev;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers) await w.cancel().catch(() => {});
    this.watchers.clear();
    this.client.close();
  }
}

/** Connect to etcd (v3 API) and return a Store over it. Rejects if etcd does not answer within the dial timeout. */
export async function openEtcdStore(endpoints: string[], opts: EtcdStoreOptions = {}): Promise<Store> {
  // The etcd3 defaults keep a host's circuit open for a long time and back the watch stream off up to 30 s, so
  // after an etcd restart writes and watches stalled for many seconds. Recover within about a second instead.
  const client = new Etcd3({
    hosts: endpoints,
    dialTimeout: opts.dialTimeoutMs ?? 5000,
    // gRPC's 4 MiB default receive limit breaks a range over a few thousand Pod-sized values.
    grpcOptions: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 },
    faultHandling: {
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 500, breaker: new ConsecutiveBreaker(5) }),
      global: retry(handleWhen(isRecoverableError), { maxAttempts: 3, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }) }),
      // etcd3 calls .next() on this and reads .duration: a cockatiel backoff factory is what its own default is.
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }) as unknown as IBackoff<unknown>,
    },
  });
  const store = new EtcdStore(client, opts.prefix ?? '');
  try {
    await store.init();
  } catch (e) {
    client.close();
    throw new Error(`cannot reach etcd at ${endpoints.join(',')}: ${(e as Error).message}`);
  }
  return store;
}
