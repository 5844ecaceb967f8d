/**
 * TypeScript shapes of the CRI v1 messages kubelite uses (see api.proto beside this file). Field names are the
 * proto names in camelCase (as @grpc/proto-loader produces them); int64 fields arrive as numbers, enums as names.
 */
export type Labels = Record<string, string>;

export interface VersionResponse { version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }

export interface DNSConfig { servers?: string[]; searches?: string[]; options?: string[] }
export interface PortMapping { protocol?: 'TCP' | 'UDP' | 'SCTP'; containerPort?: number; hostPort?: number; hostIp?: string }
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export interface Mount { containerPath: string; hostPath: string; readonly?: boolean; propagation?: MountPropagation }
export interface NamespaceOption { network?: NamespaceMode; pid?: NamespaceMode; ipc?: NamespaceMode; targetId?: string }
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';

export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt?: number }
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory?: string;
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  labels?: Labels;
  annotations?: Labels;
  linux?: {
    cgroupParent?: string;
    securityContext?: { namespaceOptions?: NamespaceOption; privileged?: boolean; runAsUser?: { value: number } };
    sysctls?: Labels;
  };
}

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: number;
  labels: Labels;
  annotations: Labels;
}
export interface PodSandboxStatus extends PodSandbox {
  network?: { ip: string; additionalIps?: { ip: string }[] } | null;
}
export interface PodSandboxFilter { id?: string; state?: { state: PodSandboxState }; labelSelector?: Labels }

export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
}

export interface ContainerConfig {
  metadata: { name: string; attempt?: number };
  image: { image: string; userSpecifiedImage?: string };
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: { key: string; value: string }[];
  mounts?: Mount[];
  labels?: Labels;
  annotations?: Labels;
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: {
    resources?: LinuxContainerResources;
    securityContext?: {
      privileged?: boolean;
      namespaceOptions?: NamespaceOption;
      runAsUser?: { value: number };
      runAsGroup?: { value: number };
      runAsUsername?: string;
      readonlyRootfs?: boolean;
      capabilities?: { addCapabilities?: string[]; dropCapabilities?: string[] };
    };
  };
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export interface Container {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number };
  image: { image: string };
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: Labels;
  annotations: Labels;
}
export interface ContainerStatus {
  id: string;
  metadata: { name: string; attempt: number };
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image: { image: string };
  imageRef: string;
  reason: string;
  message: string;
  labels: Labels;
  annotations: Labels;
  logPath: string;
}
export interface ContainerFilter { id?: string; state?: { state: ContainerState }; podSandboxId?: string; labelSelector?: Labels }

export interface ExecSyncResponse { stdout: Buffer; stderr: Buffer; exitCode: number }

export interface Image { id: string; repoTags: string[]; repoDigests: string[]; size: number; username?: string }

/** A uint64 wrapper (absent when the runtime has no value). */
export interface UInt64Value { value: number }
export interface ContainerStatsFilter { id?: string; podSandboxId?: string; labelSelector?: Labels }
/** Resource usage of one container; timestamps in nanoseconds since the epoch. */
export interface ContainerStats {
  attributes: { id: string; metadata: { name: string; attempt: number }; labels: Labels; annotations: Labels };
  cpu?: { timestamp: number; usageCoreNanoSeconds?: UInt64Value | null; usageNanoCores?: UInt64Value | null } | null;
  memory?: { timestamp: number; workingSetBytes?: UInt64Value | null; usageBytes?: UInt64Value | null; rssBytes?: UInt64Value | null } | null;
}
