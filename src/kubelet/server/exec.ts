/**
 * `kubectl exec` on the node: the WebSocket remote-command protocol (v5.channel.k8s.io, v4.channel.k8s.io) and a
 * process in the container.
 *
 * Protocol: every binary message starts with a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize
 * (JSON {"Width","Height"}), and in v5 255 = close (payload: the channel closed, i.e. stdin EOF). The error channel
 * carries one metav1.Status at the end: Success, or Failure reason NonZeroExitCode with an ExitCode cause.
 *
 * The command runs through containerd's own exec (`ctr task exec`, in the container's namespaces, cgroups,
 * environment and user, as CRI Exec does). A TTY (`-it`) gets a pseudo-terminal from a tiny python helper that
 * also applies resize messages to it (the kernel then signals the process group, as on a real terminal).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CH_STDIN = 0, CH_STDOUT = 1, CH_STDERR = 2, CH_ERROR = 3, CH_RESIZE = 4, CH_CLOSE = 255;

export interface ExecRequest {
  containerId: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface ContainerdTarget {
  /** containerd socket (the CRI plugin's containers live in namespace k8s.io). */
  address: string;
  namespace?: string;
}

/** The metav1.Status written on the error channel when the command ends. */
export function exitStatus(code: number | null, signal: string | null, command: string[]): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  const exit = code ?? (signal ? 128 + (({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 } as Record<string, number>)[signal] ?? 0) : 1);
  return {
    metadata: {}, status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exit}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
  };
}

const PTY_HELPER = `
import os, pty, sys, select, struct, fcntl, termios
pid, fd = pty.fork()
if pid == 0:
    size = os.environ.pop('KUBELITE_PTY_SIZE', '')
    if size:
        rows, cols = (int(x) for x in size.split())
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    # ctr's own diagnostics (e.g. a late resize of an exited process) must not reach the user's terminal.
    nul = os.open('/dev/null', os.O_WRONLY); os.dup2(nul, 2)
    os.execvp(sys.argv[1], sys.argv[1:])
def wall(f, b):
    while b:
        n = os.write(f, b); b = b[n:]
ins = [0, fd, 3]; ctl = b''
while True:
    try: r, _, _ = select.select(ins, [], [])
    except InterruptedError: continue
    if fd in r:
        try: d = os.read(fd, 65536)
        except OSError: d = b''
        if not d: break
        wall(1, d)
    if 0 in r:
        d = os.read(0, 65536)
        if not d: ins.remove(0)
        else: wall(fd, d)
    if 3 in r:
        d = os.read(3, 4096)
        if not d: ins.remove(3)
        else:
            ctl += d
            while b'\\n' in ctl:
                line, ctl = ctl.split(b'\\n', 1)
                rows, cols = (int(x) for x in line.split())
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st) if hasattr(os, 'waitstatus_to_exitcode') else (st >> 8))
`;

