import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Informer, NAMESPACE_INDEX, NODE_INDEX, OWNER_INDEX } from '../../../src/client/informer.ts';
import { R } from '../../../src/client/resources.ts';

/** A stand-in API client (unit test only): a fixed list, then the watch events the test pushes. */
function fakeClient(items: any[]) {
  let push: (ev: any) => Promise<void> = async () => {};
  let finish: () => void = () => {};
  const client: any = {
    list: async () => ({ items, metadata: { resourceVersion: '1' } }),
    watch: (_ref: any, _ns: any, _opts: any, onEvent: (ev: any) => Promise<void>) => {
      push = onEvent;
      const done = new Promise<{ error?: unknown }>((r) => { finish = () => r({}); });
      return { stop: () => finish(), done };
    },
  };
  return { client, event: (type: string, object: any) => push({ type, object }) };
}

let rv = 1;
const pod = (ns: string, name: string, node?: string, owners: string[] = []) => ({
  metadata: { namespace: ns, name, uid: `${ns}-${name}`, resourceVersion: String(++rv), ownerReferences: owners.map((uid) => ({ uid, kind: 'ReplicaSet', name: 'rs', apiVersion: 'apps/v1', controller: true })) },
  spec: node ? { nodeName: node } : {},
});
const names = (l: any[]) => l.map((o) => o.metadata.name).sort();

test('namespace, owner and node indexes follow adds, updates and deletes', async () => {
  const f = fakeClient([pod('a', 'p1', 'n1', ['rs1']), pod('a', 'p2', undefined, ['rs1', 'rs2']), pod('b', 'p3', 'n2')]);
  const inf = new Informer<any>(f.client, R.pods);
  await inf.start();
  assert.deepEqual(names(inf.byIndex(NAMESPACE_INDEX, 'a')), ['p1', 'p2']);
  assert.deepEqual(names(inf.byIndex(OWNER_INDEX, 'rs1')), ['p1', 'p2']);
  assert.deepEqual(names(inf.byIndex(OWNER_INDEX, 'rs2')), ['p2']);
  assert.deepEqual(names(inf.byIndex(NODE_INDEX, 'n1')), ['p1']);
  assert.deepEqual(inf.byIndex(NODE_INDEX, 'nowhere'), []);

  await f.event('MODIFIED', pod('a', 'p2', 'n1', ['rs2'])); // bound, and no longer owned by rs1
  assert.deepEqual(names(inf.byIndex(OWNER_INDEX, 'rs1')), ['p1']);
  assert.deepEqual(names(inf.byIndex(NODE_INDEX, 'n1')), ['p1', 'p2']);
  await f.event('ADDED', pod('b', 'p4', 'n2'));
  await f.event('DELETED', pod('a', 'p1', 'n1', ['rs1']));
  assert.deepEqual(inf.byIndex(OWNER_INDEX, 'rs1'), []);
  assert.deepEqual(names(inf.byIndex(NAMESPACE_INDEX, 'b')), ['p3', 'p4']);
  assert.deepEqual(inf.indexValues(NODE_INDEX).sort(), ['n1', 'n2']);
  await inf.stop();
});

test('custom indexes, added before or after the cache filled', async () => {
  const f = fakeClient([pod('a', 'web-1'), pod('a', 'db-1')]);
  const inf = new Informer<any>(f.client, R.pods);
  await inf.start();
  inf.addIndexers({ prefix: (o) => [o.metadata.name.split('-')[0]] });
  assert.deepEqual(names(inf.byIndex('prefix', 'web')), ['web-1']);
  await f.event('ADDED', pod('b', 'web-2'));
  assert.deepEqual(names(inf.byIndex('prefix', 'web')), ['web-1', 'web-2']);
  assert.throws(() => inf.byIndex('nope', 'x'), /no index nope/);
  assert.throws(() => inf.addIndexers({ prefix: () => [] }), /already exists/);
  await inf.stop();
});
