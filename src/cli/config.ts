/**
 * Configuration of the components, built once at start-up from the command-line flags and a few environment
 * knobs (tests and benchmarks set those on the `kubelite` process they spawn). This is the only place that reads
 * the environment: each component receives its part as an options object and never looks at process.env.
 *
 *   variable                             flag (wins over the variable)       component option
 *   KUBELITE_NODE_MONITOR_GRACE_PERIOD   --node-monitor-grace-period         node lifecycle gracePeriodMs
 *   KUBELITE_NODE_MONITOR_PERIOD         --node-monitor-period               node lifecycle monitorPeriodMs
 *   KUBELITE_DEFAULT_TOLERATION_SECONDS  --default-toleration-seconds        pod defaults + node lifecycle
 *   KUBELITE_COMPACT_INTERVAL_MS                                             API server compactIntervalMs
 *   KUBELITE_METRIC_RESOLUTION           --metric-resolution                 API server metricResolutionMs (scrape period)
 *   KUBELITE_HPA_SYNC_PERIOD             --horizontal-pod-autoscaler-sync-period                HPA controller syncPeriodMs
 *   KUBELITE_HPA_DOWNSCALE_STABILIZATION --horizontal-pod-autoscaler-downscale-stabilization    HPA downscaleStabilizationMs
 *   KUBELITE_ENDPOINT_DRAIN=0                                                node agent: no endpoint drain
 *   KUBELITE_POD_LOG_ROOT                                                    node agent podLogRoot
 *   KUBELITE_NODE_NO_PROXY=1                                                 `kubelite node` without the proxy
 *   ARGO_ROLLOUTS_PROMETHEUS_ADDRESS     --prometheus-address                analysis prometheusAddress (as Argo:
 *                                                                            the Prometheus of metrics without an
 *                                                                            address; none = kubelite starts one)
 * (KUBELITE_STATE_DIR is read by src/node-setup, which owns the host state dir.)
 */
import type { NodeLifecycleOptions } from '../controllers/nodelifecycle/controller.ts';
import type { PodAutoscalerOptions } from '../controllers/podautoscaler/controller.ts';
import { parseDurationMs } from '../util/duration.ts';

export interface NodeConfig {
  /** Wait for a terminating pod to leave Service rotation before SIGTERM (src/proxy/drain.ts). */
  endpointDrain: boolean;
  /** Root of the container log files (default /var/log/pods). */
  podLogRoot?: string;
  /** `kubelite node` only: run no service proxy. */
  noProxy: boolean;
}

export interface ClusterConfig {
  nodeLifecycle: NodeLifecycleOptions;
  /** DefaultTolerationSeconds for pod defaults (the node lifecycle controller gets the same value). */
  defaultTolerationSeconds?: number;
  compactIntervalMs?: number;
  /** How often the API server scrapes the node agents' resource metrics (metrics-server --metric-resolution). */
  metricResolutionMs?: number;
  /** The HPA controller's flags (kube-controller-manager --horizontal-pod-autoscaler-*). */
  podAutoscaler: PodAutoscalerOptions;
  node: NodeConfig;
  /** The user's own Prometheus for prometheus metrics without an address; undefined: start one on demand. */
  prometheusAddress?: string;
}

type Env = Record<string, string | undefined>;

const wholeSeconds = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined);

/** The node agent's knobs. */
export function nodeConfigFromEnv(env: Env): NodeConfig {
  return { endpointDrain: env.KUBELITE_ENDPOINT_DRAIN !== '0', podLogRoot: env.KUBELITE_POD_LOG_ROOT || undefined, noProxy: env.KUBELITE_NODE_NO_PROXY === '1' };
}

/** The node lifecycle controller's knobs from the environment. */
export function nodeLifecycleOptionsFromEnv(env: Env): NodeLifecycleOptions {
  const tol = env.KUBELITE_DEFAULT_TOLERATION_SECONDS;
  return {
    gracePeriodMs: parseDurationMs(env.KUBELITE_NODE_MONITOR_GRACE_PERIOD),
    monitorPeriodMs: parseDurationMs(env.KUBELITE_NODE_MONITOR_PERIOD),
    defaultTolerationSeconds: tol !== undefined && tol !== '' && !Number.isNaN(Number(tol)) ? Number(tol) : undefined,
  };
}

