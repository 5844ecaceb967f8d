/** The autoscaling/v1 Scale subresource of deployments and replicasets. */
import type { KubeObject } from '../resource.ts';
import { asObj, isObj } from '../validation/field.ts';
import { selectorToString } from '../validation/selector.ts';

/** Scale view of a workload: spec.replicas, status.replicas and the selector as a query string. */
export function toScale(obj: KubeObject): KubeObject {
  const m = asObj(obj.metadata);
  const spec = asObj(obj.spec), status = asObj(obj.status);
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name as string, namespace: m.namespace as string, uid: m.uid as string,
      resourceVersion: m.resourceVersion as string, creationTimestamp: m.creationTimestamp as string,
    },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, selector: selectorToString(spec.selector) },
  };
}

/** Apply a (validated) Scale's spec.replicas to the workload, in place. */
export function applyScale(obj: KubeObject, scale: KubeObject): void {
  if (!isObj(obj.spec)) obj.spec = {};
  (obj.spec as Record<string, unknown>).replicas = asObj(scale.spec).replicas ?? 0;
}

/** Errors of a Scale update: replicas must be ≥ 0. */
export function validateScale(scale: KubeObject): { type: 'FieldValueInvalid'; field: string; message: string }[] {
  const r = asObj(scale.spec).replicas;
  if (typeof r === 'number' && r < 0) return [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${r}: must be greater than or equal to 0` }];
  return [];
}
