/**
 * argoproj.io/v1alpha1 rollouts: Argo Rollouts' Rollout, served natively. Validation follows Argo's own
 * (pkg/apis/rollouts/validation: its messages, e.g. "SetWeight needs to be between 0 and 100"), but runs at
 * admission, so a bad Rollout is a 422 listing every field error instead of an InvalidSpec condition later.
 * Checks that need other objects (the Services and templates a Rollout names exist) stay with the controller, as
 * in Argo. Nothing is defaulted in the stored object (Argo's CRD has no defaults; the controller applies them).
 */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { asArray, asObj, child, deepEqual, index, invalid, invalidRaw, isObj, nonNegative, required } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { goLabelSelector } from '../validation/selector.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { define, keepAllButStatus, keepStatus, status, sub, SUB_VERBS } from './common.ts';
import { rolloutTable } from '../tables/rollouts.ts';
import { scaleHandler } from '../../apiserver/subresources/scale.ts';
import { defaultTemplate, validateSelector, validateTemplate, intOrPercent } from './workloads.ts';

type Obj = Record<string, unknown>;

/** The plugin key that selects kubelite's own traffic router (see docs/services.md). */
export const KUBELITE_ROUTER = 'kubelite.io/service-proxy';

const missing = (f: string, what: string): FieldError => required(f, `Rollout has missing field '${what}'`);

/** Seconds of a pause step's duration (integer = seconds, digits = seconds, else a Go duration); -1 = unparseable. */
export function pauseDurationSeconds(d: unknown): number {
  if (typeof d === 'number') return Number.isInteger(d) ? d : -1;
  if (typeof d !== 'string') return -1;
  if (/^\d+$/.test(d)) return Number(d);
  const ms = parseGoDuration(d);
  return ms === undefined ? -1 : Math.floor(ms / 1000);
}

/** Argo's getIntOrPercentValue: "25%" → 25, 3 → 3, "3" → 3. */
function intOrPercentValue(v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%?$/.exec(String(v));
  return m ? Number(m[1]) : NaN;
}

function validateAntiAffinity(aa: unknown, path: string): FieldError[] {
  if (!isObj(aa)) return [];
  const errs: FieldError[] = [];
  const pref = aa.preferredDuringSchedulingIgnoredDuringExecution, req = aa.requiredDuringSchedulingIgnoredDuringExecution;
  const hasP = pref !== undefined && pref !== null, hasR = req !== undefined && req !== null;
  if (hasP === hasR) {
    errs.push(invalidRaw(path, `"antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: ${hasP} antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: ${hasR}"`, 'AntiAffinity must have exactly one strategy listed'));
  }
  const w = asObj(pref).weight;
  if (hasP && (typeof w !== 'number' || w < 1 || w > 100)) errs.push(invalid(child(path, 'weight'), w ?? 0, 'AntiAffinity weight must be between 1-100'));
  return errs;
}

