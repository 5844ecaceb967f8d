/**
 * Building an AnalysisRun from analysis templates — what the rollout controller calls for step, background and
 * blue-green pre/post-promotion analysis (Argo Rollouts utils/analysis NewAnalysisRunFromTemplates, in our words).
 *
 *   newAnalysisRunFromTemplates(input: BuildRunInput): AnalysisRun      // throws AnalysisRunBuildError
 *
 *   input.refs              the `templates: [{templateName, clusterScope}]` of the Rollout's analysis
 *   input.templates         AnalysisTemplates of the run's namespace that refs may name (e.g. an informer's list)
 *   input.clusterTemplates  ClusterAnalysisTemplates refs may name
 *   input.args              the Rollout's args, already resolved to `value`s by the caller (podTemplateHashValue,
 *                           fieldRef); `valueFrom.secretKeyRef` is kept and read by the analysis controller
 *   input.dryRun, input.measurementRetention   the Rollout's, merged with the templates'
 *   input.namespace, input.name | input.generateName, input.labels, input.annotations, input.ownerReferences
 *
 * Rules: each ref is looked up (a missing one: `analysistemplate.argoproj.io "x" not found`), templates that
 * include other templates (`spec.templates`) are expanded, each template once; metrics are concatenated in ref
 * order (two with the same name: "two metrics have the same name 'x'"); template args are combined (the same name
 * with two different values is an error) and the incoming args override them by name, names no template declares
 * being ignored; an arg left with neither value nor valueFrom fails with "args.<name> was not resolved". The run
 * keeps the `{{args.x}}` placeholders and its args, as Argo's runs do: the analysis controller substitutes them
 * before each measurement (so Secret values are never stored). Placeholders are checked here, though: one naming
 * an arg the run lacks fails now ("failed to resolve {{args.x}}") rather than when the run starts.
 * Metric-level problems (unknown provider, bad condition, count > 1 without interval…) are left to the analysis
 * controller, which ends such a run in Error with the reason — call validateRunSpec() to learn them earlier.
 */
import type { AnalysisRun, AnalysisTemplate, AnalysisTemplateRef, Argument, DryRun, MeasurementRetention, Metric, ObjectMeta } from './types.ts';
import { ArgumentError, argsWithoutSecrets, flattenArgs, mergeArgs, resolveMetricArgs } from './args.ts';
import { createProviders, type ProviderSet } from './providers/index.ts';
import { SpecError, dryRunMetrics, retentionLimits, validateMetrics } from './run.ts';

export class AnalysisRunBuildError extends Error {}

export interface BuildRunInput {
  refs: AnalysisTemplateRef[];
  templates?: AnalysisTemplate[];
  clusterTemplates?: AnalysisTemplate[];
  args?: Argument[];
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
  namespace: string;
  name?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: ObjectMeta['ownerReferences'];
}

/** The templates refs name, nested `spec.templates` expanded depth-first, each template once. */
export function resolveTemplateRefs(refs: AnalysisTemplateRef[], templates: AnalysisTemplate[] = [], clusterTemplates: AnalysisTemplate[] = []): AnalysisTemplate[] {
  const out: AnalysisTemplate[] = [];
  const seen = new Set<string>();
  const visit = (ref: AnalysisTemplateRef) => {
    const cluster = !!ref.clusterScope;
    const key = `${cluster ? 'cluster' : 'ns'}/${ref.templateName}`;
    if (seen.has(key)) return;
    seen.add(key);
    const t = (cluster ? clusterTemplates : templates).find((x) => x.metadata?.name === ref.templateName);
    if (!t) throw new AnalysisRunBuildError(`${cluster ? 'clusteranalysistemplate' : 'analysistemplate'}.argoproj.io ${JSON.stringify(ref.templateName)} not found`);
    out.push(t);
    for (const inner of t.spec?.templates ?? []) visit(inner);
  };
  for (const r of refs) {
    if (!r?.templateName) throw new AnalysisRunBuildError('templateName is required in every analysis template reference');
    visit(r);
  }
  return out;
}

