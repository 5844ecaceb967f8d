/**
 * Per-key exponential back-off, as upstream's flowcontrol.Backoff used by the kubelet for image pulls
 * (ImagePullBackOff) and container restarts (CrashLoopBackOff): the first failure waits `initialMs`, each
 * further failure doubles the wait up to `maxMs`; an entry untouched for `resetAfterMs` starts over.
 */
import type { Clock } from '../util/clock.ts';

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

interface Entry { delayMs: number; lastUpdate: number }

export class Backoff {
  private entries = new Map<string, Entry>();
  constructor(private clock: Clock, private initialMs = BACKOFF_INITIAL_MS, private maxMs = BACKOFF_MAX_MS,
    private resetAfterMs = 2 * BACKOFF_MAX_MS) {}

  /** Record a failure at now: the wait before the next try grows. Returns the new wait. */
  next(key: string): number {
    const now = this.clock.now();
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > this.resetAfterMs) {
      this.entries.set(key, { delayMs: this.initialMs, lastUpdate: now });
      return this.initialMs;
    }
    e.delayMs = Math.min(e.delayMs * 2, this.maxMs);
    e.lastUpdate = now;
    return e.delayMs;
  }

  /** Whether a try now is still inside the back-off window of the last failure. */
  isInBackOff(key: string): boolean {
    const e = this.entries.get(key);
    return !!e && this.clock.now() - e.lastUpdate < e.delayMs;
  }

  /** Whether `eventTime` (e.g. a container's finish time) is still inside the current wait (crash loop). */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    return !!e && this.clock.now() - eventTime < e.delayMs;
  }

  /** The current wait (0 if none), and when the window ends. */
  get(key: string): { delayMs: number; until: number } {
    const e = this.entries.get(key);
    return e ? { delayMs: e.delayMs, until: e.lastUpdate + e.delayMs } : { delayMs: 0, until: 0 };
  }

  reset(key: string): void { this.entries.delete(key); }

  /** Drop entries of a prefix (e.g. a pod uid) when the pod goes away. */
  resetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Forget entries older than the reset window. */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > this.resetAfterMs) this.entries.delete(k);
  }
}
