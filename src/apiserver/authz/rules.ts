/**
 * RBAC policy rules as upstream evaluates them (k8s.io/kubernetes/pkg/apis/rbac/v1 evaluation helpers,
 * plugin/pkg/auth/authorizer/rbac RuleAllows, k8s.io/component-helpers/auth/rbac/validation Covers/BreakdownRule,
 * pkg/registry/rbac/validation CompactRules). Pure functions over plain PolicyRule objects.
 */
import type { Attributes } from './types.ts';

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const ALL = '*';
const has = (set: string[] | undefined, v: string): boolean => !!set && set.includes(v);
const hasAll = (set: string[] | undefined, vs: string[] | undefined): boolean => (vs ?? []).every((v) => has(set, v));

export const verbMatches = (r: PolicyRule, verb: string): boolean => has(r.verbs, ALL) || has(r.verbs, verb);
export const apiGroupMatches = (r: PolicyRule, group: string): boolean => has(r.apiGroups, ALL) || has(r.apiGroups, group);

/** `pods`, `pods/log`, or `*` / `*\/log` for any resource's subresource. */
export function resourceMatches(r: PolicyRule, combined: string, subresource: string): boolean {
  for (const rr of r.resources ?? []) {
    if (rr === ALL || rr === combined) return true;
    if (subresource && rr.length === subresource.length + 2 && rr.startsWith('*/') && rr.endsWith(subresource)) return true;
  }
  return false;
}

export const resourceNameMatches = (r: PolicyRule, name: string): boolean => !r.resourceNames?.length || has(r.resourceNames, name);

export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  for (const u of r.nonResourceURLs ?? []) {
    if (u === ALL || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** Whether one rule allows the request (upstream RuleAllows). */
export function ruleAllows(a: Pick<Attributes, 'verb' | 'resourceRequest' | 'path' | 'apiGroup' | 'resource' | 'subresource' | 'name'>, r: PolicyRule): boolean {
  if (a.resourceRequest) {
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup) && resourceMatches(r, combined, a.subresource) && resourceNameMatches(r, a.name);
  }
  return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path);
}

/** One rule per group × resource × verb (× name), and per non-resource URL × verb (upstream BreakdownRule). */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of r.apiGroups ?? []) {
    for (const res of r.resources ?? []) {
      for (const v of r.verbs ?? []) {
        if (r.resourceNames?.length) for (const n of r.resourceNames) out.push({ apiGroups: [g], resources: [res], verbs: [v], resourceNames: [n] });
        else out.push({ apiGroups: [g], resources: [res], verbs: [v] });
      }
    }
  }
  for (const u of r.nonResourceURLs ?? []) for (const v of r.verbs ?? []) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

function resourceCoversAll(set: string[] | undefined, covers: string[] | undefined): boolean {
  if (has(set, ALL) || hasAll(set, covers)) return true;
  for (const p of covers ?? []) {
    if (has(set, p)) continue;
    const slash = p.indexOf('/');
    if (slash < 0) return false;
    if (!has(set, '*/' + p.slice(slash + 1))) return false;
  }
  return true;
}

function nonResourceURLsCoversAll(set: string[] | undefined, covers: string[] | undefined): boolean {
  for (const c of covers ?? []) {
    if (!(set ?? []).some((o) => o === c || (o.endsWith('*') && c.startsWith(o.slice(0, -1))))) return false;
  }
  return true;
}

/** Whether `owner` covers every permission of the (broken down) `sub` rule (upstream ruleCovers). */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbOk = has(owner.verbs, ALL) || hasAll(owner.verbs, sub.verbs);
  const groupOk = has(owner.apiGroups, ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resOk = resourceCoversAll(owner.resources, sub.resources);
  const urlOk = nonResourceURLsCoversAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const nameOk = !sub.resourceNames?.length ? !owner.resourceNames?.length : !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames);
  return verbOk && groupOk && resOk && nameOk && urlOk;
}

/** Whether `owner` rules cover all of `servant`'s, and which broken-down rules are missing (upstream Covers). */
export function covers(owner: PolicyRule[], servant: PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const r of servant) {
    for (const sub of breakdownRule(r)) if (!owner.some((o) => ruleCovers(o, sub))) missing.push(sub);
  }
  return { covered: missing.length === 0, missing };
}

/**
 * Merge simple resource rules (one group, one resource, at most one name, nothing else) that differ only by verb
 * (upstream CompactRules: verbs are appended as they come, without de-duplication); other rules are kept as they are.
 */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  const merged: PolicyRule[] = [];
  for (const r of rules) {
    const isSimple = r.apiGroups?.length === 1 && r.resources?.length === 1 && (r.resourceNames?.length ?? 0) <= 1 && !r.nonResourceURLs?.length;
    if (!isSimple) { out.push(r); continue; }
    const name = r.resourceNames?.[0];
    const k = `${r.apiGroups![0]}\0${r.resources![0]}\0${name === undefined ? '' : '\0' + name}`;
    const cur = simple.get(k);
    if (cur) { cur.verbs!.push(...(r.verbs ?? [])); continue; }
    const c: PolicyRule = { apiGroups: [...r.apiGroups!], resources: [...r.resources!], ...(name !== undefined ? { resourceNames: [name] } : {}), verbs: [...(r.verbs ?? [])] };
    simple.set(k, c);
    merged.push(c);
  }
  return [...out, ...merged];
}

/** Go's %q of a []string: `["a" "b"]`. */
export const goQuoteList = (l: string[]): string => `[${l.map((s) => JSON.stringify(s)).join(' ')}]`;

/** Upstream rbacv1helpers.CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuoteList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${goQuoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
