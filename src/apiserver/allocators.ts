/**
 * Service clusterIP and nodePort allocation, persistent in the store: one key per allocated value under
 * /registry/ranges/serviceips/<ip> and /registry/ranges/servicenodeports/<port>. The store's create (which
 * fails if the key exists) makes allocation atomic under concurrent creates; a value is never handed out
 * twice while allocated, and is freed when its Service is deleted. `repair()` (at start, before serving)
 * frees values no Service holds (a crash between allocation and the Service write).
 */
import type { Store } from '../storage/store.ts';
import { KeyExistsError, KeyNotFoundError } from '../storage/store.ts';
import { StatusError, internalError, invalid, type FieldError } from '../api/errors.ts';
import type { KubeObject } from '../api/resource.ts';
import type { KindHooks } from './hooks.ts';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
const IP_PREFIX = '/registry/ranges/serviceips/';
const PORT_PREFIX = '/registry/ranges/servicenodeports/';

function ipToInt(ip: string): number | undefined {
  const p = ip.split('.');
  if (p.length !== 4) return undefined;
  let n = 0;
  for (const x of p) {
    if (!/^\d{1,3}$/.test(x)) return undefined;
    const v = Number(x);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}
function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class ServiceCIDR {
  readonly base: number;
  readonly size: number;
  constructor(readonly cidr: string) {
    const [ip, bits] = cidr.split('/');
    const b = ipToInt(ip);
    const len = Number(bits);
    if (b === undefined || !Number.isInteger(len) || len < 8 || len > 30) throw new Error(`invalid service CIDR ${cidr}`);
    this.size = 2 ** (32 - len);
    this.base = b - (b % this.size);
  }
  /** The n-th address (1 = the first usable, the `kubernetes` Service's). */
  nth(n: number): string { return intToIp(this.base + n); }
  offset(ip: string): number | undefined {
    const v = ipToInt(ip);
    if (v === undefined) return undefined;
    const off = v - this.base;
    return off >= 1 && off <= this.size - 2 ? off : undefined;
  }
}

class KeyAllocator {
  constructor(private store: Store, private prefix: string) {}
  async take(value: string, owner: string): Promise<boolean> {
    try {
      await this.store.create(this.prefix + value, JSON.stringify({ owner }));
      return true;
    } catch (e) {
      if (e instanceof KeyExistsError) return false;
      throw e;
    }
  }
  async release(value: string): Promise<void> {
    try { await this.store.delete(this.prefix + value); } catch (e) { if (!(e instanceof KeyNotFoundError)) throw e; }
  }
  async all(): Promise<string[]> {
    const out: string[] = [];
    let start: string | undefined;
    for (;;) {
      const r = await this.store.list(this.prefix, { startKey: start, limit: 1000 });
      for (const kv of r.items) out.push(kv.key.slice(this.prefix.length));
      if (!r.more || !r.items.length) break;
      start = r.items[r.items.length - 1].key + '\x00';
    }
    return out;
  }
}

const needsNodePorts = (svc: any) => svc?.spec?.type === 'NodePort' || svc?.spec?.type === 'LoadBalancer';
const hasClusterIP = (svc: any) => svc?.spec?.type !== 'ExternalName' && svc?.spec?.clusterIP !== 'None';

export class ServiceAllocators {
  readonly cidr: ServiceCIDR;
  private ips: KeyAllocator;
  private ports: KeyAllocator;
  constructor(private store: Store, cidr = DEFAULT_SERVICE_CIDR) {
    this.cidr = new ServiceCIDR(cidr);
    this.ips = new KeyAllocator(store, IP_PREFIX);
    this.ports = new KeyAllocator(store, PORT_PREFIX);
  }

  private owner(svc: KubeObject) { return `${svc.metadata?.namespace}/${svc.metadata?.name}`; }

  async allocateIP(svc: KubeObject, requested?: string): Promise<string> {
    const owner = this.owner(svc);
    if (requested) {
      if (this.cidr.offset(requested) === undefined) {
        throw fieldInvalid(svc, 'spec.clusterIPs', [requested], `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cidr.cidr}`);
      }
      if (!(await this.ips.take(requested, owner))) {
        throw fieldInvalid(svc, 'spec.clusterIPs', [requested], `failed to allocate IP ${requested}: provided IP is already allocated`);
      }
      return requested;
    }
    // Dynamic allocation prefers the upper part of the range (the lower one is for static IPs, as upstream).
    const lowBand = Math.min(Math.max(16, Math.floor(this.cidr.size / 16)), 256);
    for (let i = 0; i < 200; i++) {
      const span = this.cidr.size - 2 - lowBand;
      const off = span > 0 ? lowBand + 1 + Math.floor(Math.random() * span) : 1 + Math.floor(Math.random() * (this.cidr.size - 2));
      const ip = this.cidr.nth(off);
      if (await this.ips.take(ip, owner)) return ip;
    }
    for (let off = 1; off <= this.cidr.size - 2; off++) {
      const ip = this.cidr.nth(off);
      if (await this.ips.take(ip, owner)) return ip;
    }
    throw internalError('failed to allocate a serviceIP: range is full');
  }

  async allocatePort(svc: KubeObject, idx: number, requested?: number): Promise<number> {
    const owner = this.owner(svc);
    if (requested !== undefined && requested !== 0) {
      if (!Number.isInteger(requested) || requested < NODE_PORT_MIN || requested > NODE_PORT_MAX) {
        throw fieldInvalid(svc, `spec.ports[${idx}].nodePort`, requested, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
      }
      if (!(await this.ports.take(String(requested), owner))) {
        throw fieldInvalid(svc, `spec.ports[${idx}].nodePort`, requested, 'provided port is already allocated');
      }
      return requested;
    }
    const n = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    for (let i = 0; i < 200; i++) {
      const p = NODE_PORT_MIN + Math.floor(Math.random() * n);
      if (await this.ports.take(String(p), owner)) return p;
    }
    for (let p = NODE_PORT_MIN; p <= NODE_PORT_MAX; p++) if (await this.ports.take(String(p), owner)) return p;
    throw internalError('failed to allocate a nodePort: range is full');
  }

  releaseIP(ip: string) { return this.ips.release(ip); }
  releasePort(p: number) { return this.ports.release(String(p)); }

  /** Free allocations no Service holds; take the ones Services hold but the range lost. Run before serving. */
  async repair(services: KubeObject[]): Promise<void> {
    const usedIPs = new Set<string>();
    const usedPorts = new Set<string>();
    for (const s of services) {
      const spec = (s as any).spec ?? {};
      for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) if (ip && ip !== 'None') usedIPs.add(ip);
      for (const p of spec.ports ?? []) if (p.nodePort) usedPorts.add(String(p.nodePort));
    }
    for (const ip of await this.ips.all()) if (!usedIPs.has(ip)) await this.ips.release(ip);
    for (const p of await this.ports.all()) if (!usedPorts.has(p)) await this.ports.release(p);
    for (const ip of usedIPs) await this.ips.take(ip, 'repair');
    for (const p of usedPorts) await this.ports.take(p, 'repair');
  }

  /** The REST hooks of services: allocate on create, keep/allocate/free on update, free on delete. */
  hooks(): KindHooks {
    return {
      beforeCreate: async (svc) => {
        const done: (() => Promise<void>)[] = [];
        const undo = async () => { for (const u of done.reverse()) await u().catch(() => undefined); };
        try {
          await this.allocateFor(svc, undefined, done);
        } catch (e) {
          await undo();
          throw e;
        }
        return undo;
      },
      prepareUpdate: (svc, old) => {
        const s = (svc as any).spec ?? ((svc as any).spec = {});
        const o = (old as any).spec ?? {};
        const oldHadIP = hasClusterIP(old) && o.clusterIP;
        if (oldHadIP && hasClusterIP(svc) && !s.clusterIP && (!s.clusterIPs || !s.clusterIPs.length)) {
          s.clusterIP = o.clusterIP;
          s.clusterIPs = o.clusterIPs ?? [o.clusterIP];
        }
        if (oldHadIP && s.clusterIP && !s.clusterIPs) s.clusterIPs = [s.clusterIP];
        if (s.clusterIPs?.length && !s.clusterIP) s.clusterIP = s.clusterIPs[0];
        if (needsNodePorts(svc) && needsNodePorts(old)) {
          for (const p of s.ports ?? []) {
            if (p.nodePort) continue;
            const match = (o.ports ?? []).find((q: any) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
            if (match?.nodePort) p.nodePort = match.nodePort;
          }
        }
        if (hasClusterIP(svc)) {
          s.ipFamilies ??= o.ipFamilies ?? ['IPv4'];
          s.ipFamilyPolicy ??= o.ipFamilyPolicy ?? 'SingleStack';
        }
        if (oldHadIP && hasClusterIP(svc) && s.clusterIP !== o.clusterIP) {
          throw invalid('Service', '', svc.metadata?.name ?? '', [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: ${JSON.stringify(s.clusterIP)}: may not change once set` }]);
        }
      },
      beforeUpdate: async (svc, old) => {
        const done: (() => Promise<void>)[] = [];
        const undo = async () => { for (const u of done.reverse()) await u().catch(() => undefined); };
        try {
          await this.allocateFor(svc, old, done);
        } catch (e) {
          await undo();
          throw e;
        }
        const commit = async () => {
          const s = (svc as any).spec ?? {};
          const o = (old as any).spec ?? {};
          if (hasClusterIP(old) && o.clusterIP && (!hasClusterIP(svc) || s.clusterIP !== o.clusterIP)) await this.releaseIP(o.clusterIP);
          const keep = new Set((needsNodePorts(svc) ? s.ports ?? [] : []).map((p: any) => p.nodePort).filter(Boolean));
          for (const p of o.ports ?? []) if (p.nodePort && !keep.has(p.nodePort)) await this.releasePort(p.nodePort);
        };
        return { undo, commit };
      },
      afterDelete: async (svc) => {
        const s = (svc as any).spec ?? {};
        for (const ip of s.clusterIPs ?? (s.clusterIP ? [s.clusterIP] : [])) if (ip && ip !== 'None') await this.releaseIP(ip);
        for (const p of s.ports ?? []) if (p.nodePort) await this.releasePort(p.nodePort);
      },
    };
  }

  /** Allocate what `svc` needs and `old` (if any) does not already hold; record undos in `done`. */
  private async allocateFor(svc: KubeObject, old: KubeObject | undefined, done: (() => Promise<void>)[]): Promise<void> {
    const s = (svc as any).spec ?? ((svc as any).spec = {});
    const o = (old as any)?.spec ?? {};
    if (s.type === 'ExternalName') {
      delete s.clusterIP; delete s.clusterIPs;
    } else if (s.clusterIP === 'None' || s.clusterIPs?.[0] === 'None') {
      s.clusterIP = 'None';
      s.clusterIPs = ['None'];
    } else if (!(old && hasClusterIP(old) && o.clusterIP && o.clusterIP === s.clusterIP)) {
      const want = s.clusterIP || s.clusterIPs?.[0] || undefined;
      const ip = await this.allocateIP(svc, want);
      done.push(() => this.releaseIP(ip));
      s.clusterIP = ip;
      s.clusterIPs = [ip];
    }
    if (hasClusterIP(svc)) {
      s.ipFamilies ??= ['IPv4'];
      s.ipFamilyPolicy ??= 'SingleStack';
    }
    if (needsNodePorts(svc)) {
      const held = new Set(needsNodePorts(old) ? (o.ports ?? []).map((p: any) => p.nodePort).filter(Boolean) : []);
      const ports = s.ports ?? [];
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i];
        if (p.nodePort && held.has(p.nodePort)) continue;
        const n = await this.allocatePort(svc, i, p.nodePort);
        done.push(() => this.releasePort(n));
        p.nodePort = n;
      }
    } else {
      for (const p of s.ports ?? []) delete p.nodePort;
    }
  }
}

function fieldInvalid(svc: KubeObject, field: string, value: unknown, detail: string): StatusError {
  const errs: FieldError[] = [{ type: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${detail}` }];
  return invalid('Service', '', svc.metadata?.name ?? '', errs);
}
