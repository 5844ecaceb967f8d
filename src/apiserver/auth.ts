/**
 * Authentication filter: a request is admitted with a valid bearer token or a client certificate the TLS layer
 * verified against the cluster CA. Bearer tokens are tried against the static tokens the server knows (constant-time
 * compare), then against the token authenticators added to it (service-account JWTs, src/apiserver/serviceaccount);
 * a token none of them knows — or one an authenticator rejects — is a 401, even when a certificate is presented
 * (as upstream). The same chain answers TokenReview (`authenticateToken`).
 */
import type * as http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual, createHash } from 'node:crypto';

export interface UserInfo {
  name: string;
  groups: string[];
  /** Upstream user.Info GetUID (a service account's uid). */
  uid?: string;
  /** Upstream user.Info GetExtra (e.g. authentication.kubernetes.io/pod-name for service-account tokens). */
  extra?: Record<string, string[]>;
}

/** What one token authenticator says: nothing (not its token), an error (its token, invalid), or the user. */
export type TokenAuthResult = { user: UserInfo; audiences?: string[] } | { error: string } | undefined;
/** `audiences`: the audiences the caller identifies as (TokenReview spec.audiences); default the API server's. */
export type TokenAuthenticator = (token: string, audiences?: string[]) => Promise<TokenAuthResult>;

export class Authenticator {
  private tokens = new Map<string, UserInfo>();
  private authenticators: TokenAuthenticator[] = [];
  private bySocket = new WeakMap<object, { header: string; user: UserInfo; generation: number }>();
  /** Bumped when the token set changes, so no socket keeps a result from the old set. */
  private generation = 0;

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(digest(token), user);
    this.generation++;
  }

  /** A token authenticator tried after the static tokens (upstream: the union of token authenticators). */
  addTokenAuthenticator(a: TokenAuthenticator): void {
    this.authenticators.push(a);
  }

  private staticToken(tok: string): UserInfo | null {
    const d = Buffer.from(digest(tok), 'hex');
    for (const [k, u] of this.tokens) {
      if (timingSafeEqual(Buffer.from(k, 'hex'), d)) return u;
    }
    return null;
  }

  /** A bearer token through the whole chain (TokenReview). */
  async authenticateToken(tok: string, audiences?: string[]): Promise<{ user?: UserInfo; audiences?: string[]; error?: string }> {
    const u = this.staticToken(tok);
    if (u) return { user: u };
    const errs: string[] = [];
    for (const a of this.authenticators) {
      const r = await a(tok, audiences);
      if (!r) continue;
      if ('user' in r) return r;
      errs.push(r.error);
    }
    return { error: errs.length ? `[invalid bearer token, ${errs.join(', ')}]` : 'invalid bearer token' };
  }

  async authenticate(req: http.IncomingMessage): Promise<UserInfo | null> {
    const h = req.headers.authorization;
    if (h && /^bearer\s+/i.test(h)) {
      // A keep-alive connection sends the same header on every request: the last static-token result is kept per
      // socket (compared with that connection's own previous header, so it reveals nothing about other tokens).
      // Token authenticators' results are not kept: a bound token stops working when its pod goes.
      const sock = req.socket as object | undefined;
      const memo = sock ? this.bySocket.get(sock) : undefined;
      if (memo && memo.header === h && memo.generation === this.generation) return memo.user;
      const tok = h.replace(/^bearer\s+/i, '').trim();
      const found = this.staticToken(tok);
      if (found) {
        if (sock) this.bySocket.set(sock, { header: h, user: found, generation: this.generation });
        return found;
      }
      for (const a of this.authenticators) {
        const r = await a(tok);
        if (r && 'user' in r) return r.user;
      }
      return null; // a wrong token is a failure even if a certificate is presented (as upstream: 401)
    }
    const sock = req.socket as TLSSocket;
    if (sock && (sock as any).encrypted && sock.authorized) {
      const cert = sock.getPeerCertificate();
      if (cert && cert.subject) {
        const cn = String((cert.subject as any).CN ?? '');
        const o = (cert.subject as any).O;
        const groups = Array.isArray(o) ? o.map(String) : o ? [String(o)] : [];
        return { name: cn, groups: [...groups, 'system:authenticated'] };
      }
    }
    return null;
  }
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
