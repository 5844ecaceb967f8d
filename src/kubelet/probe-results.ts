/**
 * Probe result tracking as upstream's prober worker (pkg/kubelet/prober/worker.go): a result only flips after
 * `successThreshold` consecutive successes or `failureThreshold` consecutive failures; readiness starts as
 * failure, liveness as success, startup as unknown; liveness and startup hold their failure until the
 * container is replaced. Pure (no timers), so it is unit-tested directly.
 */
import type { Probe } from 'kubernetes-types/core/v1.d.ts';

export type ProbeType = 'readiness' | 'liveness' | 'startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

export interface ProbeSettings {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

/** API defaults (periodSeconds 10, timeoutSeconds 1, successThreshold 1, failureThreshold 3). */
export function probeSettings(p: Probe): ProbeSettings {
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: Math.max(1, p.periodSeconds ?? 10),
    timeoutSeconds: Math.max(1, p.timeoutSeconds ?? 1),
    successThreshold: Math.max(1, p.successThreshold ?? 1),
    failureThreshold: Math.max(1, p.failureThreshold ?? 3),
  };
}

export function initialResult(t: ProbeType): ProbeResult {
  return t === 'readiness' ? 'failure' : t === 'liveness' ? 'success' : 'unknown';
}

export class ProbeTracker {
  result: ProbeResult;
  private lastRaw: ProbeResult | undefined;
  private run = 0;
  /** Liveness/startup: after reaching failure, stop probing until the container changes. */
  onHold = false;
  constructor(public readonly type: ProbeType, public readonly settings: ProbeSettings, initial?: ProbeResult) {
    this.result = initial ?? initialResult(type);
  }

  /** Feed one probe outcome; returns true when the published result changed. */
  observe(raw: 'success' | 'failure'): boolean {
    if (this.onHold) return false;
    if (raw === this.lastRaw) this.run++;
    else { this.lastRaw = raw; this.run = 1; }
    const needed = raw === 'success' ? this.settings.successThreshold : this.settings.failureThreshold;
    if (this.run < needed) return false;
    const changed = this.result !== raw;
    this.result = raw;
    if (raw === 'failure' && (this.type === 'liveness' || this.type === 'startup')) {
      this.onHold = true;
      this.run = 0;
    }
    return changed;
  }

  /** Whether a probe at `sinceStartMs` after container start should run (initial delay passed). */
  due(sinceStartMs: number): boolean {
    return sinceStartMs >= this.settings.initialDelaySeconds * 1000;
  }
}
