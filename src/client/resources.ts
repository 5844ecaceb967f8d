/** The resources components talk about, as REST coordinates. */
export interface ResourceRef {
  group: string; // '' = core
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const r = (group: string, version: string, plural: string, kind: string, namespaced = true): ResourceRef =>
  ({ group, version, plural, kind, namespaced });

export const R = {
  namespaces: r('', 'v1', 'namespaces', 'Namespace', false),
  nodes: r('', 'v1', 'nodes', 'Node', false),
  pods: r('', 'v1', 'pods', 'Pod'),
  services: r('', 'v1', 'services', 'Service'),
  endpoints: r('', 'v1', 'endpoints', 'Endpoints'),
  events: r('', 'v1', 'events', 'Event'),
  configmaps: r('', 'v1', 'configmaps', 'ConfigMap'),
  secrets: r('', 'v1', 'secrets', 'Secret'),
  deployments: r('apps', 'v1', 'deployments', 'Deployment'),
  replicasets: r('apps', 'v1', 'replicasets', 'ReplicaSet'),
  endpointslices: r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  leases: r('coordination.k8s.io', 'v1', 'leases', 'Lease'),
} as const;

/** `/api/v1` or `/apis/apps/v1` */
export function groupVersionPath(ref: { group: string; version: string }): string {
  return ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
}

/** Collection or object path; `namespace` ignored for cluster-scoped resources. */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = groupVersionPath(ref);
  if (ref.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${ref.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
