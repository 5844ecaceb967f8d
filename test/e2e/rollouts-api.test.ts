/**
 * The argoproj.io/v1alpha1 API served natively, driven by the real kubectl: discovery, Argo's manifests applied
 * unchanged, Argo's printer columns, explain, the status and scale subresources, and every field error of a bad
 * Rollout or AnalysisTemplate in one 422.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startCluster, type Cluster } from './harness.ts';

let c: Cluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

/** The basic canary from Argo's getting-started guide, as published (no trafficRouting). */
const argoBasic = `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: rollouts-demo
spec:
  replicas: 5
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {}
      - setWeight: 40
      - pause: {duration: 10}
      - setWeight: 60
      - pause: {duration: 10}
      - setWeight: 80
      - pause: {duration: 10}
  revisionHistoryLimit: 2
  selector:
    matchLabels:
      app: rollouts-demo
  template:
    metadata:
      labels:
        app: rollouts-demo
    spec:
      containers:
      - name: rollouts-demo
        image: argoproj/rollouts-demo:blue
        ports:
        - name: http
          containerPort: 8080
          protocol: TCP
        resources:
          requests:
            memory: 32Mi
            cpu: 5m
`;

/** An AnalysisTemplate from Argo's analysis documentation. */
const argoTemplate = `
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  args:
  - name: service-name
  metrics:
  - name: success-rate
    interval: 5m
    successCondition: result[0] >= 0.95
    failureLimit: 3
    provider:
      prometheus:
        address: http://prometheus.example.com:9090
        query: |
          sum(irate(
            istio_requests_total{reporter="source",destination_service=~"{{args.service-name}}",response_code!~"5.*"}[5m]
          )) /
          sum(irate(
            istio_requests_total{reporter="source",destination_service=~"{{args.service-name}}"}[5m]
          ))
`;

test('discovery lists the four argoproj.io kinds with Argo\'s short names', async () => {
  const r = await c.kubectl(['api-resources', '--api-group=argoproj.io', '--no-headers']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
  const by = Object.fromEntries(rows.map((x) => [x[0], x]));
  assert.deepEqual(by.rollouts, ['rollouts', 'ro', 'argoproj.io/v1alpha1', 'true', 'Rollout']);
  assert.deepEqual(by.analysistemplates, ['analysistemplates', 'at', 'argoproj.io/v1alpha1', 'true', 'AnalysisTemplate']);
  assert.deepEqual(by.clusteranalysistemplates, ['clusteranalysistemplates', 'cat', 'argoproj.io/v1alpha1', 'false', 'ClusterAnalysisTemplate']);
  assert.deepEqual(by.analysisruns, ['analysisruns', 'ar', 'argoproj.io/v1alpha1', 'true', 'AnalysisRun']);
});

test("Argo's own manifests apply unchanged and print Argo's columns", async () => {
  let r = await c.kubectl(['apply', '-f', '-'], { input: argoBasic });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rollout.argoproj.io\/rollouts-demo created/);
  r = await c.kubectl(['apply', '-f', '-'], { input: argoTemplate });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /analysistemplate.argoproj.io\/success-rate created/);
  r = await c.kubectl(['get', 'rollouts']);
  assert.equal(r.code, 0, r.stderr);
  const [header, row] = r.stdout.trim().split('\n');
  assert.deepEqual(header.split(/\s+/), ['NAME', 'DESIRED', 'CURRENT', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
  assert.equal(row.split(/\s+/)[0], 'rollouts-demo');
  assert.equal(row.split(/\s+/)[1], '5');
  r = await c.kubectl(['get', 'ro', 'rollouts-demo', '-o', 'jsonpath={.spec.strategy.canary.steps[3].pause.duration}']);
  assert.equal(r.stdout, '10');
  r = await c.kubectl(['get', 'at', 'success-rate', '-o', 'jsonpath={.spec.metrics[0].successCondition}']);
  assert.equal(r.stdout, 'result[0] >= 0.95');
  // Every example in this repository applies as well.
  for (const f of ['canary.yaml', 'bluegreen.yaml']) {
    r = await c.kubectl(['apply', '--dry-run=server', '-f', join(repoRoot, 'examples/rollouts', f)]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
  }
});

test('kubectl explain reads the Rollout schema', async () => {
  const r = await c.kubectl(['explain', 'rollout.spec.strategy.canary.steps']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /setWeight\s+<integer>/);
  assert.match(r.stdout, /pause\s+<RolloutPause>/);
  const ar = await c.kubectl(['explain', 'analysistemplate.spec.metrics.provider.kubelite']);
  assert.equal(ar.code, 0, ar.stderr);
  assert.match(ar.stdout, /metric\s+<string> -required-/);
});

test('status and scale subresources: spec writes keep status, status writes keep spec', async () => {
  // The rollout controller runs in this cluster: a Rollout naming a Service that does not exist is one it only
  // marks InvalidSpec (Degraded) and otherwise leaves alone, so the status written here stays as written.
  const subDemo = argoBasic.replace('name: rollouts-demo', 'name: sub-demo').replace('    canary:\n      steps:', '    canary:\n      canaryService: no-such-service\n      steps:');
  let r = await c.kubectl(['apply', '-f', '-'], { input: subDemo });
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['patch', 'rollout', 'sub-demo', '--subresource=status', '--type=merge', '-p', '{"status":{"abort":true,"phase":"Degraded"}}']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['patch', 'rollout', 'sub-demo', '--type=merge', '-p', '{"spec":{"paused":true},"status":{"abort":false}}']);
  assert.equal(r.code, 0, r.stderr);
  const ro = JSON.parse((await c.kubectl(['get', 'rollout', 'sub-demo', '-o', 'json'])).stdout);
  assert.equal(ro.spec.paused, true);
  assert.equal(ro.status.abort, true);
  assert.equal(ro.status.phase, 'Degraded');
  r = await c.kubectl(['scale', 'rollout', 'sub-demo', '--replicas=3']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['get', 'rollout', 'sub-demo', '-o', 'jsonpath={.spec.replicas}']);
  assert.equal(r.stdout, '3');
});

test('a bad Rollout is one 422 that lists every field error', async () => {
  const bad = argoBasic
    .replace('name: rollouts-demo', 'name: bad-demo')
    .replace('- setWeight: 20', '- setWeight: 120')
    .replace('- setWeight: 40', '- setWieght: 40')
    .replace('app: rollouts-demo\n    spec:', 'app: something-else\n    spec:');
  const r = await c.kubectl(['apply', '-f', '-'], { input: bad });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown field "spec.strategy.canary.steps\[2\].setWieght"/);
  const strict = await c.kubectl(['apply', '--validate=false', '-f', '-'], { input: bad });
  assert.notEqual(strict.code, 0);
  assert.match(strict.stderr, /The Rollout "bad-demo" is invalid/);
  assert.match(strict.stderr, /spec.strategy.canary.steps\[0\].setWeight: Invalid value: 120: SetWeight needs to be between 0 and 100/);
  assert.match(strict.stderr, /spec.strategy.canary.steps\[2\]: Invalid value: .*Step must have one of the following set: experiment, setWeight, setCanaryScale or pause/);
  assert.match(strict.stderr, /spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/);
  const none = await c.kubectl(['get', 'rollout', 'bad-demo']);
  assert.notEqual(none.code, 0);
});

