import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { Duplex, Writable } from 'node:stream';
import { mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPDY3_DICTIONARY, SpdyConnection, encodeHeaderBlock, decodeHeaderBlock, type SpdyStream } from '../../../src/kubelet/server/spdy.ts';
import { CriLogDecoder, logOptionsFromQuery, streamLogFile } from '../../../src/kubelet/server/logs.ts';
import { exitStatus } from '../../../src/kubelet/server/exec.ts';
import { pickContainer } from '../../../src/apiserver/connect.ts';
import { kubeletAddress } from '../../../src/apiserver/kubelet-client.ts';

test('SPDY/3 dictionary is the 1423-byte table of the draft', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith('utf-,*,enq=0.'));
});

test('header blocks round-trip, names lower-cased, multiple values NUL-joined', () => {
  const b = encodeHeaderBlock({ StreamType: ['data'], port: ['80'], x: ['a', 'b'] });
  assert.deepEqual(decodeHeaderBlock(b), { streamtype: ['data'], port: ['80'], x: ['a', 'b'] });
});

/** A SPDY client side built from the spec, to drive the server connection. */
function clientFrames() {
  const deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  const compress = (buf: Buffer) => new Promise<Buffer>((resolve) => {
    const out: Buffer[] = [];
    const on = (d: Buffer) => out.push(d);
    deflate.on('data', on);
    deflate.write(buf);
    deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => { deflate.off('data', on); resolve(Buffer.concat(out)); });
  });
  const control = (type: number, flags: number, body: Buffer) => {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(0x8003, 0); h.writeUInt16BE(type, 2); h.writeUInt32BE(body.length, 4); h[4] = flags;
    return Buffer.concat([h, body]);
  };
  return {
    async synStream(id: number, headers: Record<string, string[]>) {
      const pre = Buffer.alloc(10);
      pre.writeUInt32BE(id, 0);
      return control(1, 0, Buffer.concat([pre, await compress(encodeHeaderBlock(headers))]));
    },
    data(id: number, payload: Buffer, fin = false) {
      const h = Buffer.alloc(8);
      h.writeUInt32BE(id, 0); h.writeUInt32BE(payload.length, 4); h[4] = fin ? 1 : 0;
      return Buffer.concat([h, payload]);
    },
    ping(id: number) { const b = Buffer.alloc(4); b.writeUInt32BE(id); return control(6, 0, b); },
  };
}

/** Parse frames the server wrote. */
function parseFrames(buf: Buffer): { control: boolean; type?: number; id?: number; flags: number; body: Buffer }[] {
  const out = [];
  let pos = 0;
  while (pos + 8 <= buf.length) {
    const len = buf.readUInt32BE(pos + 4) & 0xffffff;
    const flags = buf[pos + 4];
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (buf[pos] & 0x80) out.push({ control: true, type: buf.readUInt16BE(pos + 2), flags, body });
    else out.push({ control: false, id: buf.readUInt32BE(pos) & 0x7fffffff, flags, body });
    pos += 8 + len;
  }
  return out;
}

test('SPDY server: replies to SYN_STREAM, delivers data and FIN, echoes PING, sends data frames', async () => {
  const fromServer: Buffer[] = [];
  // The transport: its readable side is what the client sends, its writable side collects the server's output.
  const serverSide = new Duplex({
    read() {},
    write(chunk, _e, cb) { fromServer.push(chunk); cb(); },
  });
  const conn = new SpdyConnection(serverSide);
  const streams: SpdyStream[] = [];
  conn.on('stream', (s: SpdyStream) => streams.push(s));
  const c = clientFrames();
  serverSide.push(await c.synStream(1, { streamtype: ['data'], port: ['80'], requestid: ['0'] }));
  serverSide.push(c.data(1, Buffer.from('hello ')));
  serverSide.push(c.data(1, Buffer.from('world'), true));
  serverSide.push(c.ping(7));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(streams.length, 1);
  assert.equal(streams[0].header('streamType'), 'data');
  assert.equal(streams[0].header('port'), '80');
  const got: Buffer[] = [];
  streams[0].on('data', (d: Buffer) => got.push(d));
  await new Promise((r) => streams[0].once('end', r));
  assert.equal(Buffer.concat(got).toString(), 'hello world');
  streams[0].end('reply');
  await new Promise((r) => setTimeout(r, 20));
  const frames = parseFrames(Buffer.concat(fromServer));
  const synReply = frames.find((f) => f.control && f.type === 2)!;
  assert.equal(synReply.body.readUInt32BE(0), 1);
  const ping = frames.find((f) => f.control && f.type === 6)!;
  assert.equal(ping.body.readUInt32BE(0), 7);
  const data = frames.filter((f) => !f.control && f.id === 1);
  assert.equal(Buffer.concat(data.map((f) => f.body)).toString(), 'reply');
  assert.equal(data[data.length - 1].flags & 1, 1); // FIN
  conn.close();
});

