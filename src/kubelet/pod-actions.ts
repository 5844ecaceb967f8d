/**
 * The pod worker's decisions, pure (upstream kuberuntime's computePodActions): the desired pod (its spec,
 * deletion, phase) and what the runtime reports (sandboxes, container instances with state, exit code and
 * attempt, probe failures, crash back-off) in; the actions of one sync out. The pod worker (pod-worker.ts) is the
 * thin layer that performs them through CRI.
 *
 *   - a deleted pod (deletionTimestamp, or gone from the API) is killed: `terminate`;
 *   - a pod in a terminal phase only releases its ready sandboxes: `terminal`;
 *   - otherwise extra ready sandboxes are stopped, a missing one is created (unless restartPolicy Never and a
 *     container already exited), and then, in order:
 *       init containers — the first that has not succeeded: wait while it runs, else (re)start it under
 *       OnFailure (Never: leave it), back-off permitting; app containers only once every init container succeeded;
 *       app containers — a running one in the current sandbox is kept unless its spec hash changed (kill, restart
 *       at once) or its liveness/startup probe failed (kill, restart unless Never, back-off permitting); one still
 *       running in an old sandbox is killed at once; an exited one restarts per restartPolicy (Always; OnFailure
 *       when it failed), back-off permitting; a created-but-never-started one is removed and started again.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import { containerHash } from './cri-config.ts';

export type ContainerKind = 'init' | 'app';

/** A container instance as the runtime reports it. */
export interface RuntimeContainer {
  id: string;
  name: string;
  attempt: number;
  state: 'created' | 'running' | 'exited' | 'unknown';
  exitCode?: number;
  /** ms */
  createdAt: number;
  startedAt: number;
  /** ms; 0 while running. */
  finishedAt: number;
  sandboxId: string;
  /** containerHash of the spec it was created from. */
  hash?: string;
}

export interface RuntimeSandbox {
  id: string;
  ready: boolean;
  /** ns, as CRI reports it. */
  createdAt: number;
  attempt: number;
}

export interface PodActionsInput {
  pod: Pod;
  /** The pod object is gone from the API (force-deleted). */
  gone: boolean;
  now: number;
  sandboxes: RuntimeSandbox[];
  containers: RuntimeContainer[];
  /** Which probe (if any) failed for a running container, so that it must be restarted. */
  probeFailure(containerId: string): 'liveness' | 'startup' | 'readiness' | undefined;
  /** The crash back-off delay of a container if a restart now (it exited at `since`) is still backed off. */
  backOff(containerName: string, since: number): number | undefined;
}

/** One step for one container, in the order they are to be performed. */
export type ContainerStep =
  /** Running as wanted: clear any waiting reason; app containers get their probes. */
  | { action: 'keep'; name: string; kind: ContainerKind; id: string; startedAt: number }
  /** Not running and not to be restarted: clear any waiting reason. */
  | { action: 'leave'; name: string; kind: ContainerKind }
  | { action: 'kill'; name: string; kind: ContainerKind; id: string; graceSeconds: number;
      reason: 'SpecChanged' | 'LivenessFailed' | 'StartupFailed' | 'OldSandbox'; message?: string }
  /** Create and start instance `attempt` (removing the never-started `removeId` first); `countBackOff`: a crash restart. */
  | { action: 'start'; name: string; kind: ContainerKind; attempt: number; removeId?: string; countBackOff: boolean }
  /** A restart is due but backed off: CrashLoopBackOff until `since + delayMs`. */
  | { action: 'backOff'; name: string; kind: ContainerKind; delayMs: number; since: number };

export type PodActions =
  | { kind: 'terminate' }
  | { kind: 'terminal'; stopSandboxes: string[] }
  | {
    kind: 'sync';
    /** Ready sandboxes other than the newest. */
    stopSandboxes: string[];
    /** The ready sandbox the containers run in (undefined: none, and createSandbox says whether to make one). */
    sandboxId?: string;
    createSandbox?: { attempt: number; /** an earlier sandbox existed (SandboxChanged) */ changed: boolean };
    steps: ContainerStep[];
  };

const GRACE_DEFAULT = 30;