test('a bad AnalysisTemplate is one 422 that lists every field error', async () => {
  const bad = `
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: bad-template
spec:
  metrics:
  - name: no-provider
    successCondition: result > 0
    provider: {}
  - name: two-providers
    provider:
      web: {url: http://127.0.0.1:1/}
      prometheus: {query: up}
  - name: counted
    count: 3
    provider:
      web: {url: http://127.0.0.1:1/}
`;
  const r = await c.kubectl(['apply', '-f', '-'], { input: bad });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The AnalysisTemplate "bad-template" is invalid/);
  assert.match(r.stderr, /spec.metrics\[0\].provider: Required value: no provider specified/);
  assert.match(r.stderr, /spec.metrics\[1\].provider: Invalid value: .*multiple providers specified/);
  assert.match(r.stderr, /spec.metrics\[2\].count: Invalid value: 3: interval must be specified when count > 1/);
});

test('a Rollout naming a missing Service or template is Degraded with InvalidSpec, and touches nothing', async () => {
  const ro = argoBasic.replace('name: rollouts-demo', 'name: missing-refs')
    .replace('app: rollouts-demo', 'app: missing-refs').replace('app: rollouts-demo', 'app: missing-refs')
    .replace('    canary:\n      steps:', '    canary:\n      stableService: no-such-svc\n      canaryService: no-such-canary\n      steps:\n      - analysis: {templates: [{templateName: no-such-template}]}');
  const r = await c.kubectl(['apply', '-f', '-'], { input: ro });
  assert.equal(r.code, 0, r.stderr);
  const deadline = Date.now() + 30_000;
  let st: any;
  while (Date.now() < deadline) {
    st = JSON.parse((await c.kubectl(['get', 'rollout', 'missing-refs', '-o', 'json'])).stdout).status;
    if (st?.phase === 'Degraded') break;
    await new Promise((res) => setTimeout(res, 300));
  }
  assert.equal(st?.phase, 'Degraded');
  assert.match(st.message, /^InvalidSpec: /);
  assert.match(st.message, /services "no-such-svc" not found/);
  const rs = await c.kubectl(['get', 'rs', '-l', 'app=missing-refs', '-o', 'name']);
  assert.equal(rs.stdout.trim(), '', 'no ReplicaSet for an invalid Rollout');
});
