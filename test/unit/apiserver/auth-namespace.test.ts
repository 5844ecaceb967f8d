import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as http from 'node:http';
import { Authenticator } from '../../../src/apiserver/auth.ts';
import { GenericRegistry } from '../../../src/apiserver/registry.ts';
import { resources } from '../../../src/api/registry.ts';
import { contextFromQuery } from '../../../src/apiserver/context.ts';
import { openSqliteStore } from '../../../src/storage/sqlite.ts';
import { StatusError } from '../../../src/api/errors.ts';

const req = (authorization: string | undefined, socket: object) =>
  ({ headers: authorization ? { authorization } : {}, socket } as unknown as http.IncomingMessage);

test('bearer tokens: a keep-alive connection that changes its header is checked again', async () => {
  const a = new Authenticator();
  a.addToken('good-token', { name: 'admin', groups: ['system:masters'] });
  const sock = {};
  assert.equal((await a.authenticate(req('Bearer good-token', sock)))?.name, 'admin');
  assert.equal((await a.authenticate(req('Bearer good-token', sock)))?.name, 'admin');
  assert.equal(await a.authenticate(req('Bearer bad-token', sock)), null);
  assert.equal(await a.authenticate(req('Bearer bad-token', {})), null);
  assert.equal((await a.authenticate(req('bearer   good-token ', sock)))?.name, 'admin');
  // A token added later is accepted on a connection that already authenticated with another one.
  a.addToken('second', { name: 'other', groups: [] });
  assert.equal((await a.authenticate(req('Bearer second', sock)))?.name, 'other');
  assert.equal((await a.authenticate(req('Bearer good-token', sock)))?.name, 'admin');
  assert.equal(await a.authenticate(req(undefined, sock)), null);
});

test('create in a namespace: 404 when missing, 403 once it is terminating, even right after a create there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-reg-ns-'));
  const store = openSqliteStore(join(dir, 'state.db'));
  try {
    const reg = new GenericRegistry(store);
    const def = (plural: string) => resources.find((d) => d.group === '' && d.plural === plural)!;
    const ctx = contextFromQuery({ name: 'admin', groups: [] }, new URLSearchParams(), undefined, 'test');
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } });
    await assert.rejects(reg.create(def('configmaps'), 'ns1', cm('a'), ctx), (e: StatusError) => e.code === 404);
    await reg.create(def('namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } }, ctx);
    await reg.create(def('configmaps'), 'ns1', cm('a'), ctx);
    await reg.create(def('configmaps'), 'ns1', cm('b'), ctx);
    await reg.guaranteedUpdate(def('namespaces'), undefined, 'ns1', ctx, (cur) => ({ ...cur, status: { phase: 'Terminating' } }), { subresource: 'status' });
    await assert.rejects(reg.create(def('configmaps'), 'ns1', cm('c'), ctx), (e: StatusError) => e.code === 403 && /being terminated/.test(e.message));
    assert.equal((await reg.get(def('configmaps'), 'ns1', 'b')).metadata?.name, 'b');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
