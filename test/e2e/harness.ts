/**
 * Shared harness for every e2e test: start a real `kubelite up` on a temp data dir and a free port,
 * drive it with the real kubectl (fresh cache dir) and with KubeClient.
 *
 *   const c = await startCluster();              // control plane only (--no-node)
 *   const r = await c.kubectl(['get', 'pods']);  // { code, stdout, stderr }
 *   await c.client.list(R.pods, 'default');
 *   await c.stop();
 *
 * Keep this API stable: every area's e2e tests use it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as net from 'node:net';
import { unmountAll } from '../../src/kubelet/volumes/host-mount.ts';
import { KubeClient } from '../../src/client/client.ts';

export const repoRoot = resolve(new URL('../..', import.meta.url).pathname);
const kubeliteBin = join(repoRoot, 'bin/kubelite.js');

export interface ClusterOptions {
  /** Start the node agent too (default false: `--no-node`). */
  node?: boolean;
  store?: 'sqlite' | 'etcd';
  /** Extra arguments for `kubelite up` (e.g. ['--etcd-endpoints', url]). */
  args?: string[];
  /** Reuse a data dir (e.g. to test a restart); default a fresh temp dir, removed on stop(). */
  dataDir?: string;
  /** Reuse a port (restart on the same address); default a random free port. */
  port?: number;
  /** Extra environment for the `kubelite up` process. */
  env?: Record<string, string>;
  /** Milliseconds to wait for the ready line (default 60 s, 180 s with a node). */
  readyTimeoutMs?: number;
}

export interface KubectlResult { code: number; stdout: string; stderr: string }

export interface Cluster {
  dataDir: string;
  port: number;
  server: string;
  kubeconfig: string;
  client: KubeClient;
  /** Everything `kubelite up` printed so far (stdout + stderr). */
  output(): string;
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<KubectlResult>;
  /** SIGTERM and wait for exit; removes the data dir unless `keepData` (or the caller supplied dataDir). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /** SIGKILL and wait for exit (data kept). */
  kill9(): Promise<void>;
  process: ChildProcess;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

export async function waitFor<T>(fn: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number; message?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30000);
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) { lastErr = e; }
    if (Date.now() > deadline) {
      throw new Error(`waitFor timed out${opts.message ? ': ' + opts.message : ''}${lastErr ? ` (last error: ${(lastErr as Error).message ?? lastErr})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}

/** Run a command, collecting output. */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<KubectlResult> {
  return new Promise((res) => {
    const p = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd ?? repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => { stderr += '\n[harness: timeout, killed]'; p.kill('SIGKILL'); }, opts.timeoutMs ?? 60000);
    p.on('close', (code) => { clearTimeout(t); res({ code: code ?? -1, stdout, stderr }); });
    p.on('error', (e) => { clearTimeout(t); res({ code: -1, stdout, stderr: stderr + String(e) }); });
    if (opts.input !== undefined) p.stdin.end(opts.input);
    else p.stdin.end();
  });
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kubelite-e2e-'));
  const port = opts.port ?? await freePort();
  const args = [kubeliteBin, 'up', '--data-dir', dataDir, '--api-port', String(port), '--no-merge-kubeconfig'];
  if (!opts.node) args.push('--no-node');
  if (opts.store) args.push('--store', opts.store);
  if (opts.args) args.push(...opts.args);
  const cacheDir = mkdtempSync(join(tmpdir(), 'kubelite-kubectl-cache-'));
  const proc = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(opts.env ?? {}) } });
  let out = '';
  let exited = false;
  const exitP = new Promise<void>((r) => proc.on('exit', () => { exited = true; r(); }));
  proc.stdout!.on('data', (d) => { out += d; if (process.env.KUBELITE_E2E_VERBOSE) process.stderr.write(d); });
  proc.stderr!.on('data', (d) => { out += d; if (process.env.KUBELITE_E2E_VERBOSE) process.stderr.write(d); });
  const timeoutMs = opts.readyTimeoutMs ?? (opts.node ? 180000 : 60000);
  try {
    await waitFor(() => {
      if (exited) throw new Error(`kubelite up exited early:\n${out}`);
      return /\bready\b.*kubeconfig/i.test(out);
    }, { timeoutMs, intervalMs: 100, message: `kubelite up ready line; output so far:\n${out}` });
  } catch (e) {
    if (!exited) { proc.kill('SIGKILL'); await exitP; }
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
    throw e;
  }
  const kubeconfig = join(dataDir, 'kubeconfig');
  const client = KubeClient.fromKubeconfig(kubeconfig);
  const stopProc = async (sig: NodeJS.Signals) => {
    client.close();
    if (!exited) {
      proc.kill(sig);
      const t = setTimeout(() => { if (!exited) proc.kill('SIGKILL'); }, 20000);
      await exitP;
      clearTimeout(t);
    }
  };
  return {
    dataDir, port, kubeconfig, client, process: proc,
    server: `https://127.0.0.1:${port}`,
    output: () => out,
    kubectl: (kargs, kopts = {}) => run('kubectl', ['--cache-dir', cacheDir, ...kargs], {
      input: kopts.input, timeoutMs: kopts.timeoutMs,
      env: { ...process.env, KUBECONFIG: kubeconfig, ...(kopts.env ?? {}) },
    }),
    stop: async (s = {}) => {
      await stopProc('SIGTERM');
      rmSync(cacheDir, { recursive: true, force: true });
      if (ownDir && !s.keepData) {
        // Pods a test left running keep their volumes mounted (as a node agent restart does); the data dir goes,
        // so its tmpfs volumes are unmounted first (reapLeftovers then removes the pods).
        await unmountAll(dataDir);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    kill9: async () => { await stopProc('SIGKILL'); rmSync(cacheDir, { recursive: true, force: true }); }, // the data stays, for a restart
  };
}

/** Start a private etcd on free loopback ports (for `--store etcd` runs). Returns its client URL and a stop(). */
export async function startEtcd(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const bin = ['/usr/bin/etcd', '/usr/local/bin/etcd'].find((p) => existsSync(p)) ?? 'etcd';
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-etcd-'));
  const cport = await freePort();
  const pport = await freePort();
  const endpoint = `http://127.0.0.1:${cport}`;
  const p = spawn(bin, [
    '--data-dir', join(dir, 'data'), '--name', 'e2e',
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', `http://127.0.0.1:${pport}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${pport}`,
    '--initial-cluster', `e2e=http://127.0.0.1:${pport}`, '--log-level', 'error',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  const exitP = new Promise<void>((r) => p.on('exit', () => { exited = true; r(); }));
  p.stdout!.on('data', (d) => { out += d; });
  p.stderr!.on('data', (d) => { out += d; });
  await waitFor(async () => {
    if (exited) throw new Error(`etcd exited: ${out}`);
    try {
      const r = await fetch(`${endpoint}/health`);
      return r.ok;
    } catch { return false; }
  }, { timeoutMs: 30000, message: 'etcd health' });
  return {
    endpoint,
    stop: async () => {
      if (!exited) { p.kill('SIGTERM'); await exitP; }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Read a file from the cluster's data dir (e.g. the kubeconfig). */
export function readDataFile(c: Cluster, name: string): string {
  return readFileSync(join(c.dataDir, name), 'utf8');
}
