/** apps/v1 Deployment and ReplicaSet; autoscaling/v1 Scale. */
import type { Schema } from '../schema.ts';
import { META, bool, int32, int64, intOrString, keyedList, kind, listKind, obj, ref, str, time } from './builders.ts';

export const APPS = 'io.k8s.api.apps.v1.';
const a = (n: string, d?: string, extra: Partial<Schema> = {}) => ref(APPS + n, d, extra);
const SPEC_DOC = 'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status';
const selectorDoc = "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.";

const conditionDef = (what: string, typeDoc: string): Schema => obj(`${what}Condition describes the state of a ${what.toLowerCase() === 'replicaset' ? 'replica set' : 'deployment'} at a certain point.`, {
  lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
  ...(what === 'Deployment' ? { lastUpdateTime: time('The last time this condition was updated.') } : {}),
  message: str('A human readable message indicating details about the transition.'),
  reason: str("The reason for the condition's last transition."),
  status: str('Status of the condition, one of True, False, Unknown.', { default: '' }),
  type: str(typeDoc, { default: '' }),
}, { required: ['type', 'status'], proto: what === 'Deployment'
  ? 'type=1 status=2 lastUpdateTime=6 lastTransitionTime=7 reason=4 message=5'
  : 'type=1 status=2 lastTransitionTime=3 reason=4 message=5' });

