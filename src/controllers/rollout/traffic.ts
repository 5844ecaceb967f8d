/**
 * Traffic routing through kubelite's service proxy (reference §4.4, ROLLOUTS-CONTRACT.md). A canary opts in with
 * `trafficRouting.plugins: {"kubelite.io/service-proxy": {}}`; each pass chooses the canary weight as Argo's
 * reconcileTrafficRouting does (fully promoted → 0; aborted → 0, or stepped down with dynamicStableScale; no
 * available canary → 0; promoteFull → kept; pods behind the step → the previous setWeight; else the step's weight,
 * max once past the last step), writes it on the stable Service as
 *   traffic.kubelite.io/canary-service = <canaryService>, traffic.kubelite.io/canary-weight = "<0..100>"
 * and records status.canary.weights (event TrafficWeightUpdated on change). A Rollout that no longer routes has
 * both annotations removed from the Services it manages.
 */
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import { R } from '../../client/resources.ts';
import type { RolloutContext } from './context.ts';
import type { Rollout, TrafficWeights } from './types.ts';
import { CanaryServiceAnnotation, CanaryWeightAnnotation, ManagedByAnnotation, Msg, Reason } from './types.ts';
import { maxTrafficWeight, replicasOf, stepsOf, usesKubeliteRouter } from './defaults.ts';
import { atDesiredReplicaCounts, podHashOf } from './replicas.ts';
import { currentCanaryStep, currentSetWeight, previousSetWeight } from './steps.ts';
import { dynamicRollbackHash, ensureSVCTargets } from './services.ts';

/** calculateDesiredWeightOnAbortOrStableRollback: 0, or with dynamicStableScale what the stable RS can carry (never rising). */
export function weightOnAbortOrStableRollback(r: Rollout, stableAvailable: number): number {
  if (!r.spec.strategy.canary?.dynamicStableScale) return 0;
  const max = maxTrafficWeight(r);
  const R = replicasOf(r);
  let w = R > 0 ? max - Math.floor((max * stableAvailable) / R) : 0;
  const cur = r.status?.canary?.weights?.canary.weight;
  if (cur !== undefined) w = Math.min(w, cur);
  return Math.max(0, w);
}

/** The canary weight this pass (Argo's decision order) and the hashes it balances. */
export function desiredTraffic(c: RolloutContext): { weight: number; canaryHash: string; stableHash: string } {
  const r = c.rollout;
  let canaryHash = podHashOf(c.newRS);
  const stableHash = podHashOf(c.stableRS);
  const st = r.status ?? {};
  const fullyPromoted = (st.stableRS ?? '') === (st.currentPodHash ?? '');
  const prevHash = dynamicRollbackHash(r, c.newRS);
  const { index } = currentCanaryStep(r);
  let weight = 0;
  if (prevHash !== undefined) {
    weight = weightOnAbortOrStableRollback(r, c.stableRS?.status?.availableReplicas ?? 0);
    canaryHash = prevHash;
  } else if (fullyPromoted) {
    weight = 0;
  } else if (c.pause.isAborted()) {
    weight = weightOnAbortOrStableRollback(r, c.stableRS?.status?.availableReplicas ?? 0);
  } else if (!c.newRS || (c.newRS.status?.availableReplicas ?? 0) === 0) {
    weight = 0;
  } else if (st.promoteFull) {
    if (r.spec.strategy.canary!.dynamicStableScale) weight = Math.floor((maxTrafficWeight(r) * (c.newRS.status?.availableReplicas ?? 0)) / Math.max(1, replicasOf(r)));
    else weight = st.canary?.weights?.canary.weight ?? 0;
  } else if (index !== undefined) {
    if (!atDesiredReplicaCounts(r, c.newRS, c.stableRS, c.otherRSs, undefined)) weight = previousSetWeight(r, index);
    else if (index !== stepsOf(r).length) weight = currentSetWeight(r);
    else weight = maxTrafficWeight(r);
  }
  return { weight, canaryHash, stableHash };
}

