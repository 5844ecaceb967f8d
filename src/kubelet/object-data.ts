/**
 * ConfigMap and Secret data for env and volumes (upstream's kubelet configmap/secret managers, the TTL-cache
 * strategy): each object is read by name with a GET (a node reads only what its pods use, as the Node authorizer
 * allows), and a read is shared for `ttlMs` (default 10 s) by every pod that uses the object, so N pods
 * refreshing one ConfigMap cost one request. Absence (404) is never cached: a pod waiting for an object starts as
 * soon as it exists. Data comes back decoded: ConfigMap `data` and `binaryData`, Secret `data` (and `stringData`).
 */
import type { KubeClient } from '../client/client.ts';
import { R } from '../client/resources.ts';
import type { Clock } from '../util/clock.ts';

export type ObjectKind = 'configmap' | 'secret';
type Data = Map<string, Buffer>;

export function decodeObjectData(kind: ObjectKind, o: { data?: Record<string, unknown>; binaryData?: Record<string, unknown>; stringData?: Record<string, unknown> }): Data {
  const out: Data = new Map();
  if (kind === 'configmap') {
    for (const [k, v] of Object.entries(o.data ?? {})) out.set(k, Buffer.from(String(v), 'utf8'));
    for (const [k, v] of Object.entries(o.binaryData ?? {})) out.set(k, Buffer.from(String(v), 'base64'));
  } else {
    for (const [k, v] of Object.entries(o.data ?? {})) out.set(k, Buffer.from(String(v), 'base64'));
    for (const [k, v] of Object.entries(o.stringData ?? {})) out.set(k, Buffer.from(String(v), 'utf8'));
  }
  return out;
}

export class ObjectDataCache {
  private cache = new Map<string, { at: number; data: Promise<Data | undefined> }>();

  constructor(private client: KubeClient, private clock: Clock, private ttlMs = 10_000) {}

  /** The object's data, or undefined when it does not exist. */
  get = (namespace: string, kind: ObjectKind, name: string): Promise<Data | undefined> => {
    const key = `${kind}/${namespace}/${name}`;
    const now = this.clock.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.data;
    const data = this.fetch(namespace, kind, name);
    this.cache.set(key, { at: now, data });
    // Errors and absence are not kept.
    data.then((d) => { if (!d) this.forget(key, data); }, () => this.forget(key, data));
    return data;
  };

  private forget(key: string, data: Promise<Data | undefined>): void {
    if (this.cache.get(key)?.data === data) this.cache.delete(key);
  }

  private async fetch(namespace: string, kind: ObjectKind, name: string): Promise<Data | undefined> {
    try {
      return decodeObjectData(kind, await this.client.get(kind === 'configmap' ? R.configmaps : R.secrets, namespace, name));
    } catch (e) {
      if ((e as { code?: number })?.code === 404) return undefined;
      throw e;
    }
  }
}
