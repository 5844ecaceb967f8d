/**
 * The kubelet's streaming server (upstream kubelet :10250): what the API server proxies `kubectl logs`, `exec`
 * and `port-forward` to.
 *
 *   GET /containerLogs/<ns>/<pod>/<container>?follow&tailLines&previous&timestamps&sinceSeconds&sinceTime&limitBytes
 *   GET /exec/<ns>/<pod>/<container>?command=..&command=..&input=1&output=1&error=1&tty=1
 *                                   (WebSocket v5.channel.k8s.io / v4.channel.k8s.io; the API server's canonical
 *                                    stream parameters, src/api/options.ts)
 *   GET /attach/<ns>/<pod>/<container>?input=1&output=1&error=1   (WebSocket v5/v4, joined to CRI Attach)
 *   GET /portForward/<ns>/<pod>?port=N..   (WebSocket v4.channel.k8s.io / v4.base64.channel.k8s.io channels,
 *                                    the "SPDY/3.1+portforward.k8s.io" tunnel, or a SPDY/3.1 upgrade)
 *   GET /metrics/resource           (CPU and memory of the node and its containers, Prometheus text; what the API
 *                                    server's resource-metrics scraper reads — see ../resource-metrics.ts)
 *   GET /healthz
 *
 * Plain HTTP on the node address, protected by bearer tokens: a request must carry either the kubelet's own token
 * or a token that the API server accepts for reading the pod (checked by reading the pod with it, which also
 * gives us the pod) — for /metrics/resource, for reading this node (upstream's nodes/metrics check). Accepted
 * node readers are remembered for two minutes (upstream's webhook token cache TTL), so a scrape does not cost an
 * API round trip. The node agent starts it and publishes the port in node.status.daemonEndpoints.
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { createHash } from 'node:crypto';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { KubeClient } from '../../client/client.ts';
import { R } from '../../client/resources.ts';
import { StatusError } from '../../api/errors.ts';
import { decodeKubeletStreamOptions, decodePortForwardPorts } from '../../api/options.ts';
import { logPathFor, logRunsFor } from '../logs-paths.ts';
import { logOptionsFromQuery, streamLogFile } from './logs.ts';
import { EXEC_PROTOCOLS, runCommand, serveExecWebSocket, webSocketStreams, type ContainerdTarget } from './exec.ts';
import { ATTACH_PROTOCOLS, serveAttach, type AttachEndpoint } from './attach.ts';
import { acceptSpdyRemoteCommand, negotiateSpdyProtocol, ProtocolNegotiationError } from './remotecommand-spdy.ts';
import { servePortForward, servePortForwardChannels, PORTFORWARD_PROTOCOL, PORTFORWARD_CHANNEL_PROTOCOLS } from './portforward.ts';

export const DEFAULT_KUBELET_PORT = 10250;
const PF_WS_PROTOCOL = `SPDY/3.1+${PORTFORWARD_PROTOCOL}`;

export interface KubeletServerOptions {
  /** The node agent's API client (its server URL and CA are used to check callers' tokens). */
  client: KubeClient;
  /** containerd socket (and namespace, default k8s.io) whose containers `exec` reaches. */
  containerd: ContainerdTarget;
  /** Listen port (default 10250; 0 = any free port — read it back from the result). */
  port?: number;
  /** Listen address (default 0.0.0.0). */
  address?: string;
  /** Tokens accepted without asking the API server (default: the client's own token). */
  tokens?: string[];
  /** Root of the container log files (default /var/log/pods). */
  podLogRoot?: string;
  /** The node this agent runs (callers of /metrics/resource must be allowed to read it). */
  nodeName?: string;
  /** CRI Attach (the runtime's streaming URL of a container's stdio); without it pods/attach is refused. */
  attach?: AttachEndpoint;
  /** Renders /metrics/resource; without it the path is 404. */
  resourceMetrics?: () => Promise<string>;
  log?: (msg: string) => void;
}

/** How long an accepted (resp. rejected) bearer token is remembered for /metrics/resource. */
const TOKEN_ACCEPT_TTL_MS = 120_000;
const TOKEN_REJECT_TTL_MS = 10_000;
const TOKEN_CACHE_MAX = 256;

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

