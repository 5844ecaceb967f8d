/**
 * Handing the traffic router's measurements (TrafficStatsSource, src/analysis/traffic-source.ts) to components
 * that start before the service proxy: `kubelite up` starts the controller manager first, so it gets a deferred
 * source that answers "no requests" until the proxy's own source is attached (and again after it stops, or when
 * the cluster runs without a node).
 */
import type { TrafficStatsSource, TrafficWindowQuery, TrafficWindowStats } from '../../analysis/traffic-source.ts';

export function emptyTrafficStats(): TrafficWindowStats {
  return {
    requests: 0,
    codes: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    failures: 0,
    latencySeconds: { mean: null, p50: null, p90: null, p95: null, p99: null },
  };
}

export interface DeferredTrafficSource extends TrafficStatsSource {
  /** Answer from `source` from now on (undefined: back to "no requests"). */
  attach(source: TrafficStatsSource | undefined): void;
}

export function deferredTrafficSource(): DeferredTrafficSource {
  let target: TrafficStatsSource | undefined;
  return {
    attach(s) { target = s; },
    query(q: TrafficWindowQuery): Promise<TrafficWindowStats> {
      return target ? target.query(q) : Promise.resolve(emptyTrafficStats());
    },
  };
}
