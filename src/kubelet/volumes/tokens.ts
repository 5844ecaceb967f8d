/**
 * Service account tokens for projected volumes (upstream pkg/kubelet/token/token_manager.go): the node agent asks
 * the API for a bound token (TokenRequest on serviceaccounts/token, bound to the pod by name and uid), caches it per
 * pod, service account, audience and lifetime, and asks again once 80% of its lifetime has passed (or it is older
 * than a day). Time comes from the Clock.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { Clock } from '../../util/clock.ts';

export interface TokenRequestBody {
  apiVersion: 'authentication.k8s.io/v1';
  kind: 'TokenRequest';
  spec: { audiences?: string[]; expirationSeconds: number; boundObjectRef: { kind: 'Pod'; apiVersion: 'v1'; name: string; uid: string } };
}
export interface TokenRequestResult { status?: { token?: string; expirationTimestamp?: string } }

/** POST /api/v1/namespaces/{ns}/serviceaccounts/{sa}/token */
export type RequestToken = (namespace: string, serviceAccount: string, body: TokenRequestBody) => Promise<TokenRequestResult>;

interface Cached { token: string; issuedAt: number; expiresAt: number }

const MAX_TTL_MS = 24 * 3600_000;

export class TokenManager {
  private cache = new Map<string, Cached>();

  constructor(private request: RequestToken, private clock: Clock) {}

  /** The token for `pod` and the source's audience/lifetime; `refreshAt` is when it should be asked for again. */
  async get(pod: Pod, audience: string | undefined, expirationSeconds: number | undefined): Promise<{ token: string; refreshAt: number }> {
    const md = pod.metadata!;
    const sa = pod.spec?.serviceAccountName || 'default';
    const exp = expirationSeconds ?? 3600;
    const key = JSON.stringify([md.namespace, sa, audience ?? '', exp, md.uid]);
    const now = this.clock.now();
    let c = this.cache.get(key);
    if (!c || now >= refreshAt(c)) {
      let res: TokenRequestResult;
      try {
        res = await this.request(md.namespace ?? 'default', sa, {
          apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
          spec: { ...(audience ? { audiences: [audience] } : {}), expirationSeconds: exp, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: md.name!, uid: md.uid! } },
        });
      } catch (e) {
        // A cached token still valid is better than none (upstream keeps serving it).
        if (c && now < c.expiresAt) return { token: c.token, refreshAt: now + 10_000 };
        throw new Error(`failed to fetch token: ${(e as Error).message}`);
      }
      const token = res.status?.token;
      if (!token) throw new Error('failed to fetch token: the TokenRequest has no token in its status');
      const until = Date.parse(res.status?.expirationTimestamp ?? '');
      c = { token, issuedAt: now, expiresAt: Number.isFinite(until) ? until : now + exp * 1000 };
      this.cache.set(key, c);
    }
    return { token: c.token, refreshAt: refreshAt(c) };
  }

  /** Drop the tokens of a pod that is gone. */
  forgetPod(uid: string): void {
    for (const k of [...this.cache.keys()]) if ((JSON.parse(k) as string[])[4] === uid) this.cache.delete(k);
  }
}

/** 80% of the lifetime, at most a day after issue. */
function refreshAt(c: Cached): number {
  const ttl = c.expiresAt - c.issuedAt;
  return Math.min(c.issuedAt + ttl * 0.8, c.issuedAt + MAX_TTL_MS);
}
