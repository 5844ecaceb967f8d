/**
 * Translate a Pod into CRI configs: the sandbox (metadata, hostname, DNS, port mappings, labels that let a
 * restarted node agent find its pods again) and each container (image, command/args with $(VAR) expansion,
 * env incl. fieldRef/resourceFieldRef/configMap/secret, working dir, ports, cgroup limits, log path).
 */
import { createHash } from 'node:crypto';
import type { Container, EnvVar, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { ContainerConfig, PodSandboxConfig, PortMapping } from './cri/types.ts';
import { podLogDir, relativeLogPath } from './logs-paths.ts';

/**
 * A pod's resolv.conf (upstream kubelet --cluster-dns/--cluster-domain and dnsPolicy). The node agent does not
 * know the cluster DNS itself: the CLI passes the one src/dns/config.ts computes.
 */
export type PodDNSConfigurer = (pod: Pod) => { nameservers: string[]; searches: string[]; options: string[] };

/** What the sandbox config needs from its node agent. */
export interface SandboxEnv {
  /** Owner label value (L.agent). */
  agent?: string;
  /** Without one, containerd gives the pod the host's resolv.conf. */
  dns?: PodDNSConfigurer;
  podLogRoot?: string;
}

/** Labels on sandboxes and containers (same keys as upstream's kubelet, plus the node that owns them). */
export const L = {
  podUid: 'io.kubernetes.pod.uid',
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  containerName: 'io.kubernetes.container.name',
  node: 'kubelite.io/node',
  /** Which node agent instance owns it (hash of node name + data dir): two clusters on one host never adopt or
   * clean up each other's pods, even with the same node name. */
  agent: 'kubelite.io/agent',
  kind: 'kubelite.io/kind', // init | app
} as const;
/** Annotations on containers. */
export const A = {
  specHash: 'kubelite.io/container-hash',
  restartCount: 'io.kubernetes.container.restartCount',
  gracePeriod: 'io.kubernetes.pod.terminationGracePeriod',
} as const;

/** Parse a Kubernetes quantity to a number (cpu → cores, memory → bytes). */
export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined || q === null) return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  const mult: Record<string, number> = {
    '': 1, m: 1e-3, u: 1e-6, n: 1e-9, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
  };
  return n * (mult[m[2]] ?? 1);
}

/** The agent id of a node agent: its node name and data dir. */
export function agentId(nodeName: string, dataDir: string): string {
  return createHash('sha256').update(`${nodeName}\0${dataDir}`).digest('hex').slice(0, 16);
}

/** A stable hash of the container spec, so a spec change (in place image update) restarts the container. */
export function containerHash(c: Container): string {
  let h = 0x811c9dc5;
  const s = JSON.stringify(c);
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h.toString(16);
}

export function sandboxConfig(pod: Pod, nodeName: string, attempt: number, env: SandboxEnv = {}): PodSandboxConfig {
  const md = pod.metadata!;
  const spec = pod.spec!;
  const agent = env.agent ?? '';
  const rc = env.dns?.(pod);
  const ports: PortMapping[] = [];
  for (const c of spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      ports.push({ protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIP ?? '' });
    }
  }
  const hostname = (spec.hostname || md.name || '').slice(0, 63);
  return {
    metadata: { name: md.name!, uid: md.uid!, namespace: md.namespace ?? 'default', attempt },
    hostname: spec.hostNetwork ? '' : hostname,
    logDirectory: podLogDir(md.uid!, env.podLogRoot),
    ...(rc ? { dnsConfig: { servers: rc.nameservers, searches: rc.searches, options: rc.options } } : {}),
    portMappings: ports,
    labels: {
      ...(md.labels ?? {}),
      [L.podUid]: md.uid!, [L.podName]: md.name!, [L.podNamespace]: md.namespace ?? 'default', [L.node]: nodeName, [L.agent]: agent,
    },
    annotations: { ...(md.annotations ?? {}) },
    linux: {
      cgroupParent: `/kubelite/pod${md.uid}`,
      securityContext: {
        namespaceOptions: { network: spec.hostNetwork ? 'NODE' : 'POD', pid: spec.shareProcessNamespace ? 'POD' : 'CONTAINER', ipc: spec.hostIPC ? 'NODE' : 'POD' },
        privileged: (spec.containers ?? []).some((c) => c.securityContext?.privileged),
      },
    },
  };
}

/** Values the downward API exposes (fieldRef paths). */
export function fieldRefValue(pod: Pod, path: string, podIP: string, hostIP: string): string {
  const md = pod.metadata ?? {};
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return String(((md as any)[m[1]] ?? {})[m[2]] ?? '');
  switch (path) {
    case 'metadata.name': return md.name ?? '';
    case 'metadata.namespace': return md.namespace ?? '';
    case 'metadata.uid': return md.uid ?? '';
    case 'metadata.labels': return Object.entries(md.labels ?? {}).map(([k, v]) => `${k}="${v}"`).join('\n');
    case 'metadata.annotations': return Object.entries(md.annotations ?? {}).map(([k, v]) => `${k}="${v}"`).join('\n');
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': case 'status.hostIPs': return hostIP;
    case 'status.podIP': case 'status.podIPs': return podIP;
    default: return '';
  }
}

function resourceFieldValue(c: Container, resource: string, divisor?: string | number): string {
  const [kind, name] = resource.split('.');
  const src = (kind === 'limits' ? c.resources?.limits : c.resources?.requests) ?? {};
  let v = parseQuantity(src[name] as string | undefined);
  if (!v && kind === 'limits') v = name === 'cpu' ? 2 : 0; // node allocatable is the default upstream; approximate
  const d = parseQuantity(divisor ?? (name === 'cpu' ? '1' : '1')) || 1;
  return String(Math.ceil(v / d));
}

