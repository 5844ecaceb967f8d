/**
 * Node agents that share a containerd (several clusters on one machine: tests, the lead's cluster) each own
 * their sandboxes through an agent id label (cri-config L.agent). Each agent records its id and data dir in
 * <stateDir>/agents/<id>.json (stateDir: the host state dir the CLI passes, default /var/lib/kubelite). An agent whose data dir is gone (a test cluster whose temp dir was removed)
 * can never come back to adopt its pods, so `reapStaleAgents` stops and removes them: every node agent does
 * this when it starts, and tests can call it after stopping a cluster.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from './cri/client.ts';
import { L } from './cri-config.ts';

export const DEFAULT_STATE_DIR = '/var/lib/kubelite';
const agentsDir = (stateDir: string) => join(stateDir, 'agents');

export function recordAgent(stateDir: string, agent: string, info: { nodeName: string; dataDir: string; socket: string }): void {
  mkdirSync(agentsDir(stateDir), { recursive: true });
  writeFileSync(join(agentsDir(stateDir), `${agent}.json`), JSON.stringify(info));
}

/** Remove the pods of agents whose data dir no longer exists. Returns how many sandboxes were removed. */
export async function reapStaleAgents(opts: { stateDir?: string; log?: (s: string) => void } = {}): Promise<number> {
  const log = opts.log ?? (() => {});
  const dir = agentsDir(opts.stateDir ?? DEFAULT_STATE_DIR);
  let files: string[] = [];
  try { files = readdirSync(dir).filter((f) => f.endsWith('.json')); } catch { return 0; }
  let removed = 0;
  for (const f of files) {
    let info: { nodeName: string; dataDir: string; socket: string };
    try { info = JSON.parse(readFileSync(join(dir, f), 'utf8')); } catch { continue; }
    if (existsSync(info.dataDir)) continue;
    const agent = f.replace(/\.json$/, '');
    if (existsSync(info.socket)) {
      const cri = new CriClient(info.socket, 30_000);
      try {
        for (const sb of await cri.listPodSandbox({ labelSelector: { [L.agent]: agent } })) {
          await cri.stopPodSandbox(sb.id).catch(() => {});
          await cri.removePodSandbox(sb.id).catch(() => {});
          removed++;
        }
      } catch (e) {
        log(`reaping pods of the stale node agent ${info.nodeName} (${info.dataDir}): ${(e as Error).message}`);
        continue;
      } finally { cri.close(); }
    }
    rmSync(join(dir, f), { force: true });
  }
  if (removed) log(`removed ${removed} pod sandboxes left by node agents whose data dir is gone`);
  return removed;
}
