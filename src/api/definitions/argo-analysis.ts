/**
 * argoproj.io/v1alpha1 AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun, as Argo Rollouts' CRDs publish
 * them (pkg/apis/rollouts/v1alpha1/analysis_types.go), plus kubelite's own built-in provider `kubelite`, which reads
 * the service proxy's measurements of live traffic. Providers kubelite does not implement are accepted as
 * free-form objects; a run that uses one ends in Error with a message that says so.
 */
import type { Schema } from '../schema.ts';
import { arr, bool, int32, intOrString, kind, listKind, map, obj, preserve, ref, str, time } from './builders.ts';
import { ARGO } from './argo-rollouts.ts';

const a = (n: string, d?: string, extra: Partial<Schema> = {}) => ref(ARGO + n, d, extra);
const list = (item: string, d?: string) => arr(a(item), d);
const enumStr = (values: string[], d: string): Schema => ({ type: 'string', enum: values, description: d });

export const ANALYSIS_PHASES = ['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive'];
/** What the built-in provider can measure (see src/analysis/traffic-source.ts). */
export const KUBELITE_METRICS = ['success-rate', 'error-rate', 'request-rate', 'requests', 'latency-mean', 'latency-p50', 'latency-p90', 'latency-p95', 'latency-p99'];

const header = obj('An HTTP header.', { key: str('Header name.'), value: str('Header value.') }, { required: ['key', 'value'] });
const summary = (d: string) => obj(d, {
  count: int32('Metrics measured.'), error: int32('Metrics that ended in Error.'), failed: int32('Metrics that failed.'),
  inconclusive: int32('Metrics that were inconclusive.'), successful: int32('Metrics that succeeded.'),
});

