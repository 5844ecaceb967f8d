import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../../src/api/registry.ts';
import { invalid as invalidStatus } from '../../../src/api/errors.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../../src/api/validation/names.ts';
import type { KubeObject } from '../../../src/api/resource.ts';

const R = (g: string, p: string) => findResource(g, 'v1', p)!;
const fields = (errs: { field: string }[]) => errs.map((e) => e.field);

function deployment(over: (d: any) => void = () => {}): KubeObject {
  const d: any = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  };
  over(d);
  R('apps', 'deployments').defaults(d);
  return d;
}

test('name syntax messages are upstream word for word', () => {
  assert.deepEqual(isDNS1123Subdomain('Bad_Name'), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(isDNS1123Label('a.b'), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(isDNS1123Label('x'.repeat(64)).slice(0, 1), ['must be no more than 63 characters']);
  assert.deepEqual(isValidLabelValue('-bad'), [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
  assert.deepEqual(isQualifiedName('example.com/'), ['name part must be non-empty']);
  assert.deepEqual(isQualifiedName('Example.com/x'), [
    "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
});

test('a valid deployment has no errors', () => {
  assert.deepEqual(R('apps', 'deployments').validate(deployment()), []);
});

test('selector must match template labels, with the upstream message and Go-rendered value', () => {
  const errs = R('apps', 'deployments').validate(deployment((d) => { d.spec.template.metadata.labels = { app: 'other', tier: 'fe' }; }));
  assert.deepEqual(errs, [{ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: 'Invalid value: map[string]string{"app":"other", "tier":"fe"}: `selector` does not match template `labels`' }]);
  const st = invalidStatus('Deployment', 'apps', 'web', errs);
  assert.equal(st.code, 422);
  assert.equal(st.message, 'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other", "tier":"fe"}: `selector` does not match template `labels`');
});

test('every field error is returned at once with upstream paths', () => {
  const errs = R('apps', 'deployments').validate(deployment((d) => {
    d.metadata.name = 'Web_1';
    d.metadata.labels = { 'bad key!': 'v' };
    d.spec.replicas = -1;
    d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } };
    d.spec.template.spec.restartPolicy = 'Never';
    d.spec.template.spec.containers = [
      { name: 'a', image: 'x', ports: [{ containerPort: 70000 }] },
      { name: 'a', image: '' },
    ];
  }));
  assert.deepEqual(fields(errs), [
    'metadata.name',
    'metadata.labels',
    'spec.replicas',
    'spec.template.spec.containers[0].ports[0].containerPort',
    'spec.template.spec.containers[1].image',
    'spec.template.spec.containers[1].name',
    'spec.template.spec.restartPolicy',
    'spec.strategy.rollingUpdate.maxUnavailable',
  ]);
  const byField = Object.fromEntries(errs.map((e) => [e.field, e.message]));
  assert.equal(byField['spec.replicas'], 'Invalid value: -1: must be greater than or equal to 0');
  assert.equal(byField['spec.template.spec.containers[0].ports[0].containerPort'], 'Invalid value: 70000: must be between 1 and 65535, inclusive');
  assert.equal(byField['spec.template.spec.containers[1].image'], 'Required value');
  assert.equal(byField['spec.template.spec.containers[1].name'], 'Duplicate value: "a"');
  assert.equal(byField['spec.template.spec.restartPolicy'], 'Unsupported value: "Never": supported values: "Always"');
  assert.equal(byField['spec.strategy.rollingUpdate.maxUnavailable'], 'Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0');
});

test('selector required, and immutable on update', () => {
  const d = deployment((x) => { delete x.spec.selector; });
  assert.deepEqual(R('apps', 'deployments').validate(d).map((e) => [e.field, e.message]), [['spec.selector', 'Required value']]);
  const old = deployment();
  const upd = deployment((x) => { x.spec.selector = { matchLabels: { app: 'web2' } }; x.spec.template.metadata.labels = { app: 'web2' }; });
  assert.deepEqual(R('apps', 'deployments').validate(upd, old), [{
    type: 'FieldValueInvalid', field: 'spec.selector',
    message: 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  }]);
  const rsOld: KubeObject = { metadata: { name: 'r', namespace: 'default' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
  R('apps', 'replicasets').defaults(rsOld);
  const rsNew = structuredClone(rsOld);
  (rsNew.spec as any).selector = { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] };
  (rsNew.spec as any).template.metadata.labels.x = 'y';
  assert.deepEqual(fields(R('apps', 'replicasets').validate(rsNew, rsOld)), ['spec.selector']);
});

test('metadata: name or generateName required, namespace of object immutable, cluster-scoped objects refuse a namespace', () => {
  const d = deployment((x) => { delete x.metadata.name; });
  assert.deepEqual(R('apps', 'deployments').validate(d).map((e) => e.message), ['Required value: name or generateName is required']);
  const old = deployment();
  const moved = deployment((x) => { x.metadata.namespace = 'other'; });
  assert.deepEqual(R('apps', 'deployments').validate(moved, old).map((e) => [e.field, e.message]), [['metadata.namespace', 'Invalid value: "other": field is immutable']]);
  const ns: KubeObject = { metadata: { name: 'team-a', namespace: 'default' } };
  assert.deepEqual(R('', 'namespaces').validate(ns).map((e) => [e.field, e.message]), [['metadata.namespace', 'Forbidden: not allowed on this type']]);
  const badNs: KubeObject = { metadata: { name: 'team.a' } };
  assert.deepEqual(fields(R('', 'namespaces').validate(badNs)), ['metadata.name']);
});

test('annotations: key syntax and total size', () => {
  const errs = R('', 'configmaps').validate({ metadata: { name: 'c', namespace: 'default', annotations: { 'a/b/c': 'x', ok: 'y'.repeat(300 * 1024) } } });
  assert.deepEqual(errs.map((e) => e.field), ['metadata.annotations', 'metadata.annotations']);
  assert.match(errs[0].message, /^Invalid value: "a\/b\/c": a qualified name must consist of/);
  assert.equal(errs[1].message, 'Too long: may not be more than 262144 bytes');
});

test('pods: probes, volumes, mounts, ports, resources', () => {
  const pods = R('', 'pods');
  const p: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec: {
    containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, protocol: 'HTTP' }],
      livenessProbe: { successThreshold: 2, exec: { command: ['true'] } },
      readinessProbe: { periodSeconds: 5 },
      volumeMounts: [{ name: 'missing', mountPath: '/data' }],
      resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }],
    volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }],
  } };
  pods.defaults(p);
  const errs = pods.validate(p);
  const byField = Object.fromEntries(errs.map((e) => [e.field, e.message]));
  assert.equal(byField['spec.volumes[0].hostPath'], 'Forbidden: may not specify more than 1 volume type');
  assert.equal(byField['spec.containers[0].ports[0].protocol'], 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"');
  assert.equal(byField['spec.containers[0].volumeMounts[0].name'], 'Not found: "missing"');
  assert.equal(byField['spec.containers[0].livenessProbe.successThreshold'], 'Invalid value: 2: must be 1');
  assert.equal(byField['spec.containers[0].readinessProbe'], 'Required value: must specify a handler type');
  assert.equal(byField['spec.containers[0].resources.requests[cpu]'], 'Invalid value: "2": must be less than or equal to cpu limit of 1');
});

