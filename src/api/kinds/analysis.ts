/**
 * argoproj.io/v1alpha1 AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun. Validation follows Argo's
 * ValidateMetric (its messages: "no provider specified", "multiple providers specified", ...) at admission, so a
 * template that cannot run is a 422 with every field error. A provider kubelite does not implement (job, datadog,
 * ...) is accepted, as a manifest from elsewhere should apply; a run that uses it ends in Error saying so.
 * AnalysisRun has no status subresource (Argo writes its status through the main resource).
 */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { asArray, asObj, child, duplicate, index, invalid, isObj, required } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { define } from './common.ts';
import { analysisRunTable } from '../tables/rollouts.ts';

type Obj = Record<string, unknown>;

const PROVIDERS = ['prometheus', 'web', 'kubelite', 'job', 'datadog', 'newRelic', 'wavefront', 'kayenta', 'cloudWatch', 'graphite', 'influxdb', 'skywalking', 'plugin'];

/** An IntOrString count/limit: an integer, or a string that is an integer or an {{args.x}} placeholder. */
function intOrArg(v: unknown): number | 'arg' | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  if (typeof v === 'string' && /\{\{.*\}\}/.test(v)) return 'arg';
  return NaN;
}

const placeholder = (s: unknown) => typeof s === 'string' && /\{\{.*\}\}/.test(s);

function validateMetric(m: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!m.name) errs.push(required(child(path, 'name')));
  for (const f of ['interval', 'initialDelay']) {
    const v = m[f];
    if (v !== undefined && v !== null && !placeholder(v) && (typeof v !== 'string' || parseGoDuration(v) === undefined || parseGoDuration(v)! < 0)) {
      errs.push(invalid(child(path, f), v, `invalid ${f} string: a duration such as 30s, 5m or 1h is required`));
    }
  }
  const count = intOrArg(m.count);
  if (Number.isNaN(count)) errs.push(invalid(child(path, 'count'), m.count, 'must be an integer'));
  else if (typeof count === 'number' && count > 1 && (m.interval === undefined || m.interval === null || m.interval === '')) {
    errs.push(invalid(child(path, 'count'), count, 'interval must be specified when count > 1'));
  }
  for (const [f, min] of [['failureLimit', -1], ['inconclusiveLimit', 0], ['consecutiveErrorLimit', 0], ['consecutiveSuccessLimit', 0]] as const) {
    const v = intOrArg(m[f]);
    if (Number.isNaN(v)) errs.push(invalid(child(path, f), m[f], 'must be an integer'));
    else if (typeof v === 'number' && v < min) errs.push(invalid(child(path, f), v, `${f} must be >= ${min}`));
  }
  if (typeof m.count === 'number' && typeof m.failureLimit === 'number' && m.failureLimit >= 0 && m.count < m.failureLimit && m.count > 0) {
    errs.push(invalid(child(path, 'count'), m.count, `count must be >= failureLimit`));
  }
  const prov = asObj(m.provider);
  const named = Object.keys(prov).filter((k) => PROVIDERS.includes(k) && prov[k] !== null && prov[k] !== undefined);
  if (!isObj(m.provider) || named.length === 0) errs.push(required(child(path, 'provider'), 'no provider specified'));
  else if (named.length > 1) errs.push(invalid(child(path, 'provider'), named.join(', '), 'multiple providers specified'));
  if (isObj(prov.prometheus) && !prov.prometheus.query) errs.push(required(child(path, 'provider', 'prometheus', 'query')));
  if (isObj(prov.web) && prov.web.body !== undefined && prov.web.jsonBody !== undefined) {
    errs.push(invalid(child(path, 'provider', 'web'), 'body, jsonBody', 'use either body or jsonBody, not both'));
  }
  return errs;
}

/** Argo matches dryRun names as regular expressions ("*" alone = every metric). */
function dryRunMatches(pattern: string, name: string): boolean {
  try { return new RegExp(pattern).test(name); } catch { return pattern === name; }
}

/** The spec shared by templates and runs: metrics (named, unique), args (named, unique), dry-run names. */
export function validateAnalysisSpec(spec: Obj, path: string, needMetrics: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const metrics = asArray(spec.metrics);
  if (needMetrics && metrics.length === 0 && asArray(spec.templates).length === 0) errs.push(required(child(path, 'metrics'), 'at least one metric is required'));
  const seen = new Set<string>();
  metrics.forEach((raw, i) => {
    const mp = index(child(path, 'metrics'), i);
    if (!isObj(raw)) { errs.push(invalid(mp, raw, 'must be an object')); return; }
    errs.push(...validateMetric(raw, mp));
    const n = String(raw.name ?? '');
    if (n && seen.has(n)) errs.push(duplicate(child(mp, 'name'), n));
    seen.add(n);
  });
  const argNames = new Set<string>();
  asArray(spec.args).forEach((raw, i) => {
    const ap = index(child(path, 'args'), i);
    const n = String(asObj(raw).name ?? '');
    if (!n) errs.push(required(child(ap, 'name')));
    else if (argNames.has(n)) errs.push(duplicate(child(ap, 'name'), n));
    argNames.add(n);
  });
  asArray(spec.templates).forEach((raw, i) => {
    if (!asObj(raw).templateName) errs.push(required(child(index(child(path, 'templates'), i), 'templateName')));
  });
  asArray(spec.dryRun).forEach((raw, i) => {
    const n = asObj(raw).metricName;
    if (!n) errs.push(required(child(index(child(path, 'dryRun'), i), 'metricName')));
    else if (n !== '*' && metrics.length && !metrics.some((m) => dryRunMatches(String(n), String(asObj(m).name ?? '')))) {
      errs.push(invalid(child(index(child(path, 'dryRun'), i), 'metricName'), n, 'dryRun[].metricName does not match any metric'));
    }
  });
  return errs;
}

function templateKind(kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate', plural: string, short: string, namespaced: boolean) {
  return define({
    group: 'argoproj.io', version: 'v1alpha1', kind, plural, namespaced, shortNames: [short],
    schemaName: `io.argoproj.v1alpha1.${kind}`,
    hasGeneration: true,
    defaults() { /* none */ },
    validate(obj, old) {
      const errs = validateMeta(obj, old, namespaced, nameIsDNSSubdomain);
      if (!isObj(obj.spec)) errs.push(required('spec'));
      else errs.push(...validateAnalysisSpec(obj.spec, 'spec', true));
      return errs;
    },
  });
}

export const analysistemplates = templateKind('AnalysisTemplate', 'analysistemplates', 'at', true);
export const clusteranalysistemplates = templateKind('ClusterAnalysisTemplate', 'clusteranalysistemplates', 'cat', false);

export const analysisruns = define({
  group: 'argoproj.io', version: 'v1alpha1', kind: 'AnalysisRun', plural: 'analysisruns', namespaced: true,
  shortNames: ['ar'],
  schemaName: 'io.argoproj.v1alpha1.AnalysisRun',
  table: analysisRunTable,
  hasGeneration: true,
  defaults() { /* none */ },
  validate(obj: KubeObject, old?: KubeObject) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    if (!isObj(obj.spec)) errs.push(required('spec'));
    else errs.push(...validateAnalysisSpec(obj.spec, 'spec', true));
    return errs;
  },
});
