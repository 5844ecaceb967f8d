/**
 * Connect subresources of pods — log, exec, attach, portforward — proxied to the kubelet of the pod's node (upstream
 * pkg/registry/core/pod/rest/subresources.go + UpgradeAwareHandler): the pod's spec.nodeName gives the Node, whose
 * InternalIP and status.daemonEndpoints.kubeletEndpoint.Port give the kubelet's streaming server
 * (src/kubelet/server). `log` is a plain streamed GET (text/plain; follow=true keeps it open); `exec` and
 * `portforward` are upgrades (WebSocket, or SPDY for port-forward) whose bytes are piped both ways unchanged once
 * the request line has been rewritten to the kubelet's path.
 *
 * The kubelet is called over HTTPS with the API server's own kubelet-client certificate (./kubelet-client.ts), its
 * serving certificate checked against the cluster CA; the caller's credentials never leave the API server (its
 * Authorization header is dropped). The kubelet authorizes the API server's identity by SubjectAccessReview.
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { StatusError, badRequest } from '../api/errors.ts';
import type { ConnectContext } from './connect-hooks.ts';
import { decodePodExecOptions, decodePodLogOptions, decodePortForwardPorts, encodePodExecOptions, encodePodLogOptions } from '../api/options.ts';

async function getPod(ctx: ConnectContext): Promise<Pod> {
  const def = ctx.defFor('', 'pods');
  if (!def) throw new StatusError(500, 'InternalError', 'pods are not served');
  return (await ctx.registry.get(def, ctx.namespace, ctx.name)) as Pod;
}

async function kubeletFor(ctx: ConnectContext, pod: Pod): Promise<{ host: string; port: number }> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${ctx.name} does not have a host assigned`);
  const def = ctx.defFor('', 'nodes');
  if (!def) throw new StatusError(500, 'InternalError', 'nodes are not served');
  const node = (await ctx.registry.get(def, undefined, nodeName)) as Node;
  return ctx.kubelet.address(node);
}

/** The container a request is for: the `container` parameter, the default-container annotation, or the only one. */
export function pickContainer(pod: Pod, requested: string | null, name: string): string {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...((pod.spec as any)?.ephemeralContainers ?? [])].map((c: any) => c.name as string);
  if (requested) {
    if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && all.includes(annotated)) return annotated;
  const main = (pod.spec?.containers ?? []).map((c) => c.name);
  if (main.length === 1) return main[0];
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]`);
}

function queryString(q: URLSearchParams): string {
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function logHandler(req: http.IncomingMessage, res: http.ServerResponse | undefined, ctx: ConnectContext): Promise<void> {
  if (!res) throw badRequest('pods/log does not upgrade');
  const opts = decodePodLogOptions(ctx.query, ctx.name);
  const pod = await getPod(ctx);
  const container = pickContainer(pod, opts.container ?? null, ctx.name);
  if (!pod.spec?.nodeName) {
    // Upstream LogLocation: a pod without a host has no log yet — an empty answer.
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end();
    return;
  }
  const { host, port } = await kubeletFor(ctx, pod);
  const path = `/containerLogs/${encodeURIComponent(ctx.namespace ?? 'default')}/${encodeURIComponent(ctx.name)}/${encodeURIComponent(container)}${queryString(encodePodLogOptions(opts))}`;
  await new Promise<void>((resolve, reject) => {
    const up = ctx.kubelet.request({ host, port, path }, (ures) => {
      const headers: Record<string, string> = { 'Content-Type': (ures.headers['content-type'] as string) ?? 'text/plain' };
      res.writeHead(ures.statusCode ?? 502, headers);
      res.flushHeaders();
      ures.pipe(res);
      ures.on('end', resolve);
      ures.on('error', () => { res.destroy(); resolve(); });
    });
    up.on('error', (e) => reject(new StatusError(500, 'InternalError', `Get "https://${host}:${port}${path.split('?')[0]}": ${e.message}`)));
    res.on('close', () => up.destroy());
    up.end();
  });
}

/** Pipe an upgrade request to the kubelet (over TLS, as the API server) with a rewritten request line. */
function proxyUpgrade(req: http.IncomingMessage, ctx: ConnectContext, host: string, port: number, path: string): Promise<void> {
  const { socket: client, head } = ctx.upgrade!;
  return new Promise((resolve) => {
    const up = ctx.kubelet.connect(host, port);
    const fail = (e: Error) => {
      const st = new StatusError(500, 'InternalError', `error dialing backend: ${e.message}`).toStatus();
      const body = JSON.stringify(st);
      client.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      resolve();
    };
    up.once('error', fail);
    up.on('secureConnect', () => {
      up.off('error', fail);
      const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${host}:${port}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i];
        if (/^(host|authorization|content-length)$/i.test(k)) continue;
        lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
      }
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
      const done = () => { up.destroy(); client.destroy(); resolve(); };
      up.on('close', done);
      client.on('close', done);
      up.on('error', done);
      client.on('error', done);
    });
  });
}

export async function execHandler(req: http.IncomingMessage, _res: http.ServerResponse | undefined, ctx: ConnectContext): Promise<void> {
  if (!ctx.upgrade) throw badRequest('Upgrade request required');
  const opts = decodePodExecOptions(ctx.query);
  const pod = await getPod(ctx);
  const container = pickContainer(pod, opts.container ?? null, ctx.name);
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`);
  }
  const { host, port } = await kubeletFor(ctx, pod);
  const path = `/exec/${encodeURIComponent(ctx.namespace ?? 'default')}/${encodeURIComponent(ctx.name)}/${encodeURIComponent(container)}${queryString(encodePodExecOptions(opts))}`;
  await proxyUpgrade(req, ctx, host, port, path);
}

export async function attachHandler(req: http.IncomingMessage, _res: http.ServerResponse | undefined, ctx: ConnectContext): Promise<void> {
  if (!ctx.upgrade) throw badRequest('Upgrade request required');
  const opts = decodePodExecOptions(ctx.query, true);
  const pod = await getPod(ctx);
  const container = pickContainer(pod, opts.container ?? null, ctx.name);
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
    throw badRequest(`cannot attach a container in a completed pod; current phase is ${pod.status.phase}`);
  }
  const { host, port } = await kubeletFor(ctx, pod);
  const path = `/attach/${encodeURIComponent(ctx.namespace ?? 'default')}/${encodeURIComponent(ctx.name)}/${encodeURIComponent(container)}${queryString(encodePodExecOptions(opts))}`;
  await proxyUpgrade(req, ctx, host, port, path);
}

export async function portForwardHandler(req: http.IncomingMessage, _res: http.ServerResponse | undefined, ctx: ConnectContext): Promise<void> {
  if (!ctx.upgrade) throw badRequest('Upgrade request required');
  const pod = await getPod(ctx);
  if (pod.status?.phase !== 'Running') throw badRequest(`pod ${ctx.name} is not running`);
  const { host, port } = await kubeletFor(ctx, pod);
  const ports = decodePortForwardPorts(ctx.query);
  const path = `/portForward/${encodeURIComponent(ctx.namespace ?? 'default')}/${encodeURIComponent(ctx.name)}${ports.length ? `?${ports.map((p) => `port=${p}`).join('&')}` : ''}`;
  await proxyUpgrade(req, ctx, host, port, path);
}
