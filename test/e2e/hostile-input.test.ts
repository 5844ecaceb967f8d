/**
 * Hostile input against a running cluster (issue 12), class by class, through the real kubectl and raw HTTPS:
 * integers that overflow their Go type in several kinds (a CR too), int64 overflow, floats into integers,
 * `.`/`..` (also %2e-encoded) and `%2F` in name positions, duplicate keys nested under fieldValidation Strict,
 * an absurd replica count. Each answer has upstream's status and words, no answer is a 5xx, and the stored state
 * is what it was.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { R } from '../../src/client/resources.ts';
import { StatusError } from '../../src/api/errors.ts';

let c: Cluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

/** A raw request: the status and Status body, whatever the code (never a 5xx in this file). */
async function raw(method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ code: number; message: string; obj?: any }> {
  try {
    const obj = await c.client.request(method, path, body, contentType);
    return { code: 200, message: '', obj };
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    assert.ok(e.code < 500, `${method} ${path}: a server error: ${e.code} ${e.message}`);
    return { code: e.code, message: e.message };
  }
}
const deployment = (name: string, replicas: string) =>
  `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}"},"spec":{"replicas":${replicas},"selector":{"matchLabels":{"app":"${name}"}},"template":{"metadata":{"labels":{"app":"${name}"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}`;

test('integer overflow and non-integers: 400 with the Go decoder words in several kinds; kubectl shows them', async () => {
  const cases: [string, string, string][] = [
    ['/apis/apps/v1/namespaces/default/deployments', deployment('big', '1000000000000'), 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1000000000000 into Go struct field DeploymentSpec.spec.replicas of type int32'],
    ['/apis/apps/v1/namespaces/default/deployments', deployment('flt', '1.5'), 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32'],
    ['/api/v1/namespaces/default/pods', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"activeDeadlineSeconds":9223372036854775808,"containers":[{"name":"c","image":"i"}]}}', 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 9223372036854775808 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64'],
    ['/api/v1/namespaces/default/services', '{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":4294967377}]}}', 'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal number 4294967377 into Go struct field ServicePort.spec.ports.port of type int32'],
    ['/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', '{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h"},"spec":{"maxReplicas":1e3,"scaleTargetRef":{"kind":"Deployment","name":"d","apiVersion":"apps/v1"}}}', 'HorizontalPodAutoscaler in version "v2" cannot be handled as a HorizontalPodAutoscaler: json: cannot unmarshal number 1e3 into Go struct field HorizontalPodAutoscalerSpec.spec.maxReplicas of type int32'],
    ['/apis/argoproj.io/v1alpha1/namespaces/default/rollouts', '{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"r"},"spec":{"replicas":-2147483649,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}', 'Rollout in version "v1alpha1" cannot be handled as a Rollout: json: cannot unmarshal number -2147483649 into Go struct field RolloutSpec.spec.replicas of type int32'],
  ];
  for (const [path, body, msg] of cases) {
    const r = await raw('POST', path, body);
    assert.equal(r.code, 400, `${path}: ${r.message}`);
    assert.equal(r.message, msg);
  }
  // kubectl sends the same body and prints the same words.
  const k = await c.kubectl(['create', '-f', '-'], { input: deployment('kbig', '1000000000000') });
  assert.notEqual(k.code, 0);
  assert.match(k.stderr, /cannot unmarshal number 1000000000000 into Go struct field DeploymentSpec\.spec\.replicas of type int32/);
  const list = await c.client.list(R.deployments, 'default');
  assert.deepEqual(list.items.map((d: any) => d.metadata.name), [], 'nothing stored');
  // kubectl scale patches the Scale subresource: refused as a Scale that does not decode.
  assert.equal((await c.kubectl(['create', 'deployment', 'sc', '--image=nginx'])).code, 0);
  const sc = await c.kubectl(['scale', 'deployment', 'sc', '--replicas=1000000000000']);
  assert.notEqual(sc.code, 0);
  assert.match(sc.stderr, /cannot unmarshal number 1000000000000 into Go struct field ScaleSpec\.spec\.replicas of type int32/);
  assert.equal((await c.client.get(R.deployments, 'default', 'sc')).spec.replicas, 1, 'state intact');
  await c.client.delete(R.deployments, 'default', 'sc');
});

test('a custom resource: its schema format bounds integers (422)', async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gauges.hostile.example.com' },
    spec: {
      group: 'hostile.example.com', scope: 'Namespaced', names: { plural: 'gauges', singular: 'gauge', kind: 'Gauge' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', format: 'int32' } } } } } } }],
    },
  };
  await c.client.create(R.customresourcedefinitions, undefined, crd);
  const body = '{"apiVersion":"hostile.example.com/v1","kind":"Gauge","metadata":{"name":"g"},"spec":{"replicas":1000000000000}}';
  const r = await waitFor(async () => { const x = await raw('POST', '/apis/hostile.example.com/v1/namespaces/default/gauges', body); return x.code === 404 ? undefined : x; }, { message: 'gauges served' });
  assert.equal(r.code, 422, r.message);
  assert.match(r.message, /spec\.replicas: Invalid value: 1000000000000: Checked value must be of type integer with format int32 in spec\.replicas/);
});

