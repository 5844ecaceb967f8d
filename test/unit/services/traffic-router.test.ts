/** The traffic router's pure parts: routes from annotations, weight arithmetic, slots, HAProxy config and runtime commands, rules hook. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServiceMap } from '../../../src/proxy/model.ts';
import { buildRules, chainNames } from '../../../src/proxy/rules.ts';
import {
  buildRoutes, parseCanaryWeight, portMode, routable, serverWeights, MAX_SERVER_WEIGHT,
  CANARY_SERVICE_ANNOTATION as CS, CANARY_WEIGHT_ANNOTATION as CW,
} from '../../../src/proxy/router/routes.ts';
import { assignSlots, desiredState, renderConfig, routerThreads, runtimeCommands, sameLayout, slotCapacity, slotSide } from '../../../src/proxy/router/config.ts';

const svc = (name: string, ip: string, extra: { annotations?: Record<string, string>; selector?: Record<string, string>; ports?: any[] } = {}) => ({
  metadata: { name, namespace: 'shop', annotations: extra.annotations },
  spec: { clusterIP: ip, type: 'ClusterIP', selector: extra.selector ?? { app: 'web' }, ports: extra.ports ?? [{ name: 'http', port: 80, protocol: 'TCP' }] },
});
const slice = (service: string, ips: string[], ports: any[] = [{ name: 'http', port: 8080, protocol: 'TCP' }], ready = true) => ({
  metadata: { name: `${service}-x`, namespace: 'shop', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4', ports,
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready, serving: ready, terminating: false } })),
});

function routesOf(services: any[], slices: any[]) {
  return buildRoutes(services, buildServiceMap(services, slices));
}

test('routes: only annotated Services; stable and canary endpoints, revisions from the selectors, weight', () => {
  const stable = svc('web', '10.96.0.10', { annotations: { [CS]: 'web-canary', [CW]: '20' }, selector: { app: 'web', 'rollouts-pod-template-hash': 'aaa' } });
  const canary = svc('web-canary', '10.96.0.11', { selector: { app: 'web', 'rollouts-pod-template-hash': 'bbb' } });
  const other = svc('db', '10.96.0.12');
  const { routes, problems } = routesOf([stable, canary, other], [slice('web', ['10.88.0.3', '10.88.0.2']), slice('web-canary', ['10.88.0.9']), slice('db', ['10.88.0.5'])]);
  assert.deepEqual(problems, []);
  assert.equal(routes.length, 1);
  const r = routes[0];
  assert.equal(r.name, 'shop.web.80');
  assert.equal(r.modelKey, 'shop/web:http/TCP');
  assert.equal(r.weight, 20);
  assert.equal(r.mode, 'http');
  assert.deepEqual(r.stable, { service: 'web', revision: 'aaa', endpoints: ['10.88.0.2:8080', '10.88.0.3:8080'] });
  assert.deepEqual(r.canary, { service: 'web-canary', revision: 'bbb', endpoints: ['10.88.0.9:8080'] });
});

test('routes: canary port matched by name, else by position; UDP ports are not routed', () => {
  const ports = [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'http', port: 80, protocol: 'TCP' }, { name: 'admin', port: 81, protocol: 'TCP' }];
  const stable = svc('web', '10.96.0.10', { annotations: { [CS]: 'web-canary', [CW]: '50' }, ports });
  // The canary names its ports differently except http; admin is matched by position (index 2).
  const canary = svc('web-canary', '10.96.0.11', { ports: [{ name: 'x', port: 53, protocol: 'UDP' }, { name: 'other', port: 90, protocol: 'TCP' }, { name: 'http', port: 80, protocol: 'TCP' }] });
  const cslice = slice('web-canary', ['10.88.1.1'], [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'other', port: 9090, protocol: 'TCP' }]);
  const sslice = slice('web', ['10.88.0.1'], [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'admin', port: 8081, protocol: 'TCP' }]);
  const { routes } = routesOf([stable, canary], [sslice, cslice]);
  assert.deepEqual(routes.map((r) => r.name), ['shop.web.80', 'shop.web.81']);
  const byName = Object.fromEntries(routes.map((r) => [r.name, r]));
  assert.deepEqual(byName['shop.web.80'].canary.endpoints, ['10.88.1.1:8080']); // by name: http
  assert.deepEqual(byName['shop.web.81'].canary.endpoints, ['10.88.1.1:8080']); // by position: the canary's third port is http
  assert.deepEqual(byName['shop.web.81'].stable.endpoints, ['10.88.0.1:8081']);
});

test('routes: missing canary Service, bad weight, self reference → reported, stable only', () => {
  const a = svc('a', '10.96.0.20', { annotations: { [CS]: 'nope', [CW]: '120' } });
  const b = svc('b', '10.96.0.21', { annotations: { [CS]: 'b', [CW]: '30' } });
  const { routes, problems } = routesOf([a, b], [slice('a', ['10.88.0.1']), slice('b', ['10.88.0.2'])]);
  assert.equal(routes.length, 2);
  assert.deepEqual(routes.map((r) => [r.weight, r.canary.endpoints.length]), [[0, 0], [30, 0]]);
  assert.equal(problems.length, 3);
  assert.match(problems.join('\n'), /shop\/a: traffic.kubelite.io\/canary-weight: "120" is not an integer between 0 and 100/);
  assert.match(problems.join('\n'), /shop\/a: canary Service "nope" not found/);
  assert.match(problems.join('\n'), /shop\/b: .*names the Service itself/);
});

test('routes: a port with no usable endpoint on either side is not routable (plain rules reject it)', () => {
  const stable = svc('web', '10.96.0.10', { annotations: { [CS]: 'web-canary', [CW]: '20' } });
  const canary = svc('web-canary', '10.96.0.11');
  const { routes } = routesOf([stable, canary], [slice('web', ['10.88.0.2'], undefined, false)]);
  assert.equal(routes.length, 1);
  assert.equal(routable(routes[0]), false);
});

test('canary weight annotation: integers 0..100 only', () => {
  assert.deepEqual(parseCanaryWeight('20'), { weight: 20 });
  assert.deepEqual(parseCanaryWeight(' 100 '), { weight: 100 });
  assert.deepEqual(parseCanaryWeight(undefined), { weight: 0 });
  for (const bad of ['101', '-5', '2.5', 'abc', '1e2']) {
    const r = parseCanaryWeight(bad);
    assert.equal(r.weight, 0, bad);
    assert.ok(r.error, bad);
  }
});

test('port mode from appProtocol: HTTP by default and for http/h2c, per connection otherwise', () => {
  assert.deepEqual(portMode(undefined), { mode: 'http', h2: false });
  assert.deepEqual(portMode('HTTP'), { mode: 'http', h2: false });
  assert.deepEqual(portMode('kubernetes.io/h2c'), { mode: 'http', h2: true });
  assert.deepEqual(portMode('mysql'), { mode: 'tcp', h2: false });
});

test('server weights: exact shares when the reduced fraction fits in 1..256', () => {
  assert.deepEqual(serverWeights(9, 1, 20), { canary: 9, stable: 4, canaryShare: 0.2 });
  assert.deepEqual(serverWeights(9, 1, 50), { canary: 9, stable: 1, canaryShare: 0.5 });
  const w = serverWeights(3, 2, 25);
  assert.equal((2 * w.canary) / (2 * w.canary + 3 * w.stable), 0.25);
  // Every weight 1..99 with 1..20 servers per side: within 0.1 point of the target whenever the per-server ratio
  // it needs fits HAProxy's weights (1/256..256); beyond that, the extreme pair.
  for (let ns = 1; ns <= 20; ns++) for (let nc = 1; nc <= 20; nc++) for (let pct = 1; pct < 100; pct++) {
    const x = serverWeights(ns, nc, pct);
    assert.ok(x.canary >= 1 && x.canary <= MAX_SERVER_WEIGHT && x.stable >= 1 && x.stable <= MAX_SERVER_WEIGHT, `${ns}/${nc}/${pct}`);
    const share = (nc * x.canary) / (nc * x.canary + ns * x.stable);
    assert.equal(share, x.canaryShare);
    const ratio = (ns * pct) / (nc * (100 - pct));
    if (ratio < 1 / MAX_SERVER_WEIGHT) assert.deepEqual([x.canary, x.stable], [1, MAX_SERVER_WEIGHT], `${ns}/${nc}/${pct}`);
    else if (ratio > MAX_SERVER_WEIGHT) assert.deepEqual([x.canary, x.stable], [MAX_SERVER_WEIGHT, 1], `${ns}/${nc}/${pct}`);
    else assert.ok(Math.abs(share - pct / 100) < 0.001, `${ns} stable, ${nc} canary, ${pct}%: share ${share}`);
  }
});

test('server weights: ends and empty sides', () => {
  assert.deepEqual(serverWeights(3, 1, 0), { stable: 1, canary: 0, canaryShare: 0 });
  assert.deepEqual(serverWeights(3, 1, 100), { stable: 0, canary: 1, canaryShare: 1 });
  assert.deepEqual(serverWeights(3, 0, 50), { stable: 1, canary: 0, canaryShare: 0 }); // no canary endpoint: all to stable
  assert.deepEqual(serverWeights(0, 2, 10), { stable: 0, canary: 1, canaryShare: 1 }); // no stable endpoint: all to canary
  assert.deepEqual(serverWeights(0, 2, 0), { stable: 0, canary: 1, canaryShare: 1 });
  assert.deepEqual(serverWeights(0, 0, 50), { stable: 0, canary: 0, canaryShare: 0 });
  // Ratios beyond 256:1 get the closest pair.
  assert.deepEqual(serverWeights(1000, 1, 99), { canary: MAX_SERVER_WEIGHT, stable: 1, canaryShare: 256 / 1256 });
});

test('slots: endpoints keep their slot, new ones fill the lowest free slots, capacity grows by powers of two', () => {
  assert.equal(slotCapacity(0), 4);
  assert.equal(slotCapacity(4), 4);
  assert.equal(slotCapacity(5), 8);
  assert.equal(slotCapacity(9), 16);
  let s = assignSlots([], ['a', 'b', 'c']);
  assert.deepEqual(s, ['a', 'b', 'c', undefined]);
  s = assignSlots(s, ['c', 'd', 'e']);
  assert.deepEqual(s, ['d', 'e', 'c', undefined]);
  s = assignSlots(s, ['c', 'd', 'e', 'f', 'g']);
  assert.deepEqual(s, ['d', 'e', 'c', 'f', 'g', undefined, undefined, undefined]);
  s = assignSlots(s, ['g']);
  assert.deepEqual(s, [undefined, undefined, undefined, undefined, 'g', undefined, undefined, undefined]); // never shrinks
});

const route = (weight: number, stable: string[], canary: string[]) => ({
  name: 'shop.web.80', namespace: 'shop', service: 'web', modelKey: 'shop/web:http/TCP', clusterIP: '10.96.0.10', port: 80,
  mode: 'http' as const, h2: false, weight,
  stable: { service: 'web', revision: 'aaa', endpoints: stable }, canary: { service: 'web-canary', revision: 'bbb', endpoints: canary },
});

test('runtime commands: weight change only touches weights; endpoint changes set addr, weight, then ready; removals go to maint', () => {
  const a = desiredState(route(20, ['10.88.0.2:80', '10.88.0.3:80'], ['10.88.0.9:80']), 20001);
  assert.deepEqual(a.weights, { stable: 2, canary: 1 }); // 1·wc/(1·wc+2·ws) = 0.2 → wc/ws = 1/2
  const b = desiredState(route(50, ['10.88.0.2:80', '10.88.0.3:80'], ['10.88.0.9:80']), 20001, a);
  assert.ok(sameLayout(a, b));
  assert.deepEqual(runtimeCommands(a, b), [
    'set server shop.web.80/s1 weight 1', 'set server shop.web.80/s2 weight 1', 'set server shop.web.80/c1 weight 2',
  ]);
  const c = desiredState(route(50, ['10.88.0.3:80', '10.88.0.4:80'], ['10.88.0.9:80']), 20001, b);
  assert.deepEqual(runtimeCommands(b, c), [
    'set server shop.web.80/s1 addr 10.88.0.4 port 80', 'set server shop.web.80/s1 weight 1', 'set server shop.web.80/s1 state ready',
  ]);
  const d = desiredState(route(50, ['10.88.0.3:80'], []), 20001, c);
  assert.deepEqual(d.weights, { stable: 1, canary: 0 });
  assert.deepEqual(runtimeCommands(c, d), ['set server shop.web.80/s1 state maint', 'set server shop.web.80/c1 state maint']);
  assert.deepEqual(runtimeCommands(d, d), []);
  // Outgrowing the slots needs a reload.
  const e = desiredState(route(50, ['1.1.1.1:80', '1.1.1.2:80', '1.1.1.3:80', '1.1.1.4:80', '1.1.1.5:80'], []), 20001, d);
  assert.equal(sameLayout(d, e), false);
});

test('config: one listen section per port on 127.0.0.1, slots with weights, empty slots disabled, request log ring to the unix socket', () => {
  const p = desiredState(route(20, Array.from({ length: 9 }, (_, i) => `10.88.0.${i + 2}:80`), ['10.88.1.2:80']), 20001);
  const cfg = renderConfig({ adminSocket: '/x/admin.sock', logSocket: '/x/requests.sock', user: 'haproxy', group: 'haproxy', threads: routerThreads(2) }, [p]);
  assert.match(cfg, /^\s+nbthread 1$/m);
  assert.deepEqual([routerThreads(1), routerThreads(4), routerThreads(64)], [1, 2, 4]);
  assert.match(cfg, /^\s+stats socket \/x\/admin\.sock mode 600 level admin/m);
  assert.match(cfg, /^\s+user haproxy$/m);
  assert.match(cfg, /^\s+server sink unix@\/x\/requests\.sock log-proto octet-count$/m);
  assert.match(cfg, /^listen shop\.web\.80\n\s+bind 127\.0\.0\.1:20001\n\s+mode http\n\s+balance roundrobin/m);
  assert.equal(cfg.match(/^\s+server s\d+ 10\.88\.0\.\d+:80 weight 4$/gm)?.length, 9);
  assert.equal(cfg.match(/^\s+server s\d+ 127\.0\.0\.1:1 weight 0 disabled$/gm)?.length, 7); // 16 stable slots
  assert.match(cfg, /^\s+server c1 10\.88\.1\.2:80 weight 9$/m);
  assert.equal(cfg.match(/^\s+server c\d+ 127\.0\.0\.1:1 weight 0 disabled$/gm)?.length, 3);
  assert.doesNotMatch(cfg, /bind (?!127\.0\.0\.1)/); // nothing but loopback listeners
  assert.equal(slotSide('s12'), 'stable');
  assert.equal(slotSide('c1'), 'canary');
  assert.equal(slotSide('sink'), undefined);
});

test('rules: a redirected port DNATs its ClusterIP and nodePort to the router, with no endpoint chains', () => {
  const names = chainNames('');
  const services = [{ ...svc('web', '10.96.0.10'), spec: { ...svc('web', '10.96.0.10').spec, type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] } }];
  const model = buildServiceMap(services as any, [slice('web', ['10.88.0.2']) as any]);
  const plain = buildRules(model, { names });
  assert.match(plain.text, /KUBELITE-SEP-/);
  const rs = buildRules(model, { names, previous: plain.seps, redirects: new Map([['shop/web:http/TCP', { ip: '127.0.0.1', port: 20001 }]]) });
  assert.match(rs.text, /^-A KUBELITE-SERVICES -d 10\.96\.0\.10\/32 -p tcp .*-m tcp --dport 80 -j DNAT --to-destination 127\.0\.0\.1:20001$/m);
  assert.match(rs.text, /^-A KUBELITE-NODEPORTS -p tcp .*--dport 30080 -j DNAT --to-destination 127\.0\.0\.1:20001$/m);
  assert.equal(rs.seps.size, 0);
  assert.equal(rs.rewritten.length, 1); // the endpoint chain goes (its count is carried over by the proxy)
  assert.match(rs.text, /^-X KUBELITE-SEP-/m);
});

test('leftover HAProxy: only a process whose command line names our config is stopped; purge removes the directories', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { stopLeftoverHAProxy, purgeTrafficRouters, unsearchableAncestor } = await import('../../../src/proxy/router/haproxy.ts');
  const root = mkdtempSync(join(tmpdir(), 'kubelite-router-unit-'));
  try {
    const a = join(root, 'router-a');
    mkdirSync(a);
    // The pid file names a live process that is not our HAProxy (this test): left alone.
    writeFileSync(join(a, 'haproxy.pid'), String(process.pid));
    assert.equal(await stopLeftoverHAProxy(a), false);
    // A dead pid: nothing to stop.
    writeFileSync(join(a, 'haproxy.pid'), '999999999');
    assert.equal(await stopLeftoverHAProxy(a), false);
    mkdirSync(join(root, 'router-b'));
    mkdirSync(join(root, 'unrelated'));
    const logs: string[] = [];
    assert.equal(await purgeTrafficRouters((s) => logs.push(s), [[root, 'router-']]), 0);
    assert.equal(existsSync(a), false);
    assert.equal(existsSync(join(root, 'router-b')), false);
    assert.equal(existsSync(join(root, 'unrelated')), true);
    // A socket path under a 0700 directory is out of reach for another user.
    const { chmodSync } = await import('node:fs');
    mkdirSync(join(root, 'private'), { mode: 0o700 });
    chmodSync(join(root, 'private'), 0o700);
    assert.equal(unsearchableAncestor(join(root, 'private', 'x.sock'), 12345, 12345), join(root, 'private'));
  } finally { rmSync(root, { recursive: true, force: true }); }
});
