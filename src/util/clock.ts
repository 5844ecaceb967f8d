/** Injected time, so controllers and tests never read the wall clock directly. */
export interface Clock {
  now(): number; // milliseconds since epoch
  setTimeout(fn: () => void, ms: number): { cancel(): void };
  sleep(ms: number): Promise<void>;
}

/**
 * The longest delay a Node timer takes (2^31 − 1 ms, ~24.8 days): a longer one fires after 1 ms instead
 * (TimeoutOverflowWarning), so a huge stored duration (minReadySeconds: 2147483647) would turn a requeue into a
 * hot loop. Longer delays are chained; NaN and negatives are 0.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    let t: ReturnType<typeof setTimeout>;
    const arm = (left: number) => {
      t = left > MAX_TIMER_MS ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(fn, left);
    };
    arm(Number.isNaN(ms) ? 0 : Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
  sleep: (ms) => new Promise((r) => realClock.setTimeout(r, ms)),
};

/** A manually advanced clock for unit tests. */
export class FakeClock implements Clock {
  private t: number;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  constructor(start = Date.parse('2026-01-01T00:00:00Z')) { this.t = start; }
  now() { return this.t; }
  setTimeout(fn: () => void, ms: number) {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return { cancel: () => { this.timers = this.timers.filter((x) => x.id !== id); } };
  }
  sleep(ms: number) { return new Promise<void>((r) => this.setTimeout(r, ms)); }
  /** Advance time, firing due timers in order. */
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

/** RFC3339 with second precision, as Kubernetes writes metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
