/**
 * The object model through the real API server and the real kubectl: explain from /openapi/v3, protobuf bodies
 * of `kubectl create`, upstream defaults as stored, strict unknown fields, 422 wording, 400 for wrong types.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from './harness.ts';

let c: Cluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

const yaml = (s: string) => s.replace(/^\n/, '');

test('kubectl explain reads the OpenAPI v3 documents', async () => {
  const r = await c.kubectl(['explain', 'deployment.spec.strategy']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /FIELD: strategy <DeploymentStrategy>/);
  assert.match(r.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/);
  const svc = await c.kubectl(['explain', 'service.spec.ports']);
  assert.equal(svc.code, 0, svc.stderr);
  assert.match(svc.stdout, /port\s+<integer> -required-/);
});

test('kubectl create (protobuf) stores upstream defaults', async () => {
  let r = await c.kubectl(['create', 'deployment', 'schema-web', '--image=nginx:1.25', '--port=80']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['get', 'deployment', 'schema-web', '-o', 'json']);
  const d = JSON.parse(r.stdout);
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  const ps = d.spec.template.spec;
  assert.equal(ps.restartPolicy, 'Always');
  assert.equal(ps.dnsPolicy, 'ClusterFirst');
  assert.equal(ps.terminationGracePeriodSeconds, 30);
  assert.equal(ps.schedulerName, 'default-scheduler');
  assert.deepEqual(ps.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(ps.containers[0].imagePullPolicy, 'IfNotPresent');
  r = await c.kubectl(['create', 'service', 'clusterip', 'schema-web', '--tcp=80:8080']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse((await c.kubectl(['get', 'svc', 'schema-web', '-o', 'json'])).stdout);
  assert.equal(s.spec.type, 'ClusterIP');
  assert.equal(s.spec.sessionAffinity, 'None');
  assert.deepEqual(s.spec.ipFamilies, ['IPv4']);
  assert.equal(s.spec.ipFamilyPolicy, 'SingleStack');
  assert.equal(s.spec.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(s.spec.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
  r = await c.kubectl(['create', 'namespace', 'schema-ns']);
  assert.equal(r.code, 0, r.stderr);
  const ns = JSON.parse((await c.kubectl(['get', 'ns', 'schema-ns', '-o', 'json'])).stdout);
  assert.equal(ns.status.phase, 'Active');
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'schema-ns');
});

test('kubectl run drops the client status; the pod starts Pending with its QoS class', async () => {
  const r = await c.kubectl(['run', 'schema-pod', '--image=nginx:1.25']);
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse((await c.kubectl(['get', 'pod', 'schema-pod', '-o', 'json'])).stdout);
  assert.equal(p.status.phase, 'Pending');
  assert.equal(p.status.qosClass, 'BestEffort');
  assert.equal(p.spec.enableServiceLinks, true);
  assert.equal(p.spec.serviceAccountName, 'default');
});

test('errors as Kubernetes prints them: unknown field (Strict), invalid selector, immutable selector, wrong type', async () => {
  const unknown = await c.kubectl(['apply', '-f', '-'], { input: yaml(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: schema-bad}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: c, image: nginx, bogusField: 1}]}
`) });
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /strict decoding error: unknown field "spec\.template\.spec\.containers\[0\]\.bogusField"/);
  const mismatch = await c.kubectl(['apply', '-f', '-'], { input: yaml(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: schema-bad}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: b}}
    spec: {containers: [{name: c, image: nginx}]}
`) });
  assert.notEqual(mismatch.code, 0);
  assert.match(mismatch.stderr, /The Deployment "schema-bad" is invalid: spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"b"\}: `selector` does not match template `labels`/);
  const immut = await c.kubectl(['patch', 'deployment', 'schema-web', '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}']);
  assert.notEqual(immut.code, 0);
  assert.match(immut.stderr, /spec\.selector: Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\{"app":"other"\}, MatchExpressions:\[\]v1\.LabelSelectorRequirement\(nil\)\}: field is immutable/);
  const wrongType = await c.kubectl(['apply', '-f', '-'], { input: yaml(`
apiVersion: v1
kind: Pod
metadata: {name: schema-typed}
spec:
  containers: [{name: c, image: nginx, ports: [{containerPort: "80"}]}]
`) });
  assert.notEqual(wrongType.code, 0);
  assert.match(wrongType.stderr, /Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort\.spec\.containers\.ports\.containerPort of type int32/);
  const got = await c.kubectl(['get', 'pod', 'schema-typed']);
  assert.notEqual(got.code, 0);
});
