/**
 * Translate a Pod into CRI configs: the sandbox (metadata, hostname, DNS, port mappings, labels that let a
 * restarted node agent find its pods again) and each container (image, command/args with $(VAR) expansion against
 * the environment env.ts built, mounts volumes/mounts.ts built, working dir, ports, cgroup limits, log path).
 */
import { createHash } from 'node:crypto';
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { ContainerConfig, Mount, PodSandboxConfig, PortMapping } from './cri/types.ts';
import { expand } from './env.ts';
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

export function containerConfig(pod: Pod, c: Container, attempt: number, env: Map<string, string>, kind: 'init' | 'app', nodeName: string, agent = '', mounts: Mount[] = []): ContainerConfig {
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
    mounts,
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
