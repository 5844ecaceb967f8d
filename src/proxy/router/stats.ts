/**
 * The traffic router's measurements (pure, time from a Clock): every request HAProxy logs is recorded under
 * (namespace, service, backend stable|canary, revision) — a status class or a failure (no response from any
 * backend), and its total time in a latency histogram. Kept two ways:
 *   - cumulative counters and histogram, exported in Prometheus text (kubelite_traffic_requests_total,
 *     kubelite_traffic_request_duration_seconds_bucket/_sum/_count);
 *   - per-second buckets for the last `retentionSeconds`, summed for window queries (TrafficStatsSource), with
 *     quantiles interpolated inside histogram buckets (as PromQL's histogram_quantile does).
 */
import type { TrafficBackend, TrafficStatsSource, TrafficWindowQuery, TrafficWindowStats } from '../../analysis/traffic-source.ts';
import type { Clock } from '../../util/clock.ts';
import type { Family } from '../metrics.ts';
import { emptyTrafficStats } from './source.ts';

/** Upper bounds (seconds) of the latency buckets; +Inf is implied. HAProxy's timers have millisecond resolution. */
export const LATENCY_BUCKETS = [
  0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75,
  1, 1.5, 2, 3, 5, 7.5, 10, 15, 30, 60,
];
const NB = LATENCY_BUCKETS.length + 1;

/** Outcome classes: index 0..4 = 1xx..5xx, 5 = failed (no response), 6 = a tcp-mode connection (no HTTP status). */
const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'failed', 'tcp'] as const;
const NC = CLASSES.length;
const FAILED = 5;

export interface TrafficKey {
  namespace: string;
  service: string;
  backend: TrafficBackend;
  revision: string;
}

/**
 * One request's outcome: failed (no response from a backend), else its HTTP status (undefined for a tcp-mode
 * connection), and its total time in seconds (null = not timed).
 */
export interface RequestOutcome {
  failed: boolean;
  status?: number;
  seconds: number | null;
}

interface Counts {
  classes: number[]; // NC
  hist: number[]; // NB, non-cumulative
  sum: number;
}
const newCounts = (): Counts => ({ classes: new Array(NC).fill(0), hist: new Array(NB).fill(0), sum: 0 });

interface Series {
  key: TrafficKey;
  total: Counts;
  /** Ring of per-second buckets: slot i holds second `secs[i]`. */
  secs: number[];
  slots: (Counts | undefined)[];
  lastSecond: number;
}

export function bucketIndex(seconds: number): number {
  for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]) return i;
  return LATENCY_BUCKETS.length;
}

function classIndex(o: RequestOutcome): number {
  if (o.failed) return FAILED;
  if (o.status === undefined) return 6;
  const c = Math.floor(o.status / 100);
  return c >= 1 && c <= 5 ? c - 1 : FAILED;
}

/** The q-quantile (0..1) of a non-cumulative histogram over LATENCY_BUCKETS, linear within the bucket. */
export function histogramQuantile(hist: number[], q: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    if (hist[i] === 0) continue;
    if (seen + hist[i] >= rank) {
      if (i >= LATENCY_BUCKETS.length) return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1];
      const lo = i === 0 ? 0 : LATENCY_BUCKETS[i - 1];
      const hi = LATENCY_BUCKETS[i];
      return lo + (hi - lo) * Math.max(0, rank - seen) / hist[i];
    }
    seen += hist[i];
  }
  return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1];
}

const keyString = (k: TrafficKey) => `${k.namespace}\u0000${k.service}\u0000${k.backend}\u0000${k.revision}`;

export class TrafficStats implements TrafficStatsSource {
  private series = new Map<string, Series>();
  readonly retentionSeconds: number;

  constructor(private clock: Clock, opts: { retentionSeconds?: number } = {}) {
    this.retentionSeconds = Math.max(1, Math.floor(opts.retentionSeconds ?? 3600));
  }

  record(key: TrafficKey, o: RequestOutcome): void {
    const ks = keyString(key);
    let s = this.series.get(ks);
    const sec = Math.floor(this.clock.now() / 1000);
    if (!s) {
      s = { key: { ...key }, total: newCounts(), secs: new Array(this.retentionSeconds).fill(-1), slots: new Array(this.retentionSeconds), lastSecond: sec };
      this.series.set(ks, s);
    }
    const i = ((sec % this.retentionSeconds) + this.retentionSeconds) % this.retentionSeconds;
    if (s.secs[i] !== sec) { s.secs[i] = sec; s.slots[i] = newCounts(); }
    s.lastSecond = sec;
    const ci = classIndex(o);
    for (const c of [s.total, s.slots[i]!]) {
      c.classes[ci]++;
      if (o.seconds !== null && ci !== FAILED) {
        c.hist[bucketIndex(o.seconds)]++;
        c.sum += o.seconds;
      }
    }
  }

  /** Forget series without a request for longer than the retention (old revisions). */
  prune(): void {
    const now = Math.floor(this.clock.now() / 1000);
    for (const [k, s] of this.series) if (now - s.lastSecond > this.retentionSeconds) this.series.delete(k);
  }

