/**
 * The strict decoding errors of a write, as upstream lists them (fieldValidation Strict: one 400 naming them all;
 * Warn: one warning each). Upstream's words and order (test/integration/apiserver/field_validation_test.go):
 * - a typed JSON body: duplicate and unknown fields interleaved in document order — `strict decoding error:
 *   duplicate field "metadata.name", unknown field "spec.unknown1", duplicate field "spec.paused"`; a field both
 *   unknown and duplicated is reported as unknown only (the typed decoder never looks inside unknown fields);
 * - a custom resource (unstructured decoding): every duplicate first, then the unknown fields;
 * - a YAML body: sigs.k8s.io/yaml's one error for all repeated keys, `yaml: unmarshal errors:\n  line 5: key
 *   "name" already set in map\n  line 12: ...`, then the unknown fields (warnings: one per line);
 * - a merge or strategic merge patch: the patch's duplicates, then the unknown fields of the result;
 * - a JSON patch: `json patch duplicate field "[1].path"` / `json patch unknown field "[0].foo"` for the
 *   operations themselves, then the unknown fields of the result.
 */
import type { JsonSource } from '../api/json-source.ts';
import { StatusError } from '../api/errors.ts';

export type StrictSource = 'body' | 'custom' | 'merge' | 'strategic' | 'json';

/** What a strict decoding error lists, in order; `warnings` are the same, one entry per warning. */
export interface StrictFindings { errors: string[]; warnings: string[] }

const JSON_PATCH_FIELDS = new Set(['op', 'path', 'from', 'value']);

/** `a.b[0].c` is `prefix` or below it. */
function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '.') || path.startsWith(prefix + '[');
}

/** Paths in the order of their keys, level by level (Go's map key order): `spec.template…` before `spec.unknown1`. */
function byKeyOrder(a: string, b: string): number {
  const sa = a.split(/\.|(?=\[)/), sb = b.split(/\.|(?=\[)/);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) if (sa[i] !== sb[i]) return sa[i] < sb[i] ? -1 : 1;
  return sa.length - sb.length;
}

export function strictFindings(unknown: string[], src: JsonSource | undefined, how: StrictSource, patch?: unknown): StrictFindings {
  const errors: string[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const add = (msg: string) => { if (!seen.has(msg)) { seen.add(msg); errors.push(msg); warnings.push(msg); } };
  if (src?.yamlDuplicates) {
    // sigs.k8s.io/yaml converts YAML to JSON through a Go map: a typed kind's unknown fields come in key order.
    if (src.yamlDuplicates.length) {
      errors.push(`yaml: unmarshal errors:\n  ${src.yamlDuplicates.join('\n  ')}`);
      warnings.push(...src.yamlDuplicates);
    }
    for (const u of how === 'body' ? [...unknown].sort(byKeyOrder) : unknown) add(`unknown field "${u}"`);
    return { errors, warnings };
  }
  const dups = src?.duplicates ?? [];
  if (how === 'json') {
    // The operations themselves: duplicate and unknown keys of each op, in document order.
    const ops: { msg: string; offset: number }[] = dups.map((d) => ({ msg: `json patch duplicate field "${d.path}"`, offset: d.offset }));
    if (Array.isArray(patch)) {
      patch.forEach((op, i) => {
        if (!op || typeof op !== 'object' || Array.isArray(op)) return;
        for (const k of Object.keys(op)) {
          if (!JSON_PATCH_FIELDS.has(k)) ops.push({ msg: `json patch unknown field "[${i}].${k}"`, offset: src ? src.firstOffset(`[${i}].${k}`) : i });
        }
      });
    }
    ops.sort((a, b) => a.offset - b.offset).forEach((o) => add(o.msg));
    for (const u of unknown) add(`unknown field "${u}"`);
    return { errors, warnings };
  }
  if (how === 'body' && dups.length && unknown.length) {
    const items = [
      ...dups.filter((d) => !unknown.some((u) => under(d.path, u))).map((d) => ({ msg: `duplicate field "${d.path}"`, offset: d.offset })),
      ...unknown.map((u) => ({ msg: `unknown field "${u}"`, offset: src!.firstOffset(u) })),
    ];
    items.sort((a, b) => a.offset - b.offset).forEach((x) => add(x.msg));
    return { errors, warnings };
  }
  for (const d of dups) add(`duplicate field "${d.path}"`);
  for (const u of unknown) add(`unknown field "${u}"`);
  return { errors, warnings };
}

/**
 * The 422 upstream's patcher gives when the patched object does not decode (or decodes with strict errors under
 * fieldValidation Strict): `"" is invalid: patch: Invalid value: "<value>": <why>`. The value is the patched
 * JSON for a JSON or merge patch, the patch map as Go's %+v prints it for a strategic merge patch.
 */
export function patchInvalid(value: string, why: string): StatusError {
  return new StatusError(422, 'Invalid', ` "" is invalid: patch: Invalid value: ${JSON.stringify(value)}: ${why}`, {
    causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${why}`, field: 'patch' }],
  });
}

/** Go's %+v of a decoded JSON value: `map[data:map[b:2]]` (keys sorted), `[a b]`, `<nil>`. */
export function goPrintValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goPrintValue).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `map[${keys.map((k) => `${k}:${goPrintValue((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  return String(v);
}
