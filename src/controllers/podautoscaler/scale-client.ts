/**
 * The HPA's view of "any scalable kind" (upstream's RESTMapper + client-go scale client): the target's kind is
 * mapped to its resource through discovery (the group's versions, preferred first), the resource must list a
 * `<plural>/scale` subresource, and the Scale is read and written through it:
 *   GET|PUT /apis/<group>/<version>/namespaces/<ns>/<plural>/<name>/scale
 * Errors are worded as upstream's: `no matches for kind "X" in group "g"`, `could not find scale subresource for
 * <g>/<v>, Resource=<plural> in discovery information`, and the API server's own for the object.
 * Discovery answers are kept for 30 s, so a kind that starts being served (a new CRD) is found soon after.
 */
import type { KubeClient } from '../../client/client.ts';
import { StatusError } from '../../api/errors.ts';
import type { Clock } from '../../util/clock.ts';

export interface Scale {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string };
  spec: { replicas?: number };
  status: { replicas?: number; selector?: string };
}

export interface ScaleTarget { group: string; version: string; plural: string }

interface ApiResource { name: string; kind: string }

const DISCOVERY_TTL_MS = 30_000;
const gvPath = (group: string, version: string) => (group ? `/apis/${group}/${version}` : `/api/${version}`);

export class ScaleClient {
  private cache = new Map<string, { at: number; value: { versions: string[]; resources: Map<string, ApiResource[]> } }>();

  constructor(private client: KubeClient, private clock: Clock) {}

  /** The group's served versions (preferred first) and each version's resources. */
  private async discover(group: string): Promise<{ versions: string[]; resources: Map<string, ApiResource[]> }> {
    const hit = this.cache.get(group);
    if (hit && this.clock.now() - hit.at < DISCOVERY_TTL_MS) return hit.value;
    let versions: string[] = [];
    try {
      if (!group) versions = ['v1'];
      else {
        const g = await this.client.request<{ versions?: { version: string }[]; preferredVersion?: { version: string } }>('GET', `/apis/${group}`);
        const all = (g.versions ?? []).map((v) => v.version);
        const preferred = g.preferredVersion?.version;
        versions = preferred ? [preferred, ...all.filter((v) => v !== preferred)] : all;
      }
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
    const resources = new Map<string, ApiResource[]>();
    for (const v of versions) {
      const l = await this.client.request<{ resources?: ApiResource[] }>('GET', gvPath(group, v));
      resources.set(v, l.resources ?? []);
    }
    const value = { versions, resources };
    this.cache.set(group, { at: this.clock.now(), value });
    return value;
  }

  /** Map the target's kind to a resource with a scale subresource. */
  async resolve(apiVersion: string | undefined, kind: string): Promise<ScaleTarget> {
    const group = apiVersion?.includes('/') ? apiVersion.split('/')[0] : '';
    const d = await this.discover(group);
    for (const version of d.versions) {
      const rs = d.resources.get(version) ?? [];
      const r = rs.find((x) => x.kind === kind && !x.name.includes('/'));
      if (!r) continue;
      if (!rs.some((x) => x.name === `${r.name}/scale`)) {
        throw new Error(`could not find scale subresource for ${group}/${version}, Resource=${r.name} in discovery information`);
      }
      return { group, version, plural: r.name };
    }
    throw new Error(`no matches for kind "${kind}" in group "${group}"`);
  }

  private path(t: ScaleTarget, namespace: string, name: string): string {
    return `${gvPath(t.group, t.version)}/namespaces/${encodeURIComponent(namespace)}/${t.plural}/${encodeURIComponent(name)}/scale`;
  }

  get(t: ScaleTarget, namespace: string, name: string): Promise<Scale> {
    return this.client.request<Scale>('GET', this.path(t, namespace, name));
  }

  update(t: ScaleTarget, scale: Scale): Promise<Scale> {
    return this.client.request<Scale>('PUT', this.path(t, scale.metadata.namespace ?? '', scale.metadata.name ?? ''), scale);
  }
}
