/**
 * ControllerExpectations (upstream controller_utils.go, UIDTrackingControllerExpectations): a ReplicaSet that just
 * asked for N creations or deletions does not act again until its informer has observed them (or 5 minutes
 * pass), so it never double-creates or double-deletes on a stale cache. Deletions are tracked by pod key, so a
 * pod seen twice (deletionTimestamp set, then DELETED) counts once.
 */
import type { Clock } from '../../util/clock.ts';

export const ExpectationsTimeoutMs = 5 * 60 * 1000;

interface Record { add: number; del: number; at: number; deleting: Set<string> }

export class Expectations {
  private m = new Map<string, Record>();
  constructor(private clock: Clock) {}

  /** True when the controller may act: nothing pending, everything observed, or expired. */
  satisfied(key: string): boolean {
    const r = this.m.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.clock.now() - r.at > ExpectationsTimeoutMs;
  }
  expectCreations(key: string, n: number): void {
    this.m.set(key, { add: n, del: 0, at: this.clock.now(), deleting: new Set() });
  }
  expectDeletions(key: string, podKeys: string[]): void {
    this.m.set(key, { add: 0, del: podKeys.length, at: this.clock.now(), deleting: new Set(podKeys) });
  }
  creationObserved(key: string): void {
    const r = this.m.get(key);
    if (r) r.add--;
  }
  deletionObserved(key: string, podKey: string): void {
    const r = this.m.get(key);
    if (r && r.deleting.delete(podKey)) r.del--;
  }
  delete(key: string): void { this.m.delete(key); }
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.m.get(key);
    return r && { add: r.add, del: r.del };
  }
}