/**
 * `kubelite up`'s configuration: the environment, overridden by the flags (`opts` as commander parsed them).
 * Returns a one-line error for a malformed flag.
 */
export function clusterConfig(opts: Record<string, unknown>, env: Env): ClusterConfig | { error: string } {
  const nodeLifecycle = nodeLifecycleOptionsFromEnv(env);
  for (const [flag, key, name] of [
    ['nodeMonitorGracePeriod', 'gracePeriodMs', '--node-monitor-grace-period'],
    ['nodeMonitorPeriod', 'monitorPeriodMs', '--node-monitor-period'],
  ] as const) {
    const v = opts[flag];
    if (v === undefined) continue;
    const ms = typeof v === 'string' ? parseDurationMs(v) : undefined;
    if (ms === undefined) return { error: `invalid ${name} "${String(v)}": give a duration such as 40s, 500ms or 2m` };
    nodeLifecycle[key] = ms;
  }
  const tol = opts.defaultTolerationSeconds;
  if (tol !== undefined) {
    const n = typeof tol === 'string' ? wholeSeconds(tol) : undefined;
    if (n === undefined) return { error: `invalid --default-toleration-seconds "${String(tol)}": give a whole number of seconds such as 300` };
    nodeLifecycle.defaultTolerationSeconds = n;
  }
  const prom = typeof opts.prometheusAddress === 'string' ? opts.prometheusAddress.trim() : env.ARGO_ROLLOUTS_PROMETHEUS_ADDRESS?.trim();
  if (prom && !isHttpUrl(prom)) {
    const from = typeof opts.prometheusAddress === 'string' ? '--prometheus-address' : 'ARGO_ROLLOUTS_PROMETHEUS_ADDRESS';
    return { error: `invalid ${from} "${prom}": give the URL of a Prometheus such as http://127.0.0.1:9090` };
  }
  const compact = Number(env.KUBELITE_COMPACT_INTERVAL_MS);
  const resolution = opts.metricResolution ?? env.KUBELITE_METRIC_RESOLUTION;
  let metricResolutionMs: number | undefined;
  if (resolution !== undefined && resolution !== '') {
    metricResolutionMs = typeof resolution === 'string' ? parseDurationMs(resolution) : undefined;
    if (metricResolutionMs === undefined || metricResolutionMs < 1000) return { error: `invalid --metric-resolution "${String(resolution)}": give a duration of at least 1s such as 15s` };
  }
  const podAutoscaler: PodAutoscalerOptions = {};
  for (const [flag, envKey, key, name] of [
    ['horizontalPodAutoscalerSyncPeriod', 'KUBELITE_HPA_SYNC_PERIOD', 'syncPeriodMs', '--horizontal-pod-autoscaler-sync-period'],
    ['horizontalPodAutoscalerDownscaleStabilization', 'KUBELITE_HPA_DOWNSCALE_STABILIZATION', 'downscaleStabilizationMs', '--horizontal-pod-autoscaler-downscale-stabilization'],
  ] as const) {
    const v = opts[flag] ?? env[envKey];
    if (v === undefined || v === '') continue;
    const ms = typeof v === 'string' ? parseDurationMs(v) : undefined;
    if (ms === undefined || (key === 'syncPeriodMs' && ms < 100)) return { error: `invalid ${name} "${String(v)}": give a duration such as 15s or 5m` };
    podAutoscaler[key] = ms;
  }
  return {
    podAutoscaler,
    metricResolutionMs,
    nodeLifecycle,
    defaultTolerationSeconds: Number.isInteger(nodeLifecycle.defaultTolerationSeconds) && nodeLifecycle.defaultTolerationSeconds! >= 0 ? nodeLifecycle.defaultTolerationSeconds : undefined,
    compactIntervalMs: env.KUBELITE_COMPACT_INTERVAL_MS && Number.isFinite(compact) && compact > 0 ? compact : undefined,
    node: nodeConfigFromEnv(env),
    prometheusAddress: prom || undefined,
  };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.host;
  } catch { return false; }
}
