/**
 * Small host helpers for node set-up: running commands, pid files, waiting for sockets and URLs.
 * Everything here is synchronous-free (spawns are awaited) so `kubelite setup` can print progress as it goes.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, openSync, closeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as net from 'node:net';
import * as http from 'node:http';

/** An error whose message tells the user what could not be done and how to fix it. */
export class SetupError extends Error {
  constructor(message: string) { super(message); this.name = 'SetupError'; }
}

export interface RunResult { code: number; stdout: string; stderr: string }

/** Run a command to completion, capturing output. Never throws for a non-zero exit (see `check`). */
export function run(cmd: string, args: string[], opts: SpawnOptions & { input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { ...opts, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => { stdout += d; });
    p.stderr!.on('data', (d) => { stderr += d; });
    p.on('error', (e) => resolve({ code: 127, stdout, stderr: stderr + String(e) }));
    p.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 : 1), stdout, stderr }));
    if (opts.input !== undefined) p.stdin!.end(opts.input); else p.stdin!.end();
  });
}

/** Run a command and throw (with its stderr) when it fails. */
export async function check(cmd: string, args: string[], opts: SpawnOptions & { input?: string } = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  return r.stdout;
}

export async function which(cmd: string): Promise<boolean> {
  return (await run('sh', ['-c', `command -v ${cmd}`])).code === 0;
}

export function pidAlive(pid: number): boolean {
  if (!pid) return false;
  try { process.kill(pid, 0); } catch { return false; }
  // A zombie still answers kill(0); look at /proc.
  try { return !/\nState:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { return false; }
}

export function readPid(file: string): number {
  try { return Number(readFileSync(file, 'utf8').trim()) || 0; } catch { return 0; }
}

/** Start a long-running daemon detached from this process (it survives us), output to a log file. */
export function startDaemon(cmd: string, args: string[], pidFile: string, logFile: string): number {
  mkdirSync(dirname(pidFile), { recursive: true });
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  const p = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  p.unref();
  writeFileSync(pidFile, `${p.pid}\n`);
  return p.pid!;
}

/** Send TERM, wait up to `graceMs`, then KILL. */
export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  if (!pidAlive(pid)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  const end = Date.now() + graceMs;
  while (Date.now() < end) {
    if (!pidAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

export function socketAnswers(path: string, timeoutMs = 500): Promise<boolean> {
  if (!existsSync(path)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const s = net.connect(path);
    const t = setTimeout(() => { s.destroy(); resolve(false); }, timeoutMs);
    s.on('connect', () => { clearTimeout(t); s.destroy(); resolve(true); });
    s.on('error', () => { clearTimeout(t); resolve(false); });
  });
}

export function httpStatus(url: string, method = 'GET', headers: Record<string, string> = {}, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers, timeout: timeoutMs }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('timeout', () => { req.destroy(); resolve(0); });
    req.on('error', () => resolve(0));
    req.end();
  });
}

export async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  void what;
  return cond();
}
