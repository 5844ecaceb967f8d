import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { containerConfig, parseQuantity, pullPolicy, sandboxConfig, L } from '../../../src/kubelet/cri-config.ts';
import { expand, resolveEnv, type EnvContext } from '../../../src/kubelet/env.ts';
import { logPathFor, parseCriLogLine, podLogDir } from '../../../src/kubelet/logs-paths.ts';
import { podResolvConf } from '../../../src/dns/config.ts';

const pod: Pod = {
  metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1', labels: { app: 'web' }, annotations: { team: 'a' } },
  spec: {
    nodeName: 'n1',
    containers: [{
      name: 'c', image: 'nginx:1.25', command: ['sh', '-c'], args: ['echo $(GREETING) $$(HOME) $(UNKNOWN)'], workingDir: '/srv',
      ports: [{ containerPort: 80, hostPort: 8080 }],
      env: [
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'GREETING', value: 'hello $(POD)' },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'CFG', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ],
      resources: { requests: { cpu: '250m' }, limits: { cpu: '500m', memory: '64Mi' } },
    }],
  },
};

test('quantities', () => {
  assert.equal(parseQuantity('500m'), 0.5);
  assert.equal(parseQuantity('64Mi'), 64 * 1024 * 1024);
  assert.equal(parseQuantity('1G'), 1e9);
  assert.equal(parseQuantity('2'), 2);
});

test('$(VAR) expansion: known refs replaced, $$ escapes, unknown refs kept', () => {
  const env = new Map([['A', 'x']]);
  assert.equal(expand('$(A)-$$(A)-$(B)', env), 'x-$(A)-$(B)');
});

test('env: values, fieldRef, labels, podIP, configMapKeyRef, resourceFieldRef, expansion in order', async () => {
  const ctx = (lookup: EnvContext['lookup'], podIPs: string[] = ['10.88.0.9']): EnvContext => ({ lookup, podIPs, hostIPs: ['192.0.2.2'] });
  const env = await resolveEnv(pod, pod.spec!.containers[0], ctx(async (kind, name) => (kind === 'configmap' && name === 'cm' ? { k: 'v' } : undefined)));
  assert.deepEqual(Object.fromEntries(env), { POD: 'web-1', GREETING: 'hello web-1', APP: 'web', IP: '10.88.0.9', NODE: 'n1', CFG: 'v', MEM: '64' });
  await assert.rejects(resolveEnv(pod, pod.spec!.containers[0], ctx(async () => undefined, [])), /configmap "cm" not found/);
});

test('container config: command/args expanded, cgroup limits, labels, log path by restart count', async () => {
  const env = await resolveEnv(pod, pod.spec!.containers[0], { lookup: async () => ({ k: 'v' }), podIPs: ['10.88.0.9'], hostIPs: [] });
  const cfg = containerConfig(pod, pod.spec!.containers[0], 3, env, 'app', 'n1');
  assert.deepEqual(cfg.args, ['echo hello web-1 $(HOME) $(UNKNOWN)']);
  assert.equal(cfg.workingDir, '/srv');
  assert.equal(cfg.metadata.attempt, 3);
  assert.equal(cfg.logPath, 'c/3.log');
  assert.equal(cfg.linux!.resources!.cpuQuota, 50000);
  assert.equal(cfg.linux!.resources!.cpuPeriod, 100000);
  assert.equal(cfg.linux!.resources!.cpuShares, 256);
  assert.equal(cfg.linux!.resources!.memoryLimitInBytes, 64 * 1024 * 1024);
  assert.equal(cfg.labels![L.podUid], 'uid-1');
  assert.equal(cfg.labels![L.containerName], 'c');
  assert.equal(cfg.labels![L.node], 'n1');
});

test('sandbox config: metadata, hostname, cluster DNS, host ports, log dir, node label', () => {
  const sb = sandboxConfig(pod, 'n1', 0, { dns: podResolvConf });
  assert.deepEqual(sb.metadata, { name: 'web-1', uid: 'uid-1', namespace: 'shop', attempt: 0 });
  assert.equal(sb.hostname, 'web-1');
  assert.equal(sb.logDirectory, podLogDir('uid-1'));
  assert.deepEqual(sb.portMappings, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '' }]);
  assert.equal(sb.dnsConfig!.searches![0], 'shop.svc.cluster.local');
  assert.ok(sb.dnsConfig!.options!.includes('ndots:5'));
  assert.equal(sb.labels!.app, 'web');
  assert.equal(sb.labels![L.node], 'n1');
});

test('imagePullPolicy defaulting: latest or untagged → Always, tagged → IfNotPresent', () => {
  assert.equal(pullPolicy({ name: 'a', image: 'nginx' }), 'Always');
  assert.equal(pullPolicy({ name: 'a', image: 'nginx:latest' }), 'Always');
  assert.equal(pullPolicy({ name: 'a', image: 'nginx:1.25' }), 'IfNotPresent');
  assert.equal(pullPolicy({ name: 'a', image: '127.0.0.1:5000/x' }), 'Always');
  assert.equal(pullPolicy({ name: 'a', image: 'nginx', imagePullPolicy: 'Never' }), 'Never');
});

test('log paths and CRI log lines', () => {
  assert.equal(logPathFor('uid-1', 'c', 2), `${podLogDir('uid-1')}/c/2.log`);
  assert.deepEqual(parseCriLogLine('2026-01-01T00:00:00.123456789Z stdout F hello world'),
    { time: '2026-01-01T00:00:00.123456789Z', stream: 'stdout', partial: false, text: 'hello world' });
  assert.equal(parseCriLogLine('2026-01-01T00:00:00Z stderr P part')!.partial, true);
  assert.equal(parseCriLogLine('garbage'), undefined);
});
