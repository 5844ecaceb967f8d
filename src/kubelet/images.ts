/**
 * Image pulls for containers, as upstream's image manager: imagePullPolicy (Always, IfNotPresent, Never),
 * Pulling/Pulled/Failed/BackOff events with upstream messages, ErrImagePull then ImagePullBackOff with
 * exponential back-off per pod and image, and one pull at a time per image (concurrent requests share it).
 */
import type { Container } from 'kubernetes-types/core/v1.d.ts';
import type { CriClient, PodSandboxConfig } from './cri/client.ts';
import type { Backoff } from './backoff.ts';
import type { Clock } from '../util/clock.ts';
import { pullPolicy } from './cri-config.ts';

export type PullOutcome =
  | { ok: true; imageRef: string }
  | { ok: false; reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull'; message: string };

export interface PullEvents {
  normal(reason: string, message: string): void;
  warning(reason: string, message: string): void;
}

function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(3).replace(/\.?0+$/, '')}s`;
  const m = Math.floor(s / 60);
  return `${m}m${(s - m * 60).toFixed(3).replace(/\.?0+$/, '')}s`;
}

export class ImageManager {
  private inflight = new Map<string, Promise<string>>();
  private lastError = new Map<string, string>();

  constructor(private cri: CriClient, private backoff: Backoff, private clock: Clock) {}

  /** Make sure the container's image is present; `key` scopes the back-off (pod uid + container). */
  async ensure(c: Container, key: string, ev: PullEvents, sandbox?: PodSandboxConfig): Promise<PullOutcome> {
    const image = c.image ?? '';
    const policy = pullPolicy(c);
    if (policy !== 'Always') {
      const present = await this.cri.imageStatus(image).catch(() => null);
      if (present) {
        ev.normal('Pulled', `Container image "${image}" already present on machine`);
        return { ok: true, imageRef: present.id };
      }
      if (policy === 'Never') {
        const message = `Container image "${image}" is not present with pull policy of Never`;
        ev.warning('ErrImageNeverPull', message);
        return { ok: false, reason: 'ErrImageNeverPull', message };
      }
    }
    const bkey = `${key}/${image}`;
    if (this.backoff.isInBackOff(bkey)) {
      const msg = `Back-off pulling image "${image}"`;
      ev.normal('BackOff', msg);
      ev.warning('Failed', 'Error: ImagePullBackOff');
      return { ok: false, reason: 'ImagePullBackOff', message: `${msg}: ErrImagePull: ${this.lastError.get(bkey) ?? ''}`.trim() };
    }
    ev.normal('Pulling', `Pulling image "${image}"`);
    const t0 = this.clock.now();
    try {
      let p = this.inflight.get(image);
      const shared = !!p;
      if (!p) {
        p = this.cri.pullImage(image, sandbox);
        this.inflight.set(image, p);
        p.finally(() => this.inflight.delete(image)).catch(() => {});
      }
      const imageRef = await p;
      const took = this.clock.now() - t0;
      let size = 0;
      try { size = Number((await this.cri.imageStatus(imageRef))?.size ?? 0); } catch { /* size unknown */ }
      ev.normal('Pulled', `Successfully pulled image "${image}" in ${fmtDuration(took)} (${fmtDuration(took)} including waiting).` +
        (size ? ` Image size: ${size} bytes.` : ''));
      void shared;
      this.backoff.reset(bkey);
      this.lastError.delete(bkey);
      return { ok: true, imageRef };
    } catch (e) {
      const detail = String((e as any)?.details ?? (e as Error).message).replace(/^CRI PullImage: /, '');
      const message = `rpc error: code = ${codeName((e as any)?.code)} desc = ${detail}`;
      this.backoff.next(bkey);
      this.lastError.set(bkey, message);
      ev.warning('Failed', `Failed to pull image "${image}": ${message}`);
      ev.warning('Failed', 'Error: ErrImagePull');
      return { ok: false, reason: 'ErrImagePull', message };
    }
  }

  /** When the current back-off of a pull ends (ms since epoch), or 0. */
  retryAt(key: string, image: string): number {
    return this.backoff.get(`${key}/${image}`).until;
  }
}

function codeName(code: number | undefined): string {
  const names = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
    'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];
  return names[code ?? 2] ?? 'Unknown';
}
