import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableFor, buildTable } from '../../../src/api/tables/index.ts';
import { podStatusCells } from '../../../src/api/tables/pods.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const M = 60_000;
const row = (group: string, kind: string, obj: unknown) => tableFor(group, kind).row(obj, NOW);

test('pod columns: names, types, priorities', () => {
  const t = tableFor('', 'Pod');
  assert.deepEqual(t.columns.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0], ['Ready', 'string', 0], ['Status', 'string', 0], ['Restarts', 'string', 0], ['Age', 'string', 0],
    ['IP', 'string', 1], ['Node', 'string', 1], ['Nominated Node', 'string', 1], ['Readiness Gates', 'string', 1]]);
  assert.equal(t.columns[0].format, 'name');
  assert.match(t.columns[0].description, /^Name must be unique within a namespace/);
});

test('pod rows: running, pending, waiting reasons, restarts', () => {
  const base = { metadata: { name: 'web', creationTimestamp: ago(5 * M) }, spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'n1' } };
  assert.deepEqual(row('', 'Pod', { ...base, status: { phase: 'Running', podIPs: [{ ip: '10.88.0.5' }],
    containerStatuses: [{ name: 'a', ready: true, state: { running: {} }, restartCount: 0 }, { name: 'b', ready: false, state: { running: {} }, restartCount: 0 }] } }),
    ['web', '1/2', 'Running', '0', '5m', '10.88.0.5', 'n1', '<none>', '<none>']);
  assert.deepEqual(row('', 'Pod', { metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }] }, status: { phase: 'Pending' } }),
    ['p', '0/1', 'Pending', '0', '<unknown>', '<none>', '<none>', '<none>', '<none>']);
  const waiting = (reason: string) => podStatusCells({ spec: { containers: [{ name: 'a' }] },
    status: { phase: 'Pending', containerStatuses: [{ name: 'a', ready: false, state: { waiting: { reason } }, restartCount: 0 }] } }, NOW).status;
  for (const r of ['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff', 'ContainerCreating']) assert.equal(waiting(r), r);
  const crash = podStatusCells({ spec: { containers: [{ name: 'a' }] }, status: { phase: 'Running', containerStatuses: [{
    name: 'a', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } },
    lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * M) } } }] } }, NOW);
  assert.deepEqual(crash, { ready: '0/1', status: 'CrashLoopBackOff', restarts: '2 (5m ago)' });
});

test('pod rows: terminated, completed, init containers, terminating, NodeLost', () => {
  const one = (status: any, extra: any = {}) => podStatusCells({ spec: { containers: [{ name: 'a' }], ...extra.spec }, metadata: extra.metadata, status }, NOW).status;
  assert.equal(one({ phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }), 'Completed');
  assert.equal(one({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }), 'Error');
  assert.equal(one({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137 } } }] }), 'ExitCode:137');
  assert.equal(one({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, signal: 9 } } }] }), 'Signal:9');
  const init = { spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }] } };
  assert.equal(one({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] }, init), 'Init:1/2');
  assert.equal(one({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, init), 'Init:CrashLoopBackOff');
  assert.equal(one({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2 } } }] }, init), 'Init:ExitCode:2');
  assert.equal(one({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }, init), 'Init:Error');
  assert.equal(one({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'PodInitializing' } } }] }, init), 'Init:0/2');
  assert.equal(one({ phase: 'Running' }, { metadata: { deletionTimestamp: ago(0) } }), 'Terminating');
  assert.equal(one({ phase: 'Succeeded' }, { metadata: { deletionTimestamp: ago(0) } }), 'Succeeded');
  assert.equal(one({ phase: 'Running', reason: 'NodeLost' }, { metadata: { deletionTimestamp: ago(0) } }), 'Unknown');
  assert.equal(one({ phase: 'Running', reason: 'NodeLost' }), 'NodeLost');
  assert.equal(one({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), 'SchedulingGated');
  // a completed container beside a running ready one: Running (pod Ready) / NotReady
  const two = (ready: boolean) => podStatusCells({ spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status: { phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [{ name: 'a', ready: true, state: { running: {} } }, { name: 'b', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } }, NOW);
  assert.equal(two(true).status, 'Running');
  assert.equal(two(false).status, 'NotReady');
  // sidecar (restartable init container) counts in READY's total
  const side = podStatusCells({ spec: { initContainers: [{ name: 's', restartPolicy: 'Always' }], containers: [{ name: 'a' }] }, status: {
    phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }],
    initContainerStatuses: [{ name: 's', started: true, ready: true, state: { running: {} }, restartCount: 1 }],
    containerStatuses: [{ name: 'a', ready: true, state: { running: {} } }] } }, NOW);
  assert.deepEqual(side, { ready: '2/2', status: 'Running', restarts: '1' });
});

