/** metav1.LabelSelector validation and matching (for "selector does not match template labels"). */
import type { FieldError } from '../errors.ts';
import { asArray, asObj, child, forbidden, index, invalid, isObj, required } from './field.ts';
import { isQualifiedName, isValidLabelValue, validateLabels } from './names.ts';

const OPS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (sel === undefined || sel === null) return errs;
  const s = asObj(sel);
  errs.push(...validateLabels(s.matchLabels, child(path, 'matchLabels')));
  for (const [i, r0] of asArray(s.matchExpressions).entries()) {
    const r = asObj(r0);
    const rp = index(child(path, 'matchExpressions'), i);
    const values = asArray(r.values);
    switch (r.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(child(rp, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(rp, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(rp, 'operator'), r.operator ?? '', 'not a valid selector operator'));
    }
    if (!r.key) errs.push(...isQualifiedName('').map((m) => invalid(child(rp, 'key'), '', m)));
    else for (const m of isQualifiedName(String(r.key))) errs.push(invalid(child(rp, 'key'), r.key, m));
    for (const [j, v] of values.entries()) {
      if (typeof v !== 'string') continue;
      for (const m of isValidLabelValue(v)) errs.push(invalid(index(child(rp, 'values'), j), v, m));
    }
  }
  return errs;
}

export function selectorIsEmpty(sel: unknown): boolean {
  const s = asObj(sel);
  return Object.keys(asObj(s.matchLabels)).length === 0 && asArray(s.matchExpressions).length === 0;
}

/** Whether a LabelSelector matches a label set (an empty selector matches everything). */
export function selectorMatches(sel: unknown, labels: unknown): boolean {
  const s = asObj(sel);
  const l = isObj(labels) ? (labels as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(asObj(s.matchLabels))) if (l[k] !== v) return false;
  for (const r0 of asArray(s.matchExpressions)) {
    const r = asObj(r0);
    const k = String(r.key ?? '');
    const has = Object.prototype.hasOwnProperty.call(l, k);
    const vals = asArray(r.values).map(String);
    switch (r.operator) {
      case 'In': if (!has || !vals.includes(String(l[k]))) return false; break;
      case 'NotIn': if (has && vals.includes(String(l[k]))) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** Go's %#v of a v1.LabelSelector, as upstream prints it in "field is immutable" errors. */
export function goLabelSelector(sel: unknown): string {
  const s = asObj(sel);
  const ml = asObj(s.matchLabels);
  const keys = Object.keys(ml).sort();
  const labels = s.matchLabels === undefined ? 'map[string]string(nil)' : `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(ml[k])}`).join(', ')}}`;
  const exprs = asArray(s.matchExpressions);
  const ex = exprs.length === 0 ? '[]v1.LabelSelectorRequirement(nil)' : `[]v1.LabelSelectorRequirement{${exprs.map((e0) => {
    const e = asObj(e0);
    const vals = asArray(e.values);
    return `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key ?? '')}, Operator:${JSON.stringify(e.operator ?? '')}, Values:${vals.length ? `[]string{${vals.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'}}`;
  }).join(', ')}}`;
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${ex}}`;
}

/** The selector rendered as a query string ("app=web,tier in (a,b)"), as Scale.status.selector carries it. */
export function selectorToString(sel: unknown): string {
  const s = asObj(sel);
  const parts: string[] = [];
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries(asObj(s.matchLabels))) reqs.push([k, `${k}=${v}`]);
  for (const r0 of asArray(s.matchExpressions)) {
    const r = asObj(r0);
    const k = String(r.key ?? '');
    const vals = asArray(r.values).map(String).sort();
    switch (r.operator) {
      case 'In': reqs.push([k, `${k} in (${vals.join(',')})`]); break;
      case 'NotIn': reqs.push([k, `${k} notin (${vals.join(',')})`]); break;
      case 'Exists': reqs.push([k, k]); break;
      case 'DoesNotExist': reqs.push([k, `!${k}`]); break;
    }
  }
  reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [, p] of reqs) parts.push(p);
  return parts.join(',');
}