function validateSteps(canary: Obj, path: string, routed: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const tr = asObj(canary.trafficRouting);
  const maxWeight = typeof tr.maxTrafficWeight === 'number' ? tr.maxTrafficWeight : 100;
  asArray(canary.steps).forEach((raw, i) => {
    const sp = index(child(path, 'steps'), i);
    const step = asObj(raw);
    const kinds = ['setWeight', 'pause', 'experiment', 'analysis'].filter((k) => step[k] !== undefined && step[k] !== null);
    const any = ['experiment', 'pause', 'setWeight', 'analysis', 'setCanaryScale', 'setHeaderRoute', 'setMirrorRoute', 'plugin'].some((k) => step[k] !== undefined && step[k] !== null);
    const stepMsg = 'Step must have one of the following set: experiment, setWeight, setCanaryScale or pause';
    if (kinds.length > 1) {
      const has = (k: string) => step[k] !== undefined && step[k] !== null;
      errs.push(invalidRaw(sp, `"step.Experiment: ${has('experiment')} step.Pause: ${has('pause')} step.SetWeight: ${has('setWeight')} step.Analysis: ${has('analysis')}"`, stepMsg));
    }
    if (!any) errs.push(invalidRaw(sp, '"step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoutes: true"', stepMsg));
    if (step.setWeight !== undefined && step.setWeight !== null) {
      const w = step.setWeight;
      if (typeof w !== 'number' || w < 0 || w > maxWeight) errs.push(invalid(child(sp, 'setWeight'), w, `SetWeight needs to be between 0 and ${maxWeight}`));
    }
    if (isObj(step.pause) && step.pause.duration !== undefined && step.pause.duration !== null) {
      const secs = pauseDurationSeconds(step.pause.duration);
      if (secs < 0) errs.push(invalid(child(sp, 'pause', 'duration'), secs, 'Duration needs to be greater than 0'));
    }
    if (step.setCanaryScale !== undefined && step.setCanaryScale !== null && !routed) {
      errs.push(required(child(path, 'trafficRouting'), 'SetCanaryScale requires TrafficRouting to be set'));
    }
    if (step.setHeaderRoute !== undefined && step.setHeaderRoute !== null && !routed) {
      errs.push(invalid(child(sp, 'setHeaderRoute'), step.setHeaderRoute, 'SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix'));
    }
    if (step.setMirrorRoute !== undefined && step.setMirrorRoute !== null && !isObj(tr.istio)) {
      errs.push(invalid(child(sp, 'setMirrorRoute'), step.setMirrorRoute, 'SetMirrorRoute requires TrafficRouting, supports Istio only'));
    }
    if (isObj(step.analysis)) errs.push(...validateAnalysisRefs(step.analysis, child(sp, 'analysis')));
  });
  return errs;
}

/** Templates named, and args with exactly one of value / valueFrom. */
function validateAnalysisRefs(an: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const templates = asArray(an.templates);
  if (templates.length === 0) errs.push(required(child(path, 'templates'), 'at least one template is required'));
  templates.forEach((t, i) => {
    if (!asObj(t).templateName) errs.push(required(child(index(child(path, 'templates'), i), 'templateName'), ''));
  });
  asArray(an.args).forEach((a, i) => {
    const arg = asObj(a), ap = index(child(path, 'args'), i);
    if (!arg.name) errs.push(required(child(ap, 'name'), ''));
    if ((arg.value === undefined) === (arg.valueFrom === undefined)) errs.push(invalid(ap, arg.name ?? '', 'exactly one of value and valueFrom is required'));
    const vf = asObj(arg.valueFrom);
    if (arg.valueFrom !== undefined && !vf.podTemplateHashValue && !isObj(vf.fieldRef)) errs.push(required(child(ap, 'valueFrom'), 'one of podTemplateHashValue and fieldRef is required'));
  });
  return errs;
}

