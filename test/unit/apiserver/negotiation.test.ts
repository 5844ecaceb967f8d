/**
 * Output negotiation (src/apiserver/negotiation.ts): metadata-only (PartialObjectMetadata[List]) and Table
 * answers for every kind, on get, list, watch and writes, Accept fallbacks as upstream, 406 when nothing fits.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { startServer, type TestServer } from './server-fixture.ts';
import { parseAccept, negotiateOutput } from '../../../src/apiserver/negotiation.ts';
import { resources } from '../../../src/api/registry.ts';
import { StatusError } from '../../../src/api/errors.ts';

const POM = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const POML = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
/** What client-go's metadata client sends for a list (protobuf first, then JSON, then plain JSON). */
const METADATA_CLIENT_LIST = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const METADATA_CLIENT_WATCH = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

test('Accept parsing and negotiation, clause by clause', () => {
  assert.deepEqual(parseAccept('text/html;q=0.5, application/json;as=Table;g=meta.k8s.io;v=v1, */*;q=0.8').map((c) => `${c.type}/${c.subtype}`), ['application/json', '*/*', 'text/html']);
  const cases: [string | undefined, object, string | undefined][] = [
    [undefined, {}, 'application/json'],
    ['', {}, 'application/json'],
    ['*/*', {}, 'application/json'],
    ['application/*', {}, 'application/json'],
    ['application/yaml', {}, 'application/yaml'],
    ['application/json;charset=utf-8', {}, 'application/json'],
    [TABLE, {}, 'application/json as Table v1'],
    ['application/json;as=Table;v=v1beta1;g=meta.k8s.io', {}, 'application/json as Table v1beta1'],
    ['application/yaml;as=Table;v=v1;g=meta.k8s.io', {}, 'application/yaml as Table v1'],
    // A Table asked of an endpoint without one falls back to the next clause.
    [TABLE, { table: false }, 'application/json'],
    [POML, {}, 'application/json as PartialObjectMetadataList v1'],
    [METADATA_CLIENT_LIST, {}, 'application/json as PartialObjectMetadataList v1'],
    [METADATA_CLIENT_WATCH, { stream: true }, 'application/json as PartialObjectMetadata v1'],
    ['application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1', {}, 'application/json as PartialObjectMetadata v1beta1'],
    // Unknown conversions, wrong group or version, a missing version: the clause is skipped.
    ['application/json;as=Deployment;g=apps;v=v1,application/json', {}, 'application/json'],
    ['application/json;as=Table;g=meta.k8s.io,application/yaml', {}, 'application/yaml'],
    ['application/json;as=Table;g=example.io;v=v1', {}, undefined],
    // Nothing the server produces: 406. YAML does not stream.
    ['application/vnd.kubernetes.protobuf', {}, undefined],
    ['text/html', {}, undefined],
    ['application/yaml', { stream: true }, undefined],
    ['application/json;stream=watch', { stream: true }, 'application/json'],
  ];
  for (const [accept, opts, want] of cases) {
    if (want === undefined) {
      assert.throws(() => negotiateOutput(accept, opts), (e: StatusError) => e.code === 406 && e.reason === 'NotAcceptable' && e.message === 'only the following media types are accepted: application/json, application/yaml', String(accept));
      continue;
    }
    const n = negotiateOutput(accept, opts);
    assert.equal(n.mediaType + (n.convert ? ` as ${n.convert.kind} ${n.convert.version}` : ''), want, String(accept));
  }
});

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

const JSONH = { 'Content-Type': 'application/json' };
const get = (path: string, accept: string) => s.request('GET', path, { headers: { Accept: accept } });
const listPath = (d: (typeof resources)[number]) => `${d.group ? `/apis/${d.group}` : '/api'}/${d.version}/${d.namespaced ? 'namespaces/default/' : ''}${d.plural}`;

test('every kind served lists as PartialObjectMetadataList and as a Table (argoproj.io included)', async () => {
  await s.request('POST', '/apis/argoproj.io/v1alpha1/namespaces/default/analysistemplates', { headers: JSONH, body: JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'tmpl', labels: { a: 'b' } },
    spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x', jsonPath: '{$.ok}' } }, successCondition: 'result == true' }] },
  }) });
  const kinds = resources.filter((d) => d.verbs.includes('list') && !d.source);
  assert.ok(kinds.some((d) => d.group === 'argoproj.io'));
  for (const d of kinds) {
    const m = await get(listPath(d), METADATA_CLIENT_LIST);
    assert.equal(m.status, 200, `${d.plural}: ${m.text}`);
    const ml = m.json();
    assert.equal(ml.kind, 'PartialObjectMetadataList', d.plural);
    assert.equal(ml.apiVersion, 'meta.k8s.io/v1');
    assert.match(ml.metadata.resourceVersion, /^[0-9]+$/);
    for (const item of ml.items) {
      assert.deepEqual(Object.keys(item).sort(), ['apiVersion', 'kind', 'metadata']);
      assert.equal(item.kind, 'PartialObjectMetadata');
    }
    const t = await get(listPath(d), TABLE);
    assert.equal(t.status, 200, `${d.plural}: ${t.text}`);
    assert.equal(t.json().kind, 'Table', d.plural);
    assert.ok(t.json().columnDefinitions.length >= 1);
  }
  const at = (await get('/apis/argoproj.io/v1alpha1/namespaces/default/analysistemplates', POML)).json();
  assert.deepEqual(at.items.map((i: any) => [i.metadata.name, i.metadata.labels]), [['tmpl', { a: 'b' }]]);
  assert.equal(at.items[0].spec, undefined);
});

