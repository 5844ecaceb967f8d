/**
 * Building an AnalysisRun for a Rollout (reference §3, §6.2, §6.7), pure: the run's name
 * `<rollout>-<podHash>-<revision>[-<stepIndex>|-pre|-post]`, its labels (hash, rollout-type, step-index,
 * analysisRunMetadata, the Rollout's selector.matchLabels) and annotations (revision), the controller owner
 * reference, and the rollout arguments resolved (value, valueFrom.podTemplateHashValue Latest|Stable,
 * valueFrom.fieldRef on the Rollout). The templates are merged by src/analysis (newAnalysisRunFromTemplates).
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import type { AnalysisRun, AnalysisRunArgument, AnalysisTemplate, Rollout, RolloutAnalysis } from './types.ts';
import { PodTemplateHashLabel, RevisionAnnotation, RolloutAPIVersion, RolloutTypeLabel, StepIndexLabel } from './types.ts';
import { newAnalysisRunFromTemplates } from '../../analysis/run-from-templates.ts';

export interface ResolvedArg { name: string; value?: string; valueFrom?: unknown }

/** ExtractFieldPathAsString for metadata paths: name, namespace, uid, labels['k'] / annotations['k'] (or the whole map). */
function metadataField(r: Rollout, path: string): string {
  const m = r.metadata;
  const sub = /^metadata\.(labels|annotations)\['([^']*)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? m.labels : m.annotations)?.[sub[2]] ?? '';
  switch (path) {
    case 'metadata.name': return m.name;
    case 'metadata.namespace': return m.namespace;
    case 'metadata.uid': return m.uid ?? '';
    case 'metadata.labels': return Object.entries(m.labels ?? {}).sort().map(([k, v]) => `${k}="${v}"`).join('\n');
    case 'metadata.annotations': return Object.entries(m.annotations ?? {}).sort().map(([k, v]) => `${k}="${v}"`).join('\n');
  }
  throw new Error(`unsupported fieldPath: ${path}`);
}

/** extractValueFromRollout: a dotted/indexed path into the Rollout's JSON that must end at a primitive. */
function rolloutField(r: Rollout, path: string): string {
  let v: unknown = JSON.parse(JSON.stringify(r));
  for (const section of path.split(/[.[\]]+/)) {
    if (section === '') continue;
    if (Array.isArray(v)) {
      if (!/^\d+$/.test(section)) throw new Error(`invalid index '${section}'`);
      const i = Number(section);
      if (i >= v.length) throw new Error(`index ${i} out of range`);
      v = v[i];
    } else if (v && typeof v === 'object') {
      v = (v as Record<string, unknown>)[section];
    } else {
      throw new Error(`invalid path ${path} in rollout`);
    }
  }
  if (v === undefined || v === null) throw new Error(`invalid path ${path} in rollout`);
  if (typeof v === 'object') throw new Error(`path ${path} in rollout must terminate in a primitive value`);
  return String(v);
}

/** BuildArgumentsForRolloutAnalysisRun. */
export function resolveRolloutArgs(args: AnalysisRunArgument[] | undefined, stableHash: string, newHash: string, r: Rollout): ResolvedArg[] {
  const out: ResolvedArg[] = [];
  for (const a of args ?? []) {
    let value = a.value;
    const vf = a.valueFrom;
    if (vf?.podTemplateHashValue) {
      if (vf.podTemplateHashValue === 'Latest') value = newHash;
      else if (vf.podTemplateHashValue === 'Stable') value = stableHash;
    } else if (vf?.fieldRef) {
      value = vf.fieldRef.fieldPath.startsWith('metadata') ? metadataField(r, vf.fieldRef.fieldPath) : rolloutField(r, vf.fieldRef.fieldPath);
    } else if (vf) {
      // secretKeyRef and the like pass through to the run, which resolves them itself.
      out.push({ name: a.name, valueFrom: vf });
      continue;
    }
    out.push({ name: a.name, value: value ?? '' });
  }
  return out;
}

export type RunKind = 'Step' | 'Background' | 'PrePromotion' | 'PostPromotion';

export function runLabels(kind: RunKind, podHash: string, stepIndex?: number): Record<string, string> {
  const l: Record<string, string> = { [PodTemplateHashLabel]: podHash, [RolloutTypeLabel]: kind };
  if (kind === 'Step' && stepIndex !== undefined) l[StepIndexLabel] = String(stepIndex);
  return l;
}

export function runName(r: Rollout, podHash: string, infix: string): string {
  const parts = [r.metadata.name, podHash, r.metadata.annotations?.[RevisionAnnotation] ?? ''];
  if (infix) parts.push(infix);
  return parts.join('-');
}

/**
 * newAnalysisRunFromRollout: the complete run, built by the analysis package's newAnalysisRunFromTemplates
 * (templates flattened, args merged and checked, dryRun/measurementRetention merged; AnalysisRunBuildError on a
 * missing template, duplicate metric or unresolved arg), named, labelled and owned as Argo does.
 */
export function buildAnalysisRun(r: Rollout, ra: RolloutAnalysis, templates: AnalysisTemplate[], clusterTemplates: AnalysisTemplate[], args: ResolvedArg[], podHash: string, infix: string, labels: Record<string, string>): AnalysisRun {
  const owner: OwnerReference = { apiVersion: RolloutAPIVersion, kind: 'Rollout', name: r.metadata.name, uid: r.metadata.uid!, controller: true, blockOwnerDeletion: true };
  const run = newAnalysisRunFromTemplates({
    refs: ra.templates ?? [], templates: templates as any, clusterTemplates: clusterTemplates as any, args: args as any,
    dryRun: ra.dryRun, measurementRetention: ra.measurementRetention,
    namespace: r.metadata.namespace, name: runName(r, podHash, infix),
    labels: { ...labels, ...(ra.analysisRunMetadata?.labels ?? {}), ...(r.spec.selector?.matchLabels ?? {}) },
    annotations: { [RevisionAnnotation]: r.metadata.annotations?.[RevisionAnnotation] ?? '', ...(ra.analysisRunMetadata?.annotations ?? {}) },
    ownerReferences: [owner],
  });
  return run as unknown as AnalysisRun;
}

/** needsNewAnalysisRun: none yet; or the user resumed after an inconclusive run; or the rollout was retried after an abort. */
export function needsNewAnalysisRun(current: AnalysisRun | undefined, r: Rollout): boolean {
  if (!current) return true;
  if (r.status?.controllerPause && !r.status.pauseConditions?.some((p) => p.reason === 'BlueGreenPause')) return current.status?.phase === 'Inconclusive';
  return !!r.status?.abortedAt;
}

/** The text an abort carries for a failed or errored run (§4.7). */
export function abortMessage(kind: RunKind, run: AnalysisRun): string {
  const prefix = { Step: 'Step-based', Background: 'Background', PrePromotion: 'Blue/green pre-promotion', PostPromotion: 'Blue/green post-promotion' }[kind];
  const msg = run.status?.message;
  return `${prefix} analysis phase error/failed${msg ? `: ${msg}` : ''}`;
}