function validateCanary(ro: Obj, canary: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const tr = canary.trafficRouting;
  const routed = isObj(tr);
  for (const f of ['maxSurge', 'maxUnavailable']) errs.push(...intOrPercent(canary[f], child(path, f)).errs);
  if (intOrPercentValue(canary.maxSurge, 25) === 0 && intOrPercentValue(canary.maxUnavailable, 25) === 0) {
    errs.push(invalid(child(path, 'maxSurge'), canary.maxSurge ?? 0, 'MaxSurge and MaxUnavailable both can not be zero'));
  }
  if (canary.canaryService && canary.stableService && canary.canaryService === canary.stableService) {
    errs.push(invalid(child(path, 'stableService'), canary.stableService, 'This rollout uses the same service for the stable and canary services, but two different services are required.'));
  }
  if (routed) {
    const plugins = asObj(tr.plugins);
    const routers = ['alb', 'ambassador', 'apisix', 'appMesh', 'istio', 'nginx', 'smi', 'traefik'].filter((k) => tr[k] !== undefined && tr[k] !== null);
    if (routers.length === 0 && Object.keys(plugins).length === 0) errs.push(required(child(path, 'trafficRouting'), 'a traffic router is required: e.g. plugins: {"kubelite.io/service-proxy": {}}'));
    if (routers.length > 0 || plugins[KUBELITE_ROUTER] !== undefined) {
      for (const f of ['stableService', 'canaryService']) {
        if (!canary[f]) errs.push(invalid(child(path, f), canary[f] ?? '', 'Canary service and Stable service must to be set to use Traffic Routing'));
      }
    }
    if (canary.scaleDownDelaySeconds !== undefined && canary.scaleDownDelaySeconds !== null && canary.dynamicStableScale === true) {
      errs.push(invalid(child(path, 'dynamicStableScale'), true, 'Canary dynamicStableScale cannot be used with scaleDownDelaySeconds'));
    }
    if (tr.maxTrafficWeight !== undefined && tr.maxTrafficWeight !== null && !isObj(tr.nginx) && Object.keys(plugins).length === 0) {
      errs.push(invalid(child(path, 'trafficRouting', 'maxTrafficWeight'), tr.maxTrafficWeight, 'Canary maxTrafficWeight in traffic routing only support in Nginx and Plugins'));
    }
    if (typeof tr.maxTrafficWeight === 'number' && tr.maxTrafficWeight < 1) errs.push(invalid(child(path, 'trafficRouting', 'maxTrafficWeight'), tr.maxTrafficWeight, 'must be greater than 0'));
  } else {
    if (canary.scaleDownDelaySeconds !== undefined && canary.scaleDownDelaySeconds !== null) {
      errs.push(invalid(child(path, 'scaleDownDelaySeconds'), canary.scaleDownDelaySeconds, 'Canary scaleDownDelaySeconds can only be used with traffic routing'));
    }
    if (canary.dynamicStableScale === true) errs.push(invalid(child(path, 'dynamicStableScale'), true, 'Canary dynamicStableScale can only be used with traffic routing'));
  }
  for (const f of ['scaleDownDelaySeconds', 'abortScaleDownDelaySeconds', 'minPodsPerReplicaSet', 'scaleDownDelayRevisionLimit']) errs.push(...nonNegative(child(path, f), canary[f]));
  if (isObj(canary.analysis)) {
    errs.push(...validateAnalysisRefs(canary.analysis, child(path, 'analysis')));
    errs.push(...nonNegative(child(path, 'analysis', 'startingStep'), canary.analysis.startingStep));
  }
  errs.push(...validateSteps(canary, path, routed));
  errs.push(...validateAntiAffinity(canary.antiAffinity, child(path, 'antiAffinity')));
  void ro;
  return errs;
}

function validateBlueGreen(spec: Obj, bg: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!bg.activeService) errs.push(missing(child(path, 'activeService'), '.spec.strategy.blueGreen.activeService'));
  else if (bg.activeService === bg.previewService) {
    errs.push(invalid(child(path, 'activeService'), bg.activeService, 'This rollout uses the same service for the active and preview services, but two different services are required.'));
  }
  const rhl = typeof spec.revisionHistoryLimit === 'number' ? spec.revisionHistoryLimit : 10;
  if (typeof bg.scaleDownDelayRevisionLimit === 'number' && rhl < bg.scaleDownDelayRevisionLimit) {
    errs.push(invalid(child(path, 'scaleDownDelayRevisionLimit'), bg.scaleDownDelayRevisionLimit, "This rollout's revision history limit can not be smaller than the rollout's scale down limit"));
  }
  for (const f of ['previewReplicaCount', 'autoPromotionSeconds', 'scaleDownDelaySeconds', 'abortScaleDownDelaySeconds', 'scaleDownDelayRevisionLimit']) errs.push(...nonNegative(child(path, f), bg[f]));
  errs.push(...intOrPercent(bg.maxUnavailable, child(path, 'maxUnavailable')).errs);
  for (const f of ['prePromotionAnalysis', 'postPromotionAnalysis']) if (isObj(bg[f])) errs.push(...validateAnalysisRefs(bg[f] as Obj, child(path, f)));
  errs.push(...validateAntiAffinity(bg.antiAffinity, child(path, 'antiAffinity')));
  return errs;
}

