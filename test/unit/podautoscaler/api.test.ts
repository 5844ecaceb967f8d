import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultHorizontalPodAutoscaler, hpaV1ToV2, hpaV2ToV1, ANN_METRICS, ANN_BEHAVIOR, ANN_CONDITIONS, ANN_CURRENT_METRICS } from '../../../src/api/kinds/hpa-conversion.ts';
import { horizontalpodautoscalers, horizontalpodautoscalersV1 } from '../../../src/api/kinds/horizontalpodautoscalers.ts';
import { formatHPAMetrics, horizontalPodAutoscalerTable } from '../../../src/api/tables/autoscaling.ts';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (u: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: u } } });
const base = (spec: object, extra: object = {}) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec, ...extra });

test('v2 defaults: minReplicas 1, 80% CPU when no metric, behavior rules filled except the scale-down window', () => {
  const h: any = base({ scaleTargetRef: ref, maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 10 } } });
  defaultHorizontalPodAutoscaler(h);
  assert.equal(h.spec.minReplicas, 1);
  assert.deepEqual(h.spec.metrics, [cpu(80)]);
  assert.deepEqual(h.spec.behavior.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
  assert.deepEqual(h.spec.behavior.scaleDown, { stabilizationWindowSeconds: 10, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
  const plain: any = base({ scaleTargetRef: ref, maxReplicas: 5 });
  defaultHorizontalPodAutoscaler(plain);
  assert.equal(plain.spec.behavior, undefined, 'no behavior stays no behavior (the controller uses the classic rules)');
});

test('v1 ⇄ v2: the CPU target in its field, everything else in annotations, round trip both ways', () => {
  const v2: any = base({
    scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10,
    metrics: [cpu(50), { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }],
    behavior: { scaleDown: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
  }, { status: {
    currentReplicas: 3, desiredReplicas: 4,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 73, averageValue: '36m' } } }, { type: 'Resource', resource: { name: 'memory', current: { averageValue: '90Mi' } } }],
    conditions: [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' }],
  } });
  const v1: any = hpaV2ToV1(v2);
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.deepEqual(v1.spec, { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 50 });
  assert.deepEqual(v1.status, { currentReplicas: 3, desiredReplicas: 4, currentCPUUtilizationPercentage: 73 });
  assert.deepEqual(JSON.parse(v1.metadata.annotations[ANN_METRICS]), [
    { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
    { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
  ]);
  assert.deepEqual(JSON.parse(v1.metadata.annotations[ANN_CURRENT_METRICS]), [{ type: 'Resource', resource: { name: 'memory', currentAverageValue: '90Mi' } }]);
  assert.deepEqual(JSON.parse(v1.metadata.annotations[ANN_CONDITIONS]), v2.status.conditions);
  assert.deepEqual(JSON.parse(v1.metadata.annotations[ANN_BEHAVIOR]), v2.spec.behavior);
  const back: any = hpaV1ToV2(v1);
  assert.deepEqual(back.spec, v2.spec);
  assert.equal(back.metadata.annotations, undefined, 'conversion annotations do not leak into v2');
  // The CPU current value keeps its utilization (v1 has no field for its raw value).
  assert.deepEqual(back.status.currentMetrics[0], { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 73 } } });
  assert.deepEqual(back.status.conditions, v2.status.conditions);
});

test('a v1 object without a CPU target is stored with the 80% default', () => {
  const v1: any = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x', namespace: 'd' }, spec: { scaleTargetRef: ref, maxReplicas: 3 } };
  horizontalpodautoscalersV1.defaults(v1);
  const stored: any = horizontalpodautoscalersV1.storage!.toStorage(v1);
  assert.deepEqual(stored.spec.metrics, [cpu(80)]);
  assert.equal(horizontalpodautoscalersV1.storage!.fromStorage(stored).spec && (horizontalpodautoscalersV1.storage!.fromStorage(stored) as any).spec.targetCPUUtilizationPercentage, 80);
});

const messages = (h: unknown, old?: unknown) => horizontalpodautoscalers.validate(h as any, old as any).map((e) => `${e.field}: ${e.message}`);

test('validation reports every field error, with upstream wording', () => {
  assert.deepEqual(messages(base({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, metrics: [cpu(50)] })), []);
  assert.deepEqual(messages(base({
    scaleTargetRef: { kind: '', name: 'a/b' }, minReplicas: 0, maxReplicas: 0,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0, averageValue: '-1' } } },
      { type: 'Bogus' },
      { type: 'Pods', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 5 } } },
    ],
    behavior: { scaleUp: { stabilizationWindowSeconds: 4000, selectPolicy: 'Fastest', policies: [{ type: 'Nodes', value: 0, periodSeconds: 1801 }] }, scaleDown: { policies: [] } },
  })), [
    'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
    'spec.maxReplicas: Invalid value: 0: must be greater than 0',
    'spec.scaleTargetRef.kind: Required value',
    "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'",
    'spec.metrics[0].resource.target.averageValue: Invalid value: "-1": must be positive',
    'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
    'spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization',
    'spec.metrics[1].type: Unsupported value: "Bogus": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    'spec.metrics[2].pods: Required value: must populate information for the given metric source',
    'spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas',
    'spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600',
    'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Fastest": supported values: "Disabled", "Max", "Min"',
    'spec.behavior.scaleUp.policies[0].type: Unsupported value: "Nodes": supported values: "Percent", "Pods"',
    'spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero',
    'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800',
    'spec.behavior.scaleDown.policies: Required value: must specify at least one Policy',
  ]);
  assert.deepEqual(messages(base({ scaleTargetRef: ref, minReplicas: 5, maxReplicas: 3 })), ['spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`']);
});

test('a v1 object is validated as the v2 object it becomes (v2 field paths, as upstream)', () => {
  const v1 = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec: { scaleTargetRef: ref, maxReplicas: 2, targetCPUUtilizationPercentage: 0 } };
  assert.deepEqual(horizontalpodautoscalersV1.validate(v1 as any).map((e) => `${e.field}: ${e.message}`),
    ['spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0']);
});

test('the TARGETS column as kubectl prints it', () => {
  assert.equal(formatHPAMetrics([cpu(50)], undefined), 'cpu: <unknown>/50%');
  assert.equal(formatHPAMetrics([cpu(50)], [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 73, averageValue: '36m' } } }]), 'cpu: 73%/50%');
  assert.equal(formatHPAMetrics([{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }], [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '90Mi' } } }]), 'memory: 90Mi/100Mi');
  assert.equal(formatHPAMetrics([cpu(50), cpu(60), cpu(70)], []), 'cpu: <unknown>/50%, cpu: <unknown>/60% + 1 more...');
  assert.equal(formatHPAMetrics([], []), '<none>');
  const row = horizontalPodAutoscalerTable.row(base({ scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10, metrics: [cpu(50)] }, { status: { currentReplicas: 3 } }), Date.now());
  assert.deepEqual(row.slice(0, 6), ['web', 'Deployment/web', 'cpu: <unknown>/50%', '2', 10, 3]);
  assert.deepEqual(horizontalPodAutoscalerTable.columns.map((c) => c.name), ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
});
