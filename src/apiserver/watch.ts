/**
 * Watch over HTTP: one JSON `{"type","object"}` per line, chunked, headers flushed at once.
 *
 * - resourceVersion unset or "0": the current state first (ADDED), then changes after it.
 * - resourceVersion N: changes after N; N older than the watch window -> an ERROR event (410 Expired), then close.
 * - sendInitialEvents (streaming lists, upstream KEP-3157): true sends the state first whatever the version, and
 *   marks its end with a BOOKMARK annotated `k8s.io/initial-events-end`; false never sends it.
 * - label/field selectors: an object leaving the selection is DELETED, entering it is ADDED (upstream cacher).
 * - allowWatchBookmarks: a BOOKMARK with the latest revision every BOOKMARK_MS; without bookmarks nothing is sent
 *   while nothing changes, as upstream (a blank line is not an event: the official Python client's watch fails
 *   to parse one).
 * - timeoutSeconds ends the stream cleanly; without it a random 30-60 min (upstream minRequestTimeout).
 * - Table watches (Accept as=Table) send each object as a one-row Table; metadata-only watches (as=PartialObjectMetadata)
 *   each object, bookmarks included, as its PartialObjectMetadata (`render`, src/apiserver/negotiation.ts).
 * Events come from the storage watch cache (CachedStore), so 1,000 watchers cost one storage watch.
 *
 * Fan-out cost: the stream does its own chunked framing (every piece — initial ADDED events, events, bookmarks,
 * heartbeats, ERROR, the final 0-length chunk — is one `<hex len>\r\n<data>\r\n` chunk written by this file),
 * so that an event's chunk is built once, as one Buffer, and shared by every plain watcher; it is written
 * straight to the connection's socket (no per-watcher string encoding, chunk header or ServerResponse
 * bookkeeping). The chunks one watcher gets in the same tick (a storage commit delivers its batch at once) go
 * out as one write: one TLS record and one send per watcher per batch.
 */
import type * as http from 'node:http';
import type { Socket } from 'node:net';
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import { CompactedError, type Store, type StoreEvent } from '../storage/store.ts';
import { StatusError, expired } from '../api/errors.ts';
import { collectionPrefix, decodeKV, apiVersionOf } from './codec.ts';
import type { GenericRegistry } from './registry.ts';

export const BOOKMARK_MS = 10_000;
/** A watcher whose connection has this much unsent data is not reading: its watch ends (it will re-watch). */
const MAX_UNSENT_BYTES = 32 * 1024 * 1024;

export interface WatchParams {
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks: boolean;
  /**
   * true: the state at (or after) resourceVersion first as ADDED events, then — with bookmarks allowed — a
   * BOOKMARK annotated `k8s.io/initial-events-end: "true"`; false: only changes after resourceVersion (after
   * now when it is unset or "0"); undefined: the legacy rule (state first only for an unset or "0" version).
   */
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /** Render an object (Table watches); default the object itself. */
  render?: (obj: KubeObject) => unknown;
}

type EvType = 'ADDED' | 'MODIFIED' | 'DELETED';

// ------------------------------------------------------------------ chunked framing

/** One HTTP/1.1 chunk: `<hex length>\r\n<data>\r\n`. */
export function frameChunk(data: string, shared = false): Buffer {
  const len = Buffer.byteLength(data);
  const hex = len.toString(16);
  // A chunk kept with its event (shared, long-lived) gets its own memory rather than a slice of Node's pool.
  const buf = shared ? Buffer.allocUnsafeSlow(hex.length + len + 4) : Buffer.allocUnsafe(hex.length + len + 4);
  let o = buf.write(hex, 0, 'latin1');
  buf[o++] = 13; buf[o++] = 10;
  o += buf.write(data, o, 'utf8');
  buf[o++] = 13; buf[o] = 10;
  return buf;
}

/** The last chunk of the stream. */
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

/**
 * The writing end of one watch response. Chunks queue until the end of the tick, then go out in one write,
 * straight to the socket when the response owns it (the usual case), else through the ServerResponse.
 */
class ChunkSink {
  private pending: Buffer[] = [];
  private ended = false;
  private readonly sock: Socket | undefined;

