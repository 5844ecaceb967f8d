/**
 * Node agents that share a containerd (several clusters on one machine: tests, the lead's cluster) each own
 * their sandboxes through an agent id label (cri-config L.agent). Each agent records its id and data dir in
 * <STATE_DIR>/agents/<id>.json. An agent whose data dir is gone (a test cluster whose temp dir was removed)
 * can never come back to adopt its pods, so `reapStaleAgents` stops and removes them: every node agent does
 * this when it starts, and tests can call it after stopping a cluster.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from './cri/client.ts';
import { L } from './cri-config.ts';

const STATE_DIR = process.env.KUBELITE_STATE_DIR ?? '/var/lib/kubelite';
const agentsDir = () => join(STATE_DIR, 'agents');

export function recordAgent(agent: string, info: { nodeName: string; dataDir: string; socket: string }): void {
  mkdirSync(agentsDir(), { recursive: true });
  writeFileSync(join(agentsDir(), `${agent}.json`), JSON.stringify(info));
}

/** Remove the pods of agents whose data dir no longer exists. Returns how many sandboxes were removed. */
export async function reapStaleAgents(log: (s: string) => void = () => {}): Promise<number> {
  let files: string[] = [];
  try { files = readdirSync(agentsDir()).filter((f) => f.endsWith('.json')); } catch { return 0; }
  let removed = 0;
  for (const f of files) {
    let info: { nodeName: string; dataDir: string; socket: string };
    try { info = JSON.parse(readFileSync(join(agentsDir(), f), 'utf8')); } catch { continue; }
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
    rmSync(join(agentsDir(), f), { force: true });
  }
  if (removed) log(`removed ${removed} pod sandboxes left by node agents whose data dir is gone`);
  return removed;
}
