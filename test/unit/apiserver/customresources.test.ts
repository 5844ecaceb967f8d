// CustomResourceDefinitions and their custom resources against a real API server (in-process, SQLite in a temp
// dir): CRD validation (non-structural schemas refused with upstream's messages), names accepted and established,
// serving through the generic registry (discovery, OpenAPI, Tables from printer columns, field selectors, watch),
// schema validation with every field error, defaulting, pruning, status and scale subresources, JSON only, and
// deletion of a CRD removing its objects; Argo's own CRDs accepted without displacing the built-in kinds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../../src/client/client.ts';
import { R, type ResourceRef } from '../../../src/client/resources.ts';
import { startTestApiServer, statusError, type TestApiServer } from './inprocess.ts';

let t: TestApiServer, client: KubeClient;
const NS = 'default';
const CRONTABS: ResourceRef = { group: 'stable.example.com', version: 'v1', plural: 'crontabs', kind: 'CronTab', namespaced: true };

before(async () => {
  t = await startTestApiServer('crd');
  client = t.client;
});
after(async () => { await t?.stop(); });

const raw = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) => t.raw(method, path, body, headers);
async function until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const crd = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name }, spec });
const established = (name: string) => until(`${name} established`, async () => {
  const c = await client.get(R.customresourcedefinitions, undefined, name);
  return c.status?.conditions?.some((x: any) => x.type === 'Established' && x.status === 'True') ? c : undefined;
});

const cronTabSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object', required: ['cronSpec'],
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$', description: 'The cron schedule.' },
        image: { type: 'string', maxLength: 20 },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        size: { type: 'string', enum: ['S', 'M', 'L'] },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 3, 'x-kubernetes-list-type': 'set' },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        port: { 'x-kubernetes-int-or-string': true },
      },
    },
    status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' }, phase: { type: 'string' } } },
  },
};
const cronTabCRD = crd('crontabs.stable.example.com', {
  group: 'stable.example.com', scope: 'Namespaced',
  names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
  versions: [{
    name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: cronTabSchema },
    subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
    additionalPrinterColumns: [
      { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
    selectableFields: [{ jsonPath: '.spec.size' }],
  }],
});

test('a non-structural schema is refused: 422 with every upstream error, sorted as upstream sorts them', async () => {
  const e = await statusError(client.create(R.customresourcedefinitions, undefined, crd('widgets.example.com', {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {
      type: 'object',
      properties: {
        spec: { properties: { size: { type: 'string' }, list: { type: 'array' } }, anyOf: [{ type: 'object', properties: { other: { type: 'string' } } }] },
        metadata: { type: 'object', properties: { labels: { type: 'object' } } },
      },
      additionalProperties: false,
    } } }],
  })));
  assert.equal(e.code, 422);
  const p = 'spec.versions[0].schema.openAPIV3Schema';
  assert.deepEqual(e.details!.causes!.map((c) => `${c.field}: ${c.message}`), [
    `${p}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    `${p}.additionalProperties: Forbidden: must not be used at the root`,
    `${p}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    `${p}.properties[spec].anyOf[0].properties[other].type: Forbidden: must be empty to be structural`,
    `${p}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`,
    `${p}.properties[spec].properties[list].items: Required value: must be specified`,
    `${p}.properties[spec].type: Required value: must not be empty for specified object fields`,
  ]);
  // A junctor at the root names a field the schema does not specify (structural completeness).
  const e3 = await statusError(client.create(R.customresourcedefinitions, undefined, crd('gadgets.example.com', {
    group: 'example.com', scope: 'Cluster', names: { plural: 'gadgets', kind: 'Gadget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {
      type: 'object', properties: { spec: { type: 'object' } }, anyOf: [{ required: ['spec'] }, { properties: { status: { maxProperties: 1 } } }],
    } } }],
  })));
  assert.deepEqual(e3.details!.causes!.map((c) => `${c.field}: ${c.message}`), [
    `${p}.properties[status]: Required value: because it is defined in ${p}.anyOf[1].properties[status]`,
  ]);
  assert.match(e.message, /^CustomResourceDefinition\.apiextensions\.k8s\.io "widgets\.example\.com" is invalid: \[/);
  const e2 = await statusError(client.create(R.customresourcedefinitions, undefined, crd('bad', {
    group: 'nodot', scope: 'Everywhere', names: { plural: 'Things', kind: 'thing' }, versions: [{ name: 'v1', served: true, storage: false }],
  })));
  assert.deepEqual(e2.details!.causes!.map((c) => c.field), [
    'metadata.name', 'spec.group', 'spec.scope', 'spec.versions[0].schema.openAPIV3Schema', 'spec.versions', 'spec.names.plural',
  ]);
  assert.ok(e2.message.includes('spec.group: Invalid value: "nodot": should be a domain with at least one dot'), e2.message);
  assert.ok(e2.message.includes('spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'), e2.message);
});

