import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../../src/api/registry.ts';
import { defaultPullPolicy } from '../../../src/api/kinds/pod-defaults.ts';
import type { KubeObject } from '../../../src/api/resource.ts';

const R = (g: string, p: string) => findResource(g, 'v1', p)!;

test('Deployment defaults as upstream apps/v1 (replicas, RollingUpdate 25%/25%, history 10, deadline 600, pod template)', () => {
  const d: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } } },
  };
  R('apps', 'deployments').defaults(d);
  const spec = d.spec as any;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  const ps = spec.template.spec;
  assert.equal(ps.restartPolicy, 'Always');
  assert.equal(ps.terminationGracePeriodSeconds, 30);
  assert.equal(ps.dnsPolicy, 'ClusterFirst');
  assert.equal(ps.schedulerName, 'default-scheduler');
  assert.deepEqual(ps.securityContext, {});
  const c = ps.containers[0];
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.deepEqual(c.resources, {});
  assert.equal(c.ports[0].protocol, 'TCP');
  // templates get no pod-only defaults (SetDefaults_Pod, admission)
  assert.equal(ps.enableServiceLinks, undefined);
  assert.equal(ps.serviceAccountName, undefined);
  assert.equal(ps.tolerations, undefined);
});

test('Deployment defaults keep explicit values and leave Recreate without rollingUpdate', () => {
  const d: KubeObject = { metadata: { name: 'x' }, spec: { replicas: 0, revisionHistoryLimit: 0, strategy: { type: 'Recreate' }, template: { spec: { containers: [] } } } };
  R('apps', 'deployments').defaults(d);
  const spec = d.spec as any;
  assert.equal(spec.replicas, 0);
  assert.equal(spec.revisionHistoryLimit, 0);
  assert.deepEqual(spec.strategy, { type: 'Recreate' });
  const d2: KubeObject = { metadata: { name: 'x' }, spec: { strategy: { rollingUpdate: { maxSurge: 1 } } } };
  R('apps', 'deployments').defaults(d2);
  assert.deepEqual((d2.spec as any).strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } });
});

test('imagePullPolicy by tag: Always for :latest or no tag, IfNotPresent otherwise (digests and registry ports too)', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('nginx:1.25'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('registry.local:5000/app'), 'Always');
  assert.equal(defaultPullPolicy('registry.local:5000/app:v2'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('nginx@sha256:abcd'), 'IfNotPresent');
});

test('Probe and handler defaults: timeout 1, period 10, success 1, failure 3, httpGet scheme HTTP and path /', () => {
  const p: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x:1',
    readinessProbe: { httpGet: { port: 80 } }, livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
    lifecycle: { preStop: { httpGet: { port: 'http' } } } }] } };
  R('', 'pods').defaults(p);
  const c = (p.spec as any).containers[0];
  assert.deepEqual(c.readinessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.livenessProbe.periodSeconds, 5);
  assert.equal(c.livenessProbe.failureThreshold, 3);
  assert.equal(c.lifecycle.preStop.httpGet.scheme, 'HTTP');
});

test('Pod defaults: admission defaults, requests from limits, volumes and QoS/status on create', () => {
  const pods = R('', 'pods');
  const p: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec: {
    containers: [{ name: 'c', image: 'x:1', resources: { limits: { cpu: '500m', memory: '128Mi' } } }],
    volumes: [{ name: 'data' }, { name: 'cfg', configMap: { name: 'c' } }, { name: 'hp', hostPath: { path: '/tmp' } }],
  }, status: { phase: 'Running', podIP: '1.2.3.4' } };
  pods.defaults(p);
  // The service account and tolerations are admission's (after the field manager), as upstream.
  assert.equal((p.spec as any).serviceAccountName, undefined);
  assert.equal((p.spec as any).tolerations, undefined);
  pods.admissionDefaults!(p);
  pods.prepareForCreate!(p);
  const spec = p.spec as any;
  assert.deepEqual(spec.containers[0].resources.requests, { cpu: '500m', memory: '128Mi' });
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.enableServiceLinks, true);
  assert.deepEqual(spec.volumes[0], { name: 'data', emptyDir: {} });
  assert.equal(spec.volumes[1].configMap.defaultMode, 420);
  assert.equal(spec.volumes[2].hostPath.type, '');
  assert.ok(spec.tolerations.some((t: any) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoExecute'));
  assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'Guaranteed' });
  const be: KubeObject = { metadata: { name: 'q', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  pods.defaults(be); pods.prepareForCreate!(be);
  assert.equal((be.status as any).qosClass, 'BestEffort');
});

test('Service defaults: ClusterIP, None affinity, TCP, targetPort = port, single-stack IPv4, internal policy Cluster', () => {
  const s: KubeObject = { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns', name: 'dns' }] } };
  R('', 'services').defaults(s);
  const spec = s.spec as any;
  assert.equal(spec.type, 'ClusterIP');
  assert.equal(spec.sessionAffinity, 'None');
  assert.deepEqual(spec.ports[0], { port: 80, protocol: 'TCP', targetPort: 80 });
  assert.equal(spec.ports[1].targetPort, 'dns');
  assert.deepEqual(spec.ipFamilies, ['IPv4']);
  assert.equal(spec.ipFamilyPolicy, 'SingleStack');
  assert.equal(spec.internalTrafficPolicy, 'Cluster');
  assert.equal(spec.externalTrafficPolicy, undefined);
  const np: KubeObject = { metadata: { name: 'np' }, spec: { type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } };
  R('', 'services').defaults(np);
  assert.equal((np.spec as any).externalTrafficPolicy, 'Cluster');
  assert.equal((np.spec as any).sessionAffinityConfig.clientIP.timeoutSeconds, 10800);
  const ext: KubeObject = { metadata: { name: 'e' }, spec: { externalIPs: ['192.0.2.1'], sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } }, ports: [{ port: 80 }] } };
  R('', 'services').defaults(ext);
  assert.equal((ext.spec as any).externalTrafficPolicy, 'Cluster');
  assert.equal((ext.spec as any).sessionAffinityConfig, undefined);
  const en: KubeObject = { metadata: { name: 'en' }, spec: { type: 'ExternalName', externalName: 'example.com' } };
  R('', 'services').defaults(en);
  assert.equal((en.spec as any).internalTrafficPolicy, undefined);
  assert.equal((en.spec as any).ipFamilies, undefined);
});

