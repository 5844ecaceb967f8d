import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { computePodStatus, kubectlColumns, podPhase, type ContainerRun, type PodView } from '../../../src/kubelet/status.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
function pod(spec: Partial<Pod['spec']> = {}, status?: Pod['status']): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'a', image: 'nginx' }], ...spec } as Pod['spec'], status };
}
function run(over: Partial<ContainerRun>): ContainerRun {
  return { id: 'c1', name: 'a', attempt: 0, state: 'running', createdAt: T0, startedAt: T0 + 1000, finishedAt: 0, exitCode: 0,
    reason: '', message: '', image: 'docker.io/library/nginx:latest', imageRef: 'docker.io/library/nginx@sha256:abc', ...over };
}
function view(over: Partial<PodView> = {}): PodView {
  return { sandboxReady: true, podIPs: ['10.88.0.7'], hostIP: '192.0.2.2', initContainers: [], containers: [], ...over };
}

test('running and ready container: phase Running, all conditions True, kubectl shows 1/1 Running 0', () => {
  const p = pod();
  const st = computePodStatus(p, view({ containers: [{ name: 'a', latest: run({}), ready: true, started: true }] }), T0 + 2000);
  assert.equal(st.phase, 'Running');
  assert.equal(st.podIP, '10.88.0.7');
  assert.deepEqual(st.podIPs, [{ ip: '10.88.0.7' }]);
  assert.equal(st.hostIP, '192.0.2.2');
  const cs = st.containerStatuses![0];
  assert.equal(cs.containerID, 'containerd://c1');
  assert.equal(cs.imageID, 'docker.io/library/nginx@sha256:abc');
  assert.deepEqual(cs.state, { running: { startedAt: '2026-01-01T00:00:01Z' } });
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  for (const t of ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled', 'PodReadyToStartContainers']) {
    assert.equal(st.conditions!.find((c) => c.type === t)?.status, 'True', t);
  }
  assert.deepEqual(kubectlColumns({ ...p, status: st }), { ready: '1/1', status: 'Running', restarts: 0 });
});

test('not ready container: Ready and ContainersReady False with upstream reason and message', () => {
  const st = computePodStatus(pod(), view({ containers: [{ name: 'a', latest: run({}), ready: false, started: true }] }), T0);
  const ready = st.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ContainersNotReady');
  assert.equal(ready.message, 'containers with unready status: [a]');
  assert.equal(kubectlColumns({ ...pod(), status: st }).ready, '0/1');
});