test('volume mounts: unique mountPath, existing volume, relative subPath without .., propagation', () => {
  const pods = R('', 'pods');
  const p: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec: {
    containers: [{ name: 'c', image: 'x', volumeMounts: [
      { name: 'v', mountPath: '/a', subPath: '../etc' },
      { name: 'v', mountPath: '/a' },
      { name: 'v', mountPath: '/b', subPathExpr: '/abs/$(X)' },
      { name: 'v', mountPath: '/c', mountPropagation: 'Bidirectional' },
      { name: 'v', mountPath: '/d', mountPropagation: 'Sideways' },
    ] }],
    volumes: [{ name: 'v', emptyDir: {} }],
  } };
  pods.defaults(p);
  const byField = Object.fromEntries(pods.validate(p).map((e) => [e.field, e.message]));
  const m = 'spec.containers[0].volumeMounts';
  assert.equal(byField[`${m}[0].subPath`], `Invalid value: "../etc": must not contain '..'`);
  assert.equal(byField[`${m}[1].mountPath`], 'Invalid value: "/a": must be unique');
  assert.equal(byField[`${m}[2].subPathExpr`], 'Invalid value: "/abs/$(X)": must be a relative path');
  assert.equal(byField[`${m}[3].mountPropagation`], 'Forbidden: Bidirectional mount propagation is available only to privileged containers');
  assert.equal(byField[`${m}[4].mountPropagation`], 'Unsupported value: "Sideways": supported values: "Bidirectional", "HostToContainer", "None"');
});

