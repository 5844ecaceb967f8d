/**
 * The scheduling queue, shaped like upstream's PriorityQueue: an active FIFO, a back-off stage and an unschedulable
 * set. A pod that did not fit waits in the unschedulable set until a cluster event (a node added or changed, a pod
 * removed) may make it fit; it then re-enters after its back-off (1 s doubling to 10 s). Unschedulable pods are also
 * retried after at most `maxUnschedulableMs` (upstream 5 min). Keys are "namespace/name".
 */
import type { Clock } from '../util/clock.ts';

export interface QueueOptions {
  clock: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxUnschedulableMs?: number;
}

/** Back-off after `attempts` failed attempts: initial * 2^(attempts-1), capped. */
export function backoffDuration(attempts: number, initialMs: number, maxMs: number): number {
  if (attempts <= 0) return 0;
  return Math.min(initialMs * 2 ** (attempts - 1), maxMs);
}

export class SchedulingQueue {
  private active: string[] = [];
  private activeSet = new Set<string>();
  private attempts = new Map<string, { n: number; lastFailure: number }>();
  private unschedulable = new Map<string, number>(); // key → time it became unschedulable
  private backoffTimers = new Map<string, { cancel(): void }>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private closed = false;
  private flushTimer?: { cancel(): void };
  private readonly clock: Clock;
  private readonly initial: number;
  private readonly max: number;
  private readonly maxUnschedulable: number;

  constructor(opts: QueueOptions) {
    this.clock = opts.clock;
    this.initial = opts.initialBackoffMs ?? 1000;
    this.max = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulable = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.scheduleFlush();
  }

  /** A new or changed pending pod: schedule it now unless it is backing off or parked as unschedulable. */
  add(key: string): void {
    if (this.closed || this.activeSet.has(key) || this.backoffTimers.has(key) || this.unschedulable.has(key)) return;
    this.pushActive(key);
  }

  /** An update of a pod that may now fit (e.g. its spec changed): move it out of the unschedulable set. */
  activate(key: string): void {
    if (this.unschedulable.delete(key)) this.toBackoffOrActive(key);
    else this.add(key);
  }

  /** Forget a pod (deleted, or bound by someone else). */
  delete(key: string): void {
    this.unschedulable.delete(key);
    this.attempts.delete(key);
    this.backoffTimers.get(key)?.cancel();
    this.backoffTimers.delete(key);
    if (this.activeSet.delete(key)) this.active = this.active.filter((k) => k !== key);
  }

  /** The pod was bound: reset its back-off. */
  done(key: string): void { this.attempts.delete(key); }

  /** The pod fits nowhere: park it until a cluster event. */
  unschedulableAttempt(key: string): void {
    this.recordFailure(key);
    this.unschedulable.set(key, this.clock.now());
  }

  /** A transient error (e.g. the binding failed): retry after back-off. */
  errorAttempt(key: string): void {
    this.recordFailure(key);
    this.toBackoffOrActive(key);
  }

  /** A cluster event that may make parked pods schedulable. */
  moveAllToActiveOrBackoff(): void {
    const keys = [...this.unschedulable.keys()];
    this.unschedulable.clear();
    for (const k of keys) this.toBackoffOrActive(k);
  }

  /** Next key to schedule; resolves undefined once closed. */
  pop(): Promise<string | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const k = this.active.shift();
    if (k !== undefined) { this.activeSet.delete(k); return Promise.resolve(k); }
    return new Promise((r) => this.waiters.push(r));
  }

  close(): void {
    this.closed = true;
    this.flushTimer?.cancel();
    for (const t of this.backoffTimers.values()) t.cancel();
    this.backoffTimers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** For tests and diagnostics. */
  stats(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.length, backoff: this.backoffTimers.size, unschedulable: this.unschedulable.size };
  }

  private recordFailure(key: string): void {
    const a = this.attempts.get(key) ?? { n: 0, lastFailure: 0 };
    a.n++;
    a.lastFailure = this.clock.now();
    this.attempts.set(key, a);
  }

  private toBackoffOrActive(key: string): void {
    if (this.closed || this.activeSet.has(key) || this.backoffTimers.has(key)) return;
    const a = this.attempts.get(key);
    const until = a ? a.lastFailure + backoffDuration(a.n, this.initial, this.max) : 0;
    const wait = until - this.clock.now();
    if (wait <= 0) { this.pushActive(key); return; }
    const t = this.clock.setTimeout(() => { this.backoffTimers.delete(key); this.pushActive(key); }, wait);
    this.backoffTimers.set(key, t);
  }

  private pushActive(key: string): void {
    if (this.closed || this.activeSet.has(key)) return;
    const w = this.waiters.shift();
    if (w) { w(key); return; }
    this.active.push(key);
    this.activeSet.add(key);
  }

  private scheduleFlush(): void {
    const period = Math.min(30_000, this.maxUnschedulable);
    this.flushTimer = this.clock.setTimeout(() => {
      const now = this.clock.now();
      for (const [k, since] of [...this.unschedulable]) {
        if (now - since >= this.maxUnschedulable) { this.unschedulable.delete(k); this.toBackoffOrActive(k); }
      }
      if (!this.closed) this.scheduleFlush();
    }, period);
  }
}
