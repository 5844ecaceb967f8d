/**
 * metav1.Condition lists (status.conditions of PodDisruptionBudgets, CustomResourceDefinitions...), validated as
 * upstream apimachinery/pkg/apis/meta/v1/validation ValidateConditions, messages word for word.
 */
import type { FieldError } from '../errors.ts';
import { asArray, asObj, child, duplicate, index, invalid, notSupported, required } from './field.ts';
import { isQualifiedName, regexError } from './names.ts';

const STATUSES = ['False', 'True', 'Unknown'];
const REASON_FMT = '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?';
const REASON_RE = new RegExp(`^${REASON_FMT}$`);
const REASON_MSG = "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'";

export function validateConditions(conditions: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  asArray(conditions).forEach((c0, i) => {
    const c = asObj(c0);
    const p = index(path, i);
    const type = typeof c.type === 'string' ? c.type : '';
    if (seen.has(type)) errs.push(duplicate(child(p, 'type'), type));
    seen.add(type);
    for (const m of isQualifiedName(type)) errs.push(invalid(child(p, 'type'), type, m));
    if (!STATUSES.includes(c.status as string)) errs.push(notSupported(child(p, 'status'), c.status ?? '', STATUSES));
    if (typeof c.observedGeneration === 'number' && c.observedGeneration < 0) {
      errs.push(invalid(child(p, 'observedGeneration'), c.observedGeneration, 'must be greater than or equal to zero'));
    }
    if (!c.lastTransitionTime) errs.push(required(child(p, 'lastTransitionTime'), 'must be set'));
    const reason = typeof c.reason === 'string' ? c.reason : '';
    if (!reason) errs.push(required(child(p, 'reason'), 'must be set'));
    else {
      if (!REASON_RE.test(reason)) errs.push(invalid(child(p, 'reason'), reason, regexError(REASON_MSG, REASON_FMT, 'my_name', 'MY_NAME', 'MyName', 'ReasonA,ReasonB', 'ReasonA:ReasonB')));
      if (reason.length > 1024) errs.push({ type: 'FieldValueTooLong', field: child(p, 'reason'), message: 'Too long: may not be more than 1024 bytes' });
    }
    if (typeof c.message === 'string' && c.message.length > 32768) {
      errs.push({ type: 'FieldValueTooLong', field: child(p, 'message'), message: 'Too long: may not be more than 32768 bytes' });
    }
  });
  return errs;
}

/**
 * apimeta.SetStatusCondition: add or change the condition of `cond.type`; lastTransitionTime changes only when the
 * status does (`now` when the caller gives none). Returns the new list (the input is not modified).
 */
export interface Condition { type: string; status: string; reason: string; message: string; lastTransitionTime?: string; observedGeneration?: number }
export function setStatusCondition(list: unknown, cond: Condition, now: string): Condition[] {
  const out = asArray<Condition>(list).map((c) => ({ ...c }));
  const i = out.findIndex((c) => c?.type === cond.type);
  if (i < 0) {
    const c: Condition = { ...cond, lastTransitionTime: cond.lastTransitionTime ?? now };
    if (!c.observedGeneration) delete c.observedGeneration; // omitempty
    out.push(c);
    return out;
  }
  const cur = out[i];
  if (cur.status !== cond.status) cur.lastTransitionTime = cond.lastTransitionTime ?? now;
  cur.status = cond.status;
  cur.reason = cond.reason;
  cur.message = cond.message;
  if (cond.observedGeneration) cur.observedGeneration = cond.observedGeneration; else delete cur.observedGeneration;
  return out;
}

export function findCondition(list: unknown, type: string): Condition | undefined {
  return asArray<Condition>(list).find((c) => c?.type === type);
}
