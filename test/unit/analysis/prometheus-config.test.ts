// What the on-demand Prometheus is told: scrape targets from pods' prometheus.io/* annotations and the proxy's
// metrics URL (file_sd groups), its prometheus.yml and its command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import {
  PAGE_TITLE, firstScrapeDone, podScrapeTargets, prometheusArgs, prometheusConfig, proxyScrapeTargets, sanitizeLabelName, type Pod,
} from '../../../src/analysis/prometheus-config.ts';

function pod(name: string, o: { ann?: Record<string, string>; labels?: Record<string, string>; ip?: string; phase?: string; ports?: { containerPort: number; protocol?: string }[][]; ns?: string } = {}): Pod {
  return {
    metadata: { name, namespace: o.ns ?? 'shop', annotations: o.ann, labels: o.labels },
    spec: { containers: (o.ports ?? [[]]).map((ports, i) => ({ name: `c${i}`, image: 'x', ports })) },
    status: { podIP: o.ip, phase: o.phase ?? 'Running' },
  } as Pod;
}

const scrape = (extra: Record<string, string> = {}) => ({ 'prometheus.io/scrape': 'true', ...extra });

test('an annotated pod is scraped at prometheus.io/port and prometheus.io/path, labelled namespace, pod and its labels', () => {
  const groups = podScrapeTargets([
    pod('web-7d9', {
      ip: '10.88.0.7', ann: scrape({ 'prometheus.io/port': '8080', 'prometheus.io/path': '/stats/prom' }),
      labels: { app: 'web', 'rollouts-pod-template-hash': '7d9', 'app.kubernetes.io/name': 'shop', job: 'mine', pod: 'x' },
      ports: [[{ containerPort: 80 }]],
    }),
  ]);
  assert.deepEqual(groups, [{
    targets: ['10.88.0.7:8080'],
    labels: {
      __metrics_path__: '/stats/prom', __scheme__: 'http', app: 'web', app_kubernetes_io_name: 'shop',
      namespace: 'shop', pod: 'web-7d9', rollouts_pod_template_hash: '7d9',
    },
  }]);
});

test('pods that do not opt in, have no IP yet, have finished, or give a port that is not a number are left out', () => {
  const groups = podScrapeTargets([
    pod('plain', { ip: '10.88.0.2' }),
    pod('opted-out', { ip: '10.88.0.3', ann: { 'prometheus.io/scrape': 'false', 'prometheus.io/port': '80' } }),
    pod('pending', { ann: scrape({ 'prometheus.io/port': '80' }) }),
    pod('done', { ip: '10.88.0.4', phase: 'Succeeded', ann: scrape() }),
    pod('failed', { ip: '10.88.0.5', phase: 'Failed', ann: scrape() }),
    pod('named-port', { ip: '10.88.0.6', ann: scrape({ 'prometheus.io/port': 'metrics' }) }),
    pod('kept', { ip: '10.88.0.9', ann: scrape({ 'prometheus.io/port': ' 9100 ' }) }),
  ]);
  assert.deepEqual(groups.map((g) => [g.labels.pod, g.targets[0], g.labels.__metrics_path__]), [['kept', '10.88.0.9:9100', '/metrics']]);
});

test('without prometheus.io/port every declared TCP container port is a target (else port 80), as the kubernetes_sd convention', () => {
  const groups = podScrapeTargets([
    pod('multi', { ip: '10.88.0.10', ann: scrape({ 'prometheus.io/scheme': 'https' }), ports: [[{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }], [{ containerPort: 9090, protocol: 'TCP' }]] }),
    pod('bare', { ip: 'fd00::5', ann: scrape(), ns: 'default' }),
  ]);
  assert.deepEqual(groups.map((g) => [`${g.labels.namespace}/${g.labels.pod}`, g.targets[0], g.labels.__scheme__]), [
    ['default/bare', '[fd00::5]:80', 'http'],
    ['shop/multi', '10.88.0.10:8080', 'https'],
    ['shop/multi', '10.88.0.10:9090', 'https'],
  ]);
});

test('the same pods in another order give the same groups (the file is rewritten only on a real change)', () => {
  const a = pod('a', { ip: '10.88.0.1', ann: scrape({ 'prometheus.io/port': '1' }), labels: { z: '1', b: '2' } });
  const b = pod('b', { ip: '10.88.0.2', ann: scrape({ 'prometheus.io/port': '2' }) });
  assert.equal(JSON.stringify(podScrapeTargets([a, b])), JSON.stringify(podScrapeTargets([b, a])));
  assert.equal(sanitizeLabelName('example.com/tier-1'), 'example_com_tier_1');
});

test('the proxy target comes from its metrics URL; none before a proxy runs', () => {
  assert.deepEqual(proxyScrapeTargets('http://127.0.0.1:10249/metrics', 'kubelite'),
    [{ targets: ['127.0.0.1:10249'], labels: { __metrics_path__: '/metrics', __scheme__: 'http', node: 'kubelite' } }]);
  assert.deepEqual(proxyScrapeTargets(undefined), []);
});

test('prometheus.yml: two file_sd jobs over kubelite\'s target files, short scrape interval', () => {
  const text = prometheusConfig({ proxyTargetsFile: '/d/targets/proxy.json', podTargetsFile: '/d/targets/pods.json', scrapeIntervalSeconds: 5 });
  assert.match(text, /^# Written by kubelite/);
  assert.deepEqual(YAML.parse(text), {
    global: { scrape_interval: '5s', scrape_timeout: '4s', evaluation_interval: '5s' },
    scrape_configs: [
      { job_name: 'kubelite-proxy', file_sd_configs: [{ files: ['/d/targets/proxy.json'], refresh_interval: '10s' }] },
      { job_name: 'kubernetes-pods', file_sd_configs: [{ files: ['/d/targets/pods.json'], refresh_interval: '10s' }] },
    ],
  });
  assert.equal(YAML.parse(prometheusConfig({ proxyTargetsFile: 'p', podTargetsFile: 'q' })).global.scrape_interval, '5s');
});

test('the command line: loopback listen address, own data dir, short retention, kubelite\'s marker title', () => {
  const args = prometheusArgs({ configFile: '/d/prometheus.yml', storageDir: '/d/data', listen: '127.0.0.1:41234' });
  assert.deepEqual(args, [
    '--config.file=/d/prometheus.yml', '--storage.tsdb.path=/d/data', '--storage.tsdb.retention.time=2h',
    '--storage.tsdb.retention.size=256MB', '--web.listen-address=127.0.0.1:41234', `--web.page-title=${PAGE_TITLE}`, '--log.level=warn',
  ]);
});

test('first scrape: every expected target active and scraped once', () => {
  const never = { lastScrape: '0001-01-01T00:00:00Z', health: 'unknown' };
  const done = { lastScrape: '2026-05-01T10:00:00Z', health: 'up' };
  const down = { lastScrape: '2026-05-01T10:00:00Z', health: 'down' };
  assert.equal(firstScrapeDone([], 0), true);
  assert.equal(firstScrapeDone([done], 2), false, 'a target not discovered yet');
  assert.equal(firstScrapeDone([done, never], 2), false);
  assert.equal(firstScrapeDone([done, down], 2), true, 'a failed scrape is a scrape: the query will say what it found');
});
