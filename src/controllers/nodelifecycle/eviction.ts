/**
 * NoExecute taint manager decisions, pure (upstream pkg/controller/tainteviction): a pod on a node with NoExecute
 * taints is evicted at once if it does not tolerate one of them, else after the smallest tolerationSeconds of the
 * tolerations that match (never, if none of them has tolerationSeconds).
 *
 * Pods get upstream's DefaultTolerationSeconds admission defaults here when they lack them: tolerations for
 * node.kubernetes.io/not-ready and node.kubernetes.io/unreachable, NoExecute, for `defaultTolerationSeconds`
 * (300 s upstream), so a pod created without them behaves as on Kubernetes.
 */
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.d.ts';
import { toleratesTaint, withDefaultTolerations } from '../../api/taints.ts';

/** The pod's tolerations plus the admission defaults it lacks. */
export function effectiveTolerations(pod: Pod, defaultTolerationSeconds: number): Toleration[] {
  return withDefaultTolerations(pod.spec?.tolerations ?? [], defaultTolerationSeconds);
}

export type EvictionDecision = { evictAt: number } | { never: true };

/**
 * When to evict `pod` from a node with `taints` (only NoExecute ones count). `since(taint)` is when each taint
 * appeared (its timeAdded, or when the controller first saw it), in ms.
 */
export function evictionDecision(pod: Pod, taints: Taint[], defaultTolerationSeconds: number, since: (t: Taint) => number): EvictionDecision {
  const noExec = taints.filter((t) => t.effect === 'NoExecute');
  if (!noExec.length) return { never: true };
  const tols = effectiveTolerations(pod, defaultTolerationSeconds);
  let at = Infinity;
  for (const taint of noExec) {
    const matching = tols.filter((t) => t.effect === 'NoExecute' || !t.effect).filter((t) => toleratesTaint(t, taint));
    if (!matching.length) return { evictAt: since(taint) }; // not tolerated: now
    const seconds = matching.map((t) => t.tolerationSeconds).filter((s): s is number => typeof s === 'number');
    if (!seconds.length) continue; // tolerated forever
    const secs = Math.max(0, Math.min(...seconds));
    at = Math.min(at, since(taint) + secs * 1000);
  }
  return Number.isFinite(at) ? { evictAt: at } : { never: true };
}
