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
import { newNodeLifecycleController } from './nodelifecycle/controller.ts';
import { newRolloutController } from './rollout/controller.ts';

export const controllerFactories: (() => Controller)[] = [
  () => newDeploymentController(),
  () => newReplicaSetController(),
  () => newGarbageCollector(),
  () => newNamespaceController(),
  () => newEndpointsController(),
  () => newEndpointSliceController(),
  () => newNodeLifecycleController(),
  () => newRolloutController(),
];

export function defaultControllers(): Controller[] {
  return controllerFactories.map((f) => f());
}
