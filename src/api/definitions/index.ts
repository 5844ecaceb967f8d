/** The definitions table: every named OpenAPI v3 component schema kubelite serves, by upstream name. */
import type { Schema } from '../schema.ts';
import { metaDefinitions } from './meta.ts';
import { containerDefinitions } from './core-container.ts';
import { podDefinitions } from './core-pod.ts';
import { volumeDefinitions } from './core-volume.ts';
import { schedulingDefinitions } from './core-scheduling.ts';
import { coreDefinitions } from './core.ts';
import { appsDefinitions } from './apps.ts';
import { networkingDefinitions } from './networking.ts';
import { argoRolloutDefinitions } from './argo-rollouts.ts';
import { argoAnalysisDefinitions } from './argo-analysis.ts';

export { REF_PREFIX } from './builders.ts';

export const definitions: Readonly<Record<string, Schema>> = Object.freeze({
  ...metaDefinitions,
  ...containerDefinitions,
  ...podDefinitions,
  ...volumeDefinitions,
  ...schedulingDefinitions,
  ...coreDefinitions,
  ...appsDefinitions,
  ...networkingDefinitions,
  ...argoRolloutDefinitions,
  ...argoAnalysisDefinitions,
});
