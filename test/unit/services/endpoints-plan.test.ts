import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import { planEndpointSubsets, findPort, selectorMatches, desiredEndpoints, endpointsUpToDate, serviceKeysForPod } from '../../../src/controllers/endpoints/plan.ts';
import {
  planEndpointSlices, endpointsFromPods, endpointsFromEndpoints, MANAGED_BY_CONTROLLER, LABEL_SERVICE_NAME, LABEL_MANAGED_BY,
} from '../../../src/controllers/endpointslice/plan.ts';

function pod(name: string, ip: string | undefined, opts: { labels?: Record<string, string>; ready?: boolean; deleting?: boolean; phase?: string; ns?: string; ports?: { name?: string; containerPort: number; protocol?: string }[]; node?: string } = {}): Pod {
  return {
    metadata: { name, namespace: opts.ns ?? 'default', uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: opts.node ?? 'n1', containers: [{ name: 'c', image: 'nginx', ports: opts.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: opts.phase ?? 'Running', podIP: ip, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}
function svc(ports: NonNullable<Service['spec']>['ports'], extra: Partial<NonNullable<Service['spec']>> = {}): Service {
  return { metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: { tier: 'front' } }, spec: { selector: { app: 'web' }, ports, ...extra } };
}

test('selector: equality on every key; an empty selector selects nothing', () => {
  assert.equal(selectorMatches({ app: 'web' }, { app: 'web', x: 'y' }), true);
  assert.equal(selectorMatches({ app: 'web', status: 'enabled' }, { app: 'web' }), false);
  assert.equal(selectorMatches({}, { app: 'web' }), false);
  assert.equal(selectorMatches(undefined, { app: 'web' }), false);
});

test('findPort: number, numeric string, named port by protocol, missing name', () => {
  const p = pod('a', '10.88.0.2', { ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] });
  assert.equal(findPort(p, { port: 80, targetPort: 9090 }), 9090);
  assert.equal(findPort(p, { port: 80 }), 80);
  assert.equal(findPort(p, { port: 80, targetPort: 'http' }), 8080);
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 53);
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'TCP' }), undefined);
  assert.equal(findPort(p, { port: 80, targetPort: 'nope' }), undefined);
});