  constructor(private readonly res: http.ServerResponse, private readonly onOverflow: () => void) {
    // The headers are sent; the body is framed here, not by Node's chunked encoder.
    res.chunkedEncoding = false;
    // A pipelined request's response may not have its socket yet: it then writes through res (queued by Node).
    this.sock = res.socket ?? undefined;
  }

  push(chunk: Buffer): void {
    if (this.ended) return;
    if (this.pending.length === 0) dirty.push(this);
    this.pending.push(chunk);
    if (!flushScheduled) { flushScheduled = true; process.nextTick(flushAll); }
  }

  /** Write the queued chunks (one write). `joined` shares one concatenation among watchers that queued the same chunks. */
  flush(joined?: Joined): void {
    const p = this.pending;
    if (p.length === 0 || this.ended) return;
    this.pending = [];
    let buf: Buffer;
    if (p.length === 1) buf = p[0];
    else if (joined) buf = joined.get(p);
    else buf = Buffer.concat(p);
    const sock = this.sock;
    if (sock) {
      if (sock.destroyed) return;
      sock.write(buf);
      if (sock.writableLength > MAX_UNSENT_BYTES) this.onOverflow();
    } else {
      this.res.write(buf);
      if (this.res.writableLength > MAX_UNSENT_BYTES) this.onOverflow();
    }
  }

  /** Flush, write the last chunk and finish the response. */
  end(): void {
    if (this.ended) return;
    this.push(LAST_CHUNK);
    this.flush();
    this.ended = true;
    this.res.end();
  }
}

/** The last concatenation, reused while the next watcher's chunk list holds the same Buffers. */
class Joined {
  private parts: Buffer[] = [];
  private buf: Buffer | undefined;
  get(p: Buffer[]): Buffer {
    const q = this.parts;
    let same = this.buf !== undefined && q.length === p.length;
    for (let i = 0; same && i < p.length; i++) same = p[i] === q[i];
    if (!same) { this.parts = p; this.buf = Buffer.concat(p); }
    return this.buf!;
  }
}

let dirty: ChunkSink[] = [];
let flushScheduled = false;
function flushAll(): void {
  flushScheduled = false;
  const list = dirty;
  dirty = [];
  const joined = new Joined();
  for (const s of list) s.flush(joined);
}

// ------------------------------------------------------------------ per-event cache

/** What every watcher of one store event shares: the decoded object(s) and the plain watchers' chunks by type. */
interface SharedEvent { obj: KubeObject; prev?: KubeObject; chunks: Partial<Record<EvType, Buffer>> }
const sharedEvents = new WeakMap<StoreEvent, SharedEvent>();

function sharedEvent(def: ResourceDef, ev: StoreEvent): SharedEvent {
  let d = sharedEvents.get(ev);
  if (!d) {
    const rev = ev.kv.modRevision;
    const value = ev.type === 'DELETE' ? ev.prevKv?.value ?? ev.kv.value : ev.kv.value;
    d = {
      obj: decodeKV(def, value, rev),
      prev: ev.prevKv ? decodeKV(def, ev.prevKv.value, ev.prevKv.modRevision) : undefined,
      chunks: {},
    };
    sharedEvents.set(ev, d);
  }
  return d;
}

function eventChunk(type: string, object: unknown): Buffer {
  return frameChunk(JSON.stringify({ type, object }) + '\n');
}

// ------------------------------------------------------------------ the watch request

