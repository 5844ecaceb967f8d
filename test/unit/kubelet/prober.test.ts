import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { runProbe } from '../../../src/kubelet/prober.ts';
import type { CriClient } from '../../../src/kubelet/cri/client.ts';

let server: http.Server;
let port = 0;
before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/ok') { res.writeHead(200); res.end('fine'); } else if (req.url === '/redirect') { res.writeHead(302, { Location: '/ok' }); res.end(); } else if (req.url === '/slow') { setTimeout(() => { res.writeHead(200); res.end(); }, 2500); } else { res.writeHead(500); res.end('bad'); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
after(() => { server.closeAllConnections(); server.close(); });

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}
const target = (cri?: Partial<CriClient>) => ({ podIP: '127.0.0.1', container: { name: 'c', ports: [{ name: 'web', containerPort: port }] }, containerId: 'cid', cri: (cri ?? {}) as CriClient });

test('httpGet: 2xx/3xx succeed, 500 fails with the upstream message, named ports resolve', async () => {
  assert.deepEqual(await runProbe({ httpGet: { path: '/ok', port } }, target()), { ok: true, message: '' });
  assert.equal((await runProbe({ httpGet: { path: '/redirect', port: 'web' } }, target())).ok, true);
  assert.deepEqual(await runProbe({ httpGet: { path: '/bad', port } }, target()), { ok: false, message: 'HTTP probe failed with statuscode: 500' });
});

test('httpGet: timeoutSeconds bounds the wait; connection refused is reported as a dial error', async () => {
  const slow = await runProbe({ httpGet: { path: '/slow', port }, timeoutSeconds: 1 }, target());
  assert.equal(slow.ok, false);
  assert.match(slow.message, /context deadline exceeded/);
  const p = await closedPort();
  const refused = await runProbe({ httpGet: { path: '/', port: p } }, target());
  assert.equal(refused.message, `Get "http://127.0.0.1:${p}/": dial tcp 127.0.0.1:${p}: connect: connection refused`);
});

test('tcpSocket: open port succeeds, closed port fails', async () => {
  assert.equal((await runProbe({ tcpSocket: { port } }, target())).ok, true);
  const p = await closedPort();
  assert.deepEqual(await runProbe({ tcpSocket: { port: p } }, target()), { ok: false, message: `dial tcp 127.0.0.1:${p}: connect: connection refused` });
});

test('exec: runs in the container through CRI ExecSync; exit code decides; output is the message', async () => {
  const calls: unknown[] = [];
  const cri = {
    async execSync(id: string, cmd: string[], timeout: number) {
      calls.push([id, cmd, timeout]);
      return cmd[1] === '/ok' ? { stdout: Buffer.from('yes'), stderr: Buffer.alloc(0), exitCode: 0 }
        : { stdout: Buffer.alloc(0), stderr: Buffer.from("cat: can't open '/nope'"), exitCode: 1 };
    },
  };
  assert.equal((await runProbe({ exec: { command: ['cat', '/ok'] }, timeoutSeconds: 3 }, target(cri))).ok, true);
  assert.deepEqual(await runProbe({ exec: { command: ['cat', '/nope'] } }, target(cri)), { ok: false, message: "cat: can't open '/nope'" });
  assert.deepEqual(calls[0], ['cid', ['cat', '/ok'], 3]);
});
