/**
 * Debian's `prometheus` package on a kubelite host. kubelite only uses its binary: `kubelite up` starts its own
 * Prometheus on demand, on 127.0.0.1 (src/analysis/prometheus-server.ts). The package's postinst, though, enables
 * and starts Debian's service (systemd, or the init.d script where policy-rc.d allows it), which listens on
 * 0.0.0.0:9090 with no authentication. Right after kubelite installed the package, setup stops and disables that
 * service. A Debian Prometheus that was there before is the user's: it is left alone, and named in the log.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { PAGE_TITLE } from '../analysis/prometheus-config.ts';
import { run, stopPid } from './host.ts';

const BINARY = '/usr/bin/prometheus';

/** Pids of running Prometheus processes from Debian's binary that kubelite did not start. */
export function debianPrometheusPids(): number[] {
  const out: number[] = [];
  let entries: string[] = [];
  try { entries = readdirSync('/proc').filter((n) => /^\d+$/.test(n)); } catch { return out; }
  for (const pid of entries) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`) !== BINARY) continue;
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.includes(`--web.page-title=${PAGE_TITLE}`)) out.push(Number(pid));
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

export async function quietDebianPrometheus(justInstalled: boolean, log: (s: string) => void): Promise<void> {
  if (!justInstalled) {
    const pids = debianPrometheusPids();
    if (pids.length) log(`prometheus: Debian's prometheus service runs (pid ${pids.join(', ')}); kubelite leaves it alone (use it with \`kubelite up --prometheus-address http://127.0.0.1:9090\`)`);
    return;
  }
  const running = debianPrometheusPids();
  if (existsSync('/run/systemd/system')) {
    await run('systemctl', ['disable', '--now', 'prometheus.service']);
  } else if (existsSync('/etc/init.d/prometheus')) {
    await run('/etc/init.d/prometheus', ['stop']);
    await run('update-rc.d', ['prometheus', 'disable']);
  }
  for (const pid of debianPrometheusPids()) await stopPid(pid, 10_000);
  log(`prometheus: installed; Debian's service ${running.length ? `was running (pid ${running.join(', ')}): stopped and` : 'is'} disabled (kubelite starts its own on demand)`);
}
