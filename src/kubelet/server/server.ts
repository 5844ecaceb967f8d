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
 * HTTPS only, with a serving certificate from the cluster CA (its node name, its IP, 127.0.0.1), on the address the
 * API server reaches it at (127.0.0.1 for the agent `kubelite up` runs; the node's own IP for joined nodes). Every
 * request is authenticated (client certificate from the cluster CA, or a bearer token by TokenReview) and
 * authorized by SubjectAccessReview on the node object, as upstream's kubelet (./auth.ts); a 401/403 answer is
 * upstream's plain text. Pods are then read with the agent's own node credential.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { KubeClient } from '../../client/client.ts';
import { KubeletAuth, requestAttributes } from './auth.ts';
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
  /** The node agent's API client (its node credential: reads pods, reviews callers' tokens and access). */
  client: KubeClient;
  /** Serving certificate and key (PEM, signed by the cluster CA) and the CA client certificates are checked against. */
  tls: { cert: string; key: string; ca: string };
  /** containerd socket (and namespace, default k8s.io) whose containers `exec` reaches. */
  containerd: ContainerdTarget;
  /** Listen port (default 10250; 0 = any free port — read it back from the result). */
  port?: number;
  /** Listen address: where the API server reaches this node (127.0.0.1 or the node's IP). */
  address: string;
  /** Root of the container log files (default /var/log/pods). */
  podLogRoot?: string;
  /** The node this agent runs (callers are authorized against it). */
  nodeName: string;
  /** CRI Attach (the runtime's streaming URL of a container's stdio); without it pods/attach is refused. */
  attach?: AttachEndpoint;
  /** Renders /metrics/resource; without it the path is 404. */
  resourceMetrics?: () => Promise<string>;
  log?: (msg: string) => void;
}

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

function statusJSON(res: http.ServerResponse, e: StatusError): void {
  if (res.headersSent) { res.destroy(); return; }
  if (isAuthFailure(e)) { res.writeHead(e.code, { 'Content-Type': 'text/plain; charset=utf-8' }); res.end(e.message); return; }
  res.writeHead(e.code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(e.toStatus()));
}

function rejectUpgrade(socket: Duplex, e: StatusError): void {
  const [type, body] = isAuthFailure(e) ? ['text/plain; charset=utf-8', e.message] : ['application/json', JSON.stringify(e.toStatus())];
  socket.end(`HTTP/1.1 ${e.code} ${http.STATUS_CODES[e.code] ?? 'Error'}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Upstream's kubelet answers authentication and authorization failures in plain text. */
function isAuthFailure(e: StatusError): boolean {
  return e.code === 401 || (e.code === 403 && e.message.startsWith('Forbidden (user='));
}

/** The container's runtime id ("containerd://abc" → "abc"), if it has been started. */
export function containerIdOf(pod: Pod, container: string): string | undefined {
  const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c) => c.name === container);
  return st?.containerID?.replace(/^[a-z]+:\/\//, '') || undefined;
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const log = opts.log ?? ((m: string) => console.error(`kubelet-server: ${m}`));
  const auth = new KubeletAuth({ client: opts.client, nodeName: opts.nodeName });
  /** Authenticate and authorize a request before anything else (upstream's kubelet auth filter). */
  async function admit(req: http.IncomingMessage, pathname: string): Promise<void> {
    const user = await auth.authenticate(req);
    await auth.authorize(user, requestAttributes(req.method ?? 'GET', pathname));
  }
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

  /** The pod, read with the agent's own credential (the caller has been authorized for this node). */
  async function authorizedPod(ns: string, name: string): Promise<Pod> {
    return await opts.client.get<Pod>(R.pods, ns, name);
  }

  async function serveLogs(req: http.IncomingMessage, res: http.ServerResponse, ns: string, podName: string, container: string, q: URLSearchParams): Promise<void> {
    const pod = await authorizedPod(ns, podName);
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

  const server = https.createServer({ key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    void (async () => {
      try {
        await admit(req, url.pathname);
        if (parts[0] === 'healthz') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); return; }
        if (parts[0] === 'containerLogs' && parts.length === 4 && req.method === 'GET') {
          await serveLogs(req, res, parts[1], parts[2], parts[3], url.searchParams);
          return;
        }
        if (parts[0] === 'metrics' && parts[1] === 'resource' && parts.length === 2 && opts.resourceMetrics) {
          if (req.method !== 'GET') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
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
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    socket.on('error', () => {});
    void (async () => {
      try {
        await admit(req, url.pathname);
        const isWs = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
        const isSpdy = (req.headers.upgrade ?? '').toLowerCase().startsWith('spdy/3.1');
        if (parts[0] === 'exec' && parts.length === 4) {
          const pod = await authorizedPod(parts[1], parts[2]);
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
          const pod = await authorizedPod(parts[1], parts[2]);
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
          const pod = await authorizedPod(parts[1], parts[2]);
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
    server.listen(opts.port ?? DEFAULT_KUBELET_PORT, opts.address, () => { server.off('error', reject); resolve(); });
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
