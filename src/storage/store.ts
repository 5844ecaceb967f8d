/**
 * The revisioned key-value store that only the API server touches.
 *
 * Shape follows etcd v3 (and kine's SQL emulation of it): one global, monotonically increasing revision;
 * every write (create/update/delete) gets the next revision; each key remembers the revision that created it
 * and the one that last modified it. Objects' metadata.resourceVersion is the key's modRevision.
 *
 * Keys look like `/registry/<group>/<resource>/<namespace>/<name>` (core group is `core`,
 * cluster-scoped kinds omit the namespace segment). Values are the JSON-encoded object (UTF-8 string).
 */

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export type WatchEventType = 'PUT' | 'DELETE';

export interface StoreEvent {
  type: WatchEventType;
  /** For PUT: the new key-value. For DELETE: the key with `modRevision` = the delete's revision and the last value. */
  kv: KeyValue;
  /** The value before this event (absent for a create). */
  prevKv?: KeyValue;
  /** True when this PUT created the key. */
  created: boolean;
}

export interface ListOptions {
  /** Read as of this revision (0/undefined = latest). Older than the compacted revision -> CompactedError. */
  revision?: number;
  /** Maximum number of items (0/undefined = all). */
  limit?: number;
  /** Start listing from this key (inclusive) — used for pagination continue tokens. */
  startKey?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** More items exist after the last returned one. */
  more: boolean;
  /** Number of items remaining after this page (when `more`). */
  remaining?: number;
}

export interface Watcher {
  stop(): void;
  /**
   * Optional: a revision R such that every event with revision <= R for this watch has been delivered
   * (suitable for a BOOKMARK's resourceVersion). Absent on implementations that cannot tell.
   */
  progress?(): number;
}

export interface Store {
  /** The latest revision of the whole store. */
  currentRevision(): Promise<number>;
  get(key: string): Promise<KeyValue | null>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Create; throws KeyExistsError if the key exists. Returns the stored kv (with its new revision). */
  create(key: string, value: string): Promise<KeyValue>;
  /** Compare-and-swap update: throws ConflictError when the key's modRevision != expectedModRevision,
   *  NotFoundError when the key does not exist. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Delete (optionally only if modRevision matches). Returns the deleted kv with modRevision = delete revision. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /**
   * Watch every key under `prefix` for events with revision > `afterRevision`, delivered in revision order.
   * Throws CompactedError (synchronously or via onError) when afterRevision < compacted revision.
   */
  watch(prefix: string, afterRevision: number, onEvent: (ev: StoreEvent) => void, onError?: (err: Error) => void): Watcher;
  /** Forget history at and before `revision`. */
  compact(revision: number): Promise<void>;
  /** Lowest revision still readable/watchable (history before it was compacted). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export class KeyExistsError extends Error { constructor(public key: string) { super(`key exists: ${key}`); } }
export class ConflictError extends Error { constructor(public key: string) { super(`revision mismatch: ${key}`); } }
export class KeyNotFoundError extends Error { constructor(public key: string) { super(`key not found: ${key}`); } }
export class CompactedError extends Error {
  constructor(public requested: number, public compacted: number) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
  }
}