test('get and writes answer PartialObjectMetadata; a list asked for one object is 406, and the reverse', async () => {
  const cm = await s.request('POST', '/api/v1/namespaces/default/configmaps', { headers: { ...JSONH, Accept: POM }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1', labels: { x: 'y' } }, data: { secret: 'value' } }) });
  assert.equal(cm.status, 201, cm.text);
  assert.equal(cm.json().kind, 'PartialObjectMetadata');
  assert.equal(cm.json().data, undefined);
  assert.equal(cm.json().metadata.labels.x, 'y');
  const g = await get('/api/v1/namespaces/default/configmaps/cm1', METADATA_CLIENT_WATCH);
  assert.deepEqual([g.json().kind, g.json().apiVersion, g.json().metadata.name], ['PartialObjectMetadata', 'meta.k8s.io/v1', 'cm1']);
  assert.equal(g.headers['content-type'], 'application/json');
  const beta = await get('/apis/argoproj.io/v1alpha1/namespaces/default/analysistemplates/tmpl', 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1');
  assert.deepEqual([beta.json().kind, beta.json().apiVersion], ['PartialObjectMetadata', 'meta.k8s.io/v1beta1']);
  const p = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/cm1', { headers: { 'Content-Type': 'application/merge-patch+json', Accept: POM }, body: '{"data":{"b":"c"}}' });
  assert.equal(p.json().kind, 'PartialObjectMetadata');
  const wrongList = await get('/api/v1/namespaces/default/configmaps', POM);
  assert.equal(wrongList.status, 406);
  assert.equal(wrongList.json().reason, 'NotAcceptable');
  assert.equal(wrongList.json().message, 'you requested PartialObjectMetadata, but the requested object is a list (*core.ConfigMapList)');
  const wrongOne = await get('/api/v1/namespaces/default/configmaps/cm1', POML);
  assert.equal(wrongOne.status, 406);
  assert.equal(wrongOne.json().message, 'you requested PartialObjectMetadataList, but the requested object is not a list (*core.ConfigMap)');
  const proto = await get('/api/v1/namespaces/default/configmaps/cm1', 'application/vnd.kubernetes.protobuf');
  assert.equal(proto.status, 406);
  // 406 comes before any write.
  const refused = await s.request('POST', '/api/v1/namespaces/default/configmaps', { headers: { ...JSONH, Accept: 'text/html' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'never' } }) });
  assert.equal(refused.status, 406);
  assert.equal((await get('/api/v1/namespaces/default/configmaps/never', 'application/json')).status, 404);
  // Subresources: a Scale has no Table, so the Table clauses fall through to JSON.
  await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', { headers: JSONH, body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }) });
  const scale = await get('/apis/apps/v1/namespaces/default/deployments/d/scale', TABLE);
  assert.equal(scale.json().kind, 'Scale');
  const status = await get('/apis/apps/v1/namespaces/default/deployments/d/status', TABLE);
  assert.equal(status.json().kind, 'Table');
});

test('YAML answers for application/yaml', async () => {
  const y = await get('/api/v1/namespaces/default/configmaps/cm1', 'application/yaml');
  assert.equal(y.status, 200);
  assert.equal(y.headers['content-type'], 'application/yaml');
  const doc = YAML.parse(y.text);
  assert.deepEqual([doc.kind, doc.metadata.name, doc.data.secret], ['ConfigMap', 'cm1', 'value']);
});

test('a watch with as=PartialObjectMetadata streams PartialObjectMetadata objects, bookmarks included', async () => {
  const w = await s.stream('/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=3', { Accept: METADATA_CLIENT_WATCH });
  assert.equal(w.status, 200);
  const events: any[] = [];
  const first = JSON.parse((await w.next())!);
  events.push(first);
  await s.request('POST', '/api/v1/namespaces/default/configmaps', { headers: JSONH, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' }, data: { k: 'v' } }) });
  for (let l = await w.next(); l !== undefined; l = await w.next()) events.push(JSON.parse(l));
  assert.ok(events.length >= 3, JSON.stringify(events.map((e) => e.type)));
  for (const e of events) {
    assert.equal(e.object.kind, 'PartialObjectMetadata', JSON.stringify(e));
    assert.equal(e.object.apiVersion, 'meta.k8s.io/v1');
    assert.equal(e.object.data, undefined);
  }
  const bookmark = events.find((e) => e.type === 'BOOKMARK');
  assert.deepEqual(bookmark.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
  assert.ok(events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'watched'));
  // A Table watch: one-row Tables.
  const t = await s.stream('/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1', { Accept: TABLE });
  const row = JSON.parse((await t.next())!);
  assert.equal(row.object.kind, 'Table');
  assert.equal(row.object.rows.length, 1);
  t.close();
  // A watch asking only YAML: nothing it can stream.
  const y = await s.request('GET', '/api/v1/namespaces/default/configmaps?watch=true', { headers: { Accept: 'application/yaml' } });
  assert.equal(y.status, 406);
});
