/**
 * Cluster DNS server (the role CoreDNS plays upstream), UDP and TCP, one per node:
 *  - names in the cluster domain (and 10.in-addr.arpa) are answered from Services and EndpointSlices
 *    (src/dns/records.ts), kept current by informers;
 *  - every other name is forwarded, bytes as they are, to the node's own resolvers (/etc/resolv.conf), so pods
 *    resolve outside names as the node does.
 * At startup it makes sure the `kube-dns` Service exists in kube-system with ClusterIP 10.96.0.10 (as upstream's
 * CoreDNS manifests ship it) and publishes this server as an endpoint of it (Endpoints, mirrored into
 * EndpointSlices), so the service proxy sends 10.96.0.10:53 here like any other Service. The server binds the
 * pod bridge's gateway address only (never 0.0.0.0, never the host's external address: it would be an open
 * resolver for the network): pods and the host reach it through the Service's DNAT, nobody else; and UDP replies
 * must leave from the address the proxy DNATed to.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import type { Service as ServiceT, Endpoints as EndpointsT } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice as EndpointSliceT } from 'kubernetes-types/discovery/v1.d.ts';
import type { KubeObject } from '../api/resource.ts';
import type { KubeClient } from '../client/client.ts';
import { SharedInformers } from '../client/factory.ts';
import { R } from '../client/resources.ts';
import { StatusError } from '../api/errors.ts';
import { buildZone, isLocalName, answerQuestion, type Zone } from './records.ts';
import { clusterDNS, clusterDomain, dnsServiceName, dnsServiceNamespace, hostResolvConf } from './config.ts';

type Service = ServiceT & KubeObject;
type EndpointSlice = EndpointSliceT & KubeObject;

export interface DnsServerOptions {
  client?: KubeClient;
  /** Without a client: where answers come from (tests). */
  zone?: () => Zone;
  /**
   * Listen address: where pods reach it — the pod bridge's gateway (`kubelite up` passes it). Default loopback
   * (tests). Never a wildcard address: an open resolver on the host's external address forwards anyone's queries.
   */
  host?: string;
  /** Listen port (UDP and TCP); 0 = a free one. Default 0. */
  port?: number;
  /** Upstream resolvers ("ip" or "ip:port"); default the node's /etc/resolv.conf nameservers. */
  upstreams?: string[];
  domain?: string;
  nodeName?: string;
  /** Create kube-dns in kube-system and publish this server as its endpoint (default: true with a client). */
  register?: boolean;
  log?: (msg: string) => void;
  upstreamTimeoutMs?: number;
}

export interface DnsServerHandle {
  host: string;
  port: number;
  stop(): Promise<void>;
}

function parseUpstream(s: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(s.includes(':') && !s.includes('.') ? `[${s}]` : s);
  return { host: m?.[1] ?? s, port: m?.[2] ? Number(m[2]) : 53 };
}