test('names: . and .. (also %2e-encoded) and % are refused in a name position; %2F separates; never the parent', async () => {
  await c.client.create(R.configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' }, data: { a: 'b' } });
  for (const [seg, name, why] of [['%2e%2e', '..', "may not be '..'"], ['%2E%2e', '..', "may not be '..'"], ['..', '..', "may not be '..'"], ['.', '.', "may not be '.'"], ['%2e', '.', "may not be '.'"], ['x%25y', 'x%y', "may not contain '%'"]]) {
    for (const method of ['GET', 'DELETE']) {
      const r = await raw(method, `/api/v1/namespaces/default/configmaps/${seg}`);
      assert.equal(r.code, 400, `${method} ${seg}: ${r.message}`);
      assert.equal(r.message, `Name parameter invalid: ${JSON.stringify(name)}: ${why}`);
    }
  }
  // .. under a namespace never reads the Namespace; %2F is a separator (configmaps/keep%2Fx: subresource x of keep: none).
  assert.equal((await raw('GET', '/api/v1/namespaces/default/configmaps/keep%2Fx')).code, 404);
  // An encoded separator alone leaves an empty name: no route (404), never the collection — a DELETE there is not
  // a deletecollection.
  for (const seg of ['%2F', '%2F%2F', 'keep%2F']) {
    for (const method of ['GET', 'DELETE']) assert.equal((await raw(method, `/api/v1/namespaces/default/configmaps/${seg}`)).code, 404, `${method} ${seg}`);
  }
  // kubectl refuses such names itself, before any request.
  const k = await c.kubectl(['get', 'configmap', '..']);
  assert.notEqual(k.code, 0);
  assert.match(k.stderr, /may not be '\.\.'/);
  // In a body: 422 for metadata.name '..'.
  const b = await raw('POST', '/api/v1/namespaces/default/configmaps', '{"metadata":{"name":".."}}');
  assert.equal(b.code, 422, b.message);
  assert.equal((await c.client.get(R.configmaps, 'default', 'keep')).data.a, 'b', 'state intact');
  assert.equal((await c.client.get(R.namespaces, undefined, 'default')).metadata.name, 'default');
});

test('duplicate keys at any depth: fieldValidation=Strict refuses (also through kubectl create --raw), Warn warns', async () => {
  const dup = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dupe","labels":{"a":"1","a":"2"}},"data":{"k":"1","k":"2"},"data2":{}}';
  const strict = await raw('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', dup);
  assert.equal(strict.code, 400, strict.message);
  assert.equal(strict.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.labels.a", duplicate field "data.k", unknown field "data2"');
  // kubectl create --raw sends the bytes as they are (kubectl create -f would re-encode them, dropping duplicates).
  const y = await c.kubectl(['create', '--raw', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', '-f', '-'], { input: dup });
  assert.notEqual(y.code, 0, y.stdout);
  assert.match(y.stderr, /strict decoding error: duplicate field "metadata\.labels\.a", duplicate field "data\.k"/);
  const patch = await raw('PATCH', '/api/v1/namespaces/default/configmaps/keep?fieldValidation=Strict', '{"data":{"z":"1","z":"2"}}', 'application/merge-patch+json');
  assert.equal(patch.code, 422, patch.message);
  assert.match(patch.message, /duplicate field "data\.z"/);
  assert.equal((await c.client.get(R.configmaps, 'default', 'keep')).data.z, undefined, 'state intact');
  const warn = await raw('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', dup.replace(',"data2":{}', ''));
  assert.equal(warn.code, 200);
  assert.equal(warn.obj.data.k, '2', 'the last occurrence wins');
});

test('an absurd replica count: the ReplicaSet controller creates in bounded bursts and scales back; the API never fails', async () => {
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'absurd' }, spec: { replicas: 2147483647, selector: { matchLabels: { app: 'absurd' } }, template: { metadata: { labels: { app: 'absurd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
  await c.client.create(R.replicasets, 'default', rs);
  await waitFor(async () => (await c.client.list(R.pods, 'default', { labelSelector: 'app=absurd', limit: 1 })).items.length > 0 || undefined, { message: 'first pods' });
  const k = await c.kubectl(['scale', 'replicaset', 'absurd', '--replicas=0']);
  assert.equal(k.code, 0, k.stderr);
  await waitFor(async () => (await c.client.list(R.pods, 'default', { labelSelector: 'app=absurd' })).items.length === 0 || undefined, { timeoutMs: 180000, message: 'scaled back to 0' });
  const events = (await c.client.list(R.events, 'default')).items.filter((e: any) => e.involvedObject?.name === 'absurd' && e.reason === 'FailedCreate');
  assert.deepEqual(events, [], 'no creation failed');
  assert.equal((await c.client.get(R.replicasets, 'default', 'absurd')).spec.replicas, 0);
});
