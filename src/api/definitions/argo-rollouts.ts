/**
 * argoproj.io/v1alpha1 Rollout: the schema Argo Rollouts' CRD publishes (pkg/apis/rollouts/v1alpha1/types.go), so
 * manifests from Argo's documentation apply unchanged. Router-specific blocks kubelite does not implement (istio,
 * nginx, alb, ...) and experiment/header/mirror/plugin steps are kept as free-form objects: they are accepted and
 * stored; the controller reports them as unsupported instead of dropping them silently.
 */
import type { Schema } from '../schema.ts';
import { META, arr, bool, int32, intOrString, keyedList, kind, listKind, map, obj, preserve, ref, str, strList, time } from './builders.ts';

export const ARGO = 'io.argoproj.v1alpha1.';
const a = (n: string, d?: string, extra: Partial<Schema> = {}) => ref(ARGO + n, d, extra);
const list = (item: string, d?: string) => arr(a(item), d);

const condition = (d: string): Schema => obj(d, {
  lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
  lastUpdateTime: time('The last time this condition was updated.'),
  message: str('A human readable message indicating details about the transition.'),
  reason: str("The reason for the condition's last transition."),
  status: str('True, False or Unknown.'),
  type: str('Type of the condition.'),
}, { required: ['type', 'status', 'lastUpdateTime', 'lastTransitionTime', 'reason', 'message'] });

