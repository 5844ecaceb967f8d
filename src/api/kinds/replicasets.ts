/** apps/v1 replicasets: strategy (upstream pkg/registry/apps/replicaset/strategy.go). */
import type { KubeObject } from '../resource.ts';
import { asObj, child, isObj, nonNegative } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { define, keepAllButStatus, keepStatus, status, sub, SUB_VERBS } from './common.ts';
import { replicaSetTable } from '../tables/workloads.ts';
import { serveScale } from '../../apiserver/subresources/scale.ts';
import { selectorImmutable } from './deployments.ts';
import { defaultTemplate, validateSelector, validateTemplate } from './workloads.ts';

type Obj = Record<string, unknown>;

export function defaultReplicaSet(obj: KubeObject): void {
  if (!isObj(obj.spec)) obj.spec = {};
  const spec = obj.spec as Obj;
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  defaultTemplate(spec);
}

export const replicasets = define({
  group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true,
  shortNames: ['rs'], categories: ['all'],
  subresources: [sub('scale', 'autoscaling', 'v1', 'Scale', SUB_VERBS, { serve: serveScale }), status('apps', 'v1', 'ReplicaSet')],
  schemaName: 'io.k8s.api.apps.v1.ReplicaSet',
  table: replicaSetTable,
  fieldSelectors: {
    accepted: ['metadata.name', 'metadata.namespace', 'status.replicas'],
    fields: (r) => ({ 'status.replicas': String(r?.status?.replicas ?? 0) }),
  },
  hasGeneration: true,
  defaults: defaultReplicaSet,
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    const spec = asObj(obj.spec);
    errs.push(...nonNegative('spec.replicas', spec.replicas));
    errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
    errs.push(...validateSelector(spec, 'spec', 'empty selector is invalid for deployment'));
    errs.push(...validateTemplate(spec, 'spec', 'ReplicaSet'));
    if (old) errs.push(...selectorImmutable(obj, old));
    return errs;
  },
  prepareForCreate(obj) { obj.status = { replicas: 0 }; },
  prepareForUpdate(obj, old) { keepStatus(obj, old); },
  prepareForStatusUpdate(obj, old) { keepAllButStatus(obj, old, { resetLabels: true }); },
  validateStatus(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    const st = asObj(obj.status);
    for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration', 'terminatingReplicas']) {
      errs.push(...nonNegative(child('status', f), st[f]));
    }
    const r = typeof st.replicas === 'number' ? st.replicas : 0;
    for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) {
      if (typeof st[f] === 'number' && (st[f] as number) > r) errs.push({ type: 'FieldValueInvalid', field: `status.${f}`, message: `Invalid value: ${st[f]}: cannot be greater than status.replicas` });
    }
    if (typeof st.availableReplicas === 'number' && typeof st.readyReplicas === 'number' && st.availableReplicas > st.readyReplicas) {
      errs.push({ type: 'FieldValueInvalid', field: 'status.availableReplicas', message: `Invalid value: ${st.availableReplicas}: cannot be greater than readyReplicas` });
    }
    return errs;
  },
});
