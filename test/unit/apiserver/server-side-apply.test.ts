/**
 * Server-side apply through the real kubectl against the API server (in process), as upstream's
 * test/cmd/apply.sh run_kubectl_server_side_apply_tests does it: a new --field-manager with --force-conflicts
 * applying the same manifest becomes a co-owner of every field it applied (a write, new resourceVersion); the
 * same apply again changes nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type TestServer } from './server-fixture.ts';

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

const podYaml = `apiVersion: v1
kind: Pod
metadata:
  name: test-pod
  labels:
    name: test-pod-label
spec:
  containers:
  - name: kubernetes-pause
    image: registry.k8s.io/pause:3.10
`;

test('apply --server-side --field-manager=my-field-manager --force-conflicts records the manager as co-owner', async () => {
  const f = join(s.dir, 'pod.yaml');
  writeFileSync(f, podYaml);
  const k = async (...args: string[]) => {
    const r = await s.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  assert.match(await k('apply', '--server-side', '-f', f), /pod\/test-pod serverside-applied/);
  assert.equal(await k('get', '--show-managed-fields', '-f', f, '-o=jsonpath={.metadata.managedFields[*].manager}'), 'kubectl');
  const rv1 = await k('get', '-f', f, '-o=jsonpath={.metadata.resourceVersion}');

  await k('apply', '--server-side', '--field-manager=my-field-manager', '--force-conflicts', '-f', f);
  const managers = (await k('get', '--show-managed-fields', '-f', f, '-o=jsonpath={.metadata.managedFields[*].manager}')).split(' ').sort();
  assert.deepEqual(managers, ['kubectl', 'my-field-manager']);
  const rv2 = await k('get', '-f', f, '-o=jsonpath={.metadata.resourceVersion}');
  assert.notEqual(rv2, rv1, 'a new co-owner is a write');
  // Both own every field of the manifest (same values: shared ownership).
  const pod = JSON.parse(await k('get', '--show-managed-fields', '-f', f, '-o', 'json'));
  const fields = (m: string) => pod.metadata.managedFields.find((e: any) => e.manager === m).fieldsV1;
  assert.deepEqual(fields('my-field-manager'), fields('kubectl'));
  assert.deepEqual(fields('my-field-manager')['f:spec']['f:containers']['k:{"name":"kubernetes-pause"}']['f:image'], {});
  assert.equal(pod.metadata.managedFields.find((e: any) => e.manager === 'my-field-manager').operation, 'Apply');

  // The same apply again: nothing changes, not even the resourceVersion.
  await k('apply', '--server-side', '--field-manager=my-field-manager', '--force-conflicts', '-f', f);
  assert.equal(await k('get', '-f', f, '-o=jsonpath={.metadata.resourceVersion}'), rv2);

  // A changed value under force: my-field-manager takes it; kubectl keeps the rest.
  writeFileSync(f, podYaml.replace('test-pod-label', 'relabelled'));
  await k('apply', '--server-side', '--field-manager=my-field-manager', '--force-conflicts', '-f', f);
  const after2 = JSON.parse(await k('get', '--show-managed-fields', '-f', f, '-o', 'json'));
  const own = (m: string) => after2.metadata.managedFields.find((e: any) => e.manager === m).fieldsV1;
  assert.equal(own('kubectl')['f:metadata']?.['f:labels']?.['f:name'], undefined);
  assert.deepEqual(own('my-field-manager')['f:metadata']['f:labels']['f:name'], {});
  assert.deepEqual(own('kubectl')['f:spec']['f:containers']['k:{"name":"kubernetes-pause"}']['f:image'], {});
  // kubectl applying the old label without force is now a conflict with my-field-manager.
  writeFileSync(f, podYaml);
  const conflict = await s.kubectl(['apply', '--server-side', '-f', f]);
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "my-field-manager": \.metadata\.labels\.name/);
});

test('what admission adds to a pod belongs to no manager: a client-side-apply create upgrades to server-side apply cleanly', async () => {
  // upstream test/cmd apply "upgrade CSA -> SSA": kubectl moves the client-side manager's fields to its apply
  // manager and applies again; had the creator owned the default tolerations and priority, that second apply
  // would remove them (a forbidden pod update).
  const f = join(s.dir, 'csa-pod.yaml');
  const f2 = join(s.dir, 'csa-pod-applied.yaml');
  writeFileSync(f, podYaml.replace('test-pod\n', 'csa-pod\n'));
  writeFileSync(f2, podYaml.replace('test-pod\n', 'csa-pod\n').replace('test-pod-label', 'test-pod-applied'));
  const k = async (...args: string[]) => {
    const r = await s.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  await k('apply', '-f', f);
  const created = JSON.parse((await k('get', '--show-managed-fields', '-f', f, '-o', 'json')).stdout);
  assert.equal(created.spec.tolerations.length, 2, 'admission added the default tolerations');
  assert.equal(created.spec.priority, 0);
  const owned = created.metadata.managedFields.find((m: any) => m.manager === 'kubectl-client-side-apply').fieldsV1['f:spec'];
  for (const f of ['f:tolerations', 'f:priority', 'f:preemptionPolicy', 'f:serviceAccountName', 'f:serviceAccount']) assert.equal(owned[f], undefined, `${f} is not the creator's`);
  for (const f of ['f:containers', 'f:restartPolicy', 'f:dnsPolicy', 'f:terminationGracePeriodSeconds', 'f:enableServiceLinks']) assert.ok(owned[f], `${f} (decoding defaults) is the creator's`);
  const up = await k('apply', '--server-side', '-f', f2);
  assert.match(up.stdout, /pod\/csa-pod serverside-applied/);
  assert.doesNotMatch(up.stderr, /failed to re-apply/);
  const after = JSON.parse((await k('get', '-f', f, '-o', 'json')).stdout);
  assert.equal(after.metadata.labels.name, 'test-pod-applied');
  assert.equal(after.spec.tolerations.length, 2);
  assert.match((await k('apply', 'view-last-applied', 'pod/csa-pod', '-o', 'json')).stdout, /test-pod-applied/);
});
