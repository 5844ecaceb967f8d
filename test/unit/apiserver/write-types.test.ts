/**
 * Kind and apiVersion checked against the endpoint on every write (src/apiserver/decode.ts), with upstream's
 * words: create and update bodies (JSON, YAML, protobuf), subresource bodies, patch results, apply patches,
 * custom resources — and upstream's own kubectl test (`kubectl create --raw /api/v1/namespaces -f pod.yaml`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, PYTHON_HEADERS, type TestServer } from './server-fixture.ts';
import { goJsonSyntaxError, summarizeData, typeMismatch, expectedOf } from '../../../src/apiserver/decode.ts';
import { resources } from '../../../src/api/registry.ts';
import { encodeObject, envelope } from '../api/protobuf-wire.ts';

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

const JSONH = { 'Content-Type': 'application/json' };
const send = (method: string, path: string, body: string | Buffer, headers: Record<string, string> = JSONH) => s.request(method, path, { headers, body });
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
const podYaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: valid-pod\nspec:\n  containers:\n  - name: c\n    image: nginx\n';

test('Go encoding/json syntax errors, word for word', () => {
  const cases: [string, string | undefined][] = [
    ['{"a":1}', undefined], ['[1, 2.5e-3, true, false, null, "x\\u00e9"]', undefined], ['  7  ', undefined],
    ['apiVersion: v1', "invalid character 'a' looking for beginning of value"],
    ['', 'unexpected end of JSON input'],
    ['{"a":1', 'unexpected end of JSON input'],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
    ['{"a":nul}', "invalid character '}' in literal null (expecting 'l')"],
    ['{"a":fals}', "invalid character '}' in literal false (expecting 'e')"],
    ['{"a":01}', "invalid character '1' after object key:value pair"],
    ['{"a":-}', "invalid character '}' in numeric literal"],
    ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
    ['{"a":1e}', "invalid character '}' in exponent of numeric literal"],
    ['{"a":"\\q"}', "invalid character 'q' in string escape code"],
    ['{"a":"\\u12g4"}', "invalid character 'g' in \\u hexadecimal character escape"],
    ['{"a":"x\ny"}', "invalid character '\\n' in string literal"],
    ['{"a":1}}', "invalid character '}' after top-level value"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['\t{"a":1}x', "invalid character 'x' after top-level value"],
  ];
  for (const [text, want] of cases) assert.equal(goJsonSyntaxError(Buffer.from(text)), want, text);
  assert.equal(summarizeData(Buffer.from('')), '<empty>');
  assert.equal(summarizeData(Buffer.from('{"kind":"Pod"}')), '{"kind":"Pod"}');
  assert.equal(summarizeData(Buffer.from('{"apiVersion":"v1","kind":"Pod","metadata":{}}')), '{"apiVersion":"v1","kind":"Pod ...');
  assert.equal(summarizeData(Buffer.from('kind: Pod')), '6b696e643a20506f64');
});

test('the type check, kind by kind (every registered kind accepts itself and rejects another)', () => {
  for (const def of resources) {
    const own = def.group ? `${def.group}/${def.version}` : def.version;
    assert.equal(typeMismatch(own, def.kind, expectedOf(def)), undefined, def.kind);
    const other = resources.find((d) => d.kind !== def.kind && d.group === def.group) ?? resources.find((d) => d.kind !== def.kind)!;
    const err = typeMismatch(other.group ? `${other.group}/${other.version}` : other.version, other.kind, expectedOf(def), 'x');
    assert.ok(err, `${def.kind} rejects ${other.kind}`);
    assert.ok(err!.code === 400 || err!.code === 422, `${def.kind}: ${err!.message}`);
  }
});

test('upstream\'s kubectl test: create --raw /api/v1/namespaces -f pod.yaml is unrecognized (must be of type Namespace)', async () => {
  const f = join(s.dir, 'valid-pod.yaml');
  writeFileSync(f, podYaml);
  const r = await s.kubectl(['create', '--raw', '/api/v1/namespaces', '-f', f]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /the object provided is unrecognized \(must be of type Namespace\)/);
  assert.equal(r.stderr.trim(), "Error from server (BadRequest): the object provided is unrecognized (must be of type Namespace): couldn't get version/kind; json parse error: invalid character 'a' looking for beginning of value (61706956657273696f6e3a2076310a6b696e643a20506f640a6d65746164 ...)");
  // Nothing was created.
  assert.equal((await s.request('GET', '/api/v1/namespaces/valid-pod')).status, 404);
});

test('create: another kind is refused with upstream\'s decoder messages, whatever the body format', async () => {
  const cases: [string, string | Buffer, Record<string, string>, number, string][] = [
    ['/api/v1/namespaces', JSON.stringify(pod('p1')), JSONH, 400, 'Pod in version "v1" cannot be handled as a Namespace: converting (v1.Pod) to (core.Namespace): unknown conversion'],
    ['/api/v1/namespaces', podYaml, { 'Content-Type': 'application/yaml' }, 400, 'Pod in version "v1" cannot be handled as a Namespace: converting (v1.Pod) to (core.Namespace): unknown conversion'],
    ['/apis/apps/v1/namespaces/default/replicasets', JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }), JSONH, 400, 'Deployment in version "v1" cannot be handled as a ReplicaSet: converting (v1.Deployment) to (apps.ReplicaSet): unknown conversion'],
    ['/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } }), JSONH, 400, 'Widget in version "v1" cannot be handled as a ConfigMap: no kind "Widget" is registered for version "v1" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"'],
    ['/apis/apps/v1/namespaces/default/deployments', JSON.stringify({ apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'd' } }), JSONH, 400, 'the API version in the data (apps/v1beta1) does not match the expected API version (apps/v1)'],
    ['/api/v1/namespaces/default/configmaps', '[]', JSONH, 400, 'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } (5b5d)'],
    ['/api/v1/namespaces/default/configmaps', '{"kind":5}', JSONH, 400, 'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string ({"kind":5})'],
    ['/api/v1/namespaces/default/configmaps', '', JSONH, 400, 'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: unexpected end of JSON input (<empty>)'],
    // Custom resources: another group/version fails conversion; another kind of the group fails validation.
    ['/apis/argoproj.io/v1alpha1/namespaces/default/rollouts', JSON.stringify(pod('r')), JSONH, 400, 'Pod in version "v1" cannot be handled as a Rollout: request to convert CR from an invalid group/version: v1'],
    ['/apis/argoproj.io/v1alpha1/namespaces/default/rollouts', JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'r' } }), JSONH, 422, 'Rollout.argoproj.io "r" is invalid: kind: Invalid value: "AnalysisRun": must be Rollout'],
  ];
  for (const [path, body, headers, code, message] of cases) {
    const r = await send('POST', path, body, headers);
    assert.equal(r.status, code, `${path} ${String(body).slice(0, 40)}: ${r.text}`);
    assert.equal(r.json().message, message);
    assert.equal(r.json().reason, code === 400 ? 'BadRequest' : 'Invalid');
  }
  // Protobuf: the envelope's type is checked before the object is decoded.
  const { apiVersion: _a, kind: _k, ...podFields } = pod('pb');
  const pb = envelope('v1', 'Pod', encodeObject('io.k8s.api.core.v1.Pod', podFields));
  const r = await send('POST', '/api/v1/namespaces', pb, { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json().message, 'Pod in version "v1" cannot be handled as a Namespace: converting (v1.Pod) to (core.Namespace): unknown conversion');
  // Missing kind and apiVersion are the endpoint's.
  const ok = await send('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'untyped' }, data: { a: 'b' } }), PYTHON_HEADERS);
  assert.equal(ok.status, 201, ok.text);
  assert.deepEqual([ok.json().apiVersion, ok.json().kind], ['v1', 'ConfigMap']);
});

test('update, subresources and strict decoding name the type as upstream', async () => {
  await send('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod('web')));
  const put = await send('PUT', '/api/v1/namespaces/default/configmaps/untyped', JSON.stringify({ ...pod('untyped') }));
  assert.equal(put.status, 400);
  assert.equal(put.json().message, 'Pod in version "v1" cannot be handled as a ConfigMap: converting (v1.Pod) to (core.ConfigMap): unknown conversion');
  const status = await send('PUT', '/api/v1/namespaces/default/pods/web/status', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' } }));
  assert.equal(status.status, 400);
  assert.equal(status.json().message, 'ConfigMap in version "v1" cannot be handled as a Pod: converting (v1.ConfigMap) to (core.Pod): unknown conversion');
  const binding = await send('POST', '/api/v1/namespaces/default/pods/web/binding', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, target: { kind: 'Node', name: 'n1' } }));
  assert.equal(binding.status, 400);
  assert.equal(binding.json().message, 'Pod in version "v1" cannot be handled as a Binding: converting (v1.Pod) to (core.Binding): unknown conversion');
  await send('POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }));
  const scale = await send('PUT', '/apis/apps/v1/namespaces/default/deployments/d1/scale', JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1' }, spec: { replicas: 3 } }));
  assert.equal(scale.status, 400);
  assert.equal(scale.json().message, 'Deployment in version "v1" cannot be handled as a Scale: converting (v1.Deployment) to (autoscaling.Scale): unknown conversion');
  const okScale = await send('PUT', '/apis/apps/v1/namespaces/default/deployments/d1/scale', JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd1', namespace: 'default' }, spec: { replicas: 2 } }));
  assert.equal(okScale.status, 200, okScale.text);
  // A pods/eviction body may be policy/v1 or policy/v1beta1 (a pod on no node is simply deleted).
  await send('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod('evictme')));
  const ev = await send('POST', '/api/v1/namespaces/default/pods/evictme/eviction', JSON.stringify({ apiVersion: 'policy/v1beta1', kind: 'Eviction', metadata: { name: 'evictme', namespace: 'default' } }));
  assert.equal(ev.status, 201, ev.text);
  // fieldValidation=Strict: a create names the type, as the decoder does.
  const strict = await send('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 's' }, bogus: 1 }));
  assert.equal(strict.status, 400);
  assert.equal(strict.json().message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"');
});

test('patches: a JSON or merge patch may not change the type (422), a strategic one cannot; apply checks the type first', async () => {
  const base = '/api/v1/namespaces/default/configmaps/untyped';
  const jp = await send('PATCH', base, JSON.stringify([{ op: 'replace', path: '/kind', value: 'Secret' }]), { 'Content-Type': 'application/json-patch+json' });
  assert.equal(jp.status, 422, jp.text);
  assert.match(jp.json().message, /^ "" is invalid: patch: Invalid value: ".*": converting \(v1\.Secret\) to \(core\.ConfigMap\): unknown conversion$/);
  assert.equal(jp.json().details.causes[0].field, 'patch');
  const mp = await send('PATCH', base, JSON.stringify({ apiVersion: 'v2' }), { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(mp.status, 422, mp.text);
  assert.match(mp.json().message, /no kind "ConfigMap" is registered for version "v2" in scheme/);
  const smp = await send('PATCH', base, JSON.stringify({ kind: 'Secret', data: { c: 'd' } }), { 'Content-Type': 'application/strategic-merge-patch+json' });
  assert.equal(smp.status, 200, smp.text);
  assert.deepEqual([smp.json().kind, smp.json().data.c], ['ConfigMap', 'd']);
  const apply = (body: object) => send('PATCH', '/api/v1/namespaces/default/configmaps/applied?fieldManager=t', JSON.stringify(body), { 'Content-Type': 'application/apply-patch+yaml' });
  const wrongKind = await apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'applied' } });
  assert.equal(wrongKind.status, 400);
  assert.equal(wrongKind.json().message, 'invalid object type: /v1, Kind=Secret');
  const wrongVersion = await apply({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'applied' } });
  assert.equal(wrongVersion.json().message, 'invalid object type: apps/v1, Kind=ConfigMap');
  const untyped = await apply({ metadata: { name: 'applied' } });
  assert.equal(untyped.json().message, 'invalid object type: /, Kind=');
  const ok = await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { x: 'y' } });
  assert.equal(ok.status, 201, ok.text);
});

test('update with resourceVersion "0" is unconditional (0 means unset), as upstream\'s `kubectl replace` of a cluster-scoped object relies on', async () => {
  assert.equal((await send('POST', '/api/v1/nodes', '{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-rv0"}}')).status, 201);
  await send('PATCH', '/api/v1/nodes/node-rv0', '{"metadata":{"labels":{"moved":"on"}}}', { 'Content-Type': 'application/merge-patch+json' });
  const r = await send('PUT', '/api/v1/nodes/node-rv0', '{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-rv0","annotations":{"a":"b"},"resourceVersion":"0"}}');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json().metadata.annotations.a, 'b');
  assert.notEqual(r.json().metadata.resourceVersion, '0');
  // Any other stale version still conflicts.
  const stale = await send('PUT', '/api/v1/nodes/node-rv0', '{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-rv0","resourceVersion":"1"}}');
  assert.equal(stale.status, 409, stale.text);
});
