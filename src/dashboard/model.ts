/**
 * What the dashboard shows, as pure functions of API objects (no DOM, no I/O: unit-tested in Node and bundled for
 * the browser). The mixing board of a Deployment or Rollout: one fader per ReplicaSet (revision, images, desired /
 * current / ready / available, its pods as cells), the rolling-update fence posts (maxSurge/maxUnavailable, resolved
 * with the deployment controller's own arithmetic) and the current step in words; Services with the pods they
 * select; Nodes with their conditions and pods.
 */
import type { Deployment } from 'kubernetes-types/apps/v1.d.ts';
import { equalIgnoreHash, maxSurge as deploymentMaxSurge, maxUnavailable as deploymentMaxUnavailable } from '../controllers/deployment/util.ts';
import { maxSurge as rolloutMaxSurge, maxUnavailable as rolloutMaxUnavailable } from '../controllers/rollout/fenceposts.ts';
import type { Rollout } from '../controllers/rollout/types.ts';
import { currentSetWeight, displayPhase } from '../cli/rollouts-tree.ts';
import { revisionOf } from '../client/deployment-plans.ts';

export type Obj = Record<string, any>;

/** A pod's state as a cell's colour: ready, starting (pending/creating), unready (running, not ready), error, terminating, done. */
export type CellState = 'ready' | 'starting' | 'unready' | 'error' | 'terminating' | 'done';

export interface PodCell {
  name: string;
  state: CellState;
  phase: string;
  ready: boolean;
  restarts: number;
  node: string;
  /** Why it is not ready: a waiting reason (ImagePullBackOff, CrashLoopBackOff, ContainerCreating), "probe failing", Unschedulable, Terminating. */
  reason: string;
  message: string;
  owner: string;
}

/** Waiting reasons a kubelet reports for containers that will not start on their own. */
const ERROR_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError',
  'InvalidImageName', 'ErrImageNeverPull', 'RunContainerError', 'StartError', 'Error', 'OOMKilled', 'ContainerCannotRun']);

export function podCell(p: Obj): PodCell {
  const st = p.status ?? {};
  const statuses: Obj[] = [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])];
  const restarts = statuses.reduce((s, c) => s + (c.restartCount ?? 0), 0);
  const readyCond = (st.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  const ready = readyCond?.status === 'True';
  const phase: string = st.phase ?? 'Pending';
  const waiting = statuses.map((c) => c.state?.waiting).find((w) => w?.reason);
  const terminated = statuses.map((c) => c.state?.terminated).find((t) => t?.reason && t.exitCode !== 0);
  const base = { name: p.metadata?.name ?? '', phase, ready, restarts, node: p.spec?.nodeName ?? '', owner: p.metadata?.ownerReferences?.find((r: Obj) => r.controller)?.uid ?? '' };
  if (p.metadata?.deletionTimestamp) return { ...base, state: 'terminating', reason: 'Terminating', message: '' };
  if (phase === 'Succeeded' || phase === 'Failed') return { ...base, state: phase === 'Failed' ? 'error' : 'done', reason: st.reason ?? phase, message: st.message ?? '' };
  if (waiting) return { ...base, state: ERROR_REASONS.has(waiting.reason) ? 'error' : 'starting', reason: waiting.reason, message: waiting.message ?? '' };
  if (terminated) return { ...base, state: 'error', reason: terminated.reason, message: terminated.message ?? '' };
  if (ready) return { ...base, state: 'ready', reason: '', message: '' };
  const sched = (st.conditions ?? []).find((c: Obj) => c.type === 'PodScheduled');
  if (sched?.status === 'False') return { ...base, state: 'starting', reason: sched.reason ?? 'Unscheduled', message: sched.message ?? '' };
  if (phase === 'Running') {
    const notReady = statuses.find((c) => c.state?.running && !c.ready);
    const probed = (p.spec?.containers ?? []).some((c: Obj) => c.name === notReady?.name && c.readinessProbe);
    return { ...base, state: 'unready', reason: probed ? 'readiness probe failing' : 'not ready', message: readyCond?.message ?? '' };
  }
  return { ...base, state: 'starting', reason: statuses.length ? 'ContainerCreating' : 'Pending', message: '' };
}

export interface Fader {
  uid: string;
  name: string;
  revision: number;
  images: string[];
  desired: number;
  current: number;
  ready: number;
  available: number;
  /** The ReplicaSet of the current template (the one fading in). */
  isNew: boolean;
  /** Canary / stable / preview / active for Rollouts. */
  tags: string[];
  pods: PodCell[];
}

