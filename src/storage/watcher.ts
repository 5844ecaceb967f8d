/**
 * The bookkeeping every in-process watcher shares (the SQLite store's and the watch cache's): a cursor of the
 * highest revision delivered, live/stopped state, progress for bookmarks, and handler isolation.
 */
import type { StoreEvent, Watcher } from './store.ts';

export abstract class RevisionWatcher implements Watcher {
  /** Highest revision delivered (or skipped as not matching). */
  cursor: number;
  /** Caught up with the source and receiving new events as they happen. */
  live = false;
  stopped = false;
  constructor(
    readonly prefix: string,
    afterRevision: number,
    readonly onEvent: (ev: StoreEvent) => void,
    readonly onError: ((err: Error) => void) | undefined,
    private readonly detach: (w: RevisionWatcher) => void,
    private readonly sourceRevision: () => number,
  ) { this.cursor = afterRevision; }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.detach(this);
  }

  progress(): number {
    return this.live ? Math.max(this.cursor, this.sourceRevision()) : this.cursor;
  }

  /** Advance the cursor to `revision` and hand `ev()` to the handler when the key is under the prefix. */
  protected emit(revision: number, key: string, ev: () => StoreEvent): void {
    if (this.stopped || revision <= this.cursor) return;
    this.cursor = revision;
    if (!key.startsWith(this.prefix)) return;
    try { this.onEvent(ev()); } catch (e) {
      // A watch handler must not break the store or other watchers.
      process.emitWarning(`storage watch handler threw: ${(e as Error)?.stack ?? e}`);
    }
  }
}
