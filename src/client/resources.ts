/** The resources components talk about, as REST coordinates, derived from the kinds' descriptors (src/api). */
import type { ResourceDef } from '../api/resource.ts';
import { kinds } from '../api/registry.ts';

export interface ResourceRef {
  group: string; // '' = core
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** The client coordinates of a descriptor. */
export function refOf(def: ResourceDef): ResourceRef {
  return { group: def.group, version: def.version, plural: def.plural, kind: def.kind, namespaced: def.namespaced };
}

/** Every served kind's coordinates by registration name: `R.pods`, `R.deployments`... */
export const R = Object.freeze(Object.fromEntries(Object.entries(kinds).map(([name, def]) => [name, Object.freeze(refOf(def))]))) as
  { readonly [K in keyof typeof kinds]: ResourceRef };

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
