/**
 * The replica calculator, with upstream's replica_calculator_test.go tables ported (resource metrics through
 * the PodMetrics conversion, plain per-pod metrics through the average-value path): pods test-pod-<i> with two
 * containers each requesting requests[i], levels[i] per container, readiness/phase/start/deletion per pod.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { groupPods, plainMetricReplicas, resourceReplicas, type CalcOptions, type PodMetricsInfo } from '../../../src/controllers/podautoscaler/replica-calculator.ts';
import { podMetricsInfo, type PodMetricsItem } from '../../../src/controllers/podautoscaler/metrics-client.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ZERO_TIME = '0001-01-01T00:00:00Z'; // Go's zero time.Time, what the upstream tables leave unset
const hot = () => new Date(NOW).toISOString(); // started now: within the CPU initialization period
const cool = () => new Date(NOW - 3 * 60_000).toISOString(); // past it
const OPTS: CalcOptions = { tolerances: { scaleDown: 0.1, scaleUp: 0.1 }, cpuInitializationPeriodMs: 2 * 60_000, delayOfInitialReadinessStatusMs: 10_000, nowMs: NOW };
const CONTAINERS_PER_POD = 2;

interface ResourceCase {
  currentReplicas: number;
  expectedReplicas?: number;
  expectedError?: string;
  requests: string[];
  levels: number[][];
  podNames?: string[];
  targetUtilization: number;
  expectedUtilization?: number;
  expectedValue?: number;
  container?: string;
  podReadiness?: ('True' | 'False')[];
  podStartTime?: string[];
  podPhase?: string[];
  podDeletion?: boolean[];
}

const levels = (...perPod: number[]) => perPod.map((v) => Array(CONTAINERS_PER_POD).fill(v));

function podsOf(tc: Pick<ResourceCase, 'currentReplicas' | 'requests' | 'podReadiness' | 'podStartTime' | 'podPhase' | 'podDeletion'>): Pod[] {
  const n = Math.max(tc.currentReplicas, tc.podPhase?.length ?? 0);
  return Array.from({ length: n }, (_, i) => {
    const resources = i < tc.requests.length ? { requests: { cpu: tc.requests[i] } } : {};
    return {
      metadata: { name: `test-pod-${i}`, namespace: 'test-namespace', labels: { name: 'test-pod' }, ...(tc.podDeletion?.[i] ? { deletionTimestamp: new Date(NOW).toISOString() } : {}) },
      spec: { containers: [{ name: 'container1', resources }, { name: 'container2', resources }] },
      status: { phase: tc.podPhase?.[i] ?? 'Running', startTime: tc.podStartTime?.[i] ?? ZERO_TIME, conditions: [{ type: 'Ready', status: tc.podReadiness?.[i] ?? 'True' }] },
    } as Pod;
  });
}

function metricsOf(tc: ResourceCase): PodMetricsItem[] {
  return tc.levels.map((lv, i) => ({
    metadata: { name: tc.podNames?.[i] ?? `test-pod-${i}`, namespace: 'test-namespace' },
    timestamp: ZERO_TIME, window: '1m0s',
    containers: lv.map((v, j) => ({ name: `container${j + 1}`, usage: { cpu: `${v}m` } })),
  }));
}

function runResource(tc: ResourceCase): void {
  const run = () => {
    let info: PodMetricsInfo;
    try { info = podMetricsInfo(metricsOf(tc), 'cpu', tc.container ?? ''); } catch (e) { throw new Error(`unable to get metrics for resource cpu: ${(e as Error).message}`); }
    return resourceReplicas(tc.currentReplicas, tc.targetUtilization, 'cpu', tc.container ?? '', podsOf(tc), info, OPTS);
  };
  if (tc.expectedError) { assert.throws(run, (e: Error) => e.message.includes(tc.expectedError!)); return; }
  const r = run();
  assert.equal(r.replicas, tc.expectedReplicas, 'replicas');
  assert.equal(r.utilization, tc.expectedUtilization, 'utilization');
  assert.equal(r.rawUtilization, tc.expectedValue, 'raw value');
}

const ONES = (n: number) => Array(n).fill('1.0');
const RESOURCE_CASES: Record<string, ResourceCase> = {
  DisjointResourcesMetrics: { currentReplicas: 1, expectedError: 'no metrics returned matched known pods', requests: ['1.0'], levels: levels(100), podNames: ['an-older-pod-name'], targetUtilization: 100 },
  ScaleUp: { currentReplicas: 3, expectedReplicas: 5, requests: ONES(3), levels: levels(300, 500, 700), targetUtilization: 30, expectedUtilization: 50, expectedValue: CONTAINERS_PER_POD * 500 },
  ContainerScaleUp: { currentReplicas: 3, expectedReplicas: 5, requests: ONES(3), levels: [[1000, 300], [1000, 500], [1000, 700]], targetUtilization: 30, expectedUtilization: 50, expectedValue: 500, container: 'container2' },
  ScaleUpUnreadyLessScale: { currentReplicas: 3, expectedReplicas: 4, podReadiness: ['False', 'True', 'True'], requests: ONES(3), levels: levels(300, 500, 700), targetUtilization: 30, expectedUtilization: 60, expectedValue: CONTAINERS_PER_POD * 600 },
  ScaleUpContainerHotCpuLessScale: { currentReplicas: 3, expectedReplicas: 4, podStartTime: [hot(), cool(), cool()], requests: ONES(3), levels: [[0, 300], [0, 500], [0, 700]], targetUtilization: 30, expectedUtilization: 60, expectedValue: 600, container: 'container2' },
  ScaleUpHotCpuLessScale: { currentReplicas: 3, expectedReplicas: 4, podStartTime: [hot(), cool(), cool()], requests: ONES(3), levels: levels(300, 500, 700), targetUtilization: 30, expectedUtilization: 60, expectedValue: CONTAINERS_PER_POD * 600 },
  ScaleUpUnreadyNoScale: { currentReplicas: 3, expectedReplicas: 3, podReadiness: ['True', 'False', 'False'], requests: ONES(3), levels: levels(400, 500, 700), targetUtilization: 30, expectedUtilization: 40, expectedValue: CONTAINERS_PER_POD * 400 },
  ScaleHotCpuNoScale: { currentReplicas: 3, expectedReplicas: 3, podReadiness: ['True', 'False', 'False'], podStartTime: [cool(), hot(), hot()], requests: ONES(3), levels: levels(400, 500, 700), targetUtilization: 30, expectedUtilization: 40, expectedValue: CONTAINERS_PER_POD * 400 },
  ScaleUpIgnoresFailedPods: { currentReplicas: 2, expectedReplicas: 4, podReadiness: ['True', 'True', 'False', 'False'], podPhase: ['Running', 'Running', 'Failed', 'Failed'], requests: ONES(4), levels: levels(500, 700), targetUtilization: 30, expectedUtilization: 60, expectedValue: CONTAINERS_PER_POD * 600 },
  // (upstream's MissingContainerMetricScaleUpIgnoresFailedPods is not ported: its failed pods' metrics lack the
  // container, which upstream's resource metrics client answers with "container … not present in metrics", as
  // kubelite's does — see ContainerNotInMetrics below.)
  ScaleUpContainerIgnoresFailedPods: { currentReplicas: 2, expectedReplicas: 4, podReadiness: ['True', 'True', 'False', 'False'], podPhase: ['Running', 'Running', 'Failed', 'Failed'], requests: ONES(4), levels: [[1000, 500], [9000, 700]], targetUtilization: 30, expectedUtilization: 60, expectedValue: 600, container: 'container2' },
  ScaleUpIgnoresDeletionPods: { currentReplicas: 2, expectedReplicas: 4, podReadiness: ['True', 'True', 'False', 'False'], podPhase: ['Running', 'Running', 'Running', 'Running'], podDeletion: [false, false, true, true], requests: ONES(4), levels: levels(500, 700), targetUtilization: 30, expectedUtilization: 60, expectedValue: CONTAINERS_PER_POD * 600 },
  ScaleDown: { currentReplicas: 5, expectedReplicas: 3, requests: ONES(5), levels: levels(100, 300, 500, 250, 250), targetUtilization: 50, expectedUtilization: 28, expectedValue: CONTAINERS_PER_POD * 280 },
  ContainerScaleDown: { currentReplicas: 5, expectedReplicas: 3, requests: ONES(5), levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]], targetUtilization: 50, expectedUtilization: 28, expectedValue: 280, container: 'container2' },
  ScaleDownExcludeUnreadyPods: { currentReplicas: 5, expectedReplicas: 2, podReadiness: ['True', 'True', 'True', 'False', 'False'], requests: ONES(5), levels: levels(100, 300, 500, 250, 250), targetUtilization: 50, expectedUtilization: 30, expectedValue: CONTAINERS_PER_POD * 300 },
  ScaleDownContainerExcludeUnreadyPods: { currentReplicas: 5, expectedReplicas: 2, podReadiness: ['True', 'True', 'True', 'False', 'False'], requests: ONES(5), levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]], targetUtilization: 50, expectedUtilization: 30, expectedValue: 300, container: 'container2' },
  ScaleDownExcludeUnscheduledPods: { currentReplicas: 5, expectedReplicas: 1, podReadiness: ['True', 'False', 'False', 'False', 'False'], podPhase: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'], requests: ONES(5), levels: levels(100), targetUtilization: 50, expectedUtilization: 10, expectedValue: CONTAINERS_PER_POD * 100 },
  ScaleDownContainerExcludeUnscheduledPods: { currentReplicas: 5, expectedReplicas: 1, podReadiness: ['True', 'False', 'False', 'False', 'False'], podPhase: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'], requests: ONES(5), levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]], targetUtilization: 50, expectedUtilization: 10, expectedValue: 100, container: 'container2' },
  ScaleDownIgnoreHotCpuPods: { currentReplicas: 5, expectedReplicas: 2, podStartTime: [cool(), cool(), cool(), hot(), hot()], requests: ONES(5), levels: levels(100, 300, 500, 250, 250), targetUtilization: 50, expectedUtilization: 30, expectedValue: CONTAINERS_PER_POD * 300 },
  ScaleDownContainerIgnoreHotCpuPods: { currentReplicas: 5, expectedReplicas: 2, podStartTime: [cool(), cool(), cool(), hot(), hot()], requests: ONES(5), levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 1000], [1000, 1000]], targetUtilization: 50, expectedUtilization: 30, expectedValue: 300, container: 'container2' },
  ScaleDownIgnoresFailedPods: { currentReplicas: 5, expectedReplicas: 3, podReadiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'], podPhase: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'], requests: ONES(7), levels: levels(100, 300, 500, 250, 250), targetUtilization: 50, expectedUtilization: 28, expectedValue: CONTAINERS_PER_POD * 280 },
  ScaleDownIgnoresDeletionPods: { currentReplicas: 5, expectedReplicas: 3, podReadiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'], podPhase: Array(7).fill('Running'), podDeletion: [false, false, false, false, false, true, true], requests: ONES(7), levels: levels(100, 300, 500, 250, 250), targetUtilization: 50, expectedUtilization: 28, expectedValue: CONTAINERS_PER_POD * 280 },
  ScaleDownIgnoresDeletionPods_StillRunning: { currentReplicas: 5, expectedReplicas: 3, podReadiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'], podPhase: Array(7).fill('Running'), podDeletion: [false, false, false, false, false, true, true], requests: ONES(7), levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]], targetUtilization: 50, expectedUtilization: 28, expectedValue: 280, container: 'container2' },
  Tolerance: { currentReplicas: 3, expectedReplicas: 3, requests: ['0.9', '1.0', '1.1'], levels: levels(1010, 1030, 1020), targetUtilization: 100, expectedUtilization: 102, expectedValue: CONTAINERS_PER_POD * 1020 },
  SuperfluousMetrics: { currentReplicas: 4, expectedReplicas: 24, requests: ONES(4), levels: levels(4000, 9500, 3000, 7000, 3200, 2000), targetUtilization: 100, expectedUtilization: 587, expectedValue: CONTAINERS_PER_POD * 5875 },
  MissingMetrics: { currentReplicas: 4, expectedReplicas: 3, requests: ONES(4), levels: levels(400, 95), targetUtilization: 100, expectedUtilization: 24, expectedValue: 495 },
  EmptyMetrics: { currentReplicas: 4, expectedError: 'unable to get metrics for resource cpu: no metrics returned from resource metrics API', requests: ONES(3), levels: [], targetUtilization: 100 },
  EmptyCPURequest: { currentReplicas: 1, expectedError: 'missing request for', requests: [], levels: levels(200), targetUtilization: 100 },
  MissingMetricsNoChangeEq: { currentReplicas: 2, expectedReplicas: 2, requests: ONES(2), levels: levels(1000), targetUtilization: 100, expectedUtilization: 100, expectedValue: CONTAINERS_PER_POD * 1000 },
  MissingMetricsNoChangeGt: { currentReplicas: 2, expectedReplicas: 2, requests: ONES(2), levels: levels(1900), targetUtilization: 100, expectedUtilization: 190, expectedValue: CONTAINERS_PER_POD * 1900 },
  MissingMetricsNoChangeLt: { currentReplicas: 2, expectedReplicas: 2, requests: ONES(2), levels: levels(600), targetUtilization: 100, expectedUtilization: 60, expectedValue: CONTAINERS_PER_POD * 600 },
  MissingMetricsUnreadyChange: { currentReplicas: 3, expectedReplicas: 3, podReadiness: ['False', 'True', 'True'], requests: ONES(3), levels: levels(100, 450), targetUtilization: 50, expectedUtilization: 45, expectedValue: CONTAINERS_PER_POD * 450 },
  MissingMetricsHotCpuNoChange: { currentReplicas: 3, expectedReplicas: 3, podStartTime: [hot(), cool(), cool()], requests: ONES(3), levels: levels(100, 450), targetUtilization: 50, expectedUtilization: 45, expectedValue: CONTAINERS_PER_POD * 450 },
  MissingMetricsUnreadyScaleUp: { currentReplicas: 3, expectedReplicas: 4, podReadiness: ['False', 'True', 'True'], requests: ONES(3), levels: levels(100, 2000), targetUtilization: 50, expectedUtilization: 200, expectedValue: CONTAINERS_PER_POD * 2000 },
  MissingMetricsHotCpuScaleUp: { currentReplicas: 3, expectedReplicas: 4, podReadiness: ['False', 'True', 'True'], podStartTime: [hot(), cool(), cool()], requests: ONES(3), levels: levels(100, 2000), targetUtilization: 50, expectedUtilization: 200, expectedValue: CONTAINERS_PER_POD * 2000 },
  MissingMetricsUnreadyScaleDown: { currentReplicas: 4, expectedReplicas: 3, podReadiness: ['False', 'True', 'True', 'True'], requests: ONES(4), levels: levels(100, 100, 100), targetUtilization: 50, expectedUtilization: 10, expectedValue: CONTAINERS_PER_POD * 100 },
  MissingMetricsScaleDownTargetOver100: { currentReplicas: 4, expectedReplicas: 2, podReadiness: ['False', 'True', 'True', 'True'], requests: ['1.0', '1.0', '2.0', '2.0'], levels: levels(200, 100, 100), targetUtilization: 300, expectedUtilization: 6, expectedValue: CONTAINERS_PER_POD * 100 },
  DuringRollingUpdateWithMaxSurge: { currentReplicas: 2, expectedReplicas: 2, podPhase: ['Running', 'Running', 'Running'], requests: ONES(3), levels: levels(100, 100), targetUtilization: 50, expectedUtilization: 10, expectedValue: CONTAINERS_PER_POD * 100 },
};

for (const [name, tc] of Object.entries(RESOURCE_CASES)) test(`TestReplicaCalc${name}`, () => runResource(tc));

test('a pod whose metrics lack the named container is an error (upstream getContainerMetrics)', () => {
  runResource({ currentReplicas: 2, expectedError: 'container container2 not present in metrics for pod test-namespace/test-pod-1', requests: ONES(2), levels: [[1000, 500], [9000]], targetUtilization: 30, container: 'container2' });
});

test('TestReplicaCalcComputedToleranceAlgImplementation: just past the tolerance scales, just within does not', () => {
  const startPods = 10, totalUsed = startPods * 150, totalRequested = 2 * totalUsed, perPodRequested = totalRequested / startPods;
  const requestedToUsed = totalRequested / totalUsed;
  let target = Math.abs(1 / (requestedToUsed * (1 - 0.1))) + 0.01;
  const ratio = totalUsed / (totalRequested * target);
  const finalPods = Math.ceil(ratio * startPods);
  const tc: ResourceCase = {
    currentReplicas: startPods, expectedReplicas: finalPods, levels: levels(...Array(10).fill(totalUsed / 10)),
    requests: [100, -100, 10, -10, 2, -2, 1, -1, 0, 0].map((d) => `${perPodRequested + d}m`),
    targetUtilization: Math.trunc(target * 100), expectedUtilization: Math.trunc((totalUsed * 100) / totalRequested), expectedValue: CONTAINERS_PER_POD * totalUsed / 10,
  };
  runResource(tc);
  target = Math.abs(1 / (requestedToUsed * (1 - 0.1))) + 0.004;
  runResource({ ...tc, targetUtilization: Math.trunc(target * 100), expectedReplicas: startPods });
});

// Per-pod plain metrics (upstream's custom-metric "pods" cases): the average-value path.
const PLAIN_CASES: Record<string, { current: number; expected: number; levels: number[]; target: number; usage: number; podReadiness?: ('True' | 'False')[]; podStartTime?: string[]; podPhase?: string[] }> = {
  ScaleUpCM: { current: 3, expected: 4, levels: [20000, 10000, 30000], target: 15000, usage: 20000 },
  ScaleUpCMUnreadyHotCpuNoLessScale: { current: 3, expected: 6, podReadiness: ['True', 'True', 'False'], podStartTime: [cool(), cool(), hot()], levels: [50000, 10000, 30000], target: 15000, usage: 30000 },
  ScaleUpCMUnreadyHotCpuScaleWouldScaleDown: { current: 3, expected: 7, podReadiness: ['False', 'True', 'False'], podStartTime: [hot(), cool(), hot()], levels: [50000, 15000, 30000], target: 15000, usage: 31666 },
  ScaleUpCMExternalNoLabels: { current: 1, expected: 2, levels: [8600], target: 4400, usage: 8600 },
  ScaleDownCM: { current: 5, expected: 3, levels: [12000, 12000, 12000, 12000, 12000], target: 20000, usage: 12000 },
  ToleranceCM: { current: 3, expected: 3, levels: [20000, 21000, 21000], target: 20000, usage: 20666 },
  PlainMetricMissingMetricsNoChangeEq: { current: 5, expected: 5, levels: [20000, 19000, 21000], target: 20000, usage: 20000 },
  DuringRollingUpdateWithMaxSurgeCM: { current: 2, expected: 2, podPhase: ['Running', 'Running', 'Running'], levels: [10000, 10000], target: 17000, usage: 10000 },
};

for (const [name, tc] of Object.entries(PLAIN_CASES)) {
  test(`TestReplicaCalc${name}`, () => {
    const pods = podsOf({ currentReplicas: tc.current, requests: [], podReadiness: tc.podReadiness, podStartTime: tc.podStartTime, podPhase: tc.podPhase });
    const info: PodMetricsInfo = new Map(tc.levels.map((v, i) => [`test-pod-${i}`, { value: v, timestampMs: Date.parse(ZERO_TIME), windowMs: 60_000 }]));
    const r = plainMetricReplicas(tc.current, tc.target, '', pods, info, OPTS);
    assert.deepEqual(r, { replicas: tc.expected, usage: tc.usage });
  });
}

// upstream TestGroupPods
const pod = (name: string, phase: string, startAgoMs: number | undefined, ready?: { status: 'True' | 'False'; agoMs: number }): Pod => ({
  metadata: { name }, status: {
    phase, ...(startAgoMs !== undefined ? { startTime: new Date(NOW - startAgoMs).toISOString() } : {}),
    ...(ready ? { conditions: [{ type: 'Ready', status: ready.status, lastTransitionTime: new Date(NOW - ready.agoMs).toISOString() }] } : {}),
  },
} as Pod);
const GROUP_CASES: { name: string; pods: Pod[]; metrics: [string, number, number][]; resource: string; ready: number; unready: string[]; missing: string[]; ignored: string[] }[] = [
  { name: 'void', pods: [], metrics: [], resource: 'cpu', ready: 0, unready: [], missing: [], ignored: [] },
  { name: 'count in a ready pod - memory', pods: [pod('bentham', 'Succeeded', undefined)], metrics: [['bentham', 0, 60_000]], resource: 'memory', ready: 1, unready: [], missing: [], ignored: [] },
  { name: 'unready a pod without ready condition - CPU', pods: [pod('lucretius', 'Succeeded', 0)], metrics: [['lucretius', 0, 0]], resource: 'cpu', ready: 0, unready: ['lucretius'], missing: [], ignored: [] },
  { name: 'count in a ready pod with fresh metrics during initialization period - CPU', pods: [pod('bentham', 'Succeeded', 60_000, { status: 'True', agoMs: 30_000 })], metrics: [['bentham', 0, 30_000]], resource: 'cpu', ready: 1, unready: [], missing: [], ignored: [] },
  { name: 'unready a ready pod without fresh metrics during initialization period - CPU', pods: [pod('bentham', 'Succeeded', 60_000, { status: 'True', agoMs: 30_000 })], metrics: [['bentham', 0, 60_000]], resource: 'cpu', ready: 0, unready: ['bentham'], missing: [], ignored: [] },
  { name: 'unready an unready pod during initialization period - CPU', pods: [pod('lucretius', 'Succeeded', 10 * 60_000, { status: 'False', agoMs: 9 * 60_000 + 54_000 })], metrics: [['lucretius', 0, 0]], resource: 'cpu', ready: 0, unready: ['lucretius'], missing: [], ignored: [] },
  { name: 'count in a ready pod without fresh metrics after initialization period - CPU', pods: [pod('bentham', 'Succeeded', 3 * 60_000, { status: 'True', agoMs: 3 * 60_000 })], metrics: [['bentham', -2 * 60_000, 60_000]], resource: 'cpu', ready: 1, unready: [], missing: [], ignored: [] },
  { name: 'count in an unready pod that was ready after initialization period - CPU', pods: [pod('lucretius', 'Succeeded', 10 * 60_000, { status: 'False', agoMs: 9 * 60_000 })], metrics: [['lucretius', 0, 0]], resource: 'cpu', ready: 1, unready: [], missing: [], ignored: [] },
  { name: 'unready pod that has never been ready after initialization period - CPU', pods: [pod('lucretius', 'Succeeded', 10 * 60_000, { status: 'False', agoMs: 9 * 60_000 + 50_000 })], metrics: [['lucretius', 0, 0]], resource: 'cpu', ready: 1, unready: [], missing: [], ignored: [] },
  { name: 'a missing pod', pods: [pod('epicurus', 'Succeeded', 3 * 60_000)], metrics: [], resource: 'cpu', ready: 0, unready: [], missing: ['epicurus'], ignored: [] },
  { name: 'several pods', pods: [pod('lucretius', 'Succeeded', 0), pod('niccolo', 'Succeeded', 3 * 60_000, { status: 'True', agoMs: 3 * 60_000 }), pod('epicurus', 'Succeeded', 3 * 60_000)],
    metrics: [['lucretius', 0, 0], ['niccolo', 0, 0]], resource: 'cpu', ready: 1, unready: ['lucretius'], missing: ['epicurus'], ignored: [] },
  { name: 'pending pods are unreadied', pods: [pod('unscheduled', 'Pending', undefined)], metrics: [], resource: 'cpu', ready: 0, unready: ['unscheduled'], missing: [], ignored: [] },
  { name: 'ignore pods with deletion timestamps', pods: [{ ...pod('deleted', 'Pending', undefined), metadata: { name: 'deleted', deletionTimestamp: new Date(NOW).toISOString() } } as Pod], metrics: [['deleted', 0, 0]], resource: 'cpu', ready: 0, unready: [], missing: [], ignored: ['deleted'] },
  { name: 'ignore pods in a failed state', pods: [pod('failed', 'Failed', undefined)], metrics: [['failed', 0, 0]], resource: 'cpu', ready: 0, unready: [], missing: [], ignored: ['failed'] },
];
// The "unready pod that has never been ready" case: with the default 10 s initial-readiness delay (upstream's test value).
for (const tc of GROUP_CASES) {
  test(`TestGroupPods: ${tc.name}`, () => {
    const metrics: PodMetricsInfo = new Map(tc.metrics.map(([n, ago, window]) => [n, { value: 1, timestampMs: NOW + ago, windowMs: window }]));
    const g = groupPods(tc.pods, metrics, tc.resource, OPTS);
    assert.equal(g.readyPodCount, tc.ready);
    assert.deepEqual([...g.unready].sort(), tc.unready);
    assert.deepEqual([...g.missing].sort(), tc.missing);
    assert.deepEqual([...g.ignored].sort(), tc.ignored);
  });
}
