/**
 * The API server's resource-metrics component (what metrics-server is upstream, run inside the API server): every
 * `resolution` (default 15 s, upstream's --metric-resolution) it scrapes `/metrics/resource` of every node's
 * agent in parallel, decodes the documents (./decode.ts) and replaces the store (./storage.ts) with the batch.
 * `metrics.k8s.io/v1beta1` PodMetrics and NodeMetrics are served from that store (./api.ts).
 *
 * Identity: the scrape goes over HTTPS with the API server's kubelet-client certificate (../kubelet-client.ts, user
 * kube-apiserver-kubelet-client) — its own credential towards node agents, not the admin's — and checks the
 * agent's serving certificate against the cluster CA. The node agent authorizes it (nodes/metrics) by
 * SubjectAccessReview, cached as upstream's kubelet does.
 *
 * Nodes and pods are read through the API server's own registry (this component lives in the API server, as the
 * connect handlers do); a node that cannot be reached or answers an error is left out of the batch (its pods have
 * no metrics until it answers again) and the failure is logged once per change of its error.
 */
import * as http from 'node:http';
import type { KubeletClient } from '../kubelet-client.ts';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { KubeObject } from '../../api/resource.ts';
import { decodeResourceMetrics, type MetricsBatch } from './decode.ts';
import { MetricsStorage } from './storage.ts';
import { realClock, type Clock } from '../../util/clock.ts';

/** How the component reads the cluster's nodes and pods (the API server's registry). */
export interface ClusterReader {
  listNodes(): Promise<Node[]>;
  getNode(name: string): Promise<Node>;
  listPods(namespace: string | undefined): Promise<Pod[]>;
  getPod(namespace: string, name: string): Promise<Pod>;
}

export interface ResourceMetricsOptions {
  /** How node agents are reached (HTTPS with the API server's kubelet-client certificate). */
  kubelet: KubeletClient;
  /** Scrape period (default 15 s). */
  resolutionMs?: number;
  /** Per-node scrape timeout (default: 90% of the resolution, at most 10 s). */
  scrapeTimeoutMs?: number;
  clock?: Clock;
  log?: (m: string) => void;
}

export const DEFAULT_METRIC_RESOLUTION_MS = 15_000;

export class ResourceMetrics {
  readonly storage: MetricsStorage;
  readonly resolutionMs: number;
  private reader?: ClusterReader;
  private timer?: { cancel(): void };
  private running?: Promise<void>;
  private stopped = false;
  private lastError = new Map<string, string>();
  private clock: Clock;
  private log: (m: string) => void;

  constructor(private opts: ResourceMetricsOptions) {
    this.resolutionMs = opts.resolutionMs ?? DEFAULT_METRIC_RESOLUTION_MS;
    this.storage = new MetricsStorage(this.resolutionMs);
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? ((m) => console.error(m));
  }

  /** The cluster reader, once started (the API objects are served only then). */
  get cluster(): ClusterReader | undefined { return this.reader; }

  /** Start scraping every resolution (the first scrape at once). */
  start(reader: ClusterReader): void {
    this.reader = reader;
    this.stopped = false;
    const tick = () => {
      this.running = this.scrapeOnce().catch((e) => this.log(`metrics: scrape failed: ${(e as Error).message}`));
      void this.running.then(() => { if (!this.stopped) this.timer = this.clock.setTimeout(tick, this.resolutionMs); });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  /** One scrape cycle over every node; replaces the store. */
  async scrapeOnce(): Promise<void> {
    if (!this.reader) return;
    const nodes = await this.reader.listNodes();
    const batches = await Promise.all(nodes.map((n) => this.scrapeNode(n)));
    const merged: MetricsBatch = { nodes: new Map(), pods: new Map() };
    for (const b of batches) {
      if (!b) continue;
      for (const [k, v] of b.nodes) merged.nodes.set(k, v);
      for (const [k, v] of b.pods) merged.pods.set(k, v);
    }
    this.storage.store(merged);
  }

  private async scrapeNode(node: Node): Promise<MetricsBatch | undefined> {
    const name = node.metadata?.name ?? '';
    const { host, port } = this.opts.kubelet.address(node);
    const started = this.clock.now();
    try {
      const text = await this.fetch(host, port);
      if (this.lastError.delete(name)) this.log(`metrics: scraping node ${name} works again`);
      return decodeResourceMetrics(text, name, started);
    } catch (e) {
      const msg = (e as Error).message;
      if (this.lastError.get(name) !== msg) this.log(`metrics: failed to scrape node ${name}: ${msg}`);
      this.lastError.set(name, msg);
      return undefined;
    }
  }

  private fetch(host: string, port: number): Promise<string> {
    const timeout = this.opts.scrapeTimeoutMs ?? Math.min(10_000, Math.floor(this.resolutionMs * 0.9));
    return new Promise((resolve, reject) => {
      const req = this.opts.kubelet.request({ host, port, path: '/metrics/resource', timeout, agent: true }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`request failed, status: "${res.statusCode} ${http.STATUS_CODES[res.statusCode ?? 0] ?? ''}"`));
          else resolve(body);
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`Get "https://${host}:${port}/metrics/resource": context deadline exceeded`)));
      req.on('error', reject);
      req.end();
    });
  }
}

/** A ClusterReader over the API server's registry. */
export function registryReader(registry: { get(def: any, ns: string | undefined, name: string): Promise<KubeObject>; list(def: any, ns: string | undefined, p: object): Promise<{ items: KubeObject[] }> },
  defFor: (group: string, plural: string) => unknown): ClusterReader {
  const nodes = defFor('', 'nodes'), pods = defFor('', 'pods');
  return {
    listNodes: async () => (await registry.list(nodes, undefined, {})).items as Node[],
    getNode: async (name) => (await registry.get(nodes, undefined, name)) as Node,
    listPods: async (ns) => (await registry.list(pods, ns, {})).items as Pod[],
    getPod: async (ns, name) => (await registry.get(pods, ns, name)) as Pod,
  };
}
