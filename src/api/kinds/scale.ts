/** The autoscaling/v1 Scale subresource of deployments, replicasets and rollouts. */
import type { KubeObject } from '../resource.ts';
import { asObj, isObj } from '../validation/field.ts';
import { selectorToString } from '../validation/selector.ts';

/**
 * Where a kind keeps what its Scale shows, as a CRD's scale subresource declares it (dotted JSON paths). Omitted:
 * spec.replicas, status.replicas, and spec.selector (a LabelSelector) rendered as a query string.
 */
export interface ScalePaths { specReplicasPath?: string; statusReplicasPath?: string; labelSelectorPath?: string }

function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.replace(/^\./, '').split('.')) cur = asObj(cur)[k];
  return cur;
}

/** Scale view of a workload: spec.replicas, status.replicas and the selector as a query string. */
export function toScale(obj: KubeObject, paths: ScalePaths = {}): KubeObject {
  const m = asObj(obj.metadata);
  const spec = asObj(obj.spec);
  const specReplicas = paths.specReplicasPath ? at(obj, paths.specReplicasPath) : spec.replicas;
  const statusReplicas = paths.statusReplicasPath ? at(obj, paths.statusReplicasPath) : asObj(obj.status).replicas;
  const selector = paths.labelSelectorPath ? at(obj, paths.labelSelectorPath) : selectorToString(spec.selector);
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name as string, namespace: m.namespace as string, uid: m.uid as string,
      resourceVersion: m.resourceVersion as string, creationTimestamp: m.creationTimestamp as string,
    },
    spec: { replicas: typeof specReplicas === 'number' ? specReplicas : 0 },
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, ...(typeof selector === 'string' && selector ? { selector } : {}) },
  };
}

/** Apply a (validated) Scale's spec.replicas to the workload (at specReplicasPath), in place. */
export function applyScale(obj: KubeObject, scale: KubeObject, paths: ScalePaths = {}): void {
  const keys = (paths.specReplicasPath ?? '.spec.replicas').replace(/^\./, '').split('.');
  let cur = obj as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = asObj(scale.spec).replicas ?? 0;
}

/** Errors of a Scale update: replicas must be ≥ 0. */
export function validateScale(scale: KubeObject): { type: 'FieldValueInvalid'; field: string; message: string }[] {
  const r = asObj(scale.spec).replicas;
  if (typeof r === 'number' && r < 0) return [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${r}: must be greater than or equal to 0` }];
  return [];
}
