/**
 * Both stores (SQLite, and etcd started by the test on loopback): the same checks for each —
 * a restart on the same data dir brings every object back (and IP allocations stay taken), and kill -9 in the
 * middle of a write loop loses no acknowledged write. Plus the startup errors (port in use, unreadable data dir).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import { startCluster, startEtcd, run, repoRoot, freePort, type Cluster } from './harness.ts';
import { R } from '../../src/client/resources.ts';

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

for (const store of ['sqlite', 'etcd'] as const) {
  describe(`store ${store}`, () => {
    let etcd: { endpoint: string; stop(): Promise<void> } | undefined;
    let dataDir: string;
    const args = () => (etcd ? ['--etcd-endpoints', etcd.endpoint] : []);
    before(async () => {
      if (store === 'etcd') etcd = await startEtcd();
      dataDir = mkdtempSync(join(tmpdir(), `kubelite-stores-${store}-`));
    });
    after(async () => {
      await etcd?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('a restart keeps every object, and allocated IPs stay allocated', async () => {
      let c: Cluster = await startCluster({ store, dataDir, args: args() });
      const port = c.port;
      await c.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keep' } });
      for (let i = 0; i < 20; i++) await c.client.create(R.configmaps, 'keep', cm(`c${i}`, { i: String(i) }));
      const svc = await c.client.create(R.services, 'keep', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }], selector: { a: 'b' } } });
      const r = await c.kubectl(['create', 'deployment', 'web', '--image=nginx', '-n', 'keep']);
      assert.equal(r.code, 0, r.stderr);
      const before = await c.client.list(R.configmaps, 'keep');
      await c.stop({ keepData: true });
      c = await startCluster({ store, dataDir, port, args: args() });
      try {
        const after = await c.client.list(R.configmaps, 'keep');
        assert.deepEqual(after.items.map((x: any) => [x.metadata.name, x.metadata.uid, x.metadata.resourceVersion, x.data.i]),
          before.items.map((x: any) => [x.metadata.name, x.metadata.uid, x.metadata.resourceVersion, x.data.i]));
        assert.equal((await c.client.get(R.deployments, 'keep', 'web')).spec.template.spec.containers[0].image, 'nginx');
        const s = await c.client.get(R.services, 'keep', 's');
        assert.equal(s.spec.clusterIP, svc.spec.clusterIP);
        await assert.rejects(c.client.create(R.services, 'keep', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's2' }, spec: { clusterIP: svc.spec.clusterIP, ports: [{ port: 80 }] } }),
          (e: any) => e.code === 422);
        for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(await c.client.get(R.namespaces, undefined, n));
        const g = await c.kubectl(['get', 'cm', '-n', 'keep', '-o', 'name']);
        assert.equal(g.stdout.trim().split('\n').filter((l) => l.startsWith('configmap/c')).length, 20);
      } finally {
        await c.stop({ keepData: true });
      }
    });

    test('kill -9 in the middle of a write loop loses no acknowledged write', async () => {
      let c = await startCluster({ store, dataDir, args: args() });
      const port = c.port;
      await c.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'k9' } }).catch((e) => { if (e.code !== 409) throw e; });
      const acked = new Map<string, string>(); // name -> acknowledged value
      const inflight = new Map<string, string>(); // name -> value of a write sent but not answered (may or may not be stored)
      let stop = false;
      const writers = Array.from({ length: 4 }, (_, w) => (async () => {
        for (let i = 0; !stop; i++) {
          const name = `w${w}-${i}`;
          try {
            await c.client.create(R.configmaps, 'k9', cm(name, { v: String(i) }));
            acked.set(name, String(i));
            if (i % 3 === 0) {
              inflight.set(name, `${i}-patched`);
              await c.client.patch(R.configmaps, 'k9', name, { data: { v: `${i}-patched` } }, 'merge');
              acked.set(name, `${i}-patched`);
              inflight.delete(name);
            }
          } catch {
            return; // the server died mid-request: this write was never acknowledged
          }
        }
      })());
      await new Promise((r) => setTimeout(r, 2500));
      await c.kill9();
      stop = true;
      await Promise.all(writers);
      assert.ok(acked.size > 10, `only ${acked.size} writes acknowledged before the kill`);
      c = await startCluster({ store, dataDir, port, args: args() });
      try {
        const l = await c.client.list(R.configmaps, 'k9');
        const stored = new Map(l.items.map((x: any) => [x.metadata.name, x.data.v]));
        for (const [name, v] of acked) {
          const got = stored.get(name);
          assert.ok(got === v || (inflight.has(name) && got === inflight.get(name)), `acknowledged write ${name}=${v} lost (stored: ${got})`);
        }
      } finally {
        await c.stop({ keepData: true });
      }
    });
  });
}

test('startup errors: port in use, unreadable data dir', async () => {
  const busy = net.createServer();
  const port = await freePort();
  await new Promise<void>((r) => busy.listen(port, '127.0.0.1', () => r()));
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-busy-'));
  try {
    const r = await run(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'up', '--data-dir', dir, '--api-port', String(port), '--no-merge-kubeconfig', '--no-node'], { timeoutMs: 90000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`kubelite: port ${port} on 127.0.0.1 is already in use: stop what uses it or choose another port with --api-port`));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (process.getuid?.() === 0) {
    // root reads everything: use a path under a regular file instead
    const fileDir = mkdtempSync(join(tmpdir(), 'kubelite-file-'));
    const f = join(fileDir, 'file');
    writeFileSync(f, 'x');
    const r = await run(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'up', '--data-dir', join(f, 'data'), '--api-port', String(port), '--no-merge-kubeconfig', '--no-node'], { timeoutMs: 60000 });
    rmSync(fileDir, { recursive: true, force: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /kubelite: cannot use data dir .*: fix its permissions or choose another with --data-dir/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } else {
    const d = mkdtempSync(join(tmpdir(), 'kubelite-ro-'));
    chmodSync(d, 0o000);
    const r = await run(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'up', '--data-dir', d, '--api-port', String(port), '--no-merge-kubeconfig', '--no-node'], { timeoutMs: 60000 });
    chmodSync(d, 0o700);
    rmSync(d, { recursive: true, force: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /kubelite: cannot use data dir .*: fix its permissions or choose another with --data-dir/);
  }
});