test('pod readiness gates and row conditions', () => {
  const pod = { metadata: { name: 'p' }, spec: { containers: [], readinessGates: [{ conditionType: 'x/a' }, { conditionType: 'x/b' }] },
    status: { phase: 'Succeeded', conditions: [{ type: 'x/a', status: 'True' }] } };
  assert.equal(row('', 'Pod', pod)[8], '1/2');
  const t = buildTable([pod as any], tableFor('', 'Pod'), NOW);
  assert.deepEqual(t.rows[0].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
});

test('deployments and replicasets', () => {
  const d = { metadata: { name: 'web', creationTimestamp: ago(45 * 1000) }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } },
    template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } } },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  assert.deepEqual(row('apps', 'Deployment', d), ['web', '2/3', 3, 2, '45s', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
  assert.deepEqual(tableFor('apps', 'Deployment').columns.map((c) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
  const rs = { metadata: { name: 'web-abc', creationTimestamp: ago(190 * 1000) }, spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } },
    template: { spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } }, status: { replicas: 2 } };
  assert.deepEqual(row('apps', 'ReplicaSet', rs), ['web-abc', 2, 2, 0, '3m10s', 'nginx', 'nginx', 'app=web,pod-template-hash=abc']);
  assert.equal(row('apps', 'ReplicaSet', { metadata: { name: 'x' }, spec: {} })[7], '<none>');
});

test('services', () => {
  const svc = (spec: any, status: any = {}) => row('', 'Service', { metadata: { name: 's', creationTimestamp: ago(3 * 3600_000 + 10 * M) }, spec, status });
  assert.deepEqual(svc({ type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' } }),
    ['s', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP', '3h10m', 'app=web']);
  assert.deepEqual(svc({ type: 'NodePort', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }),
    ['s', 'NodePort', '10.96.0.11', '<none>', '80:30080/TCP,53/UDP', '3h10m', '<none>']);
  assert.equal(svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.12'] })[3], '<pending>');
  assert.equal(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } })[3], '1.2.3.4');
  assert.equal(svc({ type: 'ClusterIP', clusterIPs: ['None'], externalIPs: ['5.6.7.8'] })[3], '5.6.7.8');
  assert.equal(svc({ type: 'ExternalName', externalName: 'example.com' })[3], 'example.com');
  assert.deepEqual(svc({ type: 'ClusterIP' }).slice(2, 5), ['<none>', '<none>', '<none>']);
});

test('endpoints and endpointslices', () => {
  const ep = { metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '10.88.0.5' }, { ip: '10.88.0.6' }], ports: [{ port: 80 }, { port: 443 }] }] };
  assert.equal(row('', 'Endpoints', ep)[1], '10.88.0.5:80,10.88.0.6:80,10.88.0.5:443 + 1 more...');
  assert.equal(row('', 'Endpoints', { metadata: { name: 'x' } })[1], '<none>');
  assert.equal(row('', 'Endpoints', { subsets: [{ addresses: [{ ip: '10.88.0.5' }] }] })[1], '10.88.0.5');
  assert.equal(row('', 'Endpoints', { subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }] })[1], '[fd00::1]:80');
  const slice = { metadata: { name: 'web-x' }, addressType: 'IPv4', ports: [{ port: 80, name: 'http' }],
    endpoints: [{ addresses: ['10.88.0.5'] }, { addresses: ['10.88.0.6'] }, { addresses: ['10.88.0.7'] }, { addresses: ['10.88.0.8'] }] };
  assert.deepEqual(row('discovery.k8s.io', 'EndpointSlice', slice).slice(0, 4), ['web-x', 'IPv4', '80', '10.88.0.5,10.88.0.6,10.88.0.7 + 1 more...']);
  assert.deepEqual(row('discovery.k8s.io', 'EndpointSlice', { metadata: { name: 'e' }, addressType: 'IPv4' }).slice(2, 4), ['<unset>', '<unset>']);
});

