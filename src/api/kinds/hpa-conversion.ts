/**
 * HorizontalPodAutoscaler defaults (autoscaling/v2, upstream pkg/apis/autoscaling/v2/defaults.go) and the
 * conversion between autoscaling/v2 (the storage version) and the autoscaling/v1 view (upstream
 * pkg/apis/autoscaling/v1/conversion.go): v1 carries the CPU utilization target and current value in its own
 * fields, and everything v1 has no field for in annotations —
 *   autoscaling.alpha.kubernetes.io/metrics          spec metrics other than the CPU utilization one (v1 MetricSpec)
 *   autoscaling.alpha.kubernetes.io/current-metrics  status metrics other than the CPU utilization one
 *   autoscaling.alpha.kubernetes.io/conditions       status conditions
 *   autoscaling.alpha.kubernetes.io/behavior         spec.behavior
 * so an HPA written in one version reads back unchanged in the other.
 */
import type { KubeObject } from '../resource.ts';
import { asArray, asObj, isObj } from '../validation/field.ts';

type Obj = Record<string, any>;

export const ANN_METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
export const ANN_CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const ANN_CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
export const ANN_BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';
const ANNOTATIONS = [ANN_METRICS, ANN_CURRENT_METRICS, ANN_CONDITIONS, ANN_BEHAVIOR];

/** The CPU utilization target an HPA gets when it names no metric (upstream DefaultCPUUtilization). */
export const DEFAULT_CPU_UTILIZATION = 80;

