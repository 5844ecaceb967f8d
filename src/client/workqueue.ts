/**
 * A rate-limited work queue keyed by "namespace/name", as client-go's workqueue.RateLimitingInterface:
 *  - a key waiting in the queue is never queued twice (dedupe);
 *  - a key being processed is never handed to a second worker: adding it marks it dirty, and it is
 *    queued again when the worker calls done();
 *  - addRateLimited() re-adds after a per-item exponential back-off (base·2^failures, capped), forget() resets it;
 *  - addAfter() re-adds after a delay through the injected Clock.
 * Time goes only through the Clock, so tests drive it with FakeClock.
 */
import { realClock, type Clock } from '../util/clock.ts';

export interface WorkQueueOptions {
  clock?: Clock;
  /** First back-off delay (upstream ItemExponentialFailureRateLimiter: 5 ms). */
  baseDelayMs?: number;
  /** Back-off cap. Upstream uses 1000 s; we cap at 60 s so a cluster recovers from an API outage promptly. */
  maxDelayMs?: number;
  name?: string;
}

export class WorkQueue {
  private queue: string[] = [];
  private dirty = new Set<string>();
  private processing = new Set<string>();
  private failures = new Map<string, number>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private delayed = new Map<string, { at: number; cancel(): void }>();
  private shuttingDown = false;
  private clock: Clock;
  private base: number;
  private max: number;
  readonly name: string;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.base = opts.baseDelayMs ?? 5;
    this.max = opts.maxDelayMs ?? 60_000;
    this.name = opts.name ?? 'queue';
  }

  /** Queue a key now (no-op if it is already waiting). */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    const w = this.waiters.shift();
    if (w) { this.dirty.delete(key); this.processing.add(key); w(key); return; }
    this.queue.push(key);
  }

  /** Queue a key after `ms` (an earlier pending addAfter for the same key wins). */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) { this.add(key); return; }
    const at = this.clock.now() + ms;
    const cur = this.delayed.get(key);
    if (cur && cur.at <= at) return;
    cur?.cancel();
    const t = this.clock.setTimeout(() => { this.delayed.delete(key); this.add(key); }, ms);
    this.delayed.set(key, { at, cancel: () => t.cancel() });
  }

  /** The back-off the next addRateLimited would use. */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    return Math.min(this.base * 2 ** n, this.max);
  }

  /** Re-queue after the item's exponential back-off; each call doubles it until forget(). */
  addRateLimited(key: string): void {
    const d = this.when(key);
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    this.addAfter(key, d);
  }

  forget(key: string): void { this.failures.delete(key); }
  numRequeues(key: string): number { return this.failures.get(key) ?? 0; }
  len(): number { return this.queue.length; }
  isShuttingDown(): boolean { return this.shuttingDown; }

  /** Next key to process, or undefined once shut down. The caller must call done(key). */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Mark a key processed; if it was added meanwhile, queue it again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) d.cancel();
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /**
   * Run `workers` loops: get a key, await handler(key); success → forget, failure → addRateLimited.
   * Resolves when the queue is shut down and every worker has finished its current key.
   */
  run(workers: number, handler: (key: string) => Promise<void>, onError?: (key: string, err: unknown) => void): Promise<void> {
    const loop = async () => {
      for (;;) {
        const key = await this.get();
        if (key === undefined) return;
        try {
          await handler(key);
          this.forget(key);
        } catch (e) {
          onError?.(key, e);
          this.addRateLimited(key);
        } finally {
          this.done(key);
        }
      }
    };
    return Promise.all(Array.from({ length: workers }, loop)).then(() => undefined);
  }
}
