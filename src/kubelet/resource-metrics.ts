/**
 * The node agent's resource metrics (upstream kubelet `/metrics/resource`, the endpoint metrics-server scrapes):
 * each running container's cumulative CPU time and memory working set, read from the runtime over CRI
 * (ListContainerStats: containerd reads the container's cgroup — cpuacct.usage, and memory usage minus
 * inactive_file on cgroup v1), and the node's, read from the host (/proc/stat busy jiffies, /proc/meminfo).
 *
 * Only cumulative counters and instantaneous gauges are served, each with the timestamp it was read at; the rate
 * (nanocores) is derived by the consumer from two samples, as metrics-server does — so a scrape costs two CRI
 * calls and two small file reads, and the agent keeps no per-pod state between scrapes.
 *
 * Exposition: Prometheus text format 0.0.4 with upstream's metric names, labels and help texts:
 *   container_cpu_usage_seconds_total{container,namespace,pod} <core-seconds> <ms>
 *   container_memory_working_set_bytes{container,namespace,pod} <bytes> <ms>
 *   container_start_time_seconds{container,namespace,pod} <seconds>
 *   pod_cpu_usage_seconds_total{namespace,pod}, pod_memory_working_set_bytes{namespace,pod}
 *   node_cpu_usage_seconds_total, node_memory_working_set_bytes
 *   resource_scrape_error 0|1
 */
import { readFileSync } from 'node:fs';
import type { CriClient } from './cri/client.ts';
import { L } from './cri-config.ts';

/** A container's usage at one instant. */
export interface ContainerUsage {
  namespace: string;
  pod: string;
  container: string;
  /** Unix seconds the container was created (its CPU counter starts at zero there). */
  startTimeSeconds: number;
  /** Milliseconds since the epoch the counters were read at. */
  timestampMs: number;
  cpuCoreSeconds: number;
  memoryWorkingSetBytes: number;
}

export interface NodeUsage {
  timestampMs: number;
  cpuCoreSeconds: number;
  memoryWorkingSetBytes: number;
}

/** USER_HZ: the unit of /proc/stat (sysconf(_SC_CLK_TCK), 100 on every Linux ABI kubelite runs on). */
const USER_HZ = 100;

/**
 * Busy CPU seconds of the whole machine from /proc/stat's aggregate "cpu" line: user + nice + system + irq +
 * softirq + steal (guest time is already inside user/nice; idle and iowait are not busy).
 */
export function parseProcStatCpuSeconds(text: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 7 || f.some((n) => !Number.isFinite(n))) return undefined;
  const [user, nice, system, , , irq, softirq, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}

/**
 * The node's memory working set from /proc/meminfo, as the root cgroup's usage minus inactive file pages (what
 * cAdvisor reports for the node): MemTotal − MemFree − Inactive(file).
 */
export function parseMeminfoWorkingSet(text: string): number | undefined {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key.replace(/[()]/g, '\\$&')}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal'), free = kb('MemFree'), inactiveFile = kb('Inactive(file)') ?? 0;
  if (total === undefined || free === undefined) return undefined;
  return Math.max(0, total - free - inactiveFile);
}

/** The host's usage now (undefined when /proc cannot be read). */
export function readNodeUsage(procRoot = '/proc', now = Date.now): NodeUsage | undefined {
  try {
    const cpu = parseProcStatCpuSeconds(readFileSync(`${procRoot}/stat`, 'utf8'));
    const mem = parseMeminfoWorkingSet(readFileSync(`${procRoot}/meminfo`, 'utf8'));
    if (cpu === undefined || mem === undefined) return undefined;
    return { timestampMs: now(), cpuCoreSeconds: cpu, memoryWorkingSetBytes: mem };
  } catch {
    return undefined;
  }
}

/**
 * The running containers of this agent's pods with their usage (two CRI calls). Containers the runtime has no
 * stats for yet are left out.
 */