export const argoAnalysisDefinitions: Record<string, Schema> = {
  [ARGO + 'Argument']: obj('An argument of an analysis template or run.', {
    name: str('Name of the argument.'),
    value: str('Its value.'),
    valueFrom: obj('Where to read the value from.', {
      fieldRef: obj('A field of the Rollout.', { fieldPath: str('Path of the field.') }, { required: ['fieldPath'] }),
      secretKeyRef: obj('A key of a Secret.', { key: str('The key.'), name: str('The Secret.') }, { required: ['name', 'key'] }),
    }),
  }, { required: ['name'] }),
  [ARGO + 'KubeliteMetric']: obj("kubelite's built-in provider: live traffic through a Service routed by kubelite's service proxy.", {
    backend: enumStr(['stable', 'canary'], 'Only requests sent to this side; omitted = both.'),
    metric: enumStr(KUBELITE_METRICS, 'What to measure.'),
    revision: str('Only requests answered by pods of this rollouts-pod-template-hash.'),
    service: str('The Service the traffic enters through (a Rollout\'s stableService), in the run\'s namespace.'),
    window: str('The window ending at the measurement (default: the metric\'s interval, else 60s).'),
  }, { required: ['service', 'metric'] }),
  [ARGO + 'PrometheusMetric']: obj('A PromQL query against a Prometheus server.', {
    address: str('Address of the Prometheus server (e.g. http://127.0.0.1:9090).'),
    authentication: preserve('Authentication (not supported by kubelite).'),
    headers: arr(header, 'Headers to send.'),
    insecure: bool('Skip TLS verification.'),
    query: str('The PromQL query.'),
    rangeQuery: obj('A range query.', { end: str('End.'), start: str('Start.'), step: str('Step.') }),
    timeout: int32('Timeout in seconds (default 30).'),
  }),
  [ARGO + 'WebMetric']: obj('An HTTP request whose JSON answer is the measurement.', {
    authentication: preserve('Authentication (not supported by kubelite).'),
    body: str('Request body (POST/PUT).'),
    headers: arr(header, 'Headers to send.'),
    insecure: bool('Skip TLS verification.'),
    jsonBody: preserve('A JSON request body.'),
    jsonPath: str('JSONPath of the value in the answer (default {$}).'),
    method: enumStr(['GET', 'POST', 'PUT'], 'HTTP method (default GET).'),
    timeoutSeconds: int32('Timeout in seconds (default 10).'),
    url: str('The URL.'),
  }, { required: ['url'] }),
  [ARGO + 'MetricProvider']: obj('Where a metric is measured: exactly one provider.', {
    cloudWatch: preserve('CloudWatch (not supported by kubelite).'),
    datadog: preserve('Datadog (not supported by kubelite).'),
    graphite: preserve('Graphite (not supported by kubelite).'),
    influxdb: preserve('InfluxDB (not supported by kubelite).'),
    job: preserve('A Kubernetes Job (not supported by kubelite).'),
    kayenta: preserve('Kayenta (not supported by kubelite).'),
    kubelite: a('KubeliteMetric', "kubelite's built-in provider."),
    newRelic: preserve('New Relic (not supported by kubelite).'),
    plugin: preserve('Metric plugins (not supported by kubelite).'),
    prometheus: a('PrometheusMetric', 'Prometheus.'),
    skywalking: preserve('SkyWalking (not supported by kubelite).'),
    wavefront: preserve('Wavefront (not supported by kubelite).'),
    web: a('WebMetric', 'An HTTP endpoint.'),
  }),
  [ARGO + 'Metric']: obj('A metric: how to measure it and when it passes.', {
    consecutiveErrorLimit: intOrString('Consecutive errors tolerated (default 4).'),
    consecutiveSuccessLimit: intOrString('Consecutive successes that end the metric successfully (default 0 = off).'),
    count: intOrString('Number of measurements (default 1 without interval, unbounded with one).'),
    failureCondition: str('Expression over `result` that marks a measurement Failed.'),
    failureLimit: intOrString('Failed measurements tolerated (default 0; -1 = never fail).'),
    inconclusiveLimit: intOrString('Inconclusive measurements tolerated (default 0).'),
    initialDelay: str('Wait before the first measurement (duration).'),
    interval: str('Time between measurements (duration).'),
    name: str('Name of the metric.'),
    provider: a('MetricProvider', 'Where to measure.'),
    successCondition: str('Expression over `result` that marks a measurement Successful.'),
  }, { required: ['name', 'provider'] }),
  [ARGO + 'AnalysisTemplateRef']: obj('A template whose metrics and args are included.', {
    clusterScope: bool('Whether it is a ClusterAnalysisTemplate.'),
    templateName: str('Name of the template.'),
  }),
  [ARGO + 'AnalysisTemplateSpec']: obj('The metrics and arguments of an analysis template.', {
    args: list('Argument', 'Arguments the metrics use as {{args.<name>}}.'),
    dryRun: list('DryRun', 'Metrics run in dry-run mode.'),
    measurementRetention: list('MeasurementRetention', 'Measurements kept per metric.'),
    metrics: list('Metric', 'The metrics.'),
    templates: list('AnalysisTemplateRef', 'Other templates included.'),
  }),
  [ARGO + 'AnalysisTemplate']: kind('argoproj.io', 'v1alpha1', 'AnalysisTemplate', 'AnalysisTemplate holds the metrics an AnalysisRun measures.', {
    spec: a('AnalysisTemplateSpec', 'The metrics and arguments.'),
  }, { required: ['spec'] }),
  [ARGO + 'AnalysisTemplateList']: listKind('argoproj.io', 'v1alpha1', 'AnalysisTemplateList', ARGO + 'AnalysisTemplate', 'AnalysisTemplateList is a list of AnalysisTemplates.'),
  [ARGO + 'ClusterAnalysisTemplate']: kind('argoproj.io', 'v1alpha1', 'ClusterAnalysisTemplate', 'ClusterAnalysisTemplate is an AnalysisTemplate for every namespace.', {
    spec: a('AnalysisTemplateSpec', 'The metrics and arguments.'),
  }, { required: ['spec'] }),
  [ARGO + 'ClusterAnalysisTemplateList']: listKind('argoproj.io', 'v1alpha1', 'ClusterAnalysisTemplateList', ARGO + 'ClusterAnalysisTemplate', 'ClusterAnalysisTemplateList is a list of ClusterAnalysisTemplates.'),

  [ARGO + 'Measurement']: obj('One measurement of a metric.', {
    finishedAt: time('When it finished.'),
    message: str('Why it ended in its phase.'),
    metadata: map('Provider details.'),
    phase: enumStr(ANALYSIS_PHASES, 'Phase of the measurement.'),
    resumeAt: time('When an in-progress measurement is checked again.'),
    startedAt: time('When it started.'),
    value: str('The measured value.'),
  }, { required: ['phase'] }),
  [ARGO + 'MetricResult']: obj('The measurements and counters of one metric.', {
    consecutiveError: int32('Errors in a row.'),
    consecutiveSuccess: int32('Successes in a row.'),
    count: int32('Measurements taken (errors excluded).'),
    dryRun: bool('Whether the metric runs in dry-run mode.'),
    error: int32('Measurements that ended in Error.'),
    failed: int32('Failed measurements.'),
    inconclusive: int32('Inconclusive measurements.'),
    measurements: list('Measurement', 'The most recent measurements.'),
    message: str('Why the metric is in its phase.'),
    metadata: map('Provider details.'),
    name: str('Name of the metric.'),
    phase: enumStr(ANALYSIS_PHASES, 'Phase of the metric.'),
    successful: int32('Successful measurements.'),
  }, { required: ['name', 'phase'] }),
  [ARGO + 'AnalysisRunSpec']: obj('What an AnalysisRun measures.', {
    args: list('Argument', 'Resolved arguments.'),
    dryRun: list('DryRun', 'Metrics run in dry-run mode.'),
    measurementRetention: list('MeasurementRetention', 'Measurements kept per metric.'),
    metrics: list('Metric', 'The metrics.'),
    terminate: bool('Stop measuring and complete the run.'),
    ttlStrategy: obj('When a completed run is deleted.', {
      secondsAfterCompletion: int32('Seconds after completion.'),
      secondsAfterFailure: int32('Seconds after failure.'),
      secondsAfterSuccess: int32('Seconds after success.'),
    }),
  }, { required: ['metrics'] }),
  [ARGO + 'AnalysisRunStatus']: obj('The observed state of an AnalysisRun.', {
    completedAt: time('When the run completed.'),
    dryRunSummary: summary('Counts of the dry-run metrics.'),
    message: str('Why the run is in its phase.'),
    metricResults: list('MetricResult', 'Per-metric results.'),
    phase: enumStr(ANALYSIS_PHASES, 'Phase of the run.'),
    runSummary: summary('Counts of the metrics.'),
    startedAt: time('When the run started.'),
  }),
  [ARGO + 'AnalysisRun']: kind('argoproj.io', 'v1alpha1', 'AnalysisRun', 'AnalysisRun measures metrics and decides whether a version is good.', {
    spec: a('AnalysisRunSpec', 'What to measure.'),
    status: a('AnalysisRunStatus', 'The results.'),
  }, { required: ['spec'] }),
  [ARGO + 'AnalysisRunList']: listKind('argoproj.io', 'v1alpha1', 'AnalysisRunList', ARGO + 'AnalysisRun', 'AnalysisRunList is a list of AnalysisRuns.'),
};
