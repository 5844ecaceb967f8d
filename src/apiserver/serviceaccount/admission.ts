/**
 * The ServiceAccount admission plugin on pod create (upstream plugin/pkg/admission/serviceaccount):
 *
 *  - spec.serviceAccountName defaults to `default`; the service account must exist, else 403
 *    `pods "P" is forbidden: error looking up service account NS/SA: serviceaccount "SA" not found` (the `default`
 *    account is looked up a few times first: a namespace created a moment ago may not have it yet);
 *  - unless automountServiceAccountToken is false (the pod's word wins over the service account's), the projected
 *    volume `kube-api-access-<5 random>` — a 3607 s service-account token, ca.crt from the kube-root-ca.crt
 *    ConfigMap and the namespace from the downward API, mode 0644 — is added and mounted read-only at
 *    /var/run/secrets/kubernetes.io/serviceaccount in every init container and container that has nothing
 *    mounted there yet;
 *  - a pod without imagePullSecrets gets the service account's.
 * Mirror pods are left alone.
 */
import type { KubeObject } from '../../api/resource.ts';
import { StatusError } from '../../api/errors.ts';
import { serviceaccounts } from '../../api/kinds/serviceaccounts.ts';
import { generateName } from '../codec.ts';
import type { ObjectReader } from '../hooks.ts';
import { WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS } from './tokens.ts';

type Obj = Record<string, any>;

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const SERVICE_ACCOUNT_VOLUME_PREFIX = 'kube-api-access-';
export const DEFAULT_API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** Lookups of the `default` account before giving up (upstream: 10 attempts, 100-200 ms apart). */
const DEFAULT_ATTEMPTS = 10;

/** The projected volume source of the injected volume (upstream TokenVolumeSource). */
export function tokenVolumeSource(): Obj {
  return {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

/** Upstream shouldAutomount: the pod's preference, then the service account's, else true. */
export function shouldAutomount(sa: Obj, pod: Obj): boolean {
  if (typeof pod.spec?.automountServiceAccountToken === 'boolean') return pod.spec.automountServiceAccountToken;
  if (typeof sa.automountServiceAccountToken === 'boolean') return sa.automountServiceAccountToken;
  return true;
}

/** Upstream mountServiceAccountToken: mount the token volume in every container lacking a mount at the path. */
export function mountServiceAccountToken(pod: Obj, newName: () => string = () => generateName(SERVICE_ACCOUNT_VOLUME_PREFIX)): void {
  const spec = pod.spec as Obj;
  const volumes: Obj[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  const existing = volumes.find((v) => typeof v?.name === 'string' && v.name.startsWith(SERVICE_ACCOUNT_VOLUME_PREFIX));
  const volumeName: string = existing?.name ?? newName();
  let needsVolume = false;
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of Array.isArray(list) ? list : []) {
      if (!c || typeof c !== 'object') continue;
      const mounts: Obj[] = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
      if (mounts.some((m) => m?.mountPath === DEFAULT_API_TOKEN_MOUNT_PATH)) continue;
      c.volumeMounts = [...mounts, { name: volumeName, readOnly: true, mountPath: DEFAULT_API_TOKEN_MOUNT_PATH }];
      needsVolume = true;
    }
  }
  if (!existing && needsVolume) spec.volumes = [...volumes, { name: volumeName, projected: tokenVolumeSource() }];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function lookupServiceAccount(reader: ObjectReader, ns: string, name: string): Promise<Obj | undefined> {
  const attempts = name === DEFAULT_SERVICE_ACCOUNT ? DEFAULT_ATTEMPTS : 1;
  for (let i = 0; i < attempts; i++) {
    if (i) await sleep(100 + Math.floor(Math.random() * 100));
    try {
      return await reader.get(serviceaccounts, ns, name) as Obj;
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }
  return undefined;
}

export async function admitPod(obj: KubeObject, reader: ObjectReader): Promise<void> {
  const pod = obj as Obj;
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
  const spec: Obj = pod.spec && typeof pod.spec === 'object' ? pod.spec : (pod.spec = {});
  if (!spec.serviceAccountName) spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
  if (!spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  const ns = String(pod.metadata?.namespace ?? '');
  const saName = String(spec.serviceAccountName);
  const sa = await lookupServiceAccount(reader, ns, saName);
  if (!sa) {
    const podName = String(pod.metadata?.name ?? '');
    throw new StatusError(403, 'Forbidden',
      `pods "${podName}" is forbidden: error looking up service account ${ns}/${saName}: serviceaccount "${saName}" not found`,
      { name: podName, kind: 'pods' });
  }
  if (shouldAutomount(sa, pod)) mountServiceAccountToken(pod);
  if (!Array.isArray(spec.imagePullSecrets) || spec.imagePullSecrets.length === 0) {
    const ips = Array.isArray(sa.imagePullSecrets) ? sa.imagePullSecrets : [];
    if (ips.length) spec.imagePullSecrets = ips.map((s: Obj) => ({ name: s?.name ?? '' }));
  }
}
