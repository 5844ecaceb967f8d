/** Injected time, so controllers and tests never read the wall clock directly. */
export interface Clock {
  now(): number; // milliseconds since epoch
  setTimeout(fn: () => void, ms: number): { cancel(): void };
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
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
