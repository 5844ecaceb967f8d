/**
 * spec.workloadRef (reference §2): the pod template — and the selector, when the Rollout gives none — come from the
 * referenced Deployment at every pass (never persisted back); status.workloadObservedGeneration records the
 * Deployment generation used. workloadRef.scaleDown migrates traffic off the Deployment while revision 1 rolls out:
 * `never` leaves it alone, `onsuccess` scales it to 0 once the Rollout is Healthy, `progressively` keeps it at
 * replicas − readyReplicas while revision 1 scales up, then 0 once Healthy.
 */
import type { Deployment } from 'kubernetes-types/apps/v1.d.ts';
import { R } from '../../client/resources.ts';
import type { RolloutContext, RolloutDeps } from './context.ts';
import type { Rollout } from './types.ts';
import { RevisionAnnotation } from './types.ts';
import { replicasOf } from './defaults.ts';

export interface Resolved { rollout: Rollout; workloadGeneration?: string; error?: string }

/** Resolve the template/selector of a Rollout with a workloadRef; an unsupported or missing referent is an error. */
export function resolveWorkloadRef(r: Rollout, getDeployment: RolloutDeps['getDeployment']): Resolved {
  const ref = r.spec.workloadRef;
  if (!ref) return { rollout: r };
  if ((r.spec.template?.spec?.containers ?? []).length > 0) {
    return { rollout: r, error: 'spec.template: Invalid value: "template": template must be empty for workload reference rollout' };
  }
  if (ref.kind !== 'Deployment' || (ref.apiVersion && ref.apiVersion !== 'apps/v1')) {
    return { rollout: r, error: `spec.workloadRef.kind: Invalid value: "${ref.kind}": only apps/v1 Deployment is supported by kubelite` };
  }
  const d = getDeployment(r.metadata.namespace, ref.name);
  if (!d) return { rollout: r, error: `spec.workloadRef.name: Invalid value: "${ref.name}": deployments.apps "${ref.name}" not found` };
  const resolved: Rollout = { ...r, spec: { ...r.spec, template: structuredClone(d.spec?.template), selector: r.spec.selector ?? structuredClone(d.spec?.selector) } };
  return { rollout: resolved, workloadGeneration: String(d.metadata?.generation ?? 0) };
}

/** The Deployment size workloadRef.scaleDown asks for, or undefined to leave it alone. */
export function desiredDeploymentReplicas(r: Rollout, d: Deployment): number | undefined {
  const mode = r.spec.workloadRef?.scaleDown ?? 'never';
  if (mode === 'never') return undefined;
  if (r.metadata.annotations?.[RevisionAnnotation] !== '1') return undefined;
  const healthy = r.status?.phase === 'Healthy';
  if (healthy) return 0;
  if (mode === 'progressively') return Math.max(0, Math.min(d.spec?.replicas ?? 0, replicasOf(r) - (r.status?.readyReplicas ?? 0)));
  return undefined;
}

export async function reconcileWorkloadScaleDown(c: RolloutContext): Promise<void> {
  const ref = c.rollout.spec.workloadRef;
  if (!ref || ref.kind !== 'Deployment') return;
  const d = c.deps.getDeployment(c.ns, ref.name);
  if (!d) return;
  const want = desiredDeploymentReplicas(c.rollout, d);
  if (want === undefined || (d.spec?.replicas ?? 1) === want) return;
  await c.client.patch(R.deployments, c.ns, ref.name, { spec: { replicas: want } }, 'merge');
}
