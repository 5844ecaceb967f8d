/**
 * The argoproj.io/v1alpha1 objects the Rollout controller reads and writes, as TypeScript shapes (Argo Rollouts'
 * pkg/apis/rollouts/v1alpha1 types, only the fields the controller uses), and the well-known label, annotation,
 * condition and event names (reference/rollouts-semantics.md §3, §7).
 */
import type { ObjectMeta, LabelSelector } from 'kubernetes-types/meta/v1.d.ts';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.d.ts';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { R } from '../../client/resources.ts';

export type IntOrString = number | string;

export interface AnalysisTemplateRef { templateName: string; clusterScope?: boolean }
export interface ArgumentValueFrom {
  podTemplateHashValue?: 'Latest' | 'Stable' | string;
  fieldRef?: { fieldPath: string };
  secretKeyRef?: { name: string; key: string };
}
export interface AnalysisRunArgument { name: string; value?: string; valueFrom?: ArgumentValueFrom }
export interface RolloutAnalysis {
  templates?: AnalysisTemplateRef[];
  args?: AnalysisRunArgument[];
  dryRun?: { metricName: string }[];
  measurementRetention?: { metricName: string; limit: number }[];
  analysisRunMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}
export interface RolloutAnalysisBackground extends RolloutAnalysis { startingStep?: number }

export interface SetCanaryScale { replicas?: number; weight?: number; matchTrafficWeight?: boolean }
export interface CanaryStep {
  setWeight?: number;
  pause?: { duration?: IntOrString };
  analysis?: RolloutAnalysis;
  experiment?: unknown;
  setCanaryScale?: SetCanaryScale;
  setHeaderRoute?: unknown;
  setMirrorRoute?: unknown;
  plugin?: unknown;
}

export interface TrafficRouting {
  plugins?: Record<string, unknown>;
  maxTrafficWeight?: number;
  managedRoutes?: { name: string }[];
  [router: string]: unknown;
}

export interface CanaryStrategy {
  canaryService?: string;
  stableService?: string;
  steps?: CanaryStep[];
  trafficRouting?: TrafficRouting;
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
  analysis?: RolloutAnalysisBackground;
  scaleDownDelaySeconds?: number;
  scaleDownDelayRevisionLimit?: number;
  abortScaleDownDelaySeconds?: number;
  dynamicStableScale?: boolean;
  minPodsPerReplicaSet?: number;
  antiAffinity?: unknown;
  canaryMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  stableMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  pingPong?: unknown;
}

export interface BlueGreenStrategy {
  activeService: string;
  previewService?: string;
  previewReplicaCount?: number;
  autoPromotionEnabled?: boolean;
  autoPromotionSeconds?: number;
  maxUnavailable?: IntOrString;
  scaleDownDelaySeconds?: number;
  scaleDownDelayRevisionLimit?: number;
  abortScaleDownDelaySeconds?: number;
  prePromotionAnalysis?: RolloutAnalysis;
  postPromotionAnalysis?: RolloutAnalysis;
  antiAffinity?: unknown;
  previewMetadata?: unknown;
  activeMetadata?: unknown;
}

export interface WorkloadRef { apiVersion: string; kind: string; name: string; scaleDown?: 'never' | 'onsuccess' | 'progressively' }

export interface RolloutSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplateSpec;
  workloadRef?: WorkloadRef;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  progressDeadlineAbort?: boolean;
  restartAt?: string;
  rollbackWindow?: { revisions?: number };
  strategy: { canary?: CanaryStrategy; blueGreen?: BlueGreenStrategy };
  analysis?: { successfulRunHistoryLimit?: number; unsuccessfulRunHistoryLimit?: number };
}

export interface PauseCondition { reason: string; startTime: string }
export interface RolloutCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}
export interface RolloutAnalysisRunStatus { name: string; status: string; message?: string }
export interface WeightDestination { weight: number; serviceName?: string; podTemplateHash?: string }
export interface TrafficWeights { canary: WeightDestination; stable: WeightDestination; additional?: WeightDestination[]; verified?: boolean }

