/**
 * The analysis half of progressive delivery, as other parts use it: the rollout controller builds runs with
 * newAnalysisRunFromTemplates and reads their phase; the analysis controller (src/controllers/analysis) measures.
 */
export type * from './types.ts';
export { isCompleted } from './types.ts';
export { newAnalysisRunFromTemplates, resolveTemplateRefs, validateRunSpec, AnalysisRunBuildError, type BuildRunInput } from './run-from-templates.ts';
export { mergeArgs, resolveArgsInString, resolveMetricArgs } from './args.ts';
export { evalCondition, compileExpr, ExprError } from './expr.ts';
export { evaluateResult } from './measurement.ts';
export { createProviders, type ProviderOptions, type ProviderSet } from './providers/index.ts';
export type { TrafficStatsSource, TrafficWindowQuery, TrafficWindowStats, TrafficBackend } from './traffic-source.ts';
