import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import { expand, fieldRefValue, formatMap, resolveEnv, resourceFieldValue, serviceEnv, type EnvContext } from '../../../src/kubelet/env.ts';

// Upstream third_party/forked/golang/expansion/expand_test.go, doExpansionTest cases.
const CASES: [string, string, string][] = [
  ['whole string', '$(VAR_A)', 'A'],
  ['repeat', '$(VAR_A)-$(VAR_A)', 'A-A'],
  ['beginning', '$(VAR_A)-1', 'A-1'],
  ['middle', '___$(VAR_B)___', '___B___'],
  ['end', '___$(VAR_C)', '___C'],
  ['compound', '$(VAR_A)_$(VAR_B)_$(VAR_C)', 'A_B_C'],
  ['escape & expand', '$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
  ['compound escape', '$$(VAR_A)_$$(VAR_B)', '$(VAR_A)_$(VAR_B)'],
  ['mixed in escapes', 'f000-$$VAR_A', 'f000-$VAR_A'],
  ['backslash escape ignored', 'foo\\$(VAR_C)bar', 'foo\\Cbar'],
  ['backslash escape ignored 2', 'foo\\\\$(VAR_C)bar', 'foo\\\\Cbar'],
  ['lots of backslashes', 'foo\\\\\\\\$(VAR_A)bar', 'foo\\\\\\\\Abar'],
  ['nested var references', '$(VAR_A$(VAR_B))', '$(VAR_A$(VAR_B))'],
  ['nested var references second type', '$(VAR_A$(VAR_B)', '$(VAR_A$(VAR_B)'],
  ['value is a reference', '$(VAR_REF)', '$(VAR_A)'],
  ['value is a reference x 2', '%%$(VAR_REF)--$(VAR_REF)%%', '%%$(VAR_A)--$(VAR_A)%%'],
  ['empty var', 'foo$(VAR_EMPTY)bar', 'foobar'],
  ['unterminated expression', 'foo$(VAR_Awhoops!', 'foo$(VAR_Awhoops!'],
  ['expression without operator', 'f00__(VAR_A)__', 'f00__(VAR_A)__'],
  ['shell special vars pass through', '$?_boo_$!', '$?_boo_$!'],
  ['bare operators are ignored', '$VAR_A', '$VAR_A'],
  ['undefined vars are passed through', '$(VAR_DNE)', '$(VAR_DNE)'],
  ['multiple (even) operators, var undefined', '$$$$$$(BIG_MONEY)', '$$$(BIG_MONEY)'],
  ['multiple (even) operators, var defined', '$$$$$$(VAR_A)', '$$$(VAR_A)'],
  ['multiple (odd) operators, var undefined', '$$$$$$$(GOOD_ODDS)', '$$$$(GOOD_ODDS)'],
  ['multiple (odd) operators, var defined', '$$$$$$$(VAR_A)', '$$$A'],
  ['missing open expression', '$VAR_A)', '$VAR_A)'],
  ['shell syntax ignored', '${VAR_A}', '${VAR_A}'],
  ['trailing incomplete expression not consumed', '$(VAR_B)_______$(A', 'B_______$(A'],
  ['trailing incomplete expression, no content, is not consumed', '$(VAR_C)_______$(', 'C_______$('],
  ['operator at end of input string is preserved', '$(VAR_A)foobarzab$', 'Afoobarzab$'],
  ['shell escaped incomplete expr', 'foo-\\$(VAR_A', 'foo-\\$(VAR_A'],
  ['lots of $( in middle', '--$($($($($--', '--$($($($($--'],
  ['lots of $( in beginning', '$($($($($--foo$(', '$($($($($--foo$('],
  ['lots of $( at end', 'foo0--$($($($(', 'foo0--$($($($('],
  ['escaped operators in variable names are not escaped', '$(foo$$var)', '$(foo$$var)'],
  ['newline not expanded', '\n', '\n'],
];

test('$(VAR) expansion: upstream expansion table, one map and two maps (MappingFuncFor)', () => {
  const one = new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['VAR_C', 'C'], ['VAR_REF', '$(VAR_A)'], ['VAR_EMPTY', '']]);
  const first = new Map([['VAR_A', 'A'], ['VAR_EMPTY', '']]);
  const second = new Map([['VAR_B', 'B'], ['VAR_C', 'C'], ['VAR_REF', '$(VAR_A)']]);
  for (const [name, input, want] of CASES) {
    assert.equal(expand(input, one), want, name);
    assert.equal(expand(input, first, second), want, `${name} (dual)`);
  }
});