export const argoRolloutDefinitions: Record<string, Schema> = {
  [ARGO + 'ObjectRef']: obj('ObjectRef holds a reference to the workload whose pod template the Rollout uses.', {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent: Deployment, ReplicaSet or PodTemplate.'),
    name: str('Name of the referent.'),
    scaleDown: { type: 'string', enum: ['never', 'onsuccess', 'progressively'], description: 'What happens to the referenced Deployment: never (left alone), onsuccess (scaled to 0 once the Rollout is healthy), progressively (scaled down as the Rollout scales up).' },
  }),
  [ARGO + 'PodTemplateMetadata']: obj('Ephemeral labels and annotations injected into the pods of one side of an update.', {
    annotations: map('Annotations to add.'),
    labels: map('Labels to add.'),
  }),
  [ARGO + 'AntiAffinity']: obj('Pod anti-affinity between the new and the stable ReplicaSet.', {
    preferredDuringSchedulingIgnoredDuringExecution: obj('Preferred anti-affinity with a weight.', { weight: int32('Weight 1-100.') }, { required: ['weight'] }),
    requiredDuringSchedulingIgnoredDuringExecution: obj('Required anti-affinity.', {}),
  }),
  [ARGO + 'AnalysisRunArgument']: obj('An argument passed to an AnalysisRun.', {
    name: str('Name of the argument.'),
    value: str('A literal value.'),
    valueFrom: obj('Where to read the value from.', {
      fieldRef: obj('A field of the Rollout.', { fieldPath: str('Path of the field, e.g. metadata.labels[\'app\'] or status.stableRS.') }, { required: ['fieldPath'] }),
      podTemplateHashValue: { type: 'string', enum: ['Stable', 'Latest'], description: 'The pod template hash of the stable or the latest (canary) ReplicaSet.' },
    }),
  }, { required: ['name'] }),
  [ARGO + 'RolloutAnalysisTemplate']: obj('A reference to an AnalysisTemplate or ClusterAnalysisTemplate.', {
    clusterScope: bool('Whether the template is a ClusterAnalysisTemplate.'),
    templateName: str('Name of the template.'),
  }),
  [ARGO + 'DryRun']: obj('A metric run in dry-run mode: measured, but its result never fails the run.', {
    metricName: str('Name of the metric ("*" for all).'),
  }, { required: ['metricName'] }),
  [ARGO + 'MeasurementRetention']: obj('How many measurements of a metric to keep.', {
    limit: int32('Number of measurements to keep.'),
    metricName: str('Name of the metric ("*" for all).'),
  }, { required: ['metricName', 'limit'] }),
  [ARGO + 'AnalysisRunMetadata']: obj('Labels and annotations added to AnalysisRuns.', {
    annotations: map('Annotations to add.'),
    labels: map('Labels to add.'),
  }),
  [ARGO + 'RolloutAnalysis']: obj('Analysis run from a Rollout: templates and their arguments.', {
    analysisRunMetadata: a('AnalysisRunMetadata', 'Labels and annotations for the AnalysisRun.'),
    args: list('AnalysisRunArgument', 'Arguments of the run.'),
    dryRun: list('DryRun', 'Metrics to run in dry-run mode.'),
    measurementRetention: list('MeasurementRetention', 'Measurements to keep per metric.'),
    templates: list('RolloutAnalysisTemplate', 'Templates whose metrics make up the run.'),
  }),
  [ARGO + 'RolloutAnalysisBackground']: obj('Background analysis of a canary update.', {
    analysisRunMetadata: a('AnalysisRunMetadata', 'Labels and annotations for the AnalysisRun.'),
    args: list('AnalysisRunArgument', 'Arguments of the run.'),
    dryRun: list('DryRun', 'Metrics to run in dry-run mode.'),
    measurementRetention: list('MeasurementRetention', 'Measurements to keep per metric.'),
    startingStep: int32('The step index from which the background analysis starts.'),
    templates: list('RolloutAnalysisTemplate', 'Templates whose metrics make up the run.'),
  }),
  [ARGO + 'RolloutPause']: obj('A pause step.', {
    duration: intOrString('How long to pause: seconds as an integer, or a duration string (10s, 5m, 1h). Omitted: until promoted.'),
  }),
  [ARGO + 'SetCanaryScale']: obj('Scales the canary independently of its traffic weight (traffic routing only).', {
    matchTrafficWeight: bool('Scale the canary to match the traffic weight again.'),
    replicas: int32('An absolute number of canary pods.'),
    weight: int32('A percentage of spec.replicas.'),
  }),
  [ARGO + 'CanaryStep']: obj('One step of a canary update.', {
    analysis: a('RolloutAnalysis', 'Run an analysis and wait for it to succeed.'),
    experiment: preserve('Run an experiment (accepted, not supported by kubelite).'),
    pause: a('RolloutPause', 'Pause the update.'),
    plugin: preserve('A step plugin (accepted, not supported by kubelite).'),
    setCanaryScale: a('SetCanaryScale', 'Scale the canary independently of the traffic weight.'),
    setHeaderRoute: preserve('A header route (accepted, not supported by kubelite).'),
    setMirrorRoute: preserve('A mirror route (accepted, not supported by kubelite).'),
    setWeight: int32('The percentage of traffic (or, without trafficRouting, of replicas) the canary gets.'),
  }),
  [ARGO + 'RolloutTrafficRouting']: obj('How traffic is split between stable and canary. kubelite routes with its own service proxy when plugins has the key "kubelite.io/service-proxy".', {
    alb: preserve('AWS ALB (accepted, not supported by kubelite).'),
    ambassador: preserve('Ambassador (accepted, not supported by kubelite).'),
    apisix: preserve('Apisix (accepted, not supported by kubelite).'),
    appMesh: preserve('App Mesh (accepted, not supported by kubelite).'),
    istio: preserve('Istio (accepted, not supported by kubelite).'),
    managedRoutes: keyedList(obj('A route managed by the Rollout.', { name: str('Name of the route.') }, { required: ['name'] }), 'name', 'Routes the Rollout manages.'),
    maxTrafficWeight: int32('The total weight (default 100).'),
    nginx: preserve('NGINX ingress (accepted, not supported by kubelite).'),
    plugins: map('Traffic router plugins by name; "kubelite.io/service-proxy" selects kubelite\'s own router.', preserve()),
    smi: preserve('SMI (accepted, not supported by kubelite).'),
    traefik: preserve('Traefik (accepted, not supported by kubelite).'),
  }),
  [ARGO + 'ReplicaProgressThreshold']: obj('How much of the desired canary must be available before a step counts as reached.', {
    type: { type: 'string', enum: ['Percent', 'Pod'], description: 'Percent or Pod.' },
    value: int32('The threshold.'),
  }, { required: ['type', 'value'] }),
  [ARGO + 'PingPongSpec']: obj('Ping-pong services (ALB).', { pingService: str('Ping service.'), pongService: str('Pong service.') }, { required: ['pingService', 'pongService'] }),
  [ARGO + 'CanaryStrategy']: obj('The canary update strategy.', {
    abortScaleDownDelaySeconds: int32('Seconds before the canary is scaled down after an abort (traffic routing only; default 30; 0 = never).'),
    analysis: a('RolloutAnalysisBackground', 'Background analysis for the whole update.'),
    antiAffinity: a('AntiAffinity', 'Anti-affinity between canary and stable pods.'),
    canaryMetadata: a('PodTemplateMetadata', 'Labels and annotations added to canary pods.'),
    canaryService: str('The Service whose selector is pinned to the canary pods.'),
    dynamicStableScale: bool('Scale the stable ReplicaSet down as the canary weight rises (traffic routing only).'),
    maxSurge: intOrString('Pods above spec.replicas during the update (default 25%).'),
    maxUnavailable: intOrString('Pods that may be unavailable during the update (default 25%).'),
    minPodsPerReplicaSet: int32('Minimum pods per ReplicaSet (traffic routing only).'),
    pingPong: a('PingPongSpec', 'Ping-pong services (ALB).'),
    replicaProgressThreshold: a('ReplicaProgressThreshold', 'When a step counts as reached.'),
    scaleDownDelayRevisionLimit: int32('How many old ReplicaSets may wait in their scale-down delay.'),
    scaleDownDelaySeconds: int32('Seconds before the previous stable ReplicaSet is scaled down after promotion (traffic routing only; default 30).'),
    stableMetadata: a('PodTemplateMetadata', 'Labels and annotations added to stable pods.'),
    stableService: str('The Service whose selector is pinned to the stable pods.'),
    steps: list('CanaryStep', 'The steps of the update.'),
    trafficRouting: a('RolloutTrafficRouting', 'How traffic is split.'),
  }),
  [ARGO + 'BlueGreenStrategy']: obj('The blue/green update strategy.', {
    abortScaleDownDelaySeconds: int32('Seconds before the preview ReplicaSet is scaled down after an abort (default 30; 0 = never).'),
    activeMetadata: a('PodTemplateMetadata', 'Labels and annotations added to active pods.'),
    activeService: str('The Service that serves production traffic.'),
    antiAffinity: a('AntiAffinity', 'Anti-affinity between active and preview pods.'),
    autoPromotionEnabled: bool('Promote automatically once the preview is ready (default true).'),
    autoPromotionSeconds: int32('Pause this many seconds before promoting automatically.'),
    maxUnavailable: intOrString('Pods that may be unavailable while restarting.'),
    postPromotionAnalysis: a('RolloutAnalysis', 'Analysis after the active Service switched.'),
    prePromotionAnalysis: a('RolloutAnalysis', 'Analysis before the active Service switches.'),
    previewMetadata: a('PodTemplateMetadata', 'Labels and annotations added to preview pods.'),
    previewReplicaCount: int32('Pods of the new version before promotion (default: spec.replicas).'),
    previewService: str('The Service that serves the new version before promotion.'),
    scaleDownDelayRevisionLimit: int32('How many old ReplicaSets may wait in their scale-down delay.'),
    scaleDownDelaySeconds: int32('Seconds before the previous active ReplicaSet is scaled down (default 30).'),
  }, { required: ['activeService'] }),
  [ARGO + 'RolloutStrategy']: obj('The update strategy: exactly one of canary and blueGreen.', {
    blueGreen: a('BlueGreenStrategy', 'Blue/green update.'),
    canary: a('CanaryStrategy', 'Canary update.'),
  }),
  [ARGO + 'RolloutSpec']: obj('The desired state of a Rollout.', {
    analysis: obj('How many AnalysisRuns to keep.', {
      successfulRunHistoryLimit: int32('Successful runs kept (default 5).'),
      unsuccessfulRunHistoryLimit: int32('Unsuccessful runs kept (default 5).'),
    }),
    minReadySeconds: int32('Seconds a new pod must be ready before it counts as available (default 0).'),
    paused: bool('Pauses the update.'),
    progressDeadlineAbort: bool('Abort an update that exceeded progressDeadlineSeconds.'),
    progressDeadlineSeconds: int32('Seconds an update may go without progress before it is considered failed (default 600).'),
    replicas: int32('Number of desired pods (default 1).'),
    restartAt: time('Pods created before this time are restarted.'),
    revisionHistoryLimit: int32('Old ReplicaSets kept for rollback (default 10).'),
    rollbackWindow: obj('Rolling back within this many revisions skips the steps.', { revisions: int32('Number of revisions.') }),
    selector: ref(META + 'LabelSelector', "Label selector for pods. It must match the pod template's labels."),
    strategy: a('RolloutStrategy', 'The update strategy.'),
    template: ref('io.k8s.api.core.v1.PodTemplateSpec', 'The pods to create (not with workloadRef).'),
    workloadRef: a('ObjectRef', 'A workload whose pod template the Rollout uses instead of its own.'),
  }),
  [ARGO + 'RolloutCondition']: condition('A condition of a Rollout.'),
  [ARGO + 'PauseCondition']: obj('Why and since when the Rollout is paused by the controller.', {
    reason: str('CanaryPauseStep, BlueGreenPause, InconclusiveAnalysisRun or InconclusiveExperiment.'),
    startTime: time('When the pause started.'),
  }, { required: ['reason', 'startTime'] }),
  [ARGO + 'RolloutAnalysisRunStatus']: obj('The AnalysisRun currently running for a purpose.', {
    message: str('The run\'s message.'),
    name: str('Name of the AnalysisRun.'),
    status: str('Phase of the run.'),
  }, { required: ['name', 'status'] }),
  [ARGO + 'WeightDestination']: obj('The traffic weight of one side.', {
    podTemplateHash: str('Pod template hash of the side.'),
    serviceName: str('Service of the side.'),
    weight: int32('Weight in percent.'),
  }),
  [ARGO + 'TrafficWeights']: obj('The traffic weights the router applied.', {
    additional: list('WeightDestination', 'Other destinations.'),
    canary: a('WeightDestination', 'The canary side.'),
    stable: a('WeightDestination', 'The stable side.'),
    verified: bool('Whether the router confirmed the weights.'),
  }, { required: ['canary', 'stable'] }),
  [ARGO + 'CanaryStatus']: obj('Status of a canary update.', {
    currentBackgroundAnalysisRunStatus: a('RolloutAnalysisRunStatus', 'The background analysis run.'),
    currentExperiment: str('The current experiment.'),
    currentStepAnalysisRunStatus: a('RolloutAnalysisRunStatus', 'The step analysis run.'),
    stablePingPong: str('ping or pong.'),
    stepPluginStatuses: atomicPreserve('Step plugin statuses.'),
    weights: a('TrafficWeights', 'The traffic weights applied by the router.'),
  }),
  [ARGO + 'BlueGreenStatus']: obj('Status of a blue/green update.', {
    activeSelector: str('The pod template hash the active Service selects.'),
    postPromotionAnalysisRunStatus: a('RolloutAnalysisRunStatus', 'The post-promotion analysis run.'),
    prePromotionAnalysisRunStatus: a('RolloutAnalysisRunStatus', 'The pre-promotion analysis run.'),
    previewSelector: str('The pod template hash the preview Service selects.'),
    scaleUpPreviewCheckPoint: bool('Whether the preview was scaled up to spec.replicas before promotion.'),
  }),
  [ARGO + 'RolloutStatus']: obj('The observed state of a Rollout.', {
    HPAReplicas: int32('Replicas an autoscaler should count.'),
    abort: bool('Aborts the update: traffic back to stable, canary scaled down.'),
    abortedAt: time('When the update was aborted.'),
    availableReplicas: int32('Available pods of all revisions.'),
    blueGreen: a('BlueGreenStatus', 'Blue/green status.'),
    canary: a('CanaryStatus', 'Canary status.'),
    collisionCount: int32('Hash collisions of the pod template.'),
    conditions: keyedList(a('RolloutCondition'), 'type', 'Observations of the Rollout\'s state.'),
    controllerPause: bool('Whether the controller paused the Rollout.'),
    currentPodHash: str('Pod template hash of the newest ReplicaSet.'),
    currentStepHash: str('Hash of the canary steps.'),
    currentStepIndex: int32('Index of the current canary step.'),
    message: str('Why the Rollout is in its phase.'),
    observedGeneration: str('The generation the controller observed (a string, as Argo writes it).'),
    pauseConditions: list('PauseCondition', 'Why the controller paused the Rollout.'),
    phase: { type: 'string', enum: ['Healthy', 'Progressing', 'Paused', 'Degraded'], description: 'Healthy, Progressing, Paused or Degraded.' },
    promoteFull: bool('Skip the remaining steps and analysis and promote.'),
    readyReplicas: int32('Ready pods of all revisions.'),
    replicas: int32('Pods of all revisions.'),
    restartedAt: time('The restartAt the controller last completed.'),
    selector: str('The label selector of the pods an autoscaler should count, as a string.'),
    stableRS: str('Pod template hash of the stable ReplicaSet.'),
    updatedReplicas: int32('Pods of the newest revision.'),
    workloadObservedGeneration: str('Generation of the referenced workload the controller observed.'),
  }),
  [ARGO + 'Rollout']: kind('argoproj.io', 'v1alpha1', 'Rollout', 'Rollout is a Deployment with progressive delivery: canary steps with traffic weights and analysis, or blue/green with preview and promotion.', {
    spec: a('RolloutSpec', 'The desired state.'),
    status: a('RolloutStatus', 'The observed state.'),
  }),
  [ARGO + 'RolloutList']: listKind('argoproj.io', 'v1alpha1', 'RolloutList', ARGO + 'Rollout', 'RolloutList is a list of Rollouts.'),
};

function atomicPreserve(d: string): Schema {
  return { ...strList(d), items: preserve() };
}
