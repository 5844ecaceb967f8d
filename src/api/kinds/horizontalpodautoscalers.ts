/**
 * autoscaling HorizontalPodAutoscaler, served as v2 (the preferred and storage version) and as a v1 view
 * converted from it (./hpa-conversion.ts). Strategy as upstream's: status is dropped on create and kept on main
 * updates; defaults (minReplicas 1, 80% CPU when no metric, behavior rules filled) and validation (every field
 * error) run on the v2 shape — a v1 object is converted first, so its errors name v2 paths, as upstream's do.
 * The controller is src/controllers/podautoscaler.
 */
import type { KubeObject } from '../resource.ts';
import { define, keepStatus, status } from './common.ts';
import { horizontalPodAutoscalerTable } from '../tables/autoscaling.ts';
import { validateHorizontalPodAutoscaler, validateHorizontalPodAutoscalerStatus } from '../validation/autoscaling.ts';
import { defaultHorizontalPodAutoscaler, hpaV1ToV2, hpaV2ToV1 } from './hpa-conversion.ts';
import { AUTOSCALING_V1, AUTOSCALING_V2 } from '../definitions/autoscaling.ts';
import { isObj } from '../validation/field.ts';

const KIND = 'HorizontalPodAutoscaler';
const common = {
  group: 'autoscaling', kind: KIND, plural: 'horizontalpodautoscalers', namespaced: true,
  shortNames: ['hpa'], categories: ['all'], hasGeneration: true,
  prepareForCreate(obj: KubeObject) { obj.status = {}; },
  prepareForUpdate: keepStatus,
};

export const horizontalpodautoscalers = define({
  ...common, version: 'v2', schemaName: AUTOSCALING_V2 + KIND,
  subresources: [status('autoscaling', 'v2', KIND)],
  table: horizontalPodAutoscalerTable,
  defaults: defaultHorizontalPodAutoscaler,
  validate: validateHorizontalPodAutoscaler,
  validateStatus: validateHorizontalPodAutoscalerStatus,
});

/** The v2 shape of a v1 object, defaulted as it will be stored. */
function asStored(obj: KubeObject): KubeObject {
  const v2 = hpaV1ToV2(obj);
  defaultHorizontalPodAutoscaler(v2);
  return v2;
}

export const horizontalpodautoscalersV1 = define({
  ...common, version: 'v1', schemaName: AUTOSCALING_V1 + KIND,
  garbageCollected: false, // the v2 descriptor represents the objects in the collector's graph
  subresources: [status('autoscaling', 'v1', KIND)],
  storage: { version: 'v2', toStorage: asStored, fromStorage: hpaV2ToV1 },
  table: { columns: horizontalPodAutoscalerTable.columns, row: (h, now) => horizontalPodAutoscalerTable.row(asStored(h), now) },
  defaults(obj) {
    if (!isObj(obj.spec)) obj.spec = {};
    (obj.spec as Record<string, unknown>).minReplicas ??= 1;
  },
  validate: (obj, old) => validateHorizontalPodAutoscaler(asStored(obj), old && asStored(old)),
  validateStatus: (obj, old) => validateHorizontalPodAutoscalerStatus(asStored(obj), asStored(old)),
});
