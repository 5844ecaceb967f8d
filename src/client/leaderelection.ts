/**
 * Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection with a LeaseLock:
 *  - try to acquire or renew every retryPeriod (2 s); a Lease held by someone else is taken over only when its
 *    record has not changed for leaseDurationSeconds (15 s) as observed on our own clock (no clock-skew trust);
 *  - the leader renews every retryPeriod; if it cannot renew within renewDeadline (10 s) it stops leading;
 *  - on stop() the leader releases the Lease (holderIdentity "" and leaseDurationSeconds 1), so a standby takes
 *    over at its next retry instead of waiting out the lease.
 * Writes use the Lease's resourceVersion (optimistic concurrency), so of two candidates only one wins.
 */
import type { KubeClient } from './client.ts';
import { R } from './resources.ts';
import { realClock, type Clock } from '../util/clock.ts';

export interface LeaderElectionConfig {
  client: KubeClient;
  namespace?: string; // kube-system
  name: string; // e.g. kube-controller-manager
  identity: string;
  leaseDurationSeconds?: number; // 15
  renewDeadlineSeconds?: number; // 10
  retryPeriodSeconds?: number; // 2
  clock?: Clock;
  onStartedLeading: () => void | Promise<void>;
  onStoppedLeading: () => void | Promise<void>;
  onNewLeader?: (identity: string) => void;
}

/** metav1.MicroTime: RFC3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private clock: Clock;
  private leading = false;
  private stopped = false;
  private observedRecord = '';
  private observedAt = 0;
  private observedHolder = '';
  private lease: any;
  private wake?: () => void;
  private loopDone?: Promise<void>;
  private lastRenew = 0;

  constructor(private cfg: LeaderElectionConfig) {
    this.clock = cfg.clock ?? realClock;
  }

  get isLeader(): boolean { return this.leading; }
  get leader(): string { return this.observedHolder; }

  private get ns() { return this.cfg.namespace ?? 'kube-system'; }
  private get duration() { return this.cfg.leaseDurationSeconds ?? 15; }

  /** Start campaigning in the background. */
  start(): void {
    this.loopDone = this.loop();
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = this.clock.setTimeout(() => { this.wake = undefined; resolve(); }, ms);
      this.wake = () => { t.cancel(); this.wake = undefined; resolve(); };
    });
  }

  private async loop(): Promise<void> {
    const retry = (this.cfg.retryPeriodSeconds ?? 2) * 1000;
    const deadline = (this.cfg.renewDeadlineSeconds ?? 10) * 1000;
    while (!this.stopped) {
      let ok = false;
      try { ok = await this.tryAcquireOrRenew(); } catch { ok = false; }
      if (this.stopped) break;
      const now = this.clock.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          try { await this.cfg.onStartedLeading(); } catch (e) { console.error('leader election: onStartedLeading failed:', e); }
        }
      } else if (this.leading && now - this.lastRenew >= deadline) {
        this.leading = false;
        try { await this.cfg.onStoppedLeading(); } catch (e) { console.error('leader election: onStoppedLeading failed:', e); }
      }
      if (this.stopped) break;
      await this.sleep(retry);
    }
  }

  /** One attempt; true when we hold the lease afterwards. Exposed for tests. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const { client, name, identity } = this.cfg;
    let lease: any;
    try {
      lease = await client.get(R.leases, this.ns, name);
    } catch (e: any) {
      if (e?.code !== 404) throw e;
      const created = await client.create(R.leases, this.ns, {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name, namespace: this.ns },
        spec: { holderIdentity: identity, leaseDurationSeconds: this.duration, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      }).catch((err: any) => { if (err?.code === 409) return undefined; throw err; });
      if (!created) return false;
      this.observe(created, now);
      return true;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.leaseDurationSeconds, spec.acquireTime, spec.renewTime, spec.leaseTransitions]);
    if (record !== this.observedRecord) this.observe(lease, now);
    const holder = spec.holderIdentity ?? '';
    const held = holder !== '' && holder !== identity;
    const dur = (spec.leaseDurationSeconds ?? this.duration) * 1000;
    if (held && this.observedAt + dur > now) return false;

    const mine = holder === identity;
    const next = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.duration,
        acquireTime: mine ? spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      const updated = await client.update(R.leases, this.ns, next);
      this.observe(updated, now);
      return true;
    } catch (e: any) {
      if (e?.code === 409) return false;
      throw e;
    }
  }

  private observe(lease: any, now: number): void {
    const spec = lease.spec ?? {};
    this.lease = lease;
    this.observedRecord = JSON.stringify([spec.holderIdentity, spec.leaseDurationSeconds, spec.acquireTime, spec.renewTime, spec.leaseTransitions]);
    this.observedAt = now;
    if ((spec.holderIdentity ?? '') !== this.observedHolder) {
      this.observedHolder = spec.holderIdentity ?? '';
      this.cfg.onNewLeader?.(this.observedHolder);
    }
  }

  /** Stop campaigning; a leader stops leading and releases the Lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loopDone;
    if (this.leading) {
      this.leading = false;
      try { await this.cfg.onStoppedLeading(); } catch (e) { console.error('leader election: onStoppedLeading failed:', e); }
      try {
        const cur = await this.cfg.client.get(R.leases, this.ns, this.cfg.name);
        if (cur.spec?.holderIdentity === this.cfg.identity) {
          const now = this.clock.now();
          await this.cfg.client.update(R.leases, this.ns, {
            ...cur, spec: { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now), acquireTime: microTime(now) },
          });
        }
      } catch { /* best effort, as upstream ReleaseOnCancel */ }
    }
  }
}