test('CRI log decoding: partial lines joined, timestamps, since, streams', () => {
  const d = new CriLogDecoder({ timestamps: true });
  const out = d.push('2026-01-01T00:00:00.1Z stdout P hel\n2026-01-01T00:00:00.2Z stderr F oops\n2026-01-01T00:00:00.3Z stdout F lo\n2026-01-01T00:00:01Z std');
  assert.deepEqual(out, ['2026-01-01T00:00:00.2Z oops\n', '2026-01-01T00:00:00.1Z hello\n']);
  assert.deepEqual(d.push('out F next\n'), ['2026-01-01T00:00:01Z next\n']);
  const since = new CriLogDecoder({ sinceMs: Date.parse('2026-01-01T00:00:01Z') });
  assert.deepEqual(since.push('2026-01-01T00:00:00Z stdout F old\n2026-01-01T00:00:02Z stdout F new\n'), ['new\n']);
});

test('log options from the query', () => {
  const o = logOptionsFromQuery(new URLSearchParams('follow=true&tailLines=2&previous=true&timestamps=true&limitBytes=10&container=c&sinceSeconds=5'), 10_000);
  assert.deepEqual(o, { container: 'c', previous: true, follow: true, timestamps: true, tailLines: 2, sinceMs: 5000, limitBytes: 10 });
});

test('streamLogFile: tail, limitBytes, and follow until stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kl-logs-'));
  try {
    const f = join(dir, '0.log');
    writeFileSync(f, ['a', 'b', 'c'].map((x, i) => `2026-01-01T00:00:0${i}Z stdout F ${x}`).join('\n') + '\n');
    const collect = () => { const chunks: Buffer[] = []; const w = new Writable({ write(c, _e, cb) { chunks.push(c); cb(); } }); return { w, text: () => Buffer.concat(chunks).toString() }; };
    let c = collect();
    await streamLogFile(f, c.w, { tailLines: 2 }, () => true);
    assert.equal(c.text(), 'b\nc\n');
    c = collect();
    await streamLogFile(f, c.w, { limitBytes: 3 }, () => true);
    assert.equal(c.text(), 'a\nb');
    c = collect();
    let stop = false;
    const p = streamLogFile(f, c.w, { follow: true, tailLines: 1 }, () => stop, 10);
    await new Promise((r) => setTimeout(r, 30));
    appendFileSync(f, '2026-01-01T00:00:05Z stdout F d\n');
    await new Promise((r) => setTimeout(r, 60));
    stop = true;
    await p;
    assert.equal(c.text(), 'c\nd\n');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('exec exit status as upstream metav1.Status', () => {
  assert.deepEqual(exitStatus(0, null, ['true']), { metadata: {}, status: 'Success' });
  const s: any = exitStatus(3, null, ['sh', '-c', 'exit 3']);
  assert.equal(s.reason, 'NonZeroExitCode');
  assert.deepEqual(s.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  assert.equal(s.message, 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3');
  assert.equal((exitStatus(null, 'SIGKILL', ['x']) as any).details.causes[0].message, '137');
});

test('connect: container choice and kubelet address', () => {
  const pod: any = { metadata: { name: 'web' }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
  assert.equal(pickContainer(pod, 'b', 'web'), 'b');
  assert.throws(() => pickContainer(pod, null, 'web'), /a container name must be specified for pod web, choose one of: \[a b\]/);
  assert.throws(() => pickContainer(pod, 'zz', 'web'), /container zz is not valid for pod web/);
  assert.equal(pickContainer({ ...pod, metadata: { name: 'web', annotations: { 'kubectl.kubernetes.io/default-container': 'b' } } }, null, 'web'), 'b');
  assert.equal(pickContainer({ metadata: {}, spec: { containers: [{ name: 'only' }] } } as any, null, 'p'), 'only');
  assert.deepEqual(kubeletAddress({ metadata: { name: 'n' }, status: { addresses: [{ type: 'Hostname', address: 'h' }, { type: 'InternalIP', address: '10.0.0.2' }], daemonEndpoints: { kubeletEndpoint: { Port: 12345 } } } } as any), { host: '10.0.0.2', port: 12345 });
});
