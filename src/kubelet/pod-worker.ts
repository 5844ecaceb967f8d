/**
 * One pod's worker: a serialized, level-triggered sync loop (upstream's podWorkers + SyncPod/computePodActions).
 * Each sync reads the pod's sandboxes and containers from CRI (found by the pod-uid label, which is also how a
 * restarted node agent re-adopts them), then:
 *   - deletion requested → stop containers with the grace period (image stop signal, then SIGKILL), stop the
 *     sandbox, write the final status and delete the pod object with grace 0;
 *   - no ready sandbox → create one (CNI gives the pod its IP);
 *   - init containers in order, then app containers: pull (policy + back-off), create, start; restart exited
 *     ones per restartPolicy with CrashLoopBackOff back-off; restart containers whose liveness/startup failed;
 *   - compute the pod status and write it through pods/status only when it changed.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
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
import { A, L, containerConfig, containerHash, resolveEnv, sandboxConfig, type Lookup, type PodDNSConfigurer } from './cri-config.ts';
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
    try {
      const o = await this.d.client.get(kind === 'configmap' ? R.configmaps : R.secrets, this.pod.metadata!.namespace, name);
      if (kind === 'configmap') return { ...(o.data ?? {}) };
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(o.data ?? {})) out[k] = Buffer.from(String(v), 'base64').toString('utf8');
      for (const [k, v] of Object.entries(o.stringData ?? {})) out[k] = String(v);
      return out;
    } catch (e) {
      if ((e as any)?.code === 404) return undefined;
      throw e;
    }
  };

  private async sync(): Promise<void> {
    const pod = this.pod;
    const sel = { labelSelector: { [L.podUid]: this.uid, [L.agent]: this.d.agent } };
    const [sandboxes, containers] = await Promise.all([this.d.cri.listPodSandbox(sel), this.d.cri.listContainers(sel)]);
    if (this.gone || pod.metadata?.deletionTimestamp) { await this.terminate(sandboxes, containers); return; }

    const phase = pod.status?.phase;
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    const ready = sandboxes.filter((s) => s.state === 'SANDBOX_READY').sort((a, b) => b.createdAt - a.createdAt);
    let sb: PodSandbox | undefined = ready[0];
    for (const extra of ready.slice(1)) await this.d.cri.stopPodSandbox(extra.id).catch(() => {});
    const cfgAttempt = (sb?.metadata.attempt ?? Math.max(-1, ...sandboxes.map((s) => s.metadata.attempt ?? 0)) + 1);
    const sbConfig: PodSandboxConfig = sandboxConfig(pod, this.d.nodeName, cfgAttempt, { agent: this.d.agent, dns: this.d.dns, podLogRoot: this.d.podLogRoot });

    if (terminal) {
      for (const s of ready) await this.d.cri.stopPodSandbox(s.id).catch(() => {});
      this.d.prober.removePod(this.uid);
      await this.writeStatus(await this.view(containers, undefined));
      return;
    }

    const runsAll = (await Promise.all(containers.map((c) => this.runOf(c)))).filter((r): r is ContainerRun => !!r);
    const neverAgain = pod.spec?.restartPolicy === 'Never' && runsAll.some((r) => r.state === 'exited');
    if (!sb && !neverAgain) {
      if (sandboxes.length) this.event(null, 'app', 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
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
      const groups = await this.groups(containers);
      const initDone = await this.syncInit(pod, sb, sbConfig, groups, podIP);
      if (initDone.changed) changed = true;
      if (initDone.done) {
        for (const c of pod.spec?.containers ?? []) {
          if (await this.syncContainer(pod, c, 'app', sb, sbConfig, groups.get(c.name) ?? [], podIP)) changed = true;
        }
      }
    }
    const after = changed ? await this.d.cri.listContainers(sel) : containers;
    // Probe workers only for containers running in the current sandbox (a crashed one's probes stop).
    this.d.prober.removePod(this.uid, new Set(after.filter((c) => c.state === 'CONTAINER_RUNNING' && c.podSandboxId === sb?.id).map((c) => c.id)));
    await this.gcContainers(after);
    const phaseNow = await this.writeStatus(await this.view(after, sb));
    if (sb && (phaseNow === 'Succeeded' || phaseNow === 'Failed')) {
      // All containers are done for good: release the sandbox (its IP) right away.
      this.d.prober.removePod(this.uid);
      await this.d.cri.stopPodSandbox(sb.id).catch(() => {});
    }
  }

  /** Instances by container name, newest attempt first. */
  private async groups(containers: CriContainer[]): Promise<Map<string, ContainerRun[]>> {
    const g = new Map<string, ContainerRun[]>();
    for (const c of containers) {
      const r = await this.runOf(c);
      if (!r) continue;
      (r as any).sandbox = c.podSandboxId;
      (r as any).hash = c.annotations?.[A.specHash];
      const list = g.get(r.name) ?? [];
      list.push(r);
      g.set(r.name, list);
    }
    for (const l of g.values()) l.sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
    return g;
  }

  private async syncInit(pod: Pod, sb: PodSandbox, sbc: PodSandboxConfig, groups: Map<string, ContainerRun[]>, podIP: string) {
    let changed = false;
    for (const c of pod.spec?.initContainers ?? []) {
      const latest = groups.get(c.name)?.[0];
      if (latest?.state === 'exited' && latest.exitCode === 0) continue;
      if (latest?.state === 'running') return { done: false, changed };
      if (latest?.state === 'exited' && pod.spec?.restartPolicy === 'Never') return { done: false, changed };
      if (await this.syncContainer(pod, c, 'init', sb, sbc, groups.get(c.name) ?? [], podIP)) changed = true;
      return { done: false, changed };
    }
    return { done: true, changed };
  }

  /** Bring one container to its desired state; true when something was started or stopped. */
  private async syncContainer(pod: Pod, c: Container, kind: 'init' | 'app', sb: PodSandbox, sbc: PodSandboxConfig, runs: ContainerRun[], podIP: string): Promise<boolean> {
    const latest = runs[0];
    const live = latest && (latest as any).sandbox === sb.id;
    const policy = kind === 'init' ? (pod.spec?.restartPolicy === 'Never' ? 'Never' : 'OnFailure') : (pod.spec?.restartPolicy ?? 'Always');
    let forceRestart = false;
    if (latest && live && latest.state === 'running') {
      const failed = kind === 'app' ? this.d.prober.failed(latest.id) : undefined;
      const hashChanged = (latest as any).hash && (latest as any).hash !== containerHash(c);
      if (!failed && !hashChanged) {
        this.waiting.delete(c.name);
        if (kind === 'app') {
          const prev = pod.status?.containerStatuses?.find((s) => s.name === c.name);
          const same = prev?.containerID === RUNTIME_PREFIX + latest.id;
          this.d.prober.ensure({ pod, container: c, containerId: latest.id, startedAt: latest.startedAt || latest.createdAt, podIP },
            same ? { ready: !!prev?.ready, started: !!prev?.started } : undefined);
        }
        return false;
      }
      const why = hashChanged ? `Container ${c.name} definition changed, will be restarted` : `Container ${c.name} failed ${failed} probe, will be restarted`;
      this.event(c, kind, 'Normal', 'Killing', why);
      await this.stopContainer(latest.id, pod, c);
      this.d.prober.removePod(this.uid, new Set(runs.slice(1).map((r) => r.id)));
      const st = await this.d.cri.containerStatus(latest.id).catch(() => null);
      latest.state = 'exited';
      latest.exitCode = st?.exitCode ?? 137;
      latest.finishedAt = st ? nsToMs(st.finishedAt) : this.d.clock.now();
      this.runCache.set(latest.id, { ...latest });
      forceRestart = !!hashChanged;
      if (policy === 'Never') return true;
    }
    if (latest) {
      if (latest.state === 'running' && !live) { await this.d.cri.stopContainer(latest.id, 0).catch(() => {}); }
      const restart = forceRestart || policy === 'Always' || (policy === 'OnFailure' && latest.exitCode !== 0) || (latest.state === 'created');
      if (!restart) { this.waiting.delete(c.name); return false; }
      const key = `${this.uid}/${c.name}`;
      if (!forceRestart && latest.state !== 'created' && this.d.crashBackoff.isInBackOffSince(key, latest.finishedAt || this.d.clock.now())) {
        const { delayMs } = this.d.crashBackoff.get(key);
        const msg = `back-off ${fmtBackoff(delayMs)} restarting failed container=${c.name} pod=${this.podRef}`;
        if (this.waiting.get(c.name)?.message !== msg) {
          this.event(c, kind, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${this.podRef}`);
        }
        this.waiting.set(c.name, { reason: 'CrashLoopBackOff', message: msg });
        this.resyncIn((latest.finishedAt || this.d.clock.now()) + delayMs - this.d.clock.now() + 50);
        return false;
      }
      if (!forceRestart) this.d.crashBackoff.next(key);
      if (latest.state === 'created') await this.d.cri.removeContainer(latest.id).catch(() => {});
      return this.startContainer(pod, c, kind, sb, sbc, latest.attempt + 1, podIP);
    }
    return this.startContainer(pod, c, kind, sb, sbc, 0, podIP);
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
    try {
      env = await resolveEnv(pod, c, podIP, this.d.hostIP, this.lookup);
    } catch (e) {
      const msg = (e as Error).message;
      this.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: msg });
      ev.warning('Failed', `Error: ${msg}`);
      this.resyncIn(10_000);
      return false;
    }
    const cfg = containerConfig(pod, c, attempt, env, kind, this.d.nodeName, this.d.agent);
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
    const groups = await this.groups(containers);
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
