/**
 * Authentication filter: a request is admitted with a valid bearer token (constant-time compare against the
 * tokens the server knows) or a client certificate the TLS layer verified against the cluster CA.
 * Anything else gets 401. Authorization beyond "authenticated = admin" comes later.
 */
import type * as http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual, createHash } from 'node:crypto';

export interface UserInfo {
  name: string;
  groups: string[];
}

export class Authenticator {
  private tokens = new Map<string, UserInfo>();

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(digest(token), user);
  }

  authenticate(req: http.IncomingMessage): UserInfo | null {
    const h = req.headers.authorization;
    if (h && /^bearer\s+/i.test(h)) {
      const tok = h.replace(/^bearer\s+/i, '').trim();
      const d = digest(tok);
      for (const [k, u] of this.tokens) {
        if (timingSafeEqual(Buffer.from(k, 'hex'), Buffer.from(d, 'hex'))) return u;
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
