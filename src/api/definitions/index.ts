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
import { apiextensionsDefinitions } from './apiextensions.ts';
import { argoRolloutDefinitions } from './argo-rollouts.ts';
import { argoAnalysisDefinitions } from './argo-analysis.ts';
import { metricsDefinitions } from './metrics.ts';
import { autoscalingDefinitions } from './autoscaling.ts';
import { rbacDefinitions } from './rbac.ts';
import { authorizationDefinitions } from './authorization.ts';
import { authenticationDefinitions } from './authentication.ts';

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
  ...apiextensionsDefinitions,
  ...argoRolloutDefinitions,
  ...argoAnalysisDefinitions,
  ...metricsDefinitions,
  ...autoscalingDefinitions,
  ...rbacDefinitions,
  ...authorizationDefinitions,
  ...authenticationDefinitions,
});

/**
 * Schemas of custom resources (built at run time from CustomResourceDefinitions, see src/api/crd): looked up beside
 * the built-in table by every schema consumer (validation, pruning, patching, OpenAPI). Names follow upstream's
 * OpenAPI naming of CRD schemas (reversed group, version, kind: `com.example.stable.v1.CronTab`); an API server
 * sets and removes them as CRDs come and go. Built-in names cannot be replaced.
 */
const customDefinitions = new Map<string, Schema>();

/** A definition by name: built in, or of a custom resource. */
export function lookupDefinition(name: string): Schema | undefined {
  return definitions[name] ?? customDefinitions.get(name);
}
export function setCustomDefinition(name: string, schema: Schema | undefined): void {
  if (definitions[name]) throw new Error(`${name} is a built-in definition`);
  if (schema) customDefinitions.set(name, schema); else customDefinitions.delete(name);
}
/** Every definition, built-in and custom (for documents that list them). */
export function allDefinitions(): Record<string, Schema> {
  return customDefinitions.size ? { ...definitions, ...Object.fromEntries(customDefinitions) } : definitions;
}

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
