/**
 * The autoscaling/v1 Scale subresource of a scalable kind, through a ScaleView: where the kind keeps its desired
 * replicas, its observed replicas and its pod selector — as a CRD's scale subresource names them
 * (specReplicasPath, statusReplicasPath, labelSelectorPath). Deployments and ReplicaSets: spec.replicas,
 * status.replicas and spec.selector formatted as a selector string; Argo Rollouts: .spec.replicas,
 * .status.HPAReplicas and .status.selector (a string the rollout controller keeps).
 */
import type { KubeObject } from '../resource.ts';
import { asObj, isObj } from '../validation/field.ts';
import { selectorToString } from '../validation/selector.ts';

export interface ScaleView {
  /** Dotted path of the desired replicas (".spec.replicas"). */
  specReplicasPath: string;
  /** Dotted path of the observed replicas (".status.replicas"). */
  statusReplicasPath: string;
  /** The selector of the pods, as a label-selector string ('' when unknown). */
  selector(obj: KubeObject): string;
}

const segments = (path: string) => path.replace(/^\./, '').split('.');

/** The value at a dotted path. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const s of segments(path)) cur = isObj(cur) ? cur[s] : undefined;
  return cur;
}

/** Set the value at a dotted path, creating objects on the way. */
function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = segments(path);
  let cur = obj;
  for (const s of segs.slice(0, -1)) {
    if (!isObj(cur[s])) cur[s] = {};
    cur = cur[s] as Record<string, unknown>;
  }
  cur[segs[segs.length - 1]] = value;
}

/** Workloads with a label selector in spec.selector (Deployments, ReplicaSets). */
export const WORKLOAD_SCALE: ScaleView = {
  specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas',
  selector: (obj) => selectorToString(asObj(obj.spec).selector),
};

/** A view whose selector is a string field (a CRD's labelSelectorPath, e.g. Argo Rollouts' .status.selector). */
export function pathScaleView(specReplicasPath: string, statusReplicasPath: string, labelSelectorPath: string): ScaleView {
  return {
    specReplicasPath, statusReplicasPath,
    selector: (obj) => { const v = valueAt(obj, labelSelectorPath); return typeof v === 'string' ? v : ''; },
  };
}

const count = (v: unknown) => (typeof v === 'number' ? v : 0);

/** Scale view of an object. */
export function toScale(obj: KubeObject, view: ScaleView = WORKLOAD_SCALE): KubeObject {
  const m = asObj(obj.metadata);
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name as string, namespace: m.namespace as string, uid: m.uid as string,
      resourceVersion: m.resourceVersion as string, creationTimestamp: m.creationTimestamp as string,
    },
    spec: { replicas: count(valueAt(obj, view.specReplicasPath)) },
    status: { replicas: count(valueAt(obj, view.statusReplicasPath)), selector: view.selector(obj) },
  };
}

/** Apply a (validated) Scale's spec.replicas to the object, in place. */
export function applyScale(obj: KubeObject, scale: KubeObject, view: ScaleView = WORKLOAD_SCALE): void {
  setAt(obj as Record<string, unknown>, view.specReplicasPath, asObj(scale.spec).replicas ?? 0);
}

/** Errors of a Scale update: replicas must be ≥ 0. */
export function validateScale(scale: KubeObject): { type: 'FieldValueInvalid'; field: string; message: string }[] {
  const r = asObj(scale.spec).replicas;
  if (typeof r === 'number' && r < 0) return [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${r}: must be greater than or equal to 0` }];
  return [];
}