const DEFAULT_SCALE_UP = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
/** The scale-down stabilization window stays unset: the controller fills its --horizontal-pod-autoscaler-downscale-stabilization. */
const DEFAULT_SCALE_DOWN = { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

/** Every unset field of a direction's rules from the defaults (GenerateHPAScale{Up,Down}Rules). */
export function scalingRules(rules: unknown, up: boolean): Obj {
  const out: Obj = structuredClone(up ? DEFAULT_SCALE_UP : DEFAULT_SCALE_DOWN);
  const r = asObj(rules);
  for (const k of ['selectPolicy', 'stabilizationWindowSeconds', 'policies']) if (r[k] !== undefined && r[k] !== null) out[k] = structuredClone(r[k]);
  return out;
}

/** SetDefaults_HorizontalPodAutoscaler (v2): minReplicas 1, CPU at 80% when no metric, behavior rules filled. */
export function defaultHorizontalPodAutoscaler(obj: KubeObject): void {
  if (!isObj(obj.spec)) obj.spec = {};
  const spec = obj.spec as Obj;
  spec.minReplicas ??= 1;
  if (!asArray(spec.metrics).length) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  if (isObj(spec.behavior)) {
    spec.behavior.scaleUp = scalingRules(spec.behavior.scaleUp, true);
    spec.behavior.scaleDown = scalingRules(spec.behavior.scaleDown, false);
  }
}

const isCpuUtilization = (m: Obj) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.averageUtilization != null;
const isCpuCurrentUtilization = (m: Obj) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.current?.averageUtilization != null;

const clean = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
const target = (type: string, v: Obj) => clean({ type, ...v });

/** A v2 MetricSpec as autoscaling/v1's MetricSpec (the annotation format). */
function specToV1(m: Obj): Obj {
  switch (m.type) {
    case 'Resource': return { type: m.type, resource: clean({ name: m.resource?.name, targetAverageUtilization: m.resource?.target?.averageUtilization, targetAverageValue: m.resource?.target?.averageValue }) };
    case 'ContainerResource': return { type: m.type, containerResource: clean({ name: m.containerResource?.name, container: m.containerResource?.container, targetAverageUtilization: m.containerResource?.target?.averageUtilization, targetAverageValue: m.containerResource?.target?.averageValue }) };
    case 'Pods': return { type: m.type, pods: clean({ metricName: m.pods?.metric?.name, selector: m.pods?.metric?.selector, targetAverageValue: m.pods?.target?.averageValue }) };
    case 'Object': return { type: m.type, object: clean({ target: m.object?.describedObject, metricName: m.object?.metric?.name, selector: m.object?.metric?.selector, targetValue: m.object?.target?.value, averageValue: m.object?.target?.averageValue }) };
    case 'External': return { type: m.type, external: clean({ metricName: m.external?.metric?.name, metricSelector: m.external?.metric?.selector, targetValue: m.external?.target?.value, targetAverageValue: m.external?.target?.averageValue }) };
    default: return { type: m.type };
  }
}

/** An autoscaling/v1 MetricSpec (annotation format) as v2. */
function specFromV1(m: Obj): Obj {
  const r = asObj(m.resource), c = asObj(m.containerResource), p = asObj(m.pods), o = asObj(m.object), e = asObj(m.external);
  const util = (x: Obj) => (x.targetAverageUtilization != null ? target('Utilization', { averageUtilization: x.targetAverageUtilization }) : target('AverageValue', { averageValue: x.targetAverageValue }));
  switch (m.type) {
    case 'Resource': return { type: m.type, resource: { name: r.name, target: util(r) } };
    case 'ContainerResource': return { type: m.type, containerResource: { name: c.name, container: c.container, target: util(c) } };
    case 'Pods': return { type: m.type, pods: { metric: clean({ name: p.metricName, selector: p.selector }), target: target('AverageValue', { averageValue: p.targetAverageValue }) } };
    case 'Object': return { type: m.type, object: { describedObject: o.target, metric: clean({ name: o.metricName, selector: o.selector }), target: o.averageValue != null ? target('AverageValue', { averageValue: o.averageValue }) : target('Value', { value: o.targetValue }) } };
    case 'External': return { type: m.type, external: { metric: clean({ name: e.metricName, selector: e.metricSelector }), target: e.targetAverageValue != null ? target('AverageValue', { averageValue: e.targetAverageValue }) : target('Value', { value: e.targetValue }) } };
    default: return { type: m.type };
  }
}

/** A v2 MetricStatus as autoscaling/v1's MetricStatus. */
function statusToV1(m: Obj): Obj {
  switch (m.type) {
    case 'Resource': return { type: m.type, resource: clean({ name: m.resource?.name, currentAverageUtilization: m.resource?.current?.averageUtilization, currentAverageValue: m.resource?.current?.averageValue }) };
    case 'ContainerResource': return { type: m.type, containerResource: clean({ name: m.containerResource?.name, container: m.containerResource?.container, currentAverageUtilization: m.containerResource?.current?.averageUtilization, currentAverageValue: m.containerResource?.current?.averageValue }) };
    case 'Pods': return { type: m.type, pods: clean({ metricName: m.pods?.metric?.name, selector: m.pods?.metric?.selector, currentAverageValue: m.pods?.current?.averageValue }) };
    case 'Object': return { type: m.type, object: clean({ target: m.object?.describedObject, metricName: m.object?.metric?.name, selector: m.object?.metric?.selector, currentValue: m.object?.current?.value, averageValue: m.object?.current?.averageValue }) };
    case 'External': return { type: m.type, external: clean({ metricName: m.external?.metric?.name, metricSelector: m.external?.metric?.selector, currentValue: m.external?.current?.value, currentAverageValue: m.external?.current?.averageValue }) };
    default: return { type: m.type };
  }
}

function statusFromV1(m: Obj): Obj {
  const r = asObj(m.resource), c = asObj(m.containerResource), p = asObj(m.pods), o = asObj(m.object), e = asObj(m.external);
  switch (m.type) {
    case 'Resource': return { type: m.type, resource: { name: r.name, current: clean({ averageUtilization: r.currentAverageUtilization, averageValue: r.currentAverageValue }) } };
    case 'ContainerResource': return { type: m.type, containerResource: { name: c.name, container: c.container, current: clean({ averageUtilization: c.currentAverageUtilization, averageValue: c.currentAverageValue }) } };
    case 'Pods': return { type: m.type, pods: { metric: clean({ name: p.metricName, selector: p.selector }), current: clean({ averageValue: p.currentAverageValue }) } };
    case 'Object': return { type: m.type, object: { describedObject: o.target, metric: clean({ name: o.metricName, selector: o.selector }), current: clean({ value: o.currentValue, averageValue: o.averageValue }) } };
    case 'External': return { type: m.type, external: { metric: clean({ name: e.metricName, selector: e.metricSelector }), current: clean({ value: e.currentValue, averageValue: e.currentAverageValue }) } };
    default: return { type: m.type };
  }
}

function parseAnnotation(annotations: Obj, key: string): unknown {
  const raw = annotations[key];
  if (typeof raw !== 'string') return undefined;
  try { return JSON.parse(raw); } catch { return undefined; }
}

/** The object's metadata with the conversion annotations taken out (and returned). */
function splitAnnotations(obj: KubeObject): { meta: Obj; ann: Obj } {
  const meta: Obj = structuredClone(asObj(obj.metadata));
  const ann: Obj = asObj(meta.annotations);
  const rest = Object.fromEntries(Object.entries(ann).filter(([k]) => !ANNOTATIONS.includes(k)));
  if (Object.keys(rest).length) meta.annotations = rest; else delete meta.annotations;
  return { meta, ann };
}

/** autoscaling/v1 → autoscaling/v2. */
export function hpaV1ToV2(obj: KubeObject): KubeObject {
  const { meta, ann } = splitAnnotations(obj);
  const spec = asObj(obj.spec), status = asObj(obj.status);
  const metrics: Obj[] = [];
  if (spec.targetCPUUtilizationPercentage != null) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  for (const m of asArray<Obj>(parseAnnotation(ann, ANN_METRICS))) metrics.push(specFromV1(asObj(m)));
  const behavior = parseAnnotation(ann, ANN_BEHAVIOR);
  const v2spec: Obj = clean({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics: metrics.length ? metrics : undefined, behavior: isObj(behavior) ? behavior : undefined });
  const current: Obj[] = [];
  if (status.currentCPUUtilizationPercentage != null) current.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
  for (const m of asArray<Obj>(parseAnnotation(ann, ANN_CURRENT_METRICS))) current.push(statusFromV1(asObj(m)));
  const conditions = parseAnnotation(ann, ANN_CONDITIONS);
  const out: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta, spec: v2spec };
  if (obj.status !== undefined) {
    out.status = clean({
      observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime, currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas ?? 0, currentMetrics: current.length ? current : undefined,
      conditions: Array.isArray(conditions) && conditions.length ? conditions : undefined,
    });
  }
  return out;
}

