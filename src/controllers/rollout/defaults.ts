/**
 * Defaults and small derived values of a Rollout spec (Argo's utils/defaults and the fence-post helpers of
 * utils/replicaset): replicas, maxSurge/maxUnavailable, delays, deadlines, history limits, pause durations, and the
 * pod-template / steps hashes (§3). Pure: no I/O, no clock.
 *
 * IntOrString quirk (Argo issue #4567): Argo resolves maxSurge/maxUnavailable with apimachinery's legacy
 * GetValueFromIntOrPercent, which treats EVERY string as a percentage — "25%" and "25" both mean 25 %, and "1" means
 * 1 %, not one pod. Integers are absolute. kubelite matches this so Argo manifests behave as they do there; the
 * resolved numbers are visible in the ScalingReplicaSet events.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.d.ts';
import { fnv1a32, safeEncodeString, computeHash } from '../deployment/util.ts';
import { parseGoDuration } from '../../util/duration.ts';
import type { CanaryStep, IntOrString, Rollout } from './types.ts';
import { KubeliteRouterPlugin } from './types.ts';
import { DefaultReplicas, DefaultMaxSurge, DefaultMaxUnavailable, replicasOf, intOrPercent, resolveFenceposts, maxSurge, maxUnavailable } from './fenceposts.ts';

// The fence posts are in fenceposts.ts (pure, no imports: the dashboard bundles them).
export { DefaultReplicas, DefaultMaxSurge, DefaultMaxUnavailable, replicasOf, intOrPercent, resolveFenceposts, maxSurge, maxUnavailable };

export const DefaultProgressDeadlineSeconds = 600;
export const DefaultRevisionHistoryLimit = 10;
export const DefaultScaleDownDelaySeconds = 30;
export const DefaultAbortScaleDownDelaySeconds = 30;
export const DefaultSuccessfulRunHistoryLimit = 5;
export const DefaultUnsuccessfulRunHistoryLimit = 5;
export const DefaultMaxTrafficWeight = 100;
/** Re-check interval for an invalid spec (the Service may simply not exist yet). */
export const InvalidSpecRequeueMs = 20_000;

export const specReplicas = (x: { spec?: { replicas?: number } } | undefined | null): number => x?.spec?.replicas ?? 0;

export const isCanary = (r: Rollout): boolean => !r.spec.strategy?.blueGreen && !!r.spec.strategy?.canary;
export const isBlueGreen = (r: Rollout): boolean => !!r.spec.strategy?.blueGreen;
/** Canary with a traffic router (any: only kubelite's is driven, others are rejected as an invalid spec). */
export const isTrafficRouted = (r: Rollout): boolean => !!r.spec.strategy?.canary?.trafficRouting;
export const usesKubeliteRouter = (r: Rollout): boolean =>
  !!r.spec.strategy?.canary?.trafficRouting?.plugins && Object.prototype.hasOwnProperty.call(r.spec.strategy.canary.trafficRouting.plugins, KubeliteRouterPlugin);
export const maxTrafficWeight = (r: Rollout): number => r.spec.strategy?.canary?.trafficRouting?.maxTrafficWeight ?? DefaultMaxTrafficWeight;
export const stepsOf = (r: Rollout): CanaryStep[] => r.spec.strategy?.canary?.steps ?? [];

/** scaleDownDelaySeconds: blue-green 30 by default; canary only with a traffic router (30), else 0. */
export function scaleDownDelaySeconds(r: Rollout): number {
  const bg = r.spec.strategy?.blueGreen;
  if (bg) return bg.scaleDownDelaySeconds ?? DefaultScaleDownDelaySeconds;
  const c = r.spec.strategy?.canary;
  if (c?.trafficRouting) return c.scaleDownDelaySeconds ?? DefaultScaleDownDelaySeconds;
  return 0;
}

/**
 * abortScaleDownDelaySeconds: `delay` null when the user set 0 (leave the canary/preview up), else the seconds
 * (30 by default for blue-green and routed canary; 0 for basic canary); `wasSet` when given explicitly.
 */
export function abortScaleDownDelay(r: Rollout): { delay: number | null; wasSet: boolean } {
  const bg = r.spec.strategy?.blueGreen;
  const c = r.spec.strategy?.canary;
  let v: number | undefined;
  let delay = 0;
  if (bg) { v = bg.abortScaleDownDelaySeconds; delay = DefaultAbortScaleDownDelaySeconds; }
  else if (c?.trafficRouting) { v = c.abortScaleDownDelaySeconds; delay = DefaultAbortScaleDownDelaySeconds; }
  const wasSet = v !== undefined && v !== null;
  if (wasSet) {
    if (v === 0) return { delay: null, wasSet };
    delay = v!;
  }
  return { delay, wasSet };
}

export const scaleDownRevisionLimit = (r: Rollout): number =>
  r.spec.strategy?.blueGreen?.scaleDownDelayRevisionLimit ?? r.spec.strategy?.canary?.scaleDownDelayRevisionLimit ?? Number.MAX_SAFE_INTEGER;
export const progressDeadlineSeconds = (r: Rollout): number => r.spec.progressDeadlineSeconds ?? DefaultProgressDeadlineSeconds;
export const revisionHistoryLimit = (r: Rollout): number => r.spec.revisionHistoryLimit ?? DefaultRevisionHistoryLimit;
export const successfulRunHistoryLimit = (r: Rollout): number => r.spec.analysis?.successfulRunHistoryLimit ?? DefaultSuccessfulRunHistoryLimit;
export const unsuccessfulRunHistoryLimit = (r: Rollout): number => r.spec.analysis?.unsuccessfulRunHistoryLimit ?? DefaultUnsuccessfulRunHistoryLimit;

// ---------------------------------------------------------------- durations

/**
 * RolloutPause.DurationSeconds: an integer is seconds, a string of digits is seconds, else a Go duration
 * (truncated to whole seconds); an unparseable string is −1 (so the pause ends at once, as upstream).
 */
export function pauseDurationSeconds(d: IntOrString | undefined): number {
  if (d === undefined || d === null) return 0;
  if (typeof d === 'number') return d;
  if (/^-?\d+$/.test(d)) return Number(d);
  const ms = parseGoDuration(d);
  return ms === undefined ? -1 : Math.trunc(ms / 1000);
}

// ---------------------------------------------------------------- hashes (§3)

/** JSON with sorted keys; empty values kept (so `pause: {}` still counts). */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as any)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((v as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * ComputePodTemplateHash: FNV-32a over the template's canonical JSON (then the collision count), safe-encoded — the
 * Deployment controller's computeHash, reused. Values are deterministic and collision-aware but not equal to
 * Argo's (Go marshals struct fields in declaration order), which nothing depends on.
 */
export const computePodTemplateHash = (template: PodTemplateSpec | undefined, collisionCount?: number | null): string => computeHash(template, collisionCount);

/** ComputeStepHash: FNV-32a of the steps' JSON, safe-encoded; '' for blue-green. */
export function computeStepHash(r: Rollout): string {
  if (r.spec.strategy?.blueGreen || !r.spec.strategy?.canary) return '';
  return safeEncodeString(String(fnv1a32(new TextEncoder().encode(stableJson(r.spec.strategy.canary.steps ?? [])))));
}
