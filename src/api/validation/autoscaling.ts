/**
 * HorizontalPodAutoscaler validation, as upstream pkg/apis/autoscaling/validation (on the autoscaling/v2 shape,
 * which is also what an autoscaling/v1 object is validated as after conversion — so a v1 object's errors name
 * v2 paths, as upstream's internal-version errors do). Every field error is reported.
 */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { asArray, asObj, child, forbidden, index, invalid, isObj, notSupported, required } from './field.ts';
import { nameIsDNSSubdomain, pathSegmentErrors, validateMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label } from './names.ts';
import { validateLabelSelector } from './selector.ts';
import { QUANTITY_ERROR } from './quantity.ts';
import { scaledValue } from '../resource-quantity.ts';

/** The largest allowed scaling policy period and stabilization window (seconds). */
export const MAX_PERIOD_SECONDS = 1800;
export const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

/** Supported values, sorted as upstream's sets list them in messages. */
const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];
const TARGET_TYPES = ['Utilization', 'Value', 'AverageValue'];

type Obj = Record<string, unknown>;

export function validateCrossVersionObjectReference(ref: unknown, path: string): FieldError[] {
  const r = asObj(ref);
  const errs: FieldError[] = [];
  for (const f of ['kind', 'name']) {
    const v = r[f];
    if (typeof v !== 'string' || v === '') errs.push(required(child(path, f)));
    else for (const m of pathSegmentErrors(v)) errs.push(invalid(child(path, f), v, m));
  }
  return errs;
}

/** A quantity that must be positive (Quantity.Sign() == 1). */
function positiveQuantity(q: unknown, path: string): FieldError[] {
  if (q === undefined || q === null) return [];
  const milli = scaledValue(q, -9);
  if (milli === undefined) return [invalid(path, q, QUANTITY_ERROR)];
  return milli > 0 ? [] : [invalid(path, q, 'must be positive')];
}

function validateMetricTarget(mt: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!mt.type) errs.push(required(child(path, 'type'), 'must specify a metric target type'));
  if (!TARGET_TYPES.includes(mt.type as string)) errs.push(invalid(child(path, 'type'), mt.type ?? '', 'must be either Utilization, Value, or AverageValue'));
  errs.push(...positiveQuantity(mt.value, child(path, 'value')), ...positiveQuantity(mt.averageValue, child(path, 'averageValue')));
  if (typeof mt.averageUtilization === 'number' && mt.averageUtilization < 1) errs.push(invalid(child(path, 'averageUtilization'), mt.averageUtilization, 'must be greater than 0'));
  return errs;
}

function validateMetricIdentifier(id: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof id.name !== 'string' || !id.name) errs.push(required(child(path, 'name'), 'must specify a metric name'));
  else for (const m of pathSegmentErrors(id.name)) errs.push(invalid(child(path, 'name'), id.name, m));
  errs.push(...validateLabelSelector(id.selector, child(path, 'selector')));
  return errs;
}

function utilizationOrValue(target: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const hasU = target.averageUtilization !== undefined && target.averageUtilization !== null;
  const hasV = target.averageValue !== undefined && target.averageValue !== null;
  if (!hasU && !hasV) errs.push(required(child(path, 'averageUtilization'), 'must set either a target raw value or a target utilization'));
  if (hasU && hasV) errs.push(forbidden(child(path, 'averageValue'), 'may not set both a target raw value and a target utilization'));
  return errs;
}

const SOURCES: Record<string, (src: Obj, path: string) => FieldError[]> = {
  object(src, path) {
    const t = asObj(src.target);
    const errs = [...validateCrossVersionObjectReference(src.describedObject, child(path, 'describedObject')),
      ...validateMetricIdentifier(asObj(src.metric), child(path, 'metric')), ...validateMetricTarget(t, child(path, 'target'))];
    if (t.value == null && t.averageValue == null) errs.push(required(child(path, 'target', 'averageValue'), 'must set either a target value or averageValue'));
    return errs;
  },
  external(src, path) {
    const t = asObj(src.target);
    const errs = [...validateMetricIdentifier(asObj(src.metric), child(path, 'metric')), ...validateMetricTarget(t, child(path, 'target'))];
    if (t.value == null && t.averageValue == null) errs.push(required(child(path, 'target', 'averageValue'), 'must set either a target value for metric or a per-pod target'));
    if (t.value != null && t.averageValue != null) errs.push(forbidden(child(path, 'target', 'value'), 'may not set both a target value for metric and a per-pod target'));
    return errs;
  },
  pods(src, path) {
    const t = asObj(src.target);
    const errs = [...validateMetricIdentifier(asObj(src.metric), child(path, 'metric')), ...validateMetricTarget(t, child(path, 'target'))];
    if (t.averageValue == null) errs.push(required(child(path, 'target', 'averageValue'), 'must specify a positive target averageValue'));
    return errs;
  },
  resource(src, path) {
    const t = asObj(src.target);
    const errs: FieldError[] = [];
    if (!src.name) errs.push(required(child(path, 'name'), 'must specify a resource name'));
    return [...errs, ...validateMetricTarget(t, child(path, 'target')), ...utilizationOrValue(t, child(path, 'target'))];
  },
  containerResource(src, path) {
    const t = asObj(src.target);
    const errs: FieldError[] = [];
    if (!src.name) errs.push(required(child(path, 'name'), 'must specify a resource name'));
    if (typeof src.container !== 'string' || !src.container) errs.push(required(child(path, 'container'), 'must specify a container'));
    else for (const m of isDNS1123Label(src.container)) errs.push(invalid(child(path, 'container'), src.container, m));
    return [...errs, ...validateMetricTarget(t, child(path, 'target')), ...utilizationOrValue(t, child(path, 'target'))];
  },
};
const FIELD_OF_TYPE: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };

