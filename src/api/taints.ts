/**
 * Taints and tolerations, as k8s.io/api/core/v1 toleration.go and component-helpers/scheduling/corev1: part of
 * the object model, shared by the pod defaults (DefaultTolerationSeconds), the scheduler (NoSchedule/NoExecute
 * filter) and the node lifecycle controller (tainting by condition, NoExecute eviction).
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.d.ts';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Whether one toleration tolerates one taint (upstream Toleration.ToleratesTaint). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true; // an empty key with Exists tolerates everything
  if (op !== 'Equal') return false;
  return (t.value ?? '') === (taint.value ?? '');
}

export function tolerationsTolerateTaint(tols: Toleration[] | undefined, taint: Taint): boolean {
  return (tols ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint with one of `effects` that no toleration tolerates, or undefined. */
export function findUntoleratedTaint(taints: Taint[] | undefined, tols: Toleration[] | undefined, effects: string[]): Taint | undefined {
  return (taints ?? []).find((tn) => effects.includes(tn.effect) && !tolerationsTolerateTaint(tols, tn));
}

/** Upstream's wording of a taint in scheduler messages: `{key: value}`. */
export function taintString(t: Taint): string {
  return `{${t.key}: ${t.value ?? ''}}`;
}

/** Default for --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds (upstream 300). */
export const DEFAULT_TOLERATION_SECONDS = 300;

/**
 * Upstream's DefaultTolerationSeconds admission: `tols` plus, for each of the not-ready and unreachable taints
 * that no toleration names (by key, or an empty key with operator Exists) for NoExecute (or every effect),
 * `{key, operator: Exists, effect: NoExecute, tolerationSeconds: seconds}`. Entries that are not objects are kept
 * as they are (validation reports them).
 */
export function withDefaultTolerations<T>(tols: T[], seconds: number): (T | Toleration)[] {
  const out: (T | Toleration)[] = [...tols];
  for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE]) {
    const has = tols.some((x) => {
      if (!x || typeof x !== 'object') return false;
      const t = x as Toleration;
      return (t.key === key || (t.operator === 'Exists' && !t.key)) && (!t.effect || t.effect === 'NoExecute');
    });
    if (!has) out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  return out;
}