test('ReplicaSet replicas 1; Namespace phase Active, finalizer kubernetes and name label; Secret type Opaque with stringData merged', () => {
  const rs: KubeObject = { metadata: { name: 'r' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } };
  R('apps', 'replicasets').defaults(rs);
  assert.equal((rs.spec as any).replicas, 1);
  const ns: KubeObject = { metadata: { name: 'team-a' }, status: { phase: 'Terminating' } };
  const nsd = R('', 'namespaces');
  nsd.defaults(ns); nsd.prepareForCreate!(ns);
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.deepEqual((ns.spec as any).finalizers, ['kubernetes']);
  assert.equal((ns.metadata as any).labels['kubernetes.io/metadata.name'], 'team-a');
  const sec: KubeObject = { metadata: { name: 's' }, data: { a: 'YQ==' }, stringData: { b: 'hello' } };
  R('', 'secrets').defaults(sec);
  assert.equal(sec.type, 'Opaque');
  assert.deepEqual(sec.data, { a: 'YQ==', b: Buffer.from('hello').toString('base64') });
  assert.equal(sec.stringData, undefined);
});

test('prepareForCreate drops client status; prepareForUpdate keeps old status; status updates keep old spec', () => {
  const d = R('apps', 'deployments');
  const obj: KubeObject = { metadata: { name: 'w', labels: { a: '1' } }, spec: { replicas: 2 }, status: { replicas: 99 } };
  d.prepareForCreate!(obj);
  assert.deepEqual(obj.status, {});
  const old: KubeObject = { metadata: { name: 'w', labels: { a: '1' } }, spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 1 } };
  const upd: KubeObject = { metadata: { name: 'w', labels: { a: '1' } }, spec: { replicas: 5 }, status: { replicas: 0 } };
  d.prepareForUpdate!(upd, old);
  assert.deepEqual(upd.status, { replicas: 2, readyReplicas: 1 });
  assert.equal((upd.spec as any).replicas, 5);
  const st: KubeObject = { metadata: { name: 'w', labels: { b: '2' } }, spec: { replicas: 7 }, status: { replicas: 3 } };
  d.prepareForStatusUpdate!(st, old);
  assert.equal((st.spec as any).replicas, 2);
  assert.deepEqual((st.metadata as any).labels, { a: '1' });
  assert.deepEqual(st.status, { replicas: 3 });
  const pods = R('', 'pods');
  const pst: KubeObject = { metadata: { name: 'p', labels: { x: 'y' } }, spec: { nodeName: 'evil' }, status: { phase: 'Running' } };
  pods.prepareForStatusUpdate!(pst, { metadata: { name: 'p' }, spec: { nodeName: 'n1' }, status: { phase: 'Pending' } });
  assert.equal((pst.spec as any).nodeName, 'n1');
  assert.deepEqual((pst.metadata as any).labels, { x: 'y' });
});

test('Service update keeps allocated clusterIP and nodePorts when the new object omits them', () => {
  const svc = R('', 'services');
  const old: KubeObject = { metadata: { name: 's' }, spec: { type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] }, status: { loadBalancer: {} } };
  const upd: KubeObject = { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }] } };
  svc.prepareForUpdate!(upd, old);
  assert.equal((upd.spec as any).clusterIP, '10.96.0.20');
  assert.deepEqual((upd.spec as any).clusterIPs, ['10.96.0.20']);
  assert.equal((upd.spec as any).ports[0].nodePort, 30080);
});

test('Service type changes drop the fields that no longer apply (upstream dropTypeDependentFields)', () => {
  const svc = R('', 'services');
  const old: KubeObject = { metadata: { name: 's', namespace: 'default' }, spec: { type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30080 }] } };
  svc.defaults(old);
  const toClusterIP = structuredClone(old);
  (toClusterIP.spec as any).type = 'ClusterIP';
  svc.prepareForUpdate!(toClusterIP, old);
  svc.defaults(toClusterIP);
  assert.equal((toClusterIP.spec as any).ports[0].nodePort, undefined);
  assert.equal((toClusterIP.spec as any).externalTrafficPolicy, undefined);
  assert.equal((toClusterIP.spec as any).clusterIP, '10.96.0.20');
  assert.deepEqual(svc.validate(toClusterIP, old), []);
  const toExternal = structuredClone(old);
  Object.assign(toExternal.spec as any, { type: 'ExternalName', externalName: 'example.com' });
  svc.prepareForUpdate!(toExternal, old);
  svc.defaults(toExternal);
  assert.equal((toExternal.spec as any).clusterIP, undefined);
  assert.equal((toExternal.spec as any).ipFamilies, undefined);
  assert.deepEqual(svc.validate(toExternal, old), []);
});

test('container resource quantities are stored in canonical form (numbers and plain decimals become strings)', () => {
  const p: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x:1',
    resources: { limits: { cpu: 0.5, memory: '128Mi' }, requests: { cpu: '1000m', memory: 67108864 } } }] } };
  R('', 'pods').defaults(p);
  assert.deepEqual((p.spec as any).containers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '1', memory: '67108864' } });
});
