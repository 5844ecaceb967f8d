// Tables after upstream pkg/kubelet/kuberuntime's TestComputePodActions / TestComputePodActionsWithInitContainers
// (the cases, written for kubelite's planner and its container steps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { computePodActions, type PodActions, type PodActionsInput, type RuntimeContainer } from '../../../src/kubelet/pod-actions.ts';
import { containerHash } from '../../../src/kubelet/cri-config.ts';

const NOW = 1_000_000;
const SB = 'sb1';

function pod(opts: { restartPolicy?: string; init?: string[]; app?: string[]; phase?: string; deleting?: boolean; grace?: number } = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u1', ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      restartPolicy: (opts.restartPolicy ?? 'Always') as any,
      terminationGracePeriodSeconds: opts.grace ?? 30,
      initContainers: (opts.init ?? []).map((name) => ({ name, image: 'busybox' })),
      containers: (opts.app ?? ['foo1', 'foo2', 'foo3']).map((name) => ({ name, image: 'busybox' })),
    },
    status: opts.phase ? { phase: opts.phase as any } : {},
  };
}

/** A container instance of `p`'s spec (hash of its spec), in sandbox SB unless told otherwise. */
function ctr(p: Pod, name: string, state: RuntimeContainer['state'], extra: Partial<RuntimeContainer> = {}): RuntimeContainer {
  const spec = [...(p.spec!.initContainers ?? []), ...p.spec!.containers].find((c) => c.name === name)!;
  return {
    id: `${name}-${extra.attempt ?? 0}`, name, attempt: 0, state, exitCode: state === 'exited' ? 0 : undefined,
    createdAt: 10, startedAt: 20, finishedAt: state === 'exited' ? 500 : 0, sandboxId: SB, hash: containerHash(spec), ...extra,
  };
}

const readySandbox = [{ id: SB, ready: true, createdAt: 5, attempt: 0 }];

function plan(p: Pod, containers: RuntimeContainer[], o: Partial<PodActionsInput> = {}): PodActions {
  return computePodActions({
    pod: p, gone: false, now: NOW, sandboxes: readySandbox, containers,
    probeFailure: () => undefined, backOff: () => undefined, ...o,
  });
}

/** The steps as short strings: "start foo1#1", "kill foo2 LivenessFailed", ... */
function steps(a: PodActions): string[] {
  if (a.kind !== 'sync') return [a.kind];
  return a.steps.map((s) => {
    switch (s.action) {
      case 'start': return `start ${s.name}#${s.attempt}${s.removeId ? ` -${s.removeId}` : ''}${s.countBackOff ? '' : ' now'}`;
      case 'kill': return `kill ${s.name} ${s.reason}`;
      case 'backOff': return `backOff ${s.name} ${s.delayMs}`;
      default: return `${s.action} ${s.name}`;
    }
  });
}