test('a CRD is created, its names accepted and established, and its resource discovered', async () => {
  const created = await client.create(R.customresourcedefinitions, undefined, cronTabCRD);
  assert.deepEqual(created.status.storedVersions, ['v1']);
  assert.equal(created.spec.names.listKind, 'CronTabList');
  assert.deepEqual(created.spec.conversion, { strategy: 'None' });
  const c = await established('crontabs.stable.example.com');
  assert.deepEqual(c.status.acceptedNames, { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] });
  const cond = Object.fromEntries(c.status.conditions.map((x: any) => [x.type, [x.status, x.reason]]));
  assert.deepEqual(cond, { NamesAccepted: ['True', 'NoConflicts'], Established: ['True', 'InitialNamesAccepted'] });
  const list = await until<any>('discovery', () => client.request('GET', '/apis/stable.example.com/v1'));
  assert.deepEqual(list.resources.map((r: any) => r.name), ['crontabs', 'crontabs/status', 'crontabs/scale']);
  assert.deepEqual(list.resources[0].shortNames, ['ct']);
  const groups = await client.request('GET', '/apis');
  assert.ok(groups.groups.some((g: any) => g.name === 'stable.example.com' && g.preferredVersion.version === 'v1'));
  const agg = JSON.parse((await raw('GET', '/apis', undefined, { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' })).text);
  const g = agg.items.find((x: any) => x.metadata.name === 'stable.example.com');
  assert.deepEqual(g.versions[0].resources[0].subresources.map((s: any) => s.subresource), ['status', 'scale']);
});

test('a custom resource is validated with every field error in upstream\'s words', async () => {
  const e = await statusError(client.create(CRONTABS, NS, {
    apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'bad' },
    spec: { image: 'a-very-long-image-name-indeed', replicas: 20, size: 'XL', tags: ['a', 'b', 'a', 'c'], port: true, cronSpec: 42 },
  }));
  assert.equal(e.code, 422);
  assert.deepEqual(e.details!.causes!.map((c) => `${c.field}: ${c.message}`), [
    'spec.image: Too long: may not be more than 20 bytes',
    'spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10',
    'spec.size: Unsupported value: "XL": supported values: "S", "M", "L"',
    'spec.tags: Too many: 4: must have at most 3 items',
    'spec.tags[2]: Duplicate value: "a"',
    'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    'spec.cronSpec: Invalid value: "integer": spec.cronSpec in body must be of type string: "integer"',
  ]);
  assert.match(e.message, /^CronTab\.stable\.example\.com "bad" is invalid: \[/);
  const missing = await statusError(client.create(CRONTABS, NS, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'empty' }, spec: { cronSpec: 'nope' } }));
  assert.equal(missing.message, 'CronTab.stable.example.com "empty" is invalid: spec.cronSpec: Invalid value: "nope": spec.cronSpec in body should match \'^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$\'');
  const req = await statusError(client.create(CRONTABS, NS, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'req' }, spec: {} }));
  assert.equal(req.message, 'CronTab.stable.example.com "req" is invalid: spec.cronSpec: Required value');
});

test('a custom resource is defaulted and pruned; unknown fields warn (or fail under Strict); extra keeps its own', async () => {
  const r = await raw('POST', `/apis/stable.example.com/v1/namespaces/${NS}/crontabs`, JSON.stringify({
    apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'nightly', labels: { team: 'a' } },
    spec: { cronSpec: '0 3 * * *', size: 'M', bogus: 1, extra: { anything: { goes: true } }, port: 'http' }, status: { phase: 'set-by-client' },
  }));
  assert.equal(r.code, 201, r.text);
  const obj = JSON.parse(r.text);
  assert.deepEqual(obj.spec, { cronSpec: '0 3 * * *', size: 'M', extra: { anything: { goes: true } }, port: 'http', replicas: 1 });
  assert.equal(obj.status, undefined, 'status is the status subresource\'s');
  assert.ok(String(r.headers.warning).includes('unknown field \\"spec.bogus\\"'), String(r.headers.warning));
  const strict = await raw('POST', `/apis/stable.example.com/v1/namespaces/${NS}/crontabs?fieldValidation=Strict`, JSON.stringify({
    apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'strict' }, spec: { cronSpec: '* * * * *', bogus: 1 },
  }));
  assert.equal(strict.code, 400);
  assert.match(JSON.parse(strict.text).message, /unknown field "spec.bogus"/);
  assert.equal(obj.metadata.generation, 1);
});

