/**
 * `kubectl port-forward` on the node (portforward.k8s.io over SPDY/3.1): the client opens, per forwarded
 * connection, an error stream and a data stream with the same `requestID` and a `port` header. We connect the data
 * stream to <pod IP>:<port>; a failure to connect is written on the error stream, as the kubelet does.
 */
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { SpdyConnection, type SpdyStream } from './spdy.ts';

export const PORTFORWARD_PROTOCOL = 'portforward.k8s.io';

export function servePortForward(transport: Duplex, podIP: string, podName: string, log: (m: string) => void = () => {}): SpdyConnection {
  const conn = new SpdyConnection(transport);
  const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
  conn.on('error', (e: Error) => log(`port-forward ${podName}: ${e.message}`));
  conn.on('stream', (s: SpdyStream) => {
    const id = s.header('requestid') ?? '';
    const type = s.header('streamtype');
    const p = pairs.get(id) ?? {};
    if (type === 'error') p.error = s; else if (type === 'data') p.data = s; else { s.destroy(); return; }
    pairs.set(id, p);
    s.on('error', () => {});
    if (!p.data || !p.error) return;
    pairs.delete(id);
    const { data, error } = p;
    const port = Number(data.header('port'));
    error.resume();
    const sock = net.connect({ host: podIP, port });
    sock.on('connect', () => { data.pipe(sock); sock.pipe(data); });
    sock.on('error', (e) => {
      error.end(`error forwarding port ${port} to pod ${podName}, uid : ${e.message}`);
      data.end();
    });
    sock.on('close', () => { data.end(); error.end(); });
    data.on('end', () => sock.end());
    data.on('close', () => sock.destroy());
  });
  return conn;
}

/** The WebSocket port-forward subprotocols (upstream kubelet portforward/websocket.go; "" means binary too). */
export const PORTFORWARD_CHANNEL_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/**
 * Port-forward over a channel WebSocket (what the official Python client and other non-Go clients speak): for the
 * i-th port of the request, channel 2i carries the data and channel 2i+1 the errors; the server first writes each
 * port (uint16, little-endian) on both of its channels, then joins the data channel to one connection to
 * <pod IP>:<port>. A connection failure is written, as text, on the error channel. `base64`: the
 * v4.base64.channel.k8s.io variant (text frames: the channel as an ASCII digit, then base64).
 */
export function servePortForwardChannels(ws: import('ws').WebSocket, podIP: string, ports: number[], podName: string, base64 = false, log: (m: string) => void = () => {}): void {
  const send = (ch: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    if (base64) ws.send(String.fromCharCode(48 + ch) + data.toString('base64'));
    else ws.send(Buffer.concat([Buffer.from([ch]), data]));
  };
  const socks: (net.Socket | undefined)[] = [];
  let open = ports.length;
  const done = () => { if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000); };
  ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    send(2 * i, prefix);
    send(2 * i + 1, prefix);
    const sock = net.connect({ host: podIP, port });
    socks[i] = sock;
    let ended = false;
    const end = () => { if (!ended) { ended = true; done(); } };
    sock.on('data', (d: Buffer) => send(2 * i, d));
    sock.on('error', (e) => {
      const msg = `error forwarding port ${port} to pod ${podName}, uid : ${e.message}`;
      log(msg);
      send(2 * i + 1, Buffer.from(msg));
      end();
    });
    sock.on('close', end);
  });
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    let data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as any);
    if (data.length === 0) return;
    let ch = data[0];
    if (base64 && !isBinary) { ch = data[0] - 48; data = Buffer.concat([Buffer.from([ch]), Buffer.from(data.subarray(1).toString(), 'base64')]); }
    if (ch % 2 !== 0) return; // nothing is written to an error channel
    const sock = socks[ch / 2];
    if (sock && !sock.destroyed) sock.write(data.subarray(1));
  });
  ws.on('close', () => { for (const s of socks) s?.destroy(); });
  ws.on('error', () => {});
}
