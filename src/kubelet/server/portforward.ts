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