test('downward API and projected volumes: field paths, resources, divisors, paths, modes, duplicate paths, token bounds', () => {
  const pods = R('', 'pods');
  const p: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec: {
    containers: [{ name: 'c', image: 'x', env: [
      { name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
      { name: 'B', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } },
      { name: 'C', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'D', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } },
      { name: 'E', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '2' } } },
      { name: 'F', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } } },
    ] }],
    volumes: [
      { name: 'd', downwardAPI: { items: [
        { path: '..x', fieldRef: { fieldPath: 'spec.nodeName' } },
        { path: 'ok', resourceFieldRef: { resource: 'limits.memory' } },
        { path: 'm', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o1777 },
      ] } },
      { name: 'pr', projected: { sources: [
        { configMap: { name: 'a', items: [{ key: 'k', path: 'same' }] } },
        { secret: { name: 'b', items: [{ key: 'k', path: 'same' }] } },
        { serviceAccountToken: { path: 'token', expirationSeconds: 60 } },
        { configMap: { name: 'c' }, secret: { name: 'd' } },
      ] } },
      { name: 'cm', configMap: { name: 'x', items: [{ key: 'bad key', path: 'p' }] } },
    ],
  } };
  pods.defaults(p);
  const byField = Object.fromEntries(pods.validate(p).map((e) => [e.field, e.message]));
  const e = 'spec.containers[0].env';
  const envPaths = '"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"';
  assert.equal(byField[`${e}[0].valueFrom.fieldRef.fieldPath`], `Unsupported value: "metadata.labels": supported values: ${envPaths}`);
  assert.equal(byField[`${e}[1].valueFrom.fieldRef.fieldPath`], 'Invalid value: "spec.nope": error converting fieldPath: field label not supported: spec.nope');
  assert.equal(byField[`${e}[2].valueFrom.fieldRef`], undefined);
  assert.match(byField[`${e}[3].valueFrom.resourceFieldRef.resource`], /^Unsupported value: "limits.gpu": supported values: "limits.cpu"/);
  assert.equal(byField[`${e}[4].valueFrom.resourceFieldRef.divisor`], `Invalid value: "2": only divisor's values 1m and 1 are supported with the cpu resource`);
  assert.equal(byField[`${e}[5].valueFrom.resourceFieldRef.divisor`], undefined);
  const d = 'spec.volumes[0].downwardAPI.items';
  assert.equal(byField[`${d}[0].path`], `Invalid value: "..x": must not start with '..'`);
  assert.match(byField[`${d}[0].fieldRef.fieldPath`], /^Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels"/);
  assert.equal(byField[`${d}[1].resourceFieldRef.containerName`], 'Required value');
  assert.equal(byField[`${d}[2].mode`], 'Invalid value: 1023: must be a number between 0 and 0777 (octal), both inclusive');
  assert.equal(byField['spec.volumes[1].projected'], 'Invalid value: "b": conflicting duplicate paths');
  assert.equal(byField['spec.volumes[1].projected.sources[2].serviceAccountToken.expirationSeconds'], 'Invalid value: 60: may not specify a duration less than 10 minutes');
  assert.equal(byField['spec.volumes[1].projected.sources[3]'], 'Forbidden: may not specify more than 1 volume type per source');
  assert.match(byField['spec.volumes[2].configMap.items[0].key'], /^Invalid value: "bad key": a valid config key must consist of alphanumeric characters/);
});

test('pod spec is immutable on update except images, activeDeadlineSeconds and added tolerations', () => {
  const pods = R('', 'pods');
  const old: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };
  pods.defaults(old);
  pods.admissionDefaults!(old);
  const img = structuredClone(old);
  (img.spec as any).containers[0].image = 'nginx:2';
  (img.spec as any).tolerations.push({ key: 'k', operator: 'Exists' });
  assert.deepEqual(pods.validate(img, old), []);
  const env = structuredClone(old);
  (env.spec as any).containers[0].env = [{ name: 'A', value: 'b' }];
  const errs = pods.validate(env, old);
  assert.deepEqual(fields(errs), ['spec']);
  assert.match(errs[0].message, /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
});

