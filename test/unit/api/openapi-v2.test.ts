/**
 * /openapi/v2 (src/api/openapi-v2.ts): the Swagger 2.0 document derived from the v3 definitions, its gnostic
 * protobuf (decoded here with gnostic's field numbers, independently of the encoder), the negotiation of
 * /openapi/v2, and the real kubectl validating a `kind: List` client-side with it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import YAML from 'yaml';
import { openapiV2, OPENAPI_V2_PROTOBUF } from '../../../src/api/openapi-v2.ts';
import { openapiV3Document } from '../../../src/api/openapi.ts';
import { startServer, type TestServer } from '../apiserver/server-fixture.ts';

/** The part of gnostic's OpenAPIv2.proto the checks read (numbers as in google/gnostic openapiv2/OpenAPIv2.proto). */
const root = protobuf.Root.fromJSON({
  nested: {
    Document: { fields: { swagger: { type: 'string', id: 1 }, info: { type: 'Info', id: 2 }, paths: { type: 'Paths', id: 8 }, definitions: { type: 'Definitions', id: 9 } } },
    Info: { fields: { title: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
    Paths: { fields: { path: { rule: 'repeated', type: 'NamedPathItem', id: 2 } } },
    NamedPathItem: { fields: { name: { type: 'string', id: 1 }, value: { type: 'PathItem', id: 2 } } },
    PathItem: { fields: { get: { type: 'Operation', id: 2 }, patch: { type: 'Operation', id: 8 } } },
    Operation: { fields: { operationId: { type: 'string', id: 5 }, consumes: { rule: 'repeated', type: 'string', id: 7 }, parameters: { rule: 'repeated', type: 'ParametersItem', id: 8 }, vendorExtension: { rule: 'repeated', type: 'NamedAny', id: 13 } } },
    ParametersItem: { fields: { parameter: { type: 'Parameter', id: 1 } } },
    Parameter: { fields: { nonBodyParameter: { type: 'NonBodyParameter', id: 2 } } },
    NonBodyParameter: { fields: { query: { type: 'QueryParameterSubSchema', id: 3 } } },
    QueryParameterSubSchema: { fields: { name: { type: 'string', id: 4 }, type: { type: 'string', id: 6 } } },
    Definitions: { fields: { additionalProperties: { rule: 'repeated', type: 'NamedSchema', id: 1 } } },
    NamedSchema: { fields: { name: { type: 'string', id: 1 }, value: { type: 'Schema', id: 2 } } },
    Schema: { fields: {
      ref: { type: 'string', id: 1 }, format: { type: 'string', id: 2 }, description: { type: 'string', id: 4 },
      required: { rule: 'repeated', type: 'string', id: 19 }, enum: { rule: 'repeated', type: 'Any', id: 20 },
      additionalProperties: { type: 'AdditionalPropertiesItem', id: 21 }, type: { type: 'TypeItem', id: 22 },
      items: { type: 'ItemsItem', id: 23 }, properties: { type: 'Properties', id: 25 }, vendorExtension: { rule: 'repeated', type: 'NamedAny', id: 31 },
    } },
    AdditionalPropertiesItem: { fields: { schema: { type: 'Schema', id: 1 }, boolean: { type: 'bool', id: 2 } } },
    TypeItem: { fields: { value: { rule: 'repeated', type: 'string', id: 1 } } },
    ItemsItem: { fields: { schema: { rule: 'repeated', type: 'Schema', id: 1 } } },
    Properties: { fields: { additionalProperties: { rule: 'repeated', type: 'NamedSchema', id: 1 } } },
    NamedAny: { fields: { name: { type: 'string', id: 1 }, value: { type: 'Any', id: 2 } } },
    Any: { fields: { yaml: { type: 'string', id: 2 } } },
  },
});
const Document = root.lookupType('Document');

test('the v2 document: every v3 definition, references rewritten, the GVK extension kept', () => {
  const { doc } = openapiV2();
  assert.equal(doc.swagger, '2.0');
  const v3 = openapiV3Document('apis/apps/v1') as any;
  for (const name of Object.keys(v3.components.schemas)) assert.ok(doc.definitions[name], name);
  const dep = doc.definitions['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(dep['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.equal(dep.properties.spec.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
  assert.ok(!JSON.stringify(doc).includes('#/components/schemas/'));
  assert.deepEqual(doc.definitions['io.argoproj.v1alpha1.Rollout']['x-kubernetes-group-version-kind'], [{ group: 'argoproj.io', kind: 'Rollout', version: 'v1alpha1' }]);
  // Operations: the PATCH of a kind names its GVK and takes fieldValidation (kubectl's v2 query-param check).
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string'));
  assert.ok(patch.parameters.some((p: any) => p.in === 'body' && p.schema.$ref === '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch'));
  assert.ok(patch.consumes.includes('application/apply-patch+yaml'));
});

test('the protobuf is gnostic\'s openapi_v2.Document: it decodes to the same definitions and operations', () => {
  const { doc, proto } = openapiV2();
  const d = Document.toObject(Document.decode(proto), { defaults: false }) as any;
  assert.equal(d.swagger, '2.0');
  assert.equal(d.info.title, 'Kubernetes');
  const byName = new Map<string, any>(d.definitions.additionalProperties.map((n: any) => [n.name, n.value]));
  assert.equal(byName.size, Object.keys(doc.definitions).length);
  const cm = byName.get('io.k8s.api.core.v1.ConfigMap');
  assert.deepEqual(cm.type.value, ['object']);
  const props = new Map<string, any>(cm.properties.additionalProperties.map((n: any) => [n.name, n.value]));
  assert.deepEqual([...props.keys()].sort(), Object.keys(doc.definitions['io.k8s.api.core.v1.ConfigMap'].properties).sort());
  assert.equal(props.get('metadata').ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.deepEqual(props.get('data').additionalProperties.schema.type.value, ['string']);
  const gvk = cm.vendorExtension.find((e: any) => e.name === 'x-kubernetes-group-version-kind');
  assert.deepEqual(YAML.parse(gvk.value.yaml), [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  const pod = byName.get('io.k8s.api.core.v1.PodSpec');
  assert.deepEqual(pod.required, doc.definitions['io.k8s.api.core.v1.PodSpec'].required);
  const containers = new Map<string, any>(pod.properties.additionalProperties.map((n: any) => [n.name, n.value])).get('containers');
  assert.deepEqual(containers.type.value, ['array']);
  assert.equal(containers.items.schema[0].ref, '#/definitions/io.k8s.api.core.v1.Container');
  const paths = new Map<string, any>(d.paths.path.map((p: any) => [p.name, p.value]));
  const op = paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}').patch;
  assert.equal(op.operationId, 'patchAppsV1NamespacedDeployment');
  assert.ok(op.parameters.some((p: any) => p.parameter?.nonBodyParameter?.query?.name === 'fieldValidation'));
  assert.deepEqual(YAML.parse(op.vendorExtension.find((e: any) => e.name === 'x-kubernetes-group-version-kind').value.yaml), { group: 'apps', kind: 'Deployment', version: 'v1' });
});

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

test('GET /openapi/v2: protobuf or JSON by Accept, ETag and 304, 406 for anything else', async () => {
  const pb = await s.request('GET', '/openapi/v2', { headers: { Accept: OPENAPI_V2_PROTOBUF } });
  assert.equal(pb.status, 200);
  assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  assert.equal((Document.decode(pb.body) as any).swagger, '2.0');
  const js = await s.request('GET', '/openapi/v2', { headers: { Accept: 'application/json' } });
  assert.equal(js.headers['content-type'], 'application/json');
  assert.equal(js.json().swagger, '2.0');
  const any = await s.request('GET', '/openapi/v2', { headers: { Accept: '*/*' } });
  assert.equal(any.headers['content-type'], 'application/json');
  const again = await s.request('GET', '/openapi/v2', { headers: { Accept: OPENAPI_V2_PROTOBUF, 'If-None-Match': String(pb.headers.etag) } });
  assert.equal(again.status, 304);
  assert.equal((await s.request('GET', '/openapi/v2', { headers: { Accept: 'text/html' } })).status, 406);
});

test('kubectl apply -f of a kind: List validates client-side against /openapi/v2: valid items apply, unknown fields are refused', async () => {
  const ok = join(s.dir, 'list.yaml');
  writeFileSync(ok, YAML.stringify({
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'listed-a' }, data: { x: '1' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'listed-d' }, spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] } } } },
    ],
  }));
  const r = await s.kubectl(['apply', '-f', ok]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'configmap/listed-a created\ndeployment.apps/listed-d created\n');
  // Applied again: unchanged, still validated.
  assert.equal((await s.kubectl(['apply', '-f', ok])).stdout, 'configmap/listed-a unchanged\ndeployment.apps/listed-d unchanged\n');

  const bad = join(s.dir, 'bad-list.yaml');
  writeFileSync(bad, YAML.stringify({
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'listed-b' }, bogus: 1 },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'listed-e' }, spec: { replicas: 'two', selector: { matchLabels: { app: 'e' } }, template: { metadata: { labels: { app: 'e' } }, spec: { containers: [{ name: 'c', image: 'nginx', bogusField: true }] } } } },
    ],
  }));
  const e = await s.kubectl(['apply', '-f', bad]);
  assert.notEqual(e.code, 0);
  assert.match(e.stderr, /error validating data: \[?ValidationError\(ConfigMap\): unknown field "bogus" in io\.k8s\.api\.core\.v1\.ConfigMap/);
  assert.match(e.stderr, /ValidationError\(Deployment\.spec\.replicas\): invalid type for io\.k8s\.api\.apps\.v1\.DeploymentSpec\.replicas: got "string", expected "integer"/);
  assert.match(e.stderr, /ValidationError\(Deployment\.spec\.template\.spec\.containers\[0\]\): unknown field "bogusField" in io\.k8s\.api\.core\.v1\.Container/);
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/listed-b')).status, 404, 'nothing of an invalid list is applied');
  // --validate=false leaves it to the server (which drops the unknown field with a warning).
  const off = await s.kubectl(['apply', '--validate=false', '-f', join(s.dir, 'list.yaml')]);
  assert.equal(off.code, 0, off.stderr);
});
