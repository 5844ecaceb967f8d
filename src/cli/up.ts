/**
 * `kubelite up`: the one-node cluster in the foreground. Starts, in this process and in order:
 *   1. the API server (PKI, store, bootstrap) — src/apiserver
 *   2. the controller manager — src/controllers/manager.ts startControllerManager
 *   3. the scheduler — src/scheduler startScheduler
 *   4. unless --no-node: host set-up (src/node-setup setupHost), the node agent (src/kubelet startKubelet)
 *      and the service proxy (src/proxy startProxy)
 * Without --prometheus-address, the analysis controller gets a Prometheus that starts on demand
 * (src/analysis/prometheus-server.ts: the first prometheus metric without an address starts it; it scrapes the
 * service proxy and annotated pods) and stops with the cluster.
 * Components talk to the API server only through KubeClient over loopback, each with its own identity: a client
 * certificate from the cluster CA (<data-dir>/pki/<component>.crt) whose user the default RBAC bindings grant what
 * that component needs (system:kube-controller-manager, system:kube-scheduler, system:kube-proxy, kubelite:cluster-dns,
 * kubelite:prometheus); the node agent with its own node credential (system:node:<name>, src/cli/node-credentials.ts; its server
 * listens on 127.0.0.1 only, where the API server — told the local node's name — reaches it). Each gets
 * its configuration as options (src/cli/config.ts builds them from the flags); where two meet in this process
 * (the node agent waiting for the local service proxy to drain a pod, pods' resolv.conf from the cluster DNS
 * settings) they are joined here through the node agent's small interfaces (EndpointDrain, PodDNSConfigurer).
 * Prints progress lines and one "ready" line with the kubeconfig path. SIGINT/SIGTERM stop everything in
 * reverse order. A pid file in the data dir lets `kubelite down` stop it.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeClient } from '../client/client.ts';
import { startApiServer, StartupError, type RunningApiServer } from '../apiserver/index.ts';
import { buildKubeconfig, mergeKubeconfig, writeKubeconfig } from './kubeconfig.ts';
import { startControllerManager } from '../controllers/manager.ts';
import { SetupError } from '../node-setup/setup.ts';
import type { ClusterConfig } from './config.ts';
import { deferredTrafficSource } from '../proxy/router/source.ts';
import { ensureClientCert } from '../apiserver/tls.ts';
import { CONTROLLER_MANAGER_USER, DNS_USER, PROMETHEUS_USER, PROXY_USER, SCHEDULER_USER } from '../apiserver/authz/bootstrap-policy.ts';

export interface UpOptions {
  dataDir: string;
  apiPort: string;
  bindAddress: string;
  store: string;
  etcdEndpoints: string;
  mergeKubeconfig: boolean;
  node: boolean;
  nodeName: string;
  /** Component options from the flags and environment (src/cli/config.ts). */
  config: ClusterConfig;
}

interface Component { name: string; stop(): Promise<void> }

const log = (m: string) => console.log(m);

