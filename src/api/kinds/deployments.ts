/** apps/v1 deployments: strategy (upstream pkg/registry/apps/deployment/strategy.go, apps/v1 defaults). */
import type { KubeObject } from '../resource.ts';
import { asObj, child, invalid, isObj, nonNegative } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { goLabelSelector } from '../validation/selector.ts';
import { deepEqual } from '../validation/field.ts';
import { clone, define, keepAllButStatus, keepStatus, status, sub, SUB_VERBS } from './common.ts';
import { deploymentTable } from '../tables/workloads.ts';
import { serveScale } from '../../apiserver/subresources/scale.ts';
import { defaultTemplate, validateSelector, validateStrategy, validateTemplate } from './workloads.ts';

type Obj = Record<string, unknown>;

export function defaultDeployment(obj: KubeObject): void {
  if (!isObj(obj.spec)) obj.spec = {};
  const spec = obj.spec as Obj;
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (!isObj(spec.strategy)) spec.strategy = {};
  const st = spec.strategy as Obj;
  if (!st.type) st.type = 'RollingUpdate';
  if (st.type === 'RollingUpdate') {
    if (!isObj(st.rollingUpdate)) st.rollingUpdate = {};
    const ru = st.rollingUpdate as Obj;
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  defaultTemplate(spec);
}

export function validateDeploymentSpec(spec: Obj, path = 'spec'): ReturnType<typeof validateTemplate> {
  const errs = [
    ...nonNegative(child(path, 'replicas'), spec.replicas),
    ...validateSelector(spec, path, 'empty selector is invalid for deployment'),
    ...validateTemplate(spec, path, 'ReplicaSet'),
    ...validateStrategy(spec, path),
    ...nonNegative(child(path, 'minReadySeconds'), spec.minReadySeconds),
    ...nonNegative(child(path, 'revisionHistoryLimit'), spec.revisionHistoryLimit),
  ];
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds !== null) {
    errs.push(...nonNegative(child(path, 'progressDeadlineSeconds'), spec.progressDeadlineSeconds));
    const mrs = typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0;
    if (typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= mrs) {
      errs.push(invalid(child(path, 'progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

/** `spec.selector: Invalid value: v1.LabelSelector{...}: field is immutable` */
export function selectorImmutable(obj: KubeObject, old: KubeObject) {
  const n = asObj(obj.spec).selector, o = asObj(old.spec).selector;
  if (deepEqual(n, o)) return [];
  return [{ type: 'FieldValueInvalid' as const, field: 'spec.selector', message: `Invalid value: ${goLabelSelector(n)}: field is immutable` }];
}

export const deployments = define({
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true,
  shortNames: ['deploy'], categories: ['all'],
  subresources: [sub('scale', 'autoscaling', 'v1', 'Scale', SUB_VERBS, { serve: serveScale }), status('apps', 'v1', 'Deployment')],
  schemaName: 'io.k8s.api.apps.v1.Deployment',
  table: deploymentTable,
  hasGeneration: true,
  defaults: defaultDeployment,
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    errs.push(...validateDeploymentSpec(asObj(obj.spec)));
    if (old) errs.push(...selectorImmutable(obj, old));
    return errs;
  },
  prepareForCreate(obj) { obj.status = {}; },
  prepareForUpdate(obj, old) { keepStatus(obj, old); },
  prepareForStatusUpdate(obj, old) { keepAllButStatus(obj, old, { resetLabels: true }); },
  validateStatus(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    const st = asObj(obj.status);
    for (const f of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration', 'collisionCount', 'terminatingReplicas']) {
      errs.push(...nonNegative(child('status', f), st[f]));
    }
    return errs;
  },
});
export { clone };
