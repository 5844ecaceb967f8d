/**
 * The node agent: `startKubelet(opts)` registers the Node, heartbeats (Lease + node status), watches the pods
 * bound to this node, and runs one PodWorker per pod against containerd's CRI. A relister (upstream's PLEG)
 * lists this node's containers every second and wakes the workers of pods whose containers changed state.
 *
 * Re-adoption: sandboxes and containers carry the pod uid and node name as labels, and each container its
 * attempt number, so a restarted agent finds the running containers of every pod and keeps them (no restart);
 * readiness is seeded from the pod's last reported status for the same container id, so Ready does not flap.
 * Sandboxes of this node whose pod no longer exists are removed after the first sync.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import type { KubeClient } from '../client/client.ts';
import { R } from '../client/resources.ts';
import { Informer } from '../client/informer.ts';
import { EventRecorder } from '../client/events.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { CriClient } from './cri/client.ts';
import { Backoff, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS } from './backoff.ts';
import { ImageManager } from './images.ts';
import { ProbeManager } from './prober.ts';
import { PodWorker, type EndpointDrain, type WorkerDeps } from './pod-worker.ts';
import { NodeStatusManager, primaryHostIP } from './node-status.ts';
import { L, agentId, type PodDNSConfigurer } from './cri-config.ts';
import { recordAgent, reapStaleAgents, DEFAULT_STATE_DIR } from './agents.ts';
import { VolumeManager } from './volumes/manager.ts';
import { TokenManager } from './volumes/tokens.ts';
import { ObjectDataCache } from './object-data.ts';

export interface KubeletOptions {
  client: KubeClient;
  nodeName: string;
  containerdSocket: string;
  podCIDR?: string;
  dataDir: string;
  clock?: Clock;
  /** Port of the streaming server (logs/exec/port-forward); default 10250, 0 = any free port. */
  kubeletPort?: number;
  /** Do not start the streaming server (e.g. benchmarks); daemonEndpoints then reports kubeletPort. */
  noServer?: boolean;
  /** The streaming server's serving certificate and key (from the cluster CA, naming the node, its IP and
   *  127.0.0.1) and the CA callers' client certificates are checked against. Required unless noServer. */
  tls?: { cert: string; key: string; ca: string };
  /** Where the streaming server listens: where the API server reaches it (default: the node's IP, hostIP). */
  serverAddress?: string;
  hostIP?: string;
  /** Back-off of image pulls and container restarts (upstream 10 s doubling to 300 s). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  leaseRenewMs?: number;
  statusUpdateMs?: number;
  /** How often the relister lists containers (default 1000 ms). */
  relistMs?: number;
  /** Host state dir (agent records; default /var/lib/kubelite). */
  stateDir?: string;
  /** Root of the container log files (default /var/log/pods). */
  podLogRoot?: string;
  /** Pods' resolv.conf (cluster DNS); without it pods get the host's. */
  dns?: PodDNSConfigurer;
  /** Wait for a terminating pod to leave Service rotation before SIGTERM; without it, stop at once. */
  drain?: EndpointDrain;
  /** How often ConfigMap/Secret/downward API volumes are refreshed (default 30 s). */
  volumeResyncMs?: number;
  log?: (s: string) => void;
}

export interface Kubelet {
  stop(): Promise<void>;
  nodeName: string;
  kubeletPort: number;
  /** For tests and benchmarks: resolves when no pod worker is busy. */
  idle(): Promise<void>;
}

/** Only spec/metadata changes (not our own status writes) need a sync. */
function specKey(p: Pod): string {
  const m = p.metadata ?? {};
  return JSON.stringify([p.spec, m.deletionTimestamp, m.deletionGracePeriodSeconds, m.labels, m.annotations]);
}