export async function serveWatch(
  req: http.IncomingMessage, res: http.ServerResponse,
  store: Store, registry: GenericRegistry, def: ResourceDef, p: WatchParams,
): Promise<void> {
  const match = registry.matcher(def, p.labelSelector, p.fieldSelector); // throws 400 before headers
  const filtering = !!(p.labelSelector || p.fieldSelector);
  const rvParam = p.resourceVersion ?? '';
  const fromNow = rvParam === '' || rvParam === '0';
  let startRev = 0;
  let initial: KubeObject[] = [];
  if (!fromNow) {
    startRev = Number(rvParam);
    if (!/^[0-9]+$/.test(rvParam) || !Number.isSafeInteger(startRev)) throw new StatusError(400, 'BadRequest', `invalid resource version: ${rvParam}`);
  }
  const sendInitial = p.sendInitialEvents ?? fromNow;
  if (sendInitial) {
    // NotOlderThan the requested version: a current read (registry.list answers 504 for a future version).
    const l = await registry.list(def, p.namespace, { labelSelector: p.labelSelector, fieldSelector: p.fieldSelector, resourceVersion: fromNow ? undefined : rvParam });
    initial = l.items;
    startRev = Number(l.resourceVersion);
  } else if (fromNow) {
    startRev = await store.currentRevision();
  }
  const initialEnd = sendInitial && p.sendInitialEvents === true && p.allowWatchBookmarks;

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  res.socket?.setNoDelay(true);

  let closed = false;
  let lastRev = startRev;
  const render = p.render ?? ((o: KubeObject) => o);
  let watcher: { stop(): void } | undefined;
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    watcher?.stop();
    for (const t of timers) clearTimeout(t);
    sink.end();
  };
  const sink = new ChunkSink(res, finish);
  const send = (type: string, obj: unknown) => { if (!closed) sink.push(eventChunk(type, obj)); };
  res.on('close', finish);
  req.on('close', () => { if (!res.writableFinished) finish(); });

  try {
    for (const o of initial) send('ADDED', render(o));
    if (initialEnd) {
      send('BOOKMARK', render({ kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(startRev), annotations: { 'k8s.io/initial-events-end': 'true' } } }));
    }
    startWatch();
  } catch (e) {
    // The headers are out: end the stream properly (last chunk) before the error is reported.
    finish();
    throw e;
  }

  function startWatch(): void {
    const onEvent = (ev: StoreEvent) => {
      if (closed) return;
      let d: SharedEvent;
      try { d = sharedEvent(def, ev); } catch { return; }
      lastRev = ev.kv.modRevision;
      let type: EvType;
      if (ev.type === 'DELETE') {
        if (filtering && !match(d.obj)) return;
        type = 'DELETED';
      } else if (ev.created || !d.prev) {
        if (filtering && !match(d.obj)) return;
        type = 'ADDED';
      } else if (!filtering) {
        type = 'MODIFIED';
      } else {
        const now = match(d.obj);
        const before = match(d.prev);
        if (now && before) type = 'MODIFIED';
        else if (now) type = 'ADDED';
        // Left the selection: DELETED carrying the new state (upstream sends the object as it is now).
        else if (before) type = 'DELETED';
        else return;
      }
      if (p.render) {
        let rendered: unknown;
        try { rendered = p.render(d.obj); } catch { return; }
        send(type, rendered);
      } else {
        // Plain watchers of one event share its chunk (1,000 watchers: one JSON.stringify, one Buffer).
        const chunk = d.chunks[type] ??= frameChunk(JSON.stringify({ type, object: d.obj }) + '\n', true);
        sink.push(chunk);
      }
    };
    const onError = (err: Error) => {
      if (closed) return;
      if (err instanceof CompactedError) {
        send('ERROR', expired(`too old resource version: ${startRev} (${err.compacted})`).toStatus());
      } else {
        send('ERROR', new StatusError(500, 'InternalError', `watch ended: ${err.message}`).toStatus());
      }
      finish();
    };
    try {
      watcher = store.watch(collectionPrefix(def, p.namespace), startRev, onEvent, onError);
    } catch (e) {
      onError(e as Error);
      return;
    }
    const apiVersion = apiVersionOf(def);
    const heartbeat = async () => {
      if (closed) return;
      let rev = lastRev;
      try { rev = Math.max(lastRev, await store.currentRevision()); } catch { /* keep */ }
      if (rev > lastRev) lastRev = rev;
      send('BOOKMARK', render({ kind: def.kind, apiVersion, metadata: { resourceVersion: String(rev) } }));
      timers[0] = setTimeout(heartbeat, BOOKMARK_MS);
    };
    if (p.allowWatchBookmarks) timers[0] = setTimeout(heartbeat, BOOKMARK_MS);
    const timeoutMs = p.timeoutSeconds !== undefined && p.timeoutSeconds > 0
      ? p.timeoutSeconds * 1000
      : (1800 + Math.random() * 1800) * 1000;
    timers[1] = setTimeout(finish, timeoutMs);
  }
}
