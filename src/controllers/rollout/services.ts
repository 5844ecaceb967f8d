/**
 * Service selector management (Argo's rollout/service.go, reference §4.5): the stable/canary (or active/preview)
 * Services' selectors are pinned to a ReplicaSet's rollouts-pod-template-hash by a strategic-merge patch that also
 * adds the managed-by annotation the first time (event SwitchService). A Service not yet managed is adopted only
 * once the target RS is fully available; a managed one switches once the RS has an available pod. When a Rollout is
 * deleted, the Services it managed get their hash selector and kubelite's traffic annotations removed.
 */
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import { R } from '../../client/resources.ts';
import { StatusError } from '../../api/errors.ts';
import type { KubeClient } from '../../client/client.ts';
import type { RolloutContext } from './context.ts';
import type { Rollout, RS } from './types.ts';
import { CanaryServiceAnnotation, CanaryWeightAnnotation, ManagedByAnnotation, PodTemplateHashLabel, Reason } from './types.ts';
import { isRSAvailable, isRSPartiallyAvailable, podHashOf } from './replicas.ts';
import { replicasOf } from './defaults.ts';

export const selectorHash = (svc: Service | undefined): string => svc?.spec?.selector?.[PodTemplateHashLabel] ?? '';

/** switchServiceSelector: point the Service at `hash` (and mark it managed by this Rollout). */
export async function switchServiceSelector(c: RolloutContext, svc: Service, hash: string): Promise<void> {
  const old = selectorHash(svc);
  const managed = svc.metadata?.annotations?.[ManagedByAnnotation] !== undefined;
  if (old === hash && managed) return;
  const patch: Record<string, unknown> = { spec: { selector: { [PodTemplateHashLabel]: hash } } };
  if (!managed) patch.metadata = { annotations: { [ManagedByAnnotation]: c.name } };
  const updated = await c.client.patch<Service>(R.services, c.ns, svc.metadata!.name!, patch, 'strategic');
  c.setService(updated);
  c.event('Normal', Reason.SwitchService, `Switched selector for service '${svc.metadata!.name}' from '${old}' to '${hash}'`);
}

/**
 * ensureSVCTargets: point the named Service at `rs` once it can take traffic (an unmanaged Service: all of the RS
 * available; a managed one: at least one pod available), unless availability is not to be checked.
 */
export async function ensureSVCTargets(c: RolloutContext, svcName: string | undefined, rs: RS | undefined, checkAvailability: boolean): Promise<void> {
  if (!rs || !svcName) return;
  const svc = c.getService(svcName);
  if (!svc) throw new StatusError(404, 'NotFound', `services "${svcName}" not found`);
  const desired = podHashOf(rs);
  if (selectorHash(svc) === desired) return;
  if (svc.metadata?.annotations?.[ManagedByAnnotation] === undefined && checkAvailability && !isRSAvailable(rs)) return;
  if (checkAvailability && !isRSPartiallyAvailable(rs)) return;
  await switchServiceSelector(c, svc, desired);
}

/**
 * isDynamicallyRollingBackToStable: fully promoted back to stable with dynamicStableScale while traffic still
 * points at the previous canary and the stable RS is not fully available; returns that previous hash.
 */
export function dynamicRollbackHash(r: Rollout, desiredRS: RS | undefined): string | undefined {
  const st = r.status ?? {};
  const c = r.spec.strategy.canary;
  if ((st.stableRS ?? '') !== (st.currentPodHash ?? '') || !c?.trafficRouting || !c.dynamicStableScale || !st.canary?.weights) return undefined;
  const cur = st.canary.weights.canary.podTemplateHash ?? '';
  if (cur !== podHashOf(desiredRS) && (desiredRS?.status?.availableReplicas ?? 0) < replicasOf(r)) return cur;
  return undefined;
}

/** reconcileStableAndCanaryService: stable → stable RS; canary → new RS (→ stable RS on a basic-canary abort). */
export async function reconcileStableAndCanaryService(c: RolloutContext): Promise<void> {
  const canary = c.rollout.spec.strategy.canary;
  if (!canary || c.rollout.spec.strategy.blueGreen) return;
  await ensureSVCTargets(c, canary.stableService, c.stableRS, true);
  if (c.pause.isAborted()) {
    // Basic canary: the canary Service serves stable again. Routed: traffic.ts moves it once the weight is 0
    // (at once without dynamicStableScale) — pointing it back at the new RS here would flap it every pass.
    if (!canary.trafficRouting) await ensureSVCTargets(c, canary.canaryService, c.stableRS, true);
    return;
  }
  if (dynamicRollbackHash(c.rollout, c.newRS) !== undefined) return;
  await ensureSVCTargets(c, canary.canaryService, c.newRS, true);
}

/** A deleted Rollout lets go of its Services: hash selector, managed-by and traffic annotations removed. */
export async function releaseServices(client: KubeClient, services: Service[], rolloutName: string): Promise<void> {
  for (const svc of services) {
    const a = svc.metadata?.annotations ?? {};
    if (a[ManagedByAnnotation] !== rolloutName) continue;
    const annotations: Record<string, null> = { [ManagedByAnnotation]: null };
    if (a[CanaryServiceAnnotation] !== undefined) annotations[CanaryServiceAnnotation] = null;
    if (a[CanaryWeightAnnotation] !== undefined) annotations[CanaryWeightAnnotation] = null;
    const patch: Record<string, unknown> = { metadata: { annotations } };
    if (svc.spec?.selector?.[PodTemplateHashLabel] !== undefined) patch.spec = { selector: { [PodTemplateHashLabel]: null } };
    try {
      await client.patch(R.services, svc.metadata!.namespace, svc.metadata!.name!, patch, 'strategic');
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }
}
