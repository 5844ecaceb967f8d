/**
 * One reconcile pass over one Rollout (Argo's rolloutContext): the Rollout as last written, its ReplicaSets sorted
 * into new / stable / older / other, its current and other AnalysisRuns, the status being rebuilt, and the pause
 * context. The strategy files (canary.ts, bluegreen.ts) drive it; writes go through `deps`, and every object this
 * pass writes replaces the cached copy for the rest of the pass (and is remembered for the next one).
 */
import type { Service, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { Deployment } from 'kubernetes-types/apps/v1.d.ts';
import type { KubeClient } from '../../client/client.ts';
import type { EventRecorder, EventType } from '../../client/events.ts';
import type { AnalysisRun, AnalysisTemplate, Rollout, RolloutStatus, RS } from './types.ts';
import { RolloutAPIVersion } from './types.ts';
import { PauseContext } from './status.ts';
import { getOtherRSs, getStableRS, podHashOf } from './replicas.ts';
import { computePodTemplateHash } from './defaults.ts';
import { equalIgnoreHash, byCreation } from '../deployment/util.ts';

export interface RolloutDeps {
  client: KubeClient;
  recorder: EventRecorder;
  /** Requeue this Rollout after ms. */
  enqueueAfter(r: Rollout, ms: number): void;
  getService(namespace: string, name: string): Service | undefined;
  /** The Services in the namespace whose managed-by annotation names this Rollout. */
  servicesManagedBy(namespace: string, rollout: string): Service[];
  getAnalysisTemplate(namespace: string, name: string): AnalysisTemplate | undefined;
  getClusterAnalysisTemplate(name: string): AnalysisTemplate | undefined;
  listAnalysisTemplates(namespace: string): AnalysisTemplate[];
  listClusterAnalysisTemplates(): AnalysisTemplate[];
  getDeployment(namespace: string, name: string): Deployment | undefined;
  listPods(namespace: string): Pod[];
  /** Write-back: a freshly written object supersedes the informer's copy until the watch catches up. */
  remember(kind: 'Rollout' | 'ReplicaSet' | 'Service', obj: { metadata?: { namespace?: string; name?: string; resourceVersion?: string } }): void;
  /** Whether the pods/eviction subresource may be used (else pods are deleted). */
  evictionSupported?: boolean;
}

export interface CurrentRuns { step?: AnalysisRun; background?: AnalysisRun; pre?: AnalysisRun; post?: AnalysisRun }

/** FindNewReplicaSet: the RS with the template's hash label, else (oldest first) one whose template is equal ignoring the hash label. */
export function findNewReplicaSet(r: Rollout, rss: RS[]): RS | undefined {
  const sorted = [...rss].sort(byCreation);
  const hash = computePodTemplateHash(r.spec.template, r.status?.collisionCount);
  const byHash = sorted.find((rs) => podHashOf(rs) === hash);
  if (byHash) return byHash;
  return sorted.find((rs) => equalIgnoreHashLabel(rs.spec.template, r.spec.template));
}

function equalIgnoreHashLabel(a: RS['spec']['template'], b: Rollout['spec']['template']): boolean {
  const strip = (t: any) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels['rollouts-pod-template-hash'];
    return c;
  };
  return equalIgnoreHash(strip(a), strip(b));
}

/** FilterCurrentRolloutAnalysisRuns: the runs named in the status are current; the rest are other. */
export function splitAnalysisRuns(r: Rollout, runs: AnalysisRun[]): { current: CurrentRuns; others: AnalysisRun[] } {
  const current: CurrentRuns = {};
  const others: AnalysisRun[] = [];
  const s = r.status ?? {};
  for (const ar of runs) {
    const n = ar.metadata.name;
    if (s.canary?.currentStepAnalysisRunStatus?.name === n) current.step = ar;
    else if (s.canary?.currentBackgroundAnalysisRunStatus?.name === n) current.background = ar;
    else if (s.blueGreen?.prePromotionAnalysisRunStatus?.name === n) current.pre = ar;
    else if (s.blueGreen?.postPromotionAnalysisRunStatus?.name === n) current.post = ar;
    else others.push(ar);
  }
  return { current, others };
}

export class RolloutContext {
  rollout: Rollout;
  newRS?: RS;
  stableRS?: RS;
  allRSs: RS[];
  olderRSs: RS[];
  otherRSs: RS[];
  currentArs: CurrentRuns;
  otherArs: AnalysisRun[];
  newStatus: RolloutStatus;
  pause: PauseContext;
  readonly now: number;
  /** The traffic router's verdict on the weight (undefined: no verification). */
  weightVerified?: boolean;
  /** Services written during this pass (the informer's copies are never mutated). */
  private services = new Map<string, Service>();

  constructor(readonly deps: RolloutDeps, rollout: Rollout, rss: RS[], runs: AnalysisRun[], now: number) {
    this.rollout = rollout;
    this.now = now;
    this.allRSs = rss;
    this.newRS = findNewReplicaSet(rollout, rss);
    this.olderRSs = rss.filter((rs) => rs !== this.newRS);
    this.stableRS = getStableRS(rollout, this.newRS, this.olderRSs);
    this.otherRSs = getOtherRSs(this.newRS, this.stableRS, rss);
    const { current, others } = splitAnalysisRuns(rollout, runs);
    this.currentArs = current;
    this.otherArs = others;
    this.newStatus = {
      restartedAt: rollout.status?.restartedAt,
      canary: { weights: rollout.status?.canary?.weights },
      blueGreen: {},
    };
    this.pause = new PauseContext(rollout);
    const st = rollout.status ?? {};
    if ((st.stableRS ?? '') === (st.currentPodHash ?? '') && this.pause.isAborted()) this.pause.removeAbort();
  }

  get ns(): string { return this.rollout.metadata.namespace; }
  get name(): string { return this.rollout.metadata.name; }
  get client(): KubeClient { return this.deps.client; }

  /** Replace an RS everywhere after a write, and remember it for the next pass. */
  replaceRS(updated: RS): RS {
    const swap = (rs?: RS) => (rs && rs.metadata.name === updated.metadata.name ? updated : rs);
    this.allRSs = this.allRSs.some((x) => x.metadata.name === updated.metadata.name)
      ? this.allRSs.map((x) => swap(x)!) : [...this.allRSs, updated];
    this.olderRSs = this.olderRSs.map((x) => swap(x)!);
    this.otherRSs = this.otherRSs.map((x) => swap(x)!);
    this.newRS = swap(this.newRS);
    this.stableRS = swap(this.stableRS);
    this.deps.remember('ReplicaSet', updated);
    return updated;
  }

  /** A new Rollout object from the API (after a status or metadata write). */
  setRollout(updated: Rollout): void {
    // Keep the resolved template/selector (workloadRef) — the API object does not carry them.
    const spec = this.rollout.spec;
    this.rollout = { ...updated, spec: { ...updated.spec, template: spec.template, selector: spec.selector } };
    this.deps.remember('Rollout', updated);
  }

  getService(name: string): Service | undefined { return this.services.get(name) ?? this.deps.getService(this.ns, name); }
  setService(svc: Service): void { this.services.set(svc.metadata!.name!, svc); this.deps.remember('Service', svc); }

  event(type: EventType, reason: string, message: string): void {
    const m = this.rollout.metadata;
    this.deps.recorder.event(this.rollout as any, type, reason, message, {
      kind: 'Rollout', apiVersion: RolloutAPIVersion, namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion,
    });
  }

  enqueueAfter(ms: number): void { this.deps.enqueueAfter(this.rollout, Math.max(0, ms)); }

  get newHash(): string { return podHashOf(this.newRS); }
}
