/**
 * autoscaling/v2 and autoscaling/v1 HorizontalPodAutoscaler (k8s.io/api/autoscaling), with upstream's protobuf
 * field numbers (generated.proto). v2 is the storage version; v1 is a view converted from it
 * (src/api/kinds/hpa-conversion.ts). The Scale subresource kind (autoscaling/v1 Scale) lives in ./apps.ts.
 */
import type { Schema } from '../schema.ts';
import { META, arr, int32, int64, keyedList, kind, listKind, obj, quantity, ref, str, time } from './builders.ts';

export const AUTOSCALING_V2 = 'io.k8s.api.autoscaling.v2.';
export const AUTOSCALING_V1 = 'io.k8s.api.autoscaling.v1.';
const v2 = (n: string, d?: string, extra: Partial<Schema> = {}) => ref(AUTOSCALING_V2 + n, d, extra);
const v1 = (n: string, d?: string, extra: Partial<Schema> = {}) => ref(AUTOSCALING_V1 + n, d, extra);
const SPEC_DOC = 'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status';

const crossVersionRef = obj('CrossVersionObjectReference contains enough information to let you identify the referred resource.', {
  apiVersion: str('apiVersion is the API version of the referent'),
  kind: str('kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', { default: '' }),
  name: str('name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names', { default: '' }),
}, { required: ['kind', 'name'], mapType: 'atomic', proto: 'kind=1 name=2 apiVersion=3' });

const conditionDef = obj('HorizontalPodAutoscalerCondition describes the state of a HorizontalPodAutoscaler at a certain point.', {
  lastTransitionTime: time('lastTransitionTime is the last time the condition transitioned from one status to another'),
  message: str('message is a human-readable explanation containing details about the transition'),
  reason: str("reason is the reason for the condition's last transition."),
  status: str('status is the status of the condition (True, False, Unknown)', { default: '' }),
  type: str('type describes the current condition', { default: '' }),
}, { required: ['type', 'status'], proto: 'type=1 status=2 lastTransitionTime=3 reason=4 message=5' });

const metricIdentifier = v2('MetricIdentifier', 'metric identifies the target metric by name and selector', { default: {} });
const metricTarget = v2('MetricTarget', 'target specifies the target value for the given metric', { default: {} });
const metricCurrent = v2('MetricValueStatus', 'current contains the current value for the given metric', { default: {} });
const resourceName = str('name is the name of the resource in question.', { default: '' });
const containerName = str('container is the name of the container in the pods of the scaling target', { default: '' });
const describedObject = v2('CrossVersionObjectReference', 'describedObject specifies the descriptions of a object,such as kind,name apiVersion', { default: {} });

