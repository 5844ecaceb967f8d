/**
 * A kind is one descriptor: every registered ResourceDef yields discovery, its OpenAPI schema, a table, field
 * selectors, client coordinates and garbage-collector participation; and a descriptor known only to a test
 * server is served generically (CRUD, table, field selector, REST hook, subresource handler, discovery).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kinds, resources, findByKind, findResource } from '../../../src/api/registry.ts';
import { definitions } from '../../../src/api/definitions/index.ts';
import { tableFor, buildTable } from '../../../src/api/tables/index.ts';
import { defaultTable } from '../../../src/api/tables/cluster.ts';
import { col, nameColumn } from '../../../src/api/tables/table.ts';
import { fieldSelectorFor, objectMatchesFieldSelector, supportedFieldLabels } from '../../../src/api/fieldselectors.ts';
import { openapiDocument } from '../../../src/api/openapi.ts';
import { define, sub } from '../../../src/api/kinds/common.ts';
import { invalid } from '../../../src/api/validation/field.ts';
import { R, refOf } from '../../../src/client/resources.ts';
import { gcResources } from '../../../src/controllers/garbagecollector/controller.ts';
import { Discovery } from '../../../src/apiserver/discovery.ts';
import { createApiServer } from '../../../src/apiserver/server.ts';
import { ensurePki } from '../../../src/apiserver/tls.ts';
import { openSqliteStore } from '../../../src/storage/sqlite.ts';

test('every registered descriptor yields discovery, schema, table, field selectors, client coordinates, GC participation', () => {
  const discovery = new Discovery(resources, () => '127.0.0.1:6443');
  assert.deepEqual(resources, Object.values(kinds));
  for (const [name, def] of Object.entries(kinds)) {
    const what = `${def.group}/${def.kind}`;
    assert.equal(findResource(def.group, def.version, def.plural), def, what);
    assert.equal(findByKind(def.group, def.kind, def.version), def, what);
    // without a version: the preferred (first registered) version of the kind
    assert.equal(findByKind(def.group, def.kind), resources.find((r) => r.group === def.group && r.kind === def.kind), what);
    // schema: the named definition carries the kind's group-version-kind
    const gvk = definitions[def.schemaName]?.['x-kubernetes-group-version-kind'];
    assert.deepEqual(gvk, [{ group: def.group, version: def.version, kind: def.kind }], what);
    // discovery and OpenAPI: the resource and each subresource
    const list = discovery.apiResourceList(def.group, def.version) as { resources: { name: string; kind: string }[] };
    assert.ok(list.resources.some((r) => r.name === def.plural && r.kind === def.kind), what);
    for (const s of def.subresources) {
      assert.ok(list.resources.some((r) => r.name === `${def.plural}/${s.name}`), `${what} ${s.name}`);
      assert.ok(!(s.serve && s.connect), `${what} ${s.name}: one handler`);
    }
    const doc = openapiDocument(def.group, def.version) as { paths: Record<string, unknown> };
    assert.ok(Object.keys(doc.paths).some((p) => p.endsWith(`/${def.plural}`)), what);
    // table: the descriptor's, else NAME/AGE; its rows have as many cells as columns
    const table = tableFor(def.group, def.kind, def.version);
    assert.equal(table, def.table ?? defaultTable, what);
    const obj = { apiVersion: def.group ? `${def.group}/${def.version}` : def.version, kind: def.kind, metadata: { name: 'x', namespace: 'ns' } };
    const t = buildTable([obj], table, Date.now(), 'None', {});
    const nameAt = t.columnDefinitions.findIndex((c) => c.format === 'name');
    assert.ok(nameAt >= 0, what);
    assert.equal(t.rows[0].cells.length, t.columnDefinitions.length, what);
    assert.equal(t.rows[0].cells[nameAt], 'x', what);
    // field selectors: the descriptor's labels, metadata.name always selectable
    assert.deepEqual(supportedFieldLabels(def.group, def.kind), def.fieldSelectors?.accepted ?? ['metadata.name', 'metadata.namespace'], what);
    assert.equal(objectMatchesFieldSelector(def, fieldSelectorFor(def, 'metadata.name=x'), obj), true, what);
    assert.equal(objectMatchesFieldSelector(def, fieldSelectorFor(def, 'metadata.name=y'), obj), false, what);
    // client coordinates and garbage collection
    assert.deepEqual(R[name as keyof typeof R], refOf(def), what);
    assert.equal(gcResources.some((r) => r.group === def.group && r.version === def.version && r.plural === def.plural), def.garbageCollected, what);
  }
  assert.equal(Object.keys(R).length, resources.length);
});

// ---- a throwaway kind, served only by a test server ----

const GROUP = 'test.kubelite.dev';
const widgets = define({
  group: GROUP, version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true,
  shortNames: ['wd'],
  // any schema with a `data` map serves for decoding; the kind is the descriptor's
  schemaName: 'io.k8s.api.core.v1.ConfigMap',
  hasGeneration: false,
  table: {
    columns: [nameColumn(), col('Color', 'string', 'The color of the widget.')],
    row: (w) => [w?.metadata?.name ?? '', w?.data?.color ?? '<none>'],
  },
  fieldSelectors: {
    accepted: ['metadata.name', 'metadata.namespace', 'data.color'],
    fields: (w) => ({ 'data.color': String(w?.data?.color ?? '') }),
  },
  subresources: [sub('echo', GROUP, 'v1', 'Widget', ['get'], {
    serve: async (r) => ({ code: 200, body: { kind: 'Echo', method: r.method, name: r.name, namespace: r.namespace } }),
  })],
  rest: () => ({
    async beforeCreate(obj) { obj.metadata!.annotations = { ...(obj.metadata!.annotations ?? {}), 'test.kubelite.dev/hooked': 'yes' }; },
  }),
  defaults(obj) { if (obj.data && typeof obj.data === 'object' && !(obj.data as any).color) (obj.data as any).color = 'grey'; },
  validate(obj) {
    const c = (obj.data as any)?.color;
    return c === 'invisible' ? [invalid('data.color', c, 'must be visible')] : [];
  },
});

test('a descriptor registered only in a test server is served generically', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-descriptor-'));
  const store = openSqliteStore(join(dir, 'state.db'));
  const pki = ensurePki(dir, ['127.0.0.1']);
  const api = createApiServer({ store, pki, defs: [...resources, widgets], log: () => undefined });
  try {
    await api.listen(0, '127.0.0.1');
    const port = (api.httpServer.address() as { port: number }).port;
    const call = (method: string, path: string, body?: unknown, accept = 'application/json') => new Promise<{ code: number; body: any }>((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request({ host: '127.0.0.1', port, path, method, ca: pki.caCert,
        headers: { Authorization: `Bearer ${pki.adminToken}`, Accept: accept, ...(data ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve({ code: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
      });
      req.on('error', reject);
      req.end(data);
    });
    const base = `/apis/${GROUP}/v1/namespaces/ns1/widgets`;
    assert.equal((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } })).code, 201);

    const created = await call('POST', base, { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'w1' }, data: { color: 'red' } });
    assert.equal(created.code, 201);
    assert.equal(created.body.metadata.annotations['test.kubelite.dev/hooked'], 'yes');
    const grey = await call('POST', base, { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'w2' }, data: { size: 'L' } });
    assert.equal(grey.body.data.color, 'grey');
    const bad = await call('POST', base, { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'w3' }, data: { color: 'invisible' } });
    assert.equal(bad.code, 422);
    assert.match(bad.body.message, /data\.color: Invalid value: "invisible": must be visible/);

    const red = await call('GET', `${base}?fieldSelector=data.color%3Dred`);
    assert.deepEqual(red.body.items.map((w: any) => w.metadata.name), ['w1']);
    assert.equal((await call('GET', `${base}?fieldSelector=data.size%3DL`)).code, 400);

    const table = await call('GET', base, undefined, 'application/json;as=Table;v=v1;g=meta.k8s.io');
    assert.deepEqual(table.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Color']);
    assert.deepEqual(table.body.rows.map((r: any) => r.cells), [['w1', 'red'], ['w2', 'grey']]);

    const echo = await call('GET', `${base}/w1/echo`);
    assert.deepEqual(echo.body, { kind: 'Echo', method: 'GET', name: 'w1', namespace: 'ns1' });
    assert.equal((await call('GET', `${base}/w1/status`)).code, 404);

    const disc = await call('GET', `/apis/${GROUP}/v1`);
    assert.deepEqual(disc.body.resources.map((r: any) => r.name), ['widgets', 'widgets/echo']);
    assert.equal((await call('DELETE', `${base}/w1`)).code, 200);
    assert.equal((await call('GET', `${base}/w1`)).code, 404);
  } finally {
    await api.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
