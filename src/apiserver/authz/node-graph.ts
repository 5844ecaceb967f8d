/**
 * The Node authorizer's graph (upstream plugin/pkg/auth/authorizer/node/graph.go, graph_populator.go): which
 * objects a node may read because a pod bound to it references them.
 *
 *   node <- pod                      (spec.nodeName)
 *   node <- pod <- secret            (volumes, projected sources, env/envFrom, imagePullSecrets, ...)
 *   node <- pod <- configmap         (volumes, projected sources, env/envFrom)
 *   node <- pod <- serviceaccount    (spec.serviceAccountName)
 *   node <- pod <- pvc               (persistentVolumeClaim and ephemeral volumes)
 *
 * Kept as reference counts per (node, object): a pod's edges are replaced whole when it changes, removed when it is
 * deleted or unbound. Fed from the store's watch of pods (`watchPods`), as upstream's graph populator is fed by a
 * pod informer: eventually consistent, so a node reading a secret the instant its pod is bound may be refused
 * once and succeed on retry, as upstream.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { Store, Watcher } from '../../storage/store.ts';
import { CompactedError } from '../../storage/store.ts';

export type VertexType = 'pod' | 'secret' | 'configmap' | 'serviceaccount' | 'pvc';

/** Every object a pod references, as "type/namespace/name" keys (upstream VisitPodSecretNames/ConfigmapNames). */
export function podReferences(pod: Pod): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const out = new Set<string>();
  const add = (t: VertexType, name: string | undefined) => { if (name) out.add(`${t}/${ns}/${name}`); };
  const spec = pod.spec;
  if (!spec) return [];
  add('serviceaccount', spec.serviceAccountName || undefined);
  for (const s of spec.imagePullSecrets ?? []) add('secret', s.name);
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...((spec as any).ephemeralContainers ?? [])] as NonNullable<Pod['spec']>['containers'];
  for (const c of containers) {
    for (const e of c.envFrom ?? []) { add('secret', e.secretRef?.name); add('configmap', e.configMapRef?.name); }
    for (const e of c.env ?? []) { add('secret', e.valueFrom?.secretKeyRef?.name); add('configmap', e.valueFrom?.configMapKeyRef?.name); }
  }
  const podName = pod.metadata?.name ?? '';
  for (const v of spec.volumes ?? []) {
    const vs = v as any;
    add('secret', vs.secret?.secretName);
    add('configmap', vs.configMap?.name);
    for (const src of vs.projected?.sources ?? []) { add('secret', src.secret?.name); add('configmap', src.configMap?.name); }
    add('pvc', vs.persistentVolumeClaim?.claimName);
    if (vs.ephemeral) add('pvc', `${podName}-${v.name}`);
    // Volume plugins that name a secret (upstream VisitPodSecretNames).
    for (const k of ['azureFile', 'cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos', 'csi']) {
      const src = vs[k];
      if (!src) continue;
      add('secret', k === 'azureFile' ? src.secretName : (src.secretRef?.name ?? src.nodePublishSecretRef?.name));
    }
  }
  return [...out];
}

export class NodeGraph {
  /** pod "ns/name" -> its node and the keys it references (pod key included). */
  private pods = new Map<string, { node: string; refs: string[] }>();
  /** node -> object key -> number of the node's pods referencing it. */
  private edges = new Map<string, Map<string, number>>();

  /** Record a pod (bound or not; an unbound pod has no edges). */
  setPod(pod: Pod): void {
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    this.deletePod(key);
    const node = pod.spec?.nodeName;
    if (!node) return;
    const refs = [`pod/${key}`, ...podReferences(pod)];
    this.pods.set(key, { node, refs });
    let m = this.edges.get(node);
    if (!m) { m = new Map(); this.edges.set(node, m); }
    for (const r of refs) m.set(r, (m.get(r) ?? 0) + 1);
  }

  /** Forget a pod ("namespace/name"). */
  deletePod(key: string): void {
    const old = this.pods.get(key);
    if (!old) return;
    this.pods.delete(key);
    const m = this.edges.get(old.node);
    if (!m) return;
    for (const r of old.refs) {
      const n = (m.get(r) ?? 0) - 1;
      if (n > 0) m.set(r, n); else m.delete(r);
    }
    if (!m.size) this.edges.delete(old.node);
  }

  /** Whether a pod bound to `node` references the object (or is the pod). */
  hasPath(node: string, type: VertexType, namespace: string, name: string): boolean {
    return (this.edges.get(node)?.get(`${type}/${namespace}/${name}`) ?? 0) > 0;
  }

  clear(): void { this.pods.clear(); this.edges.clear(); }
}

const PODS_PREFIX = '/registry/core/pods/';

/** Keep `graph` in step with the pods in `store` (list, then watch; relist if the watch falls behind compaction). */
export function watchPods(store: Store, graph: NodeGraph, log: (m: string) => void = () => {}): { ready: Promise<void>; stop(): void } {
  let watcher: Watcher | undefined;
  let stopped = false;
  const keyOf = (k: string) => k.slice(PODS_PREFIX.length);
  const sync = async (): Promise<void> => {
    const all = [];
    let start: string | undefined;
    let rev = 0;
    for (;;) {
      const page = await store.list(PODS_PREFIX, { limit: 5000, startKey: start, revision: rev || undefined });
      rev = page.revision;
      all.push(...page.items);
      if (!page.more || !page.items.length) break;
      start = page.items[page.items.length - 1].key + '\0';
    }
    if (stopped) return;
    graph.clear();
    for (const kv of all) {
      try { graph.setPod(JSON.parse(kv.value)); } catch { /* not a pod */ }
    }
    watcher = store.watch(PODS_PREFIX, rev, (ev) => {
      if (ev.type === 'DELETE') graph.deletePod(keyOf(ev.kv.key));
      else {
        try { graph.setPod(JSON.parse(ev.kv.value)); } catch { /* not a pod */ }
      }
    }, (err) => {
      if (stopped) return;
      if (!(err instanceof CompactedError)) log(`node authorizer: pod watch failed: ${err.message}; relisting`);
      watcher?.stop();
      setTimeout(() => { if (!stopped) sync().catch((e) => log(`node authorizer: relist failed: ${(e as Error).message}`)); }, 100).unref();
    });
  };
  const ready = sync();
  return { ready, stop: () => { stopped = true; watcher?.stop(); } };
}