/** Start the command in the container; stdio pipes (and fd 3 for "rows cols\n" resizes with a TTY). */
export function startExec(target: ContainerdTarget, req: ExecRequest, size?: { rows: number; cols: number }): ChildProcess {
  const ctrArgs = ['--address', target.address, '--namespace', target.namespace ?? 'k8s.io', 'task', 'exec',
    '--exec-id', `kubelite-exec-${randomBytes(6).toString('hex')}`, ...(req.tty ? ['--tty'] : []), req.containerId, ...req.command];
  if (req.tty) {
    const env = { ...process.env, ...(size ? { KUBELITE_PTY_SIZE: `${size.rows} ${size.cols}` } : {}) };
    return spawn('python3', ['-c', PTY_HELPER, 'ctr', ...ctrArgs], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env });
  }
  return spawn('ctr', ctrArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Serve one exec over an accepted WebSocket (protocol already negotiated). */
export function serveExecWebSocket(ws: WebSocket, target: ContainerdTarget, req: ExecRequest, log: (m: string) => void = () => {}): void {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const send = (ch: number, data: Buffer | string) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(Buffer.concat([Buffer.from([ch]), typeof data === 'string' ? Buffer.from(data) : data]));
  };
  if (!req.tty) { run(); return; }
  // With a TTY, kubectl sends the terminal size first: start the process with it (or after 1 s without it).
  const early: Buffer[] = [];
  let started = false;
  const onEarly = (raw: Buffer) => {
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as any);
    if (data[0] === CH_RESIZE && !started) {
      started = true;
      ws.off('message', onEarly);
      clearTimeout(timer);
      let size: { rows: number; cols: number } | undefined;
      try { const { Width, Height } = JSON.parse(data.subarray(1).toString()); if (Width > 0 && Height > 0) size = { rows: Height, cols: Width }; } catch { /* none */ }
      run(size, early);
    } else early.push(data);
  };
  ws.on('message', onEarly);
  const timer = setTimeout(() => { if (!started) { started = true; ws.off('message', onEarly); run(undefined, early); } }, 1000);

  function run(size?: { rows: number; cols: number }, pending: Buffer[] = []): void {
  if (ws.readyState !== ws.OPEN) return; // the client went away while we waited for its terminal size
  let child: ChildProcess;
  try {
    child = startExec(target, req, size);
  } catch (e: any) {
    send(CH_ERROR, JSON.stringify({ metadata: {}, status: 'Failure', message: `exec failed: ${e?.message}`, reason: 'InternalError' }));
    ws.close(1000);
    return;
  }
  const ctl = req.tty ? (child.stdio[3] as NodeJS.WritableStream | null) : null;
  child.stdout?.on('data', (d: Buffer) => { if (req.stdout || req.tty) send(CH_STDOUT, d); });
  // ctr reports a process that could not start ("ctr: OCI runtime exec failed: ...") on its stderr before any output
  // of the process: keep that off the user's stderr and answer it as upstream does, on the error channel.
  let sawOutput = false;
  let ctrError = '';
  child.stdout?.on('data', () => { sawOutput = true; });
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString();
    if (!sawOutput && (ctrError || text.startsWith('ctr: '))) { ctrError += text; return; }
    sawOutput = true;
    if (req.stderr) send(CH_STDERR, d);
  });
  child.stdin?.on('error', () => {});
  ctl?.on('error', () => {});
  if (!req.stdin) child.stdin?.end();

  const onMessage = (raw: Buffer) => {
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as any);
    if (data.length === 0) return;
    const ch = data[0];
    const body = data.subarray(1);
    if (ch === CH_STDIN && req.stdin) child.stdin?.write(body);
    else if (ch === CH_RESIZE && ctl) {
      try {
        const { Width, Height } = JSON.parse(body.toString());
        if (Width > 0 && Height > 0) ctl.write(`${Height} ${Width}\n`);
      } catch { /* ignore malformed resize */ }
    } else if (v5 && ch === CH_CLOSE && body[0] === CH_STDIN) child.stdin?.end();
  };
  for (const m of pending) onMessage(m);
  ws.on('message', onMessage);
  ws.on('close', () => { child.stdin?.end(); if (child.exitCode === null) child.kill('SIGKILL'); });
  ws.on('error', () => {});

  child.on('error', (e) => {
    send(CH_ERROR, JSON.stringify({ metadata: {}, status: 'Failure', message: `exec failed: ${e.message}`, reason: 'InternalError' }));
    ws.close(1000);
  });
  child.on('close', (code, signal) => {
    ctl?.end();
    if (code !== 0 && ctrError) {
      const why = ctrError.replace(/^ctr: /, '').trim();
      log(`exec in ${req.containerId.slice(0, 12)} failed: ${why}`);
      send(CH_ERROR, JSON.stringify({ metadata: {}, status: 'Failure', reason: 'InternalError', code: 500,
        message: `Internal error occurred: error executing command in container: failed to exec in container: ${why}` }));
    } else {
      send(CH_ERROR, JSON.stringify(exitStatus(code, signal, req.command)));
    }
    ws.close(1000);
  });
  }
}
