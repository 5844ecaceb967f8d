import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterConfig, nodeConfigFromEnv } from '../../../src/cli/config.ts';
import { podAdmissionDefaults } from '../../../src/api/kinds/pod-defaults.ts';

test('flags win over the environment; the environment fills the rest', () => {
  const c = clusterConfig({ nodeMonitorGracePeriod: '25s', defaultTolerationSeconds: '5' },
    { KUBELITE_NODE_MONITOR_GRACE_PERIOD: '8s', KUBELITE_NODE_MONITOR_PERIOD: '500ms', KUBELITE_COMPACT_INTERVAL_MS: '1500' });
  assert.ok(!('error' in c));
  assert.deepEqual(c.nodeLifecycle, { gracePeriodMs: 25_000, monitorPeriodMs: 500, defaultTolerationSeconds: 5 });
  assert.equal(c.defaultTolerationSeconds, 5);
  assert.equal(c.compactIntervalMs, 1500);
  assert.deepEqual(c.node, { endpointDrain: true, podLogRoot: undefined, noProxy: false });
});

test('nothing set gives the components their own defaults (all undefined)', () => {
  const c = clusterConfig({}, {});
  assert.ok(!('error' in c));
  assert.deepEqual(c.nodeLifecycle, { gracePeriodMs: undefined, monitorPeriodMs: undefined, defaultTolerationSeconds: undefined });
  assert.equal(c.compactIntervalMs, undefined);
});

test('malformed flags are one-line errors naming the flag', () => {
  assert.deepEqual(clusterConfig({ nodeMonitorPeriod: 'soon' }, {}),
    { error: 'invalid --node-monitor-period "soon": give a duration such as 40s, 500ms or 2m' });
  assert.deepEqual(clusterConfig({ defaultTolerationSeconds: '-3' }, {}),
    { error: 'invalid --default-toleration-seconds "-3": give a whole number of seconds such as 300' });
});

test('node knobs', () => {
  assert.deepEqual(nodeConfigFromEnv({ KUBELITE_ENDPOINT_DRAIN: '0', KUBELITE_POD_LOG_ROOT: '/tmp/logs', KUBELITE_NODE_NO_PROXY: '1' }),
    { endpointDrain: false, podLogRoot: '/tmp/logs', noProxy: true });
});

test('pod defaults take the configured toleration seconds, and keep tolerations the pod has', () => {
  const p: any = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  podAdmissionDefaults(p, { defaultTolerationSeconds: 7 });
  assert.deepEqual(p.spec.tolerations.map((t: any) => [t.key, t.tolerationSeconds]),
    [['node.kubernetes.io/not-ready', 7], ['node.kubernetes.io/unreachable', 7]]);
  const q: any = { metadata: { name: 'q' }, spec: { containers: [], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }] } };
  podAdmissionDefaults(q);
  assert.deepEqual(q.spec.tolerations.map((t: any) => [t.key, t.tolerationSeconds]),
    [['node.kubernetes.io/unreachable', 1], ['node.kubernetes.io/not-ready', 300]]);
});

test('metric resolution and HPA controller flags: flag over environment, malformed is a one-line error', () => {
  const c = clusterConfig({ horizontalPodAutoscalerSyncPeriod: '2s' }, { KUBELITE_METRIC_RESOLUTION: '5s', KUBELITE_HPA_SYNC_PERIOD: '9s', KUBELITE_HPA_DOWNSCALE_STABILIZATION: '1m' });
  assert.ok(!('error' in c));
  assert.equal(c.metricResolutionMs, 5000);
  assert.deepEqual(c.podAutoscaler, { syncPeriodMs: 2000, downscaleStabilizationMs: 60_000 });
  const d = clusterConfig({}, {});
  assert.ok(!('error' in d));
  assert.equal(d.metricResolutionMs, undefined);
  assert.deepEqual(d.podAutoscaler, {});
  assert.deepEqual(clusterConfig({ metricResolution: '10ms' }, {}), { error: 'invalid --metric-resolution "10ms": give a duration of at least 1s such as 15s' });
  assert.deepEqual(clusterConfig({ horizontalPodAutoscalerDownscaleStabilization: 'later' }, {}), { error: 'invalid --horizontal-pod-autoscaler-downscale-stabilization "later": give a duration such as 15s or 5m' });
});

test('the Prometheus of address-less metrics: --prometheus-address wins over ARGO_ROLLOUTS_PROMETHEUS_ADDRESS; none = on demand', () => {
  const env = { ARGO_ROLLOUTS_PROMETHEUS_ADDRESS: 'http://prom.example:9090' };
  const fromEnv = clusterConfig({}, env);
  assert.ok(!('error' in fromEnv));
  assert.equal(fromEnv.prometheusAddress, 'http://prom.example:9090');
  const fromFlag = clusterConfig({ prometheusAddress: 'https://127.0.0.1:9091/' }, env);
  assert.ok(!('error' in fromFlag));
  assert.equal(fromFlag.prometheusAddress, 'https://127.0.0.1:9091/');
  const none = clusterConfig({}, { ARGO_ROLLOUTS_PROMETHEUS_ADDRESS: '' });
  assert.ok(!('error' in none));
  assert.equal(none.prometheusAddress, undefined);
  assert.deepEqual(clusterConfig({ prometheusAddress: '127.0.0.1:9090' }, {}),
    { error: 'invalid --prometheus-address "127.0.0.1:9090": give the URL of a Prometheus such as http://127.0.0.1:9090' });
  assert.deepEqual(clusterConfig({}, { ARGO_ROLLOUTS_PROMETHEUS_ADDRESS: 'ftp://x' }),
    { error: 'invalid ARGO_ROLLOUTS_PROMETHEUS_ADDRESS "ftp://x": give the URL of a Prometheus such as http://127.0.0.1:9090' });
});
