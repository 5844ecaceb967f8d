/**
 * Every controller the controller manager runs. To add one, import its factory and append it here: the manager
 * calls the list once per leadership term, so each term gets fresh instances.
 */
import type { Controller } from './types.ts';
import { newDeploymentController } from './deployment/controller.ts';
import { newReplicaSetController } from './replicaset/controller.ts';
import { newGarbageCollector } from './garbagecollector/controller.ts';
import { newNamespaceController } from './namespace/controller.ts';
import { newEndpointsController } from './endpoints/controller.ts';
import { newEndpointSliceController } from './endpointslice/controller.ts';
import { newNodeLifecycleController, type NodeLifecycleOptions } from './nodelifecycle/controller.ts';
import { newAnalysisRunController, type AnalysisControllerOptions } from './analysis/controller.ts';
import { newRolloutController } from './rollout/controller.ts';
import { newHorizontalController, type PodAutoscalerOptions } from './podautoscaler/controller.ts';
import { newDisruptionController } from './disruption/controller.ts';
import { newClusterRoleAggregationController } from './clusterroleaggregation/controller.ts';
import { newServiceAccountController, type ServiceAccountControllerOptions } from './serviceaccount/controller.ts';

/** Flags of the controller manager, per controller (built by src/cli from its flags). */
export interface ControllersOptions {
  nodeLifecycle?: NodeLifecycleOptions;
  analysis?: AnalysisControllerOptions;
  podAutoscaler?: PodAutoscalerOptions;
  /** The default service accounts and the root-CA publisher (its CA). */
  serviceAccount?: ServiceAccountControllerOptions;
}

const controllerFactories: ((o: ControllersOptions) => Controller)[] = [
  () => newDeploymentController(),
  () => newReplicaSetController(),
  () => newGarbageCollector(),
  () => newNamespaceController(),
  () => newEndpointsController(),
  () => newEndpointSliceController(),
  (o) => newNodeLifecycleController(o.nodeLifecycle),
  (o) => newAnalysisRunController(o.analysis),
  () => newRolloutController(),
  (o) => newHorizontalController(o.podAutoscaler),
  () => newDisruptionController(),
  () => newClusterRoleAggregationController(),
  (o) => newServiceAccountController(o.serviceAccount),
];

export function defaultControllers(opts: ControllersOptions = {}): Controller[] {
  return controllerFactories.map((f) => f(opts));
}