export const appsDefinitions: Record<string, Schema> = {
  [APPS + 'RollingUpdateDeployment']: obj('Spec to control the desired behavior of rolling update.', {
    maxSurge: intOrString('The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). This can not be 0 if MaxUnavailable is 0. Absolute number is calculated from percentage by rounding up. Defaults to 25%. Example: when this is set to 30%, the new ReplicaSet can be scaled up immediately when the rolling update starts, such that the total number of old and new pods do not exceed 130% of desired pods. Once old pods have been killed, new ReplicaSet can be scaled up further, ensuring that total number of pods running at any time during the update is at most 130% of desired pods.'),
    maxUnavailable: intOrString('The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Absolute number is calculated from percentage by rounding down. This can not be 0 if MaxSurge is 0. Defaults to 25%. Example: when this is set to 30%, the old ReplicaSet can be scaled down to 70% of desired pods immediately when the rolling update starts. Once new pods are ready, old ReplicaSet can be scaled down further, followed by scaling up the new ReplicaSet, ensuring that the total number of pods available at all times during the update is at least 70% of desired pods.'),
  }, { proto: 'maxUnavailable=1 maxSurge=2' }),
  [APPS + 'DeploymentStrategy']: obj('DeploymentStrategy describes how to replace existing pods with new ones.', {
    rollingUpdate: a('RollingUpdateDeployment', 'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.'),
    type: { type: 'string', enum: ['Recreate', 'RollingUpdate'], description: 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.\n\nPossible enum values:\n - `"Recreate"` Kill all existing pods before creating new ones.\n - `"RollingUpdate"` Replace the old ReplicaSets by new one using rolling update i.e gradually scale down the old ReplicaSets and scale up the new one.' },
  }, { proto: 'type=1 rollingUpdate=2' }),
  [APPS + 'DeploymentSpec']: obj('DeploymentSpec is the specification of the desired behavior of the Deployment.', {
    minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)'),
    paused: bool('Indicates that the deployment is paused.'),
    progressDeadlineSeconds: int32('The maximum time in seconds for a deployment to make progress before it is considered to be failed. The deployment controller will continue to process failed deployments and a condition with a ProgressDeadlineExceeded reason will be surfaced in the deployment status. Note that progress will not be estimated during the time a deployment is paused. Defaults to 600s.'),
    replicas: int32('Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.'),
    revisionHistoryLimit: int32('The number of old ReplicaSets to retain to allow rollback. This is a pointer to distinguish between explicit zero and not specified. Defaults to 10.'),
    selector: ref(META + 'LabelSelector', selectorDoc),
    strategy: a('DeploymentStrategy', 'The deployment strategy to use to replace existing pods with new ones.', { default: {}, 'x-kubernetes-patch-strategy': 'retainKeys' }),
    template: ref('io.k8s.api.core.v1.PodTemplateSpec', 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".', { default: {} }),
  }, { required: ['selector', 'template'], proto: 'replicas=1? selector=2 template=3 strategy=4 minReadySeconds=5 revisionHistoryLimit=6? paused=7 progressDeadlineSeconds=9?' }),
  [APPS + 'DeploymentCondition']: conditionDef('Deployment', 'Type of deployment condition.'),
  [APPS + 'DeploymentStatus']: obj('DeploymentStatus is the most recently observed status of the Deployment.', {
    availableReplicas: int32('Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.'),
    collisionCount: int32('Count of hash collisions for the Deployment. The Deployment controller uses this field as a collision avoidance mechanism when it needs to create the name for the newest ReplicaSet.'),
    conditions: keyedList(a('DeploymentCondition', undefined, { default: {} }), 'type', "Represents the latest available observations of a deployment's current state."),
    observedGeneration: int64('The generation observed by the deployment controller.'),
    readyReplicas: int32('Total number of non-terminating pods targeted by this Deployment with a Ready Condition.'),
    replicas: int32('Total number of non-terminating pods targeted by this deployment (their labels match the selector).'),
    terminatingReplicas: int32('Total number of terminating pods targeted by this deployment. Terminating pods have a non-null .metadata.deletionTimestamp and have not yet reached the Failed or Succeeded .status.phase.'),
    unavailableReplicas: int32('Total number of unavailable pods targeted by this deployment. This is the total number of pods that are still required for the deployment to have 100% available capacity. They may either be pods that are running but not yet available or pods that still have not been created.'),
    updatedReplicas: int32('Total number of non-terminating pods targeted by this deployment that have the desired template spec.'),
  }, { proto: 'observedGeneration=1 replicas=2 updatedReplicas=3 readyReplicas=7 availableReplicas=4 unavailableReplicas=5 terminatingReplicas=9? conditions=6 collisionCount=8?' }),
  [APPS + 'Deployment']: kind('apps', 'v1', 'Deployment', 'Deployment enables declarative updates for Pods and ReplicaSets.', {
    spec: a('DeploymentSpec', 'Specification of the desired behavior of the Deployment.', { default: {} }),
    status: a('DeploymentStatus', 'Most recently observed status of the Deployment.', { default: {} }),
  }, { proto: 'spec=2 status=3' }),
  [APPS + 'DeploymentList']: listKind('apps', 'v1', 'DeploymentList', APPS + 'Deployment', 'DeploymentList is a list of Deployments.'),

  [APPS + 'ReplicaSetSpec']: obj('ReplicaSetSpec is the specification of a ReplicaSet.', {
    minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)'),
    replicas: int32('Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#replicaset'),
    selector: ref(META + 'LabelSelector', "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"),
    template: ref('io.k8s.api.core.v1.PodTemplateSpec', 'Template is the object that describes the pod that will be created if insufficient replicas are detected. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#pod-template', { default: {} }),
  }, { required: ['selector'], proto: 'replicas=1? minReadySeconds=4 selector=2 template=3' }),
  [APPS + 'ReplicaSetCondition']: conditionDef('ReplicaSet', 'Type of replica set condition.'),
  [APPS + 'ReplicaSetStatus']: obj('ReplicaSetStatus represents the current status of a ReplicaSet.', {
    availableReplicas: int32('The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set.'),
    conditions: keyedList(a('ReplicaSetCondition', undefined, { default: {} }), 'type', "Represents the latest available observations of a replica set's current state."),
    fullyLabeledReplicas: int32('The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset.'),
    observedGeneration: int64('ObservedGeneration reflects the generation of the most recently observed ReplicaSet.'),
    readyReplicas: int32('The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
    replicas: int32('Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#replicaset', { default: 0 }),
    terminatingReplicas: int32('The number of terminating pods for this replica set. Terminating pods have a non-null .metadata.deletionTimestamp and have not yet reached the Failed or Succeeded .status.phase.'),
  }, { required: ['replicas'], proto: 'replicas=1 fullyLabeledReplicas=2 readyReplicas=4 availableReplicas=5 terminatingReplicas=7? observedGeneration=3 conditions=6' }),
  [APPS + 'ReplicaSet']: kind('apps', 'v1', 'ReplicaSet', 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.', {
    spec: a('ReplicaSetSpec', `Spec defines the specification of the desired behavior of the ReplicaSet. ${SPEC_DOC}`, { default: {} }),
    status: a('ReplicaSetStatus', `Status is the most recently observed status of the ReplicaSet. This data may be out of date by some window of time. Populated by the system. Read-only. ${SPEC_DOC}`, { default: {} }),
  }, { proto: 'spec=2 status=3' }),
  [APPS + 'ReplicaSetList']: listKind('apps', 'v1', 'ReplicaSetList', APPS + 'ReplicaSet', 'ReplicaSetList is a collection of ReplicaSets.'),

  'io.k8s.api.autoscaling.v1.ScaleSpec': obj('ScaleSpec describes the attributes of a scale subresource.', {
    replicas: int32('replicas is the desired number of instances for the scaled object.'),
  }, { proto: 'replicas=1?' }),
  'io.k8s.api.autoscaling.v1.ScaleStatus': obj('ScaleStatus represents the current status of a scale subresource.', {
    replicas: int32('replicas is the actual number of observed instances of the scaled object.', { default: 0 }),
    selector: str('selector is the label query over pods that should match the replicas count. This is same as the label selector but in the string format to avoid introspection by clients. The string will be in the same format as the query-param syntax. More info about label selectors: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels#label-selectors'),
  }, { required: ['replicas'], proto: 'replicas=1 selector=2' }),
  'io.k8s.api.autoscaling.v1.Scale': kind('autoscaling', 'v1', 'Scale', 'Scale represents a scaling request for a resource.', {
    spec: ref('io.k8s.api.autoscaling.v1.ScaleSpec', `spec defines the behavior of the scale. ${SPEC_DOC}.`, { default: {} }),
    status: ref('io.k8s.api.autoscaling.v1.ScaleStatus', `status is the current status of the scale. ${SPEC_DOC}. Read-only.`, { default: {} }),
  }, { proto: 'spec=2 status=3' }),
};
