/**
 * Watch over HTTP: one JSON `{"type","object"}` per line, chunked, headers flushed at once.
 *
 * - resourceVersion unset or "0": the current state first (ADDED), then changes after it.
 * - resourceVersion N: changes after N; N older than the watch window -> an ERROR event (410 Expired), then close.
 * - label/field selectors: an object leaving the selection is DELETED, entering it is ADDED (upstream cacher).
 * - allowWatchBookmarks: a BOOKMARK with the latest revision every BOOKMARK_MS; without bookmarks a blank
 *   line keeps the connection alive (kubectl and client libraries skip it).
 * - timeoutSeconds ends the stream cleanly; without it a random 30-60 min (upstream minRequestTimeout).
 * - Table watches (Accept as=Table) send each object as a one-row Table.
 * Events come from the storage watch cache (CachedStore), so 1,000 watchers cost one storage watch.
 */
import type * as http from 'node:http';
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import { CompactedError, type Store, type StoreEvent } from '../storage/store.ts';
import { StatusError, expired } from '../api/errors.ts';
import { collectionPrefix, decodeKV, apiVersionOf } from './codec.ts';
import type { GenericRegistry } from './registry.ts';

export const BOOKMARK_MS = 10_000;

export interface WatchParams {
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks: boolean;
  timeoutSeconds?: number;
  /** Render an object (Table watches); default the object itself. */
  render?: (obj: KubeObject) => unknown;
}

type EvType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Serialised watch lines per store event and event type (shared by every plain watcher). */
const lineCache = new WeakMap<StoreEvent, Map<string, string>>();

/** Serialised JSON of a decoded event, shared across plain watchers of the same event. */
const plainLineCache = new WeakMap<StoreEvent, { obj: KubeObject; prev?: KubeObject }>();

function decodeEvent(def: ResourceDef, ev: StoreEvent): { obj: KubeObject; prev?: KubeObject } {
  let d = plainLineCache.get(ev);
  if (!d) {
    const rev = ev.kv.modRevision;
    if (ev.type === 'DELETE') {
      const last = ev.prevKv?.value ?? ev.kv.value;
      d = { obj: decodeKV(def, last, rev), prev: ev.prevKv ? decodeKV(def, ev.prevKv.value, ev.prevKv.modRevision) : undefined };
    } else {
      d = { obj: decodeKV(def, ev.kv.value, rev), prev: ev.prevKv ? decodeKV(def, ev.prevKv.value, ev.prevKv.modRevision) : undefined };
    }
    plainLineCache.set(ev, d);
  }
  return d;
}

export async function serveWatch(
  req: http.IncomingMessage, res: http.ServerResponse,
  store: Store, registry: GenericRegistry, def: ResourceDef, p: WatchParams,
): Promise<void> {
  const match = registry.matcher(def, p.labelSelector, p.fieldSelector); // throws 400 before headers
  const filtering = !!(p.labelSelector || p.fieldSelector);
  let rvParam = p.resourceVersion ?? '';
  let startRev: number;
  let initial: KubeObject[] = [];
  if (rvParam === '' || rvParam === '0') {
    const l = await registry.list(def, p.namespace, { labelSelector: p.labelSelector, fieldSelector: p.fieldSelector });
    initial = l.items;
    startRev = Number(l.resourceVersion);
  } else {
    startRev = Number(rvParam);
    if (!Number.isInteger(startRev) || startRev < 0) throw new StatusError(400, 'BadRequest', `invalid resource version: ${rvParam}`);
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const sock = res.socket;
  sock?.setNoDelay(true);

  let closed = false;
  let lastRev = startRev;
  const render = p.render ?? ((o: KubeObject) => o);
  const send = (type: string, obj: unknown, line?: string) => {
    if (closed) return;
    const ok = res.write(line ?? JSON.stringify({ type, object: obj }) + '\n');
    // A watcher that does not read: drop it rather than buffer without bound (it will re-watch).
    if (!ok && res.writableLength > 32 * 1024 * 1024) finish();
  };
  let watcher: { stop(): void } | undefined;
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    watcher?.stop();
    for (const t of timers) clearTimeout(t);
    res.end();
  };
  res.on('close', finish);
  req.on('close', () => { if (!res.writableFinished) finish(); });

  for (const o of initial) send('ADDED', render(o));

  const onEvent = (ev: StoreEvent) => {
    if (closed) return;
    let d;
    try { d = decodeEvent(def, ev); } catch { return; }
    lastRev = ev.kv.modRevision;
    let type: EvType;
    if (ev.type === 'DELETE') {
      if (!match(d.obj)) return;
      type = 'DELETED';
    } else {
      const now = match(d.obj);
      const before = !ev.created && d.prev ? match(d.prev) : false;
      if (ev.created || !d.prev) {
        if (!now) return;
        type = 'ADDED';
      } else if (now && before) type = 'MODIFIED';
      else if (now && !before) type = filtering ? 'ADDED' : 'MODIFIED';
      else if (!now && before) {
        // Left the selection: DELETED carrying the new state (upstream sends the object as it is now).
        send('DELETED', render(d.obj));
        return;
      } else return;
    }
    if (p.render) {
      let rendered: unknown;
      try { rendered = p.render(d.obj); } catch { return; }
      send(type, rendered);
    } else {
      // Plain watchers of one event share its serialised line (1,000 watchers: one JSON.stringify).
      let lines = lineCache.get(ev);
      if (!lines) { lines = new Map(); lineCache.set(ev, lines); }
      let line = lines.get(type);
      if (!line) { line = JSON.stringify({ type, object: d.obj }) + '\n'; lines.set(type, line); }
      send(type, undefined, line);
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
    if (p.allowWatchBookmarks) {
      let rev = lastRev;
      try { rev = Math.max(lastRev, await store.currentRevision()); } catch { /* keep */ }
      if (rev > lastRev) lastRev = rev;
      send('BOOKMARK', { kind: def.kind, apiVersion, metadata: { resourceVersion: String(rev) } });
    } else if (!closed) {
      res.write('\n');
    }
    timers[0] = setTimeout(heartbeat, BOOKMARK_MS);
  };
  timers[0] = setTimeout(heartbeat, BOOKMARK_MS);
  const timeoutMs = p.timeoutSeconds !== undefined && p.timeoutSeconds > 0
    ? p.timeoutSeconds * 1000
    : (1800 + Math.random() * 1800) * 1000;
  timers[1] = setTimeout(finish, timeoutMs);
}
