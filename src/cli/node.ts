/**
 * `kubelite node --server URL --token T --name N [--ca-file F] [--pod-cidr CIDR] [--data-dir DIR]`:
 * a node agent alone (kubelet + service proxy) joining an existing cluster — also on the same machine as
 * `kubelite up` for tests. Each such node gets its own containerd instance (socket, root, CNI bridge and pod
 * subnet), so its pods, IPs and bridge are its own. Without --pod-cidr a /16 is derived from the node name.
 * Stops on SIGTERM/SIGINT, leaving its containers running (a restarted agent re-adopts them).
 * KUBELITE_NODE_NO_PROXY=1 skips the service proxy (config.noProxy, src/cli/config.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient } from '../client/client.ts';
import { setupHost, SetupError, containerdInstance, ensureContainerd, STATE_DIR } from '../node-setup/setup.ts';
import { startKubelet } from '../kubelet/kubelet.ts';
import { endpointDrain } from '../proxy/drain.ts';
import { podResolvConf } from '../dns/config.ts';
import type { NodeConfig } from './config.ts';

export interface NodeOptions {
  server: string;
  token: string;
  name: string;
  caFile?: string;
  podCidr?: string;
  dataDir?: string;
  config: NodeConfig;
}

/** A /16 pod subnet for a node name, inside 10.120.0.0–10.219.0.0: away from the default 10.88.0.0/16 and from the service CIDR 10.96.0.0/12. */
export function podCIDRFor(name: string): string {
  const h = createHash('sha256').update(name).digest();
  return `10.${120 + (h[0] % 100)}.0.0/16`;
}

export async function node(opts: NodeOptions): Promise<void> {
  const log = (s: string) => console.log(s);
  try {
    await setupHost({ log: () => {} });
    const podCIDR = opts.podCidr ?? podCIDRFor(opts.name);
    const inst = containerdInstance(opts.name, podCIDR);
    const socket = await ensureContainerd(inst, log);
    const dataDir = opts.dataDir ?? join(STATE_DIR, 'nodes', opts.name);
    mkdirSync(dataDir, { recursive: true });
    const client = new KubeClient({
      server: opts.server, token: opts.token, userAgent: `kubelite-node/${opts.name}`,
      ca: opts.caFile ? readFileSync(opts.caFile, 'utf8') : undefined,
      insecureSkipTLSVerify: !opts.caFile,
    });
    const drain = opts.config.endpointDrain ? endpointDrain(client) : undefined;
    const kubelet = await startKubelet({
      client, nodeName: opts.name, containerdSocket: socket, podCIDR, dataDir, kubeletPort: 0,
      stateDir: STATE_DIR, podLogRoot: opts.config.podLogRoot, dns: (pod) => podResolvConf(pod), drain,
    });
    let proxy: { stop(): Promise<void> } | undefined;
    if (!opts.config.noProxy) {
      try {
        const { startProxy } = await import('../proxy/proxy.ts');
        const p = await startProxy({ client, nodeName: opts.name, instance: `n${createHash('sha256').update(opts.name).digest('hex').slice(0, 6)}`, metricsPort: 0 });
        drain?.addLocalProxy(p);
        proxy = p;
      } catch (e) {
        log(`service proxy not started: ${(e as Error).message}`);
      }
    }
    log(`node ${opts.name} ready: pods on ${podCIDR} (containerd ${socket}), kubelet port ${kubelet.kubeletPort}`);
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await proxy?.stop().catch(() => {});
      await kubelet.stop();
      client.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop());
    process.on('SIGINT', () => void stop());
  } catch (e) {
    console.error(e instanceof SetupError ? e.message : `kubelite node: ${(e as Error).stack ?? e}`);
    process.exit(1);
  }
}
