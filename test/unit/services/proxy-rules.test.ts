import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServiceMap, usableEndpoints } from '../../../src/proxy/model.ts';
import { buildRules, chainNames, parseSepCounters, svcChain } from '../../../src/proxy/rules.ts';
import { renderPrometheus } from '../../../src/proxy/metrics.ts';

const svc = (extra: any = {}) => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { clusterIP: '10.96.0.50', type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }], ...extra },
});
const slice = (eps: any[], ports: any[] = [{ name: 'http', port: 8080, protocol: 'TCP' }]) => ({
  metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4', ports, endpoints: eps,
});
const ep = (ip: string, c: any = { ready: true, serving: true, terminating: false }, pod = `p-${ip}`) =>
  ({ addresses: [ip], conditions: c, targetRef: { kind: 'Pod', name: pod, namespace: 'default' } });

test('model: slice ports matched to Service ports by name; duplicates across slices merged; headless skipped', () => {
  const m = buildServiceMap([svc() as any, { metadata: { name: 'h', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } } as any],
    [slice([ep('10.88.0.3'), ep('10.88.0.2')]) as any, { ...slice([ep('10.88.0.2')]), metadata: { name: 'web-def', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } } } as any]);
  assert.equal(m.length, 1);
  assert.deepEqual(m[0].endpoints.map((e) => `${e.ip}:${e.port}`), ['10.88.0.2:8080', '10.88.0.3:8080']);
  assert.equal(m[0].endpoints[0].pod, 'p-10.88.0.2');
});

test('model: NodePort only for NodePort/LoadBalancer; affinity timeout default 10800', () => {
  const [a] = buildServiceMap([svc({ type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] }) as any], []);
  assert.equal(a.nodePort, 30080);
  assert.equal(a.affinitySeconds, 10800);
  const [b] = buildServiceMap([svc({ ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] }) as any], []);
  assert.equal(b.nodePort, undefined);
  assert.equal(b.affinitySeconds, undefined);
});

test('usable endpoints: ready ones; else serving+terminating ones', () => {
  const mk = (ready: boolean, serving: boolean, terminating: boolean) => ({ ip: '1', port: 1, ready, serving, terminating });
  assert.deepEqual(usableEndpoints([mk(true, true, false), mk(false, true, true)]).length, 1);
  assert.deepEqual(usableEndpoints([mk(false, false, false), mk(false, true, true), mk(false, false, true)]).length, 1);
  assert.deepEqual(usableEndpoints([mk(false, false, false)]).length, 0);
});

test('rules: probabilities 1/n, 1/(n-1), …, last unconditional; REJECT when no endpoints', () => {
  const names = chainNames('');
  const m = buildServiceMap([svc() as any], [slice([ep('10.88.0.2'), ep('10.88.0.3'), ep('10.88.0.4'), ep('10.88.0.5', { ready: false, serving: false, terminating: false })]) as any]);
  const rs = buildRules(m, { names, serviceCIDR: '10.96.0.0/12' });
  const chain = svcChain(names, m[0]);
  const lb = rs.text.split('\n').filter((l) => l.startsWith(`-A ${chain} `) && l.includes('KUBELITE-SEP-'));
  assert.equal(lb.length, 3);
  assert.match(lb[0], /--probability 0\.3333333333 /);
  assert.match(lb[1], /--probability 0\.5000000000 /);
  assert.doesNotMatch(lb[2], /statistic/);
  assert.match(rs.text, /-A KUBELITE-SERVICES -d 10\.96\.0\.50\/32 -p tcp .*--dport 80 -j KUBELITE-SVC-/);
  assert.match(rs.text, /-j DNAT --to-destination 10\.88\.0\.4:8080/);
  assert.doesNotMatch(rs.text, /10\.88\.0\.5/);
  const none = buildRules(buildServiceMap([svc() as any], []), { names });
  assert.match(none.text, /-A KUBELITE-FIREWALL -d 10\.96\.0\.50\/32 -p tcp .* -j REJECT/);
});

test('rules: unchanged endpoint chains are not rewritten; removed ones are deleted', () => {
  const names = chainNames('abc');
  const m1 = buildServiceMap([svc() as any], [slice([ep('10.88.0.2'), ep('10.88.0.3')]) as any]);
  const r1 = buildRules(m1, { names });
  assert.ok([...r1.seps.keys()].every((c) => c.startsWith('KLabc-SEP-') && c.length <= 28));
  const m2 = buildServiceMap([svc() as any], [slice([ep('10.88.0.2')]) as any]);
  const r2 = buildRules(m2, { names, previous: r1.seps, previousSvc: r1.svcChains });
  const kept = [...r2.seps.keys()][0];
  const gone = [...r1.seps.keys()].find((c) => c !== kept)!;
  assert.doesNotMatch(r2.text, new RegExp(`^-A ${kept} `, 'm')); // not rewritten
  assert.match(r2.text, new RegExp(`^-X ${gone}$`, 'm'));
  assert.deepEqual(r2.rewritten, [gone]);
  // Turning on affinity changes the endpoint chain (recent --set): rewritten.
  const m3 = buildServiceMap([svc({ sessionAffinity: 'ClientIP' }) as any], [slice([ep('10.88.0.2')]) as any]);
  const r3 = buildRules(m3, { names, previous: r2.seps, previousSvc: r2.svcChains });
  assert.deepEqual(r3.rewritten, [kept]);
  assert.match(r3.text, /-m recent --name KLabc-SEP-\w+ --rcheck --seconds 10800 --reap/);
});

test('counters parsed from iptables-save -c; Prometheus text rendering', () => {
  const save = '[12:720] -A KUBELITE-SEP-AAA -p tcp -m tcp -j DNAT --to-destination 10.88.0.2:80\n[3:1] -A KUBELITE-SVC-X -j KUBELITE-SEP-AAA\n';
  assert.deepEqual([...parseSepCounters(save, 'KUBELITE-SEP-')], [['KUBELITE-SEP-AAA', 12]]);
  const text = renderPrometheus([{ name: 'm_total', help: 'h', type: 'counter', samples: [{ labels: { a: 'x"y' }, value: 3 }] }]);
  assert.equal(text, '# HELP m_total h\n# TYPE m_total counter\nm_total{a="x\\"y"} 3\n');
});