export interface RolloutStatus {
  abort?: boolean;
  pauseConditions?: PauseCondition[];
  controllerPause?: boolean;
  abortedAt?: string;
  currentPodHash?: string;
  currentStepHash?: string;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  currentStepIndex?: number;
  collisionCount?: number;
  observedGeneration?: string;
  conditions?: RolloutCondition[];
  canary?: {
    currentStepAnalysisRunStatus?: RolloutAnalysisRunStatus;
    currentBackgroundAnalysisRunStatus?: RolloutAnalysisRunStatus;
    currentExperiment?: string;
    weights?: TrafficWeights;
    stablePingPong?: string;
  };
  blueGreen?: {
    previewSelector?: string;
    activeSelector?: string;
    scaleUpPreviewCheckPoint?: boolean;
    prePromotionAnalysisRunStatus?: RolloutAnalysisRunStatus;
    postPromotionAnalysisRunStatus?: RolloutAnalysisRunStatus;
  };
  HPAReplicas?: number;
  selector?: string;
  stableRS?: string;
  restartedAt?: string;
  promoteFull?: boolean;
  phase?: string;
  message?: string;
  workloadObservedGeneration?: string;
}

export interface Rollout {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta & { name: string; namespace: string };
  spec: RolloutSpec;
  status?: RolloutStatus;
  [k: string]: unknown;
}

