/**
 * Field selectors (?fieldSelector=), as upstream k8s.io/apimachinery/pkg/fields plus, per kind, the selectable
 * fields and the field-label conversion of the API server (pkg/apis/<group>/v1/conversion.go and the registries'
 * ToSelectableFields, declared by each kind's descriptor as `fieldSelectors`). Terms: `f=v`, `f==v`, `f!=v`, comma-separated (AND); `\,` `\=` `\\` escape.
 */
import type { FieldSelectorDef, KubeObject, ResourceDef } from './resource.ts';
import { findByKind } from './registry.ts';
import { StatusError, badRequest } from './errors.ts';

export interface FieldTerm { field: string; op: '=' | '!='; value: string }
export interface FieldSelector { terms: FieldTerm[] }

/** Split on commas not preceded by a backslash escape. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) { cur += c + s[i + 1]; i++; continue; }
    if (c === ',') { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

function splitTerm(term: string): [string, '=' | '==' | '!=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') { i++; continue; }
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  if (!s.includes('\\') && !s.includes(',') && !s.includes('=')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '\\' || n === ',' || n === '=') { out += n; i++; continue; }
      throw new Error(`invalid field selector: invalid escape sequence: ${n === undefined ? '\\' : '\\' + n}`);
    }
    if (c === ',' || c === '=') throw new Error(`invalid field selector: unescaped character: ${c}`);
    out += c;
  }
  return out;
}

export function escapeValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

/** Parse a field selector; throws Error with upstream's text on bad syntax. Terms come out sorted. */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const terms: FieldTerm[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new Error(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, op, rhs] = t;
    terms.push({ field, op: op === '!=' ? '!=' : '=', value: unescapeValue(rhs) });
  }
  return { terms };
}

export function fieldSelectorToString(sel: FieldSelector): string {
  return sel.terms.map((t) => `${t.field}${t.op}${escapeValue(t.value)}`).join(',');
}

export function fieldSelectorMatches(sel: FieldSelector, fields: Record<string, string>): boolean {
  return sel.terms.every((t) => ((fields[t.field] ?? '') === t.value) === (t.op === '='));
}

/** The value a selector requires for `field` (e.g. metadata.name for a single-object watch), if any. */
export function requiresExactMatch(sel: FieldSelector, field: string): string | undefined {
  const t = sel.terms.find((x) => x.field === field && x.op === '=');
  return t?.value;
}

// ---- per kind: the descriptor's `fieldSelectors` ----

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
type Selectable = Pick<ResourceDef, 'fieldSelectors' | 'namespaced'>;
const kindFields = (group: string, kind: string): FieldSelectorDef | undefined => findByKind(group === 'core' ? '' : group, kind)?.fieldSelectors;

function fieldsOf(k: FieldSelectorDef | undefined, obj: KubeObject, namespaced: boolean): Record<string, string> {
  const out: Record<string, string> = { 'metadata.name': str(obj?.metadata?.name) };
  if (namespaced) out['metadata.namespace'] = str(obj?.metadata?.namespace);
  if (k) Object.assign(out, k.fields(obj));
  return out;
}

function convert(sel: FieldSelector, k: FieldSelectorDef | undefined): FieldSelector {
  return {
    terms: sel.terms.map((t) => {
      if (!k) {
        if (t.field === 'metadata.name' || t.field === 'metadata.namespace') return t;
        throw new Error(`${JSON.stringify(t.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
      }
      const alias = k.aliases?.[t.field];
      if (alias) return { ...t, field: alias };
      if (k.accepted.includes(t.field)) return t;
      throw new Error(`field label not supported: ${t.field}`);
    }),
  };
}

function parseParam(selector: string | undefined | null, k: FieldSelectorDef | undefined): FieldSelector {
  if (!selector) return { terms: [] };
  try {
    return convert(parseFieldSelector(selector), k);
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw badRequest((e as Error).message);
  }
}

/** ?fieldSelector= for a kind's descriptor: parse and check, 400 BadRequest on any error (as upstream). */
export function fieldSelectorFor(def: Selectable, selector: string | undefined | null): FieldSelector {
  return parseParam(selector, def.fieldSelectors);
}

/** Whether an object of a kind passes a selector from fieldSelectorFor. */
export function objectMatchesFieldSelector(def: Selectable, sel: FieldSelector, obj: KubeObject): boolean {
  return sel.terms.length === 0 || fieldSelectorMatches(sel, fieldsOf(def.fieldSelectors, obj, def.namespaced));
}

// The same by group and kind (the registered descriptors').

/** The selectable fields of an object: metadata.name, metadata.namespace (namespaced kinds) and the kind's own. */
export function selectableFields(group: string, kind: string, obj: KubeObject, namespaced = true): Record<string, string> {
  return fieldsOf(kindFields(group, kind), obj, namespaced);
}

/** Field labels the API accepts for a kind. */
export function supportedFieldLabels(group: string, kind: string): string[] {
  return kindFields(group, kind)?.accepted ?? ['metadata.name', 'metadata.namespace'];
}

/**
 * Check (and convert legacy aliases of) the labels of a parsed selector for a kind. Throws Error with upstream text:
 * `field label not supported: x` for kinds with their own conversion,
 * `"x" is not a known field selector: only "metadata.name", "metadata.namespace"` for the others.
 */
export function convertFieldSelector(sel: FieldSelector, group: string, kind: string): FieldSelector {
  return convert(sel, kindFields(group, kind));
}

/** ?fieldSelector= for a kind: parse and check, 400 BadRequest on any error (as upstream). Empty → no terms. */
export function parseFieldSelectorParam(selector: string | undefined | null, group: string, kind: string): FieldSelector {
  return parseParam(selector, kindFields(group, kind));
}

/** Whether an object passes a (converted) field selector. */
export function matchesFieldSelector(sel: FieldSelector, group: string, kind: string, obj: KubeObject, namespaced = true): boolean {
  if (sel.terms.length === 0) return true;
  return fieldSelectorMatches(sel, selectableFields(group, kind, obj, namespaced));
}