/** autoscaling/v2 → autoscaling/v1. */
export function hpaV2ToV1(obj: KubeObject): KubeObject {
  const { meta, ann } = splitAnnotations(obj);
  const spec = asObj(obj.spec), status = asObj(obj.status);
  const specMetrics = asArray<Obj>(spec.metrics);
  const cpu = specMetrics.find(isCpuUtilization);
  const other = specMetrics.filter((m) => !isCpuUtilization(m)).map(specToV1);
  const currentMetrics = asArray<Obj>(status.currentMetrics);
  const cpuNow = currentMetrics.find(isCpuCurrentUtilization);
  const otherNow = currentMetrics.filter((m) => !isCpuCurrentUtilization(m)).map(statusToV1);
  const annotations: Obj = { ...ann };
  for (const k of ANNOTATIONS) delete annotations[k];
  if (other.length) annotations[ANN_METRICS] = JSON.stringify(other);
  if (otherNow.length) annotations[ANN_CURRENT_METRICS] = JSON.stringify(otherNow);
  if (asArray(status.conditions).length) annotations[ANN_CONDITIONS] = JSON.stringify(status.conditions);
  if (isObj(spec.behavior)) annotations[ANN_BEHAVIOR] = JSON.stringify(spec.behavior);
  if (Object.keys(annotations).length) meta.annotations = annotations;
  const out: KubeObject = {
    apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: meta,
    spec: clean({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, targetCPUUtilizationPercentage: cpu?.resource?.target?.averageUtilization }),
  };
  if (obj.status !== undefined) {
    out.status = clean({
      observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime, currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0, currentCPUUtilizationPercentage: cpuNow?.resource?.current?.averageUtilization,
    });
  }
  return out;
}
