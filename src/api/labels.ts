/**
 * Label selectors, as upstream k8s.io/apimachinery/pkg/labels and metav1.LabelSelector:
 *   parseSelector("app=web,tier in (a,b),!canary")  (the ?labelSelector= syntax, same grammar and error texts)
 *   labelSelectorToSelector({matchLabels, matchExpressions})
 *   selectorToString / formatLabelSelector, matching, and the label key/value syntax checks.
 */
import { StatusError, badRequest } from './errors.ts';
import { isQualifiedName, isValidLabelValue, isDNS1123Subdomain } from './validation/names.ts';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement { key: string; operator: Operator; values: string[] }

/** A selector: requirements ANDed together, sorted by key. `nothing` matches no object (a nil metav1.LabelSelector). */
export interface Selector {
  requirements: Requirement[];
  nothing?: boolean;
}

export type Labels = Record<string, string> | undefined | null;

// ---- label key/value syntax: the api-schema engineer's upstream-worded checks (src/api/validation/names.ts) ----

export { isQualifiedName, isValidLabelValue, isDNS1123Subdomain };

// ---- requirements ----

/** Go's field.Error text: `<path>: Invalid value: "v": detail` (path "<nil>" when absent, as upstream). */
function invalidText(path: string, value: unknown, detail: string): string {
  const v = typeof value === 'string' ? JSON.stringify(value)
    : Array.isArray(value) ? `[]string{${value.map((x) => JSON.stringify(x)).join(', ')}}` : String(value);
  return `${path}: Invalid value: ${v}: ${detail}`;
}

class SelectorError extends Error {}