test('app containers', async (t) => {
  const cases: { name: string; pod: Pod; containers: (p: Pod) => RuntimeContainer[]; o?: Partial<PodActionsInput>; want: string[] }[] = [
    { name: 'everything is good: keep them all', pod: pod(), containers: (p) => ['foo1', 'foo2', 'foo3'].map((n) => ctr(p, n, 'running')),
      want: ['keep foo1', 'keep foo2', 'keep foo3'] },
    { name: 'a new pod: start every container', pod: pod(), containers: () => [], want: ['start foo1#0 now', 'start foo2#0 now', 'start foo3#0 now'] },
    { name: 'Always: restart exited containers, whatever their exit code', pod: pod(),
      containers: (p) => [ctr(p, 'foo1', 'running'), ctr(p, 'foo2', 'exited'), ctr(p, 'foo3', 'exited', { exitCode: 1 })],
      want: ['keep foo1', 'start foo2#1', 'start foo3#1'] },
    { name: 'OnFailure: restart only failed containers', pod: pod({ restartPolicy: 'OnFailure' }),
      containers: (p) => [ctr(p, 'foo1', 'running'), ctr(p, 'foo2', 'exited'), ctr(p, 'foo3', 'exited', { exitCode: 1 })],
      want: ['keep foo1', 'leave foo2', 'start foo3#1'] },
    { name: 'Never: restart nothing', pod: pod({ restartPolicy: 'Never' }),
      containers: (p) => [ctr(p, 'foo1', 'running'), ctr(p, 'foo2', 'exited'), ctr(p, 'foo3', 'exited', { exitCode: 1 })],
      want: ['keep foo1', 'leave foo2', 'leave foo3'] },
    { name: 'a changed spec: kill and recreate at once (no back-off counted)', pod: pod(),
      containers: (p) => [ctr(p, 'foo1', 'running'), ctr(p, 'foo2', 'running', { hash: 'old' }), ctr(p, 'foo3', 'running')],
      want: ['keep foo1', 'kill foo2 SpecChanged', 'start foo2#1 now', 'keep foo3'] },
    { name: 'a failed liveness probe: kill and recreate', pod: pod(),
      containers: (p) => ['foo1', 'foo2', 'foo3'].map((n) => ctr(p, n, 'running')),
      o: { probeFailure: (id) => (id === 'foo2-0' ? 'liveness' : undefined) },
      want: ['keep foo1', 'kill foo2 LivenessFailed', 'start foo2#1', 'keep foo3'] },
    { name: 'a failed startup probe: kill and recreate', pod: pod(),
      containers: (p) => ['foo1', 'foo2', 'foo3'].map((n) => ctr(p, n, 'running')),
      o: { probeFailure: (id) => (id === 'foo3-0' ? 'startup' : undefined) },
      want: ['keep foo1', 'keep foo2', 'kill foo3 StartupFailed', 'start foo3#1'] },
    { name: 'a failed readiness probe restarts nothing', pod: pod(),
      containers: (p) => ['foo1', 'foo2', 'foo3'].map((n) => ctr(p, n, 'running')),
      o: { probeFailure: () => 'readiness' },
      want: ['keep foo1', 'keep foo2', 'keep foo3'] },
    { name: 'Never: a failed liveness probe kills without restarting', pod: pod({ restartPolicy: 'Never' }),
      containers: (p) => ['foo1', 'foo2', 'foo3'].map((n) => ctr(p, n, 'running')),
      o: { probeFailure: (id) => (id === 'foo1-0' ? 'liveness' : undefined) },
      want: ['kill foo1 LivenessFailed', 'keep foo2', 'keep foo3'] },
    { name: 'a liveness kill within the crash back-off waits', pod: pod(),
      containers: (p) => ['foo1', 'foo2', 'foo3'].map((n) => ctr(p, n, 'running')),
      o: { probeFailure: (id) => (id === 'foo1-0' ? 'liveness' : undefined), backOff: (n, since) => (n === 'foo1' && since === NOW ? 20_000 : undefined) },
      want: ['kill foo1 LivenessFailed', 'backOff foo1 20000', 'keep foo2', 'keep foo3'] },
    { name: 'an exited container within its back-off waits; back-off counts from when it finished', pod: pod(),
      containers: (p) => [ctr(p, 'foo1', 'exited', { exitCode: 2, attempt: 3, id: 'foo1-3' }), ctr(p, 'foo2', 'running'), ctr(p, 'foo3', 'running')],
      o: { backOff: (n, since) => (n === 'foo1' && since === 500 ? 80_000 : undefined) },
      want: ['backOff foo1 80000', 'keep foo2', 'keep foo3'] },
    { name: 'a created, never started container is removed and started again (no back-off check)', pod: pod({ restartPolicy: 'Never' }),
      containers: (p) => [ctr(p, 'foo1', 'created'), ctr(p, 'foo2', 'running'), ctr(p, 'foo3', 'running')],
      o: { backOff: () => 10_000 },
      want: ['start foo1#1 -foo1-0', 'keep foo2', 'keep foo3'] },
    { name: 'an unknown state is treated as a failure: restart', pod: pod({ restartPolicy: 'OnFailure' }),
      containers: (p) => [ctr(p, 'foo1', 'unknown', { exitCode: 255 }), ctr(p, 'foo2', 'running'), ctr(p, 'foo3', 'running')],
      want: ['start foo1#1', 'keep foo2', 'keep foo3'] },
    { name: 'the newest attempt decides', pod: pod(),
      containers: (p) => [ctr(p, 'foo1', 'exited', { exitCode: 1 }), ctr(p, 'foo1', 'running', { attempt: 1, id: 'foo1-1' }), ctr(p, 'foo2', 'running'), ctr(p, 'foo3', 'running')],
      want: ['keep foo1', 'keep foo2', 'keep foo3'] },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(steps(plan(c.pod, c.containers(c.pod), c.o)), c.want));
});

