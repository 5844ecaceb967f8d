/**
 * An etcd that other applications also use: the API server's store caches only `/registry/`, and still reads
 * and writes its own keys as before.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { openStore, CachedStore, REGISTRY_PREFIX } from '../../../src/storage/index.ts';
import { EtcdProcess } from './etcd-process.ts';

describe('openStore on an etcd shared with other applications', () => {
  let etcd: EtcdProcess;
  before(async () => { etcd = new EtcdProcess(); await etcd.start(); });
  after(async () => { await etcd.destroy(); });

  it('loads and watches only /registry/, and serves its own keys from the cache', async () => {
    const other = new Etcd3({ hosts: [etcd.endpoint] });
    try {
      for (let i = 0; i < 50; i++) await other.put(`/other-app/key-${i}`).value('x'.repeat(100));
      await other.put('/registryish/not-ours').value('y');
      await other.put('/registry/core/namespaces/default').value(JSON.stringify({ metadata: { name: 'default' } }));

      const store = await openStore({ kind: 'etcd', etcdEndpoints: [etcd.endpoint] });
      try {
        assert.ok(store instanceof CachedStore);
        assert.equal(store.objectCount(), 1, 'only the one /registry/ key is cached');
        const created = await store.create('/registry/core/configmaps/default/a', '{"data":{"k":"v"}}');
        await other.put('/other-app/after-start').value('z');
        const cm = await store.get('/registry/core/configmaps/default/a');
        assert.equal(cm?.modRevision, created.modRevision);
        const list = await store.list(REGISTRY_PREFIX);
        assert.deepEqual(list.items.map((kv) => kv.key), ['/registry/core/configmaps/default/a', '/registry/core/namespaces/default']);
        assert.equal(store.objectCount(), 2, 'writes after start outside /registry/ are not cached either');
        // A key outside the prefix is still readable, from etcd itself.
        assert.equal((await store.get('/other-app/key-7'))?.value, 'x'.repeat(100));
      } finally {
        await store.close();
      }
    } finally {
      other.close();
    }
  });
});
