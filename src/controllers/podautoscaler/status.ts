/**
 * HPA status helpers (upstream horizontal.go setCondition/setConditionInList, setStatus): a condition's
 * lastTransitionTime moves only when its status changes; conditions keep their order of first appearance.
 */
import type { HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricStatus } from 'kubernetes-types/autoscaling/v2.d.ts';
import { rfc3339 } from '../../util/clock.ts';

export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
type Status = { -readonly [K in keyof HorizontalPodAutoscalerStatus]: HorizontalPodAutoscalerStatus[K] };

export function setCondition(status: Status, type: ConditionType, value: 'True' | 'False', reason: string, message: string, nowMs: number): void {
  const list: HorizontalPodAutoscalerCondition[] = [...(status.conditions ?? [])];
  let i = list.findIndex((c) => c.type === type);
  if (i < 0) { list.push({ type, status: value }); i = list.length - 1; }
  const cur = list[i];
  list[i] = {
    ...cur, type, status: value, reason, message,
    lastTransitionTime: cur.status !== value || !cur.lastTransitionTime ? rfc3339(nowMs) : cur.lastTransitionTime,
  };
  status.conditions = list;
}

/** setStatus: current/desired replicas and metrics; lastScaleTime moves on a rescale. */
export function setStatus(status: Status, currentReplicas: number, desiredReplicas: number, metrics: MetricStatus[] | undefined, rescaled: boolean, nowMs: number): Status {
  const next: Status = {
    currentReplicas, desiredReplicas,
    ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
    ...(metrics?.length ? { currentMetrics: metrics } : {}),
    ...(status.conditions ? { conditions: status.conditions } : {}),
  };
  if (rescaled) next.lastScaleTime = rfc3339(nowMs);
  return next;
}