function statusJSON(res: http.ServerResponse, e: StatusError): void {
  if (res.headersSent) { res.destroy(); return; }
  res.writeHead(e.code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(e.toStatus()));
}

function rejectUpgrade(socket: Duplex, e: StatusError): void {
  const body = JSON.stringify(e.toStatus());
  socket.end(`HTTP/1.1 ${e.code} ${http.STATUS_CODES[e.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The container's runtime id ("containerd://abc" → "abc"), if it has been started. */
export function containerIdOf(pod: Pod, container: string): string | undefined {
  const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c) => c.name === container);
  return st?.containerID?.replace(/^[a-z]+:\/\//, '') || undefined;
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const log = opts.log ?? ((m: string) => console.error(`kubelet-server: ${m}`));
  const own = new Set((opts.tokens ?? [opts.client.config.token]).filter((t): t is string => !!t));
  /** The subprotocols each upgrading request may choose from; the client's order decides (upstream wsstream). */
  const allowedProtocols = new WeakMap<http.IncomingMessage, string[]>();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols: Set<string>, req: http.IncomingMessage) => {
      const allowed = allowedProtocols.get(req) ?? EXEC_PROTOCOLS;
      for (const p of protocols) if (allowed.includes(p)) return p;
      return false;
    },
  });
  // "SPDY/3.1+portforward.k8s.io" is not a valid RFC 6455 token ('/'), which `ws` refuses to parse; kubectl sends
  // it anyway. We take the header off the request and put the chosen protocol back on the 101 answer ourselves.
  const pfRequests = new WeakSet<http.IncomingMessage>();
  wss.on('headers', (headers: string[], req: http.IncomingMessage) => {
    if (pfRequests.has(req)) headers.push(`Sec-WebSocket-Protocol: ${PF_WS_PROTOCOL}`);
  });

  /** Read the pod with the caller's credentials (401/403 from the API server reject the caller). */
  async function authorizedPod(req: http.IncomingMessage, ns: string, name: string): Promise<Pod> {
    const h = req.headers.authorization ?? '';
    const token = /^bearer\s+/i.test(h) ? h.replace(/^bearer\s+/i, '').trim() : '';
    if (!token) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
    let client = opts.client;
    let temp: KubeClient | undefined;
    if (!own.has(token)) { temp = new KubeClient({ ...opts.client.config, token }); client = temp; }
    try {
      return await client.get<Pod>(R.pods, ns, name);
    } catch (e: any) {
      if (e?.code === 401 || e?.code === 403) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      throw e;
    } finally { temp?.close(); }
  }

  /** Token digest -> (allowed, expiry) for node readers. */
  const nodeReaders = new Map<string, { ok: boolean; until: number }>();
  /** The caller may read this node (its own token, or one the API server accepts for GET nodes/<name>). */
  async function authorizeNodeReader(req: http.IncomingMessage): Promise<void> {
    const h = req.headers.authorization ?? '';
    const token = /^bearer\s+/i.test(h) ? h.replace(/^bearer\s+/i, '').trim() : '';
    if (!token) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
    if (own.has(token)) return;
    const key = createHash('sha256').update(token).digest('hex');
    const now = Date.now();
    const memo = nodeReaders.get(key);
    if (memo && memo.until > now) {
      if (memo.ok) return;
      throw new StatusError(401, 'Unauthorized', 'Unauthorized');
    }
    const temp = new KubeClient({ ...opts.client.config, token });
    let ok: boolean;
    try {
      await temp.get<Node>(R.nodes, undefined, opts.nodeName ?? '');
      ok = true;
    } catch (e: any) {
      if (e?.code !== 401 && e?.code !== 403) throw e;
      ok = false;
    } finally { temp.close(); }
    if (nodeReaders.size >= TOKEN_CACHE_MAX) nodeReaders.delete(nodeReaders.keys().next().value!);
    nodeReaders.set(key, { ok, until: now + (ok ? TOKEN_ACCEPT_TTL_MS : TOKEN_REJECT_TTL_MS) });
    if (!ok) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
  }

  async function serveLogs(req: http.IncomingMessage, res: http.ServerResponse, ns: string, podName: string, container: string, q: URLSearchParams): Promise<void> {
    const pod = await authorizedPod(req, ns, podName);
    const uid = pod.metadata?.uid ?? '';
    const o = logOptionsFromQuery(q);
    const runs = logRunsFor(uid, container, opts.podLogRoot);
    const run = o.previous ? runs[runs.length - 2] : runs[runs.length - 1];
    if (run === undefined) {
      if (o.previous) throw new StatusError(400, 'BadRequest', `previous terminated container "${container}" in pod "${podName}" not found`);
      const st = pod.status?.containerStatuses?.find((c) => c.name === container);
      const reason = st?.state?.waiting?.reason ?? 'ContainerCreating';
      throw new StatusError(400, 'BadRequest', `container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    let gone = false;
    res.on('close', () => { gone = true; });
    let lastCheck = Date.now();
    const shouldStop = async (): Promise<boolean> => {
      if (gone || o.previous) return true;
      const latest = logRunsFor(uid, container, opts.podLogRoot);
      if (latest[latest.length - 1] !== run) return true; // restarted: this run is over
      if (Date.now() - lastCheck < 2000) return false;
      lastCheck = Date.now();
      try {
        const p = await opts.client.get<Pod>(R.pods, ns, podName);
        if (p.metadata?.uid !== uid) return true;
        const st = p.status?.containerStatuses?.find((c) => c.name === container);
        return !!st?.state?.terminated && logRunsFor(uid, container, opts.podLogRoot).length === runs.length;
      } catch (e: any) { return e?.code === 404; }
    };
    await streamLogFile(logPathFor(uid, container, run, opts.podLogRoot), res, { ...o, follow: o.follow && !o.previous }, shouldStop);
    res.end();
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    void (async () => {
      try {
        if (parts[0] === 'healthz') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); return; }
        if (parts[0] === 'containerLogs' && parts.length === 4 && req.method === 'GET') {
          await serveLogs(req, res, parts[1], parts[2], parts[3], url.searchParams);
          return;
        }
        if (parts[0] === 'metrics' && parts[1] === 'resource' && parts.length === 2 && opts.resourceMetrics) {
          if (req.method !== 'GET') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
          await authorizeNodeReader(req);
          const body = await opts.resourceMetrics();
          res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
          return;
        }
        if (parts[0] === 'exec' || parts[0] === 'portForward') throw new StatusError(400, 'BadRequest', 'Upgrade request required');
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      } catch (e: any) {
        statusJSON(res, e instanceof StatusError ? e : new StatusError(500, 'InternalError', `Internal error occurred: ${e?.message ?? e}`));
      }
    })();
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    socket.on('error', () => {});
    void (async () => {
      try {
        const isWs = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
        const isSpdy = (req.headers.upgrade ?? '').toLowerCase().startsWith('spdy/3.1');
        if (parts[0] === 'exec' && parts.length === 4) {
          const pod = await authorizedPod(req, parts[1], parts[2]);
          const containerId = containerIdOf(pod, parts[3]);
          if (!containerId) throw new StatusError(400, 'BadRequest', `container not found ("${parts[3]}")`);
          // The API server's canonical stream parameters (input/output/error/tty = "1", one `command` per word).
          const so = decodeKubeletStreamOptions(url.searchParams);
          if (!so.command.length) throw new StatusError(400, 'BadRequest', 'you must specify at least 1 command');
          if (!so.stdin && !so.stdout && !so.stderr) throw new StatusError(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
          const execReq = { containerId, command: so.command, tty: so.tty, stdin: so.stdin, stdout: so.stdout, stderr: so.stderr && !so.tty };
          if (!isWs) {
            if (!isSpdy) throw new StatusError(400, 'BadRequest', 'exec needs a WebSocket (v5.channel.k8s.io, v4.channel.k8s.io) or SPDY/3.1 upgrade');
            const io = await acceptSpdyRemoteCommand(socket, head, negotiateSpdyProtocol(req), so).catch((e) => { log(`exec: ${e.message}`); return undefined; });
            if (io) runCommand(io, opts.containerd, execReq, log);
            return;
          }
          allowedProtocols.set(req, EXEC_PROTOCOLS);
          wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
            if (!EXEC_PROTOCOLS.includes(ws.protocol)) { ws.close(1002, 'unsupported subprotocol'); return; }
            serveExecWebSocket(ws, opts.containerd, execReq, log);
          });
          return;
        }
        if (parts[0] === 'attach' && parts.length === 4) {
          const pod = await authorizedPod(req, parts[1], parts[2]);
          const containerId = containerIdOf(pod, parts[3]);
          if (!containerId) throw new StatusError(400, 'BadRequest', `container not found ("${parts[3]}")`);
          if (!isWs && !isSpdy) throw new StatusError(400, 'BadRequest', 'attach needs a WebSocket (v5.channel.k8s.io, v4.channel.k8s.io) or SPDY/3.1 upgrade');
          if (!opts.attach) throw new StatusError(400, 'BadRequest', 'attach is not available on this node');
          const so = decodeKubeletStreamOptions(url.searchParams);
          if (!so.stdin && !so.stdout && !so.stderr) throw new StatusError(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
          // As upstream's kubelet: whether there is a terminal is the container's, not the request's.
          const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === parts[3]);
          const tty = !!spec?.tty;
          const runtimeUrl = await opts.attach.attachUrl({ containerId, stdin: so.stdin, stdout: so.stdout, stderr: so.stderr && !tty, tty });
          if (!isWs) {
            const io = await acceptSpdyRemoteCommand(socket, head, negotiateSpdyProtocol(req), { ...so, tty }).catch((e) => { log(`attach: ${e.message}`); return undefined; });
            if (io) serveAttach(io, runtimeUrl, log);
            return;
          }
          allowedProtocols.set(req, ATTACH_PROTOCOLS);
          wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
            if (!ATTACH_PROTOCOLS.includes(ws.protocol)) { ws.close(1002, 'unsupported subprotocol'); return; }
            serveAttach(webSocketStreams(ws), runtimeUrl, log);
          });
          return;
        }
        if (parts[0] === 'portForward' && parts.length === 3) {
          const pod = await authorizedPod(req, parts[1], parts[2]);
          const ip = pod.status?.podIP;
          if (!ip) throw new StatusError(400, 'BadRequest', `pod ${parts[2]} does not have an IP address`);
          if (isWs) {
            const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
            if (!offered.includes(PF_WS_PROTOCOL)) {
              // Channels (v4.channel.k8s.io, or none): the ports come from the query, as upstream's NewV4Options.
              const ports = url.searchParams.getAll('port');
              if (!ports.length) throw new StatusError(400, 'BadRequest', 'query parameter "port" is required');
              const nums = decodePortForwardPorts(new URLSearchParams(ports.map((p) => ['ports', p])));
              if (offered.length && !offered.some((p) => PORTFORWARD_CHANNEL_PROTOCOLS.includes(p))) {
                throw new StatusError(400, 'BadRequest', `port-forward over WebSocket needs one of the subprotocols ${[PF_WS_PROTOCOL, ...PORTFORWARD_CHANNEL_PROTOCOLS].join(', ')}`);
              }
              allowedProtocols.set(req, PORTFORWARD_CHANNEL_PROTOCOLS);
              wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
                servePortForwardChannels(ws, ip, nums, parts[2], ws.protocol === 'v4.base64.channel.k8s.io', log);
              });
              return;
            }
            delete req.headers['sec-websocket-protocol'];
            pfRequests.add(req);
            wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
              const stream = createWebSocketStream(ws);
              stream.on('error', () => {});
              const conn = servePortForward(stream, ip, parts[2], log);
              conn.on('close', () => ws.close());
            });
            return;
          }
          if ((req.headers.upgrade ?? '').toLowerCase().startsWith('spdy/3.1')) {
            socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORTFORWARD_PROTOCOL}\r\n\r\n`);
            if (head.length) socket.unshift(head);
            servePortForward(socket, ip, parts[2], log);
            return;
          }
          throw new StatusError(400, 'BadRequest', 'unsupported upgrade');
        }
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      } catch (e: any) {
        if (e instanceof ProtocolNegotiationError) { rejectUpgrade(socket, new StatusError(403, 'Forbidden', e.message)); return; }
        rejectUpgrade(socket, e instanceof StatusError ? e : new StatusError(500, 'InternalError', `Internal error occurred: ${e?.message ?? e}`));
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_KUBELET_PORT, opts.address ?? '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    port,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
