/**
 * The files of the API-data volumes (upstream pkg/volume/{configmap,secret,downwardapi,projected} MakePayload /
 * CollectData): keys (all, or the `items` key → path), modes (item mode, else defaultMode), optional sources,
 * the downward API's fields and resources, and service account tokens. Errors carry upstream's messages
 * (`configmap "x" not found`, `configmap references non-existent config key: k`, ...).
 */
import type { ConfigMapProjection, DownwardAPIVolumeFile, KeyToPath, Pod, SecretProjection, VolumeProjection } from 'kubernetes-types/core/v1.d.ts';
import { fieldRefValue, resourceFieldValue } from '../env.ts';
import type { Payload } from './atomic-writer.ts';
import type { TokenManager } from './tokens.ts';

/** The data of a ConfigMap (data + binaryData) or Secret (decoded), or undefined when it does not exist. */
export type ObjectData = (kind: 'configmap' | 'secret', name: string) => Promise<Map<string, Buffer> | undefined>;

export const DEFAULT_MODE = 0o644;

/** upstream MakePayload of configmap.go and secret.go */
export function keyPayload(kind: 'configmap' | 'secret', data: Map<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): Payload {
  const out: Payload = new Map();
  if (!items?.length) {
    for (const [k, v] of data) out.set(k, { data: v, mode: defaultMode });
    return out;
  }
  for (const it of items) {
    const v = data.get(it.key);
    if (v === undefined) {
      if (optional) continue;
      throw new Error(kind === 'configmap' ? `configmap references non-existent config key: ${it.key}` : `references non-existent secret key: ${it.key}`);
    }
    out.set(it.path, { data: v, mode: it.mode ?? defaultMode });
  }
  return out;
}

/** A configMap or secret source: fetch, tolerate absence when optional, project keys. */
export async function objectPayload(get: ObjectData, kind: 'configmap' | 'secret', name: string, items: KeyToPath[] | undefined,
  defaultMode: number, optional: boolean): Promise<Payload> {
  const data = await get(kind, name);
  if (!data && !optional) throw new Error(`${kind} "${name}" not found`);
  return keyPayload(kind, data ?? new Map(), items, defaultMode, optional);
}

/** upstream downwardapi.CollectData (metadata fields and container resources). */
export function downwardPayload(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, defaultMode: number): Payload {
  const out: Payload = new Map();
  const errs: string[] = [];
  for (const it of items ?? []) {
    let value = '';
    try {
      if (it.fieldRef) value = fieldRefValue(pod, it.fieldRef.fieldPath, [], []);
      else if (it.resourceFieldRef) {
        const cname = it.resourceFieldRef.containerName;
        const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === cname);
        if (!c) throw new Error(`container ${cname} not found in pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
        value = resourceFieldValue(c, it.resourceFieldRef.resource, it.resourceFieldRef.divisor as string | undefined);
      }
    } catch (e) { errs.push((e as Error).message); continue; }
    out.set(it.path, { data: Buffer.from(value), mode: it.mode ?? defaultMode });
  }
  if (errs.length) throw new Error(aggregate(errs));
  return out;
}

/** upstream utilerrors.NewAggregate's text. */
function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

/** A projected volume: every source's files in one payload; `refreshAt` of the earliest token. */
export async function projectedPayload(pod: Pod, sources: VolumeProjection[] | undefined, defaultMode: number, get: ObjectData,
  tokens: TokenManager | undefined): Promise<{ payload: Payload; refreshAt?: number }> {
  const payload: Payload = new Map();
  const errs: string[] = [];
  let refreshAt: number | undefined;
  const add = (p: Payload) => { for (const [k, v] of p) payload.set(k, v); };
  for (const s of sources ?? []) {
    try {
      if (s.configMap) add(await objectPayload(get, 'configmap', (s.configMap as ConfigMapProjection).name ?? '', s.configMap.items, defaultMode, !!s.configMap.optional));
      else if (s.secret) add(await objectPayload(get, 'secret', (s.secret as SecretProjection).name ?? '', s.secret.items, defaultMode, !!s.secret.optional));
      else if (s.downwardAPI) add(downwardPayload(pod, s.downwardAPI.items, defaultMode));
      else if (s.serviceAccountToken) {
        if (!tokens) throw new Error('service account tokens are not available on this node');
        const t = await tokens.get(pod, s.serviceAccountToken.audience, s.serviceAccountToken.expirationSeconds);
        payload.set(s.serviceAccountToken.path, { data: Buffer.from(t.token), mode: defaultMode });
        refreshAt = Math.min(refreshAt ?? Infinity, t.refreshAt);
      } else if ((s as { clusterTrustBundle?: unknown }).clusterTrustBundle) throw new Error('clusterTrustBundle projections are not supported');
    } catch (e) { errs.push((e as Error).message); }
  }
  if (errs.length) throw new Error(aggregate(errs));
  return { payload, refreshAt };
}
