/**
 * Pod status as upstream's kubelet computes it (pkg/kubelet/kubelet_pods.go: convertToAPIContainerStatuses,
 * getPhase, and the status manager's conditions): pure functions from what the runtime and the probes report
 * to a v1.PodStatus. Unit-tested in test/unit/kubelet/status.test.ts.
 */
import type { Container as SpecContainer, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.d.ts';
import { rfc3339 } from '../util/clock.ts';

/** One runtime container instance (a CRI container), in milliseconds. */
export interface ContainerRun {
  id: string;
  name: string;
  attempt: number;
  state: 'created' | 'running' | 'exited' | 'unknown';
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
}

/** What the pod worker knows about one container of the spec. */
export interface ContainerView {
  name: string;
  /** The newest instance, and the one before it (for lastState). */
  latest?: ContainerRun;
  previous?: ContainerRun;
  /** Set when the worker holds the container back: ErrImagePull, ImagePullBackOff, CrashLoopBackOff, ... */
  waiting?: { reason: string; message?: string };
  ready: boolean;
  started: boolean;
}

export interface PodView {
  sandboxReady: boolean;
  podIPs: string[];
  hostIP: string;
  initContainers: ContainerView[];
  containers: ContainerView[];
}

export const RUNTIME_PREFIX = 'containerd://';

function terminatedOf(r: ContainerRun) {
  const reason = r.reason && r.reason !== 'Completed' && r.reason !== 'Error' ? r.reason : (r.exitCode === 0 ? 'Completed' : 'Error');
  const t: NonNullable<NonNullable<ContainerStatus['state']>['terminated']> = {
    exitCode: r.exitCode, reason,
    startedAt: r.startedAt ? rfc3339(r.startedAt) : undefined,
    finishedAt: r.finishedAt ? rfc3339(r.finishedAt) : undefined,
    containerID: RUNTIME_PREFIX + r.id,
  };
  if (r.message) t.message = r.message;
  return t;
}

/** containerStatuses[] entry for one container of the spec. */
export function containerStatusOf(spec: SpecContainer, v: ContainerView): ContainerStatus {
  const latest = v.latest;
  const st: ContainerStatus = {
    name: spec.name,
    image: latest?.image || spec.image || '',
    imageID: latest?.imageRef ?? '',
    ready: false,
    restartCount: latest?.attempt ?? 0,
    started: false,
    state: {},
    lastState: {},
  };
  if (latest) st.containerID = RUNTIME_PREFIX + latest.id;
  if (v.waiting) {
    st.state = { waiting: { reason: v.waiting.reason, ...(v.waiting.message ? { message: v.waiting.message } : {}) } };
    if (latest?.state === 'exited') st.lastState = { terminated: terminatedOf(latest) };
    else if (v.previous?.state === 'exited') st.lastState = { terminated: terminatedOf(v.previous) };
  } else if (latest?.state === 'running') {
    st.state = { running: { startedAt: rfc3339(latest.startedAt || latest.createdAt) } };
    st.ready = v.ready;
    st.started = v.started;
    if (v.previous?.state === 'exited') st.lastState = { terminated: terminatedOf(v.previous) };
  } else if (latest?.state === 'exited') {
    st.state = { terminated: terminatedOf(latest) };
    if (v.previous?.state === 'exited') st.lastState = { terminated: terminatedOf(v.previous) };
  } else {
    st.state = { waiting: { reason: 'ContainerCreating' } };
    if (v.previous?.state === 'exited') st.lastState = { terminated: terminatedOf(v.previous) };
  }
  if (!st.containerID) delete st.containerID;
  return st;
}

/** Upstream getPhase over init and app container statuses. */
export function podPhase(pod: Pod, init: ContainerStatus[], statuses: ContainerStatus[]): PodStatus['phase'] {
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of init) {
    const t = s.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (t) failedInit++;
    pendingInit++;
  }
  let running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state?.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
    else waiting++;
  }
  if (failedInit > 0 && restartPolicy === 'Never') return 'Failed';
  if (pendingInit > 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function qosClass(pod: Pod): string {
  const cs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = cs.length > 0;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || String(q) !== String(l)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function condition(type: string, ok: boolean, now: number, old: PodCondition[] | undefined, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const c: PodCondition = { type, status, lastProbeTime: null as unknown as undefined,
    lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now) };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

/** The pod status the node agent reports for `pod` given the runtime view. */
export function computePodStatus(pod: Pod, view: PodView, now: number): PodStatus {
  const old = pod.status ?? {};
  const specInit = pod.spec?.initContainers ?? [];
  const specCs = pod.spec?.containers ?? [];
  const byName = (vs: ContainerView[], n: string): ContainerView => vs.find((v) => v.name === n) ?? { name: n, ready: false, started: false };
  const init = specInit.map((c) => {
    const s = containerStatusOf(c, byName(view.initContainers, c.name));
    // An init container that is not running yet while a previous one runs shows PodInitializing.
    return s;
  });
  let initDone = true;
  for (const s of init) if (!(s.state?.terminated && s.state.terminated.exitCode === 0)) { initDone = false; break; }
  const statuses = specCs.map((c) => {
    const s = containerStatusOf(c, byName(view.containers, c.name));
    if (!initDone && s.state?.waiting?.reason === 'ContainerCreating') s.state = { waiting: { reason: 'PodInitializing' } };
    return s;
  });
  const phase = podPhase(pod, init, statuses);

  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const incompleteInit = init.filter((s) => !(s.state?.terminated && s.state.terminated.exitCode === 0)).map((s) => s.name);
  const conds: PodCondition[] = [];
  conds.push(condition('PodReadyToStartContainers', view.sandboxReady && (view.podIPs.length > 0 || !!pod.spec?.hostNetwork), now, old.conditions));
  conds.push(condition('Initialized', incompleteInit.length === 0, now, old.conditions, 'ContainersNotInitialized',
    `containers with incomplete status: [${incompleteInit.join(' ')}]`));
  let ready = unready.length === 0 && statuses.length > 0;
  let readyReason = 'ContainersNotReady';
  let readyMsg = `containers with unready status: [${unready.join(' ')}]`;
  if (phase === 'Succeeded' || phase === 'Failed') { ready = false; readyReason = 'PodCompleted'; readyMsg = ''; }
  // Readiness gates: every conditionType listed must be True in the existing conditions.
  const gates = (pod.spec?.readinessGates ?? []).map((g) => g.conditionType);
  const failedGates = gates.filter((g) => old.conditions?.find((c) => c.type === g)?.status !== 'True');
  const readyCond = condition('Ready', ready && failedGates.length === 0, now, old.conditions,
    ready ? 'ReadinessGatesNotReady' : readyReason,
    ready ? `corresponding condition of pod readiness gate "${failedGates[0]}" does not exist.` : readyMsg || undefined);
  conds.push(readyCond);
  conds.push(condition('ContainersReady', ready, now, old.conditions, readyReason, readyMsg || undefined));
  const sched = old.conditions?.find((c) => c.type === 'PodScheduled');
  conds.push(sched ?? condition('PodScheduled', true, now, undefined));
  // Conditions owned by others (readiness gates, DisruptionTarget, ...) are kept.
  const ours = new Set(conds.map((c) => c.type));
  for (const c of old.conditions ?? []) if (!ours.has(c.type)) conds.push(c);

  const status: PodStatus = {
    phase,
    conditions: conds,
    hostIP: view.hostIP,
    hostIPs: view.hostIP ? [{ ip: view.hostIP }] : undefined,
    startTime: old.startTime ?? rfc3339(now),
    containerStatuses: statuses,
    qosClass: qosClass(pod) as PodStatus['qosClass'],
  };
  if (specInit.length) status.initContainerStatuses = init;
  const ips = view.podIPs.length ? view.podIPs : (old.podIP ? (old.podIPs ?? [{ ip: old.podIP }]).map((p) => p.ip!) : []);
  if (ips.length) { status.podIP = ips[0]; status.podIPs = ips.map((ip) => ({ ip })); }
  if (!status.hostIPs) delete status.hostIPs;
  return status;
}

/** The status with volatile-free comparison: equal statuses produce equal keys. */
export function statusKey(s: PodStatus): string {
  return JSON.stringify(s);
}

/**
 * The READY, STATUS and RESTARTS columns `kubectl get pods` prints for a pod (kubectl's printPod), so tests can
 * check that our status makes kubectl show what Kubernetes shows.
 */
export function kubectlColumns(pod: Pod): { ready: string; status: string; restarts: number } {
  const st = pod.status ?? {};
  let reason: string = st.reason || st.phase || '';
  let restarts = 0;
  let readyContainers = 0;
  const total = pod.spec?.containers?.length ?? 0;
  let initializing = false;
  const inits = st.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    restarts += c.restartCount ?? 0;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (t) reason = t.reason ? `Init:${t.reason}` : (t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`);
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${pod.spec?.initContainers?.length ?? 0}`;
    initializing = true;
    break;
  }
  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    const cs = st.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      restarts += c.restartCount ?? 0;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) { hasRunning = true; readyContainers++; }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return { ready: `${readyContainers}/${total}`, status: reason, restarts };
}
