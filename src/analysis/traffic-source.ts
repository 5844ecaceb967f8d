/**
 * The seam between the service proxy's L7 traffic router (which measures every request it forwards) and the
 * analysis controller's built-in metric provider (which reads those measurements). The proxy implements
 * TrafficStatsSource; `kubelite up` hands it to the analysis controller; other processes can read the same
 * numbers as JSON from the proxy's metrics server (GET /traffic?namespace=&service=&backend=&window=<seconds>)
 * or, cumulatively, in Prometheus format (kubelite_traffic_requests_total, kubelite_traffic_request_duration_seconds).
 */

/** Which side of a traffic-routed Service a request was sent to. */
export type TrafficBackend = 'stable' | 'canary';

export interface TrafficWindowQuery {
  namespace: string;
  /** The Service the traffic entered through (a Rollout's stableService). */
  service: string;
  /** Only requests sent to this side; undefined = both. */
  backend?: TrafficBackend;
  /** Only requests answered by pods of this rollouts-pod-template-hash; undefined = any. */
  revision?: string;
  /** The window, ending now. */
  windowSeconds: number;
}

export interface TrafficWindowStats {
  /** Requests forwarded in the window (answered or not). */
  requests: number;
  /** Responses by status class. */
  codes: { '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Requests that got no HTTP response from a backend (connect failure, reset, timeout). */
  failures: number;
  /** Response-time quantiles in seconds over the window (from the latency histogram); null when no responses. */
  latencySeconds: { mean: number | null; p50: number | null; p90: number | null; p95: number | null; p99: number | null };
}

export interface TrafficStatsSource {
  query(q: TrafficWindowQuery): Promise<TrafficWindowStats>;
}