test('status and scale subresources: the main resource ignores status, /status changes only status, /scale follows the paths', async () => {
  const cur = await client.get(CRONTABS, NS, 'nightly');
  const u = await client.update(CRONTABS, NS, { ...cur, spec: { ...cur.spec, replicas: 3 }, status: { phase: 'ignored' } });
  assert.equal(u.spec.replicas, 3);
  assert.equal(u.status, undefined);
  assert.equal(u.metadata.generation, 2);
  const s = await client.update(CRONTABS, NS, { ...u, spec: { ...u.spec, replicas: 9 }, status: { phase: 'Running', replicas: 3, selector: 'app=nightly' } }, 'status');
  assert.equal(s.spec.replicas, 3);
  assert.deepEqual(s.status, { phase: 'Running', replicas: 3, selector: 'app=nightly' });
  assert.equal(s.metadata.generation, 2);
  const bad = await statusError(client.update(CRONTABS, NS, { ...s, status: { replicas: 'three' } }, 'status'));
  assert.equal(bad.details!.causes![0].message, 'Invalid value: "string": status.replicas in body must be of type integer: "string"');
  const scale = await client.get(CRONTABS, NS, 'nightly', 'scale');
  assert.deepEqual({ spec: scale.spec, status: scale.status, kind: scale.kind, apiVersion: scale.apiVersion }, { spec: { replicas: 3 }, status: { replicas: 3, selector: 'app=nightly' }, kind: 'Scale', apiVersion: 'autoscaling/v1' });
  const scaled = await client.patch(CRONTABS, NS, 'nightly', { spec: { replicas: 5 } }, 'merge', 'scale');
  assert.equal(scaled.spec.replicas, 5);
  assert.equal((await client.get(CRONTABS, NS, 'nightly')).spec.replicas, 5);
  const over = await statusError(client.patch(CRONTABS, NS, 'nightly', { spec: { replicas: 50 } }, 'merge', 'scale'));
  assert.equal(over.code, 422);
});

test('Tables from additionalPrinterColumns; field selectors on metadata and selectableFields; watch', async () => {
  await client.create(CRONTABS, NS, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'hourly' }, spec: { cronSpec: '0 * * * *', size: 'S' } });
  const t = JSON.parse((await raw('GET', `/apis/stable.example.com/v1/namespaces/${NS}/crontabs`, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).text);
  assert.deepEqual(t.columnDefinitions.map((c: any) => [c.name, c.type]), [['Name', 'string'], ['Spec', 'string'], ['Replicas', 'integer'], ['Age', 'date']]);
  assert.equal(t.columnDefinitions[1].description, 'Custom resource definition column (in JSONPath format): .spec.cronSpec');
  const rows = Object.fromEntries(t.rows.map((r: any) => [r.cells[0], r.cells.slice(1, 3)]));
  assert.deepEqual(rows, { hourly: ['0 * * * *', 1], nightly: ['0 3 * * *', 5] });
  assert.match(t.rows[0].cells[3], /^\d+s$/);
  const byName = await client.list(CRONTABS, NS, { fieldSelector: 'metadata.name=hourly' });
  assert.deepEqual(byName.items.map((i: any) => i.metadata.name), ['hourly']);
  const bySize = await client.list(CRONTABS, NS, { fieldSelector: 'spec.size=M' });
  assert.deepEqual(bySize.items.map((i: any) => i.metadata.name), ['nightly']);
  const badSel = await statusError(client.list(CRONTABS, NS, { fieldSelector: 'spec.image=x' }));
  assert.equal(badSel.code, 400);
  const events: string[] = [];
  const h = client.watch(CRONTABS, NS, { resourceVersion: byName.metadata.resourceVersion }, (ev) => { events.push(`${ev.type} ${ev.object.metadata?.name}`); });
  await client.create(CRONTABS, NS, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'watched' }, spec: { cronSpec: '*/5 * * * *' } });
  await until('the watch event', async () => (events.includes('ADDED watched') ? true : undefined));
  h.stop();
});

