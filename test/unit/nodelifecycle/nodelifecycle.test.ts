import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { observe, isHealthy, unknownConditions, desiredTaints, podNotReadyConditions, orphanedPods } from '../../../src/controllers/nodelifecycle/health.ts';
import { evictionDecision, effectiveTolerations } from '../../../src/controllers/nodelifecycle/eviction.ts';
import { parseDurationMs } from '../../../src/util/duration.ts';
import { nodeLifecycleOptionsFromEnv as optionsFromEnv } from '../../../src/cli/config.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const node = (ready: string | undefined, taints: any[] = [], unschedulable = false): Node => ({
  metadata: { name: 'n1' },
  spec: { taints, unschedulable },
  status: { conditions: ready ? [
    { type: 'Ready', status: ready, reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' },
    { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' },
  ] : [] },
} as Node);
const lease = (renew: string) => ({ metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: renew } });

test('a node is unhealthy once its lease has not been renewed for the grace period', () => {
  let o = observe(undefined, node('True'), lease('2026-01-01T00:00:00.000000Z') as any, T0);
  assert.ok(isHealthy(o, T0 + 40_000, 40_000));
  assert.ok(!isHealthy(o, T0 + 40_001, 40_000));
  // A renewal seen at T0+30s restarts the grace period.
  o = observe(o, node('True'), lease('2026-01-01T00:00:30.000000Z') as any, T0 + 30_000);
  assert.ok(isHealthy(o, T0 + 70_000, 40_000));
  // No change: the observation stays.
  assert.equal(observe(o, node('True'), lease('2026-01-01T00:00:30.000000Z') as any, T0 + 50_000).probeAt, T0 + 30_000);
});

test('an unhealthy node gets Ready=Unknown "Kubelet stopped posting node status."', () => {
  const conds = unknownConditions(node('True'), T0 + 60_000)!;
  const ready = conds.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'Unknown');
  assert.equal(ready.reason, 'NodeStatusUnknown');
  assert.equal(ready.message, 'Kubelet stopped posting node status.');
  assert.equal(ready.lastHeartbeatTime, '2026-01-01T00:00:00Z');
  assert.equal(ready.lastTransitionTime, '2026-01-01T00:01:00Z');
  assert.equal(conds.find((c) => c.type === 'MemoryPressure')!.status, 'Unknown');
  // Already Unknown: nothing to write.
  assert.equal(unknownConditions({ ...node('True'), status: { conditions: conds } } as Node, T0 + 70_000), null);
  // Never posted.
  assert.equal(unknownConditions(node(undefined), T0)![0].message, 'Kubelet never posted node status.');
});

test('taints follow the Ready condition and are removed when the node is Ready again', () => {
  const un = desiredTaints(node('Unknown'), T0)!;
  assert.deepEqual(un, [
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' },
  ]);
  assert.equal(desiredTaints(node('Unknown', un), T0 + 5000), null); // already right: no write
  assert.deepEqual(desiredTaints(node('False', un), T0)!.map((t) => `${t.key}:${t.effect}`),
    ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
  const user = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };
  assert.deepEqual(desiredTaints(node('True', [...un, user]), T0), [user]);
  assert.equal(desiredTaints(node('True', [user]), T0), null);
  assert.deepEqual(desiredTaints(node('True', [], true), T0), [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
});

const pod = (tolerations?: any[]): Pod => ({ metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [], tolerations, nodeName: 'n1' } } as any);
const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };

test('pods get the default not-ready/unreachable tolerations and are evicted after them', () => {
  assert.deepEqual(effectiveTolerations(pod(), 300).map((t) => [t.key, t.tolerationSeconds]), [['node.kubernetes.io/not-ready', 300], ['node.kubernetes.io/unreachable', 300]]);
  assert.deepEqual(evictionDecision(pod(), [unreachable] as any, 300, () => T0), { evictAt: T0 + 300_000 });
  assert.deepEqual(evictionDecision(pod(), [unreachable] as any, 5, () => T0), { evictAt: T0 + 5000 });
  // An explicit toleration wins over the default.
  assert.deepEqual(evictionDecision(pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }]), [unreachable] as any, 300, () => T0), { evictAt: T0 + 10_000 });
  // Tolerated forever.
  assert.deepEqual(evictionDecision(pod([{ operator: 'Exists' }]), [unreachable] as any, 300, () => T0), { never: true });
  // An untolerated NoExecute taint evicts at once; NoSchedule taints never evict.
  assert.deepEqual(evictionDecision(pod(), [{ key: 'dedicated', effect: 'NoExecute' }] as any, 300, () => T0), { evictAt: T0 });
  assert.deepEqual(evictionDecision(pod(), [{ key: 'dedicated', effect: 'NoSchedule' }] as any, 300, () => T0), { never: true });
});

test('durations and environment configuration', () => {
  assert.equal(parseDurationMs('40s'), 40_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('2m'), 120_000);
  assert.equal(parseDurationMs('7'), 7000);
  assert.deepEqual(optionsFromEnv({ KUBELITE_NODE_MONITOR_GRACE_PERIOD: '8s', KUBELITE_DEFAULT_TOLERATION_SECONDS: '5' }),
    { gracePeriodMs: 8000, monitorPeriodMs: undefined, defaultTolerationSeconds: 5 });
});

test('pods of an unreachable node are marked not Ready once', () => {
  const p = { status: { conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] } };
  const c = podNotReadyConditions(p, T0)!;
  assert.deepEqual(c[1], { type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:00:00Z' });
  assert.deepEqual(c[0], p.status.conditions[0]);
  assert.equal(podNotReadyConditions({ status: { conditions: c } }, T0), null);
  assert.equal(podNotReadyConditions({ status: {} }, T0), null);
});

test('pods bound to a node that does not exist are collected after the quarantine', () => {
  const pods = [
    { metadata: { namespace: 'default', name: 'a' }, spec: { nodeName: 'gone' } },
    { metadata: { namespace: 'default', name: 'b' }, spec: { nodeName: 'n1' } },
    { metadata: { namespace: 'default', name: 'c' }, spec: {} },
  ];
  const missing = new Map<string, number>();
  assert.deepEqual(orphanedPods(pods, new Set(['n1']), missing, T0, 40_000), []);
  assert.deepEqual(orphanedPods(pods, new Set(['n1']), missing, T0 + 39_999, 40_000), []);
  assert.deepEqual(orphanedPods(pods, new Set(['n1']), missing, T0 + 40_000, 40_000), ['default/a']);
  // The node (re)appears: forgotten.
  assert.deepEqual(orphanedPods(pods, new Set(['n1', 'gone']), missing, T0 + 50_000, 40_000), []);
  assert.equal(missing.size, 0);
});