test('events', () => {
  const ev = { metadata: { name: 'web.123' }, type: 'Normal', reason: 'ScalingReplicaSet', message: ' Scaled up replica set web-abc to 3 ',
    involvedObject: { kind: 'Deployment', name: 'web' }, source: { component: 'deployment-controller' },
    firstTimestamp: ago(10 * M), lastTimestamp: ago(2 * M), count: 4 };
  assert.deepEqual(row('', 'Event', ev), ['2m', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller',
    'Scaled up replica set web-abc to 3', '10m', 4, 'web.123']);
  const newer = { metadata: { name: 'e2' }, type: 'Warning', reason: 'BackOff', involvedObject: { kind: 'Pod', name: 'p', fieldPath: 'spec.containers{a}' },
    eventTime: ago(30_000), reportingComponent: 'kubelet', reportingInstance: 'node1', message: 'x' };
  assert.deepEqual(row('', 'Event', newer), ['30s', 'Warning', 'BackOff', 'pod/p', 'spec.containers{a}', 'kubelet, node1', 'x', '30s', 1, 'e2']);
  const series = { ...newer, series: { count: 7, lastObservedTime: ago(5000) } };
  assert.equal(row('', 'Event', series)[0], '5s');
  assert.equal(row('', 'Event', series)[8], 7);
});

test('nodes, namespaces, configmaps, secrets, leases, default', () => {
  const node = { metadata: { name: 'n1', creationTimestamp: ago(49 * 3600_000), labels: { 'node-role.kubernetes.io/control-plane': '' } },
    spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.7' },
      addresses: [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'n1' }] } };
  assert.deepEqual(row('', 'Node', node), ['n1', 'Ready,SchedulingDisabled', 'control-plane', '2d1h', 'v1.32.0', '10.0.0.2', '<none>', 'Debian', '6.1', 'containerd://1.7']);
  assert.deepEqual(row('', 'Node', { metadata: { name: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }).slice(1, 3), ['NotReady', '<none>']);
  assert.equal(row('', 'Node', { metadata: { name: 'n3' } })[1], 'Unknown');
  assert.equal(row('', 'Node', { metadata: { name: 'n3' } })[7], '<unknown>');
  assert.deepEqual(row('', 'Namespace', { metadata: { name: 'default', creationTimestamp: ago(8 * 24 * 3600_000) }, status: { phase: 'Active' } }), ['default', 'Active', '8d']);
  assert.deepEqual(row('', 'ConfigMap', { metadata: { name: 'c' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }).slice(0, 2), ['c', 3]);
  assert.deepEqual(row('', 'Secret', { metadata: { name: 's' }, type: 'Opaque', data: { a: 'MQ==' } }).slice(0, 3), ['s', 'Opaque', 1]);
  assert.deepEqual(row('coordination.k8s.io', 'Lease', { metadata: { name: 'l' }, spec: { holderIdentity: 'node1' } }).slice(0, 2), ['l', 'node1']);
  assert.deepEqual(tableFor('', 'ServiceAccount').columns.map((c) => c.name), ['Name', 'Secrets', 'Age']);
  assert.deepEqual(row('', 'ServiceAccount', { metadata: { name: 'sa', creationTimestamp: ago(1000) }, secrets: [{ name: 'x' }] }), ['sa', 1, '1s']);
  assert.deepEqual(tableFor('', 'Whatever').columns.map((c) => c.name), ['Name', 'Age']);
  assert.deepEqual(row('', 'Whatever', { metadata: { name: 'x', creationTimestamp: ago(1000) } }), ['x', '1s']);
});

test('buildTable: includeObject and list metadata', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: { a: 'b' } }, spec: { containers: [] }, status: {} };
  const t = buildTable([pod], tableFor('', 'Pod'), NOW, 'Metadata', { resourceVersion: '42', continue: 'abc' });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '42', continue: 'abc' });
  assert.equal(t.columnDefinitions.length, 9);
  assert.equal(t.rows[0].cells.length, 9);
  assert.deepEqual(t.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
  assert.equal(buildTable([pod], tableFor('', 'Pod'), NOW, 'Object').rows[0].object, pod);
  assert.equal('object' in buildTable([pod], tableFor('', 'Pod'), NOW, 'None').rows[0], false);
  assert.deepEqual(buildTable([], tableFor('', 'Pod'), NOW).rows, []);
});

