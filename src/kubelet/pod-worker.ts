/**
 * One pod's worker: a serialized, level-triggered sync loop (upstream's podWorkers + SyncPod). Each sync reads
 * the pod's sandboxes and containers from CRI (found by the pod-uid label, which is also how a restarted node
 * agent re-adopts them), asks the pure planner (pod-actions.ts computePodActions) what to do, and does it:
 *   - terminate → leave Service rotation (EndpointDrain), stop containers with the grace period (image stop
 *     signal, then SIGKILL), stop the sandbox, unmount and remove the volumes, write the final status and delete
 *     the pod object with grace 0;
 *   - create the sandbox (CNI gives the pod its IP), then each container step: keep (probes), kill, start
 *     (pull with policy + back-off, create, start), back off (CrashLoopBackOff);
 *   - compute the pod status and write it through pods/status only when it changed.
 */
import type { Container, Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import { rmSync } from 'node:fs';
import type { KubeClient } from '../client/client.ts';
import { R } from '../client/resources.ts';
import type { EventRecorder } from '../client/events.ts';
import type { Clock } from '../util/clock.ts';
import type { Container as CriContainer, CriClient, PodSandbox, PodSandboxConfig } from './cri/client.ts';
import { isNotFound } from './cri/client.ts';
import type { Backoff } from './backoff.ts';
import type { ImageManager } from './images.ts';
import type { ProbeManager } from './prober.ts';
import { A, L, containerConfig, sandboxConfig, type PodDNSConfigurer } from './cri-config.ts';
import { resolveEnv, type Lookup } from './env.ts';
import type { SetUpResult, VolumeManager } from './volumes/manager.ts';
import { containerMounts } from './volumes/mounts.ts';
import { computePodActions, instancesByName, type ContainerStep, type RuntimeContainer } from './pod-actions.ts';
import { computePodStatus, statusKey, type ContainerRun, type ContainerView, RUNTIME_PREFIX } from './status.ts';
import { podLogDir } from './logs-paths.ts';

export interface WorkerDeps {
  client: KubeClient;
  cri: CriClient;
  clock: Clock;
  recorder: EventRecorder;
  prober: ProbeManager;
  images: ImageManager;
  crashBackoff: Backoff;
  nodeName: string;
  /** Owner label value of this agent's sandboxes and containers (see cri-config L.agent). */
  agent: string;
  hostIP: string;
  /** The pod's volumes (set up before its containers start, torn down when it is gone). */
  volumes: VolumeManager;
  /** ConfigMap/Secret data (undefined: not found), for env and volumes. */
  getObject: (namespace: string, kind: 'configmap' | 'secret', name: string) => Promise<Map<string, Buffer> | undefined>;
  /** Every Service (service environment variables); undefined: none. */
  services?: () => Service[] | undefined;
  /** Waits for a terminating pod to leave Service rotation before SIGTERM; none: stop at once. */
  drain?: EndpointDrain;
  dns?: PodDNSConfigurer;
  podLogRoot?: string;
  log: (s: string) => void;
}

/**
 * Leaving Service rotation before SIGTERM (the CLI wires src/proxy/drain.ts, which knows EndpointSlices and the
 * local service proxy): resolves when the pod is out of rotation, within `maxMs` (+ `lingerMs`).
 */
export interface EndpointDrain {
  waitForDrain(pod: Pod, bounds: { maxMs: number; lingerMs: number }): Promise<number>;
}

const STATE: Record<string, ContainerRun['state']> = {
  CONTAINER_CREATED: 'created', CONTAINER_RUNNING: 'running', CONTAINER_EXITED: 'exited', CONTAINER_UNKNOWN: 'unknown',
};
const nsToMs = (ns: number) => Math.floor(Number(ns) / 1e6);

/** What another writer could overwrite: phase, Ready/ContainersReady and per-container readiness and ids. */
function statusSummary(s: import('kubernetes-types/core/v1.d.ts').PodStatus): string {
  return JSON.stringify([s.phase, s.podIP, (s.conditions ?? []).filter((c) => c.type === 'Ready' || c.type === 'ContainersReady').map((c) => `${c.type}=${c.status}`).sort(),
    (s.containerStatuses ?? []).map((c) => `${c.name}:${c.ready}:${c.containerID ?? ''}:${c.restartCount}`)]);
}

function fmtBackoff(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

export class PodWorker {
  private dirty = false;
  private loop: Promise<void> | null = null;
  private waiting = new Map<string, { reason: string; message?: string }>();
  private lastStatus = '';
  private lastSummary = '';
  private runCache = new Map<string, ContainerRun>();
  private sandboxIPs = new Map<string, string[]>();
  private resyncTimer?: { cancel(): void; at: number };
  private vols?: SetUpResult;
  /** Set when the pod object is gone from the API (deleted): tear everything down. */
  private gone = false;
  finished = false;

  constructor(private d: WorkerDeps, public pod: Pod, private onFinished: (uid: string) => void) {}

  get uid(): string { return this.pod.metadata!.uid!; }
  private get podRef() { return `${this.pod.metadata!.name}_${this.pod.metadata!.namespace}(${this.uid})`; }

  update(pod: Pod): void { this.pod = pod; this.requestSync(); }
  /** The pod object was deleted from the API (e.g. force delete): kill what runs and clean up. */
  removed(pod: Pod): void { this.pod = pod; this.gone = true; this.requestSync(); }

  requestSync(): void {
    this.dirty = true;
    if (this.loop) return;
    this.loop = (async () => {
      while (this.dirty && !this.finished) {
        this.dirty = false;
        try { await this.sync(); } catch (e) {
          this.d.log(`pod ${this.podRef}: sync failed: ${(e as Error).message}`);
          this.resyncIn(2000);
        }
      }
      this.loop = null;
    })();
  }

  /**
   * The pod object changed without a spec change. If someone else rewrote what we own (e.g. the node lifecycle
   * controller marked the pod not Ready while this node was unreachable), write our status again.
   */
  observed(pod: Pod): void {
    if (Number(pod.metadata?.resourceVersion) < Number(this.pod.metadata?.resourceVersion ?? 0)) return;
    this.pod = pod;
    if (this.lastSummary && pod.status && statusSummary(pod.status) !== this.lastSummary) {
      this.lastStatus = '';
      this.requestSync();
    }
  }

  /** Wait for the current sync (if any) to finish. */
  async idle(): Promise<void> { while (this.loop) await this.loop; }

  private resyncIn(ms: number): void {
    const at = this.d.clock.now() + ms;
    if (this.resyncTimer && this.resyncTimer.at <= at) return;
    this.resyncTimer?.cancel();
    const t = this.d.clock.setTimeout(() => { this.resyncTimer = undefined; this.requestSync(); }, Math.max(0, ms));
    this.resyncTimer = { cancel: () => t.cancel(), at };
  }

  stop(): void { this.resyncTimer?.cancel(); this.finished = true; }

  private involved(c: Container, kind: 'init' | 'app') {
    const m = this.pod.metadata!;
    return { kind: 'Pod', apiVersion: 'v1', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion,
      fieldPath: `${kind === 'init' ? 'spec.initContainers' : 'spec.containers'}{${c.name}}` };
  }
  private event(c: Container | null, kind: 'init' | 'app', type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (c) this.d.recorder.event(null, type, reason, message, this.involved(c, kind));
    else this.d.recorder.event(this.pod as any, type, reason, message);
  }

  private async runOf(c: CriContainer): Promise<ContainerRun | undefined> {
    const state = STATE[c.state] ?? 'unknown';
    const cached = this.runCache.get(c.id);
    if (cached && cached.state === state) return cached;
    let st;
    try { st = await this.d.cri.containerStatus(c.id); } catch (e) {
      if (isNotFound(e)) return undefined; // removed meanwhile
      throw e;
    }
    const run: ContainerRun = {
      id: c.id, name: c.metadata.name, attempt: c.metadata.attempt ?? 0, state: STATE[st.state] ?? state,
      createdAt: nsToMs(st.createdAt), startedAt: nsToMs(st.startedAt), finishedAt: nsToMs(st.finishedAt),
      exitCode: st.exitCode, reason: st.reason, message: st.message, image: st.image?.image ?? '', imageRef: st.imageRef,
    };
    this.runCache.set(c.id, run);
    return run;
  }

  private lookup: Lookup = async (kind, name) => {
    const data = await this.d.getObject(this.pod.metadata!.namespace ?? 'default', kind, name);
    return data && Object.fromEntries([...data].map(([k, v]) => [k, v.toString('utf8')]));
  };

  /** Set up (or refresh) the pod's volumes; FailedMount events as upstream. True when one never set up failed. */
  private async setUpVolumes(pod: Pod): Promise<boolean> {
    const r = await this.d.volumes.setUp(pod);
    this.vols = r;
    for (const f of r.failed) this.event(null, 'app', 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${f.volume}" : ${f.message}`);
    this.resyncIn(r.nextMs);
    return r.failed.some((f) => !r.volumes.has(f.volume));
  }

  private async sync(): Promise<void> {
    const pod = this.pod;
    const sel = { labelSelector: { [L.podUid]: this.uid, [L.agent]: this.d.agent } };
    const [sandboxes, containers] = await Promise.all([this.d.cri.listPodSandbox(sel), this.d.cri.listContainers(sel)]);
    const runs = await this.runtimeContainers(containers);
    const plan = computePodActions({
      pod, gone: this.gone, now: this.d.clock.now(), containers: runs,
      sandboxes: sandboxes.map((s) => ({ id: s.id, ready: s.state === 'SANDBOX_READY', createdAt: s.createdAt, attempt: s.metadata.attempt ?? 0 })),
      probeFailure: (id) => this.d.prober.failed(id),
      backOff: (name, since) => {
        const key = `${this.uid}/${name}`;
        return this.d.crashBackoff.isInBackOffSince(key, since) ? this.d.crashBackoff.get(key).delayMs : undefined;
      },
    });
    if (plan.kind === 'terminate') { await this.terminate(sandboxes, containers); return; }
    if (plan.kind === 'terminal') {
      for (const id of plan.stopSandboxes) await this.d.cri.stopPodSandbox(id).catch(() => {});
      this.d.prober.removePod(this.uid);
      await this.writeStatus(await this.view(containers, undefined));
      if (!containers.some((c) => c.state === 'CONTAINER_RUNNING')) await this.d.volumes.tearDown(this.uid);
      return;
    }
    for (const id of plan.stopSandboxes) await this.d.cri.stopPodSandbox(id).catch(() => {});
    // Volumes first (upstream WaitForAttachAndMount): a volume that never came up holds back the sandbox and
    // every container start; the pod waits in ContainerCreating and is retried with back-off.
    if (await this.setUpVolumes(pod)) {
      plan.createSandbox = undefined;
      plan.steps = plan.steps.filter((s) => s.action !== 'start');
    }

    let sb: PodSandbox | undefined = sandboxes.find((s) => s.id === plan.sandboxId);
    const sbConfig: PodSandboxConfig = sandboxConfig(pod, this.d.nodeName, sb?.metadata.attempt ?? plan.createSandbox?.attempt ?? 0,
      { agent: this.d.agent, dns: this.d.dns, podLogRoot: this.d.podLogRoot });
    if (plan.createSandbox) {
      if (plan.createSandbox.changed) this.event(null, 'app', 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      try {
        const id = await this.d.cri.runPodSandbox(sbConfig);
        sb = { id, metadata: sbConfig.metadata, state: 'SANDBOX_READY', createdAt: this.d.clock.now() * 1e6, labels: sbConfig.labels!, annotations: {} };
      } catch (e) {
        this.event(null, 'app', 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as any).details ?? (e as Error).message}`);
        this.resyncIn(5000);
        await this.writeStatus(await this.view(containers, undefined));
        return;
      }
    }
    if (sb && !this.sandboxIPs.has(sb.id)) {
      const st = await this.d.cri.podSandboxStatus(sb.id);
      const ips = [st.network?.ip, ...(st.network?.additionalIps ?? []).map((x) => x.ip)].filter((x): x is string => !!x);
      this.sandboxIPs.set(sb.id, ips);
    }
    const podIP = !sb ? '' : pod.spec?.hostNetwork ? this.d.hostIP : this.sandboxIPs.get(sb.id)?.[0] ?? '';

    let changed = false;
    if (sb) {
      for (const step of plan.steps) {
        if (await this.perform(pod, step, sb, sbConfig, podIP)) changed = true;
      }
    }
    const after = changed ? await this.d.cri.listContainers(sel) : containers;
    // Probe workers only for containers running in the current sandbox (a crashed one's probes stop).
    this.d.prober.removePod(this.uid, new Set(after.filter((c) => c.state === 'CONTAINER_RUNNING' && c.podSandboxId === sb?.id).map((c) => c.id)));
    await this.gcContainers(after);
    const phaseNow = await this.writeStatus(await this.view(after, sb));
    if (sb && (phaseNow === 'Succeeded' || phaseNow === 'Failed')) {
      // All containers are done for good: release the sandbox (its IP) and the volumes right away.
      this.d.prober.removePod(this.uid);
      await this.d.cri.stopPodSandbox(sb.id).catch(() => {});
      await this.d.volumes.tearDown(this.uid);
    }
  }

  /** The runtime's view of this pod's containers, for the planner. */
  private async runtimeContainers(containers: CriContainer[]): Promise<(RuntimeContainer & ContainerRun)[]> {
    const out: (RuntimeContainer & ContainerRun)[] = [];
    for (const c of containers) {
      const r = await this.runOf(c);
      if (r) out.push({ ...r, sandboxId: c.podSandboxId, hash: c.annotations?.[A.specHash] });
    }
    return out;
  }

  /** Perform one planned step; true when a container was started or stopped. */
  private async perform(pod: Pod, step: ContainerStep, sb: PodSandbox, sbc: PodSandboxConfig, podIP: string): Promise<boolean> {
    const specs = step.kind === 'init' ? pod.spec?.initContainers : pod.spec?.containers;
    const c = (specs ?? []).find((x) => x.name === step.name);
    if (!c) return false;
    switch (step.action) {
      case 'keep': {
        this.waiting.delete(c.name);
        if (step.kind === 'app') {
          const prev = pod.status?.containerStatuses?.find((s) => s.name === c.name);
          const same = prev?.containerID === RUNTIME_PREFIX + step.id;
          this.d.prober.ensure({ pod, container: c, containerId: step.id, startedAt: step.startedAt, podIP },
            same ? { ready: !!prev?.ready, started: !!prev?.started } : undefined);
        }
        return false;
      }
      case 'leave':
        this.waiting.delete(c.name);
        return false;
      case 'kill':
        if (step.reason === 'OldSandbox') { await this.d.cri.stopContainer(step.id, 0).catch(() => {}); return false; }
        this.event(c, step.kind, 'Normal', 'Killing', step.message ?? `Stopping container ${c.name}`);
        try { await this.d.cri.stopContainer(step.id, Math.max(0, step.graceSeconds)); } catch (e) { if (!isNotFound(e)) throw e; }
        this.d.prober.removePod(this.uid, new Set([...this.runCache.keys()].filter((id) => id !== step.id)));
        return true;
      case 'backOff': {
        const msg = `back-off ${fmtBackoff(step.delayMs)} restarting failed container=${c.name} pod=${this.podRef}`;
        if (this.waiting.get(c.name)?.message !== msg) {
          this.event(c, step.kind, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${this.podRef}`);
        }
        this.waiting.set(c.name, { reason: 'CrashLoopBackOff', message: msg });
        this.resyncIn(step.since + step.delayMs - this.d.clock.now() + 50);
        return false;
      }
      case 'start':
        if (step.countBackOff) this.d.crashBackoff.next(`${this.uid}/${c.name}`);
        if (step.removeId) await this.d.cri.removeContainer(step.removeId).catch(() => {});
        return this.startContainer(pod, c, step.kind, sb, sbc, step.attempt, podIP);
    }
  }

  private async startContainer(pod: Pod, c: Container, kind: 'init' | 'app', sb: PodSandbox, sbc: PodSandboxConfig, attempt: number, podIP: string): Promise<boolean> {
    const ev = {
      normal: (r: string, m: string) => this.event(c, kind, 'Normal', r, m),
      warning: (r: string, m: string) => this.event(c, kind, 'Warning', r, m),
    };
    const pulled = await this.d.images.ensure(c, `${this.uid}/${c.name}`, ev, sbc);
    if (!pulled.ok) {
      this.waiting.set(c.name, { reason: pulled.reason, message: pulled.message });
      if (pulled.reason !== 'ErrImageNeverPull') {
        const at = this.d.images.retryAt(`${this.uid}/${c.name}`, c.image ?? '');
        this.resyncIn(pulled.reason === 'ErrImagePull' ? 200 : Math.max(100, at - this.d.clock.now() + 50));
      }
      return false;
    }
    let env: Map<string, string>;
    let mounts;
    try {
      env = await resolveEnv(pod, c, {
        lookup: this.lookup, podIPs: podIP ? [podIP, ...(this.sandboxIPs.get(sb.id) ?? []).filter((x) => x !== podIP)] : [],
        hostIPs: [this.d.hostIP], services: this.d.services?.(),
        warn: (reason, message) => this.event(null, kind, 'Warning', reason, message),
      });
      mounts = containerMounts(c, this.vols?.volumes ?? new Map(), env);
    } catch (e) {
      const msg = (e as Error).message;
      this.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: msg });
      ev.warning('Failed', `Error: ${msg}`);
      this.resyncIn(10_000);
      return false;
    }
    const cfg = containerConfig(pod, c, attempt, env, kind, this.d.nodeName, this.d.agent, mounts);
    let id = '';
    try {
      id = await this.d.cri.createContainer(sb.id, cfg, sbc);
    } catch (e) {
      const msg = String((e as any).details ?? (e as Error).message);
      this.waiting.set(c.name, { reason: 'CreateContainerError', message: msg });
      ev.warning('Failed', `Error: ${msg}`);
      this.resyncIn(10_000);
      return false;
    }
    ev.normal('Created', `Created container ${c.name}`);
    try {
      await this.d.cri.startContainer(id);
    } catch (e) {
      const msg = String((e as any).details ?? (e as Error).message);
      this.waiting.set(c.name, { reason: 'RunContainerError', message: msg });
      ev.warning('Failed', `Error: ${msg}`);
      this.resyncIn(1000);
      return true;
    }
    ev.normal('Started', `Started container ${c.name}`);
    this.waiting.delete(c.name);
    return true;
  }

  private async stopContainer(id: string, pod: Pod, c?: Container, graceOverride?: number): Promise<void> {
    const grace = graceOverride ?? c?.livenessProbe?.terminationGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    try { await this.d.cri.stopContainer(id, Math.max(0, grace)); } catch (e) { if (!isNotFound(e)) throw e; }
  }

  /** Keep the newest two instances of each container (current + previous, for lastState and logs --previous). */
  private async gcContainers(containers: CriContainer[]): Promise<void> {
    const byName = new Map<string, CriContainer[]>();
    for (const c of containers) byName.set(c.metadata.name, [...(byName.get(c.metadata.name) ?? []), c]);
    for (const list of byName.values()) {
      list.sort((a, b) => (b.metadata.attempt ?? 0) - (a.metadata.attempt ?? 0));
      for (const old of list.slice(2)) {
        if (old.state === 'CONTAINER_RUNNING') continue;
        await this.d.cri.removeContainer(old.id).catch(() => {});
        this.runCache.delete(old.id);
      }
    }
  }

  private async view(containers: CriContainer[], sb: PodSandbox | undefined) {
    const groups = new Map<string, ContainerRun[]>();
    for (const [name, list] of instancesByName(await this.runtimeContainers(containers))) groups.set(name, list as (RuntimeContainer & ContainerRun)[]);
    const mk = (c: Container, kind: 'init' | 'app'): ContainerView => {
      const runs = groups.get(c.name) ?? [];
      const latest = runs[0];
      const running = latest?.state === 'running';
      return {
        name: c.name, latest, previous: runs[1], waiting: this.waiting.get(c.name),
        ready: running && kind === 'app' && this.d.prober.isReady(latest.id, c),
        started: running && (kind === 'init' || this.d.prober.isStarted(latest.id, c)),
      };
    };
    return {
      sandboxReady: !!sb,
      podIPs: !sb ? [] : this.pod.spec?.hostNetwork ? [this.d.hostIP] : this.sandboxIPs.get(sb.id) ?? [],
      hostIP: this.d.hostIP,
      initContainers: (this.pod.spec?.initContainers ?? []).map((c) => mk(c, 'init')),
      containers: (this.pod.spec?.containers ?? []).map((c) => mk(c, 'app')),
    };
  }

  /** Write the status if it changed; returns the computed phase. */
  private async writeStatus(view: Awaited<ReturnType<PodWorker['view']>>): Promise<string | undefined> {
    const status = computePodStatus(this.pod, view, this.d.clock.now());
    // lastTransitionTime/startTime keep their old values when unchanged, so equal states give equal keys.
    const key = statusKey(status);
    if (key === this.lastStatus) return status.phase;
    const m = this.pod.metadata!;
    try {
      const updated = await this.d.client.patch(R.pods, m.namespace, m.name!, { metadata: { uid: m.uid }, status }, 'merge', 'status');
      this.lastStatus = key;
      this.lastSummary = statusSummary(status);
      if (updated?.metadata?.uid === this.uid && Number(updated.metadata.resourceVersion) >= Number(this.pod.metadata?.resourceVersion ?? 0)) this.pod = updated;
    } catch (e) {
      if ((e as any)?.code === 404) return status.phase;
      throw e;
    }
    return status.phase;
  }

  /** Kill the pod: containers with the grace period, then the sandbox; final status; delete the object. */
  private async terminate(sandboxes: PodSandbox[], containers: CriContainer[]): Promise<void> {
    const pod = this.pod;
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const specs = new Map([...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => [c.name, c] as const));
    // Leave Service rotation before SIGTERM (EndpointDrain); no delay for a pod that is no endpoint.
    if (this.d.drain && !this.gone && grace > 0 && containers.some((c) => c.state === 'CONTAINER_RUNNING')) {
      await this.d.drain.waitForDrain(pod, { maxMs: Math.min(2000, grace * 500), lingerMs: Math.min(1000, grace * 500) }).catch(() => 0);
    }
    await Promise.all(containers.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED').map(async (c) => {
      const spec = specs.get(c.metadata.name);
      if (spec && c.state === 'CONTAINER_RUNNING') this.event(spec, c.labels?.[L.kind] === 'init' ? 'init' : 'app', 'Normal', 'Killing', `Stopping container ${c.metadata.name}`);
      await this.stopContainer(c.id, pod, undefined, this.gone ? Math.min(grace, 2) : grace);
    }));
    this.d.prober.removePod(this.uid);
    for (const s of sandboxes) await this.d.cri.stopPodSandbox(s.id).catch(() => {});
    // Volumes go before the pod object does (upstream deletes it only once its volumes are cleaned up).
    await this.d.volumes.tearDown(this.uid);
    if (!this.gone) {
      const after = await this.d.cri.listContainers({ labelSelector: { [L.podUid]: this.uid, [L.agent]: this.d.agent } });
      for (const c of after) this.runCache.delete(c.id);
      await this.writeStatus(await this.view(after, undefined)).catch(() => {});
      try {
        await this.d.client.delete(R.pods, pod.metadata!.namespace, pod.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
      } catch (e) {
        const code = (e as any)?.code;
        if (code !== 404 && code !== 409) throw e;
      }
    }
    for (const s of sandboxes) await this.d.cri.removePodSandbox(s.id).catch(() => {});
    rmSync(podLogDir(this.uid, this.d.podLogRoot), { recursive: true, force: true });
    this.d.crashBackoff.resetPrefix(`${this.uid}/`);
    this.finished = true;
    this.resyncTimer?.cancel();
    this.onFinished(this.uid);
  }
}
