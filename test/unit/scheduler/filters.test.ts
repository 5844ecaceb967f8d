import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { fitErrorMessage, podRequests, runFilters, effectiveTaints, type NodeInfo } from '../../../src/scheduler/filters.ts';
import { schedulePod, buildNodeInfos, needsScheduling } from '../../../src/scheduler/scheduler.ts';
import { selectHost } from '../../../src/scheduler/score.ts';
import { parseQuantity, milliCPU } from '../../../src/scheduler/quantity.ts';
import { toleratesTaint } from '../../../src/api/taints.ts';

function node(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: any[]; ready?: string; unschedulable?: boolean } = {}): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      allocatable: { cpu: o.cpu ?? '2', memory: o.memory ?? '4Gi', pods: o.pods ?? '110' },
      conditions: [{ type: 'Ready', status: o.ready ?? 'True' }],
    },
  } as Node;
}
function pod(name: string, o: { cpu?: string; memory?: string; nodeSelector?: Record<string, string>; tolerations?: any[]; owner?: string; nodeName?: string } = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: o.owner, controller: true }] : undefined },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests } }], nodeSelector: o.nodeSelector, tolerations: o.tolerations, nodeName: o.nodeName },
  } as Pod;
}
const info = (n: Node, pods: Pod[] = []): NodeInfo => ({ node: n, pods });

test('quantities parse as upstream', () => {
  assert.equal(milliCPU('500m'), 500);
  assert.equal(milliCPU('2'), 2000);
  assert.equal(milliCPU('0.1'), 100);
  assert.equal(parseQuantity('64Mi'), 64 * 1024 * 1024);
  assert.equal(parseQuantity('1G'), 1e9);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.ok(Number.isNaN(parseQuantity('abc')));
});

test('pod requests: sum of containers, at least the largest init container', () => {
  const p = pod('a', { cpu: '100m', memory: '10Mi' });
  p.spec!.containers.push({ name: 'd', image: 'x', resources: { requests: { cpu: '200m' } } });
  p.spec!.initContainers = [{ name: 'i', image: 'x', resources: { requests: { cpu: '1', memory: '1Mi' } } }];
  assert.deepEqual(podRequests(p), { cpu: 1000, memory: 10 * 1024 * 1024 });
});

test('tolerations match taints as upstream', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  assert.ok(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, taint));
  assert.ok(!toleratesTaint({ key: 'k', operator: 'Equal', value: 'w' }, taint));
  assert.ok(toleratesTaint({ key: 'k', operator: 'Exists' }, taint));
  assert.ok(toleratesTaint({ operator: 'Exists' }, taint));
  assert.ok(!toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint));
});

test('filters: nodeSelector, taints, resources, unschedulable, nodeName', () => {
  assert.deepEqual(runFilters(pod('a', { nodeSelector: { disk: 'ssd' } }), info(node('n1'))), { reasons: ["node(s) didn't match Pod's node affinity/selector"], resolvable: false });
  assert.equal(runFilters(pod('a', { nodeSelector: { disk: 'ssd' } }), info(node('n1', { labels: { disk: 'ssd' } }))), null);
  const tainted = node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
  assert.deepEqual(runFilters(pod('a'), info(tainted))?.reasons, ['node(s) had untolerated taint {dedicated: db}']);
  assert.equal(runFilters(pod('a', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }), info(tainted)), null);
  // PreferNoSchedule does not filter.
  assert.equal(runFilters(pod('a'), info(node('n1', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }))), null);
  const full = info(node('n1', { cpu: '1' }), [pod('b', { cpu: '800m', nodeName: 'n1' })]);
  assert.deepEqual(runFilters(pod('a', { cpu: '300m' }), full), { reasons: ['Insufficient cpu'], resolvable: true });
  assert.equal(runFilters(pod('a', { cpu: '200m' }), full), null);
  assert.deepEqual(runFilters(pod('a', { memory: '5Gi' }), info(node('n1')))?.reasons, ['Insufficient memory']);
  assert.deepEqual(runFilters(pod('a'), info(node('n1', { pods: '1' }), [pod('b')]))?.reasons, ['Too many pods']);
  assert.deepEqual(runFilters(pod('a'), info(node('n1', { unschedulable: true })))?.reasons, ['node(s) were unschedulable']);
  assert.deepEqual(runFilters(pod('a', { nodeName: 'n2' }), info(node('n1')))?.reasons, ["node(s) didn't match the requested node name"]);
});

test('a node that is not Ready counts as tainted not-ready/unreachable', () => {
  assert.deepEqual(effectiveTaints(node('n1', { ready: 'Unknown' })), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
  assert.deepEqual(runFilters(pod('a'), info(node('n1', { ready: 'False' })))?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
});

test('FailedScheduling message has upstream wording and ordering', () => {
  const msg = fitErrorMessage(2, [
    { reasons: ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'], resolvable: false },
    { reasons: ['Insufficient cpu'], resolvable: true },
  ]);
  assert.equal(msg, '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.');
  const r = schedulePod(pod('a', { nodeSelector: { disktype: 'nope' } }), [info(node('n1')), info(node('n2'))]);
  assert.deepEqual(r, { message: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling." });
  assert.deepEqual(schedulePod(pod('a'), []), { message: 'no nodes available to schedule pods' });
});

test('scoring spreads a ReplicaSet across nodes, then prefers the least allocated node', () => {
  const n1 = node('n1'), n2 = node('n2');
  const existing = [pod('r1', { owner: 'rs1', nodeName: 'n1' }), pod('x1', { nodeName: 'n2' }), pod('x2', { nodeName: 'n2' })];
  const infos = buildNodeInfos([n1, n2], existing, new Map());
  // n2 is busier, but n1 already holds a pod of the same ReplicaSet.
  assert.equal(selectHost(pod('r2', { owner: 'rs1' }), infos), 'n2');
  // An unowned pod goes to the least allocated node.
  assert.equal(selectHost(pod('y'), infos), 'n1');
  // Placing 10 replicas one by one alternates between the two nodes.
  const placed: Pod[] = [];
  const assumed = new Map<string, string>();
  for (let i = 0; i < 10; i++) {
    const p = pod(`w${i}`, { owner: 'rs2' });
    const d = schedulePod(p, buildNodeInfos([n1, n2], placed, assumed));
    assert.ok('node' in d);
    assumed.set(`default/w${i}`, d.node);
    placed.push(p);
  }
  const counts = [...assumed.values()].reduce((m, n) => ({ ...m, [n]: (m[n] ?? 0) + 1 }), {} as Record<string, number>);
  assert.deepEqual(counts, { n1: 5, n2: 5 });
});

test('terminal pods free their resources; pods with other schedulers are left alone', () => {
  const done: Pod = { ...pod('b', { cpu: '2', nodeName: 'n1' }), status: { phase: 'Succeeded' } };
  assert.equal(runFilters(pod('a', { cpu: '1' }), buildNodeInfos([node('n1')], [done], new Map())[0]), null);
  const other = pod('c');
  other.spec!.schedulerName = 'my-scheduler';
  assert.equal(needsScheduling(other), false);
  assert.equal(needsScheduling(pod('d')), true);
  const gated = pod('e');
  (gated.spec as any).schedulingGates = [{ name: 'example.com/wait' }];
  assert.equal(needsScheduling(gated), false);
});