test('services: ports, names, protocol, type, and clusterIP immutability', () => {
  const svc = R('', 'services');
  const s: KubeObject = { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'Bogus', ports: [{ port: 0 }, { port: 80, protocol: 'TCP' }] } };
  svc.defaults(s);
  const errs = svc.validate(s);
  assert.deepEqual(errs.map((e) => [e.field, e.message]), [
    ['spec.type', 'Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    ['spec.ports[0].name', 'Required value'],
    ['spec.ports[0].port', 'Invalid value: 0: must be between 1 and 65535, inclusive'],
    ['spec.ports[0].targetPort', 'Invalid value: 0: must be between 1 and 65535, inclusive'],
    ['spec.ports[1].name', 'Required value'],
  ]);
  const bad: KubeObject = { metadata: { name: '1web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } };
  svc.defaults(bad);
  assert.match(svc.validate(bad)[0].message, /a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
  const old: KubeObject = { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80 }] } };
  svc.defaults(old);
  const upd = structuredClone(old);
  (upd.spec as any).clusterIP = '10.96.0.11';
  (upd.spec as any).clusterIPs = ['10.96.0.11'];
  assert.deepEqual(svc.validate(upd, old).map((e) => [e.field, e.message]), [['spec.clusterIPs[0]', 'Invalid value: []string{"10.96.0.11"}: may not change once set']]);
});

test('configmaps and secrets: key syntax, immutability', () => {
  const cm = R('', 'configmaps');
  assert.deepEqual(cm.validate({ metadata: { name: 'c', namespace: 'default' }, data: { 'a b': '1' } }).map((e) => e.field), ['data[a b]']);
  const old = { metadata: { name: 'c', namespace: 'default' }, data: { a: '1' }, immutable: true };
  assert.deepEqual(cm.validate({ ...old, data: { a: '2' } }, old).map((e) => [e.field, e.message]), [['data', 'Forbidden: field is immutable when `immutable` is set']]);
  const sec = R('', 'secrets');
  const s = { metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } };
  assert.deepEqual(sec.validate(s).map((e) => [e.field, e.message]), [['data[tls.key]', 'Required value']]);
  const o2 = { metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: {} };
  assert.deepEqual(sec.validate({ ...o2, type: 'other' }, o2).map((e) => e.message), ['Invalid value: "other": field is immutable']);
});

test('scale subresource and other kinds', () => {
  const lease = R('coordination.k8s.io', 'leases');
  assert.deepEqual(lease.validate({ metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { leaseDurationSeconds: 0 } }).map((e) => e.field), ['spec.leaseDurationSeconds']);
  const es = R('discovery.k8s.io', 'endpointslices');
  assert.deepEqual(es.validate({ metadata: { name: 'e', namespace: 'default' }, addressType: 'IPv5', endpoints: [] }).map((e) => e.message),
    ['Unsupported value: "IPv5": supported values: "IPv4", "IPv6", "FQDN"']);
  const nodes = R('', 'nodes');
  assert.deepEqual(nodes.validate({ metadata: { name: 'n1' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } }).map((e) => e.field), ['spec.taints[0].effect']);
});

test('port names are unique per container; host ports are unique per pod', () => {
  const pods = R('', 'pods');
  const p: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [
    { name: 'a', image: 'x', ports: [{ containerPort: 80, name: 'http', hostPort: 8080 }, { containerPort: 81, name: 'http' }] },
    { name: 'b', image: 'x', ports: [{ containerPort: 90, name: 'http', hostPort: 8080 }] },
  ] } };
  pods.defaults(p);
  assert.deepEqual(pods.validate(p).map((e) => [e.field, e.message]), [
    ['spec.containers[0].ports[1].name', 'Duplicate value: "http"'],
    ['spec.containers[1].ports[0].hostPort', 'Duplicate value: "8080/TCP"'],
  ]);
});

test('env names follow v1.32 relaxed rules (printable ASCII but "="); valueFrom needs exactly one source', () => {
  const pods = R('', 'pods');
  const p: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x', env: [
    { name: '1_OK' }, { name: 'A=B', value: 'x' }, { name: 'V', valueFrom: {} }, { name: 'W', valueFrom: { configMapKeyRef: { name: 'cm' } } },
  ] }] } };
  pods.defaults(p);
  assert.deepEqual(pods.validate(p).map((e) => [e.field, e.message]), [
    ['spec.containers[0].env[1].name', 'Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\''],
    ['spec.containers[0].env[2].valueFrom', 'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'],
    ['spec.containers[0].env[3].valueFrom.configMapKeyRef.key', 'Required value'],
  ]);
});
