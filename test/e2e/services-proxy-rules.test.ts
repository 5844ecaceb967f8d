/**
 * The proxy's iptables rules against real kernels, in a private netns fixture (no host rules touched):
 * ClusterIP from the node and from pods (hairpin included), NodePort on 127.0.0.1 and on the node's address,
 * spreading over every endpoint, session affinity, endpoint removal, REJECT without endpoints, per-endpoint
 * connection counters, and a clean slate after cleanup.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createFixture, type NetnsFixture } from './netns-fixture.ts';
import { buildRules, chainNames, jumpRules, parseSepCounters, type SepInfo } from '../../src/proxy/rules.ts';
import { Iptables } from '../../src/proxy/iptables.ts';
import { cleanupRules } from '../../src/proxy/proxy.ts';
import type { ServicePortInfo } from '../../src/proxy/model.ts';

let fx: NetnsFixture;
let ipt: Iptables;
const names = chainNames('');
let prev = new Map<string, SepInfo>();
let prevSvc = new Set<string>();

async function apply(sps: ServicePortInfo[]) {
  const rs = buildRules(sps, { names, serviceCIDR: '10.96.0.0/12', previous: prev, previousSvc: prevSvc });
  await ipt.restore(rs.text);
  for (const [t, c, r] of jumpRules(names)) await ipt.ensureJump(t, c, r);
  prev = rs.seps;
  prevSvc = rs.svcChains;
  return rs;
}
function web(n: number, extra: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return {
    namespace: 'default', name: 'web', portName: 'http', protocol: 'TCP', clusterIP: '10.96.0.50', port: 80, nodePort: 30080,
    endpoints: fx.pods.slice(0, n).map((p) => ({ ip: p.ip, port: 8080, ready: true, serving: true, terminating: false, pod: p.name })),
    ...extra,
  };
}
function tally(ns: string, url: string, n: number): Record<string, number> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) { const b = fx.curl(ns, url) || 'FAIL'; seen[b] = (seen[b] ?? 0) + 1; }
  return seen;
}

before(async () => {
  fx = await createFixture(3, { port: 8080 });
  ipt = new Iptables(fx.node);
});
after(async () => {
  try { await cleanupRules(ipt, names); } finally { fx.destroy(); }
});

test('ClusterIP from the node and from a pod reaches every endpoint (pod → its own VIP endpoint too)', async () => {
  await apply([web(3)]);
  const fromNode = tally(fx.node, 'http://10.96.0.50/', 40);
  assert.deepEqual(Object.keys(fromNode).sort(), ['pod0', 'pod1', 'pod2'], JSON.stringify(fromNode));
  const fromPod = tally(fx.pods[0].netns, 'http://10.96.0.50/', 40);
  assert.deepEqual(Object.keys(fromPod).sort(), ['pod0', 'pod1', 'pod2'], JSON.stringify(fromPod));
});

test('NodePort answers on 127.0.0.1 and on the node address from a pod', async () => {
  assert.match(fx.curl(fx.node, 'http://127.0.0.1:30080/'), /^pod[012]$/);
  assert.match(fx.curl(fx.pods[1].netns, `http://${fx.bridgeIP}:30080/`), /^pod[012]$/);
});

test('per-endpoint connection counters count every connection', async () => {
  await cleanupRules(ipt, names);
  prev = new Map(); prevSvc = new Set();
  await apply([web(3)]);
  const seen = tally(fx.node, 'http://10.96.0.50/', 30);
  const counts = parseSepCounters(await ipt.save('nat', true), names.sepPrefix);
  const byPod: Record<string, number> = {};
  for (const [chain, n] of counts) byPod[prev.get(chain)!.pod!] = n;
  assert.deepEqual(byPod, Object.fromEntries(['pod0', 'pod1', 'pod2'].map((p) => [p, seen[p] ?? 0])));
  // A resync with the same endpoints keeps the chains, so the counters go on.
  const rs = await apply([web(3)]);
  assert.deepEqual(rs.rewritten, []);
  const again = parseSepCounters(await ipt.save('nat', true), names.sepPrefix);
  assert.equal([...again.values()].reduce((a, b) => a + b, 0), 30);
});

test('removing an endpoint takes it out of rotation; unready endpoints get nothing', async () => {
  await apply([web(2)]);
  assert.deepEqual(Object.keys(tally(fx.node, 'http://10.96.0.50/', 30)).sort(), ['pod0', 'pod1']);
  const sp = web(3);
  sp.endpoints[0].ready = false;
  await apply([sp]);
  assert.deepEqual(Object.keys(tally(fx.node, 'http://10.96.0.50/', 30)).sort(), ['pod1', 'pod2']);
});

test('only terminating-but-serving endpoints left: they keep serving', async () => {
  const sp = web(2);
  for (const e of sp.endpoints) { e.ready = false; e.terminating = true; }
  await apply([sp]);
  assert.deepEqual(Object.keys(tally(fx.node, 'http://10.96.0.50/', 20)).sort(), ['pod0', 'pod1']);
});

test('sessionAffinity ClientIP sticks to one endpoint', async () => {
  await apply([web(3, { affinitySeconds: 600 })]);
  const seen = tally(fx.pods[2].netns, 'http://10.96.0.50/', 20);
  assert.equal(Object.keys(seen).length, 1, JSON.stringify(seen));
});

test('a Service port without endpoints is refused at once; an unknown service IP never leaves the node', async () => {
  await apply([web(0)]);
  assert.equal(fx.curl(fx.node, 'http://10.96.0.50/'), '');
  const fetchErr = (url: string) => { try { fx.exec(fx.node, 'timeout', ['3', 'busybox', 'wget', '-qO-', url]); return 'ok'; } catch (e) { return `${(e as { status?: number }).status}: ${(e as { stderr?: string }).stderr}`; } };
  assert.match(fetchErr('http://10.96.0.50/'), /^1: .*Connection refused/); // refused at once (a timeout would exit 124)
  assert.match(fetchErr('http://10.96.0.77/'), /^1: .*Connection refused/);
});

test('cleanup removes every chain and jump', async () => {
  await apply([web(3)]);
  await cleanupRules(ipt, names);
  const all = (await ipt.save('nat')) + (await ipt.save('filter'));
  assert.doesNotMatch(all, /KUBELITE/);
  assert.equal(fx.curl(fx.node, 'http://10.96.0.50/'), '');
});