test('sandboxes', async (t) => {
  await t.test('a dead sandbox: create a new one (next attempt), kill what still runs in the old, start the rest in the new', () => {
    const p = pod();
    const a = plan(p, [ctr(p, 'foo1', 'running', { sandboxId: 'old' }), ctr(p, 'foo2', 'exited', { sandboxId: 'old' })],
      { sandboxes: [{ id: 'old', ready: false, createdAt: 5, attempt: 2 }] });
    assert.equal(a.kind, 'sync');
    if (a.kind !== 'sync') return;
    assert.deepEqual(a.createSandbox, { attempt: 3, changed: true });
    assert.equal(a.sandboxId, undefined);
    assert.deepEqual(steps(a), ['kill foo1 OldSandbox', 'start foo1#1', 'start foo2#1', 'start foo3#0 now']);
  });
  await t.test('a new pod gets its first sandbox', () => {
    const a = plan(pod(), [], { sandboxes: [] });
    assert.ok(a.kind === 'sync' && a.createSandbox?.attempt === 0 && a.createSandbox.changed === false);
  });
  await t.test('Never with an exited container: no new sandbox, nothing started', () => {
    const p = pod({ restartPolicy: 'Never' });
    const a = plan(p, [ctr(p, 'foo1', 'exited', { sandboxId: 'old' })], { sandboxes: [{ id: 'old', ready: false, createdAt: 5, attempt: 0 }] });
    assert.deepEqual(a, { kind: 'sync', stopSandboxes: [], steps: [] });
  });
  await t.test('Never and no container ever created: create the sandbox', () => {
    const a = plan(pod({ restartPolicy: 'Never' }), [], { sandboxes: [{ id: 'old', ready: false, createdAt: 5, attempt: 0 }] });
    assert.ok(a.kind === 'sync' && a.createSandbox?.attempt === 1);
  });
  await t.test('several ready sandboxes: keep the newest, stop the others', () => {
    const p = pod();
    const a = plan(p, ['foo1', 'foo2', 'foo3'].map((n) => ctr(p, n, 'running')),
      { sandboxes: [{ id: 'older', ready: true, createdAt: 1, attempt: 0 }, { id: SB, ready: true, createdAt: 5, attempt: 1 }] });
    assert.ok(a.kind === 'sync');
    if (a.kind !== 'sync') return;
    assert.equal(a.sandboxId, SB);
    assert.deepEqual(a.stopSandboxes, ['older']);
    assert.equal(a.createSandbox, undefined);
  });
});

