/** metrics.k8s.io/v1beta1 (k8s.io/metrics): PodMetrics and NodeMetrics, the resource metrics API. */
import type { Schema } from '../schema.ts';
import { META, arr, kind, listKind, map, obj, quantity, ref, str, time } from './builders.ts';

export const METRICS = 'io.k8s.metrics.pkg.apis.metrics.v1beta1.';
const INTERVAL = 'The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].';
const usage = (d: string) => map(d, quantity());

export const metricsDefinitions: Record<string, Schema> = {
  [METRICS + 'ContainerMetrics']: obj('ContainerMetrics sets resource usage metrics of a container.', {
    name: str('Container name corresponding to the one from pod.spec.containers.', { default: '' }),
    usage: usage('The memory usage is the memory working set.'),
  }, { required: ['name', 'usage'], proto: 'name=1 usage=2' }),
  [METRICS + 'PodMetrics']: kind('metrics.k8s.io', 'v1beta1', 'PodMetrics', 'PodMetrics sets resource usage metrics of a pod.', {
    timestamp: time(INTERVAL),
    window: ref(META + 'Duration'),
    containers: arr(ref(METRICS + 'ContainerMetrics', undefined, { default: {} }), 'Metrics for all containers are collected within the same time window.', { listType: 'atomic' }),
  }, { required: ['timestamp', 'window', 'containers'], proto: 'timestamp=2 window=3 containers=4' }),
  [METRICS + 'PodMetricsList']: listKind('metrics.k8s.io', 'v1beta1', 'PodMetricsList', METRICS + 'PodMetrics', 'PodMetricsList is a list of PodMetrics.'),
  [METRICS + 'NodeMetrics']: kind('metrics.k8s.io', 'v1beta1', 'NodeMetrics', 'NodeMetrics sets resource usage metrics of a node.', {
    timestamp: time(INTERVAL),
    window: ref(META + 'Duration'),
    usage: usage('The memory usage is the memory working set.'),
  }, { required: ['timestamp', 'window', 'usage'], proto: 'timestamp=2 window=3 usage=4' }),
  [METRICS + 'NodeMetricsList']: listKind('metrics.k8s.io', 'v1beta1', 'NodeMetricsList', METRICS + 'NodeMetrics', 'NodeMetricsList is a list of NodeMetrics.'),
};
