/**
 * `kubectl attach` (and any client's pods/attach) on the node: the client's WebSocket (v5.channel.k8s.io or
 * v4.channel.k8s.io, channels as for exec: 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize) joined to the
 * container's own stdio through CRI Attach — containerd's streaming server, which this agent reaches over a
 * WebSocket of its own (v4.channel.k8s.io), as upstream's kubelet proxies to the runtime's streaming URL.
 *
 * Frames pass through unchanged both ways; the runtime's error channel (a metav1.Status: Success, or the reason
 * the attach ended) reaches the client as is. v5's close signal (channel 255) for stdin has no v4 form: the
 * container's stdin stays open until the client leaves (upstream's container stdin closes with the client too
 * unless stdinOnce is unset).
 */
import { WebSocket } from 'ws';

export const ATTACH_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CH_ERROR = 3, CH_CLOSE = 255;

/** How the node agent gets a container's attach endpoint (CRI Attach): a URL on the runtime's streaming server. */
export interface AttachEndpoint {
  attachUrl(req: { containerId: string; stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }): Promise<string>;
}

/** Join an accepted client WebSocket to the runtime's attach URL. */
export function serveAttachWebSocket(client: WebSocket, runtimeUrl: string, log: (m: string) => void = () => {}): void {
  const status = (message: string) => JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 });
  const backend = new WebSocket(runtimeUrl.replace(/^http/, 'ws'), ['v4.channel.k8s.io']);
  const pending: Buffer[] = [];
  let open = false;
  const toBackend = (raw: Buffer) => {
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as any);
    if (data.length === 0 || data[0] === CH_CLOSE) return;
    if (open) backend.send(data); else pending.push(data);
  };
  client.on('message', toBackend);
  backend.on('open', () => {
    open = true;
    for (const m of pending.splice(0)) backend.send(m);
  });
  backend.on('message', (data: Buffer) => { if (client.readyState === client.OPEN) client.send(data); });
  backend.on('unexpected-response', (_req, res) => {
    log(`attach: runtime answered ${res.statusCode}`);
    if (client.readyState === client.OPEN) client.send(Buffer.concat([Buffer.from([CH_ERROR]), Buffer.from(status(`error attaching to container: runtime answered ${res.statusCode}`))]));
    client.close(1000);
  });
  backend.on('error', (e) => {
    log(`attach: ${e.message}`);
    if (client.readyState === client.OPEN) client.send(Buffer.concat([Buffer.from([CH_ERROR]), Buffer.from(status(`error attaching to container: ${e.message}`))]));
    client.close(1000);
  });
  backend.on('close', () => { if (client.readyState === client.OPEN) client.close(1000); });
  client.on('close', () => { if (backend.readyState === backend.OPEN || backend.readyState === backend.CONNECTING) backend.terminate(); });
  client.on('error', () => {});
}
