/**
 * HorizontalPodAutoscaler table (upstream printHorizontalPodAutoscaler / formatHPAMetrics): NAME REFERENCE TARGETS
 * MINPODS MAXPODS REPLICAS AGE; TARGETS lists the first two metrics as "<current>/<target>", e.g. "cpu: 73%/50%",
 * "cpu: <unknown>/50%" before the first measurement, then "+ N more...".
 */
import { type TableDef, col, nameColumn, ageColumn, age } from './table.ts';

type Obj = Record<string, any>;

const MAX_SHOWN = 2;
const q = (v: unknown) => (v === undefined || v === null ? '<unknown>' : String(v));
const pct = (v: unknown) => (typeof v === 'number' ? `${v}%` : '<unknown>');

/** One metric's "current/target" text. */
function metricText(spec: Obj, status: Obj | undefined): string {
  switch (spec?.type) {
    case 'External': {
      const t = spec.external?.target ?? {}, cur = status?.external?.current;
      if (t.averageValue != null) return `${cur?.averageValue != null ? q(cur.averageValue) : '<unknown>'}/${t.averageValue} (avg)`;
      return `${status?.external ? q(cur?.value) : '<unknown>'}/${q(t.value)}`;
    }
    case 'Pods':
      return `${status?.pods ? q(status.pods.current?.averageValue) : '<unknown>'}/${q(spec.pods?.target?.averageValue)}`;
    case 'Object': {
      const t = spec.object?.target ?? {}, cur = status?.object?.current;
      if (t.averageValue != null) return `${cur?.averageValue != null ? q(cur.averageValue) : '<unknown>'}/${t.averageValue} (avg)`;
      return `${status?.object ? q(cur?.value) : '<unknown>'}/${q(t.value)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const src = spec[key] ?? {}, cur = status?.[key];
      if (src.target?.averageValue != null) return `${src.name}: ${cur ? q(cur.current?.averageValue) : '<unknown>'}/${src.target.averageValue}`;
      const target = src.target?.averageUtilization != null ? `${src.target.averageUtilization}%` : '<auto>';
      return `${src.name}: ${pct(cur?.current?.averageUtilization)}/${target}`;
    }
    default:
      return '<unknown type>';
  }
}

export function formatHPAMetrics(specs: Obj[] | undefined, statuses: Obj[] | undefined): string {
  if (!specs?.length) return '<none>';
  const list = specs.map((s, i) => metricText(s, statuses?.[i]));
  const shown = list.slice(0, MAX_SHOWN).join(', ');
  return list.length > MAX_SHOWN ? `${shown} + ${list.length - MAX_SHOWN} more...` : shown;
}

export const horizontalPodAutoscalerTable: TableDef = {
  columns: [
    nameColumn(),
    col('Reference', 'string', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'),
    col('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization.'),
    col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.'),
    col('MaxPods', 'integer', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.'),
    col('Replicas', 'integer', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
    ageColumn(),
  ],
  row(h: Obj, nowMs: number) {
    const spec = h?.spec ?? {}, ref = spec.scaleTargetRef ?? {};
    return [h?.metadata?.name ?? '', `${ref.kind ?? ''}/${ref.name ?? ''}`, formatHPAMetrics(spec.metrics, h?.status?.currentMetrics),
      spec.minReplicas != null ? String(spec.minReplicas) : '<unset>', spec.maxReplicas ?? 0, h?.status?.currentReplicas ?? 0, age(h, nowMs)];
  },
};
