/**
 * Analysis arguments: merging a caller's args into a template's, and substituting `{{args.<name>}}` placeholders
 * (whitespace inside the braces allowed: `{{ args.name }}`) into every string of a metric — its conditions,
 * counts and provider fields alike — as Argo Rollouts does (utils/analysis MergeArgs, utils/template ResolveArgs).
 *
 * An AnalysisRun keeps the placeholders and its args (so Secrets named by `valueFrom.secretKeyRef` are read only when
 * measuring and never stored); the analysis controller substitutes them before each measurement.
 */
import type { Argument, Metric } from './types.ts';

export class ArgumentError extends Error {}

/** Incoming args override the template's by name (value or valueFrom); names the template lacks are ignored. */
export function mergeArgs(incoming: Argument[] | undefined, templateArgs: Argument[] | undefined): Argument[] {
  const merged = (templateArgs ?? []).map((a) => structuredClone(a));
  for (const arg of incoming ?? []) {
    const target = merged.find((a) => a.name === arg.name);
    if (!target) continue;
    if (arg.value !== undefined && arg.value !== null) { target.value = arg.value; delete target.valueFrom; }
    else if (arg.valueFrom) { target.valueFrom = structuredClone(arg.valueFrom); delete target.value; }
  }
  for (const a of merged) {
    if ((a.value === undefined || a.value === null) && !a.valueFrom) throw new ArgumentError(`args.${a.name} was not resolved`);
  }
  return merged;
}

/** Args of several templates combined: the same name twice must agree on its value; a value beats none. */
export function flattenArgs(lists: (Argument[] | undefined)[]): Argument[] {
  const out: Argument[] = [];
  for (const list of lists) {
    for (const arg of list ?? []) {
      const i = out.findIndex((a) => a.name === arg.name);
      if (i < 0) { out.push(structuredClone(arg)); continue; }
      const prev = out[i];
      if (prev.value !== undefined && arg.value !== undefined && prev.value !== arg.value) {
        throw new ArgumentError(`Argument \`${arg.name}\` specified multiple times with different values: '${prev.value}', '${arg.value}'`);
      }
      if (prev.value === undefined) out[i] = structuredClone(arg);
    }
  }
  return out;
}

/** `text` with every `{{args.x}}` replaced by the value of arg x. Throws ArgumentError for an unknown or valueless arg. */
export function resolveArgsInString(text: string, args: Argument[]): string {
  if (!text.includes('{{')) return text;
  let out = '';
  let i = 0;
  for (;;) {
    const open = text.indexOf('{{', i);
    if (open < 0) { out += text.slice(i); return out; }
    const close = text.indexOf('}}', open + 2);
    if (close < 0) {
      throw new ArgumentError(`Cannot find end tag="}}" in the template=${JSON.stringify(text)} starting from ${JSON.stringify(text.slice(open + 2))}`);
    }
    out += text.slice(i, open);
    const tag = text.slice(open + 2, close);
    const clean = tag.trim();
    const arg = clean.startsWith('args.') ? args.find((a) => a.name === clean.slice(5)) : undefined;
    if (!arg) throw new ArgumentError(`failed to resolve {{${tag}}}`);
    if (arg.value === undefined || arg.value === null) throw new ArgumentError(`argument ${JSON.stringify(arg.name)} was not supplied`);
    out += arg.value;
    i = close + 2;
  }
}

function resolveDeep(v: unknown, args: Argument[]): unknown {
  if (typeof v === 'string') return resolveArgsInString(v, args);
  if (Array.isArray(v)) return v.map((x) => resolveDeep(x, args));
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = resolveDeep(x, args);
    return o;
  }
  return v;
}

/** A copy of the metric with every placeholder substituted (Argo's ResolveMetricArgs). */
export function resolveMetricArgs(metric: Metric, args: Argument[]): Metric {
  return resolveDeep(metric, args) as Metric;
}

/** Stand-in for Secret-backed values when only the shape of the resolution matters (validation, scheduling). */
export const SECRET_PLACEHOLDER = 'temp-for-secret';

/** Args with Secret references replaced by a placeholder value: enough to resolve everything but credentials. */
export function argsWithoutSecrets(args: Argument[] | undefined): Argument[] {
  return (args ?? []).map((a) => (a.valueFrom?.secretKeyRef ? { name: a.name, value: SECRET_PLACEHOLDER } : a));
}
