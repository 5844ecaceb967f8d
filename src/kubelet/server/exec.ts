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

/**
 * The client side of a remote command, whatever carries it (a channel WebSocket, SPDY streams): where the process's
 * output goes, where its input, terminal sizes and the end of its input come from.
 */
export interface CommandStreams {
  stdout(d: Buffer): void;
  stderr(d: Buffer): void;
  /** The final metav1.Status (JSON); the session then ends. */
  finish(status: string): void;
  onStdin(cb: (d: Buffer) => void): void;
  onStdinEnd(cb: () => void): void;
  onResize(cb: (size: { rows: number; cols: number }) => void): void;
  /** The client went away. */
  onGone(cb: () => void): void;
  gone(): boolean;
}

/** A resize message (`{"Width":W,"Height":H}`) as a terminal size, or undefined. */
export function parseResize(text: string): { rows: number; cols: number } | undefined {
  try {
    const { Width, Height } = JSON.parse(text);
    return Width > 0 && Height > 0 ? { rows: Height, cols: Width } : undefined;
  } catch { return undefined; }
}

/**
 * Run one exec for a client. With a terminal the client sends its size first: the process starts with it (or
 * after 1 s without it); input that arrives before is replayed.
 */
export function runCommand(io: CommandStreams, target: ContainerdTarget, req: ExecRequest, log: (m: string) => void = () => {}): void {
  const early: (() => void)[] = [];
  let started = false;
  let stdinSink: ((d: Buffer) => void) | undefined;
  let stdinEnd: (() => void) | undefined;
  let resizeSink: ((s: { rows: number; cols: number }) => void) | undefined;
  io.onStdin((d) => { if (stdinSink) stdinSink(d); else early.push(() => stdinSink?.(d)); });
  io.onStdinEnd(() => { if (stdinEnd) stdinEnd(); else early.push(() => stdinEnd?.()); });
  io.onResize((size) => {
    if (!started && req.tty) { started = true; clearTimeout(timer); start(size); return; }
    resizeSink?.(size);
  });
  let timer: NodeJS.Timeout | undefined;
  if (!req.tty) { started = true; start(); } else timer = setTimeout(() => { if (!started) { started = true; start(); } }, 1000);

  function start(size?: { rows: number; cols: number }): void {
    if (io.gone()) return; // the client went away while we waited for its terminal size
    let child: ChildProcess;
    try {
      child = startExec(target, req, size);
    } catch (e: any) {
      io.finish(JSON.stringify({ metadata: {}, status: 'Failure', message: `exec failed: ${e?.message}`, reason: 'InternalError' }));
      return;
    }
    const ctl = req.tty ? (child.stdio[3] as NodeJS.WritableStream | null) : null;
    child.stdout?.on('data', (d: Buffer) => { if (req.stdout || req.tty) io.stdout(d); });
    // ctr reports a process that could not start ("ctr: OCI runtime exec failed: ...") on its stderr before any output
    // of the process: keep that off the user's stderr and answer it as upstream does, on the error channel.
    let sawOutput = false;
    let ctrError = '';
    child.stdout?.on('data', () => { sawOutput = true; });
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      if (!sawOutput && (ctrError || text.startsWith('ctr: '))) { ctrError += text; return; }
      sawOutput = true;
      if (req.stderr) io.stderr(d);
    });
    child.stdin?.on('error', () => {});
    ctl?.on('error', () => {});
    if (!req.stdin) child.stdin?.end();
    stdinSink = (d) => { if (req.stdin) child.stdin?.write(d); };
    stdinEnd = () => child.stdin?.end();
    resizeSink = (sz) => { if (ctl) ctl.write(`${sz.rows} ${sz.cols}\n`); };
    for (const f of early.splice(0)) f();
    io.onGone(() => { child.stdin?.end(); if (child.exitCode === null) child.kill('SIGKILL'); });
    child.on('error', (e) => {
      io.finish(JSON.stringify({ metadata: {}, status: 'Failure', message: `exec failed: ${e.message}`, reason: 'InternalError' }));
    });
    child.on('close', (code, signal) => {
      ctl?.end();
      if (code !== 0 && ctrError) {
        const why = ctrError.replace(/^ctr: /, '').trim();
        log(`exec in ${req.containerId.slice(0, 12)} failed: ${why}`);
        io.finish(JSON.stringify({ metadata: {}, status: 'Failure', reason: 'InternalError', code: 500,
          message: `Internal error occurred: error executing command in container: failed to exec in container: ${why}` }));
      } else {
        io.finish(JSON.stringify(exitStatus(code, signal, req.command)));
      }
    });
  }
}

/** A channel WebSocket (v4/v5.channel.k8s.io) as the streams of a remote command. */
export function webSocketStreams(ws: WebSocket): CommandStreams {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const send = (ch: number, data: Buffer | string) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(Buffer.concat([Buffer.from([ch]), typeof data === 'string' ? Buffer.from(data) : data]));
  };
  const stdin: ((d: Buffer) => void)[] = [], stdinEnd: (() => void)[] = [], resize: ((s: { rows: number; cols: number }) => void)[] = [], gone: (() => void)[] = [];
  ws.on('message', (raw: Buffer) => {
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as any);
    if (data.length === 0) return;
    const ch = data[0];
    const body = data.subarray(1);
    if (ch === CH_STDIN) for (const f of stdin) f(body);
    else if (ch === CH_RESIZE) { const sz = parseResize(body.toString()); if (sz) for (const f of resize) f(sz); }
    else if (v5 && ch === CH_CLOSE && body[0] === CH_STDIN) for (const f of stdinEnd) f();
  });
  ws.on('close', () => { for (const f of gone) f(); });
  ws.on('error', () => {});
  return {
    stdout: (d) => send(CH_STDOUT, d),
    stderr: (d) => send(CH_STDERR, d),
    finish: (status) => { send(CH_ERROR, status); ws.close(1000); },
    onStdin: (f) => { stdin.push(f); },
    onStdinEnd: (f) => { stdinEnd.push(f); },
    onResize: (f) => { resize.push(f); },
    onGone: (f) => { gone.push(f); },
    gone: () => ws.readyState !== ws.OPEN,
  };
}

/** Serve one exec over an accepted WebSocket (protocol already negotiated). */
export function serveExecWebSocket(ws: WebSocket, target: ContainerdTarget, req: ExecRequest, log: (m: string) => void = () => {}): void {
  runCommand(webSocketStreams(ws), target, req, log);
}
