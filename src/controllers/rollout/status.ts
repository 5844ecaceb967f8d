/**
 * Writing Rollout status as Argo does (§7.1): the status is rebuilt each pass, serialised with Go's omitempty rules
 * (false, 0, "" and empty lists dropped; `canary` and `blueGreen` always present; currentStepIndex, collisionCount and
 * weights keep their zeros), then a two-way JSON merge patch of old → new is sent to the status subresource, or
 * nothing when they are equal. The pause context collects pause/abort decisions made during a pass and folds them
 * into the new status at the end (Argo's pauseContext). Pure.
 */
import { rfc3339 } from '../../util/clock.ts';
import type { BlueGreenStrategy, Rollout, RolloutStatus } from './types.ts';
import { PauseReason } from './types.ts';
import { pauseDurationSeconds } from './defaults.ts';

const KEEP_ZERO = new Set(['currentStepIndex', 'collisionCount', 'weight']);
/** Go fields without omitempty that may be empty (an analysis run's status before its first measurement). */
const KEEP_EMPTY = new Set(['status', 'name']);
const ALWAYS = new Set(['canary', 'blueGreen']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function compactValue(key: string, v: unknown, top: boolean): unknown {
  if (v === undefined || v === null) return undefined;
  if (v === false || (v === '' && !KEEP_EMPTY.has(key))) return undefined;
  if (v === 0 && !KEEP_ZERO.has(key)) return undefined;
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    return v.map((x) => (isPlainObject(x) ? compactObject(x, false) : x));
  }
  if (isPlainObject(v)) {
    const o = compactObject(v, false);
    if (Object.keys(o).length === 0 && !(top && ALWAYS.has(key))) return undefined; // canary/blueGreen: Go never omits a struct
    return o;
  }
  return v;
}

function compactObject(o: Record<string, unknown>, top: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const c = compactValue(k, o[k], top);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/**
 * The status as Argo's Go types serialise it (omitempty). `addStructs`: add the never-omitted `canary` and
 * `blueGreen` when absent (for the status being written, not for the stored one, so they get written once).
 */
export function compactStatus(s: RolloutStatus | undefined, addStructs = true): Record<string, unknown> {
  const out = compactObject({ ...(s ?? {}) } as Record<string, unknown>, true);
  if (addStructs) for (const k of ALWAYS) if (!(k in out)) out[k] = {};
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** CreateTwoWayMergePatch for JSON merge patch: changed keys set, removed keys null, nested objects recursed. */
export function createMergePatch(prev: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(prev)) if (!(k in next)) patch[k] = null;
  for (const k of Object.keys(next)) {
    const a = prev[k], b = next[k];
    if (isPlainObject(a) && isPlainObject(b)) {
      const sub = createMergePatch(a, b);
      if (Object.keys(sub).length) patch[k] = sub;
    } else if (!deepEqual(a, b)) patch[k] = b;
  }
  return patch;
}

/** The status merge patch from the Rollout's current status to `next` (empty object: nothing to write). */
export function statusPatch(prev: RolloutStatus | undefined, next: RolloutStatus): Record<string, unknown> {
  return createMergePatch(compactStatus(prev, false), compactStatus(next));
}

// ---------------------------------------------------------------- pause context (Argo rollout/pause.go)

export class PauseContext {
  private addReasons: string[] = [];
  private removeReasons: string[] = [];
  private clear = false;
  private addAbortFlag = false;
  private removeAbortFlag = false;
  abortMessage = '';
  constructor(private readonly r: Rollout) {}

  hasAddPause(): boolean { return this.addReasons.length > 0; }
  isAborted(): boolean {
    if (this.removeAbortFlag) return false;
    return this.addAbortFlag || !!this.r.status?.abort;
  }
  addAbort(message: string): void { this.addAbortFlag = true; this.abortMessage = message; }
  removeAbort(): void { this.removeAbortFlag = true; }
  addPauseCondition(reason: string): void { this.addReasons.push(reason); }
  removePauseCondition(reason: string): void { this.removeReasons.push(reason); }
  clearPauseConditions(): void { this.clear = true; }

  /**
   * CalculatePauseStatus: abort (keeping the first abortedAt) wins and drops every pause condition; otherwise pause
   * conditions are kept minus removals plus new ones (startTime now, controllerPause set); with none left,
   * controllerPause falls back to false.
   */
  apply(s: RolloutStatus, now: number): void {
    const abortedAt = this.r.status?.abortedAt ?? rfc3339(now);
    if (this.addAbortFlag || (!this.removeAbortFlag && this.r.status?.abort)) {
      s.abort = true;
      s.abortedAt = abortedAt;
      delete s.pauseConditions;
      delete s.controllerPause;
      return;
    }
    delete s.abort;
    delete s.abortedAt;
    delete s.pauseConditions;
    delete s.controllerPause;
    if (this.clear) return;
    let controllerPause = !!this.r.status?.controllerPause;
    const remove = new Set(this.removeReasons);
    const conds = [];
    const exists = new Set<string>();
    for (const c of this.r.status?.pauseConditions ?? []) {
      if (!remove.has(c.reason)) conds.push(c);
      exists.add(c.reason);
    }
    for (const reason of this.addReasons) {
      if (exists.has(reason)) continue;
      exists.add(reason);
      conds.push({ reason, startTime: rfc3339(now) });
      controllerPause = true;
    }
    if (conds.length === 0) return;
    s.controllerPause = controllerPause;
    s.pauseConditions = conds;
  }

  getPauseCondition(reason: string) { return this.r.status?.pauseConditions?.find((c) => c.reason === reason); }

  /** CompletedCanaryPauseStep: resumed by a user (condition removed while controllerPause), or the duration passed. */
  completedCanaryPauseStep(pause: { duration?: number | string }, now: number): boolean {
    const cond = this.getPauseCondition(PauseReason.CanaryPauseStep);
    if (this.r.status?.controllerPause && !cond) return true;
    if (pause.duration !== undefined && pause.duration !== null && cond) {
      return now > Date.parse(cond.startTime) + pauseDurationSeconds(pause.duration) * 1000;
    }
    return false;
  }

  /** CompletedBlueGreenPause: resumed by a user, past autoPromotionSeconds, or no controller pause needed. */
  completedBlueGreenPause(now: number): boolean {
    const r = this.r;
    if (this.hasAddPause()) return false;
    if (r.status?.blueGreen?.scaleUpPreviewCheckPoint) return true;
    const bg = r.spec.strategy.blueGreen!;
    if (!needsBlueGreenControllerPause(bg)) return true;
    const cond = this.getPauseCondition(PauseReason.BlueGreenPause);
    if (bg.autoPromotionEnabled === undefined || bg.autoPromotionEnabled === null || bg.autoPromotionEnabled) {
      const secs = bg.autoPromotionSeconds ?? 0;
      if (secs === 0) return true;
      if (!cond) return false;
      return now > Date.parse(cond.startTime) + secs * 1000;
    }
    if (r.status?.controllerPause) return !cond;
    return false;
  }
}

/** needsBlueGreenControllerPause: the controller pauses when auto-promotion is off or delayed. */
export function needsBlueGreenControllerPause(bg: BlueGreenStrategy): boolean {
  if (bg.autoPromotionEnabled === false) return true;
  return (bg.autoPromotionSeconds ?? 0) > 0;
}