function validateMetricSpec(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = spec.type;
  if (!type) errs.push(required(child(path, 'type'), 'must specify a metric source type'));
  if (!METRIC_SOURCE_TYPES.includes(type as string)) errs.push(notSupported(child(path, 'type'), type ?? '', METRIC_SOURCE_TYPES));
  const present: string[] = [];
  for (const f of ['object', 'external', 'pods', 'resource', 'containerResource']) {
    if (spec[f] === undefined || spec[f] === null) continue;
    present.push(f);
    if (present.length === 1) errs.push(...SOURCES[f](asObj(spec[f]), child(path, f)));
  }
  const expected = FIELD_OF_TYPE[type as string];
  if (expected && !present.includes(expected)) errs.push(required(child(path, expected), 'must populate information for the given metric source'));
  if (present.length !== 1) for (const f of present.filter((f) => f !== expected)) errs.push(forbidden(child(path, f), 'must populate the given metric source only'));
  return errs;
}

function validateScalingRules(rules: unknown, path: string): FieldError[] {
  if (!isObj(rules)) return [];
  const errs: FieldError[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (typeof w === 'number' && w < 0) errs.push(invalid(child(path, 'stabilizationWindowSeconds'), w, 'must be greater than or equal to zero'));
  if (typeof w === 'number' && w > MAX_STABILIZATION_WINDOW_SECONDS) errs.push(invalid(child(path, 'stabilizationWindowSeconds'), w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  if (rules.selectPolicy !== undefined && rules.selectPolicy !== null && !SELECT_POLICIES.includes(rules.selectPolicy as string)) {
    errs.push(notSupported(child(path, 'selectPolicy'), rules.selectPolicy, SELECT_POLICIES));
  }
  const policies = asArray(rules.policies);
  if (policies.length === 0) errs.push(required(child(path, 'policies'), 'must specify at least one Policy'));
  policies.forEach((p0, i) => {
    const p = asObj(p0), pp = index(child(path, 'policies'), i);
    if (!POLICY_TYPES.includes(p.type as string)) errs.push(notSupported(child(pp, 'type'), p.type ?? '', POLICY_TYPES));
    if (!(typeof p.value === 'number' && p.value > 0)) errs.push(invalid(child(pp, 'value'), p.value ?? 0, 'must be greater than zero'));
    const ps = p.periodSeconds;
    if (!(typeof ps === 'number' && ps > 0)) errs.push(invalid(child(pp, 'periodSeconds'), ps ?? 0, 'must be greater than zero'));
    if (typeof ps === 'number' && ps > MAX_PERIOD_SECONDS) errs.push(invalid(child(pp, 'periodSeconds'), ps, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

function validateSpec(spec: Obj, path: string, minReplicasLowerBound: number): FieldError[] {
  const errs: FieldError[] = [];
  const min = spec.minReplicas, max = spec.maxReplicas;
  if (typeof min === 'number' && min < minReplicasLowerBound) errs.push(invalid(child(path, 'minReplicas'), min, `must be greater than or equal to ${minReplicasLowerBound}`));
  if (!(typeof max === 'number' && max >= 1)) errs.push(invalid(child(path, 'maxReplicas'), max ?? 0, 'must be greater than 0'));
  if (typeof min === 'number' && typeof max === 'number' && max < min) errs.push(invalid(child(path, 'maxReplicas'), max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateCrossVersionObjectReference(spec.scaleTargetRef, child(path, 'scaleTargetRef')));
  const metrics = asArray(spec.metrics);
  metrics.forEach((m, i) => errs.push(...validateMetricSpec(asObj(m), index(child(path, 'metrics'), i))));
  if (min === 0 && !metrics.some((m) => ['Object', 'External'].includes(asObj(m).type as string))) {
    errs.push(forbidden(child(path, 'metrics'), 'must specify at least one Object or External metric to support scaling to zero replicas'));
  }
  if (isObj(spec.behavior)) {
    errs.push(...validateScalingRules(spec.behavior.scaleUp, child(path, 'behavior', 'scaleUp')));
    errs.push(...validateScalingRules(spec.behavior.scaleDown, child(path, 'behavior', 'scaleDown')));
  }
  return errs;
}

/** Identical errors once each (upstream's aggregate de-duplicates messages). */
function unique(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => { const k = `${e.field}\u0000${e.message}`; if (seen.has(k)) return false; seen.add(k); return true; });
}

/** Create and update (old set) of an autoscaling/v2-shaped HPA. */
export function validateHorizontalPodAutoscaler(obj: KubeObject, old?: KubeObject): FieldError[] {
  // HPAScaleToZero is alpha (off): minReplicas ≥ 1, unless the object already had 0.
  const oldMin = old ? asObj(old.spec).minReplicas : undefined;
  const bound = oldMin === 0 ? 0 : 1;
  return unique([...validateMeta(obj, old, true, nameIsDNSSubdomain), ...validateSpec(asObj(obj.spec), 'spec', bound)]);
}

export function validateHorizontalPodAutoscalerStatus(obj: KubeObject, old: KubeObject): FieldError[] {
  const s = asObj(obj.status);
  const errs = [...validateObjectMetaUpdate(obj, old)];
  for (const f of ['currentReplicas', 'desiredReplicas']) {
    if (typeof s[f] === 'number' && (s[f] as number) < 0) errs.push(invalid(child('status', f), s[f], 'must be greater than or equal to 0'));
  }
  return errs;
}
