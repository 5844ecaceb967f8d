/**
 * What the controller checks before acting (Argo's getRolloutValidationErrors): the spec's own consistency (the API
 * server validates the full schema; these are the rules a controller must not act without) and the objects it
 * references — Services and AnalysisTemplates — which may simply not exist yet. The first problem becomes the
 * InvalidSpec condition "The Rollout "x" is invalid: <field>: Invalid value: ...", phase Degraded, re-checked every
 * 20 s; nothing is scaled and no Service is touched meanwhile.
 */
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import { selectorIsEmpty, selectorMatches } from '../../client/selector.ts';
import type { AnalysisTemplate, Rollout, RolloutAnalysis } from './types.ts';
import { KubeliteRouterPlugin, Msg } from './types.ts';
import { maxTrafficWeight, stepsOf } from './defaults.ts';
import { resolveRolloutArgs } from './analysisrun.ts';
import { newAnalysisRunFromTemplates } from '../../analysis/run-from-templates.ts';

export interface ReferenceLookup {
  getService(namespace: string, name: string): Service | undefined;
  getAnalysisTemplate(namespace: string, name: string): AnalysisTemplate | undefined;
  getClusterAnalysisTemplate(name: string): AnalysisTemplate | undefined;
  listAnalysisTemplates(namespace: string): AnalysisTemplate[];
  listClusterAnalysisTemplates(): AnalysisTemplate[];
}

