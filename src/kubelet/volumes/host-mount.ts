/**
 * The node agent's own host mounts: tmpfs for emptyDir medium Memory, secret and projected volumes (upstream keeps
 * secrets off disk the same way). Everything else reaches a container as a CRI bind mount of a host path, which
 * the runtime makes and removes with the container. Mount points are read from /proc/self/mountinfo.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));

/** Mount points (with their fs type) at or below `root`, deepest first. */
export function mountsUnder(root: string): { path: string; fstype: string }[] {
  let text = '';
  try { text = readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return []; }
  const prefix = root.endsWith('/') ? root : root + '/';
  const out: { path: string; fstype: string }[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split(' ');
    const mp = unescape(f[4] ?? '');
    const sep = f.indexOf('-');
    if (mp === root || mp.startsWith(prefix)) out.push({ path: mp, fstype: sep > 0 ? f[sep + 1] : '' });
  }
  return out.sort((a, b) => b.path.length - a.path.length);
}

export function isMountPoint(path: string): boolean {
  return mountsUnder(path).some((m) => m.path === path);
}

/** Mount a tmpfs at `dir` (which exists) unless one is there; `sizeBytes` bounds it (upstream sizeLimit). */
export async function mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
  if (isMountPoint(dir)) return;
  const opts = ['mode=0777', ...(sizeBytes ? [`size=${Math.max(4096, Math.floor(sizeBytes))}`] : [])];
  await run('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', dir]);
}

/** Unmount everything at or below `root` (deepest first); lazily if busy. Returns what stayed mounted. */
export async function unmountAll(root: string): Promise<string[]> {
  for (const m of mountsUnder(root)) {
    try { await run('umount', [m.path]); } catch {
      await run('umount', ['-l', m.path]).catch(() => {});
    }
  }
  return mountsUnder(root).map((m) => m.path);
}
