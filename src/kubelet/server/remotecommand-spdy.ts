/**
 * exec and attach over SPDY/3.1 (upstream's remotecommand protocol for client-go's SPDY executor, and kubectl's
 * fallback when a WebSocket upgrade is refused), beside the channel WebSockets.
 *
 * The client offers protocol versions in `X-Stream-Protocol-Version` headers (v5.channel.k8s.io,
 * v4.channel.k8s.io, ...); the server picks the first it supports in the client's order and names it in the 101
 * answer. The client then opens one stream per channel, each with a `streamType` header: error, stdin, stdout,
 * stderr (not with a terminal), resize (with a terminal; JSON `{"Width":W,"Height":H}` objects one after another).
 * The end of stdin is the stdin stream's FIN. When the command ends, its metav1.Status (JSON) is written on the
 * error stream and every stream is finished.
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { SpdyConnection, type SpdyStream } from './spdy.ts';
import { parseResize, type CommandStreams } from './exec.ts';

export const SPDY_REMOTECOMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STREAM_CREATION_TIMEOUT_MS = 30_000;

export class ProtocolNegotiationError extends Error {}

/** The version the client offers first among those served, or a negotiation error (upstream answers 403). */
export function negotiateSpdyProtocol(req: http.IncomingMessage): string {
  const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const chosen = offered.find((p) => SPDY_REMOTECOMMAND_PROTOCOLS.includes(p));
  if (!chosen) {
    throw new ProtocolNegotiationError(`unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${SPDY_REMOTECOMMAND_PROTOCOLS.join(' ')}]`);
  }
  return chosen;
}

/**
 * Answer the upgrade with `protocol`, then wait for the streams the options call for. Resolves with them as the
 * streams of a remote command (rejects when the client does not open them in time).
 */
export function acceptSpdyRemoteCommand(socket: Duplex, head: Buffer, protocol: string, want: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }): Promise<CommandStreams> {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  if (head.length) socket.unshift(head);
  const conn = new SpdyConnection(socket);
  const needed = ['error', ...(want.stdin ? ['stdin'] : []), ...(want.stdout ? ['stdout'] : []), ...(want.stderr && !want.tty ? ['stderr'] : []), ...(want.tty ? ['resize'] : [])];
  const streams = new Map<string, SpdyStream>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { conn.close(); reject(new Error(`timed out waiting for client to create streams: have [${[...streams.keys()].join(' ')}]`)); }, STREAM_CREATION_TIMEOUT_MS);
    conn.on('error', () => undefined);
    conn.on('close', () => { clearTimeout(timer); reject(new Error('connection closed before the streams were created')); });
    conn.on('stream', (s: SpdyStream) => {
      s.on('error', () => undefined);
      const type = s.header('streamtype') ?? '';
      if (!needed.includes(type) || streams.has(type)) { s.destroy(); return; }
      streams.set(type, s);
      if (!needed.every((t) => streams.has(t))) return;
      clearTimeout(timer);
      resolve(spdyStreams(conn, streams));
    });
  });
}

function spdyStreams(conn: SpdyConnection, streams: Map<string, SpdyStream>): CommandStreams {
  let closed = false;
  conn.on('close', () => { closed = true; });
  const stdin = streams.get('stdin');
  const resize = streams.get('resize');
  const gone: (() => void)[] = [];
  conn.on('close', () => { for (const f of gone) f(); });
  return {
    stdout: (d) => { streams.get('stdout')?.write(d); },
    stderr: (d) => { streams.get('stderr')?.write(d); },
    finish: (status) => {
      for (const t of ['stdout', 'stderr']) streams.get(t)?.end();
      const err = streams.get('error')!;
      err.end(status, () => setImmediate(() => conn.close()));
    },
    onStdin: (f) => { stdin?.on('data', f); },
    onStdinEnd: (f) => { stdin?.on('end', f); },
    onResize: (f) => {
      let buf = '';
      resize?.on('data', (d: Buffer) => {
        buf += d.toString();
        // json.Encoder writes one object per line.
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const sz = parseResize(line);
          if (sz) f(sz);
        }
        const whole = parseResize(buf);
        if (whole) { buf = ''; f(whole); }
      });
    },
    onGone: (f) => { gone.push(f); },
    gone: () => closed,
  };
}