export const autoscalingDefinitions: Record<string, Schema> = {
  [AUTOSCALING_V2 + 'CrossVersionObjectReference']: crossVersionRef,
  [AUTOSCALING_V2 + 'MetricIdentifier']: obj('MetricIdentifier defines the name and optionally selector for a metric', {
    name: str('name is the name of the given metric', { default: '' }),
    selector: ref(META + 'LabelSelector', 'selector is the string-encoded form of a standard kubernetes label selector for the given metric When set, it is passed as an additional parameter to the metrics server for more specific metrics scoping. When unset, just the metricName will be used to gather metrics.'),
  }, { required: ['name'], proto: 'name=1 selector=2' }),
  [AUTOSCALING_V2 + 'MetricTarget']: obj('MetricTarget defines the target value, average value, or average utilization of a specific metric', {
    averageUtilization: int32('averageUtilization is the target value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods. Currently only valid for Resource metric source type'),
    averageValue: quantity('averageValue is the target value of the average of the metric across all relevant pods (as a quantity)'),
    type: str('type represents whether the metric type is Utilization, Value, or AverageValue', { default: '' }),
    value: quantity('value is the target value of the metric (as a quantity).'),
  }, { required: ['type'], proto: 'type=1 value=2 averageValue=3 averageUtilization=4?' }),
  [AUTOSCALING_V2 + 'MetricValueStatus']: obj('MetricValueStatus holds the current value for a metric', {
    averageUtilization: int32('currentAverageUtilization is the current value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods.'),
    averageValue: quantity('averageValue is the current value of the average of the metric across all relevant pods (as a quantity)'),
    value: quantity('value is the current value of the metric (as a quantity).'),
  }, { proto: 'value=1 averageValue=2 averageUtilization=3?' }),
  [AUTOSCALING_V2 + 'ResourceMetricSource']: obj('ResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  The values will be averaged together before being compared to the target.  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.  Only one "target" type should be set.', {
    name: resourceName, target: metricTarget,
  }, { required: ['name', 'target'], proto: 'name=1 target=2' }),
  [AUTOSCALING_V2 + 'ContainerResourceMetricSource']: obj('ContainerResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  The values will be averaged together before being compared to the target.  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.  Only one "target" type should be set.', {
    container: containerName, name: resourceName, target: metricTarget,
  }, { required: ['name', 'target', 'container'], proto: 'name=1 target=2 container=3' }),
  [AUTOSCALING_V2 + 'PodsMetricSource']: obj('PodsMetricSource indicates how to scale on a metric describing each pod in the current scale target (for example, transactions-processed-per-second). The values will be averaged together before being compared to the target value.', {
    metric: metricIdentifier, target: metricTarget,
  }, { required: ['metric', 'target'], proto: 'metric=1 target=2' }),
  [AUTOSCALING_V2 + 'ObjectMetricSource']: obj('ObjectMetricSource indicates how to scale on a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).', {
    describedObject, metric: metricIdentifier, target: metricTarget,
  }, { required: ['describedObject', 'target', 'metric'], proto: 'describedObject=1 target=2 metric=3' }),
  [AUTOSCALING_V2 + 'ExternalMetricSource']: obj('ExternalMetricSource indicates how to scale on a metric not associated with any Kubernetes object (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).', {
    metric: metricIdentifier, target: metricTarget,
  }, { required: ['metric', 'target'], proto: 'metric=1 target=2' }),
  [AUTOSCALING_V2 + 'MetricSpec']: obj('MetricSpec specifies how to scale based on a single metric (only `type` and one other matching field should be set at once).', {
    containerResource: v2('ContainerResourceMetricSource', 'containerResource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod of the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.'),
    external: v2('ExternalMetricSource', 'external refers to a global metric that is not associated with any Kubernetes object. It allows autoscaling based on information coming from components running outside of cluster (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).'),
    object: v2('ObjectMetricSource', 'object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object).'),
    pods: v2('PodsMetricSource', 'pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second).  The values will be averaged together before being compared to the target value.'),
    resource: v2('ResourceMetricSource', 'resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.'),
    type: str('type is the type of metric source.  It should be one of "ContainerResource", "External", "Object", "Pods" or "Resource", each mapping to a matching field in the object.', { default: '' }),
  }, { required: ['type'], proto: 'type=1 object=2 pods=3 resource=4 external=5 containerResource=7' }),
  [AUTOSCALING_V2 + 'ResourceMetricStatus']: obj('ResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.', {
    current: metricCurrent, name: resourceName,
  }, { required: ['name', 'current'], proto: 'name=1 current=2' }),
  [AUTOSCALING_V2 + 'ContainerResourceMetricStatus']: obj('ContainerResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing a single container in each pod in the current scale target (e.g. CPU or memory).  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.', {
    container: containerName, current: metricCurrent, name: resourceName,
  }, { required: ['name', 'current', 'container'], proto: 'name=1 current=2 container=3' }),
  [AUTOSCALING_V2 + 'PodsMetricStatus']: obj('PodsMetricStatus indicates the current value of a metric describing each pod in the current scale target (for example, transactions-processed-per-second).', {
    current: metricCurrent, metric: metricIdentifier,
  }, { required: ['metric', 'current'], proto: 'metric=1 current=2' }),
  [AUTOSCALING_V2 + 'ObjectMetricStatus']: obj('ObjectMetricStatus indicates the current value of a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).', {
    current: metricCurrent, describedObject, metric: metricIdentifier,
  }, { required: ['metric', 'current', 'describedObject'], proto: 'metric=1 current=2 describedObject=3' }),
  [AUTOSCALING_V2 + 'ExternalMetricStatus']: obj('ExternalMetricStatus indicates the current value of a global metric not associated with any Kubernetes object.', {
    current: metricCurrent, metric: metricIdentifier,
  }, { required: ['metric', 'current'], proto: 'metric=1 current=2' }),
  [AUTOSCALING_V2 + 'MetricStatus']: obj('MetricStatus describes the last-read state of a single metric.', {
    containerResource: v2('ContainerResourceMetricStatus', 'container resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.'),
    external: v2('ExternalMetricStatus', 'external refers to a global metric that is not associated with any Kubernetes object. It allows autoscaling based on information coming from components running outside of cluster (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).'),
    object: v2('ObjectMetricStatus', 'object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object).'),
    pods: v2('PodsMetricStatus', 'pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second).  The values will be averaged together before being compared to the target value.'),
    resource: v2('ResourceMetricStatus', 'resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.'),
    type: str('type is the type of metric source.  It will be one of "ContainerResource", "External", "Object", "Pods" or "Resource", each corresponds to a matching field in the object.', { default: '' }),
  }, { required: ['type'], proto: 'type=1 object=2 pods=3 resource=4 external=5 containerResource=7' }),
  [AUTOSCALING_V2 + 'HPAScalingPolicy']: obj('HPAScalingPolicy is a single policy which must hold true for a specified past interval.', {
    periodSeconds: int32('periodSeconds specifies the window of time for which the policy should hold true. PeriodSeconds must be greater than zero and less than or equal to 1800 (30 min).', { default: 0 }),
    type: str('type is used to specify the scaling policy.', { default: '' }),
    value: int32('value contains the amount of change which is permitted by the policy. It must be greater than zero', { default: 0 }),
  }, { required: ['type', 'value', 'periodSeconds'], proto: 'type=1 value=2 periodSeconds=3' }),
  [AUTOSCALING_V2 + 'HPAScalingRules']: obj('HPAScalingRules configures the scaling behavior for one direction via scaling Policy Rules and a configurable metric tolerance.\n\nScaling Policy Rules are applied after calculating DesiredReplicas from metrics for the HPA. They can limit the scaling velocity by specifying scaling policies. They can prevent flapping by specifying the stabilization window, so that the number of replicas is not set instantly, instead, the safest value from the stabilization window is chosen.', {
    policies: arr(v2('HPAScalingPolicy', undefined, { default: {} }), 'policies is a list of potential scaling polices which can be used during scaling. If not set, use the default values: - For scale up: allow doubling the number of pods, or an absolute change of 4 pods in a 15s window. - For scale down: allow all pods to be removed in a 15s window.', { listType: 'atomic' }),
    selectPolicy: str('selectPolicy is used to specify which policy should be used. If not set, the default value Max is used.'),
    stabilizationWindowSeconds: int32('stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling up or scaling down. StabilizationWindowSeconds must be greater than or equal to zero and less than or equal to 3600 (one hour). If not set, use the default values: - For scale up: 0 (i.e. no stabilization is done). - For scale down: 300 (i.e. the stabilization window is 300 seconds long).'),
  }, { proto: 'stabilizationWindowSeconds=3? selectPolicy=1 policies=2' }),
  [AUTOSCALING_V2 + 'HorizontalPodAutoscalerBehavior']: obj('HorizontalPodAutoscalerBehavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively).', {
    scaleDown: v2('HPAScalingRules', 'scaleDown is scaling policy for scaling Down. If not set, the default value is to allow to scale down to minReplicas pods, with a 300 second stabilization window (i.e., the highest recommendation for the last 300sec is used).'),
    scaleUp: v2('HPAScalingRules', 'scaleUp is scaling policy for scaling Up. If not set, the default value is the higher of:\n  * increase no more than 4 pods per 60 seconds\n  * double the number of pods per 60 seconds\nNo stabilization is used.'),
  }, { proto: 'scaleUp=1 scaleDown=2' }),
  [AUTOSCALING_V2 + 'HorizontalPodAutoscalerCondition']: conditionDef,
  [AUTOSCALING_V2 + 'HorizontalPodAutoscalerSpec']: obj('HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.', {
    behavior: v2('HorizontalPodAutoscalerBehavior', 'behavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively). If not set, the default HPAScalingRules for scale up and scale down are used.'),
    maxReplicas: int32('maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.', { default: 0 }),
    metrics: arr(v2('MetricSpec', undefined, { default: {} }), 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization.', { listType: 'atomic' }),
    minReplicas: int32('minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.'),
    scaleTargetRef: v2('CrossVersionObjectReference', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.', { default: {} }),
  }, { required: ['scaleTargetRef', 'maxReplicas'], proto: 'scaleTargetRef=1 minReplicas=2? maxReplicas=3 metrics=4 behavior=5' }),
  [AUTOSCALING_V2 + 'HorizontalPodAutoscalerStatus']: obj('HorizontalPodAutoscalerStatus describes the current status of a horizontal pod autoscaler.', {
    conditions: keyedList(v2('HorizontalPodAutoscalerCondition', undefined, { default: {} }), 'type', 'conditions is the set of conditions required for this autoscaler to scale its target, and indicates whether or not those conditions are met.'),
    currentMetrics: arr(v2('MetricStatus', undefined, { default: {} }), 'currentMetrics is the last read state of the metrics used by this autoscaler.', { listType: 'atomic' }),
    currentReplicas: int32('currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
    desiredReplicas: int32('desiredReplicas is the desired number of replicas of pods managed by this autoscaler, as last calculated by the autoscaler.', { default: 0 }),
    lastScaleTime: time('lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods, used by the autoscaler to control how often the number of pods is changed.'),
    observedGeneration: int64('observedGeneration is the most recent generation observed by this autoscaler.'),
  }, { required: ['desiredReplicas'], proto: 'observedGeneration=1? lastScaleTime=2 currentReplicas=3 desiredReplicas=4 currentMetrics=5 conditions=6' }),
  [AUTOSCALING_V2 + 'HorizontalPodAutoscaler']: kind('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource based on the metrics specified.', {
    spec: v2('HorizontalPodAutoscalerSpec', `spec is the specification for the behaviour of the autoscaler. ${SPEC_DOC}.`, { default: {} }),
    status: v2('HorizontalPodAutoscalerStatus', 'status is the current information about the autoscaler.', { default: {} }),
  }, { proto: 'spec=2 status=3' }),
  [AUTOSCALING_V2 + 'HorizontalPodAutoscalerList']: listKind('autoscaling', 'v2', 'HorizontalPodAutoscalerList', AUTOSCALING_V2 + 'HorizontalPodAutoscaler', 'HorizontalPodAutoscalerList is a list of horizontal pod autoscaler objects.'),

  [AUTOSCALING_V1 + 'CrossVersionObjectReference']: crossVersionRef,
  [AUTOSCALING_V1 + 'HorizontalPodAutoscalerSpec']: obj('specification of a horizontal pod autoscaler.', {
    maxReplicas: int32('maxReplicas is the upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.', { default: 0 }),
    minReplicas: int32('minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.'),
    scaleTargetRef: v1('CrossVersionObjectReference', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.', { default: {} }),
    targetCPUUtilizationPercentage: int32('targetCPUUtilizationPercentage is the target average CPU utilization (represented as a percentage of requested CPU) over all the pods; if not specified the default autoscaling policy will be used.'),
  }, { required: ['scaleTargetRef', 'maxReplicas'], proto: 'scaleTargetRef=1 minReplicas=2? maxReplicas=3 targetCPUUtilizationPercentage=4?' }),
  [AUTOSCALING_V1 + 'HorizontalPodAutoscalerStatus']: obj('current status of a horizontal pod autoscaler', {
    currentCPUUtilizationPercentage: int32('currentCPUUtilizationPercentage is the current average CPU utilization over all pods, represented as a percentage of requested CPU, e.g. 70 means that an average pod is using now 70% of its requested CPU.'),
    currentReplicas: int32('currentReplicas is the current number of replicas of pods managed by this autoscaler.', { default: 0 }),
    desiredReplicas: int32('desiredReplicas is the  desired number of replicas of pods managed by this autoscaler.', { default: 0 }),
    lastScaleTime: time('lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods; used by the autoscaler to control how often the number of pods is changed.'),
    observedGeneration: int64('observedGeneration is the most recent generation observed by this autoscaler.'),
  }, { required: ['currentReplicas', 'desiredReplicas'], proto: 'observedGeneration=1? lastScaleTime=2 currentReplicas=3 desiredReplicas=4 currentCPUUtilizationPercentage=5?' }),
  [AUTOSCALING_V1 + 'HorizontalPodAutoscaler']: kind('autoscaling', 'v1', 'HorizontalPodAutoscaler', 'configuration of a horizontal pod autoscaler.', {
    spec: v1('HorizontalPodAutoscalerSpec', `spec defines the behaviour of autoscaler. ${SPEC_DOC}.`, { default: {} }),
    status: v1('HorizontalPodAutoscalerStatus', 'status is the current information about the autoscaler.', { default: {} }),
  }, { proto: 'spec=2 status=3' }),
  [AUTOSCALING_V1 + 'HorizontalPodAutoscalerList']: listKind('autoscaling', 'v1', 'HorizontalPodAutoscalerList', AUTOSCALING_V1 + 'HorizontalPodAutoscaler', 'list of horizontal pod autoscaler objects.'),
};
