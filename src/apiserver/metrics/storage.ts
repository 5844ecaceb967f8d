/**
 * The resource-metrics store (metrics-server's pkg/storage): the last two points of every node and container,
 * from which usage is computed — CPU as the rate of the cumulative counter between the two points (nanocores;
 * window = the time between them), memory as the last working set.
 *
 * Rules kept from metrics-server:
 * - each scrape cycle replaces the whole store; a node or pod missing from the new batch disappears;
 * - the last point moves to `prev` only when the new one is newer; an equal or older new point keeps the stored
 *   prev (when that is older than the new point);
 * - a container that restarted (its start time is not before the stored point) starts over;
 * - a fresh container (started 10 s or more but less than one resolution before its first point) gets a
 *   synthetic prev point at its start time with zero CPU, so it has a rate after one scrape;
 * - a pod is served only when every one of its containers has two points; its timestamp and window are those
 *   of its earliest container.
 */
import type { MetricsBatch, MetricsPoint } from './decode.ts';

/** Fresh containers younger than this have too short a window for an accurate rate. */
const FRESH_CONTAINER_MIN_MS = 10_000;

export interface Usage {
  /** Unix ms of the (earliest) last point. */
  timestampMs: number;
  windowMs: number;
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface ContainerUsage extends Usage { name: string }

/** Usage between two points, or undefined when they do not form a window (restart, counter reset, no time). */
export function resourceUsage(last: MetricsPoint, prev: MetricsPoint): Usage | undefined {
  if (last.startTimeMs < prev.startTimeMs) return undefined;
  if (last.cumulativeCpuNanos < prev.cumulativeCpuNanos) return undefined;
  const windowMs = last.timestampMs - prev.timestampMs;
  if (windowMs <= 0) return undefined;
  return {
    timestampMs: last.timestampMs, windowMs,
    cpuNanoCores: Math.floor((last.cumulativeCpuNanos - prev.cumulativeCpuNanos) / (windowMs / 1000)),
    memoryBytes: last.memoryBytes,
  };
}

export class MetricsStorage {
  private lastNodes = new Map<string, MetricsPoint>();
  private prevNodes = new Map<string, MetricsPoint>();
  private lastPods = new Map<string, Map<string, MetricsPoint>>();
  private prevPods = new Map<string, Map<string, MetricsPoint>>();

  /** @param resolutionMs the scrape period (fresh containers younger than this get a synthetic first point). */
  constructor(private resolutionMs: number) {}

  store(batch: MetricsBatch): void {
    const lastNodes = new Map<string, MetricsPoint>(), prevNodes = new Map<string, MetricsPoint>();
    for (const [name, point] of batch.nodes) {
      lastNodes.set(name, point);
      const last = this.lastNodes.get(name);
      if (!last) continue;
      if (point.timestampMs > last.timestampMs) prevNodes.set(name, last);
      else {
        const prev = this.prevNodes.get(name);
        if (prev && prev.timestampMs < point.timestampMs) prevNodes.set(name, prev);
      }
    }
    this.lastNodes = lastNodes;
    this.prevNodes = prevNodes;

    const lastPods = new Map<string, Map<string, MetricsPoint>>(), prevPods = new Map<string, Map<string, MetricsPoint>>();
    for (const [key, pod] of batch.pods) {
      const lastC = new Map<string, MetricsPoint>(), prevC = new Map<string, MetricsPoint>();
      const storedLast = this.lastPods.get(key), storedPrev = this.prevPods.get(key);
      for (const [name, point] of pod.containers) {
        lastC.set(name, point);
        const age = point.timestampMs - point.startTimeMs;
        if (point.startTimeMs && point.startTimeMs < point.timestampMs && age < this.resolutionMs && age >= FRESH_CONTAINER_MIN_MS) {
          prevC.set(name, { ...point, timestampMs: point.startTimeMs, cumulativeCpuNanos: 0 });
          continue;
        }
        const last = storedLast?.get(name);
        if (!last || !(point.startTimeMs < last.timestampMs)) continue; // new or restarted container
        if (point.timestampMs > last.timestampMs) prevC.set(name, last);
        else {
          const prev = storedPrev?.get(name);
          if (prev && prev.timestampMs < point.timestampMs) prevC.set(name, prev);
        }
      }
      if (prevC.size) prevPods.set(key, prevC);
      lastPods.set(key, lastC);
    }
    this.lastPods = lastPods;
    this.prevPods = prevPods;
  }

  /** A node's usage, when it has two points. */
  nodeUsage(name: string): Usage | undefined {
    const last = this.lastNodes.get(name), prev = this.prevNodes.get(name);
    return last && prev ? resourceUsage(last, prev) : undefined;
  }

  /** A pod's containers' usage and its timing (earliest container), when every container has two points. */
  podUsage(namespace: string, name: string): { timestampMs: number; windowMs: number; containers: ContainerUsage[] } | undefined {
    const key = `${namespace}/${name}`;
    const last = this.lastPods.get(key), prev = this.prevPods.get(key);
    if (!last || !prev) return undefined;
    const containers: ContainerUsage[] = [];
    let earliest: Usage | undefined;
    for (const [cname, point] of last) {
      const p = prev.get(cname);
      if (!p) return undefined;
      const u = resourceUsage(point, p);
      if (!u) continue;
      containers.push({ name: cname, ...u });
      if (!earliest || u.timestampMs < earliest.timestampMs) earliest = u;
    }
    if (!earliest) return undefined;
    containers.sort((a, b) => a.name.localeCompare(b.name));
    return { timestampMs: earliest.timestampMs, windowMs: earliest.windowMs, containers };
  }

  /** Points held (for the benchmark's memory accounting). */
  size(): { nodes: number; containers: number } {
    let containers = 0;
    for (const c of this.lastPods.values()) containers += c.size;
    return { nodes: this.lastNodes.size, containers };
  }
}