function die(msg: string): never {
  console.error(`kubelite: ${msg}`);
  process.exit(1);
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export async function up(opts: UpOptions): Promise<void> {
  const dataDir = resolve(opts.dataDir);
  const port = Number(opts.apiPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) die(`invalid --api-port ${opts.apiPort}: give a port number such as 6443`);
  if (opts.store !== 'sqlite' && opts.store !== 'etcd') die(`unknown --store ${opts.store}: use sqlite or etcd`);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (e) {
    die(`cannot use data dir ${dataDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): fix its permissions or choose another with --data-dir`);
  }
  const pidFile = join(dataDir, 'kubelite.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid && pid !== process.pid && pidAlive(pid)) die(`another kubelite (pid ${pid}) is running on ${dataDir}: stop it with \`kubelite down --data-dir ${dataDir}\``);
  }

  log(`kubelite: data dir ${dataDir}, store ${opts.store}`);
  // Pods reach the API server on their bridge's gateway (through the `kubernetes` Service): create the bridge now.
  let podNetworkAddress: string | undefined;
  if (opts.node) {
    const { ensurePodBridge, containerdInstance } = await import('../node-setup/containerd.ts');
    try {
      podNetworkAddress = await ensurePodBridge(containerdInstance());
    } catch (e) {
      log(`kubelite: pods will not reach the API server through the kubernetes Service: ${(e as Error).message}`);
    }
  }
  let server: RunningApiServer;
  try {
    server = await startApiServer({
      podNetworkAddress,
      dataDir, port, bindAddress: opts.bindAddress, log, localNode: opts.node ? opts.nodeName : undefined,
      compactIntervalMs: opts.config.compactIntervalMs,
      metricResolutionMs: opts.config.metricResolutionMs,
      podDefaults: { defaultTolerationSeconds: opts.config.defaultTolerationSeconds },
      store: opts.store === 'etcd'
        ? { kind: 'etcd', etcdEndpoints: opts.etcdEndpoints.split(',').map((s) => s.trim()).filter(Boolean) }
        : { kind: 'sqlite', dataDir },
    });
  } catch (e) {
    if (e instanceof StartupError) die(e.message);
    throw e;
  }
  writeFileSync(pidFile, String(process.pid));

  const kcPath = join(dataDir, 'kubeconfig');
  const kc = buildKubeconfig({ server: server.url, pki: server.pki });
  writeKubeconfig(kcPath, kc);
  if (opts.mergeKubeconfig) {
    const target = process.env.KUBECONFIG?.split(':')[0] || join(homedir(), '.kube', 'config');
    try {
      mergeKubeconfig(target, kc);
      log(`kubelite: merged context "kubelite" into ${target}`);
    } catch (e) {
      log(`kubelite: could not merge the kubeconfig into ${target} (${(e as Error).message}); use --kubeconfig ${kcPath}`);
    }
  }

  const components: Component[] = [];
  /** A component's client with its own certificate (CN = its user; the default bindings authorize it). */
  const componentClient = (agent: string, file: string, user: string) => {
    const c = ensureClientCert(dataDir, server.pki, file, user);
    return new KubeClient({ server: server.url, ca: server.pki.caCert, cert: c.cert, key: c.key, userAgent: agent });
  };
  let stopping = false;
  const stopAll = async (sig: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log(`kubelite: ${sig}: stopping`);
    const hard = setTimeout(() => { console.error('kubelite: shutdown took too long, exiting'); process.exit(1); }, 30_000);
    hard.unref();
    for (const c of components.reverse()) {
      try { await c.stop(); } catch (e) { console.error(`kubelite: stopping ${c.name}: ${(e as Error).message}`); }
    }
    await server.stop().catch((e) => console.error(`kubelite: stopping the API server: ${(e as Error).message}`));
    try { if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(pidFile); } catch { /* gone */ }
    log('kubelite: stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll('SIGINT'));
  process.on('SIGTERM', () => void stopAll('SIGTERM'));

  /** Start one component; if it cannot start, say why in one line and stop everything (never claim ready). */
  const start = async (name: string, fn: () => Promise<Component>) => {
    if (stopping) return;
    try {
      components.push(await fn());
      log(`kubelite: ${name} started`);
    } catch (e) {
      const known = e instanceof SetupError || e instanceof StartupError;
      console.error(`kubelite: ${name} failed to start: ${known ? (e as Error).message : ((e as Error).stack ?? e)}`);
      await stopAll('start-up failure', 1);
    }
  };

  // The service proxy's request measurements for the analysis controller (attached once the proxy runs).
  const trafficStats = deferredTrafficSource();

  // Prometheus for prometheus metrics without an address: the user's, or one started on demand (stopped last).
  let prometheus: import('../analysis/prometheus-server.ts').OnDemandPrometheus | undefined;
  if (!opts.config.prometheusAddress) {
    const { OnDemandPrometheus, podInformerWatch } = await import('../analysis/prometheus-server.ts');
    const p = new OnDemandPrometheus({ dir: join(dataDir, 'prometheus'), watchPods: podInformerWatch(componentClient('kubelite-prometheus-sd', 'prometheus', PROMETHEUS_USER)), nodeName: opts.node ? opts.nodeName : undefined, log });
    prometheus = p;
    components.push({ name: 'prometheus', stop: () => p.stop() });
  } else log(`kubelite: prometheus metrics without an address query ${opts.config.prometheusAddress}`);

  // 2. Controller manager
  await start('controller manager', async () => {
    const h = await startControllerManager({
      client: componentClient('kubelite-controller-manager', 'controller-manager', CONTROLLER_MANAGER_USER), log, trafficStats,
      controllerOptions: {
        nodeLifecycle: opts.config.nodeLifecycle, analysis: { prometheusAddress: opts.config.prometheusAddress, prometheus }, podAutoscaler: opts.config.podAutoscaler,
        serviceAccount: { rootCA: server.pki.caCert },
      },
    });
    return { name: 'controller manager', stop: () => h.stop() };
  });
  // 3. Scheduler
  await start('scheduler', async () => {
    const { startScheduler } = await import('../scheduler/scheduler.ts');
    const h = await startScheduler({ client: componentClient('kubelite-scheduler', 'scheduler', SCHEDULER_USER), log });
    return { name: 'scheduler', stop: () => h.stop() };
  });
  // 4. Node: host set-up, node agent, service proxy
  if (opts.node) {
    const { endpointDrain } = await import('../proxy/drain.ts');
    const { podResolvConf } = await import('../dns/config.ts');
    // The drain reads EndpointSlices: the service proxy's identity, not the node's.
    const drain = opts.config.node.endpointDrain ? endpointDrain(componentClient('kubelite-proxy', 'kube-proxy', PROXY_USER)) : undefined;
    let podGateway: string | undefined;
    await start('node agent', async () => {
      const { setupHost, STATE_DIR } = await import('../node-setup/setup.ts');
      const host = await setupHost({ log });
      const { containerdSocket } = host;
      podGateway = host.podGateway;
      const { startKubelet } = await import('../kubelet/kubelet.ts');
      const { primaryHostIP } = await import('../kubelet/node-status.ts');
      const { ensureLocalNodeCredentials } = await import('./node-credentials.ts');
      const creds = ensureLocalNodeCredentials(dataDir, server.pki, opts.nodeName, [primaryHostIP()], server.url);
      const kubeletClient = new KubeClient({ server: server.url, ...creds.kubelet, userAgent: 'kubelite-kubelet' });
      const k = await startKubelet({
        client: kubeletClient, nodeName: opts.nodeName, containerdSocket, dataDir: join(dataDir, 'kubelet'), log,
        tls: { ...creds.serving, ca: server.pki.caCert }, serverAddress: '127.0.0.1',
        stateDir: STATE_DIR, podLogRoot: opts.config.node.podLogRoot, dns: (pod) => podResolvConf(pod), drain,
      });
      return { name: 'node agent', stop: async () => { await k.stop(); kubeletClient.close(); } };
    });
    await start('service proxy', async () => {
      const { startProxy, instanceForDataDir } = await import('../proxy/proxy.ts');
      const p = await startProxy({ client: componentClient('kubelite-proxy', 'kube-proxy', PROXY_USER), nodeName: opts.nodeName, serviceCIDR: '10.96.0.0/12', instance: instanceForDataDir(dataDir), log });
      trafficStats.attach(p.traffic);
      const unregister = drain?.addLocalProxy(p);
      prometheus?.setProxyMetricsUrl(p.metricsUrl);
      return { name: 'service proxy', stop: async () => { unregister?.(); trafficStats.attach(undefined); prometheus?.setProxyMetricsUrl(undefined); await p.stop(); } };
    });
    await start('cluster DNS', async () => {
      const { startDNS } = await import('../dns/server.ts');
      // Only where pods reach it: the pod bridge's gateway (kube-dns's endpoint), never the host's external address.
      const d = await startDNS({ client: componentClient('kubelite-dns', 'cluster-dns', DNS_USER), nodeName: opts.nodeName, host: podGateway, log });
      return { name: 'cluster DNS', stop: () => d.stop() };
    });
  }
  if (stopping) return;
  log(`kubelite: ready — kubeconfig: ${kcPath}  (try: kubectl --kubeconfig ${kcPath} get all -A)`);
}
