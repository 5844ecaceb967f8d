/**
 * `kubelite down --purge`: remove every service-proxy chain of every kubelite cluster on this host (the plain
 * KUBELITE-* chains and the per-instance KL<id>-SVC-/KL<id>-SEP- ones, see rules.ts chainNames) and the rules
 * of other chains that jump to them, from the nat, filter and mangle tables. A running proxy removes only its
 * own instance's chains when it stops (proxy.ts cleanupRules).
 */
import { Iptables } from './iptables.ts';

const OURS = /^(KUBELITE-|KL[A-Za-z0-9]{1,6}-(SVC|SEP)-)/;

/** The iptables-restore text that removes our chains from one table's iptables-save output ('' if none). */
export function purgeRestoreText(table: string, save: string): string {
  const chains = [...save.matchAll(/^:(\S+)/gm)].map((m) => m[1]).filter((c) => OURS.test(c));
  if (!chains.length) return '';
  const jumps = save.split('\n').filter((l) => {
    const m = /^-A (\S+) .*-j (\S+)/.exec(l);
    return !!m && !OURS.test(m[1]) && OURS.test(m[2]);
  }).map((l) => l.replace(/^-A /, '-D '));
  return [`*${table}`, ...jumps, ...chains.map((c) => `:${c} - [0:0]`), ...chains.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n');
}

/** Remove them all; returns how many chains were removed. */
export async function purgeProxyRules(log: (s: string) => void, ipt = new Iptables()): Promise<number> {
  let removed = 0;
  for (const table of ['nat', 'filter', 'mangle']) {
    let save: string;
    try { save = await ipt.save(table); } catch { continue; }
    const text = purgeRestoreText(table, save);
    if (!text) continue;
    try {
      await ipt.restore(text);
      removed += (text.match(/^-X /gm) ?? []).length;
    } catch (e) { log(`removing the service proxy chains of table ${table}: ${(e as Error).message.split('\n')[0]}`); }
  }
  if (removed) log(`removed ${removed} iptables chains`);
  return removed;
}
