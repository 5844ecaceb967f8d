/**
 * Rollback support. In apps/v1 a rollback is client-side: `kubectl rollout undo` copies an old ReplicaSet's
 * template (minus pod-template-hash) into the Deployment. The controller then must *reuse* that ReplicaSet rather
 * than create a duplicate: the "new RS" is the oldest RS whose template equals the Deployment's, compared
 * semantically (key order, empty values) and ignoring the hash label; getNewReplicaSet then raises its revision to
 * max+1 and moves the old number into deployment.kubernetes.io/revision-history (sync.ts setNewReplicaSetAnnotations).
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import * as u from './util.ts';

/** The RS a Deployment's current template maps to (the new RS), reused after a rollback. */
export function findReusableReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
  return u.findNewReplicaSet(d, rsList);
}