test('upstream TestMapReference: declared variables expand in order', async () => {
  const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [] } };
  const c: Container = { name: 'c', env: [{ name: 'FOO', value: 'bar' }, { name: 'ZOO', value: '$(FOO)-1' }, { name: 'BLU', value: '$(ZOO)-2' }] };
  const env = await resolveEnv(pod, c, { lookup: async () => undefined, podIPs: [], hostIPs: [] });
  assert.deepEqual(Object.fromEntries(env), { FOO: 'bar', ZOO: 'bar-1', BLU: 'bar-1-2' });
});

const svc = (ns: string, name: string, ip: string, ports: NonNullable<Service['spec']>['ports']): Service =>
  ({ metadata: { name, namespace: ns }, spec: { clusterIP: ip, ports } });
const SERVICES: Service[] = [
  svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
  svc('shop', 'my-web', '10.96.0.20', [{ port: 80 }, { name: 'metrics', port: 9090, protocol: 'UDP' }]),
  svc('shop', 'headless', 'None', [{ port: 80 }]),
  svc('other', 'elsewhere', '10.96.0.30', [{ port: 81 }]),
];

test('service environment variables: the kubernetes Service always, same-namespace Services with enableServiceLinks', () => {
  const pod: Pod = { metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [] } };
  const env = Object.fromEntries(serviceEnv(pod, SERVICES));
  assert.deepEqual(env, {
    KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443', KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443', KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443', KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
    MY_WEB_SERVICE_HOST: '10.96.0.20', MY_WEB_SERVICE_PORT: '80', MY_WEB_SERVICE_PORT_METRICS: '9090',
    MY_WEB_PORT: 'tcp://10.96.0.20:80', MY_WEB_PORT_80_TCP: 'tcp://10.96.0.20:80', MY_WEB_PORT_80_TCP_PROTO: 'tcp',
    MY_WEB_PORT_80_TCP_PORT: '80', MY_WEB_PORT_80_TCP_ADDR: '10.96.0.20',
    MY_WEB_PORT_9090_UDP: 'udp://10.96.0.20:9090', MY_WEB_PORT_9090_UDP_PROTO: 'udp', MY_WEB_PORT_9090_UDP_PORT: '9090',
    MY_WEB_PORT_9090_UDP_ADDR: '10.96.0.20',
  });
  const noLinks = Object.keys(Object.fromEntries(serviceEnv({ ...pod, spec: { containers: [], enableServiceLinks: false } }, SERVICES)));
  assert.ok(noLinks.includes('KUBERNETES_SERVICE_HOST'));
  assert.ok(!noLinks.some((k) => k.startsWith('MY_WEB')));
});