test('Endpoints: ready pods in addresses, unready in notReadyAddresses, terminating/finished/IP-less/other pods left out', () => {
  const s = svc([{ name: 'http', port: 80, targetPort: 'http' }]);
  const subsets = planEndpointSubsets(s, [
    pod('b', '10.88.0.10'),
    pod('a', '10.88.0.9'),
    pod('unready', '10.88.0.3', { ready: false }),
    pod('dying', '10.88.0.4', { deleting: true }),
    pod('done', '10.88.0.5', { phase: 'Succeeded' }),
    pod('noip', undefined),
    pod('other', '10.88.0.6', { labels: { app: 'db' } }),
    pod('otherns', '10.88.0.7', { ns: 'kube-system' }),
  ]);
  assert.equal(subsets.length, 1);
  assert.deepEqual(subsets[0].addresses!.map((a) => a.ip), ['10.88.0.9', '10.88.0.10']); // numeric order
  assert.deepEqual(subsets[0].notReadyAddresses!.map((a) => a.ip), ['10.88.0.3']);
  assert.deepEqual(subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(subsets[0].addresses![0].targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
  assert.equal(subsets[0].addresses![0].nodeName, 'n1');
});

test('Endpoints: pods resolving a named port differently land in different subsets; a pod lacking it is left out', () => {
  const s = svc([{ name: 'http', port: 80, targetPort: 'http' }]);
  const subsets = planEndpointSubsets(s, [
    pod('a', '10.88.0.2', { ports: [{ name: 'http', containerPort: 8080 }] }),
    pod('b', '10.88.0.3', { ports: [{ name: 'http', containerPort: 9090 }] }),
    pod('c', '10.88.0.4', { ports: [{ name: 'other', containerPort: 80 }] }),
  ]);
  assert.equal(subsets.length, 2);
  const byPort = Object.fromEntries(subsets.map((x) => [x.ports![0].port, x.addresses!.map((a) => a.ip)]));
  assert.deepEqual(byPort, { 8080: ['10.88.0.2'], 9090: ['10.88.0.3'] });
});

test('Endpoints: publishNotReadyAddresses publishes unready and terminating pods as ready', () => {
  const s = svc([{ port: 80 }], { publishNotReadyAddresses: true });
  const [sub] = planEndpointSubsets(s, [pod('a', '10.88.0.2', { ready: false }), pod('b', '10.88.0.3', { deleting: true })]);
  assert.deepEqual(sub.addresses!.map((a) => a.ip), ['10.88.0.2', '10.88.0.3']);
  assert.equal(sub.notReadyAddresses, undefined);
});

test('Endpoints: no matching pod gives no subsets; up-to-date comparison ignores order of keys and empty lists', () => {
  const s = svc([{ port: 80 }]);
  const want = desiredEndpoints(s, []);
  assert.deepEqual(want.subsets, []);
  assert.deepEqual(want.metadata!.labels, { tier: 'front' });
  assert.equal(endpointsUpToDate({ metadata: { labels: { tier: 'front' }, resourceVersion: '5' } }, want), true);
  const want2 = desiredEndpoints(s, [pod('a', '10.88.0.2')]);
  assert.equal(endpointsUpToDate({ metadata: { labels: { tier: 'front' } }, subsets: [] }, want2), false);
  assert.equal(endpointsUpToDate(JSON.parse(JSON.stringify(want2)), want2), true);
});

test('Endpoints: headless Service without ports lists addresses without ports', () => {
  const s = svc([], { clusterIP: 'None' });
  const e = desiredEndpoints(s, [pod('a', '10.88.0.2')]);
  assert.deepEqual(e.subsets![0].addresses!.map((a) => a.ip), ['10.88.0.2']);
  assert.equal(e.subsets![0].ports, undefined);
  assert.equal(e.metadata!.labels!['service.kubernetes.io/headless'], '');
});

let n = 0;
const names = () => ({ managedBy: MANAGED_BY_CONTROLLER, newName: () => `web-${++n}` });

test('EndpointSlice: conditions ready/serving/terminating, nodeName, targetRef, labels, owner', () => {
  const s = svc([{ name: 'http', port: 80, targetPort: 'http' }]);
  const eps = endpointsFromPods(s, [pod('a', '10.88.0.2'), pod('b', '10.88.0.3', { ready: false }), pod('c', '10.88.0.4', { deleting: true }), pod('d', '10.88.0.5', { deleting: true, ready: false })]);
  const plan = planEndpointSlices(s, eps, [], names());
  assert.equal(plan.create.length, 1);
  const sl = plan.create[0];
  assert.equal(sl.addressType, 'IPv4');
  assert.equal(sl.metadata!.labels![LABEL_SERVICE_NAME], 'web');
  assert.equal(sl.metadata!.labels![LABEL_MANAGED_BY], 'endpointslice-controller.k8s.io');
  assert.equal(sl.metadata!.labels!.tier, 'front');
  assert.deepEqual(sl.metadata!.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(sl.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(sl.endpoints.map((e) => [e.addresses[0], e.conditions]), [
    ['10.88.0.2', { ready: true, serving: true, terminating: false }],
    ['10.88.0.3', { ready: false, serving: false, terminating: false }],
    ['10.88.0.4', { ready: false, serving: true, terminating: true }],
    ['10.88.0.5', { ready: false, serving: false, terminating: true }],
  ]);
  assert.equal(sl.endpoints[0].nodeName, 'n1');
  assert.deepEqual(sl.endpoints[0].targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
});

test('EndpointSlice: unchanged → no writes; a readiness change → one update of the same slice', () => {
  const s = svc([{ port: 80 }]);
  const first = planEndpointSlices(s, endpointsFromPods(s, [pod('a', '10.88.0.2'), pod('b', '10.88.0.3')]), [], names());
  const existing = first.create.map((x) => ({ ...x, metadata: { ...x.metadata, resourceVersion: '7' } }));
  const again = planEndpointSlices(s, endpointsFromPods(s, [pod('b', '10.88.0.3'), pod('a', '10.88.0.2')]), existing, names());
  assert.deepEqual(again, { create: [], update: [], delete: [] });
  const changed = planEndpointSlices(s, endpointsFromPods(s, [pod('a', '10.88.0.2', { ready: false }), pod('b', '10.88.0.3')]), existing, names());
  assert.equal(changed.create.length + changed.delete.length, 0);
  assert.equal(changed.update.length, 1);
  assert.equal(changed.update[0].metadata!.name, existing[0].metadata!.name);
  assert.equal(changed.update[0].metadata!.resourceVersion, '7');
  assert.equal(changed.update[0].endpoints[0].conditions!.ready, false);
});

test('EndpointSlice: no endpoints → one empty placeholder, reused when pods appear; chunks of maxPerSlice', () => {
  const s = svc([{ port: 80 }]);
  const empty = planEndpointSlices(s, [], [], names());
  assert.equal(empty.create.length, 1);
  assert.deepEqual(empty.create[0].endpoints, []);
  const existing = empty.create.map((x) => ({ ...x, metadata: { ...x.metadata, resourceVersion: '1' } }));
  const pods = Array.from({ length: 5 }, (_, i) => pod(`p${i}`, `10.88.0.${i + 2}`));
  const plan = planEndpointSlices(s, endpointsFromPods(s, pods), existing, { ...names(), maxPerSlice: 2 });
  assert.equal(plan.update.length, 1); // the placeholder took the first chunk
  assert.equal(plan.update[0].metadata!.name, existing[0].metadata!.name);
  assert.equal(plan.create.length, 2);
  assert.deepEqual([...plan.update, ...plan.create].map((x) => x.endpoints.length), [2, 2, 1]);
  assert.equal(plan.delete.length, 0);
  // Back to no pods: one slice kept (emptied), the others deleted.
  const all = [...plan.update, ...plan.create].map((x) => ({ ...x, metadata: { ...x.metadata, resourceVersion: '2' } }));
  const back = planEndpointSlices(s, [], all, names());
  assert.equal(back.create.length, 0);
  assert.equal(back.delete.length + back.update.length, 3);
  assert.equal(back.delete.length, 2);
});

test('EndpointSlice mirroring: hand-written Endpoints become slice endpoints', () => {
  const eps = endpointsFromEndpoints({
    metadata: { name: 'kubernetes', namespace: 'default' },
    subsets: [{ addresses: [{ ip: '192.0.2.2' }], notReadyAddresses: [{ ip: '192.0.2.3' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
  });
  assert.deepEqual(eps.map((e) => [e.ip, e.ready, e.ports[0].port]), [['192.0.2.2', true, 6443], ['192.0.2.3', false, 6443]]);
});

test('serviceKeysForPod: Services of the pod namespace selecting its new or old labels', () => {
  const svc = (ns: string, name: string, selector?: Record<string, string>) => ({ metadata: { namespace: ns, name }, spec: { selector } }) as any;
  const services = [svc('default', 'web', { app: 'web' }), svc('default', 'green', { app: 'green' }), svc('other', 'web', { app: 'web' }), svc('default', 'none')];
  const pod = (labels: Record<string, string>) => ({ metadata: { namespace: 'default', name: 'p', labels } }) as any;
  assert.deepEqual(serviceKeysForPod(services, pod({ app: 'web' })), ['default/web']);
  // A relabelled pod concerns both the Service it left and the one it joined.
  assert.deepEqual(serviceKeysForPod(services, pod({ app: 'green' }), pod({ app: 'web' })), ['default/web', 'default/green']);
  assert.deepEqual(serviceKeysForPod(services, pod({ tier: 'x' })), []);
});
