/**
 * Running HAProxy (Debian's package, installed by `kubelite setup`) as the service proxy's child process:
 * master-worker mode in the foreground, its files in one private directory —
 *   haproxy.cfg (0600), admin.sock (runtime API, root only, 0600), master.sock (master CLI: reload, 0600),
 *   requests.sock (request logs: HAProxy's ring forwards them here; owned by the haproxy user, 0600), haproxy.pid —
 * the workers drop to the haproxy user after binding, and nothing listens on TCP but the routed ports on 127.0.0.1.
 * A master left behind by a killed proxy (its pid file, its config path on its command line) is stopped first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as net from 'node:net';
import { dirname, join } from 'node:path';

export interface HAProxyFiles {
  dir: string;
  config: string;
  adminSocket: string;
  masterSocket: string;
  logSocket: string;
  pidFile: string;
}

export function haproxyFiles(dir: string): HAProxyFiles {
  return {
    dir,
    config: join(dir, 'haproxy.cfg'),
    adminSocket: join(dir, 'admin.sock'),
    masterSocket: join(dir, 'master.sock'),
    logSocket: join(dir, 'requests.sock'),
    pidFile: join(dir, 'haproxy.pid'),
  };
}

/** The uid/gid of a local user and group (from /etc/passwd, /etc/group), if both exist. */
export function lookupUser(user: string): { uid: number; gid: number } | undefined {
  try {
    const pw = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`))?.split(':');
    const gr = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`))?.split(':');
    if (!pw || !gr) return undefined;
    return { uid: Number(pw[2]), gid: Number(gr[2]) };
  } catch { return undefined; }
}

