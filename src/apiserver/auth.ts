/**
 * Authentication filter: a request is admitted with a valid bearer token (constant-time compare against the
 * tokens the server knows) or a client certificate the TLS layer verified against the cluster CA.
 * Anything else gets 401. What the user may do is decided afterwards by the authorizer chain (./authz).
 */
import type * as http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual, createHash } from 'node:crypto';

export interface UserInfo {
  name: string;
  groups: string[];
  /** Upstream user.Info's UID and Extra (service-account tokens, impersonation). */
  uid?: string;
  extra?: Record<string, string[]>;
}

export class Authenticator {
  private tokens = new Map<string, UserInfo>();
  private bySocket = new WeakMap<object, { header: string; user: UserInfo; generation: number }>();
  /** Bumped when the token set changes, so no socket keeps a result from the old set. */
  private generation = 0;

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(digest(token), user);
    this.generation++;
  }

  authenticate(req: http.IncomingMessage): UserInfo | null {
    const h = req.headers.authorization;
    if (h && /^bearer\s+/i.test(h)) {
      // A keep-alive connection sends the same header on every request: the last result is kept per socket
      // (the comparison is with that connection's own previous header, so it reveals nothing about other tokens).
      const sock = req.socket as object | undefined;
      const memo = sock ? this.bySocket.get(sock) : undefined;
      if (memo && memo.header === h && memo.generation === this.generation) return memo.user;
      const tok = h.replace(/^bearer\s+/i, '').trim();
      const d = Buffer.from(digest(tok), 'hex');
      let found: UserInfo | null = null;
      for (const [k, u] of this.tokens) {
        if (timingSafeEqual(Buffer.from(k, 'hex'), d)) { found = u; break; }
      }
      if (found && sock) this.bySocket.set(sock, { header: h, user: found, generation: this.generation });
      return found; // a wrong token is a failure even if a certificate is presented (as upstream: 401)
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
