/**
 * `kubelite down --purge`: after the cluster stopped, remove what kubelite created on the host:
 * pods, containerd instances and the registry (src/node-setup teardown), the CNI bridges, the service proxy's
 * iptables chains (src/proxy/purge.ts), the traffic routers' HAProxy processes (src/proxy/router), the node agent's
 * volume mounts and the data dir.
 */
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { purgeProxyRules } from '../proxy/purge.ts';
import { purgeTrafficRouters } from '../proxy/router/haproxy.ts';

function sh(cmd: string, args: string[]): { code: number; stdout: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout ?? '' };
}

export async function purge(dataDir: string, log: (s: string) => void = console.log): Promise<void> {
  const setup = await import('../node-setup/setup.ts');
  await setup.teardown({ log, purge: true });
  await purgeProxyRules(log);
  await purgeTrafficRouters(log);
  for (const link of sh('ip', ['-o', 'link', 'show', 'type', 'bridge']).stdout.matchAll(/^\d+: (kl[^:@\s]*|cni0)[:@]/gm)) {
    if (sh('ip', ['link', 'del', link[1]]).code === 0) log(`removed bridge ${link[1]}`);
  }
  // The node agent's tmpfs volumes (secret, projected, emptyDir Memory) of the pods just removed.
  const { unmountAll } = await import('../kubelet/volumes/host-mount.ts');
  const left = await unmountAll(dataDir);
  if (left.length) log(`still mounted (not removed): ${left.join(', ')}`);
  rmSync(dataDir, { recursive: true, force: true });
  log(`removed ${dataDir}`);
}