test('deletion and terminal phases', () => {
  assert.deepEqual(plan(pod({ deleting: true }), []), { kind: 'terminate' });
  assert.deepEqual(computePodActions({ pod: pod(), gone: true, now: NOW, sandboxes: readySandbox, containers: [], probeFailure: () => undefined, backOff: () => undefined }), { kind: 'terminate' });
  assert.deepEqual(plan(pod({ phase: 'Succeeded' }), []), { kind: 'terminal', stopSandboxes: [SB] });
  assert.deepEqual(plan(pod({ phase: 'Failed' }), [], { sandboxes: [{ id: 'x', ready: false, createdAt: 1, attempt: 0 }] }), { kind: 'terminal', stopSandboxes: [] });
});

test('kill grace: the liveness probe\'s terminationGracePeriodSeconds, else the pod\'s', () => {
  const p = pod({ grace: 45 });
  p.spec!.containers[0].livenessProbe = { exec: { command: ['true'] }, terminationGracePeriodSeconds: 3 };
  const a = plan(p, ['foo1', 'foo2', 'foo3'].map((n) => ctr(p, n, 'running')), { probeFailure: (id) => (id !== 'foo3-0' ? 'liveness' : undefined) });
  assert.ok(a.kind === 'sync');
  if (a.kind !== 'sync') return;
  assert.deepEqual(a.steps.filter((s) => s.action === 'kill').map((s) => s.action === 'kill' && s.graceSeconds), [3, 45]);
});

test('init containers', async (t) => {
  const apps = ['foo1', 'foo2'];
  const cases: { name: string; pod: Pod; containers: (p: Pod) => RuntimeContainer[]; o?: Partial<PodActionsInput>; want: string[] }[] = [
    { name: 'none started: start the first only', pod: pod({ init: ['init1', 'init2'], app: apps }), containers: () => [], want: ['start init1#0 now'] },
    { name: 'initialization in progress: wait', pod: pod({ init: ['init1', 'init2'], app: apps }),
      containers: (p) => [ctr(p, 'init1', 'exited'), ctr(p, 'init2', 'running')], want: [] },
    { name: 'first succeeded: start the second', pod: pod({ init: ['init1', 'init2'], app: apps }),
      containers: (p) => [ctr(p, 'init1', 'exited')], want: ['start init2#0 now'] },
    { name: 'initialization completed: start the app containers', pod: pod({ init: ['init1'], app: apps }),
      containers: (p) => [ctr(p, 'init1', 'exited')], want: ['start foo1#0 now', 'start foo2#0 now'] },
    { name: 'initialization failed, Always: restart the failed init container (OnFailure for init)', pod: pod({ init: ['init1'], app: apps }),
      containers: (p) => [ctr(p, 'init1', 'exited', { exitCode: 1 })], want: ['start init1#1'] },
    { name: 'initialization failed, within back-off: wait', pod: pod({ init: ['init1'], app: apps }),
      containers: (p) => [ctr(p, 'init1', 'exited', { exitCode: 1 })], o: { backOff: () => 10_000 }, want: ['backOff init1 10000'] },
    { name: 'initialization failed, Never: leave it (the pod fails)', pod: pod({ init: ['init1'], app: apps, restartPolicy: 'Never' }),
      containers: (p) => [ctr(p, 'init1', 'exited', { exitCode: 1 })], want: [] },
    { name: 'init container in unknown state: restart it', pod: pod({ init: ['init1'], app: apps }),
      containers: (p) => [ctr(p, 'init1', 'unknown', { exitCode: 2 })], want: ['start init1#1'] },
    { name: 'init probes are not consulted', pod: pod({ init: ['init1'], app: apps }),
      containers: (p) => [ctr(p, 'init1', 'running')], o: { probeFailure: () => 'liveness' }, want: [] },
    { name: 'app containers keep running after initialization (they are not touched by the init pass)', pod: pod({ init: ['init1'], app: apps }),
      containers: (p) => [ctr(p, 'init1', 'exited'), ctr(p, 'foo1', 'running'), ctr(p, 'foo2', 'running')], want: ['keep foo1', 'keep foo2'] },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(steps(plan(c.pod, c.containers(c.pod), c.o)), c.want));
});