test('JSON only: a protobuf body and a strategic merge patch are 415; a merge patch works', async () => {
  const pb = await raw('POST', `/apis/stable.example.com/v1/namespaces/${NS}/crontabs`, Buffer.from('k8s\0junk'), { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
  assert.equal(pb.code, 415);
  const smp = await raw('PATCH', `/apis/stable.example.com/v1/namespaces/${NS}/crontabs/hourly`, '{"spec":{"size":"L"}}', { 'Content-Type': 'application/strategic-merge-patch+json' });
  assert.equal(smp.code, 415);
  assert.match(JSON.parse(smp.text).message, /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);
  const m = await client.patch(CRONTABS, NS, 'hourly', { spec: { size: 'L' } }, 'merge');
  assert.equal(m.spec.size, 'L');
});

test('/openapi/v3 publishes the CRD\'s schema with its GVK (what kubectl explain reads)', async () => {
  const index = await client.request('GET', '/openapi/v3');
  const url = index.paths['apis/stable.example.com/v1'].serverRelativeURL as string;
  const doc = await client.request('GET', url);
  const s = doc.components.schemas['com.example.stable.v1.CronTab'];
  assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', version: 'v1', kind: 'CronTab' }]);
  assert.equal(s.properties.spec.properties.cronSpec.description, 'The cron schedule.');
  assert.equal(s.properties.metadata.$ref, '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  assert.ok(doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch);
});

test('a second CRD with a kind already in use in the group is not accepted (KindConflict)', async () => {
  await client.create(R.customresourcedefinitions, undefined, crd('othertabs.stable.example.com', {
    group: 'stable.example.com', scope: 'Namespaced', names: { plural: 'othertabs', singular: 'othertab', kind: 'CronTab' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  }));
  const c = await until('names refused', async () => {
    const x = await client.get(R.customresourcedefinitions, undefined, 'othertabs.stable.example.com');
    return x.status?.conditions?.some((k: any) => k.type === 'NamesAccepted' && k.status === 'False') ? x : undefined;
  });
  const na = c.status.conditions.find((k: any) => k.type === 'NamesAccepted');
  assert.deepEqual([na.reason, na.message], ['KindConflict', '"CronTab" is already in use']);
  assert.equal((await statusError(client.list({ ...CRONTABS, plural: 'othertabs' }, NS))).code, 404);
  await client.delete(R.customresourcedefinitions, undefined, 'othertabs.stable.example.com');
});

test('deleting the CRD deletes its objects, then the CRD; creates are refused meanwhile', async () => {
  // An object held by a finalizer keeps the CRD Terminating until it goes.
  await client.create(CRONTABS, NS, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'held', finalizers: ['example.com/hold'] }, spec: { cronSpec: '* * * * *' } });
  await client.delete(R.customresourcedefinitions, undefined, 'crontabs.stable.example.com');
  const terminating = await until('terminating', async () => {
    const c = await client.get(R.customresourcedefinitions, undefined, 'crontabs.stable.example.com');
    return c.status.conditions.some((k: any) => k.type === 'Terminating' && k.reason === 'InstanceDeletionCheck') ? c : undefined;
  });
  assert.deepEqual(terminating.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
  const refused = await statusError(client.create(CRONTABS, NS, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'late' }, spec: { cronSpec: '* * * * *' } }));
  assert.equal(refused.code, 405);
  assert.equal(refused.message, 'create not allowed while custom resource definition is terminating');
  const left = await client.list(CRONTABS, NS);
  assert.deepEqual(left.items.map((i: any) => i.metadata.name), ['held']);
  await client.patch(CRONTABS, NS, 'held', { metadata: { finalizers: null } }, 'merge');
  await until('the CRD gone', async () => ((await statusError(client.get(R.customresourcedefinitions, undefined, 'crontabs.stable.example.com'))).code === 404 ? true : undefined));
  await until('its group gone from discovery', async () => ((await statusError(client.request('GET', '/apis/stable.example.com/v1'))).code === 404 ? true : undefined));
  const keys = await t.server.store.list('/registry/stable.example.com/');
  assert.equal(keys.items.length, 0, 'no object of the CRD is left in storage');
});

test('Argo Rollouts\' own CRD is accepted without displacing the built-in Rollout kind; deleting it keeps the Rollouts', async () => {
  await client.create(R.rollouts, NS, {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'keep' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'keep' } }, template: { metadata: { labels: { app: 'keep' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, strategy: { canary: {} } },
  });
  await client.create(R.customresourcedefinitions, undefined, crd('rollouts.argoproj.io', {
    group: 'argoproj.io', scope: 'Namespaced', names: { plural: 'rollouts', kind: 'Rollout', shortNames: ['ro'] },
    versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  }));
  const c = await established('rollouts.argoproj.io');
  assert.match(c.status.conditions.find((k: any) => k.type === 'Established').message, /served by kubelite's built-in Rollout kind/);
  const ro = await client.get(R.rollouts, NS, 'keep');
  assert.equal(ro.spec.strategy.canary !== undefined, true, 'the built-in descriptor still serves (typed, validated)');
  await client.delete(R.customresourcedefinitions, undefined, 'rollouts.argoproj.io');
  await until('the Argo CRD gone', async () => ((await statusError(client.get(R.customresourcedefinitions, undefined, 'rollouts.argoproj.io'))).code === 404 ? true : undefined));
  assert.equal((await client.get(R.rollouts, NS, 'keep')).metadata.name, 'keep');
});
