/** Validation and defaults shared by Deployment and ReplicaSet (upstream pkg/apis/apps/validation). */
import type { FieldError } from '../errors.ts';
import { asObj, child, forbidden, goIntOrString, invalid, invalidRaw, isObj, notSupported, required } from '../validation/field.ts';
import { validateAnnotations, validateLabels } from '../validation/names.ts';
import { validatePodSpec } from '../validation/pod.ts';
import { selectorIsEmpty, selectorMatches, validateLabelSelector } from '../validation/selector.ts';
import { defaultPodSpec } from './pod-defaults.ts';
import { enumOf } from '../definitions/index.ts';

type Obj = Record<string, unknown>;

export function defaultTemplate(spec: Obj): void {
  if (!isObj(spec.template)) spec.template = {};
  const t = spec.template as Obj;
  if (!isObj(t.spec)) t.spec = {};
  defaultPodSpec(t.spec as Obj);
}

/** ValidatePodTemplateSpecForReplicaSet: labels match the selector, restartPolicy Always, no activeDeadlineSeconds. */
export function validateTemplate(spec: Obj, path: string, kindForMsg: string): FieldError[] {
  const errs: FieldError[] = [];
  const tp = child(path, 'template');
  if (!isObj(spec.template)) { errs.push(required(tp)); return errs; }
  const t = spec.template as Obj;
  const tm = asObj(t.metadata);
  if (spec.selector !== undefined && !selectorIsEmpty(spec.selector) && !selectorMatches(spec.selector, tm.labels)) {
    errs.push(invalid(child(tp, 'metadata', 'labels'), tm.labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validateLabels(tm.labels, child(tp, 'metadata', 'labels')));
  errs.push(...validateAnnotations(tm.annotations, child(tp, 'metadata', 'annotations')));
  const ps = asObj(t.spec);
  errs.push(...validatePodSpec(ps, child(tp, 'spec'), { template: true }));
  if (ps.restartPolicy !== undefined && ps.restartPolicy !== 'Always') {
    errs.push(notSupported(child(tp, 'spec', 'restartPolicy'), ps.restartPolicy, ['Always']));
  }
  if (ps.activeDeadlineSeconds !== undefined && ps.activeDeadlineSeconds !== null) {
    // upstream shares this check between Deployment and ReplicaSet and always says "ReplicaSet"
    errs.push(invalid(child(tp, 'spec', 'activeDeadlineSeconds'), ps.activeDeadlineSeconds, `activeDeadlineSeconds in ${kindForMsg} is not Supported`));
  }
  return errs;
}

export function validateSelector(spec: Obj, path: string, emptyMsg: string): FieldError[] {
  const sp = child(path, 'selector');
  if (spec.selector === undefined || spec.selector === null) return [required(sp)];
  const errs = validateLabelSelector(spec.selector, sp);
  if (selectorIsEmpty(spec.selector)) errs.push(invalid(sp, spec.selector, emptyMsg));
  return errs;
}

/** IntOrString percentages: "25%" or a non-negative integer (upstream ValidatePositiveIntOrPercent). */
export function intOrPercent(v: unknown, field: string): { errs: FieldError[]; zero: boolean } {
  if (v === undefined || v === null) return { errs: [], zero: false };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return { errs: [invalidRaw(field, goIntOrString(v), 'must be an integer')], zero: false };
    return { errs: v < 0 ? [invalidRaw(field, goIntOrString(v), 'must be greater than or equal to 0')] : [], zero: v === 0 };
  }
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (!m) return { errs: [invalidRaw(field, goIntOrString(v), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")], zero: false };
    return { errs: [], zero: Number(m[1]) === 0 };
  }
  return { errs: [invalid(field, v, "must be an integer or percentage (e.g '5%')")], zero: false };
}

export function validateStrategy(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const sp = child(path, 'strategy');
  const s = asObj(spec.strategy);
  const types = enumOf('io.k8s.api.apps.v1.DeploymentStrategy', 'type');
  if (s.type === 'Recreate') {
    if (s.rollingUpdate !== undefined && s.rollingUpdate !== null) errs.push(forbidden(child(sp, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (s.type === 'RollingUpdate') {
    if (!isObj(s.rollingUpdate)) errs.push(required(child(sp, 'rollingUpdate'), 'this should be defaulted and never be nil'));
    else {
      const ru = s.rollingUpdate;
      const mu = intOrPercent(ru.maxUnavailable, child(sp, 'rollingUpdate', 'maxUnavailable'));
      const ms = intOrPercent(ru.maxSurge, child(sp, 'rollingUpdate', 'maxSurge'));
      errs.push(...mu.errs, ...ms.errs);
      if (typeof ru.maxUnavailable === 'string' && /^\d+%$/.test(ru.maxUnavailable) && parseInt(ru.maxUnavailable, 10) > 100) {
        errs.push(invalidRaw(child(sp, 'rollingUpdate', 'maxUnavailable'), goIntOrString(ru.maxUnavailable), 'must not be greater than 100%'));
      }
      if (mu.zero && ms.zero) errs.push(invalidRaw(child(sp, 'rollingUpdate', 'maxUnavailable'), goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
    }
  } else if (s.type === undefined || s.type === '') errs.push(required(child(sp, 'type')));
  else errs.push(notSupported(child(sp, 'type'), s.type, types));
  return errs;
}
