/**
 * The kinds kubelite serves: one descriptor (ResourceDef) per resource. Registering a kind is one entry in
 * `kinds` below (plus its import); everything else — REST serving, discovery, OpenAPI, tables, field
 * selectors, client coordinates (`R`), garbage collection — derives from the descriptors.
 */
import type { ResourceDef } from './resource.ts';
import { configmaps, secrets } from './kinds/config.ts';
import { deployments } from './kinds/deployments.ts';
import { endpoints, endpointslices } from './kinds/endpoints.ts';
import { events, leases } from './kinds/events.ts';
import { namespaces } from './kinds/namespaces.ts';
import { nodes } from './kinds/nodes.ts';
import { pods } from './kinds/pods.ts';
import { replicasets } from './kinds/replicasets.ts';
import { services } from './kinds/services.ts';
import { poddisruptionbudgets } from './kinds/poddisruptionbudgets.ts';
import { customresourcedefinitions } from './kinds/customresourcedefinitions.ts';
import { rollouts } from './kinds/rollouts.ts';
import { analysisruns, analysistemplates, clusteranalysistemplates } from './kinds/analysis.ts';
import { nodemetrics, podmetrics } from './kinds/metrics.ts';
import { horizontalpodautoscalers, horizontalpodautoscalersV1 } from './kinds/horizontalpodautoscalers.ts';
import { clusterrolebindings, clusterroles, rolebindings, roles } from './kinds/rbac.ts';
import { localsubjectaccessreviews, selfsubjectaccessreviews, selfsubjectreviews, selfsubjectrulesreviews, subjectaccessreviews } from './kinds/reviews.ts';
import { serviceaccounts } from './kinds/serviceaccounts.ts';
import { tokenreviews } from './kinds/tokenreviews.ts';

/** Every served kind, by the name components use (`R.pods`), in upstream discovery order within each group-version. */
export const kinds = {
  configmaps, endpoints, events, namespaces, nodes, pods, secrets, serviceaccounts, services,
  deployments, replicasets,
  selfsubjectreviews, tokenreviews,
  localsubjectaccessreviews, selfsubjectaccessreviews, selfsubjectrulesreviews, subjectaccessreviews,
  horizontalpodautoscalers, horizontalpodautoscalersV1,
  endpointslices,
  leases,
  poddisruptionbudgets,
  clusterrolebindings, clusterroles, rolebindings, roles,
  customresourcedefinitions,
  rollouts, analysisruns, analysistemplates, clusteranalysistemplates,
  nodemetrics, podmetrics,
} satisfies Record<string, ResourceDef>;

export const resources: ResourceDef[] = Object.values(kinds);

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** The descriptor of a kind (its preferred version: the first registered), or of that version when given. */
export function findByKind(group: string, kind: string, version?: string): ResourceDef | undefined {
  return resources.find((r) => r.group === group && r.kind === kind && (version === undefined || r.version === version));
}

export interface GroupVersion {
  group: string;
  version: string;
  /** "v1" or "apps/v1" */
  groupVersion: string;
  /** "api/v1" or "apis/apps/v1" (no leading slash, as /openapi/v3 names them) */
  path: string;
}

/** Every served group-version, core first (of the built-in kinds, or of `defs`). */
export function groupVersions(defs: ResourceDef[] = resources): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const r of defs) {
    const gv = r.group ? `${r.group}/${r.version}` : r.version;
    if (!seen.has(gv)) seen.set(gv, { group: r.group, version: r.version, groupVersion: gv, path: r.group ? `apis/${gv}` : `api/${gv}` });
  }
  return [...seen.values()];
}
