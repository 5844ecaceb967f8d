/**
 * metrics.k8s.io/v1beta1 objects from the resource-metrics store, as metrics-server serves them
 * (pkg/api/pod.go, node.go):
 *  - PodMetrics for every Running pod whose containers all have two points: metadata name/namespace/labels (the
 *    pod's labels, so label selectors select as on pods), creationTimestamp = now, timestamp and window of the
 *    earliest container, containers[].usage {cpu: nanocores, memory: working set};
 *  - NodeMetrics for every node with two points: metadata name/labels, usage {cpu, memory};
 *  - GET of a pod or node without metrics is 404 `podmetrics.metrics.k8s.io "<ns>/<name>" not found` (the pod's or
 *    node's own 404 when it does not exist); lists leave such objects out, ordered by namespace and name.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { KubeObject } from '../../api/resource.ts';
import { notFound } from '../../api/errors.ts';
import { formatBinary, formatDecimal } from '../../api/resource-quantity.ts';
import { goDurationString } from '../../util/duration.ts';
import { rfc3339 } from '../../util/clock.ts';
import type { ObjectSource, RestContext } from '../hooks.ts';
import type { ResourceMetrics } from './scraper.ts';

const API_VERSION = 'metrics.k8s.io/v1beta1';

const usage = (cpuNanoCores: number, memoryBytes: number) => ({ cpu: formatDecimal(cpuNanoCores, -9), memory: formatBinary(memoryBytes) });

function podMetrics(m: ResourceMetrics, pod: Pod, nowMs: number): KubeObject | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const ns = pod.metadata?.namespace ?? '', name = pod.metadata?.name ?? '';
  const u = m.storage.podUsage(ns, name);
  if (!u) return undefined;
  return {
    kind: 'PodMetrics', apiVersion: API_VERSION,
    metadata: { name, namespace: ns, creationTimestamp: rfc3339(nowMs), ...(pod.metadata?.labels ? { labels: { ...pod.metadata.labels } } : {}) },
    timestamp: rfc3339(u.timestampMs), window: goDurationString(u.windowMs),
    containers: u.containers.map((c) => ({ name: c.name, usage: usage(c.cpuNanoCores, c.memoryBytes) })),
  };
}

function nodeMetrics(m: ResourceMetrics, node: Node, nowMs: number): KubeObject | undefined {
  const name = node.metadata?.name ?? '';
  const u = m.storage.nodeUsage(name);
  if (!u) return undefined;
  return {
    kind: 'NodeMetrics', apiVersion: API_VERSION,
    metadata: { name, creationTimestamp: rfc3339(nowMs), ...(node.metadata?.labels ? { labels: { ...node.metadata.labels } } : {}) },
    timestamp: rfc3339(u.timestampMs), window: goDurationString(u.windowMs),
    usage: usage(u.cpuNanoCores, u.memoryBytes),
  };
}

const byNamespaceAndName = (a: KubeObject, b: KubeObject) =>
  (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** The component, once it reads the cluster; before that (or without one) there are no metrics. */
function started(ctx: RestContext): ResourceMetrics | undefined {
  return ctx.metrics?.cluster ? ctx.metrics : undefined;
}

export function podMetricsSource(ctx: RestContext, now: () => number = Date.now): ObjectSource {
  return {
    async get(ns, name) {
      const m = started(ctx);
      const pod = m ? await m.cluster!.getPod(ns ?? '', name) : undefined;
      const obj = m && pod ? podMetrics(m, pod, now()) : undefined;
      if (!obj) throw notFound('pods', 'metrics.k8s.io', `${ns}/${name}`);
      return obj;
    },
    async list(ns) {
      const m = started(ctx);
      if (!m) return [];
      const t = now();
      return (await m.cluster!.listPods(ns)).map((p) => podMetrics(m, p, t)).filter((o): o is KubeObject => !!o).sort(byNamespaceAndName);
    },
  };
}

export function nodeMetricsSource(ctx: RestContext, now: () => number = Date.now): ObjectSource {
  return {
    async get(_ns, name) {
      const m = started(ctx);
      const node = m ? await m.cluster!.getNode(name) : undefined;
      const obj = m && node ? nodeMetrics(m, node, now()) : undefined;
      if (!obj) throw notFound('nodes', 'metrics.k8s.io', name);
      return obj;
    },
    async list() {
      const m = started(ctx);
      if (!m) return [];
      const t = now();
      return (await m.cluster!.listNodes()).map((n) => nodeMetrics(m, n, t)).filter((o): o is KubeObject => !!o).sort(byNamespaceAndName);
    },
  };
}
