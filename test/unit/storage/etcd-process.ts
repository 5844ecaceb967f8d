/** Test helper: a throw-away etcd server on loopback with free ports and its own data dir. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class EtcdProcess {
  proc: ChildProcess | null = null;
  clientPort = 0;
  private peerPort = 0;
  private log = '';
  constructor(readonly dataDir = mkdtempSync(join(tmpdir(), 'kubelite-etcd-'))) {}

  get endpoint(): string { return `http://127.0.0.1:${this.clientPort}`; }

  /** Start (or restart on the same data dir and ports) and wait until it answers /health. */
  async start(): Promise<void> {
    if (!this.clientPort) { this.clientPort = await freePort(); this.peerPort = await freePort(); }
    const client = `http://127.0.0.1:${this.clientPort}`;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    this.log = '';
    const p = spawn('etcd', [
      '--name', 'test', '--data-dir', this.dataDir,
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `test=${peer}`, '--log-level', 'error',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.on('data', (d) => { this.log += d; });
    p.stderr!.on('data', (d) => { this.log += d; });
    this.proc = p;
    // Never leave an etcd behind if the test process dies without running its teardown.
    const reap = (): void => { if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL'); };
    process.once('exit', reap);
    p.once('exit', () => process.removeListener('exit', reap));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (p.exitCode !== null) throw new Error(`etcd exited (${p.exitCode}): ${this.log.slice(-2000)}`);
      try {
        const r = await fetch(`${client}/health`);
        const body = (await r.json()) as { health?: string };
        if (body.health === 'true') return;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`etcd did not become healthy: ${this.log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stop: SIGTERM (or SIGKILL with hard=true) and wait for exit. */
  async stop(hard = false): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) { this.proc = null; return; }
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(hard ? 'SIGKILL' : 'SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
    this.proc = null;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
