/**
 * API discovery: aggregated (apidiscovery.k8s.io/v2, with its exact Content-Type) and legacy
 * (/api APIVersions, /apis APIGroupList, /apis/<g> APIGroup, /api/v1 and /apis/<g>/<v> APIResourceList).
 */
import type { ResourceDef, SubresourceDef } from '../api/resource.ts';
import { compareKubeAwareVersion } from '../api/crd/versions.ts';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which aggregated flavour the Accept header asks for first (undefined = legacy). */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.includes('as=APIGroupDiscoveryList')) {
      if (p.startsWith('application/json') || p.startsWith('*/*')) return undefined;
      continue;
    }
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return undefined;
}

export interface GroupVersions { group: string; versions: string[] }

export class Discovery {
  /** group -> version -> defs, in registration order ('' = core). */
  private groups = new Map<string, Map<string, ResourceDef[]>>();

  constructor(private builtin: ResourceDef[], private serverAddress: () => string) {
    this.setCustom([]);
  }

  /**
   * The custom resources served beside the built-in kinds (CustomResourceDefinitions): appended to their groups;
   * a group only they make lists its versions by kube-aware priority (v2 > v1 > v1beta1 > v1alpha1 > foo1).
   */
  setCustom(custom: ResourceDef[]): void {
    this.groups = new Map();
    const builtinGroups = new Set(this.builtin.map((d) => d.group));
    for (const d of [...this.builtin, ...custom]) {
      let g = this.groups.get(d.group);
      if (!g) { g = new Map(); this.groups.set(d.group, g); }
      let v = g.get(d.version);
      if (!v) { v = []; g.set(d.version, v); }
      v.push(d);
    }
    for (const [group, vs] of this.groups) {
      if (builtinGroups.has(group)) continue;
      this.groups.set(group, new Map([...vs].sort(([a], [b]) => compareKubeAwareVersion(a, b))));
    }
  }

  hasGroupVersion(group: string, version: string): boolean {
    return !!this.groups.get(group)?.get(version);
  }

  groupVersions(): GroupVersions[] {
    return [...this.groups].map(([group, vs]) => ({ group, versions: [...vs.keys()] }));
  }

  private aggregatedResource(d: ResourceDef) {
    const r: Record<string, unknown> = {
      resource: d.plural,
      responseKind: { group: d.group, version: d.version, kind: d.kind },
      scope: d.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: d.singular,
      verbs: [...d.verbs].sort(),
    };
    if (d.shortNames.length) r.shortNames = d.shortNames;
    if (d.categories.length) r.categories = d.categories;
    if (d.subresources.length) {
      r.subresources = d.subresources.map((s: SubresourceDef) => ({
        subresource: s.name,
        responseKind: { group: s.group, version: s.version, kind: s.kind },
        verbs: [...s.verbs].sort(),
      }));
    }
    return r;
  }

  private aggregatedGroup(group: string) {
    const vs = this.groups.get(group)!;
    return {
      metadata: { name: group, creationTimestamp: null },
      versions: [...vs].map(([version, defs]) => ({
        version, freshness: 'Current',
        resources: defs.map((d) => this.aggregatedResource(d)),
      })),
    };
  }

  /** /api (core only) or /apis (every named group) as an APIGroupDiscoveryList. */
  aggregated(core: boolean, flavour: 'v2' | 'v2beta1'): unknown {
    const items = [...this.groups.keys()].filter((g) => (core ? g === '' : g !== '')).map((g) => this.aggregatedGroup(g));
    return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${flavour}`, metadata: {}, items };
  }

  apiVersions(): unknown {
    return {
      kind: 'APIVersions', versions: [...(this.groups.get('')?.keys() ?? ['v1'])],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }],
    };
  }

  private apiGroup(group: string) {
    const vs = [...this.groups.get(group)!.keys()];
    const gv = (v: string) => ({ groupVersion: `${group}/${v}`, version: v });
    return { name: group, versions: vs.map(gv), preferredVersion: gv(vs[0]) };
  }

  apiGroupList(): unknown {
    return {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: [...this.groups.keys()].filter((g) => g !== '').map((g) => this.apiGroup(g)),
    };
  }

  apiGroupDoc(group: string): unknown | undefined {
    if (!group || !this.groups.has(group)) return undefined;
    return { kind: 'APIGroup', apiVersion: 'v1', ...this.apiGroup(group) };
  }

  apiResourceList(group: string, version: string): unknown | undefined {
    const defs = this.groups.get(group)?.get(version);
    if (!defs) return undefined;
    const resources: unknown[] = [];
    for (const d of defs) {
      const r: Record<string, unknown> = {
        name: d.plural, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: [...d.verbs].sort(),
      };
      if (d.shortNames.length) r.shortNames = d.shortNames;
      if (d.categories.length) r.categories = d.categories;
      r.storageVersionHash = hash8(`${d.group}/${d.version}/${d.kind}`);
      resources.push(r);
      for (const s of d.subresources) {
        const sr: Record<string, unknown> = { name: `${d.plural}/${s.name}`, singularName: '', namespaced: d.namespaced, kind: s.kind, verbs: [...s.verbs].sort() };
        if (s.group !== d.group || s.version !== d.version) { sr.group = s.group; sr.version = s.version; }
        resources.push(sr);
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }
}

function hash8(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return Buffer.from(h.toString(16).padStart(8, '0')).toString('base64').slice(0, 11);
}
