/**
 * The node agent's volume manager (upstream pkg/kubelet/volumemanager, simplified to what a single node without
 * attachable storage needs): a pod's volumes live under <data dir>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>
 * and reach its containers as CRI bind mounts (mounts.ts).
 *
 *   emptyDir      a directory (0777); medium Memory: a tmpfs, bounded by sizeLimit
 *   hostPath      the host path itself, after upstream's type check (DirectoryOrCreate, Directory, FileOrCreate,
 *                 File, Socket, CharDevice, BlockDevice, or none)
 *   configMap     files written by the atomic writer, on disk
 *   secret, downwardAPI, projected   the same on a tmpfs (secrets and tokens never touch the disk)
 *
 * `setUp` is idempotent and cheap when nothing is due: the API-data volumes are written again every `resyncMs`
 * (a ConfigMap or Secret change reaches a mounted volume within that period), when the pod's labels or annotations
 * change (downward API), and when a service account token is at 80% of its life. A volume that fails is retried
 * with back-off (1 s doubling to 32 s); the pod worker reports it as upstream's FailedMount event. `tearDown`
 * unmounts and removes a pod's directory; `cleanupOrphans` does so for pods that are gone.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod, Volume } from 'kubernetes-types/core/v1.d.ts';
import type { Clock } from '../../util/clock.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';
import { writeAtomic } from './atomic-writer.ts';
import { mountTmpfs, unmountAll } from './host-mount.ts';
import { DEFAULT_MODE, downwardPayload, objectPayload, projectedPayload, type ObjectData } from './payloads.ts';
import type { TokenManager } from './tokens.ts';

export interface VolumeManagerOptions {
  /** <kubelet data dir>/pods */
  podsDir: string;
  /** ConfigMap/Secret data in a namespace (undefined: not found). */
  getObject: (namespace: string, kind: 'configmap' | 'secret', name: string) => Promise<Map<string, Buffer> | undefined>;
  tokens?: TokenManager;
  clock: Clock;
  /** How often API-data volumes are refreshed (default 30 s). */
  resyncMs?: number;
  log?: (s: string) => void;
}

/** A volume ready to be mounted into containers. */
export interface MountedVolume { hostPath: string; /** API-data volumes are always mounted read-only, as upstream. */ readOnly: boolean }

export interface SetUpResult {
  /** Every volume that is (or was) set up. */
  volumes: Map<string, MountedVolume>;
  /** Volumes whose set-up failed in this pass, with upstream's error text. */
  failed: { volume: string; message: string }[];
  /** When setUp should run again (ms from now). */
  nextMs: number;
}

interface PodVolumes {
  volumes: Map<string, MountedVolume>;
  metaKey: string;
  nextFull: number;
  failures: number;
}

export const PLUGIN_DIR: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir', configMap: 'kubernetes.io~configmap', secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api', projected: 'kubernetes.io~projected',
};
const SOURCES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected'] as const;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 32_000;

/** upstream hostpath checkType (host_path.go), making the path for the *OrCreate types. */
export function checkHostPathType(path: string, type: string | undefined): void {
  let st: ReturnType<typeof statSync> | undefined;
  try { st = statSync(path); } catch { st = undefined; }
  const fail = (what: string) => { throw new Error(`hostPath type check failed: ${path} is not a ${what}`); };
  switch (type ?? '') {
    case '': return;
    case 'DirectoryOrCreate':
      if (!st) { mkdirSync(path, { recursive: true, mode: 0o755 }); return; }
      if (!st.isDirectory()) fail('directory');
      return;
    case 'Directory': if (!st?.isDirectory()) fail('directory'); return;
    case 'FileOrCreate':
      if (!st) { closeSync(openSync(path, 'a', 0o644)); return; }
      if (!st.isFile()) fail('file');
      return;
    case 'File': if (!st?.isFile()) fail('file'); return;
    case 'Socket': if (!st?.isSocket()) fail('socket file'); return;
    case 'CharDevice': if (!st?.isCharacterDevice()) fail('character device'); return;
    case 'BlockDevice': if (!st?.isBlockDevice()) fail('block device'); return;
    default: throw new Error(`${type} is an invalid volume type`);
  }
}

const sourceOf = (v: Volume) => SOURCES.find((s) => v[s] !== undefined && v[s] !== null);

export class VolumeManager {
  private pods = new Map<string, PodVolumes>();
  private resyncMs: number;

  constructor(private o: VolumeManagerOptions) { this.resyncMs = o.resyncMs ?? 30_000; }

  podDir(uid: string): string { return join(this.o.podsDir, uid); }
  volumeDir(uid: string, source: string, name: string): string { return join(this.podDir(uid), 'volumes', PLUGIN_DIR[source], name); }