export function validateRolloutSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  const wref = spec.workloadRef;
  if (wref === undefined || wref === null) {
    if (spec.selector === undefined || spec.selector === null) errs.push(missing('spec.selector', '.spec.selector'));
    else errs.push(...validateSelector(spec, 'spec', 'empty selector is invalid for deployment'));
    if (!isObj(spec.template)) errs.push(missing('spec.template', '.spec.template'));
    else {
      // Validate the template as the ReplicaSet will carry it (defaults applied to a copy, as Argo does).
      const copy = { selector: spec.selector, template: structuredClone(spec.template) } as Obj;
      defaultTemplate(copy);
      errs.push(...validateTemplate(copy, 'spec', 'ReplicaSet'));
    }
  } else {
    const w = asObj(wref);
    if (isObj(spec.template) && Object.keys(spec.template).length) errs.push(invalid('spec.template', '', 'template must be empty for workload reference rollout'));
    for (const f of ['apiVersion', 'kind', 'name']) if (!w[f]) errs.push(required(child('spec.workloadRef', f)));
    if (w.kind && !['Deployment', 'ReplicaSet', 'PodTemplate'].includes(String(w.kind))) {
      errs.push({ type: 'FieldValueNotSupported', field: 'spec.workloadRef.kind', message: `Unsupported value: ${JSON.stringify(w.kind)}: supported values: "Deployment", "ReplicaSet", "PodTemplate"` });
    }
  }
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  const pds = typeof spec.progressDeadlineSeconds === 'number' ? spec.progressDeadlineSeconds : 600;
  errs.push(...nonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
  if (pds <= (typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0)) {
    errs.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  const st = asObj(spec.strategy);
  const hasBG = isObj(st.blueGreen), hasC = isObj(st.canary);
  if (!hasBG && !hasC) errs.push(missing('spec.strategy', '.spec.strategy.canary or .spec.strategy.blueGreen'));
  else if (hasBG && hasC) errs.push(invalidRaw('spec.strategy', '"blueGreen: true canary: true"', 'Multiple Strategies can not be listed'));
  else if (hasBG) errs.push(...validateBlueGreen(spec, st.blueGreen as Obj, 'spec.strategy.blueGreen'));
  else errs.push(...validateCanary(spec, st.canary as Obj, 'spec.strategy.canary'));
  return errs;
}

/** `.spec.selector is immutable` (Argo's CEL rule on the CRD). */
function selectorImmutable(obj: KubeObject, old: KubeObject): FieldError[] {
  const n = asObj(obj.spec).selector, o = asObj(old.spec).selector;
  if (o === undefined || deepEqual(n, o)) return [];
  return [{ type: 'FieldValueInvalid', field: 'spec.selector', message: `Invalid value: ${goLabelSelector(n)}: .spec.selector is immutable` }];
}

export const rollouts = define({
  group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', plural: 'rollouts', namespaced: true,
  shortNames: ['ro'], categories: ['all'],
  subresources: [status('argoproj.io', 'v1alpha1', 'Rollout'), sub('scale', 'autoscaling', 'v1', 'Scale', SUB_VERBS, { serve: scaleHandler({ statusReplicasPath: '.status.HPAReplicas', labelSelectorPath: '.status.selector' }) })],
  schemaName: 'io.argoproj.v1alpha1.Rollout',
  table: rolloutTable,
  hasGeneration: true,
  defaults() { /* none stored: Argo's CRD has no defaults */ },
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    errs.push(...validateRolloutSpec(asObj(obj.spec)));
    if (old) errs.push(...selectorImmutable(obj, old));
    return errs;
  },
  prepareForCreate(obj) { delete obj.status; },
  prepareForUpdate(obj, old) { keepStatus(obj, old); },
  prepareForStatusUpdate(obj, old) { keepAllButStatus(obj, old); },
});