export async function startDNS(opts: DnsServerOptions): Promise<DnsServerHandle> {
  const log = opts.log ?? ((m: string) => console.log(`dns: ${m}`));
  const domain = opts.domain ?? clusterDomain;
  const host = opts.host ?? '127.0.0.1';
  if (host === '0.0.0.0' || host === '::' || host === '') throw new Error(`cluster DNS must not listen on a wildcard address (${JSON.stringify(host)})`);
  const upstreams = (opts.upstreams ?? hostResolvConf().nameservers).map(parseUpstream)
    .filter((u) => u.host !== clusterDNS); // never forward to ourselves
  const timeoutMs = opts.upstreamTimeoutMs ?? 2000;

  let informers: SharedInformers | undefined;
  let zone: () => Zone;
  if (opts.client) {
    informers = new SharedInformers(opts.client);
    const svcs = informers.get<Service>(R.services);
    const slices = informers.get<EndpointSlice>(R.endpointslices);
    let cached: Zone | undefined;
    const invalidate = () => { cached = undefined; };
    for (const inf of [svcs, slices] as const) (inf as any).addHandler({ add: invalidate, update: invalidate, delete: invalidate });
    await informers.startAll();
    zone = () => (cached ??= buildZone(svcs.list(), slices.list(), domain));
  } else {
    zone = opts.zone ?? (() => buildZone([], [], domain));
  }

  const respond = async (msg: Buffer, viaTcp: boolean): Promise<Buffer | undefined> => {
    let q: Packet;
    try { q = dnsPacket.decode(msg); } catch { return undefined; }
    const question = q.questions?.[0];
    if (!question) return undefined;
    const z = zone();
    if (isLocalName(z, question.name)) {
      const a = answerQuestion(z, question);
      return dnsPacket.encode({
        type: 'response', id: q.id,
        flags: dnsPacket.AUTHORITATIVE_ANSWER | (q.flags! & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | (a.rcode === 'NXDOMAIN' ? 3 : 0),
        questions: q.questions, answers: a.answers, authorities: a.authorities,
      });
    }
    for (const u of upstreams) {
      const r = viaTcp ? await forwardTcp(msg, u, timeoutMs) : await forwardUdp(msg, u, timeoutMs);
      if (r) return r;
    }
    // No upstream answered: SERVFAIL.
    return dnsPacket.encode({ type: 'response', id: q.id, flags: (q.flags! & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | 2, questions: q.questions });
  };

  const udp = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  udp.on('message', (msg, rinfo) => {
    void respond(msg, false).then((out) => {
      if (!out) return;
      if (out.length > 512) {
        // Too big for plain UDP: truncated answer, the client retries over TCP.
        const q = dnsPacket.decode(msg);
        out = dnsPacket.encode({ type: 'response', id: q.id, flags: (q.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, questions: q.questions });
      }
      udp.send(out, rinfo.port, rinfo.address);
    }).catch((e) => log(`udp: ${(e as Error).message}`));
  });
  const tcp = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.setTimeout(10000, () => sock.destroy());
    sock.on('error', () => { /* client went away */ });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void respond(msg, true).then((out) => {
          if (!out || sock.destroyed) return;
          const len2 = Buffer.alloc(2);
          len2.writeUInt16BE(out.length);
          sock.write(Buffer.concat([len2, out]));
        });
      }
    });
  });

  // Same port for UDP and TCP: take a free TCP port first when none is given, retry on a clash.
  let port = opts.port ?? 0;
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((res, rej) => { tcp.once('error', rej); tcp.listen(port, host, () => { tcp.off('error', rej); res(); }); });
      port = (tcp.address() as net.AddressInfo).port;
      await new Promise<void>((res, rej) => { udp.once('error', rej); udp.bind(port, host, () => { udp.off('error', rej); res(); }); });
      break;
    } catch (e) {
      if (tcp.listening) await new Promise<void>((r) => tcp.close(() => r()));
      if ((opts.port ?? 0) !== 0 || attempt > 5) throw e;
      port = 0;
    }
  }
  log(`serving ${domain} on ${host}:${port} (udp+tcp), forwarding other names to ${upstreams.map((u) => `${u.host}:${u.port}`).join(', ') || 'nobody'}`);

  if (opts.client && opts.register !== false) {
    try { await registerKubeDNS(opts.client, host, port, opts.nodeName); } catch (e) { log(`could not register ${dnsServiceNamespace}/${dnsServiceName}: ${(e as Error).message}`); }
  }

  return {
    host, port,
    stop: async () => {
      if (opts.client && opts.register !== false) {
        try { await unregisterKubeDNS(opts.client, host, port); } catch { /* API server gone */ }
      }
      await informers?.stopAll();
      await new Promise<void>((r) => udp.close(() => r()));
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}

function forwardUdp(msg: Buffer, u: { host: string; port: number }, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket(u.host.includes(':') ? 'udp6' : 'udp4');
    const t = setTimeout(() => { s.close(); resolve(undefined); }, timeoutMs);
    s.on('error', () => { clearTimeout(t); s.close(); resolve(undefined); });
    s.on('message', (r) => { clearTimeout(t); s.close(); resolve(r); });
    s.send(msg, u.port, u.host);
  });
}