/** Validate and build one requirement (upstream labels.NewRequirement). Throws SelectorError with upstream text. */
export function newRequirement(key: string, operator: Operator, values: string[], keyPath = 'key'): Requirement {
  const errs: string[] = [];
  const kerrs = isQualifiedName(key);
  if (kerrs.length) errs.push(invalidText(keyPath, key, kerrs.join('; ')));
  switch (operator) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push(invalidText('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(invalidText('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists': case '!':
      if (values.length !== 0) errs.push(invalidText('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(invalidText('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => { if (!/^[+-]?\d+$/.test(v)) errs.push(invalidText(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer")); });
      break;
  }
  values.forEach((v, i) => {
    const verrs = isValidLabelValue(v);
    if (verrs.length) errs.push(invalidText(`values[${i}][${key}]`, v, verrs.join('; ')));
  });
  if (errs.length) throw new SelectorError(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  return { key, operator, values: [...values] };
}

function sortByKey(reqs: Requirement[]): Requirement[] {
  return [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---- the string syntax ----

type Tok = 'err' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
const literalTokens: Record<string, Tok> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', 'in': 'in', '<': '<', '!=': '!=', 'notin': 'notin', '(': '(' };
const isWs = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

function lex(s: string): { tok: Tok; lit: string }[] {
  const out: { tok: Tok; lit: string }[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWs(s[pos])) pos++;
    if (pos >= s.length) { out.push({ tok: 'eos', lit: '' }); return out; }
    if (isSpecial(s[pos])) {
      let buf = '';
      let last: { tok: Tok; lit: string } | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const t = literalTokens[buf];
        if (t) { last = { tok: t, lit: buf }; pos++; }
        else if (last) break;
        else pos++;
      }
      out.push(last ?? { tok: 'err', lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = '';
      while (pos < s.length && !isSpecial(s[pos]) && !isWs(s[pos])) buf += s[pos++];
      out.push({ tok: literalTokens[buf] ?? 'id', lit: buf });
    }
  }
}

/** Parse a label selector string; throws Error with upstream's text on bad syntax (see parseLabelSelectorParam). */
export function parseSelector(selector: string): Selector {
  const items = lex(selector);
  let p = 0;
  // In value context the keywords in/notin are plain identifiers.
  const look = (values: boolean) => { const it = items[p]; return { tok: values && (it.tok === 'in' || it.tok === 'notin') ? 'id' as Tok : it.tok, lit: it.lit }; };
  const take = (values: boolean) => { const r = look(values); p++; return r; };

  const parseRequirement = (): Requirement => {
    let op: Operator | undefined;
    let t = take(true);
    if (t.tok === '!') { op = '!'; t = take(true); }
    if (t.tok !== 'id') throw new SelectorError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const kerrs = isQualifiedName(key);
    if (kerrs.length) throw new SelectorError(invalidText('<nil>', key, kerrs.join('; ')));
    if (op === '!') return newRequirement(key, '!', []);
    const nx = look(true).tok;
    if (nx === 'eos' || nx === ',') return newRequirement(key, 'exists', []);
    const o = take(false);
    let operator: Operator;
    switch (o.tok) {
      case 'in': operator = 'in'; break;
      case '=': operator = '='; break;
      case '==': operator = '=='; break;
      case '>': operator = 'gt'; break;
      case '<': operator = 'lt'; break;
      case 'notin': operator = 'notin'; break;
      case '!=': operator = '!='; break;
      default: throw new SelectorError(`found '${o.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    let values: string[];
    if (operator === 'in' || operator === 'notin') values = parseValues();
    else {
      const v = look(true);
      if (v.tok === 'eos' || v.tok === ',') values = [''];
      else {
        const vv = take(true);
        if (vv.tok !== 'id') throw new SelectorError(`found '${vv.lit}', expected: identifier`);
        values = [vv.lit];
      }
    }
    return newRequirement(key, operator, values);
  };

  const parseValues = (): string[] => {
    const t = take(true);
    if (t.tok !== '(') throw new SelectorError(`found '${t.lit}' expected: '('`);
    const l = look(true);
    if (l.tok === ')') { p++; return ['']; }
    if (l.tok !== 'id' && l.tok !== ',') throw new SelectorError(`found '${l.lit}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const c = take(true);
      if (c.tok === 'id') {
        set.add(c.lit);
        const n = look(true);
        if (n.tok === ',') continue;
        if (n.tok === ')') break;
        throw new SelectorError(`found '${n.lit}', expected: ',' or ')'`);
      } else if (c.tok === ',') {
        if (set.size === 0) set.add('');
        const n = look(true);
        if (n.tok === ')') { set.add(''); break; }
        if (n.tok === ',') set.add('');
      } else {
        throw new SelectorError(`found '${c.lit}', expected: ',', or identifier`);
      }
    }
    const close = take(true);
    if (close.tok !== ')') throw new SelectorError(`found '${l.lit}', expected: ')'`);
    return [...set].sort();
  };

  const reqs: Requirement[] = [];
  for (;;) {
    const { tok, lit } = look(true);
    if (tok === 'eos') break;
    if (tok !== 'id' && tok !== '!') throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
    let r: Requirement;
    try { r = parseRequirement(); } catch (e) {
      if (e instanceof SelectorError) throw new Error(`unable to parse requirement: ${e.message}`);
      throw e;
    }
    reqs.push(r);
    const t = take(true);
    if (t.tok === 'eos') break;
    if (t.tok === ',') {
      const n = look(true);
      if (n.tok !== 'id' && n.tok !== '!') throw new Error(`found '${n.lit}', expected: identifier after ','`);
      continue;
    }
    throw new Error(`found '${t.lit}', expected: ',' or 'end of string'`);
  }
  return { requirements: sortByKey(reqs) };
}

/** parseSelector for the ?labelSelector= parameter: a syntax error becomes 400 BadRequest as upstream. */
export function parseLabelSelectorParam(selector: string | undefined | null): Selector {
  if (!selector) return everything();
  try { return parseSelector(selector); } catch (e) {
    if (e instanceof StatusError) throw e;
    throw badRequest((e as Error).message);
  }
}

export const everything = (): Selector => ({ requirements: [] });
export const nothing = (): Selector => ({ requirements: [], nothing: true });

/** A Selector from a plain map (matches exactly those labels; empty map = everything). */
export function selectorFromSet(set: Record<string, string> | undefined | null): Selector {
  return { requirements: sortByKey(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=' as Operator, values: [v] }))) };
}

export interface LabelSelectorRequirement { key: string; operator: string; values?: string[] }
export interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

/**
 * metav1.LabelSelector → Selector (upstream LabelSelectorAsSelector): nil/undefined matches nothing, {} matches
 * everything. Throws Error on an invalid operator, key or value.
 */
export function labelSelectorToSelector(ls: LabelSelector | undefined | null): Selector {
  if (ls == null) return nothing();
  const ml = ls.matchLabels ?? {};
  const me = ls.matchExpressions ?? [];
  if (Object.keys(ml).length + me.length === 0) return everything();
  const reqs: Requirement[] = [];
  try {
    for (const [k, v] of Object.entries(ml)) reqs.push(newRequirement(k, '=', [v]));
    for (const e of me) {
      const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as Record<string, Operator>)[e.operator];
      if (!op) throw new Error(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
      reqs.push(newRequirement(e.key, op, [...(e.values ?? [])]));
    }
  } catch (e) {
    if (e instanceof SelectorError) throw new Error(e.message);
    throw e;
  }
  return { requirements: sortByKey(reqs) };
}

function requirementToString(r: Requirement): string {
  const vals = () => (r.values.length === 1 ? r.values[0] : [...r.values].sort().join(','));
  switch (r.operator) {
    case '!': return '!' + r.key;
    case 'exists': return r.key;
    case '=': case '==': case '!=': return `${r.key}${r.operator}${vals()}`;
    case 'in': return `${r.key} in (${vals()})`;
    case 'notin': return `${r.key} notin (${vals()})`;
    case 'gt': return `${r.key}>${vals()}`;
    case 'lt': return `${r.key}<${vals()}`;
  }
}

/** The canonical string of a selector ("" for everything and for nothing), as upstream Selector.String(). */
export function selectorToString(sel: Selector): string {
  if (sel.nothing) return '';
  return sel.requirements.map(requirementToString).join(',');
}

/** upstream metav1.FormatLabelSelector: "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(ls: LabelSelector | undefined | null): string {
  let s: string;
  try { s = selectorToString(labelSelectorToSelector(ls)); } catch { return '<error>'; }
  return s === '' ? '<none>' : s;
}

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = labels != null && Object.prototype.hasOwnProperty.call(labels, r.key);
  const val = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case 'in': case '=': case '==': return has && r.values.includes(val!);
    case 'notin': case '!=': return !has || !r.values.includes(val!);
    case 'exists': return has;
    case '!': return !has;
    case 'gt': case 'lt': {
      if (!has || !/^[+-]?\d+$/.test(val!) || r.values.length !== 1) return false;
      const a = BigInt(val!), b = BigInt(r.values[0]);
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

export function selectorMatches(sel: Selector, labels: Labels): boolean {
  if (sel.nothing) return false;
  return sel.requirements.every((r) => requirementMatches(r, labels));
}

/** A matcher function for a metav1.LabelSelector (throws like labelSelectorToSelector). */
export function labelSelectorMatcher(ls: LabelSelector | undefined | null): (labels: Labels) => boolean {
  const sel = labelSelectorToSelector(ls);
  return (labels) => selectorMatches(sel, labels);
}

