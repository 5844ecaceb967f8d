/**
 * The real kubectl against a real `kubelite up` (control plane only, SQLite): every command of issue 2's
 * "Must show" list, with kubectl's own output checked as it prints it for Kubernetes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { R } from '../../src/client/resources.ts';

let c: Cluster;
let tmp: string;
before(async () => {
  c = await startCluster();
  tmp = mkdtempSync(join(tmpdir(), 'kubelite-kubectl-'));
});
after(async () => {
  await c?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}
async function fails(args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, { input });
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail:\n${r.stdout}`);
  return r.stderr;
}

const deployment = (name: string, image: string, replicas = 2, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: nginx
        image: ${image}${extra}
`;

test('version, api-resources and discovery', async () => {
  const v = await ok(['version', '-o', 'json']);
  assert.equal(JSON.parse(v).serverVersion.minor, '32');
  const res = await ok(['api-resources']);
  for (const line of [/^pods\s+po\s+v1\s+true\s+Pod$/m, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m,
    /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m, /^services\s+svc\s+v1\s+true\s+Service$/m,
    /^endpointslices\s+discovery\.k8s\.io\/v1\s+true\s+EndpointSlice$/m, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m]) {
    assert.match(res, line);
  }
  const ns = await ok(['get', 'ns']);
  for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(ns, new RegExp(`^${n}\\s+Active`, 'm'));
});

test('get all lists the kubernetes Service with 10.96.0.1', async () => {
  const out = await ok(['get', 'all']);
  assert.match(out, /service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
});

test('explain deployment (OpenAPI v3)', async () => {
  const out = await ok(['explain', 'deployment.spec.strategy']);
  assert.match(out, /KIND:\s+Deployment/);
  assert.match(out, /rollingUpdate/);
});

test('create deployment sends protobuf and the server defaults it', async () => {
  const out = await ok(['create', 'deployment', 'pb', '--image=nginx']);
  assert.match(out, /deployment.apps\/pb created/);
  const d = await c.client.get(R.deployments, 'default', 'pb');
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.selector.matchLabels, { app: 'pb' });
  assert.equal(d.spec.strategy.rollingUpdate.maxSurge, '25%');
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.metadata.generation, 1);
  const again = await fails(['create', 'deployment', 'pb', '--image=nginx']);
  assert.match(again, /error: failed to create deployment: deployments.apps "pb" already exists/); // kubectl's own wording for generators
  await ok(['create', 'service', 'clusterip', 'pbsvc', '--tcp=80']);
  await ok(['create', 'namespace', 'pbns']);
  await ok(['create', 'configmap', 'pbcm', '--from-literal=a=b']);
  const cm = await c.client.get(R.configmaps, 'default', 'pbcm');
  assert.deepEqual(cm.data, { a: 'b' });
});

test('run creates a Pod, status sent by the client is dropped, get -o wide / --show-labels / -A', async () => {
  assert.match(await ok(['run', 'web', '--image=nginx']), /pod\/web created/);
  const p = await c.client.get(R.pods, 'default', 'web');
  assert.equal(p.metadata.labels.run, 'web');
  assert.equal(p.spec.restartPolicy, 'Always');
  assert.equal(p.spec.terminationGracePeriodSeconds, 30);
  assert.equal(p.spec.dnsPolicy, 'ClusterFirst');
  assert.equal(p.spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(p.status.phase, 'Pending');
  const wide = await ok(['get', 'pods', '-o', 'wide', '--show-labels']);
  assert.match(wide, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\s+LABELS$/m);
  assert.match(wide, /^web\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>\s+<none>\s+<none>\s+run=web$/m);
  const all = await ok(['get', 'pods', '-A']);
  assert.match(all, /^default\s+web\s+0\/1\s+Pending/m);
  const sorted = await ok(['get', 'pods', '--sort-by=.metadata.name', '-o', 'name']);
  assert.match(sorted, /pod\/web/);
  const withStatus = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'st' }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] }, status: { phase: 'Running', podIP: '1.2.3.4' } });
  await ok(['create', '-f', '-'], withStatus);
  const st = await c.client.get(R.pods, 'default', 'st');
  assert.equal(st.status.phase, 'Pending');
  assert.equal(st.status.podIP, undefined);
  assert.equal(st.spec.containers[0].imagePullPolicy, 'IfNotPresent');
});

test('apply -f: created, unchanged, configured; apply --server-side', async () => {
  const f = join(tmp, 'd.yaml');
  writeFileSync(f, deployment('app', 'nginx:1.25'));
  assert.match(await ok(['apply', '-f', f]), /deployment.apps\/app created/);
  assert.match(await ok(['apply', '-f', f]), /deployment.apps\/app unchanged/);
  writeFileSync(f, deployment('app', 'nginx:1.26'));
  assert.match(await ok(['apply', '-f', f]), /deployment.apps\/app configured/);
  const d = await c.client.get(R.deployments, 'default', 'app');
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
  assert.equal(d.metadata.generation, 2);
  const ss = join(tmp, 'ss.yaml');
  writeFileSync(ss, deployment('ssa', 'nginx:1.25', 1));
  assert.match(await ok(['apply', '--server-side', '-f', ss]), /deployment.apps\/ssa serverside-applied/);
  writeFileSync(ss, deployment('ssa', 'nginx:1.25', 3));
  assert.match(await ok(['apply', '--server-side', '-f', ss]), /deployment.apps\/ssa serverside-applied/);
  const s = await c.client.get(R.deployments, 'default', 'ssa');
  assert.equal(s.spec.replicas, 3);
  assert.ok(s.metadata.managedFields.some((m: any) => m.manager === 'kubectl' && m.operation === 'Apply'));
});

test('replace -f and create -f', async () => {
  const f = join(tmp, 'r.yaml');
  writeFileSync(f, deployment('rep', 'nginx:1.25', 1));
  assert.match(await ok(['create', '-f', f]), /deployment.apps\/rep created/);
  writeFileSync(f, deployment('rep', 'nginx:1.27', 1));
  assert.match(await ok(['replace', '-f', f]), /deployment.apps\/rep replaced/);
  const d = await c.client.get(R.deployments, 'default', 'rep');
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27');
});

test('edit with EDITOR set to a script', async () => {
  await ok(['create', 'service', 'clusterip', 'edited', '--tcp=80']);
  const editor = join(tmp, 'editor.sh');
  writeFileSync(editor, '#!/bin/sh\nsed -i "s/^  labels:/  labels:\\n    edited: \\"yes\\"/" "$1"\n');
  chmodSync(editor, 0o755);
  const r = await c.kubectl(['edit', 'service', 'edited'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /service\/edited edited/);
  const s = await c.client.get(R.services, 'default', 'edited');
  assert.equal(s.metadata.labels.edited, 'yes');
});

test('patch: strategic, merge, json; a no-op patch keeps resourceVersion', async () => {
  await ok(['create', 'service', 'clusterip', 'pt', '--tcp=80']);
  assert.match(await ok(['patch', 'service', 'pt', '-p', '{"metadata":{"labels":{"a":"1"}}}']), /service\/pt patched/);
  const rv = (await c.client.get(R.services, 'default', 'pt')).metadata.resourceVersion;
  assert.match(await ok(['patch', 'service', 'pt', '-p', '{"metadata":{"labels":{"a":"1"}}}']), /service\/pt patched \(no change\)/);
  assert.equal((await c.client.get(R.services, 'default', 'pt')).metadata.resourceVersion, rv);
  await ok(['patch', 'service', 'pt', '--type=merge', '-p', '{"metadata":{"labels":{"b":"2"}}}']);
  await ok(['patch', 'service', 'pt', '--type=json', '-p', '[{"op":"remove","path":"/metadata/labels/a"}]']);
  const s = await c.client.get(R.services, 'default', 'pt');
  assert.equal(s.metadata.labels.a, undefined);
  assert.equal(s.metadata.labels.b, '2');
  // strategic merge on a list with a merge key: add a second port by port number
  await ok(['patch', 'service', 'pt', '-p', '{"spec":{"ports":[{"port":443,"name":"https","protocol":"TCP"}]}}']);
  const s2 = await c.client.get(R.services, 'default', 'pt');
  assert.equal(s2.spec.ports.length, 2);
});

test('label: one object, en masse with -l, removal with key-', async () => {
  for (const n of ['l1', 'l2', 'l3']) await ok(['run', n, '--image=nginx', '--labels', `app=blue,version=v1.5,name=${n}`]);
  assert.match(await ok(['label', 'pod', 'l1', 'status=enabled']), /pod\/l1 labeled/);
  const mass = await ok(['label', 'pods', '-l', 'app=blue,version=v1.5', 'tier=front']);
  assert.equal((mass.match(/labeled/g) ?? []).length, 3);
  assert.match(await ok(['label', 'pod', 'l1', 'status-']), /pod\/l1 unlabeled/);
  const out = await ok(['get', 'pods', '-l', 'tier=front,app in (blue),!status', '-o', 'name']);
  assert.deepEqual(out.trim().split('\n').sort(), ['pod/l1', 'pod/l2', 'pod/l3']);
  const notin = await ok(['get', 'pods', '-l', 'name notin (l1,l2)', '-o', 'name']);
  assert.match(notin, /pod\/l3/);
  assert.doesNotMatch(notin, /pod\/l1/);
});

test('scale goes through /scale and bumps generation; set image', async () => {
  await ok(['apply', '-f', '-'], deployment('sc', 'nginx:1.25', 1));
  const g0 = (await c.client.get(R.deployments, 'default', 'sc')).metadata.generation;
  assert.match(await ok(['scale', 'deployment', 'sc', '--replicas=4']), /deployment.apps\/sc scaled/);
  const d = await c.client.get(R.deployments, 'default', 'sc');
  assert.equal(d.spec.replicas, 4);
  assert.equal(d.metadata.generation, g0 + 1);
  const scale = await c.client.get(R.deployments, 'default', 'sc', 'scale');
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.status.selector, 'app=sc');
  await ok(['scale', 'deployment', 'sc', '--current-replicas=4', '--replicas=2']);
  assert.equal((await c.client.get(R.deployments, 'default', 'sc')).spec.replicas, 2);
  assert.match(await ok(['set', 'image', 'deployment/sc', 'nginx=nginx:1.27']), /deployment.apps\/sc image updated/);
  assert.equal((await c.client.get(R.deployments, 'default', 'sc')).spec.template.spec.containers[0].image, 'nginx:1.27');
});

test('describe deployment and service', async () => {
  await ok(['apply', '-f', '-'], deployment('desc', 'nginx:1.25', 1));
  const out = await ok(['describe', 'deployment', 'desc']);
  assert.match(out, /^Name:\s+desc$/m);
  assert.match(out, /^Selector:\s+app=desc$/m);
  assert.match(out, /RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/);
  await ok(['create', 'service', 'clusterip', 'descsvc', '--tcp=80']);
  assert.match(await ok(['describe', 'service', 'descsvc']), /^Type:\s+ClusterIP$/m);
});

test('get pods -w prints ADDED, MODIFIED and DELETED rows', async () => {
  const watch = c.kubectl(['get', 'pods', '-w', '--output-watch-events', '-l', 'w=1', '--request-timeout=15s'], { timeoutMs: 20000 });
  await new Promise((r) => setTimeout(r, 1500));
  await ok(['run', 'watched', '--image=nginx', '--labels', 'w=1']);
  await ok(['label', 'pod', 'watched', 'extra=1']);
  await ok(['delete', 'pod', 'watched', '--wait=false']);
  const r = await watch;
  assert.match(r.stdout, /^EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
  assert.match(r.stdout, /^ADDED\s+watched\s+0\/1\s+Pending/m);
  assert.match(r.stdout, /^MODIFIED\s+watched\s+0\/1\s+Pending/m);
  assert.match(r.stdout, /^DELETED\s+watched\s+0\/1/m);
});

test('errors printed as for Kubernetes: NotFound, AlreadyExists, Conflict, Invalid, unknown field under Strict', async () => {
  assert.match(await fails(['get', 'pod', 'nope']), /Error from server \(NotFound\): pods "nope" not found/);
  assert.match(await fails(['get', 'deployment', 'nope']), /Error from server \(NotFound\): deployments.apps "nope" not found/);
  await ok(['run', 'dup', '--image=nginx']);
  assert.match(await fails(['run', 'dup', '--image=nginx']), /Error from server \(AlreadyExists\): pods "dup" already exists/);
  const cur = JSON.parse(await ok(['get', 'pod', 'dup', '-o', 'json']));
  cur.metadata.resourceVersion = String(Number(cur.metadata.resourceVersion) - 1);
  cur.metadata.labels.x = 'y';
  const conflict = await fails(['replace', '-f', '-'], JSON.stringify(cur));
  assert.match(conflict, /Error from server \(Conflict\): .*Operation cannot be fulfilled on pods "dup": the object has been modified; please apply your changes to the latest version and try again/);
  const bad = deployment('bad', 'nginx').replace('labels: {app: bad}', 'labels: {app: other}');
  const inv = await fails(['apply', '-f', '-'], bad);
  assert.match(inv, /The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: map\[string\]string\{"app":"other"\}: `selector` does not match template `labels`/);
  const unknown = deployment('unk', 'nginx', 1, '\n        bogusField: 1');
  const uerr = await fails(['apply', '-f', '-'], unknown);
  assert.match(uerr, /strict decoding error: unknown field "spec.template.spec.containers\[0\].bogusField"/);
  const warn = await c.kubectl(['apply', '--validate=warn', '-f', '-'], { input: unknown });
  assert.equal(warn.code, 0, warn.stderr);
  assert.match(warn.stderr, /Warning: unknown field "spec.template.spec.containers\[0\].bogusField"/);
});

test('delete with --wait waits for the DELETED event', async () => {
  await ok(['create', 'deployment', 'gone', '--image=nginx']);
  assert.match(await ok(['delete', 'deployment', 'gone']), /deployment.apps "gone" deleted/);
  await waitFor(async () => {
    try { await c.client.get(R.deployments, 'default', 'gone'); return false; } catch (e: any) { return e.code === 404; }
  });
  assert.match(await fails(['delete', 'deployment', 'gone']), /NotFound/);
});