export function computePodActions(input: PodActionsInput): PodActions {
  const { pod } = input;
  if (input.gone || pod.metadata?.deletionTimestamp) return { kind: 'terminate' };
  const ready = input.sandboxes.filter((s) => s.ready).sort((a, b) => b.createdAt - a.createdAt);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return { kind: 'terminal', stopSandboxes: ready.map((s) => s.id) };

  const sandbox = ready[0];
  const stopSandboxes = ready.slice(1).map((s) => s.id);
  const neverAgain = pod.spec?.restartPolicy === 'Never' && input.containers.some((c) => c.state === 'exited');
  let createSandbox: { attempt: number; changed: boolean } | undefined;
  if (!sandbox && !neverAgain) {
    createSandbox = { attempt: Math.max(-1, ...input.sandboxes.map((s) => s.attempt)) + 1, changed: input.sandboxes.length > 0 };
  }
  if (!sandbox && !createSandbox) return { kind: 'sync', stopSandboxes, steps: [] };

  // Containers run in the current sandbox, or the one about to be created ('' matches none).
  const sandboxId = sandbox?.id ?? '';
  const runs = instancesByName(input.containers);
  const steps: ContainerStep[] = [];
  let initDone = true;
  for (const c of pod.spec?.initContainers ?? []) {
    const latest = runs.get(c.name)?.[0];
    if (latest?.state === 'exited' && latest.exitCode === 0) continue;
    initDone = false;
    if (latest?.state === 'running') break;
    if (latest?.state === 'exited' && pod.spec?.restartPolicy === 'Never') break;
    steps.push(...containerSteps(input, c, 'init', latest, sandboxId));
    break;
  }
  if (initDone) {
    for (const c of pod.spec?.containers ?? []) steps.push(...containerSteps(input, c, 'app', runs.get(c.name)?.[0], sandboxId));
  }
  return { kind: 'sync', stopSandboxes, sandboxId: sandbox?.id, createSandbox, steps };
}

/** Instances by container name, newest attempt first. */
export function instancesByName(containers: RuntimeContainer[]): Map<string, RuntimeContainer[]> {
  const g = new Map<string, RuntimeContainer[]>();
  for (const r of containers) g.set(r.name, [...(g.get(r.name) ?? []), r]);
  for (const l of g.values()) l.sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
  return g;
}

/** The restart policy that applies to a container: init containers restart only on failure. */
function restartPolicyOf(pod: Pod, kind: ContainerKind): 'Always' | 'OnFailure' | 'Never' {
  const p = pod.spec?.restartPolicy ?? 'Always';
  if (kind === 'init') return p === 'Never' ? 'Never' : 'OnFailure';
  return p as 'Always' | 'OnFailure' | 'Never';
}

function containerSteps(input: PodActionsInput, c: Container, kind: ContainerKind, latest: RuntimeContainer | undefined, sandboxId: string): ContainerStep[] {
  const { pod, now } = input;
  const name = c.name;
  if (!latest) return [{ action: 'start', name, kind, attempt: 0, countBackOff: false }];
  const policy = restartPolicyOf(pod, kind);
  const live = latest.sandboxId === sandboxId;
  const steps: ContainerStep[] = [];
  let since = latest.finishedAt || now;
  if (latest.state === 'running' && live) {
    const failed = kind === 'app' ? input.probeFailure(latest.id) : undefined;
    const probeKill = failed === 'liveness' || failed === 'startup';
    const specChanged = !!latest.hash && latest.hash !== containerHash(c);
    if (!probeKill && !specChanged) return [{ action: 'keep', name, kind, id: latest.id, startedAt: latest.startedAt || latest.createdAt }];
    const graceSeconds = c.livenessProbe?.terminationGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? GRACE_DEFAULT;
    steps.push(specChanged
      ? { action: 'kill', name, kind, id: latest.id, graceSeconds, reason: 'SpecChanged', message: `Container ${name} definition changed, will be restarted` }
      : { action: 'kill', name, kind, id: latest.id, graceSeconds, reason: failed === 'liveness' ? 'LivenessFailed' : 'StartupFailed', message: `Container ${name} failed ${failed} probe, will be restarted` });
    if (policy === 'Never') return steps;
    // A new spec starts at once; a probe failure is a crash (back-off from now).
    if (specChanged) return [...steps, { action: 'start', name, kind, attempt: latest.attempt + 1, countBackOff: false }];
    since = now;
  } else if (latest.state === 'running') {
    // Still running in a sandbox that is gone: stop it now; it is replaced like an exited container.
    steps.push({ action: 'kill', name, kind, id: latest.id, graceSeconds: 0, reason: 'OldSandbox' });
    since = now;
  }
  const failedExit = latest.state === 'running' || latest.exitCode !== 0;
  const restart = latest.state === 'created' || policy === 'Always' || (policy === 'OnFailure' && failedExit);
  if (!restart) return [...steps, { action: 'leave', name, kind }];
  if (latest.state !== 'created') {
    const delayMs = input.backOff(name, since);
    if (delayMs !== undefined) return [...steps, { action: 'backOff', name, kind, delayMs, since }];
  }
  return [...steps, { action: 'start', name, kind, attempt: latest.attempt + 1, removeId: latest.state === 'created' ? latest.id : undefined, countBackOff: true }];
}