test('pods: upstream TestPrintPod cases', () => {
  const ago = (ms: number) => new Date(NOW - ms).toISOString();
  const c = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}` }));
  const run = { running: {} };
  const cases: [any, string[]][] = [
    [{ spec: { containers: c(2) }, status: { phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: run }, { restartCount: 3 }] } }, ['1/2', 'podPhase', '6']],
    [{ spec: { containers: c(2) }, status: { phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: run }, { state: { waiting: { reason: 'ContainerWaitingReason' } }, restartCount: 3 }] } }, ['1/2', 'ContainerWaitingReason', '6']],
    [{ spec: { containers: c(2) }, status: { phase: 'podPhase', containerStatuses: [{ state: { waiting: { reason: 'ContainerWaitingReason' } }, restartCount: 3 }, { state: { terminated: { reason: 'ContainerTerminatedReason' } }, restartCount: 3 }] } }, ['0/2', 'ContainerWaitingReason', '6']],
    [{ spec: { containers: c(2) }, status: { phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: run }, { ready: true, restartCount: 3 }] } }, ['1/2', 'podPhase', '6']],
    [{ spec: { containers: c(2) }, status: { reason: 'podReason', phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: run }, { ready: true, restartCount: 3 }] } }, ['1/2', 'podReason', '6']],
    [{ spec: { containers: c(2) }, status: { phase: 'Running', containerStatuses: [{ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }, { ready: true, restartCount: 3, state: run }] } }, ['1/2', 'NotReady', '6']],
    [{ spec: { containers: c(2) }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }, { ready: true, restartCount: 3, state: run }] } }, ['1/2', 'Running', '6']],
    [{ spec: { initContainers: c(1), containers: c(1) }, status: { phase: 'podPhase',
      initContainerStatuses: [{ name: 'c0', restartCount: 3, state: run, lastState: { terminated: { finishedAt: ago(10_000) } } }],
      containerStatuses: [{ restartCount: 0, state: { waiting: {} } }] } }, ['0/1', 'Init:0/1', '3 (10s ago)']],
    [{ spec: { initContainers: c(2), containers: c(1) }, status: { phase: 'podPhase',
      initContainerStatuses: [{ name: 'c0', restartCount: 3, state: run, lastState: { terminated: { finishedAt: ago(10_000) } } }, { name: 'c1', state: { waiting: {} } }],
      containerStatuses: [{ state: { waiting: {} } }] } }, ['0/1', 'Init:0/2', '3 (10s ago)']],
    [{ spec: { initContainers: c(2), containers: c(1) }, status: { phase: 'podPhase',
      initContainerStatuses: [{ name: 'c0', state: { terminated: {} } }, { name: 'c1', restartCount: 3, state: run, lastState: { terminated: { finishedAt: ago(10_000) } } }],
      containerStatuses: [{ state: { waiting: {} } }] } }, ['0/1', 'Init:1/2', '3 (10s ago)']],
    [{ spec: { initContainers: c(2), containers: c(1) }, status: { phase: 'podPhase',
      initContainerStatuses: [{ name: 'c0', restartCount: 2, state: { terminated: {} }, lastState: { terminated: { finishedAt: ago(120_000) } } },
        { name: 'c1', restartCount: 3, state: run, lastState: { terminated: { finishedAt: ago(10_000) } } }],
      containerStatuses: [{ state: { waiting: {} } }] } }, ['0/1', 'Init:1/2', '5 (10s ago)']],
    [{ spec: { initContainers: c(1), containers: c(1) }, status: { phase: 'Running',
      initContainerStatuses: [{ name: 'c0', restartCount: 2, state: { terminated: {} }, lastState: { terminated: { finishedAt: ago(120_000) } } }],
      containerStatuses: [{ restartCount: 4, state: run, lastState: { terminated: { finishedAt: ago(20_000) } } }] } }, ['0/1', 'Running', '4 (20s ago)']],
    [{ spec: { containers: c(1) }, status: { phase: 'Running', containerStatuses: [{ ready: true, restartCount: 3, state: run, lastState: { terminated: { finishedAt: ago(5 * 86400_000) } } }] } }, ['1/1', 'Running', '3 (5d ago)']],
    [{ spec: { containers: c(2) }, status: { phase: 'Running', containerStatuses: [{ ready: true, restartCount: 0, state: run },
      { ready: true, restartCount: 3, state: run, lastState: { terminated: { finishedAt: ago(10 * 86400_000) } } }] } }, ['2/2', 'Running', '3 (10d ago)']],
    [{ spec: { containers: c(2) }, status: { phase: 'Running', containerStatuses: [{ ready: true, restartCount: 6, state: run, lastState: { terminated: { finishedAt: ago(5 * 86400_000) } } },
      { ready: true, restartCount: 3, state: run, lastState: { terminated: { finishedAt: ago(20 * 86400_000) } } }] } }, ['2/2', 'Running', '9 (5d ago)']],
    [{ spec: { containers: c(1) }, metadata: { deletionTimestamp: ago(10_000) }, status: { phase: 'Succeeded', containerStatuses: [{ state: { terminated: { reason: 'Completed', exitCode: 0 } } }] } }, ['0/1', 'Completed', '0']],
    [{ spec: { containers: c(1) }, metadata: { deletionTimestamp: ago(10_000) }, status: { phase: 'Running', containerStatuses: [{ ready: true, state: run }] } }, ['1/1', 'Terminating', '0']],
  ];
  for (const [pod, want] of cases) {
    const { ready, status, restarts } = podStatusCells(pod, NOW);
    assert.deepEqual([ready, status, restarts], want, JSON.stringify(pod.status));
  }
});
