/**
 * `kubelite down --purge`: after the cluster stopped, remove what kubelite created on the host:
 * pods, containerd instances and the registry (src/node-setup teardown), the CNI bridges, every iptables chain
 * whose name starts with KUBELITE (service proxy) and the jumps to them, and the data dir.
 */
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

function sh(cmd: string, args: string[], input?: string): { code: number; stdout: string } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout ?? '' };
}

/** Remove every KUBELITE* chain (and the rules jumping to them) from the nat and filter tables. */
export function removeKubeliteChains(log: (s: string) => void): number {
  let removed = 0;
  for (const table of ['nat', 'filter', 'mangle']) {
    const dump = sh('iptables-save', ['-t', table]);
    if (dump.code !== 0) continue;
    const chains = [...dump.stdout.matchAll(/^:(KUBELITE[^\s]*)/gm)].map((m) => m[1]);
    if (!chains.length) continue;
    // Delete every rule that jumps to one of our chains from a chain that is not ours.
    for (const line of dump.stdout.split('\n')) {
      const m = /^-A (\S+) (.*-j (KUBELITE\S*).*)$/.exec(line);
      if (!m || m[1].startsWith('KUBELITE')) continue;
      const args = ['-w', '-t', table, '-D', m[1], ...splitRule(m[2])];
      sh('iptables', args);
    }
    for (const c of chains) sh('iptables', ['-w', '-t', table, '-F', c]);
    for (const c of chains) if (sh('iptables', ['-w', '-t', table, '-X', c]).code === 0) removed++;
  }
  if (removed) log(`removed ${removed} iptables chains`);
  return removed;
}

/** Split an iptables-save rule body into arguments (quoted comments kept whole). */
function splitRule(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m; (m = re.exec(s));) out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]);
  return out;
}

export async function purge(dataDir: string, log: (s: string) => void = console.log): Promise<void> {
  const setup = await import('../node-setup/setup.ts');
  await setup.teardown({ log, purge: true });
  removeKubeliteChains(log);
  for (const link of sh('ip', ['-o', 'link', 'show', 'type', 'bridge']).stdout.matchAll(/^\d+: (kl[^:@\s]*|cni0)[:@]/gm)) {
    if (sh('ip', ['link', 'del', link[1]]).code === 0) log(`removed bridge ${link[1]}`);
  }
  rmSync(dataDir, { recursive: true, force: true });
  log(`removed ${dataDir}`);
}
