/**
 * policy/v1 poddisruptionbudgets: strategy and validation (upstream pkg/registry/policy/poddisruptionbudget and
 * pkg/apis/policy/validation). The disruption controller (src/controllers/disruption) writes the status; the pods
 * eviction subresource (src/apiserver/subresources/eviction.ts) spends it.
 */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { asObj, child, goIntOrString, invalid, invalidRaw, isObj, nonNegative, notSupported } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { validateLabelSelector } from '../validation/selector.ts';
import { validateConditions } from '../validation/conditions.ts';
import { enumOf } from '../definitions/index.ts';
import { define, keepAllButStatus, keepStatus, status } from './common.ts';
import { podDisruptionBudgetTable } from '../tables/policy.ts';

const POLICIES = enumOf('io.k8s.api.policy.v1.PodDisruptionBudgetSpec', 'unhealthyPodEvictionPolicy');
const PERCENT_MSG = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const set = (v: unknown) => v !== undefined && v !== null;

/** ValidatePositiveIntOrPercent + IsNotMoreThan100Percent (upstream apps validation). */
function positiveIntOrPercent(v: unknown, field: string): FieldError[] {
  if (typeof v === 'number') return nonNegative(field, v);
  if (typeof v === 'string') {
    if (!/^[0-9]+%$/.test(v)) return [invalidRaw(field, goIntOrString(v), PERCENT_MSG)];
    return parseInt(v, 10) > 100 ? [invalidRaw(field, goIntOrString(v), 'must not be greater than 100%')] : [];
  }
  return [invalid(field, v, "must be an integer or percentage (e.g '5%')")];
}

/**
 * Go's %#v of the internal PodDisruptionBudgetSpec, as upstream prints it in "cannot be both set": its pointer
 * fields print as addresses (made up here, as stable as upstream's are arbitrary).
 */
function goSpec(spec: Record<string, unknown>): string {
  let addr = 0xc000a4e2a0;
  const ptr = (type: string, v: unknown) => (set(v) ? `(*${type})(0x${(addr += 0x20).toString(16)})` : `(*${type})(nil)`);
  return `policy.PodDisruptionBudgetSpec{MinAvailable:${ptr('intstr.IntOrString', spec.minAvailable)}, Selector:${ptr('v1.LabelSelector', spec.selector)}, ` +
    `MaxUnavailable:${ptr('intstr.IntOrString', spec.maxUnavailable)}, UnhealthyPodEvictionPolicy:${ptr('policy.UnhealthyPodEvictionPolicyType', spec.unhealthyPodEvictionPolicy)}}`;
}

export function validatePodDisruptionBudgetSpec(spec: Record<string, unknown>, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  if (set(spec.minAvailable) && set(spec.maxUnavailable)) {
    errs.push(invalidRaw(path, goSpec(spec), 'minAvailable and maxUnavailable cannot be both set'));
  }
  if (set(spec.minAvailable)) errs.push(...positiveIntOrPercent(spec.minAvailable, child(path, 'minAvailable')));
  if (set(spec.maxUnavailable)) errs.push(...positiveIntOrPercent(spec.maxUnavailable, child(path, 'maxUnavailable')));
  if (set(spec.selector)) errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  const p = spec.unhealthyPodEvictionPolicy;
  if (set(p) && !POLICIES.includes(p as string)) errs.push(notSupported(child(path, 'unhealthyPodEvictionPolicy'), p, POLICIES));
  return errs;
}

/** ValidatePodDisruptionBudgetStatusUpdate (policy/v1). */
export function validatePodDisruptionBudgetStatus(st: Record<string, unknown>): FieldError[] {
  const errs = validateConditions(st.conditions, 'status.conditions');
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) errs.push(...nonNegative(child('status', f), st[f]));
  return errs;
}

/** The status of a new budget: the counts upstream's JSON always carries (no omitempty), all zero. */
const emptyStatus = () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });

export const poddisruptionbudgets = define({
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true,
  shortNames: ['pdb'],
  subresources: [status('policy', 'v1', 'PodDisruptionBudget')],
  schemaName: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  table: podDisruptionBudgetTable,
  hasGeneration: true,
  defaults(obj: KubeObject) {
    if (!isObj(obj.spec)) obj.spec = {};
    if (!isObj(obj.status)) obj.status = emptyStatus();
    else obj.status = { ...emptyStatus(), ...obj.status };
  },
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    errs.push(...validatePodDisruptionBudgetSpec(asObj(obj.spec)));
    return errs;
  },
  prepareForCreate(obj) { obj.status = emptyStatus(); },
  prepareForUpdate(obj, old) { keepStatus(obj, old); },
  prepareForStatusUpdate(obj, old) { keepAllButStatus(obj, old); },
  validateStatus(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    errs.push(...validatePodDisruptionBudgetStatus(asObj(obj.status)));
    return errs;
  },
});
