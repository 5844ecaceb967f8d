/**
 * How the API server reaches node agents (upstream pkg/kubelet/client: --kubelet-client-certificate/-key,
 * --kubelet-certificate-authority, --kubelet-preferred-address-types): over HTTPS, presenting its own client
 * certificate (CN kube-apiserver-kubelet-client, src/apiserver/tls.ts) and verifying the agent's serving
 * certificate against the cluster CA (the agent's certificate names its node, its IP and 127.0.0.1).
 *
 * Where: the node's InternalIP (else its Hostname address) and status.daemonEndpoints.kubeletEndpoint.Port. The
 * node agent that runs in the API server's own process (`kubelite up`) listens on loopback only, so the API server
 * is told its name (`localNode`) and dials it on 127.0.0.1.
 *
 * The connect handlers (src/apiserver/connect.ts: log, exec, attach, port-forward) and the resource-metrics
 * scraper (src/apiserver/metrics/scraper.ts) are its users.
 */
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { Node } from 'kubernetes-types/core/v1.d.ts';

export const DEFAULT_KUBELET_PORT = 10250;

export interface KubeletClientConfig {
  /** The cluster CA (PEM) node agents' serving certificates are checked against. */
  ca: string;
  /** The API server's client certificate and key towards node agents (PEM). */
  cert: string;
  key: string;
  /** The node whose agent runs in this process and listens on 127.0.0.1. */
  localNode?: string;
}

export class KubeletClient {
  /** Keep-alive connections for the periodic scrapes. */
  readonly agent: https.Agent;

  constructor(readonly config: KubeletClientConfig) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 4, ...this.tlsOptions() });
  }

  /** Where the agent of `node` listens. */
  address(node: Node): { host: string; port: number } {
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_KUBELET_PORT;
    if (this.config.localNode && node.metadata?.name === this.config.localNode) return { host: '127.0.0.1', port };
    return { ...kubeletAddress(node), port };
  }

  /** TLS options of every connection to an agent: our certificate, the CA, verification on. */
  tlsOptions(): { ca: string; cert: string; key: string; rejectUnauthorized: true } {
    return { ca: this.config.ca, cert: this.config.cert, key: this.config.key, rejectUnauthorized: true };
  }

  /** A TLS connection to an agent (for upgrades: exec, attach, port-forward). */
  connect(host: string, port: number): tls.TLSSocket {
    return tls.connect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...this.tlsOptions() });
  }

  /** An HTTPS request to an agent. */
  request(o: { host: string; port: number; path: string; method?: string; headers?: Record<string, string>; timeout?: number; agent?: boolean }, cb: (res: import('node:http').IncomingMessage) => void) {
    return https.request({
      host: o.host, port: o.port, path: o.path, method: o.method ?? 'GET', headers: o.headers, timeout: o.timeout,
      ...(o.agent ? { agent: this.agent } : { ...this.tlsOptions(), agent: false }),
      ...(isIP(o.host) ? {} : { servername: o.host }),
    }, cb);
  }

  close(): void { this.agent.destroy(); }
}

function isIP(h: string): boolean {
  return /^[0-9.]+$/.test(h) || h.includes(':');
}

/** The node's published address (InternalIP, else Hostname, else its name) and kubelet port. */
export function kubeletAddress(node: Node): { host: string; port: number } {
  const addrs = node.status?.addresses ?? [];
  const host = addrs.find((a) => a.type === 'InternalIP')?.address ?? addrs.find((a) => a.type === 'Hostname')?.address ?? node.metadata?.name ?? '';
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_KUBELET_PORT;
  return { host, port };
}