function noDuplicates<T>(items: T[], key: (t: T) => string, what: string): void {
  const seen = new Set<string>();
  for (const it of items) {
    const k = key(it);
    if (seen.has(k)) throw new AnalysisRunBuildError(what.replace('%s', k));
    seen.add(k);
  }
}

export function newAnalysisRunFromTemplates(input: BuildRunInput): AnalysisRun {
  const found = resolveTemplateRefs(input.refs ?? [], input.templates, input.clusterTemplates);
  if (!found.length) throw new AnalysisRunBuildError('no analysis templates referenced');
  const metrics: Metric[] = found.flatMap((t) => structuredClone(t.spec?.metrics ?? []));
  noDuplicates(metrics, (m) => m.name, "two metrics have the same name '%s'");
  const tplDryRun = found.flatMap((t) => t.spec?.dryRun ?? []);
  const tplRetention = found.flatMap((t) => t.spec?.measurementRetention ?? []);
  noDuplicates(tplDryRun, (d) => d.metricName, "two Dry-Run metric rules have the same name '%s'");
  noDuplicates(tplRetention, (d) => d.metricName, "two Measurement Retention metric rules have the same name '%s'");
  const dryRun = [...(input.dryRun ?? []), ...tplDryRun];
  const measurementRetention = [...(input.measurementRetention ?? []), ...tplRetention];
  noDuplicates(dryRun, (d) => d.metricName, "two Dry-Run metric rules have the same name '%s'");
  noDuplicates(measurementRetention, (d) => d.metricName, "two Measurement Retention metric rules have the same name '%s'");

  let args: Argument[];
  try {
    args = mergeArgs(input.args, flattenArgs(found.map((t) => t.spec?.args)));
    const shape = argsWithoutSecrets(args);
    for (const m of metrics) resolveMetricArgs(m, shape);
  } catch (e) {
    if (e instanceof ArgumentError) throw new AnalysisRunBuildError(e.message);
    throw e;
  }

  const metadata: ObjectMeta = { namespace: input.namespace };
  if (input.name) metadata.name = input.name;
  if (input.generateName) metadata.generateName = input.generateName;
  if (input.labels && Object.keys(input.labels).length) metadata.labels = { ...input.labels };
  if (input.annotations && Object.keys(input.annotations).length) metadata.annotations = { ...input.annotations };
  if (input.ownerReferences?.length) metadata.ownerReferences = structuredClone(input.ownerReferences);
  const run: AnalysisRun = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata, spec: { metrics } };
  if (args.length) run.spec.args = args;
  if (dryRun.length) run.spec.dryRun = dryRun;
  if (measurementRetention.length) run.spec.measurementRetention = measurementRetention;
  return run;
}

/**
 * What the analysis controller would reject in a run's spec (unknown provider, unparsable condition, unresolved
 * placeholder, count > 1 without interval, a dry-run rule matching nothing…), or undefined when it is runnable.
 * Worded as the run's status.message would be ("Analysis spec invalid: metrics[0]: …").
 */
export function validateRunSpec(run: Pick<AnalysisRun, 'spec'>, providers: ProviderSet = createProviders()): string | undefined {
  let metrics: Metric[];
  try {
    const shape = argsWithoutSecrets(run.spec.args);
    metrics = (run.spec.metrics ?? []).map((m) => resolveMetricArgs(m, shape));
  } catch (e) {
    return `Unable to resolve metric arguments: ${(e as Error).message}`;
  }
  const invalid = validateMetrics(metrics, providers);
  if (invalid) return `Analysis spec invalid: ${invalid}`;
  try {
    dryRunMetrics(run.spec.dryRun, metrics);
    retentionLimits(run.spec.measurementRetention, metrics);
  } catch (e) {
    if (e instanceof SpecError) return `Analysis spec invalid: ${e.message}`;
    throw e;
  }
  return undefined;
}
