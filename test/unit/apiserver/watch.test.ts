import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as http from 'node:http';
import * as net from 'node:net';
import { serveWatch, frameChunk } from '../../../src/apiserver/watch.ts';
import { GenericRegistry } from '../../../src/apiserver/registry.ts';
import { resources } from '../../../src/api/registry.ts';
import { contextFromQuery } from '../../../src/apiserver/context.ts';
import { openStore } from '../../../src/storage/index.ts';

interface Response { status: string; headers: string; chunks: Buffer[]; rest: Buffer }

/** Parse one HTTP/1.1 response with a chunked body from `buf`, strictly; undefined while incomplete. */
function parseChunked(buf: Buffer): Response | undefined {
  const he = buf.indexOf('\r\n\r\n');
  if (he < 0) return undefined;
  const head = buf.subarray(0, he).toString('latin1');
  const [status, ...hs] = head.split('\r\n');
  assert.match(hs.join('\n'), /^transfer-encoding: chunked$/im);
  let o = he + 4;
  const chunks: Buffer[] = [];
  for (;;) {
    const le = buf.indexOf('\r\n', o);
    if (le < 0) return undefined;
    const hex = buf.subarray(o, le).toString('latin1');
    assert.match(hex, /^[0-9a-f]+$/, `chunk size line ${JSON.stringify(hex)}`);
    const len = parseInt(hex, 16);
    if (buf.length < le + 2 + len + 2) return undefined;
    assert.equal(buf.subarray(le + 2 + len, le + 4 + len).toString('latin1'), '\r\n', 'chunk data ends with CRLF');
    o = le + 4 + len;
    if (len === 0) return { status, headers: hs.join('\n'), chunks, rest: buf.subarray(o) };
    chunks.push(buf.subarray(le + 2, le + 2 + len));
  }
}

const lines = (r: Response) => Buffer.concat(r.chunks).toString('utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

test('frameChunk: length in bytes, hex, CRLFs', () => {
  const s = '{"a":"é✓"}\n';
  const b = frameChunk(s);
  const len = Buffer.byteLength(s);
  assert.equal(b.toString('utf8'), `${len.toString(16)}\r\n${s}\r\n`);
  assert.deepEqual(frameChunk(s, true), b);
});

test('watch stream framing: direct and pipelined responses, batched events, last chunk, keep-alive after the end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-watch-'));
  const store = await openStore({ kind: 'sqlite', dataDir: dir });
  const reg = new GenericRegistry(store);
  const def = (plural: string) => resources.find((d) => d.group === '' && d.plural === plural)!;
  const ctx = contextFromQuery({ name: 'admin', groups: [] }, new URLSearchParams(), undefined, 'test');
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { text: 'grüße ✓ '.repeat(50) } });
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/ok') { res.end('ok'); return; }
    serveWatch(req, res, store, reg, def('configmaps'), {
      namespace: 'ns1', resourceVersion: u.searchParams.get('rv') ?? undefined, allowWatchBookmarks: false,
      timeoutSeconds: Number(u.searchParams.get('t')),
    }).catch((e) => { res.destroy(); throw e; });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sock = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const connected = new Promise<void>((r) => sock.once('connect', () => r()));
  try {
    await reg.create(def('namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } }, ctx);
    const first = await reg.create(def('configmaps'), 'ns1', cm('before'), ctx);
    const rv = first.metadata!.resourceVersion!;
    let data = Buffer.alloc(0);
    sock.on('data', (d) => { data = Buffer.concat([data, d]); });
    await connected;
    // Two requests on one connection at once: the second response waits for the first (no socket of its own yet).
    sock.write(`GET /w?rv=0&t=2 HTTP/1.1\r\nHost: x\r\n\r\nGET /w?rv=${rv}&t=1 HTTP/1.1\r\nHost: x\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 300));
    // Created together: one storage commit, delivered in one tick.
    await Promise.all(['a', 'b', 'c'].map((n) => reg.create(def('configmaps'), 'ns1', cm(n), ctx)));
    await reg.delete(def('configmaps'), 'ns1', 'a', {}, ctx);
    let r1: Response | undefined;
    let r2: Response | undefined;
    for (let i = 0; i < 100 && !r2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      r1 = parseChunked(data);
      r2 = r1 && parseChunked(r1.rest);
    }
    assert.ok(r1 && r2, `two complete responses, got:\n${data.toString('utf8').slice(0, 500)}`);
    for (const r of [r1, r2]) assert.match(r.status, /^HTTP\/1\.1 200/);
    const ev1 = lines(r1).map((e) => `${e.type} ${e.object.metadata.name}`);
    assert.equal(ev1.length, 5);
    assert.equal(ev1[0], 'ADDED before');
    assert.equal(ev1.at(-1), 'DELETED a');
    assert.deepEqual(new Set(ev1), new Set(['ADDED before', 'ADDED a', 'ADDED b', 'ADDED c', 'DELETED a']));
    // From a resourceVersion: only later changes; the pipelined response carries the same events.
    assert.deepEqual(lines(r2).map((e) => `${e.type} ${e.object.metadata.name}`), ev1.slice(1));
    assert.equal(lines(r1)[1].object.data.text, cm('x').data.text);
    assert.equal(r2.rest.length, 0);
    // The connection is still usable: the stream ended with its last chunk.
    data = Buffer.alloc(0);
    sock.write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 50 && !/\r\n\r\n(2\r\nok\r\n0\r\n\r\n|ok)$/.test(data.toString('latin1')); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(data.toString('latin1'), /^HTTP\/1\.1 200 OK[\s\S]*ok/);
  } finally {
    sock.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
