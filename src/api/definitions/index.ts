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
import { policyDefinitions } from './policy.ts';
import { argoRolloutDefinitions } from './argo-rollouts.ts';
import { argoAnalysisDefinitions } from './argo-analysis.ts';
import { metricsDefinitions } from './metrics.ts';
import { autoscalingDefinitions } from './autoscaling.ts';

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
  ...policyDefinitions,
  ...argoRolloutDefinitions,
  ...argoAnalysisDefinitions,
  ...metricsDefinitions,
  ...autoscalingDefinitions,
});

/**
 * The enumeration of a string property — or of a list property's items — of a named definition, e.g.
 * `enumOf('io.k8s.api.core.v1.PodSpec', 'restartPolicy')`: the one source of the values validation accepts and
 * names in "supported values" messages. Values are kept in upstream's declaration order (the order upstream's
 * validation lists them); the OpenAPI documents list them sorted, as upstream's. Throws when the schema has no
 * such enumeration, so validation cannot silently drift from the schema.
 */
export function enumOf(typeName: string, prop: string): string[] {
  const p = definitions[typeName]?.properties?.[prop];
  const values = p?.enum ?? p?.items?.enum;
  if (!values) throw new Error(`schema ${typeName}.${prop} has no enum`);
  return values as string[];
}
