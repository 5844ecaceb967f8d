/**
 * A Rollout's fence posts (Argo's utils/replicaset): replicas, maxSurge and maxUnavailable with their defaults.
 * Pure and free of runtime imports, so the dashboard bundles the controller's own arithmetic (defaults.ts
 * re-exports everything here).
 *
 * IntOrString quirk (Argo issue #4567): every string is a percentage ("25%" and "25" both mean 25 %); integers are
 * absolute.
 */
import type { IntOrString, Rollout } from './types.ts';

export const DefaultReplicas = 1;
export const DefaultMaxSurge = '25%';
export const DefaultMaxUnavailable = '25%';

export const replicasOf = (r: Rollout): number => r.spec.replicas ?? DefaultReplicas;

/** Argo's legacy IntOrString resolution: a number as is; any string (with or without "%") as a percentage of total. */
export function intOrPercent(v: IntOrString | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const s = v.replace(/%/g, '');
  if (!/^-?\d+$/.test(s)) throw new Error(`invalid value for IntOrString: "${v}" is not an integer or percentage`);
  const x = (Number(s) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** resolveFenceposts: surge rounds up, unavailable down; both 0 → unavailable 1. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = intOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = intOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(r: Rollout): number {
  const c = r.spec.strategy?.canary;
  if (!c || r.spec.strategy.blueGreen) return 0;
  return resolveFenceposts(c.maxSurge ?? DefaultMaxSurge, c.maxUnavailable ?? DefaultMaxUnavailable, replicasOf(r)).surge;
}

export function maxUnavailable(r: Rollout): number {
  const replicas = replicasOf(r);
  if (replicas === 0) return 0;
  let u: number;
  const c = r.spec.strategy?.canary;
  if (c && !r.spec.strategy.blueGreen) u = resolveFenceposts(c.maxSurge ?? DefaultMaxSurge, c.maxUnavailable ?? DefaultMaxUnavailable, replicas).unavailable;
  else u = intOrPercent(r.spec.strategy?.blueGreen?.maxUnavailable ?? DefaultMaxUnavailable, replicas, false);
  return Math.min(u, replicas);
}