/** Expand $(VAR) references as upstream (expansion.MappingFuncFor): $$ escapes, unknown refs stay as is. */
export function expand(s: string, env: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name) => {
    if (all === '$$') return '$';
    return env.has(name) ? env.get(name)! : all;
  });
}

export type Lookup = (kind: 'configmap' | 'secret', name: string, key?: string) => Promise<Record<string, string> | undefined>;

/** The container's environment in order: envFrom, then env (with references resolved and $(VAR) expanded). */
export async function resolveEnv(pod: Pod, c: Container, podIP: string, hostIP: string, lookup: Lookup): Promise<Map<string, string>> {
  const env = new Map<string, string>();
  for (const ef of c.envFrom ?? []) {
    const kind = ef.configMapRef ? 'configmap' : 'secret';
    const ref = ef.configMapRef ?? ef.secretRef;
    if (!ref) continue;
    const data = await lookup(kind, ref.name!);
    if (!data) { if (!ref.optional) throw new Error(`${kind === 'configmap' ? 'configmap' : 'secret'} "${ref.name}" not found`); continue; }
    for (const [k, v] of Object.entries(data)) env.set(`${ef.prefix ?? ''}${k}`, v);
  }
  for (const e of c.env ?? []) env.set(e.name, await envValue(pod, c, e, env, podIP, hostIP, lookup));
  return env;
}

async function envValue(pod: Pod, c: Container, e: EnvVar, env: Map<string, string>, podIP: string, hostIP: string, lookup: Lookup): Promise<string> {
  if (e.value !== undefined) return expand(e.value, env);
  const vf = e.valueFrom;
  if (!vf) return '';
  if (vf.fieldRef) return fieldRefValue(pod, vf.fieldRef.fieldPath, podIP, hostIP);
  if (vf.resourceFieldRef) return resourceFieldValue(c, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor as any);
  const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
  if (ref) {
    const kind = vf.configMapKeyRef ? 'configmap' : 'secret';
    const data = await lookup(kind, ref.name!);
    const v = data?.[ref.key];
    if (v === undefined) {
      if (ref.optional) return '';
      throw new Error(data ? `couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${pod.metadata?.namespace}/${ref.name}`
        : `${kind} "${ref.name}" not found`);
    }
    return v;
  }
  return '';
}

export function containerConfig(pod: Pod, c: Container, attempt: number, env: Map<string, string>, kind: 'init' | 'app', nodeName: string, agent = ''): ContainerConfig {
  const md = pod.metadata!;
  const lim = c.resources?.limits ?? {};
  const req = c.resources?.requests ?? {};
  const cpuLimit = parseQuantity(lim.cpu as string | undefined);
  const cpuReq = parseQuantity((req.cpu ?? lim.cpu) as string | undefined);
  const mem = parseQuantity(lim.memory as string | undefined);
  const resources: NonNullable<NonNullable<ContainerConfig['linux']>['resources']> = {
    cpuShares: cpuReq ? Math.max(2, Math.floor(cpuReq * 1024)) : 2,
  };
  if (cpuLimit) { resources.cpuPeriod = 100000; resources.cpuQuota = Math.max(1000, Math.floor(cpuLimit * 100000)); }
  if (mem) resources.memoryLimitInBytes = Math.floor(mem);
  const sc = c.securityContext ?? {};
  const psc = pod.spec?.securityContext ?? {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  return {
    metadata: { name: c.name, attempt },
    image: { image: c.image!, userSpecifiedImage: c.image },
    command: (c.command ?? []).map((s) => expand(s, env)),
    args: (c.args ?? []).map((s) => expand(s, env)),
    workingDir: c.workingDir ?? '',
    envs: [...env].map(([key, value]) => ({ key, value })),
    labels: { [L.podUid]: md.uid!, [L.podName]: md.name!, [L.podNamespace]: md.namespace ?? 'default', [L.containerName]: c.name, [L.node]: nodeName, [L.agent]: agent, [L.kind]: kind },
    annotations: {
      [A.specHash]: containerHash(c),
      [A.restartCount]: String(attempt),
      [A.gracePeriod]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    },
    logPath: relativeLogPath(c.name, attempt),
    stdin: !!c.stdin, stdinOnce: !!c.stdinOnce, tty: !!c.tty,
    linux: {
      resources,
      securityContext: {
        privileged: !!sc.privileged,
        namespaceOptions: { network: pod.spec?.hostNetwork ? 'NODE' : 'POD', pid: pod.spec?.shareProcessNamespace ? 'POD' : 'CONTAINER', ipc: 'POD' },
        ...(runAsUser !== undefined ? { runAsUser: { value: runAsUser } } : {}),
        ...(runAsGroup !== undefined && runAsUser !== undefined ? { runAsGroup: { value: runAsGroup } } : {}),
        readonlyRootfs: !!sc.readOnlyRootFilesystem,
        capabilities: { addCapabilities: sc.capabilities?.add ?? [], dropCapabilities: sc.capabilities?.drop ?? [] },
      },
    },
  };
}

/** imagePullPolicy with the API defaulting applied (Always for :latest or no tag, else IfNotPresent). */
export function pullPolicy(c: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (c.imagePullPolicy) return c.imagePullPolicy as 'Always' | 'IfNotPresent' | 'Never';
  const img = c.image ?? '';
  if (img.includes('@')) return 'IfNotPresent';
  const last = img.split('/').pop() ?? '';
  const tag = last.includes(':') ? last.split(':').pop() : '';
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}
