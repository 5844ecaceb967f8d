import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import dnsPacket from 'dns-packet';
import { buildZone, answerQuestion } from '../../../src/dns/records.ts';
import { startDNS } from '../../../src/dns/server.ts';
import { podResolvConf, parseResolvConf, formatResolvConf, searchesFor } from '../../../src/dns/config.ts';

const services: any[] = [
  { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.50', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
  { metadata: { name: 'db', namespace: 'prod' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } },
  { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.org' } },
];
const slices: any[] = [
  { metadata: { namespace: 'prod', labels: { 'kubernetes.io/service-name': 'db' } }, addressType: 'IPv4', ports: [{ name: 'pg', port: 5432 }],
    endpoints: [
      { addresses: ['10.88.0.7'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.88.0.8'], conditions: { ready: true } },
      { addresses: ['10.88.0.9'], conditions: { ready: false } },
    ] },
];
const zone = buildZone(services, slices, 'cluster.local');
const ask = (name: string, type: any = 'A') => answerQuestion(zone, { name, type, class: 'IN' } as any);
const data = (a: ReturnType<typeof ask>) => a.answers.map((x: any) => x.data);

test('zone: ClusterIP A, headless → ready endpoint IPs, hostnames, ExternalName CNAME, pods, SRV, PTR', () => {
  assert.deepEqual(data(ask('web.default.svc.cluster.local')), ['10.96.0.50']);
  assert.deepEqual(data(ask('WEB.default.svc.cluster.local.')), ['10.96.0.50']);
  assert.deepEqual(data(ask('db.prod.svc.cluster.local')).sort(), ['10.88.0.7', '10.88.0.8']);
  assert.deepEqual(data(ask('db-0.db.prod.svc.cluster.local')), ['10.88.0.7']);
  assert.deepEqual(data(ask('ext.default.svc.cluster.local')), ['example.org']);
  assert.deepEqual(data(ask('10-88-0-42.default.pod.cluster.local')), ['10.88.0.42']);
  assert.deepEqual(data(ask('_http._tcp.web.default.svc.cluster.local', 'SRV')), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
  assert.deepEqual(data(ask('50.0.96.10.in-addr.arpa', 'PTR')), ['web.default.svc.cluster.local']);
});

test('zone: missing names are NXDOMAIN; existing names without the type are empty NOERROR', () => {
  assert.equal(ask('nope.default.svc.cluster.local').rcode, 'NXDOMAIN');
  assert.equal(ask('web.default.default.svc.cluster.local').rcode, 'NXDOMAIN'); // first search-list try of "web.default"
  const aaaa = ask('web.default.svc.cluster.local', 'AAAA');
  assert.equal(aaaa.rcode, 'NOERROR');
  assert.equal(aaaa.answers.length, 0);
  assert.equal(ask('default.svc.cluster.local').rcode, 'NOERROR');
  assert.equal(ask('svc.cluster.local').rcode, 'NOERROR');
});

test('pod resolv.conf: ClusterFirst, Default, None, hostNetwork, dnsConfig merge', () => {
  const host = parseResolvConf('# comment\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n');
  assert.deepEqual(host, { nameservers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] });
  assert.deepEqual(searchesFor('shop'), ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
  const cf = podResolvConf({ metadata: { namespace: 'shop' }, spec: {} }, host);
  assert.equal(formatResolvConf(cf), 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
  assert.deepEqual(podResolvConf({ spec: { dnsPolicy: 'Default' } }, host).nameservers, ['192.0.2.53']);
  assert.deepEqual(podResolvConf({ spec: { hostNetwork: true } }, host).nameservers, ['192.0.2.53']);
  assert.deepEqual(podResolvConf({ spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } }, host).nameservers, ['10.96.0.10']);
  const none = podResolvConf({ spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }] } } }, host);
  assert.deepEqual(none, { nameservers: ['1.2.3.4'], searches: ['a.b'], options: ['ndots:2'] });
  const merged = podResolvConf({ spec: { dnsConfig: { options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] } } }, host);
  assert.deepEqual(merged.options, ['ndots:1', 'single-request']);
});

function udpQuery(port: number, name: string, type: any = 'A'): Promise<any> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('timeout')); }, 3000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(dnsPacket.decode(m)); });
    s.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] }), port, '127.0.0.1');
  });
}
function tcpQuery(port: number, name: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    s.on('error', reject);
    s.on('connect', () => s.write(dnsPacket.streamEncode({ type: 'query', id: 7, questions: [{ type: 'A', name, class: 'IN' }] })));
    s.on('data', (d) => { buf = Buffer.concat([buf, d]); if (buf.length >= 2 + buf.readUInt16BE(0)) { s.destroy(); resolve(dnsPacket.streamDecode(buf)); } });
  });
}

test('server: answers cluster names over UDP and TCP, forwards other names to the upstream', async () => {
  // A local stand-in for the node's resolver.
  const upstream = dgram.createSocket('udp4');
  const seen: string[] = [];
  upstream.on('message', (m, r) => {
    const q = dnsPacket.decode(m);
    seen.push(q.questions![0].name);
    upstream.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: [{ type: 'A', name: q.questions![0].name, ttl: 60, data: '203.0.113.9' }] }), r.port, r.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  const up = upstream.address().port;
  const dns = await startDNS({ zone: () => zone, host: '127.0.0.1', port: 0, upstreams: [`127.0.0.1:${up}`], log: () => {} });
  try {
    const a = await udpQuery(dns.port, 'web.default.svc.cluster.local');
    assert.equal(a.id, 4242);
    assert.equal(a.rcode, 'NOERROR');
    assert.deepEqual(a.answers.map((x: any) => x.data), ['10.96.0.50']);
    const nx = await udpQuery(dns.port, 'missing.default.svc.cluster.local');
    assert.equal(nx.rcode, 'NXDOMAIN');
    const t = await tcpQuery(dns.port, 'db.prod.svc.cluster.local');
    assert.deepEqual(t.answers.map((x: any) => x.data).sort(), ['10.88.0.7', '10.88.0.8']);
    const f = await udpQuery(dns.port, 'www.example.com');
    assert.deepEqual(f.answers.map((x: any) => x.data), ['203.0.113.9']);
    assert.deepEqual(seen, ['www.example.com']); // cluster names never reach the upstream
  } finally {
    await dns.stop();
    upstream.close();
  }
});

test('server: SERVFAIL when no upstream answers', async () => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  const dns = await startDNS({ zone: () => zone, host: '127.0.0.1', upstreams: [`127.0.0.1:${silent.address().port}`], upstreamTimeoutMs: 200, log: () => {} });
  try {
    const r = await udpQuery(dns.port, 'www.example.com');
    assert.equal(r.rcode, 'SERVFAIL');
  } finally { await dns.stop(); silent.close(); }
});
