/**
 * The requests `kubectl` sends for its Deployment verbs, as pure functions (no I/O, no Node modules: the dashboard
 * bundles them for the browser). Each returns the patch to send, so the dashboard acts exactly as kubectl does:
 *
 *   scale deployment NAME --replicas=N        PATCH .../scale          merge      {"spec":{"replicas":N}}
 *   set image deployment/NAME c=img           PATCH                    strategic  {"spec":{"template":{"spec":{"containers":[{"name":c,"image":img}]}}}}
 *   rollout pause | resume                    PATCH                    strategic  {"spec":{"paused":true|false}}
 *   rollout restart                           PATCH                    strategic  template annotation kubectl.kubernetes.io/restartedAt = now (RFC 3339)
 *   rollout undo [--to-revision=N]            PATCH                    json       replace /spec/template with revision N's template (minus
 *                                                                                 pod-template-hash) and /metadata/annotations (kubectl's rollback.go)
 */
import type { PatchType } from './client.ts';
import { equalIgnoreHash } from '../controllers/deployment/util.ts';

type Obj = Record<string, any>;

export interface DeploymentPatch { subresource?: 'scale'; type: PatchType; patch: unknown }

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Annotations kubectl's rollback keeps from the Deployment instead of copying them from the ReplicaSet. */
const ANNOTATIONS_TO_SKIP = [
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
];

export function planScale(replicas: number): DeploymentPatch {
  return { subresource: 'scale', type: 'merge', patch: { spec: { replicas } } };
}

export function planSetImage(container: string, image: string): DeploymentPatch {
  return { type: 'strategic', patch: { spec: { template: { spec: { containers: [{ name: container, image }] } } } } };
}

export function planPause(paused: boolean): DeploymentPatch {
  return { type: 'strategic', patch: { spec: { paused } } };
}

/** RFC 3339 in UTC, seconds precision (kubectl formats time.Now() with time.RFC3339). */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function planRestart(nowMs: number): DeploymentPatch {
  return { type: 'strategic', patch: { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: rfc3339Seconds(nowMs) } } } } } };
}

export const revisionOf = (o: Obj | undefined): number => {
  const v = Number(o?.metadata?.annotations?.[REVISION_ANNOTATION]);
  return Number.isFinite(v) ? v : 0;
};

/**
 * `kubectl rollout undo [--to-revision=N]`: revision N (default the one before the newest) as a JSON patch of the
 * Deployment, or the message kubectl prints when it sends nothing.
 */
export function planUndo(d: Obj, replicaSets: Obj[], toRevision = 0): { patch?: DeploymentPatch; revision?: number; error?: string; skipped?: string } {
  if (d.spec?.paused) return { error: "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again" };
  const owned = replicaSets.filter((rs) => revisionOf(rs) > 0).sort((a, b) => revisionOf(b) - revisionOf(a));
  let target: Obj | undefined;
  if (toRevision > 0) {
    target = owned.find((rs) => revisionOf(rs) === toRevision);
    if (!target) return { error: `unable to find specified revision ${toRevision} in history` };
  } else {
    target = owned[1];
    if (!target) return { error: 'no rollout history found for deployment' };
  }
  const template = structuredClone(target.spec?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH];
  const revision = revisionOf(target);
  if (equalIgnoreHash(d.spec?.template, template)) return { revision, skipped: `skipped rollback (current template already matches revision ${revision})` };
  const annotations: Record<string, string> = {};
  const dAnn: Record<string, string> = d.metadata?.annotations ?? {};
  for (const k of ANNOTATIONS_TO_SKIP) if (k in dAnn) annotations[k] = dAnn[k];
  for (const [k, v] of Object.entries((target.metadata?.annotations ?? {}) as Record<string, string>)) if (!ANNOTATIONS_TO_SKIP.includes(k)) annotations[k] = v;
  return {
    revision,
    patch: {
      type: 'json',
      patch: [
        { op: 'replace', path: '/spec/template', value: template },
        { op: 'replace', path: '/metadata/annotations', value: annotations },
      ],
    },
  };
}
