/**
 * Rollback support. In apps/v1 a rollback is client-side: `kubectl rollout undo` copies an old ReplicaSet's
 * template (minus pod-template-hash) into the Deployment. The controller then must *reuse* that ReplicaSet rather
 * than create a duplicate: the "new RS" is the oldest RS whose template equals the Deployment's, compared
 * semantically (key order, empty values) and ignoring the hash label; getNewReplicaSet then raises its revision to
 * max+1 and moves the old number into deployment.kubernetes.io/revision-history (util.setNewReplicaSetAnnotations).
 * These helpers are also what a client needs to perform an undo (the same rules kubectl follows).
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.d.ts';
import * as u from './util.ts';

/** The RS a Deployment's current template maps to (the new RS), reused after a rollback. */
export function findReusableReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
  return u.findNewReplicaSet(d, rsList);
}

/** The RS for `kubectl rollout undo --to-revision=N` (0 = the previous revision), or undefined. */
export function replicaSetForRevision(rsList: ReplicaSet[], toRevision = 0): ReplicaSet | undefined {
  const target = toRevision === 0 ? u.lastRevision(rsList) : toRevision;
  if (target === 0) return undefined;
  return rsList.find((rs) => u.revision(rs) === target);
}

/** The template an undo writes into the Deployment: the RS's, without the pod-template-hash label. */
export function rollbackTemplate(rs: ReplicaSet): PodTemplateSpec {
  const t = structuredClone(rs.spec?.template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[u.DefaultDeploymentUniqueLabelKey];
  return t;
}