  keys(): TrafficKey[] {
    return [...this.series.values()].map((s) => ({ ...s.key }));
  }

  /** Sum the matching series over the last `windowSeconds` (clamped to 1..retention), ending now. */
  window(q: TrafficWindowQuery): TrafficWindowStats {
    const w = Math.min(this.retentionSeconds, Math.max(1, Math.ceil(q.windowSeconds)));
    const now = Math.floor(this.clock.now() / 1000);
    const acc = newCounts();
    for (const s of this.series.values()) {
      const k = s.key;
      if (k.namespace !== q.namespace || k.service !== q.service) continue;
      if (q.backend !== undefined && k.backend !== q.backend) continue;
      if (q.revision !== undefined && k.revision !== q.revision) continue;
      for (let sec = now - w + 1; sec <= now; sec++) {
        const i = ((sec % this.retentionSeconds) + this.retentionSeconds) % this.retentionSeconds;
        if (s.secs[i] !== sec) continue;
        const c = s.slots[i]!;
        for (let j = 0; j < NC; j++) acc.classes[j] += c.classes[j];
        for (let j = 0; j < NB; j++) acc.hist[j] += c.hist[j];
        acc.sum += c.sum;
      }
    }
    return toStats(acc);
  }

  query(q: TrafficWindowQuery): Promise<TrafficWindowStats> {
    return Promise.resolve(this.window(q));
  }

  /** Cumulative Prometheus families. */
  families(): Family[] {
    const req: Family = {
      name: 'kubelite_traffic_requests_total', type: 'counter',
      help: 'Requests the traffic router forwarded, by status class (code="failed": no response from a backend; code="tcp": a connection of a non-HTTP port).', samples: [],
    };
    const dur: Family = {
      name: 'kubelite_traffic_request_duration_seconds', type: 'histogram',
      help: 'Time from the first byte of a request to the last byte of its response, through the traffic router.', samples: [],
    };
    const list = [...this.series.values()].sort((a, b) => keyString(a.key).localeCompare(keyString(b.key)));
    for (const s of list) {
      const labels = { namespace: s.key.namespace, service: s.key.service, backend: s.key.backend, revision: s.key.revision };
      CLASSES.forEach((code, j) => { if (code !== 'tcp' || s.total.classes[j] > 0) req.samples.push({ labels: { ...labels, code }, value: s.total.classes[j] }); });
      let cum = 0;
      for (let j = 0; j < NB; j++) {
        cum += s.total.hist[j];
        dur.samples.push({ suffix: '_bucket', labels: { ...labels, le: j < LATENCY_BUCKETS.length ? String(LATENCY_BUCKETS[j]) : '+Inf' }, value: cum });
      }
      dur.samples.push({ suffix: '_sum', labels, value: s.total.sum });
      dur.samples.push({ suffix: '_count', labels, value: cum });
    }
    return [req, dur];
  }
}

function toStats(c: Counts): TrafficWindowStats {
  const out = emptyTrafficStats();
  out.codes = { '1xx': c.classes[0], '2xx': c.classes[1], '3xx': c.classes[2], '4xx': c.classes[3], '5xx': c.classes[4] };
  out.failures = c.classes[FAILED];
  out.requests = c.classes.reduce((a, b) => a + b, 0);
  const timed = c.hist.reduce((a, b) => a + b, 0);
  if (timed > 0) {
    out.latencySeconds = {
      mean: c.sum / timed,
      p50: histogramQuantile(c.hist, 0.5), p90: histogramQuantile(c.hist, 0.9),
      p95: histogramQuantile(c.hist, 0.95), p99: histogramQuantile(c.hist, 0.99),
    };
  }
  return out;
}

export interface LogLine {
  proxy: string;
  server: string;
  outcome: RequestOutcome;
}

/**
 * Parse one request log line (config.ts HTTP_LOG_FORMAT / TCP_LOG_FORMAT):
 *   "<proxy> <server> <status|-> <Tr|Tc ms> <Ta|Tt ms> <termination state>"
 * HTTP: a request is failed when no server response arrived (Tr = -1: connect failure, reset, timeout, or the
 * client gave up first), whatever status HAProxy then generated. TCP: a connection is failed when the server could
 * not be reached (Tc = -1); it has no status and no meaningful duration. Lines for no server (<NOSRV>: a request
 * refused before balancing, e.g. malformed) are ignored. Returns undefined for anything else.
 */
export function parseLogLine(line: string): LogLine | undefined {
  const f = line.trim().split(/\s+/);
  if (f.length < 6) return undefined;
  const [proxy, server, st, t1, t2] = f;
  if (server === '<NOSRV>' || !proxy) return undefined;
  const n1 = Number(t1);
  const n2 = Number(t2);
  if (!Number.isFinite(n1) || !Number.isFinite(n2)) return undefined;
  if (st === '-') return { proxy, server, outcome: { failed: n1 < 0, seconds: null } };
  const status = Number(st);
  if (!Number.isInteger(status)) return undefined;
  if (n1 < 0 || status < 100) return { proxy, server, outcome: { failed: true, seconds: null } };
  return { proxy, server, outcome: { failed: false, status, seconds: n2 >= 0 ? n2 / 1000 : null } };
}
