// Building an AnalysisRun from templates + args (what the rollout controller calls).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newAnalysisRunFromTemplates, validateRunSpec, AnalysisRunBuildError, resolveTemplateRefs } from '../../../src/analysis/run-from-templates.ts';
import { mergeArgs, flattenArgs, resolveArgsInString, resolveMetricArgs } from '../../../src/analysis/args.ts';
import { createProviders } from '../../../src/analysis/providers/index.ts';
import type { AnalysisTemplate, Metric } from '../../../src/analysis/types.ts';

const tpl = (name: string, spec: AnalysisTemplate['spec'], cluster = false): AnalysisTemplate =>
  ({ apiVersion: 'argoproj.io/v1alpha1', kind: cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate', metadata: { name, namespace: cluster ? undefined : 'default' }, spec });
const successRate = tpl('success-rate', {
  args: [{ name: 'service-name' }, { name: 'threshold', value: '0.95' }],
  metrics: [{ name: 'success-rate', interval: '30s', successCondition: 'result >= {{ args.threshold }}', failureLimit: 1,
    provider: { kubelite: { service: '{{args.service-name}}', backend: 'canary', metric: 'success-rate' } } }],
});
const latency = tpl('latency', {
  args: [{ name: 'service-name' }, { name: 'token', valueFrom: { secretKeyRef: { name: 'prom', key: 'token' } } }],
  metrics: [{ name: 'p99', successCondition: 'result[0] < 0.5',
    provider: { prometheus: { address: 'http://prom:9090', query: 'histogram_quantile(0.99, rate(x{svc="{{args.service-name}}"}[1m]))', headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }] } } }],
  dryRun: [{ metricName: 'p99' }],
}, true);

test('a run from a namespaced and a cluster template: metrics concatenated, args merged, placeholders kept, metadata set', () => {
  const run = newAnalysisRunFromTemplates({
    refs: [{ templateName: 'success-rate' }, { templateName: 'latency', clusterScope: true }],
    templates: [successRate], clusterTemplates: [latency],
    args: [{ name: 'service-name', value: 'web' }, { name: 'unknown', value: 'ignored' }],
    namespace: 'default', name: 'web-6d4f8-2-1',
    labels: { 'rollouts-pod-template-hash': '6d4f8', 'rollout-type': 'Step', 'step-index': '1' },
    ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }],
    measurementRetention: [{ metricName: 'success-rate', limit: 20 }],
  });
  assert.equal(run.apiVersion, 'argoproj.io/v1alpha1');
  assert.equal(run.kind, 'AnalysisRun');
  assert.deepEqual(run.metadata.labels, { 'rollouts-pod-template-hash': '6d4f8', 'rollout-type': 'Step', 'step-index': '1' });
  assert.equal(run.metadata.ownerReferences![0].uid, 'u1');
  assert.deepEqual(run.spec.metrics.map((m) => m.name), ['success-rate', 'p99']);
  assert.equal(run.spec.metrics[0].successCondition, 'result >= {{ args.threshold }}', 'placeholders stay, as in Argo runs');
  assert.deepEqual(run.spec.args, [
    { name: 'service-name', value: 'web' },
    { name: 'threshold', value: '0.95' },
    { name: 'token', valueFrom: { secretKeyRef: { name: 'prom', key: 'token' } } },
  ]);
  assert.deepEqual(run.spec.dryRun, [{ metricName: 'p99' }]);
  assert.deepEqual(run.spec.measurementRetention, [{ metricName: 'success-rate', limit: 20 }]);
  assert.equal(validateRunSpec(run), undefined);
  const resolved = resolveMetricArgs(run.spec.metrics[0], run.spec.args!);
  assert.equal(resolved.successCondition, 'result >= 0.95');
  assert.equal(resolved.provider.kubelite!.service, 'web');
  // The templates were not modified.
  assert.equal(successRate.spec.metrics![0].provider.kubelite!.service, '{{args.service-name}}');
});