export interface Board {
  kind: 'Deployment' | 'Rollout';
  uid: string;
  name: string;
  namespace: string;
  replicas: number;
  strategy: string;
  paused: boolean;
  /** Resolved fence posts (absent for Recreate and blue-green). */
  maxSurge?: number;
  maxUnavailable?: number;
  /** The raw settings ("25%"). */
  surgeSetting?: string;
  unavailableSetting?: string;
  /** The arithmetic of the current step, in words. */
  words: string[];
  /** Every ReplicaSet, oldest revision first (history with nothing in it included: undo targets). */
  faders: Fader[];
  status: string;
  /** Conditions worth reading (Progressing, Available, ReplicaFailure) as "Type=Status: message". */
  conditions: string[];
  rollout?: RolloutDetail;
}

export interface RolloutDetail {
  phase: string;
  message: string;
  steps: string[];
  currentStepIndex: number;
  setWeight: number;
  actualWeight?: number;
  aborted: boolean;
  analysis: AnalysisView[];
}

export interface AnalysisView {
  name: string;
  phase: string;
  metrics: { name: string; phase: string; measurements: { phase: string; value: string; at: string }[] }[];
}

const controllerOf = (o: Obj): string | undefined => o.metadata?.ownerReferences?.find((r: Obj) => r.controller)?.uid;

/** Pods by the uid of their controller. */
export function podsByOwner(pods: Iterable<Obj>): Map<string, Obj[]> {
  const m = new Map<string, Obj[]>();
  for (const p of pods) {
    const u = controllerOf(p);
    if (!u) continue;
    let l = m.get(u);
    if (!l) m.set(u, l = []);
    l.push(p);
  }
  return m;
}

/** ReplicaSets by the uid of their controller. */
export const replicaSetsByOwner = podsByOwner;

const imagesOf = (t: Obj | undefined): string[] => (t?.spec?.containers ?? []).map((c: Obj) => c.image ?? '');
const byName = (a: Obj, b: Obj) => String(a.metadata?.name).localeCompare(String(b.metadata?.name));