  /** Set up (or refresh, when due) every volume of `pod`. */
  async setUp(pod: Pod): Promise<SetUpResult> {
    const uid = pod.metadata!.uid!;
    const now = this.o.clock.now();
    const metaKey = JSON.stringify([pod.metadata?.labels ?? {}, pod.metadata?.annotations ?? {}]);
    let st = this.pods.get(uid);
    if (!st) { st = { volumes: new Map(), metaKey: '', nextFull: 0, failures: 0 }; this.pods.set(uid, st); }
    if (now < st.nextFull && metaKey === st.metaKey) return { volumes: st.volumes, failed: [], nextMs: st.nextFull - now };

    const failed: SetUpResult['failed'] = [];
    let next = now + this.resyncMs;
    for (const v of pod.spec?.volumes ?? []) {
      try {
        const r = await this.setUpVolume(pod, v, st.volumes.has(v.name));
        st.volumes.set(v.name, r.mounted);
        if (r.refreshAt !== undefined) next = Math.min(next, Math.max(now + 1000, r.refreshAt));
      } catch (e) {
        failed.push({ volume: v.name, message: (e as Error).message });
      }
    }
    st.metaKey = metaKey;
    if (failed.length) {
      st.failures++;
      next = Math.min(next, now + Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (st.failures - 1)));
    } else st.failures = 0;
    st.nextFull = next;
    return { volumes: st.volumes, failed, nextMs: next - now };
  }

  private async setUpVolume(pod: Pod, v: Volume, existing: boolean): Promise<{ mounted: MountedVolume; refreshAt?: number }> {
    const source = sourceOf(v);
    if (!source) {
      const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
      throw new Error(`volume type ${kind} is not supported by this node`);
    }
    const uid = pod.metadata!.uid!;
    const ns = pod.metadata?.namespace ?? 'default';
    if (source === 'hostPath') {
      if (!existing) checkHostPathType(v.hostPath!.path, v.hostPath!.type);
      return { mounted: { hostPath: v.hostPath!.path, readOnly: false } };
    }
    const dir = this.volumeDir(uid, source, v.name);
    if (source === 'emptyDir') {
      const medium = v.emptyDir!.medium ?? '';
      if (medium !== '' && medium !== 'Memory') throw new Error(`emptyDir medium ${medium} is not supported by this node`);
      if (!existing) {
        mkdirSync(dir, { recursive: true });
        if (medium === 'Memory') await mountTmpfs(dir, v.emptyDir!.sizeLimit !== undefined ? parseQuantity(v.emptyDir!.sizeLimit) : undefined);
        chmodSync(dir, 0o777);
      }
      return { mounted: { hostPath: dir, readOnly: false } };
    }
    const get: ObjectData = (kind, name) => this.o.getObject(ns, kind, name);
    let payload;
    let refreshAt: number | undefined;
    if (source === 'configMap') {
      const s = v.configMap!;
      payload = await objectPayload(get, 'configmap', s.name ?? '', s.items, s.defaultMode ?? DEFAULT_MODE, !!s.optional);
    } else if (source === 'secret') {
      const s = v.secret!;
      payload = await objectPayload(get, 'secret', s.secretName ?? '', s.items, s.defaultMode ?? DEFAULT_MODE, !!s.optional);
    } else if (source === 'downwardAPI') {
      payload = downwardPayload(pod, v.downwardAPI!.items, v.downwardAPI!.defaultMode ?? DEFAULT_MODE);
    } else {
      const r = await projectedPayload(pod, v.projected!.sources, v.projected!.defaultMode ?? DEFAULT_MODE, get, this.o.tokens);
      payload = r.payload;
      refreshAt = r.refreshAt;
    }
    if (!existing) {
      mkdirSync(dir, { recursive: true });
      if (source !== 'configMap') await mountTmpfs(dir);
      chmodSync(dir, 0o777);
    }
    writeAtomic(dir, payload, new Date(this.o.clock.now()));
    return { mounted: { hostPath: dir, readOnly: true }, refreshAt };
  }

  /** Unmount and remove a pod's volumes (its containers are gone). */
  async tearDown(uid: string): Promise<void> {
    this.pods.delete(uid);
    this.o.tokens?.forgetPod(uid);
    const dir = this.podDir(uid);
    if (!existsSync(dir)) return;
    const left = await unmountAll(dir);
    if (left.length) { this.o.log?.(`pod ${uid}: still mounted, not removed: ${left.join(', ')}`); return; }
    rmSync(dir, { recursive: true, force: true });
  }

  /** Tear down the directories of pods not in `known` (upstream cleanupOrphanedPodDirs). */
  async cleanupOrphans(known: Set<string>): Promise<number> {
    let names: string[] = [];
    try { names = readdirSync(this.o.podsDir); } catch { return 0; }
    let n = 0;
    for (const uid of names) {
      if (known.has(uid)) continue;
      await this.tearDown(uid);
      n++;
    }
    return n;
  }
}
