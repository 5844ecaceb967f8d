/**
 * Hostile input at the API server, class by class (issue 12): integers that overflow their Go type (every kind,
 * from the schema), non-integers into integer fields, duplicate keys under fieldValidation Strict/Warn (JSON,
 * YAML, each patch type, apply), dot segments and separators in names. Each gets upstream's status and words; the
 * stored state is unchanged.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './server-fixture.ts';
import { integerFits } from '../../../src/api/schema-walk.ts';
import { scanJson } from '../../../src/api/json-source.ts';
import { encodeObject, envelope } from '../api/protobuf-wire.ts';

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

const JSONH = { 'Content-Type': 'application/json' };
const post = (path: string, body: string, headers: Record<string, string> = JSONH) => s.request('POST', path, { headers, body });
const deployment = (name: string, replicas: string) =>
  `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}"},"spec":{"replicas":${replicas},"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}`;

test('integerFits: Go ParseInt + overflow per format', () => {
  assert.equal(integerFits('2147483647', 'int32'), true);
  assert.equal(integerFits('2147483648', 'int32'), false);
  assert.equal(integerFits('-2147483648', 'int32'), true);
  assert.equal(integerFits('-2147483649', 'int32'), false);
  assert.equal(integerFits('1.0', 'int32'), false);
  assert.equal(integerFits('1e3', 'int64'), false);
  assert.equal(integerFits('9007199254740991', 'int64'), true);
  assert.equal(integerFits('9223372036854775807', 'int64'), false);
});

test('scanJson: duplicate keys at any depth and number literals JSON.parse forgets', () => {
  const src = scanJson(Buffer.from('{"a":1,"b":{"c":[{"d":1.0,"d":2}],"e":"x\\"y","e":1e3},"a":123456789012345678}'));
  assert.deepEqual(src.duplicates.map((d) => d.path), ['b.c[0].d', 'b.e', 'a']);
  assert.equal(src.numbers.get('b.c[0].d'), undefined, 'the last of a duplicate wins');
  assert.equal(src.numbers.get('b.e'), '1e3');
  assert.equal(src.numbers.get('a'), '123456789012345678');
  assert.ok(src.firstOffset('b') < src.firstOffset('b.c[0].d'));
});

test('int32 overflow, floats and exponents into integer fields: 400 with the Go decoder words', async () => {
  for (const [lit, want] of [['1000000000000', 'number 1000000000000'], ['2147483648', 'number 2147483648'], ['1.5', 'number 1.5'], ['1.0', 'number 1.0'], ['1e3', 'number 1e3'], ['-2147483649', 'number -2147483649']]) {
    const r = await post('/apis/apps/v1/namespaces/default/deployments', deployment('d-overflow', lit));
    assert.equal(r.status, 400, `${lit}: ${r.text}`);
    assert.equal(r.json().message, `Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal ${want} into Go struct field DeploymentSpec.spec.replicas of type int32`);
  }
  const ok = await post('/apis/apps/v1/namespaces/default/deployments', deployment('d-max', '2147483647'));
  assert.equal(ok.status, 201, ok.text);
  const g = await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/d-overflow');
  assert.equal(g.status, 404);
});

test('int64 fields: beyond ±(2^53−1) and non-integers refused with the Go words; other kinds too', async () => {
  const podBody = (v: string) => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p64"},"spec":{"activeDeadlineSeconds":${v},"containers":[{"name":"c","image":"nginx"}]}}`;
  for (const v of ['9223372036854775807', '9223372036854775808', '1e400', '12.5']) {
    const r = await post('/api/v1/namespaces/default/pods', podBody(v));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json().message, `Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number ${v} into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64`);
  }
  // int32 in other kinds, found from the schema: a StatefulSet's replicas, an HPA's maxReplicas, a Job's parallelism, a container port.
  const cases: [string, string, string][] = [
    ['/apis/apps/v1/namespaces/default/replicasets', '{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"s"},"spec":{"replicas":4294967296,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}', 'ReplicaSet in version "v1" cannot be handled as a ReplicaSet: json: cannot unmarshal number 4294967296 into Go struct field ReplicaSetSpec.spec.replicas of type int32'],
    ['/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', '{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h"},"spec":{"maxReplicas":99999999999,"scaleTargetRef":{"kind":"Deployment","name":"d","apiVersion":"apps/v1"}}}', 'HorizontalPodAutoscaler in version "v2" cannot be handled as a HorizontalPodAutoscaler: json: cannot unmarshal number 99999999999 into Go struct field HorizontalPodAutoscalerSpec.spec.maxReplicas of type int32'],
    ['/apis/coordination.k8s.io/v1/namespaces/default/leases', '{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l"},"spec":{"leaseDurationSeconds":2.5}}', 'Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal number 2.5 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32'],
    ['/api/v1/namespaces/default/pods', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pp"},"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":-3000000000}]}]}}', 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number -3000000000 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32'],
    ['/apis/argoproj.io/v1alpha1/namespaces/default/rollouts', '{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"r"},"spec":{"replicas":1000000000000,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}', 'Rollout in version "v1alpha1" cannot be handled as a Rollout: json: cannot unmarshal number 1000000000000 into Go struct field RolloutSpec.spec.replicas of type int32'],
  ];
  for (const [path, body, msg] of cases) {
    const r = await post(path, body);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json().message, msg);
  }
  // YAML bodies and updates go through the same check.
  const y = await post('/apis/apps/v1/namespaces/default/deployments', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dy\nspec:\n  replicas: 1000000000000\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers: [{name: c, image: i}]\n', { 'Content-Type': 'application/yaml' });
  assert.equal(y.status, 400, y.text);
  assert.match(y.json().message, /cannot unmarshal number 1000000000000 into Go struct field DeploymentSpec.spec.replicas of type int32/);
  const d = (await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/d-max')).json();
  d.spec.replicas = 1e12;
  const u = await s.request('PUT', '/apis/apps/v1/namespaces/default/deployments/d-max', { headers: JSONH, body: JSON.stringify(d) });
  assert.equal(u.status, 400, u.text);
  const p = await s.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/d-max', { headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"spec":{"replicas":1e12}}' });
  assert.equal(p.status, 422, p.text);
  assert.match(p.json().message, /^ "" is invalid: patch: Invalid value: ".*": json: cannot unmarshal number 1000000000000 into Go struct field DeploymentSpec\.spec\.replicas of type int32$/);
  assert.equal(p.json().details.causes[0].field, 'patch');
  const after = (await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/d-max')).json();
  assert.equal(after.spec.replicas, 2147483647, 'state intact');
});

test('a strategic merge patch whose result has the wrong JSON types: 422 on patch in the unstructured converter\'s words', async () => {
  await post('/api/v1/namespaces/default/configmaps', '{"metadata":{"name":"smp-types","labels":{"a":"b"}},"data":{"k":"v"}}');
  const SMP = { 'Content-Type': 'application/strategic-merge-patch+json' };
  const cases: [string, string][] = [
    ['{"metadata":{"labels":"invalid"}}', 'map[metadata:map[labels:invalid]]": cannot restore map from string'],
    ['{"metadata":{"labels":["x"]}}', 'map[metadata:map[labels:[x]]]": cannot restore map from slice'],
    ['{"metadata":{"finalizers":{"a":"b"}}}', 'map[metadata:map[finalizers:map[a:b]]]": cannot restore slice from map'],
    ['{"metadata":{"generation":"7"}}', 'map[metadata:map[generation:7]]": unrecognized type: int64'],
    ['{"metadata":{"name":5}}', 'map[metadata:map[name:5]]": cannot convert int64 to string'],
    ['{"immutable":"yes"}', 'map[immutable:yes]": unrecognized type: bool'],
    ['{"metadata":true}', 'map[metadata:true]": cannot restore struct from: bool'],
  ];
  for (const [body, tail] of cases) {
    const r = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/smp-types', { headers: SMP, body });
    assert.equal(r.status, 422, `${body}: ${r.text}`);
    assert.equal(r.json().message, ` "" is invalid: patch: Invalid value: "${tail}`, body);
    assert.equal(r.json().details.causes[0].field, 'patch');
  }
  // A merge patch's result is decoded as JSON: the encoding/json words stay.
  const m = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/smp-types', { headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"metadata":{"labels":"invalid"}}' });
  assert.equal(m.status, 422, m.text);
  assert.match(m.json().message, /json: cannot unmarshal string into Go struct field ObjectMeta\.metadata\.labels of type map\[string\]string$/);
  assert.deepEqual((await s.request('GET', '/api/v1/namespaces/default/configmaps/smp-types')).json().metadata.labels, { a: 'b' });
});

test('names: . and .. (also %2e-encoded), / and % refused in a name position; never the parent object', async () => {
  await post('/api/v1/namespaces/default/configmaps', '{"metadata":{"name":"cm1"},"data":{"a":"b"}}');
  for (const [seg, name, why] of [['%2e%2e', '..', "may not be '..'"], ['..', '..', "may not be '..'"], ['.', '.', "may not be '.'"], ['%2E', '.', "may not be '.'"], ['.%2e', '..', "may not be '..'"], ['a%25b', 'a%b', "may not contain '%'"]]) {
    for (const method of ['GET', 'DELETE', 'PUT', 'PATCH']) {
      const r = await s.request(method, `/api/v1/namespaces/default/configmaps/${seg}`, { headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }, body: method === 'PUT' || method === 'PATCH' ? '{}' : undefined });
      assert.equal(r.status, 400, `${method} ${seg}: ${r.text}`);
      assert.equal(r.json().message, `Name parameter invalid: ${JSON.stringify(name)}: ${why}`);
    }
  }
  // %2F separates segments, as upstream's decoded path does: configmaps/a%2Fb is name a, subresource b (none).
  const sl = await s.request('GET', '/api/v1/namespaces/default/configmaps/cm1%2Fx');
  assert.equal(sl.status, 404, sl.text);
  // In a body: metadata.name '.'/'..' is invalid (422), for every kind.
  for (const n of ['.', '..']) {
    const r = await post('/api/v1/namespaces/default/configmaps', `{"metadata":{"name":"${n}"}}`);
    assert.equal(r.status, 422, r.text);
    assert.match(r.json().message, new RegExp(`metadata.name: Invalid value: "${n.replace(/\./g, '\\.')}": may not be '${n.replace(/\./g, '\\.')}'`));
  }
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/cm1')).json().data.a, 'b');
});

test('duplicate keys: Strict refuses, Warn warns, Ignore takes the last — JSON at any depth, YAML, patches, apply', async () => {
  const dup = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"dupename","name":"dd","labels":{"a":"1","a":"2"}},"spec":{"unknown1":"x","paused":true,"paused":false,"selector":{"matchLabels":{"a":"2"}},"template":{"metadata":{"labels":{"a":"2"}},"spec":{"containers":[{"name":"c","image":"i","imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}';
  const strict = await post('/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict', dup);
  assert.equal(strict.status, 400, strict.text);
  assert.equal(strict.json().message, 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "metadata.name", duplicate field "metadata.labels.a", unknown field "spec.unknown1", duplicate field "spec.paused", duplicate field "spec.template.spec.containers[0].imagePullPolicy"');
  const warn = await post('/apis/apps/v1/namespaces/default/deployments?fieldValidation=Warn', dup);
  assert.equal(warn.status, 201, warn.text);
  const w = String(warn.headers.warning);
  for (const f of ['metadata.name', 'metadata.labels.a', 'spec.paused', 'spec.template.spec.containers[0].imagePullPolicy']) assert.ok(w.includes(`duplicate field \\"${f}\\"`), w);
  assert.equal(warn.json().spec.paused, false, 'the last occurrence wins');
  // YAML body: sigs.k8s.io/yaml's words.
  const y = await post('/api/v1/namespaces/default/configmaps?fieldValidation=Strict', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ycm\ndata:\n  a: "1"\n  a: "2"\n', { 'Content-Type': 'application/yaml' });
  assert.equal(y.status, 400, y.text);
  assert.equal(y.json().message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: yaml: unmarshal errors:\n  line 7: key "a" already set in map');
  const yi = await post('/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ycm\ndata:\n  a: "1"\n  a: "2"\n', { 'Content-Type': 'application/yaml' });
  assert.equal(yi.status, 201, yi.text);
  assert.equal(yi.json().data.a, '2');
  // Merge patch: the patch's duplicates.
  const mp = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/ycm?fieldValidation=Strict', { headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"data":{"b":"1","b":"2"}}' });
  assert.equal(mp.status, 422, mp.text);
  assert.match(mp.json().message, /^ "" is invalid: patch: Invalid value: ".*": strict decoding error: duplicate field "data\.b"$/);
  const sp = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/ycm?fieldValidation=Strict', { headers: { 'Content-Type': 'application/strategic-merge-patch+json' }, body: '{"data":{"b":"1","b":"2"},"bogus":1}' });
  assert.equal(sp.status, 422, sp.text);
  assert.equal(sp.json().message, ' "" is invalid: patch: Invalid value: "map[bogus:1 data:map[b:2]]": strict decoding error: duplicate field "data.b", unknown field "bogus"');
  const mw = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/ycm?fieldValidation=Warn', { headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"data":{"w":"1","w":"2"}}' });
  assert.equal(mw.status, 200, mw.text);
  assert.match(String(mw.headers.warning), /duplicate field \\"data\.w\\"/);
  assert.equal(mw.json().data.w, '2');
  // JSON patch: the operations' own keys.
  const jp = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/ycm?fieldValidation=Strict', { headers: { 'Content-Type': 'application/json-patch+json' }, body: '[{"op":"add","path":"/data/c","path":"/data/d","value":"x","foo":1}]' });
  assert.equal(jp.status, 422, jp.text);
  assert.match(jp.json().message, /strict decoding error: json patch duplicate field "\[0\]\.path", json patch unknown field "\[0\]\.foo"/);
  // Apply (YAML): sigs.k8s.io/yaml strict errors.
  const ap = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/ap?fieldManager=m&fieldValidation=Strict', { headers: { 'Content-Type': 'application/apply-patch+yaml' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ap\ndata:\n  a: "1"\n  a: "2"\n' });
  assert.equal(ap.status, 400, ap.text);
  assert.equal(ap.json().message, 'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key "a" already set in map');
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/ap')).status, 404);
  const ycm = (await s.request('GET', '/api/v1/namespaces/default/configmaps/ycm')).json();
  assert.deepEqual([ycm.data.b, ycm.data.c, ycm.data.d], [undefined, undefined, undefined], 'state intact');
});

test('custom resources: the schema format bounds integers (422, kube-openapi words); names . and .. refused', async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.hostile.example.com' },
    spec: {
      group: 'hostile.example.com', scope: 'Namespaced', names: { plural: 'things', singular: 'thing', kind: 'Thing' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: {
        replicas: { type: 'integer', format: 'int32' }, big: { type: 'integer', format: 'int64' }, any: { type: 'integer' },
      } } } } } }],
    },
  };
  assert.equal((await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd))).status, 201);
  const path = '/apis/hostile.example.com/v1/namespaces/default/things';
  let r = await post(path, '{"apiVersion":"hostile.example.com/v1","kind":"Thing","metadata":{"name":"t0"},"spec":{}}');
  for (let i = 0; i < 200 && r.status === 404; i++) { await new Promise((x) => setTimeout(x, 25)); r = await post(path, '{"apiVersion":"hostile.example.com/v1","kind":"Thing","metadata":{"name":"t0"},"spec":{}}'); }
  assert.equal(r.status, 201, r.text);
  const cr = (spec: string, name = 't1') => `{"apiVersion":"hostile.example.com/v1","kind":"Thing","metadata":{"name":"${name}"},"spec":${spec}}`;
  const bad = await post(path, cr('{"replicas":1000000000000,"big":9223372036854775807,"any":-9007199254740993}'));
  assert.equal(bad.status, 422, bad.text);
  const causes = bad.json().details.causes.map((c: any) => `${c.field}: ${c.message}`);
  assert.deepEqual(causes, [
    'spec.replicas: Invalid value: 1000000000000: Checked value must be of type integer with format int32 in spec.replicas',
    'spec.big: Invalid value: 9223372036854776000: Checked value must be of type integer with format int64 in spec.big',
    'spec.any: Invalid value: -9007199254740992: Checked value must be of type integer (default format) in spec.any',
  ]);
  assert.equal((await post(path, cr('{"replicas":2147483647}'))).status, 201);
  // Unstructured decoding: every duplicate first, then the unknown fields (a field both unknown and duplicated is both).
  const dup = await post(`${path}?fieldValidation=Strict`, '{"apiVersion":"hostile.example.com/v1","kind":"Thing","metadata":{"name":"dupename","name":"t2","unknownMeta":1},"spec":{"replicas":1,"replicas":2,"bogus":1,"bogus":2}}');
  assert.equal(dup.status, 400, dup.text);
  assert.equal(dup.json().message, 'Thing in version "v1" cannot be handled as a Thing: strict decoding error: duplicate field "metadata.name", duplicate field "spec.replicas", duplicate field "spec.bogus", unknown field "metadata.unknownMeta", unknown field "spec.bogus"');
  for (const n of ['.', '..']) {
    const x = await post(path, cr('{}', n));
    assert.equal(x.status, 422, x.text);
    assert.ok(x.json().details.causes.some((c: any) => c.field === 'metadata.name' && c.message.includes(`may not be '${n}'`)), x.text);
  }
});

test('validation range checks with the bound (422): activeDeadlineSeconds fits an int64 but not the validated range', async () => {
  const r = await post('/api/v1/namespaces/default/pods', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"ad"},"spec":{"activeDeadlineSeconds":2147483648,"containers":[{"name":"c","image":"nginx"}]}}');
  assert.equal(r.status, 422, r.text);
  assert.match(r.json().message, /spec\.activeDeadlineSeconds: Invalid value: 2147483648: must be between 1 and 2147483647, inclusive/);
});

test('protobuf bodies: int32 wraps as Go does (then validation answers), an int64 past 2^53 is refused', async () => {
  const PB = { 'Content-Type': 'application/vnd.kubernetes.protobuf' };
  const big = envelope('v1', 'Pod', encodeObject('io.k8s.api.core.v1.Pod', { metadata: { name: 'pb64' }, spec: { activeDeadlineSeconds: 2 ** 60, containers: [{ name: 'c', image: 'i' }] } }));
  const r = await s.request('POST', '/api/v1/namespaces/default/pods', { headers: PB, body: big });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json().message, `Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number ${2 ** 60} into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64`);
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/pods/pb64')).status, 404);
});

test('the scale subresource: a Scale past int32 is refused as a Scale (PUT 400, PATCH 422 on patch)', async () => {
  const put = await s.request('PUT', '/apis/apps/v1/namespaces/default/deployments/d-max/scale', { headers: JSONH, body: '{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"d-max","namespace":"default"},"spec":{"replicas":1000000000000}}' });
  assert.equal(put.status, 400, put.text);
  assert.equal(put.json().message, 'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal number 1000000000000 into Go struct field ScaleSpec.spec.replicas of type int32');
  const p = await s.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/d-max/scale', { headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"spec":{"replicas":1000000000000}}' });
  assert.equal(p.status, 422, p.text);
  assert.match(p.json().message, /patch: Invalid value: ".*\\"kind\\":\\"Scale\\".*": json: cannot unmarshal number 1000000000000 into Go struct field ScaleSpec\.spec\.replicas of type int32$/);
  assert.equal((await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/d-max')).json().spec.replicas, 2147483647);
});

test("a YAML body under Strict: upstream's integration test, word for word (duplicates by line, unknown fields in key order)", async () => {
  const body = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: dupename
  name: yaml-strict
  unknownMeta: metaVal
  labels:
    app: nginx
spec:
  unknown1: val1
  unknownDupe: valDupe
  unknownDupe: valDupe2
  paused: true
  paused: false
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        unknownNested: val1
        imagePullPolicy: Always
        imagePullPolicy: Never`;
  const r = await post('/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict', body, { 'Content-Type': 'application/yaml' });
  assert.equal(r.status, 400, r.text);
  assert.ok(r.json().message.endsWith(`strict decoding error: yaml: unmarshal errors:
  line 5: key "name" already set in map
  line 12: key "unknownDupe" already set in map
  line 14: key "paused" already set in map
  line 28: key "imagePullPolicy" already set in map, unknown field "metadata.unknownMeta", unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknownDupe"`), r.json().message);
  const w = await post('/apis/apps/v1/namespaces/default/deployments?fieldValidation=Warn', body, { 'Content-Type': 'application/yaml' });
  assert.equal(w.status, 201, w.text);
  const warnings = String(w.headers.warning).split(/,\s*(?=299)/).map((x) => JSON.parse(x.replace(/^299 - /, '')));
  assert.deepEqual(warnings, [
    'line 5: key "name" already set in map', 'line 12: key "unknownDupe" already set in map', 'line 14: key "paused" already set in map',
    'line 28: key "imagePullPolicy" already set in map', 'unknown field "metadata.unknownMeta"', 'unknown field "spec.template.spec.containers[0].unknownNested"',
    'unknown field "spec.unknown1"', 'unknown field "spec.unknownDupe"',
  ]);
});

test("a JSON body under Strict: upstream's integration test, word for word (duplicates and unknown fields in document order)", async () => {
  const body = `{
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": { "name": "dupename", "name": "json-strict", "labels": {"app": "nginx"}, "unknownMeta": "metaVal" },
    "spec": {
      "unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2", "paused": true, "paused": false,
      "selector": { "matchLabels": { "app": "nginx" } },
      "template": { "metadata": { "labels": { "app": "nginx" } }, "spec": { "containers": [{
        "name": "nginx", "image": "nginx:latest", "unknownNested": "val1", "imagePullPolicy": "Always", "imagePullPolicy": "Never" }] } }
    }
  }`;
  const r = await post('/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict', body);
  assert.equal(r.status, 400, r.text);
  assert.ok(r.json().message.endsWith('strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", duplicate field "spec.template.spec.containers[0].imagePullPolicy"'), r.json().message);
});
