import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openapiV3Document, openapiV3Index, openapiDocument } from '../../../src/api/openapi.ts';
import { groupVersions, resources } from '../../../src/api/registry.ts';
import { FakeServer } from './fake-server.ts';

test('the index lists every served group-version with a hashed server-relative URL', () => {
  const idx = openapiV3Index();
  assert.deepEqual(Object.keys(idx.paths).sort(), groupVersions().map((g) => g.path).sort());
  for (const [p, v] of Object.entries(idx.paths)) assert.match(v.serverRelativeURL, new RegExp(`^/openapi/v3/${p.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
  assert.deepEqual(openapiDocument('apps', 'v1'), openapiV3Document('apis/apps/v1'));
  assert.equal(openapiV3Document('apis/nope/v1'), undefined);
});

test('every PATCH operation carries the GVK and an inline fieldValidation query parameter (kubectl needs it)', () => {
  for (const gv of groupVersions()) {
    const doc = openapiV3Document(gv.path) as any;
    assert.equal(doc.openapi, '3.0.0');
    for (const r of resources.filter((x) => x.group === gv.group && x.version === gv.version)) {
      const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const item = doc.paths[`${base}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}/{name}`];
      assert.ok(item, `${r.plural} item path`);
      assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: r.group, kind: r.kind, version: r.version });
      assert.ok(item.patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'), r.plural);
      for (const s of r.subresources.filter((x) => x.name === 'status' || x.name === 'scale')) {
        const sp = doc.paths[`${base}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}/{name}/${s.name}`];
        assert.ok(sp.patch.parameters.some((p: any) => p.name === 'fieldValidation'), `${r.plural}/${s.name}`);
      }
      const schema = doc.components.schemas[r.schemaName];
      assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: r.group, version: r.version, kind: r.kind }]);
    }
    // every $ref in the document resolves inside it
    const json = JSON.stringify(doc);
    for (const m of json.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(doc.components.schemas[m[1]], m[1]);
  }
  const apps = openapiV3Document('apis/apps/v1') as any;
  assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale'], 'Scale reachable through deployments/scale');
  assert.equal(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].get['x-kubernetes-group-version-kind'].kind, 'Scale');
  // the strategic-merge and list-type facts travel with the served schemas (kubectl apply/edit read them)
  const podSpec = apps.components.schemas['io.k8s.api.core.v1.PodSpec'];
  assert.equal(podSpec.properties.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(podSpec.properties.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(apps.components.schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  const core = openapiV3Document('api/v1') as any;
  assert.deepEqual(core.components.schemas['io.k8s.api.core.v1.ServiceSpec'].properties.ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.ok(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'].get);
  assert.ok(core.paths['/api/v1/namespaces/{name}/finalize'].put);
  assert.equal(core.paths['/api/v1/namespaces'].delete, undefined, 'namespaces have no deletecollection');
});

test('the real kubectl explains deployment.spec.strategy and service ports from these documents', async () => {
  const s = new FakeServer();
  await s.start();
  try {
    const r = await s.kubectl(['explain', 'deployment.spec.strategy']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+apps/);
    assert.match(r.stdout, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(r.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/);
    assert.match(r.stdout, /type\s+<string>\n\s+enum: Recreate, RollingUpdate/);
    const p = await s.kubectl(['explain', 'svc.spec.ports.targetPort']);
    assert.equal(p.status, 0, p.stderr);
    // kubectl prints a reference to a primitive schema by its type, and appends the referenced description
    assert.match(p.stdout, /FIELD: targetPort <string>/);
    assert.match(p.stdout, /IntOrString is a type that can hold an int32 or a string/);
    const rec = await s.kubectl(['explain', 'pods.spec.containers', '--recursive']);
    assert.equal(rec.status, 0, rec.stderr);
    for (const f of ['livenessProbe', 'httpGet', 'grpc', 'volumeMounts', 'securityContext', 'envFrom']) assert.match(rec.stdout, new RegExp(`\\b${f}\\b`));
  } finally {
    await s.stop();
  }
});