function fader(rs: Obj, pods: Obj[], isNew: boolean, revision: number, tags: string[] = []): Fader {
  const s = rs.status ?? {};
  return {
    uid: rs.metadata?.uid ?? '', name: rs.metadata?.name ?? '', revision, images: imagesOf(rs.spec?.template), isNew, tags,
    desired: rs.spec?.replicas ?? 0, current: s.replicas ?? 0, ready: s.readyReplicas ?? 0, available: s.availableReplicas ?? 0,
    pods: [...pods].sort(byName).map(podCell),
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The rolling update's arithmetic in words, from the fence posts and the faders' counts. */
export function rollingWords(replicas: number, surge: number, unavailable: number, faders: Fader[]): string[] {
  const allowed = replicas + surge;
  const minAvail = replicas - unavailable;
  const words = [`${plural(allowed, 'pod')} allowed (${replicas} + ${surge} surge), ${minAvail} must stay available (${replicas} − ${unavailable} unavailable)`];
  const active = faders.filter((f) => f.current > 0 || f.desired > 0);
  const total = active.reduce((s, f) => s + f.current, 0);
  const available = active.reduce((s, f) => s + f.available, 0);
  const nf = faders.find((f) => f.isNew);
  const old = active.filter((f) => !f.isNew);
  const oldPods = old.reduce((s, f) => s + f.current, 0);
  if (old.length === 0 || !nf) {
    words.push(`now ${plural(total, 'pod')}, ${available} available`);
    if (nf && nf.available >= replicas && total === replicas) words.push('rollout complete');
    return words;
  }
  words.push(`now ${plural(total, 'pod')} (${oldPods} old + ${nf.current} new), ${available} available`);
  const canAdd = allowed - total;
  const canRemove = available - minAvail;
  if (nf.desired >= replicas && nf.available >= replicas) words.push('new replica set complete: old pods are being removed');
  else if (canAdd <= 0 && canRemove <= 0) {
    const stuck = nf.pods.find((p) => p.state === 'error' || p.state === 'unready');
    words.push(`stuck: no room to add a pod (${total} of ${allowed}) and none may be removed (${available} available, ${minAvail} must stay) until new pods become available${stuck ? ` — new pods: ${stuck.reason}` : ''}`);
  } else {
    const parts: string[] = [];
    if (canAdd > 0) parts.push(`${plural(canAdd, 'more pod')} may be added`);
    if (canRemove > 0) parts.push(`${plural(canRemove, 'old pod')} may be removed`);
    words.push(parts.join(', '));
  }
  return words;
}

function conditionsOf(o: Obj): string[] {
  return (o.status?.conditions ?? []).map((c: Obj) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`);
}

export function deploymentBoard(d: Obj, replicaSets: Obj[], podsOf: (rsUid: string) => Obj[]): Board {
  const replicas = d.spec?.replicas ?? 1;
  const rolling = (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const rss = [...replicaSets].sort((a, b) => revisionOf(a) - revisionOf(b) || String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)));
  // The ReplicaSet of the current template (pod-template-hash aside), compared as the deployment controller does.
  const newRS = rss.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
  const faders = rss.map((rs) => fader(rs, podsOf(rs.metadata?.uid), rs === newRS, revisionOf(rs)));
  const s = d.status ?? {};
  const board: Board = {
    kind: 'Deployment', uid: d.metadata?.uid ?? '', name: d.metadata?.name ?? '', namespace: d.metadata?.namespace ?? '', replicas,
    strategy: rolling ? 'RollingUpdate' : 'Recreate', paused: !!d.spec?.paused, words: [], faders,
    status: `${s.readyReplicas ?? 0}/${replicas} ready, ${s.updatedReplicas ?? 0} up-to-date, ${s.availableReplicas ?? 0} available`,
    conditions: conditionsOf(d),
  };
  if (rolling) {
    const ru = d.spec?.strategy?.rollingUpdate;
    const surge = deploymentMaxSurge(d as Deployment);
    const unavailable = deploymentMaxUnavailable(d as Deployment);
    Object.assign(board, { maxSurge: surge, maxUnavailable: unavailable, surgeSetting: String(ru?.maxSurge ?? '25%'), unavailableSetting: String(ru?.maxUnavailable ?? '25%') });
    board.words = rollingWords(replicas, surge, unavailable, faders);
  } else {
    board.words = ['Recreate: every old pod is removed before the new ones are created'];
  }
  if (board.paused) board.words.unshift('paused: the controller makes no rollout progress until resumed');
  return board;
}

const RO_HASH = 'rollouts-pod-template-hash';
const roRevision = (o: Obj) => Number(o?.metadata?.annotations?.['rollout.argoproj.io/revision'] ?? 0);

function stepText(s: Obj): string {
  if (typeof s.setWeight === 'number') return `setWeight ${s.setWeight}%`;
  if (s.pause) return s.pause.duration !== undefined ? `pause ${s.pause.duration}${typeof s.pause.duration === 'number' ? 's' : ''}` : 'pause (until promoted)';
  if (s.analysis) return `analysis ${(s.analysis.templates ?? []).map((t: Obj) => t.templateName).join(', ')}`;
  if (s.setCanaryScale) return `setCanaryScale ${JSON.stringify(s.setCanaryScale)}`;
  if (s.experiment) return 'experiment';
  return Object.keys(s)[0] ?? '?';
}

function analysisView(run: Obj): AnalysisView {
  return {
    name: run.metadata?.name ?? '', phase: run.status?.phase ?? 'Pending',
    metrics: (run.status?.metricResults ?? []).map((m: Obj) => ({
      name: m.name, phase: m.phase ?? '',
      measurements: (m.measurements ?? []).map((x: Obj) => ({ phase: x.phase ?? '', value: x.value ?? '', at: x.finishedAt ?? x.startedAt ?? '' })),
    })),
  };
}

export function rolloutBoard(ro: Obj, replicaSets: Obj[], podsOf: (rsUid: string) => Obj[], runs: Obj[]): Board {
  const replicas = ro.spec?.replicas ?? 1;
  const st = ro.status ?? {};
  const canary = ro.spec?.strategy?.canary;
  const bg = ro.spec?.strategy?.blueGreen;
  const rss = [...replicaSets].sort((a, b) => roRevision(a) - roRevision(b));
  const faders = rss.map((rs) => {
    const h = rs.metadata?.labels?.[RO_HASH];
    const tags: string[] = [];
    if (h && h === st.stableRS) tags.push('stable');
    if (h && h === st.currentPodHash && h !== st.stableRS) tags.push(canary ? 'canary' : 'preview');
    if (bg && h && h === st.blueGreen?.activeSelector) tags.push('active');
    return fader(rs, podsOf(rs.metadata?.uid), h === st.currentPodHash, roRevision(rs), tags);
  });
  const { phase, message } = displayPhase(ro);
  const steps: Obj[] = canary?.steps ?? [];
  const idx = typeof st.currentStepIndex === 'number' ? st.currentStepIndex : steps.length;
  const actual = st.canary?.weights?.canary?.weight;
  const board: Board = {
    kind: 'Rollout', uid: ro.metadata?.uid ?? '', name: ro.metadata?.name ?? '', namespace: ro.metadata?.namespace ?? '', replicas,
    strategy: canary ? 'Canary' : bg ? 'BlueGreen' : '?', paused: !!ro.spec?.paused || !!st.pauseConditions?.length, words: [], faders,
    status: `${phase}${message ? ` — ${message}` : ''}`, conditions: conditionsOf(ro),
    rollout: {
      phase, message, steps: steps.map(stepText), currentStepIndex: idx, setWeight: canary ? currentSetWeight(ro) : 0,
      actualWeight: typeof actual === 'number' ? actual : undefined, aborted: !!st.abort,
      analysis: runs.slice().sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp))).map(analysisView),
    },
  };
  if (canary) {
    let surge = 0;
    let unavailable = 0;
    try { surge = rolloutMaxSurge(ro as Rollout); unavailable = rolloutMaxUnavailable(ro as Rollout); } catch { /* an invalid spec: the controller reports it */ }
    Object.assign(board, { maxSurge: surge, maxUnavailable: unavailable, surgeSetting: String(canary.maxSurge ?? '25%'), unavailableSetting: String(canary.maxUnavailable ?? '25%') });
    // The fence posts and the counts; what happens next is the step's to decide (below), not the surge arithmetic's.
    board.words = rollingWords(replicas, surge, unavailable, faders).slice(0, 2);
    board.words.unshift(idx >= steps.length ? `all ${steps.length} steps done, weight 100%` : `step ${idx + 1} of ${steps.length} (${stepText(steps[idx])}), canary weight ${board.rollout!.setWeight}%`);
  } else if (bg) {
    board.words = [`blue-green: active ${st.blueGreen?.activeSelector ?? '—'}, preview ${st.blueGreen?.previewSelector ?? '—'}${bg.autoPromotionEnabled === false ? ', promoted by hand' : ''}`];
  }
  return board;
}

/** Does a Service's (map) selector select these labels? An empty selector selects nothing (no endpoints). */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  if (entries.length === 0) return false;
  return entries.every(([k, v]) => labels?.[k] === v);
}

export interface ServiceView {
  name: string;
  type: string;
  clusterIP: string;
  ports: string;
  selector: string;
  pods: PodCell[];
}

export function serviceView(svc: Obj, pods: Iterable<Obj>): ServiceView {
  const sel = svc.spec?.selector as Record<string, string> | undefined;
  const chosen: Obj[] = [];
  for (const p of pods) if (p.metadata?.namespace === svc.metadata?.namespace && selects(sel, p.metadata?.labels)) chosen.push(p);
  return {
    name: svc.metadata?.name ?? '', type: svc.spec?.type ?? 'ClusterIP', clusterIP: svc.spec?.clusterIP ?? '',
    ports: (svc.spec?.ports ?? []).map((p: Obj) => `${p.port}${p.targetPort !== undefined && p.targetPort !== p.port ? `→${p.targetPort}` : ''}/${p.protocol ?? 'TCP'}`).join(', '),
    selector: Object.entries(sel ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
    pods: chosen.sort(byName).map(podCell),
  };
}

export interface NodeView { name: string; ready: string; conditions: { type: string; status: string; bad: boolean; message: string }[]; unschedulable: boolean; taints: string[]; pods: (PodCell & { namespace: string })[] }

/** Conditions whose healthy status is False (pressure, network unavailable). */
const HEALTHY_FALSE = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);

export function nodeView(node: Obj, pods: Iterable<Obj>): NodeView {
  const name = node.metadata?.name ?? '';
  const conditions = (node.status?.conditions ?? []).map((c: Obj) => ({
    type: c.type, status: c.status, message: c.message ?? '',
    bad: HEALTHY_FALSE.has(c.type) ? c.status !== 'False' : c.status !== 'True',
  }));
  const mine: (PodCell & { namespace: string })[] = [];
  for (const p of pods) if (p.spec?.nodeName === name) mine.push({ ...podCell(p), namespace: p.metadata?.namespace ?? '' });
  mine.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return {
    name, ready: conditions.find((c: { type: string }) => c.type === 'Ready')?.status ?? 'Unknown', conditions,
    unschedulable: !!node.spec?.unschedulable, taints: (node.spec?.taints ?? []).map((t: Obj) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`), pods: mine,
  };
}

export interface EventView { key: string; type: string; reason: string; object: string; message: string; count: number; time: string; source: string }

export function eventView(e: Obj): EventView {
  const io = e.involvedObject ?? e.regarding ?? {};
  return {
    key: e.metadata?.uid ?? `${e.metadata?.namespace}/${e.metadata?.name}`,
    type: e.type ?? 'Normal', reason: e.reason ?? '', object: `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`,
    message: e.message ?? e.note ?? '', count: e.count ?? e.series?.count ?? 1,
    time: e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '',
    source: e.source?.component ?? e.reportingComponent ?? e.reportingController ?? '',
  };
}
