/**
 * `kubelite down`: stop the `kubelite up` of a data dir (its pid file), waiting for a clean exit, and the on-demand
 * Prometheus it started if it outlived it.
 * `--purge` then removes data, images, devices and rules (purge.ts).
 */
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DownOptions { dataDir: string; purge?: boolean }

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export async function down(opts: DownOptions): Promise<void> {
  const dataDir = resolve(opts.dataDir);
  const pidFile = join(dataDir, 'kubelite.pid');
  if (!existsSync(pidFile)) {
    console.log(`kubelite: nothing running on ${dataDir}`);
  } else {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!pid || !alive(pid)) {
      console.log(`kubelite: nothing running on ${dataDir} (stale pid file removed)`);
      try { unlinkSync(pidFile); } catch { /* gone */ }
    } else {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 40_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (alive(pid)) {
        console.error(`kubelite: pid ${pid} did not stop in 40 s; killing it`);
        process.kill(pid, 'SIGKILL');
      }
      console.log(`kubelite: stopped (pid ${pid})`);
    }
  }
  // A killed kubelite cannot stop the Prometheus it started on demand.
  const { stopLeftoverPrometheus } = await import('../analysis/prometheus-server.ts');
  const prom = await stopLeftoverPrometheus(join(dataDir, 'prometheus'));
  if (prom) console.log(`kubelite: stopped the on-demand Prometheus left running (pid ${prom})`);
  if (opts.purge) {
    const { purge } = await import('./purge.ts');
    await purge(dataDir);
  }
}
