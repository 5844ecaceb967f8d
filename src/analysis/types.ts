/**
 * The shapes of argoproj.io/v1alpha1 AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun that the analysis
 * code reads and writes (Argo Rollouts' pkg/apis/rollouts/v1alpha1/analysis_types.go, in JSON form). The schema
 * that validates them lives in src/api/definitions/argo-analysis.ts; these are the TypeScript view of it.
 */

export type AnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

/** An int or a string holding an int (Kubernetes IntOrString), as Argo's count and limits are typed. */
export type IntOrString = number | string;

export interface Argument {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
    /** Only in a Rollout's run arguments; the rollout controller resolves it before the run is built. */
    podTemplateHashValue?: 'Latest' | 'Stable';
  };
}

export interface WebHeader { key: string; value: string }

export interface KubeliteMetric {
  service: string;
  backend?: 'stable' | 'canary';
  revision?: string;
  metric: string;
  window?: string;
}

export interface WebMetric {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: WebHeader[];
  body?: string;
  jsonBody?: unknown;
  timeoutSeconds?: number;
  jsonPath?: string;
  insecure?: boolean;
  authentication?: unknown;
}

export interface PrometheusMetric {
  address?: string;
  query?: string;
  timeout?: number;
  insecure?: boolean;
  headers?: WebHeader[];
  authentication?: unknown;
  rangeQuery?: { start?: string; end?: string; step?: string };
}

export interface MetricProvider {
  kubelite?: KubeliteMetric;
  web?: WebMetric;
  prometheus?: PrometheusMetric;
  [other: string]: unknown;
}

export interface Metric {
  name: string;
  interval?: string;
  initialDelay?: string;
  count?: IntOrString;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: IntOrString;
  inconclusiveLimit?: IntOrString;
  consecutiveErrorLimit?: IntOrString;
  consecutiveSuccessLimit?: IntOrString;
  provider: MetricProvider;
}

export interface DryRun { metricName: string }
export interface MeasurementRetention { metricName: string; limit: number }

export interface AnalysisTemplateRef { templateName: string; clusterScope?: boolean }

export interface AnalysisTemplateSpec {
  metrics?: Metric[];
  args?: Argument[];
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
  templates?: AnalysisTemplateRef[];
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

export interface AnalysisTemplate {
  apiVersion?: string;
  kind?: 'AnalysisTemplate' | 'ClusterAnalysisTemplate';
  metadata: ObjectMeta;
  spec: AnalysisTemplateSpec;
}

export interface Measurement {
  phase: AnalysisPhase;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  value?: string;
  metadata?: Record<string, string>;
  resumeAt?: string;
}

export interface MetricResult {
  name: string;
  phase: AnalysisPhase;
  measurements?: Measurement[];
  message?: string;
  count?: number;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  error?: number;
  consecutiveError?: number;
  consecutiveSuccess?: number;
  dryRun?: boolean;
  metadata?: Record<string, string>;
}

export interface RunSummary { count?: number; successful?: number; failed?: number; inconclusive?: number; error?: number }

export interface AnalysisRunSpec {
  metrics: Metric[];
  args?: Argument[];
  terminate?: boolean;
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
  ttlStrategy?: { secondsAfterCompletion?: number; secondsAfterFailure?: number; secondsAfterSuccess?: number };
}

export interface AnalysisRunStatus {
  phase?: AnalysisPhase;
  message?: string;
  startedAt?: string;
  completedAt?: string;
  metricResults?: MetricResult[];
  runSummary?: RunSummary;
  dryRunSummary?: RunSummary;
}

export interface AnalysisRun {
  apiVersion?: string;
  kind?: 'AnalysisRun';
  metadata: ObjectMeta;
  spec: AnalysisRunSpec;
  status?: AnalysisRunStatus;
}

/** A phase that will not change any more (Argo's AnalysisPhase.Completed()). */
export function isCompleted(phase: AnalysisPhase | undefined): boolean {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
}
