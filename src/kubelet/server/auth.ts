/**
 * Who may call the node agent's server, decided as upstream's kubelet does with `--authentication-token-webhook`,
 * `--client-ca-file` and `--authorization-mode=Webhook` (pkg/kubelet/server/auth.go), anonymous access off:
 *
 *   authentication — a client certificate verified against the cluster CA (CN = user, O = groups), else a bearer
 *                    token the API server vouches for (TokenReview, answers cached 2 min as upstream's
 *                    --authentication-token-webhook-cache-ttl); anything else is 401 "Unauthorized".
 *   authorization  — a SubjectAccessReview to the API server for the node object: verb from the HTTP method
 *                    (GET/HEAD get, POST create, PUT update, PATCH patch, DELETE delete), subresource from the path
 *                    (/stats → stats, /metrics → metrics, /logs → log, /checkpoint → checkpoint, everything else —
 *                    exec, attach, portForward, containerLogs, run, pods, healthz — proxy). A denial is
 *                    403 "Forbidden (user=U, verb=V, resource=nodes, subresource=S)". Answers are cached (allowed
 *                    5 min, denied 30 s: upstream's webhook cache TTLs).
 *
 * The agent asks with its own node credential (system:node:<name> may create tokenreviews and
 * subjectaccessreviews, as upstream's system:node rules allow).
 */
import type * as http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { createHash } from 'node:crypto';
import type { KubeClient } from '../../client/client.ts';
import { StatusError } from '../../api/errors.ts';
import { realClock, type Clock } from '../../util/clock.ts';

export interface KubeletUser { name: string; groups: string[]; uid?: string; extra?: Record<string, string[]> }

/** What a request asks of the node (upstream's kubelet request attributes). */
export interface KubeletRequestAttributes { verb: string; subresource: string; path: string }

const TOKEN_TTL_MS = 120_000;
const ALLOW_TTL_MS = 300_000;
const DENY_TTL_MS = 30_000;
const CACHE_MAX = 1024;

/** Upstream's kubelet mapping of method and path to the SubjectAccessReview it asks. */
export function requestAttributes(method: string, path: string): KubeletRequestAttributes {
  const verbs: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  const verb = verbs[method.toUpperCase()] ?? method.toLowerCase();
  const under = (p: string) => path === p || path.startsWith(`${p}/`);
  const subresource = under('/stats') ? 'stats' : under('/metrics') ? 'metrics' : under('/logs') ? 'log' : under('/checkpoint') ? 'checkpoint' : 'proxy';
  return { verb, subresource, path };
}

class TtlCache<V> {
  private m = new Map<string, { v: V; until: number }>();
  constructor(private clock: Clock) {}
  get(k: string): V | undefined {
    const e = this.m.get(k);
    if (!e) return undefined;
    if (e.until <= this.clock.now()) { this.m.delete(k); return undefined; }
    return e.v;
  }
  set(k: string, v: V, ttlMs: number): void {
    if (this.m.size >= CACHE_MAX) this.m.delete(this.m.keys().next().value!);
    this.m.set(k, { v, until: this.clock.now() + ttlMs });
  }
}

export interface KubeletAuthOptions {
  /** The agent's API client, with its node credential. */
  client: KubeClient;
  nodeName: string;
  clock?: Clock;
}

export class KubeletAuth {
  private tokens: TtlCache<KubeletUser | null>;
  private decisions: TtlCache<boolean>;

  constructor(private o: KubeletAuthOptions) {
    const clock = o.clock ?? realClock;
    this.tokens = new TtlCache(clock);
    this.decisions = new TtlCache(clock);
  }

  /** The caller, or 401. */
  async authenticate(req: http.IncomingMessage): Promise<KubeletUser> {
    const h = req.headers.authorization ?? '';
    if (/^bearer\s+/i.test(h)) {
      const token = h.replace(/^bearer\s+/i, '').trim();
      const user = token ? await this.reviewToken(token) : null;
      if (!user) throw unauthorized();
      return user;
    }
    const sock = req.socket as TLSSocket;
    if (sock?.encrypted && sock.authorized) {
      const cert = sock.getPeerCertificate();
      const subj = cert?.subject as Record<string, string | string[]> | undefined;
      const cn = subj ? String(subj.CN ?? '') : '';
      if (cn) {
        const o = subj!.O;
        const groups = Array.isArray(o) ? o.map(String) : o ? [String(o)] : [];
        return { name: cn, groups: [...groups, 'system:authenticated'] };
      }
    }
    throw unauthorized();
  }

  /** Allowed, or 403 in upstream's words. */
  async authorize(user: KubeletUser, a: KubeletRequestAttributes): Promise<void> {
    const key = JSON.stringify([user.name, user.groups, user.uid, user.extra, a.verb, a.subresource]);
    let allowed = this.decisions.get(key);
    if (allowed === undefined) {
      const review = await this.o.client.request<any>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: {
          user: user.name, groups: user.groups, ...(user.uid ? { uid: user.uid } : {}), ...(user.extra ? { extra: user.extra } : {}),
          resourceAttributes: { verb: a.verb, group: '', version: 'v1', resource: 'nodes', subresource: a.subresource, name: this.o.nodeName },
        },
      }).catch((e) => { throw new StatusError(500, 'InternalError', `Authorization error (user=${user.name}, verb=${a.verb}, resource=nodes, subresource=${a.subresource}): ${(e as Error).message}`); });
      allowed = review?.status?.allowed === true;
      this.decisions.set(key, allowed, allowed ? ALLOW_TTL_MS : DENY_TTL_MS);
    }
    if (!allowed) throw new StatusError(403, 'Forbidden', `Forbidden (user=${user.name}, verb=${a.verb}, resource=nodes, subresource=${a.subresource})`);
  }

  private async reviewToken(token: string): Promise<KubeletUser | null> {
    const key = createHash('sha256').update(token).digest('hex');
    const memo = this.tokens.get(key);
    if (memo !== undefined) return memo;
    const review = await this.o.client.request<any>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
    }).catch((e) => { throw new StatusError(500, 'InternalError', `Authentication error: ${(e as Error).message}`); });
    const u = review?.status?.authenticated === true && review.status.user?.username
      ? { name: String(review.status.user.username), groups: (review.status.user.groups ?? []).map(String), uid: review.status.user.uid || undefined, extra: review.status.user.extra }
      : null;
    this.tokens.set(key, u, TOKEN_TTL_MS);
    return u;
  }
}

function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}
