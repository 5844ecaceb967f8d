/**
 * A typed CRI v1 client (RuntimeService + ImageService) over a unix socket, on @grpc/grpc-js and
 * @grpc/proto-loader with kubelite's own api.proto subset. Errors are grpc ServiceErrors (`code`, `details`);
 * `isNotFound` tells the NOT_FOUND ones apart.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type {
  Container, ContainerConfig, ContainerFilter, ContainerStats, ContainerStatsFilter, ContainerStatus, ExecSyncResponse, Image, PodSandbox, PodSandboxConfig,
  PodSandboxFilter, PodSandboxStatus, VersionResponse,
} from './types.ts';

export * from './types.ts';

const PROTO = join(dirname(fileURLToPath(import.meta.url)), 'api.proto');
let pkgCache: any;
function pkg(): any {
  if (!pkgCache) {
    const def = protoLoader.loadSync(PROTO, { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
    pkgCache = (grpc.loadPackageDefinition(def) as any).runtime.v1;
  }
  return pkgCache;
}

export function isNotFound(e: unknown): boolean {
  return (e as any)?.code === grpc.status.NOT_FOUND || /not found/i.test(String((e as any)?.details ?? ''));
}

export class CriClient {
  private rt: grpc.Client & Record<string, any>;
  private img: grpc.Client & Record<string, any>;

  constructor(public readonly socket: string, private defaultTimeoutMs = 120_000) {
    const p = pkg();
    const addr = `unix://${socket}`;
    const creds = grpc.credentials.createInsecure();
    const options = { 'grpc.max_receive_message_length': 32 * 1024 * 1024 };
    this.rt = new p.RuntimeService(addr, creds, options);
    // Share the channel between both services.
    this.img = new p.ImageService(addr, creds, { ...options, channelOverride: this.rt.getChannel() });
  }

  close(): void { this.rt.close(); }

  private call<T>(svc: 'rt' | 'img', method: string, req: object, timeoutMs = this.defaultTimeoutMs): Promise<T> {
    const client = svc === 'rt' ? this.rt : this.img;
    return new Promise((resolve, reject) => {
      client[method](req, { deadline: Date.now() + timeoutMs }, (err: grpc.ServiceError | null, res: T) => {
        if (err) { (err as any).message = `CRI ${method}: ${err.details || err.message}`; reject(err); } else resolve(res);
      });
    });
  }

  version(): Promise<VersionResponse> { return this.call('rt', 'Version', { version: 'v1' }, 10_000); }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    return (await this.call<{ podSandboxId: string }>('rt', 'RunPodSandbox', { config, runtimeHandler })).podSandboxId;
  }
  async stopPodSandbox(podSandboxId: string): Promise<void> { await this.call('rt', 'StopPodSandbox', { podSandboxId }); }
  async removePodSandbox(podSandboxId: string): Promise<void> { await this.call('rt', 'RemovePodSandbox', { podSandboxId }); }
  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    return (await this.call<{ status: PodSandboxStatus }>('rt', 'PodSandboxStatus', { podSandboxId, verbose: false })).status;
  }
  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    return (await this.call<{ items: PodSandbox[] }>('rt', 'ListPodSandbox', { filter })).items ?? [];
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    return (await this.call<{ containerId: string }>('rt', 'CreateContainer', { podSandboxId, config, sandboxConfig })).containerId;
  }
  async startContainer(containerId: string): Promise<void> { await this.call('rt', 'StartContainer', { containerId }); }
  /** Stop with a grace period in seconds: the image's stop signal (SIGTERM by default), then SIGKILL. */
  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    await this.call('rt', 'StopContainer', { containerId, timeout: timeoutSeconds }, (timeoutSeconds + 60) * 1000);
  }
  async removeContainer(containerId: string): Promise<void> { await this.call('rt', 'RemoveContainer', { containerId }); }
  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    return (await this.call<{ containers: Container[] }>('rt', 'ListContainers', { filter })).containers ?? [];
  }
  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return (await this.call<{ status: ContainerStatus }>('rt', 'ContainerStatus', { containerId, verbose: false })).status;
  }
  /** Run a command in a container and wait for it (timeout in seconds; 0 = none). */
  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResponse> {
    const ms = timeoutSeconds > 0 ? (timeoutSeconds + 5) * 1000 : this.defaultTimeoutMs;
    return this.call<ExecSyncResponse>('rt', 'ExecSync', { containerId, cmd, timeout: timeoutSeconds }, ms);
  }
  /** Streaming endpoints (URLs of containerd's streaming server), for the streaming server. */
  async exec(req: { containerId: string; cmd: string[]; tty?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean }): Promise<string> {
    return (await this.call<{ url: string }>('rt', 'Exec', req)).url;
  }
  async attach(req: { containerId: string; tty?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean }): Promise<string> {
    return (await this.call<{ url: string }>('rt', 'Attach', req)).url;
  }
  async portForward(podSandboxId: string, port: number[]): Promise<string> {
    return (await this.call<{ url: string }>('rt', 'PortForward', { podSandboxId, port })).url;
  }
  /** CPU and memory of the containers the filter selects (containerd reads their cgroups). */
  async listContainerStats(filter?: ContainerStatsFilter): Promise<ContainerStats[]> {
    return (await this.call<{ stats: ContainerStats[] }>('rt', 'ListContainerStats', { filter }, 30_000)).stats ?? [];
  }
  async reopenContainerLog(containerId: string): Promise<void> { await this.call('rt', 'ReopenContainerLog', { containerId }); }
  async status(): Promise<{ conditions: { type: string; status: boolean; reason: string; message: string }[] }> {
    const r = await this.call<{ status: { conditions: any[] } }>('rt', 'Status', { verbose: false }, 10_000);
    return { conditions: r.status?.conditions ?? [] };
  }

  /** Pull an image; resolves with the image reference (its id, sha256:...). */
  async pullImage(image: string, sandboxConfig?: PodSandboxConfig): Promise<string> {
    return (await this.call<{ imageRef: string }>('img', 'PullImage', { image: { image }, sandboxConfig }, 600_000)).imageRef;
  }
  /** The image, or null when it is not present. */
  async imageStatus(image: string): Promise<Image | null> {
    return (await this.call<{ image: Image | null }>('img', 'ImageStatus', { image: { image }, verbose: false })).image ?? null;
  }
  async listImages(): Promise<Image[]> {
    return (await this.call<{ images: Image[] }>('img', 'ListImages', {})).images ?? [];
  }
  async removeImage(image: string): Promise<void> { await this.call('img', 'RemoveImage', { image: { image } }); }
}
