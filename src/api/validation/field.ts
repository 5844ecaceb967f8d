/**
 * Field paths and field errors phrased as upstream k8s.io/apimachinery/pkg/util/validation/field does,
 * including Go's rendering of the offending value (`"foo"`, `0`, `map[string]string{"app":"web"}`).
 */
import type { FieldError } from '../errors.ts';

export function child(base: string, ...names: string[]): string {
  let p = base;
  for (const n of names) if (n) p = p ? p + '.' + n : n;
  return p;
}
export function index(base: string, i: number): string { return base + '[' + i + ']'; }
export function key(base: string, k: string): string { return base + '[' + k + ']'; }

/** Go's %#v-like rendering used in field.Invalid messages. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
    return JSON.stringify(v);
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.every(([, x]) => typeof x === 'string')) {
      return `map[string]string{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`).join(', ')}}`;
    }
    return JSON.stringify(v);
  }
  return String(v);
}

/** Go's %#v of an intstr.IntOrString (it has no value-receiver String(), so upstream prints the struct). */
export function goIntOrString(v: unknown): string {
  if (typeof v === 'number') return `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`;
  return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(String(v ?? ''))}}`;
}
/** field.Invalid with an already-rendered value. */
export const invalidRaw = (field: string, rendered: string, detail: string): FieldError =>
  ({ type: 'FieldValueInvalid', field, message: `Invalid value: ${rendered}: ${detail}` });

export const invalid = (field: string, value: unknown, detail: string): FieldError =>
  ({ type: 'FieldValueInvalid', field, message: `Invalid value: ${goValue(value)}: ${detail}` });
export const required = (field: string, detail = ''): FieldError =>
  ({ type: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' });
export const notSupported = (field: string, value: unknown, allowed: string[]): FieldError =>
  ({ type: 'FieldValueNotSupported', field, message: `Unsupported value: ${goValue(value)}${allowed.length ? `: supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}` : ''}` });
export const duplicate = (field: string, value: unknown): FieldError =>
  ({ type: 'FieldValueDuplicate', field, message: `Duplicate value: ${goValue(value)}` });
export const forbidden = (field: string, detail: string): FieldError =>
  ({ type: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` });
export const notFound = (field: string, value: unknown): FieldError =>
  ({ type: 'FieldValueNotFound', field, message: `Not found: ${goValue(value)}` });
export const tooLong = (field: string, max: number): FieldError =>
  ({ type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` });

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asArray = <T = unknown>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const asObj = (v: unknown): Record<string, unknown> => (isObj(v) ? v : {});

/** Deep equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>, bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined), bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => deepEqual(ao[k], bo[k]));
}

/** `field is immutable` when a value changed on update (ValidateImmutableField). */
export function immutable(field: string, newV: unknown, oldV: unknown): FieldError[] {
  return deepEqual(newV, oldV) ? [] : [invalid(field, newV, 'field is immutable')];
}

export function nonNegative(field: string, v: unknown): FieldError[] {
  return typeof v === 'number' && v < 0 ? [invalid(field, v, 'must be greater than or equal to 0')] : [];
}
