/**
 * A minimal SPDY/3.1 server connection, enough for kubectl's port-forward (portforward.k8s.io) — reached either by
 * an HTTP `Upgrade: SPDY/3.1` or tunnelled in WebSocket binary messages ("SPDY/3.1+portforward.k8s.io", kubectl ≥
 * 1.31). Frames as in the SPDY/3 draft: control frames (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY,
 * HEADERS, WINDOW_UPDATE) and data frames; name/value header blocks are zlib-compressed with the SPDY/3 dictionary,
 * one compression context per direction for the whole connection.
 *
 * The client (Go's spdystream) opens every stream; we answer each SYN_STREAM with a SYN_REPLY. Flow control: we
 * grant the peer more window as we consume data and do not limit what we send (spdystream does not either).
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import * as zlib from 'node:zlib';

const NAMES = ['options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
  'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base',
  'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5', 'content-range',
  'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match',
  'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate',
  'proxy-authorization', 'range', 'referer', 'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'user-agent', 'vary', 'via', 'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version',
  'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin'];
const TAIL = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** The SPDY/3 header-compression dictionary: length-prefixed common header names/values, then a literal tail. */
export const SPDY3_DICTIONARY: Buffer = (() => {
  const parts: Buffer[] = [];
  for (const n of NAMES) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(n.length);
    parts.push(len, Buffer.from(n, 'latin1'));
  }
  parts.push(Buffer.from(TAIL, 'latin1'));
  return Buffer.concat(parts);
})();

const CONTROL = 0x8000;
const TYPE = { SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9 } as const;
const FLAG_FIN = 0x01;
const INITIAL_WINDOW = 64 * 1024;

export type Headers = Record<string, string[]>;

export function encodeHeaderBlock(h: Headers): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const entries = Object.entries(h);
  parts.push(u32(entries.length));
  for (const [k, vs] of entries) {
    const name = Buffer.from(k.toLowerCase(), 'utf8');
    const value = Buffer.from(vs.join('\0'), 'utf8');
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): Headers {
  const out: Headers = {};
  let pos = 0;
  const n = b.readUInt32BE(pos); pos += 4;
  for (let i = 0; i < n; i++) {
    const nl = b.readUInt32BE(pos); pos += 4;
    const name = b.subarray(pos, pos + nl).toString('utf8').toLowerCase(); pos += nl;
    const vl = b.readUInt32BE(pos); pos += 4;
    const value = b.subarray(pos, pos + vl).toString('utf8'); pos += vl;
    out[name] = value.split('\0');
  }
  return out;
}

/** One SPDY stream as a Duplex: readable = data from the peer, writable = data frames to the peer. */
export class SpdyStream extends Duplex {
  replied = false;
  private consumed = 0;
  constructor(private conn: SpdyConnection, public readonly id: number, public readonly headers: Headers) {
    super({ allowHalfOpen: true });
  }
  header(name: string): string | undefined { return this.headers[name.toLowerCase()]?.[0]; }
  _read(): void { /* pushed by the connection */ }
  _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.conn.sendData(this.id, chunk, false);
    cb();
  }
  _final(cb: (e?: Error | null) => void): void {
    this.conn.sendData(this.id, Buffer.alloc(0), true);
    cb();
  }
  _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.conn.forget(this.id, !!err);
    cb(err);
  }
  /** Called by the connection as data arrives: grant the peer window back once half of it is used. */
  received(n: number): void {
    this.consumed += n;
    if (this.consumed >= INITIAL_WINDOW / 2) { this.conn.windowUpdate(this.id, this.consumed); this.consumed = 0; }
  }
}

/**
 * Server side of a SPDY/3.1 connection over `socket`. Emits 'stream' (SpdyStream) for each SYN_STREAM, after
 * replying to it; 'close' when the transport ends.
 */