/** calculateWeightStatus: the weights block and whether it differs from the recorded one. */
export function weightStatus(r: Rollout, canaryHash: string, stableHash: string, weight: number): { modified: boolean; weights: TrafficWeights } {
  const c = r.spec.strategy.canary!;
  const weights: TrafficWeights = {
    canary: { weight, serviceName: c.canaryService, podTemplateHash: canaryHash || undefined },
    stable: { weight: maxTrafficWeight(r) - weight, serviceName: c.stableService, podTemplateHash: stableHash || undefined },
  };
  const prev = r.status?.canary?.weights;
  const same = (a: TrafficWeights['canary'] | undefined, b: TrafficWeights['canary']) =>
    !!a && a.weight === b.weight && (a.serviceName ?? '') === (b.serviceName ?? '') && (a.podTemplateHash ?? '') === (b.podTemplateHash ?? '');
  return { modified: !prev || !same(prev.canary, weights.canary) || !same(prev.stable, weights.stable), weights };
}

export function trafficWeightMessage(prev: TrafficWeights | undefined, next: TrafficWeights): string {
  const details: string[] = [];
  if (!prev) details.push(`to ${next.canary.weight}`);
  else if (prev.canary.weight !== next.canary.weight) details.push(`from ${prev.canary.weight} to ${next.canary.weight}`);
  return Msg.trafficWeightUpdated(details.join(', '));
}

/** The annotation value: the weight as a percentage of maxTrafficWeight. */
export const weightPercent = (r: Rollout, weight: number): number => Math.max(0, Math.min(100, Math.round((weight * 100) / maxTrafficWeight(r))));

async function annotate(c: RolloutContext, svc: Service, annotations: Record<string, string | null>): Promise<void> {
  const cur = svc.metadata?.annotations ?? {};
  if (Object.entries(annotations).every(([k, v]) => (v === null ? cur[k] === undefined : cur[k] === v))) return;
  const updated = await c.client.patch<Service>(R.services, c.ns, svc.metadata!.name!, { metadata: { annotations } }, 'merge');
  c.setService(updated);
}

/** Remove kubelite's traffic annotations from the Services this Rollout manages that it no longer routes through. */
async function dropStaleAnnotations(c: RolloutContext, keep?: string): Promise<void> {
  for (const svc of c.deps.servicesManagedBy(c.ns, c.name)) {
    const a = svc.metadata?.annotations ?? {};
    if (svc.metadata?.name === keep || a[ManagedByAnnotation] !== c.name) continue;
    if (a[CanaryServiceAnnotation] === undefined && a[CanaryWeightAnnotation] === undefined) continue;
    await annotate(c, c.getService(svc.metadata!.name!) ?? svc, { [CanaryServiceAnnotation]: null, [CanaryWeightAnnotation]: null });
  }
}

export async function reconcileTrafficRouting(c: RolloutContext): Promise<void> {
  const r = c.rollout;
  const canary = r.spec.strategy.canary;
  if (!canary || r.spec.strategy.blueGreen || !usesKubeliteRouter(r)) {
    if (c.newStatus.canary) c.newStatus.canary.weights = undefined;
    await dropStaleAnnotations(c);
    return;
  }
  const { weight, canaryHash, stableHash } = desiredTraffic(c);
  if (c.pause.isAborted() && (!canary.dynamicStableScale || weight === 0)) {
    // Abort: the canary Service goes back to the stable pods at once (with dynamic scaling, once weight is 0).
    await ensureSVCTargets(c, canary.canaryService, c.stableRS, false);
  }
  const stable = c.getService(canary.stableService!);
  if (stable) {
    await annotate(c, stable, { [CanaryServiceAnnotation]: canary.canaryService!, [CanaryWeightAnnotation]: String(weightPercent(r, weight)) });
  }
  await dropStaleAnnotations(c, canary.stableService);
  const { modified, weights } = weightStatus(r, canaryHash, stableHash, weight);
  if (modified) {
    c.event('Normal', Reason.TrafficWeightUpdated, trafficWeightMessage(r.status?.canary?.weights, weights));
    c.newStatus.canary = { ...c.newStatus.canary, weights };
  }
}
