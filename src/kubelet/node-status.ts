/**
 * The node's registration and heartbeats, as upstream's kubelet: the Node object (capacity, allocatable,
 * addresses, nodeInfo, daemonEndpoints, conditions) is created once and its status refreshed periodically,
 * and a Lease in kube-node-lease is renewed every 10 s (the cheap heartbeat the node lifecycle controller reads).
 */
import * as os from 'node:os';
import { readFileSync } from 'node:fs';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.d.ts';
import type { KubeClient } from '../client/client.ts';
import { R } from '../client/resources.ts';
import { rfc3339, type Clock } from '../util/clock.ts';

export const KUBELET_VERSION = 'v1.32.0';
export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;

export interface NodeStatusOptions {
  client: KubeClient;
  clock: Clock;
  nodeName: string;
  hostIP: string;
  podCIDR?: string;
  runtimeVersion: string; // containerd://1.6.20
  kubeletPort: number;
  maxPods?: number;
  leaseRenewMs?: number;
  statusUpdateMs?: number;
  /** Runtime health: undefined when ready, else why not (e.g. "container runtime is down"). */
  runtimeProblem?: () => Promise<string | undefined>;
  log: (s: string) => void;
}

/** The machine's first non-loopback IPv4 address outside the pod bridges. */
export function primaryHostIP(): string {
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    if (/^(lo|cni|kl|veth|docker|br-)/.test(name)) continue;
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function osImage(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) return m[1];
  } catch { /* unknown */ }
  return 'Linux';
}

function readId(path: string): string {
  try { return readFileSync(path, 'utf8').trim(); } catch { return ''; }
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class NodeStatusManager {
  private leaseTimer?: { cancel(): void };
  private statusTimer?: { cancel(): void };
  private stopped = false;
  private conditions: NodeCondition[] = [];
  private problem: string | undefined;

  constructor(private o: NodeStatusOptions) {}

  private capacity(): Record<string, string> {
    return {
      cpu: String(os.cpus().length),
      memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
      pods: String(this.o.maxPods ?? 110),
      'ephemeral-storage': '61255492Ki',
      'hugepages-2Mi': '0',
    };
  }

  private buildConditions(now: number): NodeCondition[] {
    const t = rfc3339(now);
    const want: [string, string, string, string][] = [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      this.problem
        ? ['Ready', 'False', 'KubeletNotReady', this.problem]
        : ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
    ];
    this.conditions = want.map(([type, status, reason, message]) => {
      const old = this.conditions.find((c) => c.type === type);
      return { type, status, reason, message, lastHeartbeatTime: t,
        lastTransitionTime: old && old.status === status ? old.lastTransitionTime : t };
    });
    return this.conditions;
  }

  status(now: number): Node['status'] {
    const cap = this.capacity();
    return {
      capacity: cap,
      allocatable: { ...cap },
      conditions: this.buildConditions(now),
      addresses: [{ type: 'InternalIP', address: this.o.hostIP }, { type: 'Hostname', address: this.o.nodeName }],
      daemonEndpoints: { kubeletEndpoint: { Port: this.o.kubeletPort } },
      nodeInfo: {
        machineID: readId('/etc/machine-id'), systemUUID: readId('/sys/class/dmi/id/product_uuid') || readId('/etc/machine-id'),
        bootID: readId('/proc/sys/kernel/random/boot_id'), kernelVersion: os.release(), osImage: osImage(),
        containerRuntimeVersion: this.o.runtimeVersion, kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: 'linux', architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      },
    };
  }

  /** Create the Node (or take over an existing one) and its Lease; start the heartbeat loops. */
  async start(): Promise<Node> {
    const now = this.o.clock.now();
    const node: Node = {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name: this.o.nodeName,
        labels: {
          'kubernetes.io/hostname': this.o.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64',
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: this.o.podCIDR ? { podCIDR: this.o.podCIDR, podCIDRs: [this.o.podCIDR] } : {},
      status: this.status(now),
    };
    let created: Node;
    try {
      created = await this.o.client.create(R.nodes, undefined, node);
    } catch (e) {
      if ((e as any)?.code !== 409) throw e;
      created = await this.o.client.get(R.nodes, undefined, this.o.nodeName);
      this.conditions = (created.status?.conditions ?? []).filter((c) => c.status === 'True' || c.type !== 'Ready');
    }
    await this.updateStatus();
    await this.renewLease(created).catch((e) => this.o.log(`lease: ${(e as Error).message}`));
    this.loopLease(created);
    this.loopStatus();
    return created;
  }

  private loopLease(node: Node): void {
    if (this.stopped) return;
    this.leaseTimer = this.o.clock.setTimeout(async () => {
      await this.renewLease(node).catch((e) => this.o.log(`lease renew failed: ${(e as Error).message}`));
      this.loopLease(node);
    }, this.o.leaseRenewMs ?? 10_000);
  }

  private loopStatus(): void {
    if (this.stopped) return;
    this.statusTimer = this.o.clock.setTimeout(async () => {
      await this.updateStatus().catch((e) => this.o.log(`node status update failed: ${(e as Error).message}`));
      this.loopStatus();
    }, this.o.statusUpdateMs ?? 20_000);
  }

  async updateStatus(): Promise<void> {
    if (this.o.runtimeProblem) this.problem = await this.o.runtimeProblem().catch((e) => `container runtime status check failed: ${(e as Error).message}`);
    try {
      await this.o.client.patch(R.nodes, undefined, this.o.nodeName, { status: this.status(this.o.clock.now()) }, 'merge', 'status');
    } catch (e) {
      if ((e as any)?.code !== 404) throw e;
      // The Node was deleted: register again.
      await this.o.client.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: this.o.nodeName,
        labels: { 'kubernetes.io/hostname': this.o.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
        spec: this.o.podCIDR ? { podCIDR: this.o.podCIDR, podCIDRs: [this.o.podCIDR] } : {}, status: this.status(this.o.clock.now()) });
    }
  }

  async renewLease(node: Node): Promise<void> {
    const now = microTime(this.o.clock.now());
    let lease: any;
    try {
      lease = await this.o.client.get(R.leases, LEASE_NAMESPACE, this.o.nodeName);
    } catch (e) {
      if ((e as any)?.code !== 404) throw e;
    }
    if (!lease) {
      const body = {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: this.o.nodeName, namespace: LEASE_NAMESPACE,
          ownerReferences: node.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid: node.metadata.uid }] : undefined },
        spec: { holderIdentity: this.o.nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
      };
      try {
        await this.o.client.create(R.leases, LEASE_NAMESPACE, body);
      } catch (e) {
        if ((e as any)?.code === 404) {
          await this.o.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LEASE_NAMESPACE } }).catch(() => {});
          await this.o.client.create(R.leases, LEASE_NAMESPACE, body);
        } else if ((e as any)?.code !== 409) throw e;
      }
      return;
    }
    lease.spec = { ...lease.spec, holderIdentity: this.o.nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now };
    await this.o.client.update(R.leases, LEASE_NAMESPACE, lease);
  }

  stop(): void {
    this.stopped = true;
    this.leaseTimer?.cancel();
    this.statusTimer?.cancel();
  }
}