export class SpdyConnection extends EventEmitter {
  private buf = Buffer.alloc(0);
  private streams = new Map<number, SpdyStream>();
  private inflate: zlib.Inflate;
  private deflate: zlib.Deflate;
  private inflateOut: Buffer[] = [];
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private socket: Duplex) {
    super();
    this.inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
    this.deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
    this.inflate.on('data', (d: Buffer) => this.inflateOut.push(d));
    this.inflate.on('error', (e) => this.fail(e));
    socket.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.chain = this.chain.then(() => this.parse()).catch((e) => this.fail(e)); });
    socket.on('close', () => this.shutdown());
    socket.on('end', () => this.shutdown());
    socket.on('error', () => this.shutdown());
  }

  close(): void {
    if (this.closed) return;
    this.goaway();
    this.socket.end();
    this.shutdown();
  }

  private fail(e: Error): void {
    this.emit('error', e);
    this.socket.destroy();
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) { s.push(null); s.destroy(); }
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.emit('close');
  }

  private async parse(): Promise<void> {
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) return;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      const flags = frame[4];
      const body = frame.subarray(8);
      if (frame[0] & 0x80) {
        const type = frame.readUInt16BE(2);
        await this.control(type, flags, body);
      } else {
        const id = frame.readUInt32BE(0) & 0x7fffffff;
        const s = this.streams.get(id);
        if (!s) continue;
        if (body.length) { s.push(Buffer.from(body)); s.received(body.length); }
        if (flags & FLAG_FIN) s.push(null);
      }
    }
  }

  /** Inflate one header block (errors reach the connection's 'error' handler, which closes it). */
  private inflateBlock(b: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      this.inflateOut = [];
      this.inflate.write(b);
      this.inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        resolve(Buffer.concat(this.inflateOut));
      });
    });
  }

  private deflateBlock(b: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      const out: Buffer[] = [];
      const onData = (d: Buffer) => out.push(d);
      this.deflate.on('data', onData);
      this.deflate.write(b);
      this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => { this.deflate.off('data', onData); resolve(Buffer.concat(out)); });
    });
  }

  private async control(type: number, flags: number, body: Buffer): Promise<void> {
    switch (type) {
      case TYPE.SYN_STREAM: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await this.inflateBlock(body.subarray(10)));
        const s = new SpdyStream(this, id, headers);
        this.streams.set(id, s);
        await this.reply(id);
        if (flags & FLAG_FIN) s.push(null);
        this.emit('stream', s);
        return;
      }
      case TYPE.HEADERS: case TYPE.SYN_REPLY: {
        await this.inflateBlock(body.subarray(4)); // keep the compression context in step
        return;
      }
      case TYPE.RST_STREAM: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const s = this.streams.get(id);
        if (s) { this.streams.delete(id); s.push(null); s.destroy(); }
        return;
      }
      case TYPE.PING: {
        this.writeControl(TYPE.PING, 0, body);
        return;
      }
      case TYPE.GOAWAY: { this.socket.end(); return; }
      default: return; // SETTINGS, WINDOW_UPDATE: nothing to do
    }
  }

  private async reply(id: number): Promise<void> {
    const block = await this.deflateBlock(encodeHeaderBlock({}));
    const b = Buffer.alloc(4);
    b.writeUInt32BE(id);
    this.writeControl(TYPE.SYN_REPLY, 0, Buffer.concat([b, block]));
  }

  private writeControl(type: number, flags: number, body: Buffer): void {
    if (this.closed) return;
    const h = Buffer.alloc(8);
    h.writeUInt16BE(CONTROL | 3, 0);
    h.writeUInt16BE(type, 2);
    h.writeUInt32BE(body.length, 4);
    h[4] = flags;
    this.socket.write(Buffer.concat([h, body]));
  }

  sendData(id: number, data: Buffer, fin: boolean): void {
    if (this.closed) return;
    // Keep frames small enough for any peer buffer.
    for (let off = 0; off < data.length || (fin && off === 0); off += 32 * 1024) {
      const chunk = data.subarray(off, off + 32 * 1024);
      const last = off + 32 * 1024 >= data.length;
      const h = Buffer.alloc(8);
      h.writeUInt32BE(id & 0x7fffffff, 0);
      h.writeUInt32BE(chunk.length, 4);
      h[4] = fin && last ? FLAG_FIN : 0;
      this.socket.write(Buffer.concat([h, chunk]));
      if (data.length === 0) break;
    }
  }

  windowUpdate(id: number, delta: number): void {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(id & 0x7fffffff, 0);
    b.writeUInt32BE(delta & 0x7fffffff, 4);
    this.writeControl(TYPE.WINDOW_UPDATE, 0, b);
  }

  /** A stream is done on our side; reset it if it ended abnormally. */
  forget(id: number, reset: boolean): void {
    if (!this.streams.delete(id)) return;
    if (reset) {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(id & 0x7fffffff, 0);
      b.writeUInt32BE(5, 4); // CANCEL
      this.writeControl(TYPE.RST_STREAM, 0, b);
    }
  }

  private goaway(): void {
    const b = Buffer.alloc(8);
    this.writeControl(TYPE.GOAWAY, 0, b);
  }
}