test('env order and sources: envFrom with prefix, invalid keys skipped with an event, env overrides, service vars last, optional refs', async () => {
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', labels: { app: 'web' }, annotations: { a: 'x' } },
    spec: { nodeName: 'n1', serviceAccountName: 'robot', containers: [] },
  };
  const c: Container = {
    name: 'c',
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'sec' } }, { configMapRef: { name: 'gone', optional: true } }],
    env: [
      { name: 'MY_WEB_SERVICE_HOST', value: 'overridden' },
      { name: 'REF', value: '$(CFG_color)/$(KUBERNETES_SERVICE_HOST)' },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
      { name: 'OPT2', valueFrom: { secretKeyRef: { name: 'nosuch', key: 'k', optional: true } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
      { name: 'IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
      { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'ANN', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['a']" } } },
      { name: 'EMPTY', value: '' },
    ],
  };
  const events: string[] = [];
  const ctx: EnvContext = {
    lookup: async (kind, name): Promise<Record<string, string> | undefined> => (kind === 'configmap' && name === 'cfg' ? { color: 'blue', 'bad key': 'x', '1st': 'y' }
      : kind === 'secret' && name === 'sec' ? { password: 's3cret' } : undefined),
    podIPs: ['10.88.0.5', 'fd00::5'], hostIPs: ['192.0.2.1'], services: SERVICES,
    warn: (reason, message) => events.push(`${reason}: ${message}`),
  };
  const env = await resolveEnv(pod, c, ctx);
  const keys = [...env.keys()];
  assert.deepEqual(keys.slice(0, 3), ['CFG_color', 'CFG_1st', 'password']);
  assert.equal(env.get('CFG_1st'), 'y');
  assert.ok(!env.has('CFG_bad key'));
  assert.equal(env.get('MY_WEB_SERVICE_HOST'), 'overridden');
  assert.equal(env.get('REF'), 'blue/10.96.0.1');
  assert.ok(!env.has('OPT') && !env.has('OPT2'));
  assert.equal(env.get('PW'), 's3cret');
  assert.equal(env.get('IPS'), '10.88.0.5,fd00::5');
  assert.equal(env.get('HOST'), '192.0.2.1');
  assert.equal(env.get('SA'), 'robot');
  assert.equal(env.get('UID'), 'u1');
  assert.equal(env.get('ANN'), 'x');
  assert.equal(env.get('EMPTY'), '');
  assert.equal(env.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
  // service variables come after everything declared
  assert.ok(keys.indexOf('KUBERNETES_SERVICE_HOST') > keys.indexOf('EMPTY'));
  assert.deepEqual(events, ['InvalidEnvironmentVariableNames: Keys [CFG_bad key] from the EnvFrom configMap shop/cfg were skipped since they are considered invalid environment variable names.']);
});

test('missing references: CreateContainerConfigError messages as upstream', async () => {
  const pod: Pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [] } };
  const ctx: EnvContext = { lookup: async (k, n) => (n === 'cm' ? { a: '1' } : undefined), podIPs: [], hostIPs: [] };
  await assert.rejects(resolveEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'b' } } }] }, ctx),
    { message: "couldn't find key b in ConfigMap ns/cm" });
  await assert.rejects(resolveEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'cm', key: 'b' } } }] }, ctx),
    { message: "couldn't find key b in Secret ns/cm" });
  await assert.rejects(resolveEnv(pod, { name: 'c', envFrom: [{ secretRef: { name: 's' } }] }, ctx), { message: 'secret "s" not found' });
  await assert.rejects(resolveEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'b' } } }] }, ctx),
    { message: 'configmap "nope" not found' });
});

test('downward API values: labels/annotations files, resources with divisor and node-allocatable default', () => {
  const pod: Pod = { metadata: { name: 'p', labels: { z: '1', a: 'with "quote"' } }, spec: { containers: [] } };
  assert.equal(fieldRefValue(pod, 'metadata.labels', [], []), 'a="with \\"quote\\""\nz="1"');
  assert.equal(formatMap({}), '');
  const c: Container = { name: 'c', resources: { requests: { cpu: '250m', memory: '32Mi' }, limits: { memory: '64Mi' } } };
  const alloc = { cpu: 4, memory: 8 * 1024 ** 3 };
  assert.equal(resourceFieldValue(c, 'requests.cpu', undefined, alloc), '1');
  assert.equal(resourceFieldValue(c, 'requests.cpu', '1m', alloc), '250');
  assert.equal(resourceFieldValue(c, 'limits.memory', '1Mi', alloc), '64');
  assert.equal(resourceFieldValue(c, 'requests.memory', undefined, alloc), String(32 * 1024 * 1024));
  assert.equal(resourceFieldValue(c, 'limits.cpu', undefined, alloc), '4');
  assert.equal(resourceFieldValue(c, 'limits.cpu', '100m', alloc), '40');
});
