/**
 * `kubelite node --credentials DIR [--name N] [--server URL] [--pod-cidr CIDR] [--data-dir DIR]`:
 * a node agent alone (kubelet + service proxy) joining an existing cluster — also on the same machine as
 * `kubelite up` for tests. DIR holds the node's own credentials (`kubelite node credentials NAME`,
 * src/cli/node-credentials.ts): the agent acts as system:node:<name>, the service proxy as system:kube-proxy, and
 * the agent's server listens on the node's IP only, with its CA-signed serving certificate (which must name that
 * IP: the API server dials it there and checks). Each such node gets its own containerd instance (socket, root, CNI bridge and pod
 * subnet), so its pods, IPs and bridge are its own. Without --pod-cidr a /16 is derived from the node name.
 * Stops on SIGTERM/SIGINT, leaving its containers running (a restarted agent re-adopts them).
 * KUBELITE_NODE_NO_PROXY=1 skips the service proxy (config.noProxy, src/cli/config.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient } from '../client/client.ts';
import { setupHost, SetupError, containerdInstance, ensureContainerd, STATE_DIR } from '../node-setup/setup.ts';
import { startKubelet } from '../kubelet/kubelet.ts';
import { primaryHostIP } from '../kubelet/node-status.ts';
import { readNodeCredentials, servingCertCovers, type LoadedNodeCredentials } from './node-credentials.ts';
import { endpointDrain } from '../proxy/drain.ts';
import { podResolvConf } from '../dns/config.ts';
import type { NodeConfig } from './config.ts';

export interface NodeOptions {
  /** Directory with the node's credentials (kubelet.kubeconfig, kubelet.crt/.key, proxy.kubeconfig). */
  credentials: string;
  /** API server URL (default: the one in the credentials). */
  server?: string;
  /** Node name (default: the one the credentials name; must match it). */
  name?: string;
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
    let creds: LoadedNodeCredentials;
    try { creds = readNodeCredentials(opts.credentials); } catch (e) { throw new SetupError((e as Error).message); }
    const name = opts.name ?? creds.nodeName;
    if (name !== creds.nodeName) throw new SetupError(`the credentials in ${opts.credentials} are node "${creds.nodeName}"'s, not "${name}"'s: issue this node's with \`kubelite node credentials ${name}\``);
    const hostIP = primaryHostIP();
    if (!servingCertCovers(creds.serving.cert, hostIP)) {
      throw new SetupError(`the serving certificate in ${opts.credentials} does not name this machine's IP ${hostIP}, where the API server will reach the node agent: issue it with \`kubelite node credentials ${name} --address ${hostIP}\``);
    }
    const server = opts.server ?? creds.server;
    await setupHost({ log: () => {} });
    const podCIDR = opts.podCidr ?? podCIDRFor(name);
    const inst = containerdInstance(name, podCIDR);
    const socket = await ensureContainerd(inst, log);
    const dataDir = opts.dataDir ?? join(STATE_DIR, 'nodes', name);
    mkdirSync(dataDir, { recursive: true });
    const client = new KubeClient({ server, ...creds.kubelet, userAgent: `kubelite-node/${name}` });
    const proxyClient = new KubeClient({ server, ...creds.proxy, userAgent: `kubelite-proxy/${name}` });
    const drain = opts.config.endpointDrain ? endpointDrain(proxyClient) : undefined;
    const kubelet = await startKubelet({
      client, nodeName: name, containerdSocket: socket, podCIDR, dataDir, kubeletPort: 0, hostIP,
      tls: { ...creds.serving, ca: creds.kubelet.ca }, serverAddress: hostIP,
      stateDir: STATE_DIR, podLogRoot: opts.config.podLogRoot, dns: (pod) => podResolvConf(pod), drain,
    });
    let proxy: { stop(): Promise<void> } | undefined;
    if (!opts.config.noProxy) {
      try {
        const { startProxy } = await import('../proxy/proxy.ts');
        const p = await startProxy({ client: proxyClient, nodeName: name, instance: `n${createHash('sha256').update(name).digest('hex').slice(0, 6)}`, metricsPort: 0 });
        drain?.addLocalProxy(p);
        proxy = p;
      } catch (e) {
        log(`service proxy not started: ${(e as Error).message}`);
      }
    }
    log(`node ${name} ready: pods on ${podCIDR} (containerd ${socket}), kubelet port ${kubelet.kubeletPort}`);
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await proxy?.stop().catch(() => {});
      await kubelet.stop();
      client.close();
      proxyClient.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop());
    process.on('SIGINT', () => void stop());
  } catch (e) {
    console.error(e instanceof SetupError ? e.message : `kubelite node: ${(e as Error).stack ?? e}`);
    process.exit(1);
  }
}

export interface NodeCredentialsOptions {
  /** The cluster's data dir (its CA signs the credentials). */
  dataDir: string;
  /** Output directory (default ./kubelite-node-<name>). */
  out?: string;
  /** The node's IPs, named by its serving certificate (default: this machine's). */
  address?: string[];
  /** API server URL written into the kubeconfigs (default: the cluster kubeconfig's). */
  server?: string;
}

/** `kubelite node credentials NAME`: issue a node's own credentials from the cluster CA. */
export async function nodeCredentials(name: string, opts: NodeCredentialsOptions): Promise<void> {
  const { existsSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const { issueNodeCredentials, writeNodeCredentials, invalidNodeName } = await import('./node-credentials.ts');
  const { readCertKubeconfig } = await import('./kubeconfig.ts');
  const { readFileSync } = await import('node:fs');
  const fail = (m: string): never => { console.error(`kubelite node credentials: ${m}`); process.exit(1); };
  const bad = invalidNodeName(name);
  if (bad) fail(bad);
  const dataDir = resolve(opts.dataDir);
  if (!existsSync(join(dataDir, 'pki', 'ca.key'))) fail(`no cluster CA in ${dataDir}/pki: run this on the control-plane machine, with its --data-dir`);
  let server = opts.server;
  if (!server) {
    try { server = readCertKubeconfig(join(dataDir, 'kubeconfig')).server; } catch { fail(`cannot read the API server URL from ${dataDir}/kubeconfig: give it with --server`); }
  }
  const pki = { caCert: readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'), caKey: readFileSync(join(dataDir, 'pki', 'ca.key'), 'utf8') };
  const addresses = opts.address?.length ? opts.address : [primaryHostIP()];
  const out = resolve(opts.out ?? `kubelite-node-${name}`);
  writeNodeCredentials(out, server!, issueNodeCredentials(pki, name, addresses), name);
  console.log(`wrote the credentials of node ${name} (system:node:${name}; serving certificate for ${[name, '127.0.0.1', ...addresses].join(', ')}) to ${out}`);
  console.log(`on the node: kubelite node --credentials ${out}`);
}