export async function collectContainerUsage(cri: Pick<CriClient, 'listContainerStats' | 'listContainers'>, agent: string): Promise<ContainerUsage[]> {
  const selector = { [L.agent]: agent };
  const [stats, containers] = await Promise.all([
    cri.listContainerStats({ labelSelector: selector }),
    cri.listContainers({ state: { state: 'CONTAINER_RUNNING' }, labelSelector: selector }),
  ]);
  const created = new Map<string, number>();
  for (const c of containers) created.set(c.id, c.createdAt);
  const out: ContainerUsage[] = [];
  for (const s of stats) {
    const createdAt = created.get(s.attributes?.id);
    if (createdAt === undefined) continue; // not running
    const labels = s.attributes.labels ?? {};
    const cpu = s.cpu?.usageCoreNanoSeconds?.value;
    const mem = s.memory?.workingSetBytes?.value;
    const ts = s.cpu?.timestamp || s.memory?.timestamp;
    if (cpu === undefined || mem === undefined || !ts) continue;
    out.push({
      namespace: labels[L.podNamespace] ?? '', pod: labels[L.podName] ?? '',
      container: labels[L.containerName] ?? s.attributes.metadata?.name ?? '',
      startTimeSeconds: createdAt / 1e9, timestampMs: Math.round(ts / 1e6),
      cpuCoreSeconds: cpu / 1e9, memoryWorkingSetBytes: mem,
    });
  }
  return out;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(15).replace(/\.?0+(e|$)/, '$1'));

const HELP: [string, string, string][] = [
  ['container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the container in core-seconds'],
  ['container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes'],
  ['container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds'],
  ['node_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the node in core-seconds'],
  ['node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes'],
  ['pod_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the pod in core-seconds'],
  ['pod_memory_working_set_bytes', 'gauge', 'Current working set of the pod in bytes'],
  ['resource_scrape_error', 'gauge', '1 if there was an error while getting container metrics, 0 otherwise'],
];

/** The `/metrics/resource` document for these samples (families in upstream's alphabetical order). */
export function renderResourceMetrics(node: NodeUsage | undefined, containers: ContainerUsage[], scrapeError = false): string {
  const byFamily = new Map<string, string[]>(HELP.map(([n]) => [n, []]));
  const add = (family: string, line: string) => byFamily.get(family)!.push(line);
  const sorted = [...containers].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod) || a.container.localeCompare(b.container));
  const pods = new Map<string, { ns: string; pod: string; cpu: number; mem: number; ts: number }>();
  for (const c of sorted) {
    const l = `container="${esc(c.container)}",namespace="${esc(c.namespace)}",pod="${esc(c.pod)}"`;
    add('container_cpu_usage_seconds_total', `container_cpu_usage_seconds_total{${l}} ${num(c.cpuCoreSeconds)} ${c.timestampMs}`);
    add('container_memory_working_set_bytes', `container_memory_working_set_bytes{${l}} ${num(c.memoryWorkingSetBytes)} ${c.timestampMs}`);
    add('container_start_time_seconds', `container_start_time_seconds{${l}} ${num(c.startTimeSeconds)}`);
    const key = `${c.namespace}/${c.pod}`;
    const p = pods.get(key) ?? { ns: c.namespace, pod: c.pod, cpu: 0, mem: 0, ts: 0 };
    p.cpu += c.cpuCoreSeconds; p.mem += c.memoryWorkingSetBytes; p.ts = Math.max(p.ts, c.timestampMs);
    pods.set(key, p);
  }
  for (const p of pods.values()) {
    const l = `namespace="${esc(p.ns)}",pod="${esc(p.pod)}"`;
    add('pod_cpu_usage_seconds_total', `pod_cpu_usage_seconds_total{${l}} ${num(p.cpu)} ${p.ts}`);
    add('pod_memory_working_set_bytes', `pod_memory_working_set_bytes{${l}} ${num(p.mem)} ${p.ts}`);
  }
  if (node) {
    add('node_cpu_usage_seconds_total', `node_cpu_usage_seconds_total ${num(node.cpuCoreSeconds)} ${node.timestampMs}`);
    add('node_memory_working_set_bytes', `node_memory_working_set_bytes ${num(node.memoryWorkingSetBytes)} ${node.timestampMs}`);
  }
  add('resource_scrape_error', `resource_scrape_error ${scrapeError ? 1 : 0}`);
  const out: string[] = [];
  for (const [name, type, help] of HELP) {
    const lines = byFamily.get(name)!;
    if (!lines.length) continue;
    out.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`, ...lines);
  }
  return out.join('\n') + '\n';
}

/** What the streaming server calls for `/metrics/resource`: collect now and render. */
export function resourceMetricsEndpoint(cri: Pick<CriClient, 'listContainerStats' | 'listContainers'>, agent: string, procRoot = '/proc'): () => Promise<string> {
  return async () => {
    let containers: ContainerUsage[] = [];
    let failed = false;
    try { containers = await collectContainerUsage(cri, agent); } catch { failed = true; }
    return renderResourceMetrics(readNodeUsage(procRoot), containers, failed);
  };
}
