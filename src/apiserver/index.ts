/**
 * Start the whole API server on a data dir: PKI, store, HTTPS server serving every registered kind, bootstrap.
 *
 *   const api = await startApiServer({ dataDir, port: 6443, bindAddress: '127.0.0.1', store: { kind: 'sqlite', dataDir } });
 *   ... api.url, api.pki, api.stop()
 */
import type { Store } from '../storage/store.ts';
import { openStore, type OpenStoreOptions } from '../storage/index.ts';
import { ensurePki, type Pki } from './tls.ts';
import { createApiServer, type ApiServer } from './server.ts';
import { ServiceAllocators, DEFAULT_SERVICE_CIDR } from './allocators.ts';
import { bootstrapCluster, advertiseAddress } from './bootstrap.ts';
import { podAdmissionDefaults, type PodDefaultsOptions } from '../api/kinds/pod-defaults.ts';
import { resources } from '../api/registry.ts';
import { ResourceMetrics, registryReader } from './metrics/scraper.ts';
import { KubeletClient } from './kubelet-client.ts';
import { ServiceAccountTokenSigner, ensureServiceAccountKeys } from './serviceaccount/tokens.ts';

export type { ApiServer } from './server.ts';

export interface StartApiServerOptions {
  dataDir: string;
  port: number;
  bindAddress: string;
  store: OpenStoreOptions;
  serviceCIDR?: string;
  /** How often the store forgets history older than one interval (upstream --etcd-compaction-interval, 5 min). */
  compactIntervalMs?: number;
  /** Resource-metrics scrape period (metrics-server --metric-resolution, default 15 s). */
  metricResolutionMs?: number;
  /**
   * The pod bridge's gateway address on this host (it must exist). When the server is bound to loopback it also
   * listens there, and the `kubernetes` Service's endpoints point there, so pods reach it through 10.96.0.1:443
   * while it stays off every other interface.
   */
  podNetworkAddress?: string;
  /** Run the ServiceAccount admission plugin (default true; off only where no controller manager creates the
   *  `default` service accounts, as in API-only tests). */
  serviceAccountAdmission?: boolean;
  /** Server flags pod defaulting depends on (--default-toleration-seconds). */
  podDefaults?: PodDefaultsOptions;
  /** The node whose agent runs in this process (its server listens on 127.0.0.1 only). */
  localNode?: string;
  log?: (m: string) => void;
}

export interface RunningApiServer {
  api: ApiServer;
  store: Store;
  pki: Pki;
  /** https://<host>:<port> for clients on this machine */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export class StartupError extends Error {}

const isLoopback = (a: string) => a === 'localhost' || a.startsWith('127.') || a === '::1';

export async function startApiServer(o: StartApiServerOptions): Promise<RunningApiServer> {
  const log = o.log ?? ((m: string) => console.log(m));
  const adv = advertiseAddress(o.bindAddress);
  const podAddr = o.podNetworkAddress && isLoopback(o.bindAddress) ? o.podNetworkAddress : undefined;
  const pki = ensurePki(o.dataDir, [o.bindAddress, adv, podAddr ?? ''].filter((a) => a && a !== '0.0.0.0' && a !== '::'));
  let defs = resources;
  if (o.podDefaults) {
    // Pod defaulting with this server's flags (DefaultTolerationSeconds admission).
    const podOpts = o.podDefaults;
    defs = resources.map((d) => d.group === '' && d.plural === 'pods' ? { ...d, admissionDefaults: (obj) => podAdmissionDefaults(obj as Record<string, unknown>, podOpts) } : d);
  }
  let store: Store;
  try {
    // Compaction as upstream: every interval (5 min), forget history older than the revision of one interval ago.
    const compactIntervalMs = o.compactIntervalMs ?? 5 * 60_000;
    store = await openStore({ ...o.store, cache: { compactIntervalMs, ...(o.store.cache ?? {}) } });
  } catch (e) {
    const why = String((e as Error).message ?? e).split('\n')[0].replace(/\s*Resolution note:.*$/, '').replace(/\.\s*$/, '');
    if (o.store.kind === 'etcd') {
      throw new StartupError(`cannot open etcd at ${o.store.etcdEndpoints?.join(',')} (${why}): start etcd there or pass the right --etcd-endpoints`);
    }
    throw new StartupError(`cannot open the SQLite store in ${o.store.dataDir} (${why}): check the data dir or choose another with --data-dir`);
  }
  const allocators = new ServiceAllocators(store, o.serviceCIDR ?? DEFAULT_SERVICE_CIDR);
  const kubelet = new KubeletClient({ ca: pki.caCert, cert: pki.kubeletClientCert, key: pki.kubeletClientKey, localNode: o.localNode });
  const metrics = new ResourceMetrics({ kubelet, resolutionMs: o.metricResolutionMs, log: (m) => console.error(m) });
  const serviceAccountTokens = new ServiceAccountTokenSigner({ keys: ensureServiceAccountKeys(o.dataDir) });
  const api = createApiServer({
    store, pki, defs, kubelet, log: (m) => console.error(m),
    rest: { allocators, metrics, serviceAccountTokens, serviceAccountAdmission: o.serviceAccountAdmission ?? true },
  });
  try {
    await api.listen(o.port, o.bindAddress);
  } catch (e) {
    await store.close().catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`port ${o.port} on ${o.bindAddress} is already in use: stop what uses it or choose another port with --api-port`);
    if (code === 'EADDRNOTAVAIL') throw new StartupError(`address ${o.bindAddress} is not available on this machine: choose another with --bind-address`);
    if (code === 'EACCES') throw new StartupError(`not allowed to listen on port ${o.port}: choose a port above 1023 with --api-port`);
    throw e;
  }
  const port = (api.httpServer.address() as { port: number }).port;
  log(`kubelite: API server listening on https://${o.bindAddress}:${port}`);
  if (podAddr) {
    try {
      await api.listenAlso(podAddr);
      log(`kubelite: API server listening for pods on https://${podAddr}:${port}`);
    } catch (e) {
      await api.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      throw new StartupError(`cannot listen for pods on ${podAddr}:${port} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): is the pod bridge up?`);
    }
  }
  await bootstrapCluster({ registry: api.registry, defFor: api.defFor, allocators, apiPort: port, bindAddress: o.bindAddress, advertiseAddress: podAddr, log });
  metrics.start(registryReader(api.registry, api.defFor));
  api.setReady(true);
  const host = o.bindAddress === '0.0.0.0' || o.bindAddress === '::' ? '127.0.0.1' : o.bindAddress;
  return {
    api, store, pki, port,
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop: async () => {
      api.setReady(false);
      await metrics.stop();
      await api.close();
      kubelet.close();
      await store.close();
    },
  };
}
