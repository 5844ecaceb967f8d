/**
 * The HPA's resource-metrics client (upstream metrics/client.go resourceMetricsClient): lists
 * metrics.k8s.io/v1beta1 PodMetrics of the target's pods through the API and turns them into a value per pod —
 * the sum over the pod's containers (a pod missing the resource in any container is left out), or the named
 * container's (ContainerResource metrics; a pod without that container is an error) — in milli-units, with each
 * pod's timestamp and window.
 */
import type { KubeClient } from '../../client/client.ts';
import { milliValue } from '../../api/resource-quantity.ts';
import { parseGoDuration } from '../../util/duration.ts';
import type { PodMetricsInfo } from './replica-calculator.ts';

export interface PodMetricsItem {
  metadata?: { name?: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

/** What the controller asks of the resource metrics API. */
export interface ResourceMetricsClient {
  /** PodMetrics of the pods the selector (a label-selector string) selects in the namespace. */
  listPodMetrics(namespace: string, selector: string): Promise<PodMetricsItem[]>;
}

export class MetricsError extends Error {}

/** The REST client: GET /apis/metrics.k8s.io/v1beta1/namespaces/<ns>/pods?labelSelector=... */
export function restResourceMetricsClient(client: KubeClient): ResourceMetricsClient {
  return {
    async listPodMetrics(namespace, selector) {
      const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
      const list = await client.request<{ items?: PodMetricsItem[] }>('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods${q}`);
      return list.items ?? [];
    },
  };
}

/** GetResourceMetric's conversion of the listed items; throws when there are none. */
export function podMetricsInfo(items: PodMetricsItem[], resource: string, container: string): PodMetricsInfo {
  if (!items.length) throw new MetricsError('no metrics returned from resource metrics API');
  const out: PodMetricsInfo = new Map();
  for (const m of items) {
    const name = m.metadata?.name ?? '';
    const at = { timestampMs: m.timestamp ? Date.parse(m.timestamp) : 0, windowMs: parseGoDuration(m.window ?? '') ?? 60_000 };
    const containers = m.containers ?? [];
    if (container) {
      const c = containers.find((x) => x.name === container);
      if (!c) throw new MetricsError(`container ${container} not present in metrics for pod ${m.metadata?.namespace}/${name}`);
      const v = milliValue(c.usage?.[resource]);
      if (v !== undefined) out.set(name, { value: v, ...at });
      continue;
    }
    let sum = 0, complete = containers.length > 0;
    for (const c of containers) {
      const v = milliValue(c.usage?.[resource]);
      if (v === undefined) { complete = false; break; }
      sum += v;
    }
    if (complete) out.set(name, { value: sum, ...at });
  }
  return out;
}