export async function startKubelet(opts: KubeletOptions): Promise<Kubelet> {
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? ((s: string) => console.error(`kubelet: ${s}`));
  const cri = new CriClient(opts.containerdSocket);
  const v = await cri.version();
  const runtimeVersion = `${v.runtimeName}://${v.runtimeVersion.replace(/~.*$/, '')}`;
  const hostIP = opts.hostIP ?? primaryHostIP();
  const agent = agentId(opts.nodeName, opts.dataDir);
  mkdirSync(opts.dataDir, { recursive: true });
  const stateDir = opts.stateDir ?? DEFAULT_STATE_DIR;
  recordAgent(stateDir, agent, { nodeName: opts.nodeName, dataDir: opts.dataDir, socket: opts.containerdSocket });
  await reapStaleAgents({ stateDir, log }).catch(() => 0);
  const recorder = new EventRecorder(opts.client, { component: 'kubelet', host: opts.nodeName, clock, log });

  let kubeletPort = opts.kubeletPort ?? 10250;
  let server: { port: number; close(): Promise<void> } | undefined;
  if (!opts.noServer) {
    const { startKubeletServer } = await import('./server/index.ts');
    const { resourceMetricsEndpoint } = await import('./resource-metrics.ts');
    if (!opts.tls) throw new Error('the node agent\'s server needs a serving certificate (tls)');
    const tls = opts.tls;
    const start = (port: number) => startKubeletServer({
      client: opts.client, containerd: { address: opts.containerdSocket }, port, podLogRoot: opts.podLogRoot, log,
      tls, address: opts.serverAddress ?? hostIP,
      nodeName: opts.nodeName, resourceMetrics: resourceMetricsEndpoint(cri, agent),
      attach: { attachUrl: (r) => cri.attach({ containerId: r.containerId, stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, tty: r.tty }) },
    });
    try { server = await start(kubeletPort); } catch (e) {
      if ((e as any)?.code !== 'EADDRINUSE') throw e;
      server = await start(0);
    }
    kubeletPort = server.port;
  }

  const nodeStatus = new NodeStatusManager({
    client: opts.client, clock, nodeName: opts.nodeName, hostIP, podCIDR: opts.podCIDR, runtimeVersion, kubeletPort,
    leaseRenewMs: opts.leaseRenewMs, statusUpdateMs: opts.statusUpdateMs, log,
    runtimeProblem: async () => {
      try {
        const st = await cri.status();
        const bad = st.conditions.filter((c) => (c.type === 'RuntimeReady' || c.type === 'NetworkReady') && !c.status);
        return bad.length ? `container runtime network not ready: ${bad.map((c) => `${c.type}=false reason:${c.reason} message:${c.message}`).join(', ')}` : undefined;
      } catch (e) {
        return `container runtime is down: ${(e as any).details ?? (e as Error).message}`;
      }
    },
  });
  await nodeStatus.start();

  // ConfigMap/Secret data by name, shared for a few seconds by the pods that use it.
  const getObject = new ObjectDataCache(opts.client, clock).get;
  const tokens = new TokenManager((ns, sa, body) => opts.client.request('POST',
    `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(sa)}/token`, body), clock);
  const volumes = new VolumeManager({ podsDir: join(opts.dataDir, 'pods'), getObject, tokens, clock, resyncMs: opts.volumeResyncMs, log });
  // Services for the pods' service environment variables (upstream's kubelet watches them all too).
  const services = new Informer<any>(opts.client, R.services, { clock });
  await services.start();

  const workers = new Map<string, PodWorker>();
  const prober = new ProbeManager(cri, clock, recorder, (uid) => workers.get(uid)?.requestSync());
  const deps: WorkerDeps = {
    client: opts.client, cri, clock, recorder, prober, nodeName: opts.nodeName, agent, hostIP, log,
    drain: opts.drain, dns: opts.dns, podLogRoot: opts.podLogRoot, volumes, getObject, services: () => services.list() as Service[],
    images: new ImageManager(cri, new Backoff(clock, opts.backoffInitialMs ?? BACKOFF_INITIAL_MS, opts.backoffMaxMs ?? BACKOFF_MAX_MS), clock),
    crashBackoff: new Backoff(clock, opts.backoffInitialMs ?? BACKOFF_INITIAL_MS, opts.backoffMaxMs ?? BACKOFF_MAX_MS),
  };
  const finished = (uid: string) => { workers.delete(uid); };
  const workerFor = (pod: Pod): PodWorker => {
    const uid = pod.metadata!.uid!;
    let w = workers.get(uid);
    if (!w) { w = new PodWorker(deps, pod, finished); workers.set(uid, w); }
    return w;
  };

  const informer = new Informer<any>(opts.client, R.pods, { fieldSelector: `spec.nodeName=${opts.nodeName}`, clock });
  informer.addHandler({
    add: (p: Pod) => { workerFor(p).update(p); },
    update: (o: Pod, p: Pod) => {
      const w = workerFor(p);
      if (specKey(o) !== specKey(p)) w.update(p);
      else w.observed(p);
    },
    delete: (p: Pod) => { workers.get(p.metadata!.uid!)?.removed(p); },
  });
  await informer.start();

  // Sandboxes of this node whose pod is gone (deleted while the agent was down): remove them.
  const known = new Set(informer.list().map((p) => p.metadata!.uid!));
  try {
    for (const sb of await cri.listPodSandbox({ labelSelector: { [L.agent]: agent } })) {
      const uid = sb.labels?.[L.podUid];
      if (uid && !known.has(uid)) {
        await cri.stopPodSandbox(sb.id).catch(() => {});
        await cri.removePodSandbox(sb.id).catch(() => {});
      }
    }
  } catch (e) { log(`orphan cleanup: ${(e as Error).message}`); }
  // Volumes of pods that are gone (upstream cleanupOrphanedPodDirs).
  await volumes.cleanupOrphans(known).catch((e) => log(`orphan volumes: ${(e as Error).message}`));

  // Relister: wake workers whose containers or sandboxes changed state.
  let last = new Map<string, string>();
  let relistTimer: { cancel(): void } | undefined;
  let stopped = false;
  const relist = async () => {
    try {
      const [cs, sbs] = await Promise.all([
        cri.listContainers({ labelSelector: { [L.agent]: agent } }),
        cri.listPodSandbox({ labelSelector: { [L.agent]: agent } }),
      ]);
      const now = new Map<string, string>();
      for (const c of cs) now.set(c.id, `${c.labels?.[L.podUid]}|${c.state}`);
      for (const s of sbs) now.set(s.id, `${s.labels?.[L.podUid]}|${s.state}`);
      const touched = new Set<string>();
      for (const [id, val] of now) if (last.get(id) !== val) touched.add(val.split('|')[0]);
      for (const [id, val] of last) if (!now.has(id)) touched.add(val.split('|')[0]);
      last = now;
      for (const uid of touched) workers.get(uid)?.requestSync();
    } catch (e) { log(`relist: ${(e as Error).message}`); }
    if (!stopped) relistTimer = clock.setTimeout(relist, opts.relistMs ?? 1000);
  };
  await relist();

  return {
    nodeName: opts.nodeName,
    kubeletPort,
    idle: async () => { for (const w of [...workers.values()]) await w.idle(); },
    stop: async () => {
      stopped = true;
      relistTimer?.cancel();
      nodeStatus.stop();
      await informer.stop();
      await services.stop();
      for (const w of workers.values()) w.stop();
      await Promise.all([...workers.values()].map((w) => w.idle()));
      prober.stopAll();
      await recorder.flush();
      await server?.close();
      cri.close();
    },
  };
}
