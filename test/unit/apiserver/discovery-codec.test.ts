import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wantsAggregated, Discovery } from '../../../src/apiserver/discovery.ts';
import { jsonEqual, specPart, jsonDepthExceeds, generateName, objectKey, collectionPrefix } from '../../../src/apiserver/codec.ts';
import { encodeContinue } from '../../../src/apiserver/registry.ts';
import { resources } from '../../../src/api/registry.ts';

test('wantsAggregated follows the first acceptable media type', () => {
  const k = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  assert.equal(wantsAggregated(k), 'v2');
  assert.equal(wantsAggregated('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'), 'v2beta1');
  assert.equal(wantsAggregated('application/json'), undefined);
  assert.equal(wantsAggregated('application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'), undefined);
  assert.equal(wantsAggregated(undefined), undefined);
});

test('discovery documents from the ResourceDefs', () => {
  const d = new Discovery(resources, () => '127.0.0.1:6443');
  const core: any = d.aggregated(true, 'v2');
  assert.equal(core.items.length, 1);
  assert.equal(core.items[0].metadata.name, '');
  const pods = core.items[0].versions[0].resources.find((r: any) => r.resource === 'pods');
  assert.deepEqual(pods.responseKind, { group: '', version: 'v1', kind: 'Pod' });
  assert.equal(pods.scope, 'Namespaced');
  const apps: any = d.apiResourceList('apps', 'v1');
  const scale = apps.resources.find((r: any) => r.name === 'deployments/scale');
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.group, 'autoscaling');
  assert.equal(d.apiResourceList('nope', 'v1'), undefined);
  const groups: any = d.apiGroupList();
  assert.ok(groups.groups.every((g: any) => g.name !== ''));
});

test('codec helpers', () => {
  assert.ok(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
  assert.ok(jsonEqual({ a: 1, x: undefined }, { a: 1 }));
  assert.ok(!jsonEqual({ a: [1, 2] }, { a: [2, 1] }));
  assert.deepEqual(specPart({ apiVersion: 'v1', kind: 'X', metadata: {}, status: {}, spec: { a: 1 } }), { spec: { a: 1 } });
  let deep: any = 1;
  for (let i = 0; i < 200; i++) deep = [deep];
  assert.ok(jsonDepthExceeds(deep, 100));
  assert.ok(!jsonDepthExceeds({ a: { b: 1 } }, 100));
  assert.match(generateName('web-'), /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(generateName('x'.repeat(100)).length, 63);
  const pods = resources.find((r) => r.plural === 'pods')!;
  const ns = resources.find((r) => r.plural === 'namespaces')!;
  const deploy = resources.find((r) => r.plural === 'deployments')!;
  assert.equal(objectKey(pods, 'default', 'web'), '/registry/core/pods/default/web');
  assert.equal(objectKey(ns, undefined, 'default'), '/registry/core/namespaces/default');
  assert.equal(collectionPrefix(deploy, 'a'), '/registry/apps/deployments/a/');
  assert.equal(collectionPrefix(deploy), '/registry/apps/deployments/');
  assert.match(encodeContinue(5, '/registry/x'), /^[A-Za-z0-9_-]+$/);
});