export interface AnalysisRun {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta & { name: string };
  spec: { metrics?: unknown[]; args?: { name: string; value?: string; valueFrom?: unknown }[]; terminate?: boolean; dryRun?: unknown[]; measurementRetention?: unknown[]; [k: string]: unknown };
  status?: { phase?: string; message?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface AnalysisTemplate {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta & { name: string };
  spec: { metrics?: { name: string; [k: string]: unknown }[]; args?: { name: string; value?: string; valueFrom?: unknown }[]; dryRun?: { metricName: string }[]; measurementRetention?: { metricName: string; limit: number }[]; templates?: AnalysisTemplateRef[]; [k: string]: unknown };
  [k: string]: unknown;
}

export type RS = ReplicaSet & { metadata: NonNullable<ReplicaSet["metadata"]> & { name: string }; spec: NonNullable<ReplicaSet["spec"]>; [k: string]: unknown };

// ---------------------------------------------------------------- REST coordinates (from the kinds' descriptors)

export const AR = { rollouts: R.rollouts, analysisruns: R.analysisruns, analysistemplates: R.analysistemplates, clusteranalysistemplates: R.clusteranalysistemplates } as const;
export const RolloutAPIVersion = 'argoproj.io/v1alpha1';

// ---------------------------------------------------------------- labels and annotations (§3)

export const PodTemplateHashLabel = 'rollouts-pod-template-hash';
export const ManagedByAnnotation = 'argo-rollouts.argoproj.io/managed-by-rollouts';
export const RevisionAnnotation = 'rollout.argoproj.io/revision';
export const DesiredReplicasAnnotation = 'rollout.argoproj.io/desired-replicas';
export const WorkloadGenerationAnnotation = 'rollout.argoproj.io/workload-generation';
export const ScaleDownDeadlineAnnotation = 'scale-down-deadline';
export const RolloutTypeLabel = 'rollout-type';
export const StepIndexLabel = 'step-index';
export const RolloutType = { Step: 'Step', Background: 'Background', PrePromotion: 'PrePromotion', PostPromotion: 'PostPromotion' } as const;

/** kubelite's traffic router (ROLLOUTS-CONTRACT.md): opt-in plugin name and the stable Service's annotations. */
export const KubeliteRouterPlugin = 'kubelite.io/service-proxy';
export const CanaryServiceAnnotation = 'traffic.kubelite.io/canary-service';
export const CanaryWeightAnnotation = 'traffic.kubelite.io/canary-weight';

// ---------------------------------------------------------------- pause reasons, conditions, events (§7)

export const PauseReason = {
  CanaryPauseStep: 'CanaryPauseStep',
  BlueGreenPause: 'BlueGreenPause',
  InconclusiveAnalysis: 'InconclusiveAnalysisRun',
  InconclusiveExperiment: 'InconclusiveExperiment',
} as const;

export const CondType = {
  Progressing: 'Progressing',
  Available: 'Available',
  Paused: 'Paused',
  Completed: 'Completed',
  Healthy: 'Healthy',
  InvalidSpec: 'InvalidSpec',
  ReplicaFailure: 'ReplicaFailure',
} as const;

export const Reason = {
  InvalidSpec: 'InvalidSpec',
  Available: 'AvailableReason',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  FailedRSCreate: 'ReplicaSetCreateError',
  NewReplicaSet: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  RolloutUpdated: 'RolloutUpdated',
  RolloutCompleted: 'RolloutCompleted',
  RolloutNotCompleted: 'RolloutNotCompleted',
  RolloutHealthy: 'RolloutHealthy',
  RolloutAborted: 'RolloutAborted',
  RolloutRetry: 'RolloutRetry',
  RolloutPaused: 'RolloutPaused',
  RolloutResumed: 'RolloutResumed',
  ReplicaSetNotAvailable: 'ReplicaSetNotAvailable',
  StepCompleted: 'RolloutStepCompleted',
  TrafficWeightUpdated: 'TrafficWeightUpdated',
  NewRSAvailable: 'NewReplicaSetAvailable',
  TimedOut: 'ProgressDeadlineExceeded',
  ScalingReplicaSet: 'ScalingReplicaSet',
  SwitchService: 'SwitchService',
  SkipSteps: 'SkipSteps',
} as const;

export const Msg = {
  notAvailable: 'Rollout does not have minimum availability',
  available: 'Rollout has minimum availability',
  rolloutProgressing: (name: string) => `Rollout "${name}" is progressing.`,
  rsProgressing: (name: string) => `ReplicaSet "${name}" is progressing.`,
  failedRSCreate: (name: string, err: string) => `Failed to create new replica set "${name}": ${err}`,
  newReplicaSet: (name: string) => `Created new replica set "${name}"`,
  newReplicaSetDetailed: (name: string, rev: number) => `Created ReplicaSet ${name} (revision ${rev})`,
  foundNewRS: (name: string) => `Found new replica set "${name}"`,
  rolloutUpdated: (rev: string) => `Rollout updated to revision ${rev}`,
  rolloutCompleted: (rev: number, hash: string, reason: string) => `Rollout completed update to revision ${rev} (${hash}): ${reason}`,
  rolloutNotCompleted: (rev: number, hash: string) => `Rollout not completed, started update to revision ${rev} (${hash})`,
  healthy: 'Rollout is healthy',
  notHealthy: 'Rollout is not healthy',
  aborted: (rev: number) => `Rollout aborted update to revision ${rev}`,
  retry: 'Retrying Rollout after abort',
  paused: 'Rollout is paused',
  resumed: 'Rollout is resumed',
  stepCompleted: (i: number, n: number, step: string) => `Rollout step ${i}/${n} completed (${step})`,
  trafficWeightUpdated: (details: string) => `Traffic weight updated ${details}`,
  rolloutTimedOut: (name: string) => `Rollout "${name}" has timed out progressing.`,
  rsTimedOut: (name: string) => `ReplicaSet "${name}" has timed out progressing.`,
  rsCompleted: (name: string) => `ReplicaSet "${name}" has successfully progressed.`,
  scaling: (op: string, rs: string, rev: number, from: number, to: number) => `Scaled ${op} ReplicaSet ${rs} (revision ${rev}) from ${from} to ${to}`,
  invalidSpec: (name: string, err: string) => `The Rollout "${name}" is invalid: ${err}`,
  selectAll: 'This rollout is selecting all pods. A non-empty selector is required.',
} as const;
