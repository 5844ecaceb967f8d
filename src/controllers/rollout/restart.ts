/**
 * spec.restartAt (Argo's rollout/restart.go, reference §8): pods of the Rollout created before restartAt are evicted
 * through the pods/eviction subresource — at most max(maxUnavailable, 1) at a time below the available count, in
 * the order stable RS → new RS → older RSs (oldest first); a PodDisruptionBudget refusal (429) is retried later.
 * When every pod is newer, status.restartedAt = spec.restartAt. A future restartAt waits (requeue at that time).
 * If the API server has no eviction subresource (404/405), the pod is deleted instead, within the same budget.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { StatusError } from '../../api/errors.ts';
import { R } from '../../client/resources.ts';
import { getControllerOf } from '../../client/controllerref.ts';
import { isPodAvailable } from '../replicaset/pods.ts';
import type { RolloutContext } from './context.ts';
import type { RS } from './types.ts';
import { maxUnavailable, replicasOf } from './defaults.ts';
import { sumSpec } from './replicas.ts';

const RestartCheckMs = 30_000;

/** NeedsRestart: restartAt set, not yet honoured, and in the past. */
export function needsRestart(restartAt: string | undefined, restartedAt: string | undefined, now: number): boolean {
  if (!restartAt) return false;
  if (restartedAt && Date.parse(restartAt) === Date.parse(restartedAt)) return false;
  return now > Date.parse(restartAt);
}

/** Pods of the Rollout's ReplicaSets in restart order: stable RS, new RS, then the others oldest first. */
export function restartOrder(pods: Pod[], rss: RS[], newName?: string, stableName?: string): Pod[] {
  const rank = (rs: RS) => (rs.metadata.name === stableName ? 0 : rs.metadata.name === newName ? 1 : 2);
  const sorted = [...rss].sort((a, b) => rank(a) - rank(b) || (Date.parse(a.metadata.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata.creationTimestamp ?? '') || 0));
  const out: Pod[] = [];
  for (const rs of sorted) for (const p of pods) if (getControllerOf(p as any)?.uid === rs.metadata.uid) out.push(p);
  return out;
}

export async function reconcileRestart(c: RolloutContext): Promise<void> {
  const r = c.rollout;
  const at = r.spec.restartAt;
  if (at && Date.parse(at) > c.now) { c.enqueueAfter(Date.parse(at) - c.now); return; }
  if (!needsRestart(at, r.status?.restartedAt, c.now)) return;
  const restartAt = Date.parse(at!);
  const pods = restartOrder(c.deps.listPods(c.ns), c.allRSs, c.newRS?.metadata.name, c.stableRS?.metadata.name);
  const total = sumSpec(c.allRSs);
  const minReady = r.spec.minReadySeconds ?? 0;
  const availableNow = pods.filter((p) => !p.metadata?.deletionTimestamp && isPodAvailable(p, minReady, c.now)).length;
  const concurrent = Math.max(maxUnavailable(r), 1);
  let canRestart = availableNow - (Math.max(replicasOf(r), total) - concurrent);
  let needs = 0, restarted = 0;
  for (const p of pods) {
    if ((Date.parse(p.metadata?.creationTimestamp ?? '') || 0) >= restartAt) continue;
    needs++;
    if (canRestart <= 0 || p.metadata?.deletionTimestamp) continue;
    try {
      await evict(c, p);
    } catch (e) {
      if (e instanceof StatusError && e.code === 429) continue; // a PodDisruptionBudget said no: try later
      if (e instanceof StatusError && e.code === 404) { restarted++; continue; } // already gone
      throw e;
    }
    canRestart--;
    restarted++;
  }
  if (needs - restarted !== 0) c.enqueueAfter(RestartCheckMs);
  else c.newStatus.restartedAt = at;
}

async function evict(c: RolloutContext, p: Pod): Promise<void> {
  const name = p.metadata!.name!;
  if (c.deps.evictionSupported !== false) {
    try {
      await c.client.create(R.pods, c.ns, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: c.ns } }, {}, 'eviction', name);
      return;
    } catch (e) {
      // No eviction subresource on this API server: delete the pod instead (still within the maxUnavailable budget).
      if (!(e instanceof StatusError && (e.code === 405 || (e.code === 404 && /eviction/i.test(e.message))))) throw e;
    }
  }
  await c.client.delete(R.pods, c.ns, name, { preconditions: { uid: p.metadata?.uid } });
}