test('building errors, worded as Argo words them', () => {
  const build = (o: Partial<Parameters<typeof newAnalysisRunFromTemplates>[0]>) => () => newAnalysisRunFromTemplates({ refs: [], namespace: 'default', templates: [successRate], clusterTemplates: [latency], ...o });
  const cases: [Partial<Parameters<typeof newAnalysisRunFromTemplates>[0]>, string][] = [
    [{ refs: [{ templateName: 'success-rate' }] }, 'args.service-name was not resolved'],
    [{ refs: [{ templateName: 'nope' }] }, 'analysistemplate.argoproj.io "nope" not found'],
    [{ refs: [{ templateName: 'latency' }] }, 'analysistemplate.argoproj.io "latency" not found'],
    [{ refs: [{ templateName: 'success-rate', clusterScope: true }] }, 'clusteranalysistemplate.argoproj.io "success-rate" not found'],
    [{ refs: [{ templateName: 'success-rate' }, { templateName: 'copy' }], templates: [successRate, tpl('copy', successRate.spec)], args: [{ name: 'service-name', value: 'x' }] }, "two metrics have the same name 'success-rate'"],
    [{ refs: [{ templateName: 'a' }, { templateName: 'b' }], templates: [tpl('a', { args: [{ name: 'x', value: '1' }], metrics: [] }), tpl('b', { args: [{ name: 'x', value: '2' }], metrics: [] })] }, "Argument `x` specified multiple times with different values: '1', '2'"],
    [{ refs: [{ templateName: 't' }], templates: [tpl('t', { metrics: [{ name: 'm', successCondition: 'result > {{args.missing}}', provider: { web: { url: 'http://x' } } }] })] }, 'failed to resolve {{args.missing}}'],
    [{ refs: [{ templateName: 't' }], templates: [tpl('t', { metrics: [{ name: 'm', provider: { web: { url: 'http://x/{{args.oops' } } }] })] }, 'Cannot find end tag="}}" in the template="http://x/{{args.oops" starting from "args.oops"'],
    [{ refs: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'w' }], dryRun: [{ metricName: 'a' }, { metricName: 'a' }] }, "two Dry-Run metric rules have the same name 'a'"],
    [{ refs: [] }, 'no analysis templates referenced'],
  ];
  for (const [input, message] of cases) {
    assert.throws(build(input), (e: unknown) => e instanceof AnalysisRunBuildError && (e as Error).message === message, message);
  }
});

test('nested templates are expanded once each; a cycle does not loop', () => {
  const a = tpl('a', { templates: [{ templateName: 'b' }], metrics: [{ name: 'ma', provider: { web: { url: 'http://x' } } }] });
  const b = tpl('b', { templates: [{ templateName: 'a' }, { templateName: 'c', clusterScope: true }], metrics: [{ name: 'mb', provider: { web: { url: 'http://x' } } }] });
  const c = tpl('c', { metrics: [{ name: 'mc', provider: { web: { url: 'http://x' } } }] }, true);
  assert.deepEqual(resolveTemplateRefs([{ templateName: 'a' }, { templateName: 'b' }], [a, b], [c]).map((t) => t.metadata.name), ['a', 'b', 'c']);
  const run = newAnalysisRunFromTemplates({ refs: [{ templateName: 'a' }], templates: [a, b], clusterTemplates: [c], namespace: 'ns', generateName: 'x-' });
  assert.deepEqual(run.spec.metrics.map((m) => m.name), ['ma', 'mb', 'mc']);
  assert.equal(run.metadata.generateName, 'x-');
  assert.equal(run.spec.args, undefined);
});

test('validateRunSpec: what the controller would reject, worded as the run message', () => {
  const spec = (metrics: Metric[]) => ({ spec: { metrics } });
  assert.equal(validateRunSpec(spec([{ name: 'm', provider: { datadog: {} } }])), 'Analysis spec invalid: metrics[0]: provider datadog is not supported by kubelite (supported: kubelite, web, prometheus)');
  assert.equal(validateRunSpec(spec([{ name: 'm', count: 3, provider: { web: { url: 'http://x' } } }])), 'Analysis spec invalid: metrics[0]: interval must be specified when count > 1');
  assert.equal(validateRunSpec(spec([{ name: 'm', successCondition: 'result >= {{args.t}}', provider: { web: { url: 'http://x' } } }])), 'Unable to resolve metric arguments: failed to resolve {{args.t}}');
  assert.equal(validateRunSpec({ spec: { metrics: [{ name: 'm', provider: { prometheus: { query: 'up' } } }] } }, createProviders({ prometheusAddress: 'http://p:9090' })), undefined);
});

test('args: merge, flatten and substitution rules', () => {
  assert.deepEqual(mergeArgs([{ name: 'a', value: 'in' }, { name: 'zzz', value: 'x' }], [{ name: 'a', value: 'tpl' }, { name: 'b', value: 'keep' }]), [{ name: 'a', value: 'in' }, { name: 'b', value: 'keep' }]);
  assert.deepEqual(mergeArgs([{ name: 'a', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }], [{ name: 'a', value: 'tpl' }]), [{ name: 'a', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]);
  assert.throws(() => mergeArgs([], [{ name: 'a' }]), /^Error: args\.a was not resolved$/);
  assert.deepEqual(flattenArgs([[{ name: 'a' }], [{ name: 'a', value: '1' }], [{ name: 'a' }]]), [{ name: 'a', value: '1' }]);
  assert.equal(resolveArgsInString('x-{{args.var}}-{{ args.var }}', [{ name: 'var', value: 'foo' }]), 'x-foo-foo');
  assert.equal(resolveArgsInString('no placeholders', []), 'no placeholders');
  assert.throws(() => resolveArgsInString('{{args.test}}', [{ name: 'test' }]), /argument "test" was not supplied/);
  assert.throws(() => resolveArgsInString('{{args.var}}', []), /failed to resolve \{\{args\.var\}\}/);
  const quoted = resolveMetricArgs({ name: 'q', provider: { web: { url: 'http://x', body: 'v={{args.v}}' } } }, [{ name: 'v', value: 'a"b\nc' }]);
  assert.equal(quoted.provider.web!.body, 'v=a"b\nc', 'values with quotes and newlines land verbatim in the field');
});
