/**
 * Decoding a node agent's `/metrics/resource` document (Prometheus text) into one node point and the pods'
 * container points — what metrics-server's resource client does (pkg/scraper/client/resource/decode.go):
 * only the node/container CPU, memory and start-time series are read; a sample without a timestamp takes the
 * scrape time; a container with a zero CPU counter or zero memory drops its whole pod from the batch; a node
 * without both series is left out.
 */

/** One measurement of a node or container. */
export interface MetricsPoint {
  /** Unix ms when the container/node started (its CPU counter was zero then); 0 = unknown. */
  startTimeMs: number;
  /** Unix ms of the measurement. */
  timestampMs: number;
  /** Cumulative CPU, in core-nanoseconds. */
  cumulativeCpuNanos: number;
  /** Working set, bytes. */
  memoryBytes: number;
}

export interface PodPoint {
  namespace: string;
  name: string;
  containers: Map<string, MetricsPoint>;
}

export interface MetricsBatch {
  nodes: Map<string, MetricsPoint>;
  /** By "namespace/name". */
  pods: Map<string, PodPoint>;
}

const emptyPoint = (): MetricsPoint => ({ startTimeMs: 0, timestampMs: 0, cumulativeCpuNanos: 0, memoryBytes: 0 });

/** Parse `name{labels} value [timestamp]`; undefined for comments, blank lines and malformed lines. */
function parseSample(line: string): { name: string; labels: Record<string, string>; value: number; ts?: number } | undefined {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/.exec(line);
  if (!m) return undefined;
  const labels: Record<string, string> = {};
  if (m[3]) {
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/g;
    let lm: RegExpExecArray | null;
    while ((lm = re.exec(m[3]))) labels[lm[1]] = lm[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
  }
  const value = Number(m[4]);
  if (Number.isNaN(value)) return undefined;
  return { name: m[1], labels, value, ts: m[5] !== undefined ? Number(m[5]) : undefined };
}

/** Decode one node's document, scraped at `scrapeTimeMs`. */
export function decodeResourceMetrics(text: string, nodeName: string, scrapeTimeMs: number): MetricsBatch {
  const node = emptyPoint();
  const pods = new Map<string, PodPoint>();
  const containerPoint = (l: Record<string, string>): MetricsPoint | undefined => {
    if (!l.namespace || !l.pod || !l.container) return undefined;
    const key = `${l.namespace}/${l.pod}`;
    let p = pods.get(key);
    if (!p) { p = { namespace: l.namespace, name: l.pod, containers: new Map() }; pods.set(key, p); }
    let c = p.containers.get(l.container);
    if (!c) { c = emptyPoint(); p.containers.set(l.container, c); }
    return c;
  };
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const s = parseSample(line);
    if (!s) continue;
    const ts = s.ts ?? scrapeTimeMs;
    switch (s.name) {
      case 'node_cpu_usage_seconds_total': node.cumulativeCpuNanos = Math.round(s.value * 1e9); node.timestampMs = ts; break;
      case 'node_memory_working_set_bytes': node.memoryBytes = Math.round(s.value); node.timestampMs = ts; break;
      case 'container_cpu_usage_seconds_total': {
        const c = containerPoint(s.labels);
        if (c) { c.cumulativeCpuNanos = Math.round(s.value * 1e9); c.timestampMs = ts; }
        break;
      }
      case 'container_memory_working_set_bytes': {
        const c = containerPoint(s.labels);
        if (c) { c.memoryBytes = Math.round(s.value); c.timestampMs = ts; }
        break;
      }
      case 'container_start_time_seconds': {
        const c = containerPoint(s.labels);
        if (c) c.startTimeMs = Math.round(s.value * 1000);
        break;
      }
      default:
    }
  }
  const batch: MetricsBatch = { nodes: new Map(), pods: new Map() };
  if (node.timestampMs && node.cumulativeCpuNanos && node.memoryBytes) batch.nodes.set(nodeName, node);
  for (const [key, p] of pods) {
    if (![...p.containers.values()].some((c) => c.timestampMs)) continue;
    if ([...p.containers.values()].some((c) => !c.cumulativeCpuNanos || !c.memoryBytes)) continue;
    batch.pods.set(key, p);
  }
  return batch;
}
