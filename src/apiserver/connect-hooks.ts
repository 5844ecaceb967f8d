/**
 * Connect subresources (pods/log, pods/exec, pods/portforward; later attach and the proxies): a descriptor's
 * SubresourceDef names its handler (`connect`), and the server routes
 * `GET|POST|... /api/v1/namespaces/<ns>/pods/<name>/<sub>[/<rest>]` to it after authentication.
 *
 * The handler owns the response (including upgrades: `ctx.upgrade` is set for WebSocket/SPDY upgrade requests,
 * with the raw socket and head). Throwing a StatusError before writing anything answers that Status.
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeletClient } from './kubelet-client.ts';
import type { UserInfo } from './auth.ts';
import type { GenericRegistry } from './registry.ts';
import type { ResourceDef } from '../api/resource.ts';

export interface ConnectContext {
  user: UserInfo;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace?: string;
  name: string;
  /** Path after the subresource (nodes/proxy/<path>), without the leading slash. */
  rest: string;
  query: URLSearchParams;
  /** Read objects (e.g. the pod, its node) through the registry. */
  registry: GenericRegistry;
  defFor(group: string, resource: string): ResourceDef | undefined;
  /** How the server reaches node agents (HTTPS, its kubelet-client certificate, the cluster CA). */
  kubelet: KubeletClient;
  /** Set for upgrade requests (WebSocket/SPDY): write the 101 yourself on `socket`. */
  upgrade?: { socket: Duplex; head: Buffer };
}

export type ConnectHandler = (req: http.IncomingMessage, res: http.ServerResponse | undefined, ctx: ConnectContext) => void | Promise<void>;
