import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/storage/sqlite.ts';
import { ServiceAllocators, ServiceCIDR } from '../../../src/apiserver/allocators.ts';

test('ServiceCIDR: first address, offsets inside the range only', () => {
  const c = new ServiceCIDR('10.96.0.0/12');
  assert.equal(c.nth(1), '10.96.0.1');
  assert.equal(c.size, 1 << 20);
  assert.equal(c.offset('10.96.0.1'), 1);
  assert.equal(c.offset('10.111.255.254'), (1 << 20) - 2);
  assert.equal(c.offset('10.111.255.255'), undefined); // broadcast
  assert.equal(c.offset('10.96.0.0'), undefined); // network
  assert.equal(c.offset('10.112.0.1'), undefined);
  assert.equal(c.offset('nope'), undefined);
  assert.throws(() => new ServiceCIDR('10.96.0.0/40'));
});

test('allocators: concurrent allocations never collide; explicit values honoured once; released values reusable; repair', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-alloc-'));
  const store = openSqliteStore(join(dir, 'db'));
  try {
    const a = new ServiceAllocators(store, '10.0.0.0/28'); // 14 usable addresses
    const svc = (n: string) => ({ metadata: { name: n, namespace: 'default' } });
    const ips = await Promise.all(Array.from({ length: 14 }, (_, i) => a.allocateIP(svc(`s${i}`))));
    assert.equal(new Set(ips).size, 14);
    await assert.rejects(a.allocateIP(svc('full')), (e: any) => e.code === 500 && /range is full/.test(e.message));
    await a.releaseIP(ips[3]);
    assert.equal(await a.allocateIP(svc('again'), ips[3]), ips[3]);
    await assert.rejects(a.allocateIP(svc('dup'), ips[3]), (e: any) => e.code === 422 && /provided IP is already allocated/.test(e.message));
    await assert.rejects(a.allocateIP(svc('out'), '10.0.1.1'), (e: any) => e.code === 422 && /not in the valid range/.test(e.message));
    const ports = await Promise.all(Array.from({ length: 50 }, (_, i) => a.allocatePort(svc(`p${i}`), 0)));
    assert.equal(new Set(ports).size, 50);
    for (const p of ports) assert.ok(p >= 30000 && p <= 32767);
    await assert.rejects(a.allocatePort(svc('x'), 0, ports[0]), (e: any) => e.code === 422 && /provided port is already allocated/.test(e.message));
    await assert.rejects(a.allocatePort(svc('x'), 0, 80), (e: any) => e.code === 422);
    // repair keeps what services hold and frees the rest
    await a.repair([{ metadata: { name: 'keep' }, spec: { clusterIP: ips[0], clusterIPs: [ips[0]], ports: [{ port: 80, nodePort: ports[0] }] } }]);
    assert.equal(await a.allocateIP(svc('n'), ips[1]), ips[1]);
    await assert.rejects(a.allocateIP(svc('n2'), ips[0]), (e: any) => e.code === 422);
    assert.equal(await a.allocatePort(svc('n'), 0, ports[1]), ports[1]);
    await assert.rejects(a.allocatePort(svc('n2'), 0, ports[0]), (e: any) => e.code === 422);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