/** Is `bin` runnable? (`haproxy -v`) */
export function haproxyAvailable(bin = 'haproxy'): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn(bin, ['-v'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

/** The first directory on the way to `path` that `uid`/`gid` may not search, if any. */
export function unsearchableAncestor(path: string, uid: number, gid: number): string | undefined {
  for (let d = dirname(path); ; d = dirname(d)) {
    try {
      const st = statSync(d);
      const bit = st.uid === uid ? 0o100 : st.gid === gid ? 0o010 : 0o001;
      if (!(st.mode & bit)) return d;
    } catch { return d; }
    if (d === dirname(d)) return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stop a master left by an earlier run using this directory (kill -9 of the proxy leaves it running). */
export async function stopLeftoverHAProxy(dir: string): Promise<boolean> {
  const f = haproxyFiles(dir);
  let pid = 0;
  try { pid = Number(readFileSync(f.pidFile, 'utf8').trim()); } catch { return false; }
  if (!pid || !pidAlive(pid)) return false;
  let cmdline = '';
  try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { return false; }
  if (!/haproxy/.test(cmdline) || !cmdline.includes(f.config)) return false;
  try { process.kill(pid, 'SIGTERM'); } catch { return false; }
  for (let i = 0; i < 50 && pidAlive(pid); i++) await sleep(100);
  if (pidAlive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  return true;
}

/**
 * `kubelite down --purge`: stop every traffic-router HAProxy kubelite left on this host and remove their directories
 * (/run/kubelite/router-*, or <tmpdir>/kubelite-router-* where /run was not writable). Returns how many were stopped.
 */
export async function purgeTrafficRouters(log: (s: string) => void, roots: [string, string][] = [['/run/kubelite', 'router-'], [tmpdir(), 'kubelite-router-']]): Promise<number> {
  let stopped = 0;
  for (const [root, prefix] of roots) {
    let names: string[] = [];
    try { names = readdirSync(root).filter((n) => n.startsWith(prefix)); } catch { continue; }
    for (const n of names) {
      const dir = join(root, n);
      if (await stopLeftoverHAProxy(dir)) { stopped++; log(`stopped the traffic router's haproxy in ${dir}`); }
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return stopped;
}

/** Send commands to a HAProxy CLI socket (one connection, commands joined by ';'); resolves with the output. */
export function cliCommand(socket: string, cmd: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    let out = '';
    const t = setTimeout(() => { s.destroy(); reject(new Error(`haproxy CLI ${socket}: no answer in ${timeoutMs} ms`)); }, timeoutMs);
    s.setEncoding('utf8');
    s.on('data', (d) => { out += d; });
    s.on('end', () => { clearTimeout(t); resolve(out); });
    s.on('error', (e) => { clearTimeout(t); reject(e); });
    s.end(cmd + '\n');
  });
}

/** Output lines of the runtime API that report a failed command. */
export function cliErrors(out: string): string[] {
  return out.split('\n').map((l) => l.trim()).filter((l) =>
    /^(No such|Require|Invalid|Unknown|Unexpected|Permission denied|Can't|Cannot)/i.test(l) || /\b(not found|failed|error)\b/i.test(l));
}

const LIFECYCLE = /(is UP|is DOWN|leaving forced maintenance|entering forced maintenance|stopped \(cumulated|Former worker|Proxy .* stopped|All workers exited|Exiting Master|Current worker .* exited|Reexecuting Master|Loading success|New worker)/;

export interface HAProxyOptions {
  dir: string;
  bin?: string;
  log: (msg: string) => void;
  /** Each request log line. */
  onLogLine: (line: string) => void;
  /** HAProxy exited without being asked to. */
  onExit: (why: string) => void;
  /** Drop the workers to this user (and its group), if it exists and we are root; default 'haproxy'. */
  user?: string | null;
}

/**
 * One HAProxy master (and its workers). start(config) → reload(config) as often as needed → stop().
 * The request-log sink (a unix stream socket, octet-counted syslog frames) lives as long as this object.
 */
export class HAProxy {
  readonly files: HAProxyFiles;
  readonly user?: { name: string; uid: number; gid: number };
  private proc?: ChildProcess;
  private exited = true;
  private stopping = false;
  private sink?: net.Server;
  private stderrTail: string[] = [];

  constructor(private opts: HAProxyOptions) {
    this.files = haproxyFiles(opts.dir);
    const name = opts.user === undefined ? 'haproxy' : opts.user;
    if (name && process.getuid?.() === 0) {
      const u = lookupUser(name);
      if (u) this.user = { name, ...u };
    }
  }

  running(): boolean { return !!this.proc && !this.exited; }
  pid(): number | undefined { return this.running() ? this.proc!.pid : undefined; }

  private async openSink(): Promise<void> {
    if (this.sink) return;
    const f = this.files;
    mkdirSync(f.dir, { recursive: true, mode: 0o711 });
    chmodSync(f.dir, 0o711);
    try { unlinkSync(f.logSocket); } catch { /* none */ }
    const sink = net.createServer((c) => {
      let buf: Buffer = Buffer.alloc(0);
      c.on('data', (d: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        // RFC 6587 octet counting: "<length> <message>"
        let off = 0;
        for (;;) {
          const sp = buf.indexOf(0x20, off);
          if (sp < 0 || sp - off > 10) break;
          const len = Number(buf.subarray(off, sp).toString('latin1'));
          if (!Number.isInteger(len)) { c.destroy(); return; }
          if (buf.length < sp + 1 + len) break;
          this.opts.onLogLine(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
          off = sp + 1 + len;
        }
        buf = off ? buf.subarray(off) : buf;
      });
      c.on('error', () => { /* the worker went away (reload, stop) */ });
    });
    await new Promise<void>((resolve, reject) => { sink.once('error', reject); sink.listen(f.logSocket, () => { sink.off('error', reject); resolve(); }); });
    chmodSync(f.logSocket, 0o600);
    if (this.user) {
      chownSync(f.logSocket, this.user.uid, this.user.gid);
      const blocked = unsearchableAncestor(f.logSocket, this.user.uid, this.user.gid);
      if (blocked) this.opts.log(`traffic router: HAProxy's workers run as ${this.user.name} and cannot reach ${f.logSocket} (${blocked} is not searchable for them): requests will not be measured`);
    }
    this.sink = sink;
  }

  /** Start the master with this configuration; resolves once the runtime API answers. */
  async start(config: string): Promise<void> {
    if (this.running()) throw new Error('haproxy is already running');
    await stopLeftoverHAProxy(this.opts.dir);
    await this.openSink();
    const f = this.files;
    writeFileSync(f.config, config, { mode: 0o600 });
    for (const s of [f.adminSocket, f.masterSocket]) try { unlinkSync(s); } catch { /* none */ }
    this.stderrTail = [];
    this.stopping = false;
    const p = spawn(this.opts.bin ?? 'haproxy', ['-W', '-db', '-f', f.config, '-S', `${f.masterSocket},mode,600`, '-p', f.pidFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    this.exited = false;
    const onOutput = (d: Buffer) => {
      for (const line of d.toString('utf8').split('\n')) {
        // Lifecycle notices (workers forked and retired, servers put in and out of maintenance) are not news.
        if (!line.trim() || /\[NOTICE\]/.test(line) || LIFECYCLE.test(line)) continue;
        this.stderrTail.push(line.trim());
        if (this.stderrTail.length > 20) this.stderrTail.shift();
        if (!this.stopping) this.opts.log(`haproxy: ${line.trim()}`);
      }
    };
    p.stdout!.on('data', onOutput);
    p.stderr!.on('data', onOutput);
    let spawnError: Error | undefined;
    let started = false;
    p.on('error', (e) => { spawnError = e; });
    p.on('exit', (code, sig) => {
      this.exited = true;
      if (!this.stopping && started) this.opts.onExit(`exited (${sig ?? `code ${code}`})${this.stderrTail.length ? `: ${this.stderrTail.slice(-3).join(' / ')}` : ''}`);
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (spawnError) throw new Error(`cannot run haproxy: ${spawnError.message}`);
      if (this.exited) throw new Error(`haproxy did not start: ${this.stderrTail.slice(-5).join(' / ') || 'it exited'}`);
      if (existsSync(f.adminSocket)) {
        try { if (/Pid:/.test(await cliCommand(f.adminSocket, 'show info', 1000))) { started = true; return; } } catch { /* not yet */ }
      }
      if (Date.now() > deadline) { await this.stop(); throw new Error(`haproxy did not answer on ${f.adminSocket} within 10 s`); }
      await sleep(25);
    }
  }

  private async workerPid(): Promise<number | undefined> {
    try {
      const m = /^Pid:\s*(\d+)/m.exec(await cliCommand(this.files.adminSocket, 'show info', 1000));
      return m ? Number(m[1]) : undefined;
    } catch { return undefined; }
  }

  /**
   * Load a new configuration: the master starts new workers (listening sockets passed over), the old ones finish
   * their requests. Resolves once the runtime API is served by the new worker; throws if the reload failed
   * (the old configuration then stays in force).
   */
  async reload(config: string): Promise<void> {
    if (!this.running()) throw new Error('haproxy is not running');
    const f = this.files;
    const before = await this.workerPid();
    writeFileSync(f.config, config, { mode: 0o600 });
    const failedBefore = await this.failedReloads();
    await cliCommand(f.masterSocket, 'reload');
    const deadline = Date.now() + 10_000;
    for (;;) {
      await sleep(25);
      if (!this.running()) throw new Error(`haproxy exited during a reload: ${this.stderrTail.slice(-5).join(' / ')}`);
      const pid = await this.workerPid();
      if (pid !== undefined && pid !== before) return;
      const failed = await this.failedReloads();
      if (failed !== undefined && failedBefore !== undefined && failed > failedBefore) {
        throw new Error(`haproxy rejected the new configuration: ${this.stderrTail.slice(-5).join(' / ')}`);
      }
      if (Date.now() > deadline) throw new Error('haproxy reload did not complete within 10 s');
    }
  }

  private async failedReloads(): Promise<number | undefined> {
    try {
      const m = /\[failed:\s*(\d+)\]/.exec(await cliCommand(this.files.masterSocket, 'show proc', 1000));
      return m ? Number(m[1]) : undefined;
    } catch { return undefined; }
  }

  /** Run runtime-API commands (in batches); throws with HAProxy's message if any failed. */
  async command(cmds: string[]): Promise<void> {
    for (let i = 0; i < cmds.length; i += 40) {
      const batch = cmds.slice(i, i + 40);
      const out = await cliCommand(this.files.adminSocket, batch.join('; '));
      const errs = cliErrors(out);
      if (errs.length) throw new Error(`haproxy runtime API: ${errs.join(' / ')} (commands: ${batch.join('; ')})`);
    }
  }

  /** Stop the master and its workers (hard stop: in-flight requests end), remove every file. */
  async stop(): Promise<void> {
    this.stopping = true;
    const p = this.proc;
    if (p && !this.exited) {
      const done = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      const t = setTimeout(() => { if (!this.exited) p.kill('SIGKILL'); }, 5000);
      await done;
      clearTimeout(t);
    }
    this.proc = undefined;
  }

  /** stop() and close the log sink; remove the directory. */
  async close(): Promise<void> {
    await this.stop();
    if (this.sink) {
      const s = this.sink;
      this.sink = undefined;
      await new Promise<void>((r) => s.close(() => r()));
    }
    rmSync(this.files.dir, { recursive: true, force: true });
  }
}
