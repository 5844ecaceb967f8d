/** Helpers of the node e2e tests (real kubectl, real containers). */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, waitFor, type Cluster } from './harness.ts';
import { reapStaleAgents } from '../../src/kubelet/agents.ts';

export async function kjson<T = any>(c: Cluster, args: string[]): Promise<T> {
  const r = await c.kubectl([...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export async function kubectlOk(c: Cluster, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await c.kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export async function pods(c: Cluster, selector: string): Promise<Pod[]> {
  return (await kjson<{ items: Pod[] }>(c, ['get', 'pods', '-l', selector])).items;
}

export const isReady = (p: Pod) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp &&
  !!p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');

/** GET http://ip:port/path with a bounded timeout; '' on failure. */
export async function httpText(ip: string, port = 80, path = '/'): Promise<string> {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), 3000);
  try {
    const r = await fetch(`http://${ip}:${port}${path}`, { signal: ctl.signal });
    return await r.text();
  } catch { return ''; } finally { clearTimeout(t); }
}

/** Delete what a test made and wait until its pods are gone (the node agent stops their containers). */
export async function cleanup(c: Cluster, kinds: string[], selector?: string): Promise<void> {
  for (const k of kinds) await c.kubectl(['delete', ...k.split(' '), '--wait=false', '--ignore-not-found']);
  await waitFor(async () => (await c.kubectl(['get', 'pods', ...(selector ? ['-l', selector] : []), '-o', 'name'])).stdout.trim() === '',
    { timeoutMs: 90_000, intervalMs: 500, message: 'pods deleted' });
}

/** After a cluster stopped and its data dir is gone: remove any pod its node agent left behind. */
export async function reapLeftovers(): Promise<void> {
  await reapStaleAgents();
}

/**
 * A joining node's own credentials, issued by the real CLI on the cluster's data dir
 * (`kubelite node credentials NAME --out DIR`); returns the `kubelite node` arguments that join with them.
 */
export function nodeJoinArgs(c: Pick<Cluster, 'dataDir' | 'server'>, name: string, dir: string): string[] {
  const creds = join(dir, 'credentials');
  execFileSync(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'node', 'credentials', name, '--data-dir', c.dataDir, '--out', creds, '--server', c.server], { stdio: 'pipe' });
  return [join(repoRoot, 'bin/kubelite.js'), 'node', '--credentials', creds, '--name', name];
}