function forwardTcp(msg: Buffer, u: { host: string; port: number }, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = net.connect(u.port, u.host);
    let buf = Buffer.alloc(0);
    const done = (r?: Buffer) => { clearTimeout(t); s.destroy(); resolve(r); };
    const t = setTimeout(() => done(undefined), timeoutMs);
    s.on('error', () => done(undefined));
    s.on('connect', () => { const l = Buffer.alloc(2); l.writeUInt16BE(msg.length); s.write(Buffer.concat([l, msg])); });
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
}

/** The kube-dns Service as upstream's CoreDNS manifests define it (selectorless here: the endpoints are the nodes' DNS servers). */
export function kubeDNSService(): ServiceT {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: {
      name: dnsServiceName, namespace: dnsServiceNamespace,
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    },
    spec: {
      clusterIP: clusterDNS,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  };
}

async function ensureNamespace(client: KubeClient, name: string): Promise<void> {
  try { await client.get(R.namespaces, undefined, name); } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
    try { await client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }); } catch (e2) {
      if (!(e2 instanceof StatusError && e2.code === 409)) throw e2;
    }
  }
}

/** Create kube-dns if missing, and put this node's server into its Endpoints (other nodes' entries kept). */
export async function registerKubeDNS(client: KubeClient, ip: string, port: number, nodeName?: string): Promise<void> {
  await ensureNamespace(client, dnsServiceNamespace);
  let exists = true;
  try { await client.get(R.services, dnsServiceNamespace, dnsServiceName); } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
    exists = false;
  }
  if (!exists) {
    try {
      await client.create(R.services, dnsServiceNamespace, kubeDNSService());
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    let cur: EndpointsT | undefined;
    try { cur = await client.get<EndpointsT>(R.endpoints, dnsServiceNamespace, dnsServiceName); } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
    // Replace this node's entry (by node name: several nodes may share one host address), keep the others.
    const mineOld = (a: { ip: string; nodeName?: string }) => (nodeName ? a.nodeName === nodeName : a.ip === ip);
    const others = (cur?.subsets ?? []).map((s) => ({ ...s, addresses: (s.addresses ?? []).filter((a) => !mineOld(a)) }))
      .filter((s) => (s.addresses ?? []).length > 0);
    const mine = {
      addresses: [{ ip, ...(nodeName ? { nodeName } : {}) }],
      ports: [{ name: 'dns', port, protocol: 'UDP' }, { name: 'dns-tcp', port, protocol: 'TCP' }],
    };
    const body: EndpointsT & KubeObject = {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { ...(cur?.metadata ?? {}), name: dnsServiceName, namespace: dnsServiceNamespace, labels: { ...(cur?.metadata?.labels ?? {}), 'k8s-app': 'kube-dns' } },
      subsets: [...others, mine],
    };
    try {
      if (cur) await client.update(R.endpoints, dnsServiceNamespace, body);
      else await client.create(R.endpoints, dnsServiceNamespace, body);
      return;
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
  throw new Error('kube-dns endpoints: too many conflicts');
}

async function unregisterKubeDNS(client: KubeClient, ip: string, port: number): Promise<void> {
  const cur = await client.get<EndpointsT & KubeObject>(R.endpoints, dnsServiceNamespace, dnsServiceName);
  const subsets = (cur.subsets ?? []).filter((s) => !(s.ports ?? []).some((p) => p.port === port) || !(s.addresses ?? []).some((a) => a.ip === ip))
    .filter((s) => (s.addresses ?? []).length > 0);
  await client.update(R.endpoints, dnsServiceNamespace, { ...cur, subsets });
}
