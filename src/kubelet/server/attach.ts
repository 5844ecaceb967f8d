/**
 * `kubectl attach` (and any client's pods/attach) on the node: the client's streams — a channel WebSocket
 * (v5/v4.channel.k8s.io) or SPDY streams (./remotecommand-spdy.ts), as for exec — joined to the container's own
 * stdio through CRI Attach: containerd's streaming server, which this agent reaches over a WebSocket of its own
 * (v4.channel.k8s.io), as upstream's kubelet proxies to the runtime's streaming URL.
 *
 * stdin and terminal sizes go to the runtime; stdout and stderr come back; the runtime's error channel (a
 * metav1.Status: Success, or why the attach ended) ends the client's session. The end of the client's stdin (v5's
 * close signal, SPDY's FIN) has no v4 form: the container's stdin stays open until the client leaves.
 */
import { WebSocket } from 'ws';
import type { CommandStreams } from './exec.ts';

export const ATTACH_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CH_STDIN = 0, CH_STDOUT = 1, CH_STDERR = 2, CH_ERROR = 3, CH_RESIZE = 4;

/** How the node agent gets a container's attach endpoint (CRI Attach): a URL on the runtime's streaming server. */
export interface AttachEndpoint {
  attachUrl(req: { containerId: string; stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }): Promise<string>;
}

const failure = (message: string) => JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 });

/** Join a client's streams to the runtime's attach URL. */
export function serveAttach(io: CommandStreams, runtimeUrl: string, log: (m: string) => void = () => {}): void {
  const backend = new WebSocket(runtimeUrl.replace(/^http/, 'ws'), ['v4.channel.k8s.io']);
  const pending: Buffer[] = [];
  let status = '';
  let finished = false;
  const finish = (s: string) => { if (!finished) { finished = true; io.finish(s); } };
  const toBackend = (ch: number, d: Buffer) => {
    const frame = Buffer.concat([Buffer.from([ch]), d]);
    if (backend.readyState === backend.OPEN) backend.send(frame); else pending.push(frame);
  };
  io.onStdin((d) => toBackend(CH_STDIN, d));
  io.onResize((sz) => toBackend(CH_RESIZE, Buffer.from(JSON.stringify({ Width: sz.cols, Height: sz.rows }))));
  io.onGone(() => { if (backend.readyState === backend.OPEN || backend.readyState === backend.CONNECTING) backend.terminate(); });
  backend.on('open', () => { for (const m of pending.splice(0)) backend.send(m); });
  backend.on('message', (raw: Buffer) => {
    const d = Buffer.from(raw);
    if (!d.length) return;
    const body = d.subarray(1);
    if (d[0] === CH_STDOUT) io.stdout(body);
    else if (d[0] === CH_STDERR) io.stderr(body);
    else if (d[0] === CH_ERROR) status += body.toString();
  });
  backend.on('unexpected-response', (_req, res) => {
    log(`attach: runtime answered ${res.statusCode}`);
    finish(failure(`error attaching to container: runtime answered ${res.statusCode}`));
  });
  backend.on('error', (e) => {
    log(`attach: ${e.message}`);
    finish(failure(`error attaching to container: ${e.message}`));
  });
  backend.on('close', () => finish(status || JSON.stringify({ metadata: {}, status: 'Success' })));
}
