/**
 * What the on-demand Prometheus (prometheus-server.ts) is told: its configuration file, its command line, and the
 * scrape targets kubelite writes for it as file_sd target groups. Pure functions, so they are tested alone.
 *
 * Targets:
 *   job "kubelite-proxy"   the service proxy's metrics endpoint (ProxyHandle.metricsUrl), once a proxy runs;
 *   job "kubernetes-pods"  every pod that opts in with the conventional annotations
 *                            prometheus.io/scrape: "true"    (required)
 *                            prometheus.io/port: "8080"      (default: each declared container port, else 80)
 *                            prometheus.io/path: /metrics    (default /metrics)
 *                            prometheus.io/scheme: https     (default http)
 *                          labelled namespace, pod and the pod's own labels (sanitized: `rollouts-pod-template-hash`
 *                          becomes rollouts_pod_template_hash), as the usual kubernetes_sd_configs + relabel_configs
 *                          set-up does.
 * Upstream reads pods with kubernetes_sd_configs; Debian builds Prometheus without the Kubernetes discovery, so
 * kubelite applies the same convention to its own pod informer and hands Prometheus the result (file_sd).
 */
import YAML from 'yaml';
import type { Pod as PodT } from 'kubernetes-types/core/v1.d.ts';

export type Pod = PodT;

/** One file_sd target group (Prometheus' JSON format). */
export interface TargetGroup { targets: string[]; labels: Record<string, string> }

/** The annotations a pod opts in with (the convention of Prometheus' example Kubernetes configuration). */
export const SCRAPE_ANNOTATIONS = { scrape: 'prometheus.io/scrape', port: 'prometheus.io/port', path: 'prometheus.io/path', scheme: 'prometheus.io/scheme' } as const;

/** Job names: the service proxy, and the annotated pods. */
export const JOBS = { proxy: 'kubelite-proxy', pods: 'kubernetes-pods' } as const;

/** The title shown in Prometheus' UI; also how kubelite recognises its own Prometheus processes. */
export const PAGE_TITLE = 'kubelite on-demand Prometheus';

/** Target labels a pod label may not overwrite. */
const RESERVED = new Set(['job', 'instance', 'namespace', 'pod']);

/** A Kubernetes label name as a Prometheus label name (Prometheus' strutil.SanitizeLabelName). */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

const hostPort = (host: string, port: number | string) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * The scrape targets of the pods that opt in, one group per distinct (address, path, scheme) of a pod, sorted so
 * that equal pod sets give equal files. Pods without an IP yet, and finished pods (Succeeded, Failed), have
 * nothing to scrape and are left out.
 */
export function podScrapeTargets(pods: readonly Pod[]): TargetGroup[] {
  const out = new Map<string, TargetGroup>();
  for (const pod of pods) {
    const ann = pod.metadata?.annotations ?? {};
    if (ann[SCRAPE_ANNOTATIONS.scrape] !== 'true') continue;
    const ip = pod.status?.podIP;
    const phase = pod.status?.phase;
    if (!ip || phase === 'Succeeded' || phase === 'Failed') continue;
    const portAnn = ann[SCRAPE_ANNOTATIONS.port]?.trim();
    if (portAnn !== undefined && !/^\d{1,5}$/.test(portAnn)) continue; // not a port: the relabel rule would not match either
    let ports: (number | string)[];
    if (portAnn) ports = [Number(portAnn)];
    else {
      ports = (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort));
      if (!ports.length) ports = [80];
    }
    const path = ann[SCRAPE_ANNOTATIONS.path]?.trim() || '/metrics';
    const scheme = /^https?$/.test(ann[SCRAPE_ANNOTATIONS.scheme] ?? '') ? ann[SCRAPE_ANNOTATIONS.scheme]! : 'http';
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(pod.metadata?.labels ?? {})) {
      const n = sanitizeLabelName(k);
      if (!RESERVED.has(n) && !n.startsWith('__')) labels[n] = v;
    }
    labels.namespace = pod.metadata?.namespace ?? 'default';
    labels.pod = pod.metadata?.name ?? '';
    labels.__metrics_path__ = path;
    labels.__scheme__ = scheme;
    for (const port of ports) {
      const target = hostPort(ip, port);
      const key = `${labels.namespace}/${labels.pod} ${scheme}://${target}${path}`;
      if (!out.has(key)) out.set(key, { targets: [target], labels: sortKeys(labels) });
    }
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/** The service proxy's metrics endpoint as a target group (none before a proxy runs). */
export function proxyScrapeTargets(metricsUrl: string | undefined, nodeName?: string): TargetGroup[] {
  if (!metricsUrl) return [];
  const u = new URL(metricsUrl);
  const labels: Record<string, string> = { __metrics_path__: u.pathname || '/metrics', __scheme__: u.protocol.replace(':', '') };
  if (nodeName) labels.node = nodeName;
  return [{ targets: [u.host], labels }];
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

export interface PrometheusConfigOptions {
  /** file_sd files kubelite keeps up to date. */
  proxyTargetsFile: string;
  podTargetsFile: string;
  /** Seconds between scrapes (default 5). */
  scrapeIntervalSeconds?: number;
}

/** prometheus.yml: two file_sd jobs, re-read on change (and every 10 s in case a change notification is missed). */
export function prometheusConfig(o: PrometheusConfigOptions): string {
  const interval = Math.max(1, Math.round(o.scrapeIntervalSeconds ?? 5));
  const job = (name: string, file: string) => ({
    job_name: name,
    file_sd_configs: [{ files: [file], refresh_interval: '10s' }],
  });
  const doc = {
    global: {
      scrape_interval: `${interval}s`,
      scrape_timeout: `${Math.max(1, interval - 1)}s`,
      evaluation_interval: `${interval}s`,
    },
    scrape_configs: [job(JOBS.proxy, o.proxyTargetsFile), job(JOBS.pods, o.podTargetsFile)],
  };
  return `# Written by kubelite: the on-demand Prometheus of the analysis controller (do not edit: rewritten at each start).\n${YAML.stringify(doc)}`;
}

export interface PrometheusArgsOptions {
  configFile: string;
  storageDir: string;
  /** host:port to listen on (always a loopback address). */
  listen: string;
  /** TSDB retention (default 2h) and size cap (default 256MB). */
  retentionTime?: string;
  retentionSize?: string;
}

/** The command line of the on-demand Prometheus. */
export function prometheusArgs(o: PrometheusArgsOptions): string[] {
  return [
    `--config.file=${o.configFile}`,
    `--storage.tsdb.path=${o.storageDir}`,
    `--storage.tsdb.retention.time=${o.retentionTime ?? '2h'}`,
    `--storage.tsdb.retention.size=${o.retentionSize ?? '256MB'}`,
    `--web.listen-address=${o.listen}`,
    `--web.page-title=${PAGE_TITLE}`,
    '--log.level=warn',
  ];
}

/** One entry of /api/v1/targets' activeTargets (the fields used here). */
export interface ActiveTarget { scrapePool?: string; scrapeUrl?: string; lastScrape?: string; health?: string }

/**
 * Whether Prometheus has scraped every target kubelite gave it at least once (so a query right after start sees
 * data): `expected` targets are active and none is still waiting for its first scrape.
 */
export function firstScrapeDone(active: readonly ActiveTarget[], expected: number): boolean {
  if (active.length < expected) return false;
  return active.every((t) => t.health !== 'unknown' && !!t.lastScrape && !t.lastScrape.startsWith('0001-'));
}