test('lastTransitionTime is kept while a condition does not change, and moves when it flips', () => {
  const v = view({ containers: [{ name: 'a', latest: run({}), ready: true, started: true }] });
  const s1 = computePodStatus(pod(), v, T0);
  const s2 = computePodStatus(pod({}, s1), v, T0 + 60_000);
  assert.equal(s2.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(s2.startTime, s1.startTime);
  const s3 = computePodStatus(pod({}, s2), view({ containers: [{ name: 'a', latest: run({}), ready: false, started: true }] }), T0 + 120_000);
  assert.equal(s3.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2026-01-01T00:02:00Z');
  assert.equal(s3.conditions!.find((c) => c.type === 'Initialized')!.lastTransitionTime, '2026-01-01T00:00:00Z');
});

test('CrashLoopBackOff: waiting with lastState terminated; phase Running; kubectl STATUS CrashLoopBackOff, RESTARTS 3', () => {
  const latest = run({ attempt: 3, state: 'exited', exitCode: 2, finishedAt: T0 + 5000 });
  const st = computePodStatus(pod(), view({ containers: [{ name: 'a', latest, ready: false, started: false,
    waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=a pod=p_default(u1)' } }] }), T0 + 6000);
  const cs = st.containerStatuses![0];
  assert.equal(cs.state!.waiting!.reason, 'CrashLoopBackOff');
  assert.equal(cs.lastState!.terminated!.exitCode, 2);
  assert.equal(cs.lastState!.terminated!.reason, 'Error');
  assert.equal(cs.restartCount, 3);
  assert.equal(st.phase, 'Running');
  assert.deepEqual(kubectlColumns({ ...pod(), status: st }), { ready: '0/1', status: 'CrashLoopBackOff', restarts: 3 });
});

test('image pull failure before any run: Pending, ErrImagePull / ImagePullBackOff shown by kubectl', () => {
  for (const reason of ['ErrImagePull', 'ImagePullBackOff']) {
    const st = computePodStatus(pod(), view({ containers: [{ name: 'a', ready: false, started: false, waiting: { reason, message: 'x' } }] }), T0);
    assert.equal(st.phase, 'Pending');
    assert.equal(st.containerStatuses![0].restartCount, 0);
    assert.equal(st.containerStatuses![0].image, 'nginx');
    assert.equal(kubectlColumns({ ...pod(), status: st }).status, reason);
  }
});

test('no container yet: ContainerCreating, Pending', () => {
  const st = computePodStatus(pod(), view({ sandboxReady: false, podIPs: [] }), T0);
  assert.equal(st.phase, 'Pending');
  assert.equal(st.containerStatuses![0].state!.waiting!.reason, 'ContainerCreating');
  assert.equal(st.podIP, undefined);
  assert.equal(st.conditions!.find((c) => c.type === 'PodReadyToStartContainers')!.status, 'False');
  assert.equal(kubectlColumns({ ...pod(), status: st }).status, 'ContainerCreating');
});

test('restartPolicy Never: exit 0 → Succeeded (Completed), exit 1 → Failed (Error); Ready False PodCompleted', () => {
  const ok = computePodStatus(pod({ restartPolicy: 'Never' }), view({ containers: [{ name: 'a', latest: run({ state: 'exited', exitCode: 0, finishedAt: T0 + 3000 }), ready: false, started: false }] }), T0);
  assert.equal(ok.phase, 'Succeeded');
  assert.equal(ok.containerStatuses![0].state!.terminated!.reason, 'Completed');
  assert.equal(ok.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
  assert.equal(kubectlColumns({ ...pod(), status: ok }).status, 'Completed');
  const bad = computePodStatus(pod({ restartPolicy: 'Never' }), view({ containers: [{ name: 'a', latest: run({ state: 'exited', exitCode: 1, finishedAt: T0 + 3000 }), ready: false, started: false }] }), T0);
  assert.equal(bad.phase, 'Failed');
  assert.equal(kubectlColumns({ ...pod(), status: bad }).status, 'Error');
  const oom = computePodStatus(pod({ restartPolicy: 'Never' }), view({ containers: [{ name: 'a', latest: run({ state: 'exited', exitCode: 137, reason: 'OOMKilled' }), ready: false, started: false }] }), T0);
  assert.equal(oom.containerStatuses![0].state!.terminated!.reason, 'OOMKilled');
});

test('restart after a liveness kill: running with lastState terminated 137, RESTARTS counts attempts', () => {
  const prev = run({ id: 'c0', attempt: 0, state: 'exited', exitCode: 137, finishedAt: T0 + 9000 });
  const st = computePodStatus(pod(), view({ containers: [{ name: 'a', latest: run({ id: 'c1', attempt: 1 }), previous: prev, ready: true, started: true }] }), T0 + 10_000);
  const cs = st.containerStatuses![0];
  assert.equal(cs.restartCount, 1);
  assert.equal(cs.lastState!.terminated!.exitCode, 137);
  assert.equal(cs.lastState!.terminated!.containerID, 'containerd://c0');
  assert.deepEqual(kubectlColumns({ ...pod(), status: st }), { ready: '1/1', status: 'Running', restarts: 1 });
});

test('init containers: Init:0/1 while running, PodInitializing for app containers, Initialized False', () => {
  const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }] });
  const st = computePodStatus(p, view({ initContainers: [{ name: 'init', latest: run({ id: 'i1', name: 'init' }), ready: false, started: true }] }), T0);
  assert.equal(st.phase, 'Pending');
  assert.equal(st.containerStatuses![0].state!.waiting!.reason, 'PodInitializing');
  assert.equal(st.conditions!.find((c) => c.type === 'Initialized')!.status, 'False');
  assert.equal(kubectlColumns({ ...p, status: st }).status, 'Init:0/1');
  const failed = computePodStatus(p, view({ initContainers: [{ name: 'init', latest: run({ id: 'i1', name: 'init', state: 'exited', exitCode: 1 }), ready: false, started: false,
    waiting: { reason: 'CrashLoopBackOff' } }] }), T0);
  assert.equal(kubectlColumns({ ...p, status: failed }).status, 'Init:CrashLoopBackOff');
});

test('terminating pod shows Terminating; two containers give READY 1/2', () => {
  const p = pod({ containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'nginx' }] });
  const st = computePodStatus(p, view({ containers: [
    { name: 'a', latest: run({}), ready: true, started: true },
    { name: 'b', latest: run({ id: 'c2', name: 'b' }), ready: false, started: true }] }), T0);
  assert.equal(kubectlColumns({ ...p, status: st }).ready, '1/2');
  const del = { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:05Z' }, status: st };
  assert.equal(kubectlColumns(del).status, 'Terminating');
});

test('podPhase follows upstream: waiting container keeps the pod Pending even when another runs', () => {
  const p = pod();
  assert.equal(podPhase(p, [], [{ name: 'a', ready: true, restartCount: 0, image: '', imageID: '', state: { running: {} } },
    { name: 'b', ready: false, restartCount: 0, image: '', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }]), 'Pending');
  assert.equal(podPhase({ ...p, spec: { ...p.spec!, restartPolicy: 'OnFailure' } }, [],
    [{ name: 'a', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode: 1 } } }]), 'Running');
});

test('qosClass: BestEffort, Burstable, Guaranteed', () => {
  const v = view();
  assert.equal(computePodStatus(pod(), v, T0).qosClass, 'BestEffort');
  assert.equal(computePodStatus(pod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '100m' } } }] }), v, T0).qosClass, 'Burstable');
  assert.equal(computePodStatus(pod({ containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '64Mi' } } }] }), v, T0).qosClass, 'Guaranteed');
});