const invalid = (path: string, value: unknown, detail: string) => `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
const required = (path: string) => `${path}: Required value`;

/** The spec's own consistency; '' when fine. `r` has its workloadRef template already resolved. */
export function validateRolloutSpec(r: Rollout): string {
  const st = r.spec.strategy ?? {};
  if (!st.canary && !st.blueGreen) return required('spec.strategy');
  if (st.canary && st.blueGreen) return invalid('spec.strategy', 'canary,blueGreen', 'only one of canary or blueGreen may be set');
  if (!r.spec.selector) return required('spec.selector');
  if (selectorIsEmpty(r.spec.selector)) return invalid('spec.selector', r.spec.selector, Msg.selectAll);
  if (!r.spec.template) return required(r.spec.workloadRef ? 'spec.workloadRef' : 'spec.template');
  if (!selectorMatches(r.spec.selector, r.spec.template.metadata?.labels)) return invalid('spec.selector', r.spec.selector, '`selector` does not match template `labels`');
  if ((r.spec.replicas ?? 1) < 0) return invalid('spec.replicas', r.spec.replicas, 'must be greater than or equal to 0');
  const c = st.canary;
  if (c) {
    const tr = c.trafficRouting;
    if (tr) {
      const routers = Object.keys(tr).filter((k) => k !== 'plugins' && k !== 'maxTrafficWeight' && k !== 'managedRoutes' && tr[k] !== undefined && tr[k] !== null);
      if (routers.length) return invalid(`spec.strategy.canary.trafficRouting.${routers[0]}`, routers[0], `not supported by kubelite; route traffic with plugins: {"${KubeliteRouterPlugin}": {}}`);
      const plugins = Object.keys(tr.plugins ?? {});
      const other = plugins.find((p) => p !== KubeliteRouterPlugin);
      if (other) return invalid('spec.strategy.canary.trafficRouting.plugins', other, `unknown traffic router plugin; kubelite provides "${KubeliteRouterPlugin}"`);
      if (plugins.length === 0) return required(`spec.strategy.canary.trafficRouting.plugins["${KubeliteRouterPlugin}"]`);
      if (!c.stableService) return required('spec.strategy.canary.stableService');
      if (!c.canaryService) return required('spec.strategy.canary.canaryService');
    }
    if (c.stableService && c.canaryService && c.stableService === c.canaryService) return invalid('spec.strategy.canary.stableService', c.stableService, 'must not be the same as canaryService');
    const max = maxTrafficWeight(r);
    for (const [i, s] of stepsOf(r).entries()) {
      const p = `spec.strategy.canary.steps[${i}]`;
      const kinds = ['setWeight', 'pause', 'analysis', 'experiment', 'setCanaryScale', 'setHeaderRoute', 'setMirrorRoute', 'plugin'].filter((k) => (s as any)[k] !== undefined && (s as any)[k] !== null);
      if (kinds.length !== 1) return invalid(p, s, 'exactly one of setWeight, pause, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute must be set');
      if (s.setWeight !== undefined && (s.setWeight < 0 || s.setWeight > max)) return invalid(`${p}.setWeight`, s.setWeight, `must be between 0 and ${max}`);
      if (s.experiment) return invalid(`${p}.experiment`, 'experiment', 'Experiment steps are not supported by kubelite');
      if (s.plugin) return invalid(`${p}.plugin`, 'plugin', 'step plugins are not supported by kubelite');
      if ((s.setHeaderRoute || s.setMirrorRoute) && !tr) return invalid(p, kinds[0], 'requires trafficRouting with managedRoutes');
    }
  } else {
    const bg = st.blueGreen!;
    if (!bg.activeService) return required('spec.strategy.blueGreen.activeService');
    if (bg.previewService && bg.previewService === bg.activeService) return invalid('spec.strategy.blueGreen.previewService', bg.previewService, 'must not be the same as activeService');
  }
  return '';
}

function analyses(r: Rollout): [string, RolloutAnalysis][] {
  const out: [string, RolloutAnalysis][] = [];
  const c = r.spec.strategy.canary, bg = r.spec.strategy.blueGreen;
  if (bg) {
    if (bg.prePromotionAnalysis) out.push(['spec.strategy.blueGreen.prePromotionAnalysis', bg.prePromotionAnalysis]);
    if (bg.postPromotionAnalysis) out.push(['spec.strategy.blueGreen.postPromotionAnalysis', bg.postPromotionAnalysis]);
  } else if (c) {
    if (c.analysis) out.push(['spec.strategy.canary.analysis', c.analysis]);
    stepsOf(r).forEach((s, i) => { if (s.analysis) out.push([`spec.strategy.canary.steps[${i}].analysis`, s.analysis]); });
  }
  return out;
}

/** The referenced Services and AnalysisTemplates exist; '' when fine. */
export function validateReferences(r: Rollout, look: ReferenceLookup): string {
  const ns = r.metadata.namespace;
  const svcs: [string, string | undefined][] = r.spec.strategy.blueGreen
    ? [['spec.strategy.blueGreen.activeService', r.spec.strategy.blueGreen.activeService], ['spec.strategy.blueGreen.previewService', r.spec.strategy.blueGreen.previewService]]
    : [['spec.strategy.canary.stableService', r.spec.strategy.canary?.stableService], ['spec.strategy.canary.canaryService', r.spec.strategy.canary?.canaryService]];
  for (const [path, name] of svcs) {
    if (name && !look.getService(ns, name)) return invalid(path, name, `services "${name}" not found`);
  }
  for (const [path, a] of analyses(r)) {
    for (const [i, t] of (a.templates ?? []).entries()) {
      const found = t.clusterScope ? look.getClusterAnalysisTemplate(t.templateName) : look.getAnalysisTemplate(ns, t.templateName);
      if (!found) {
        const kind = t.clusterScope ? 'clusteranalysistemplate' : 'analysistemplate';
        return invalid(`${path}.templates[${i}].templateName`, t.templateName, `${kind}.argoproj.io "${t.templateName}" not found`);
      }
    }
    // As upstream: the templates must make a run with these args (every arg resolved, no duplicate metric...).
    try {
      newAnalysisRunFromTemplates({
        refs: a.templates ?? [], templates: look.listAnalysisTemplates(ns) as any, clusterTemplates: look.listClusterAnalysisTemplates() as any,
        args: resolveRolloutArgs(a.args, 'stable-hash', 'latest-hash', r) as any, dryRun: a.dryRun, measurementRetention: a.measurementRetention,
        namespace: ns, name: 'validation',
      });
    } catch (e) {
      return invalid(`${path}.templates`, (a.templates ?? []).map((t) => t.templateName).join(','), (e as Error).message);
    }
  }
  return '';
}
