/**
 * Service-account tokens (upstream pkg/serviceaccount: jwt.go, claims.go): RS256 JWTs signed with the cluster's
 * service-account key pair, kept in `<data-dir>/pki/sa.key` and `sa.pub` (kubeadm's names), created on first start.
 *
 * Claims as upstream's bound tokens: iss (https://kubernetes.default.svc.cluster.local), sub
 * system:serviceaccount:NS:NAME, aud, exp, iat, nbf, jti, and the private `kubernetes.io` claim with namespace,
 * serviceaccount {name, uid}, pod {name, uid} and node {name, uid} when bound to a scheduled pod, and warnafter for
 * the kubelet's extended tokens. Signing and verification are the `jose` library's; this module decides claims,
 * lifetimes and the key's id (upstream keyIDFromPublicKey: base64url(sha256(DER SubjectPublicKeyInfo))).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

/** kubeadm's --service-account-issuer; also the API server's audience (--api-audiences defaults to the issuer). */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The expiration the kubelet asks for in the injected projected volume (upstream WarnOnlyBoundTokenExpirationSeconds). */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
/** Upstream ExpirationExtensionSeconds: a pod token requested with 3607 s lives a year (warning after 3607 s). */
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;
/** Upstream validation.MinTokenAgeSec (10 minutes) and the largest expirationSeconds accepted (2^32 s). */
export const MIN_TOKEN_SECONDS = 10 * 60;
export const MAX_TOKEN_SECONDS = 2 ** 32;
/** Clock skew tolerated on exp/nbf/iat, and how long a deleted bound object still counts (go-jose DefaultLeeway). */
export const LEEWAY_SECONDS = 60;

export const SERVICE_ACCOUNT_USERNAME_PREFIX = 'system:serviceaccount:';
export const serviceAccountUsername = (ns: string, name: string) => `${SERVICE_ACCOUNT_USERNAME_PREFIX}${ns}:${name}`;

export interface ServiceAccountKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The JWT header's kid. */
  keyId: string;
}

export interface Ref { name: string; uid: string }

/** The private claims (upstream privateClaims.Kubernetes). */
export interface KubernetesClaims {
  namespace: string;
  serviceaccount: Ref;
  pod?: Ref;
  node?: Ref;
  secret?: Ref;
  warnafter?: number;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaims;
}

type Named = { metadata?: { name?: string; namespace?: string; uid?: string } };
const refOf = (o: Named): Ref => ({ name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '' });

/**
 * The claims of a token (upstream serviceaccount.Claims): for `sa`, optionally bound to `pod` (and the `node` it
 * runs on), to a `secret` or to a `node`, valid for `expirationSeconds` from `nowMs`.
 */
export function buildClaims(o: {
  issuer?: string; sa: Named; pod?: Named; node?: Named; secret?: Named; audiences: string[];
  expirationSeconds: number; warnAfterSeconds?: number; nowMs: number; jti?: string;
}): TokenClaims {
  const now = Math.floor(o.nowMs / 1000);
  const k: KubernetesClaims = { namespace: o.sa.metadata?.namespace ?? '', serviceaccount: refOf(o.sa) };
  if (o.pod) {
    k.pod = refOf(o.pod);
    if (o.node) k.node = refOf(o.node);
  } else if (o.secret) k.secret = refOf(o.secret);
  else if (o.node) k.node = refOf(o.node);
  if (o.warnAfterSeconds) k.warnafter = now + o.warnAfterSeconds;
  return {
    iss: o.issuer ?? SERVICE_ACCOUNT_ISSUER,
    sub: serviceAccountUsername(k.namespace, k.serviceaccount.name),
    aud: [...o.audiences],
    exp: now + o.expirationSeconds,
    iat: now,
    nbf: now,
    jti: o.jti ?? randomUUID(),
    'kubernetes.io': k,
  };
}

/** Upstream keyIDFromPublicKey. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

function keysFrom(privatePem: string): ServiceAccountKeys {
  const privateKey = createPrivateKey(privatePem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** A fresh RSA 2048 key pair (in memory). */
export function generateServiceAccountKeys(): ServiceAccountKeys {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return keysFrom(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

/** The key pair in `<dataDir>/pki/sa.key` (PKCS#8) and `sa.pub` (SPKI), created when missing. */
export function ensureServiceAccountKeys(dataDir: string): ServiceAccountKeys {
  const dir = join(dataDir, 'pki');
  const keyPath = join(dir, 'sa.key');
  const pubPath = join(dir, 'sa.pub');
  if (!existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
    writeFileSync(pubPath, publicKey.export({ type: 'spki', format: 'pem' }).toString(), { mode: 0o644 });
  }
  const keys = keysFrom(readFileSync(keyPath, 'utf8'));
  if (!existsSync(pubPath)) writeFileSync(pubPath, keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), { mode: 0o644 });
  return keys;
}

export interface TokenSignerOptions {
  /** The key pair, or none: one is generated on first use (tests, throwaway servers). */
  keys?: ServiceAccountKeys;
  issuer?: string;
  /** The API server's audiences (upstream --api-audiences; default: the issuer). */
  audiences?: string[];
  /** Upstream --service-account-max-token-expiration (seconds); unset: no cap below MAX_TOKEN_SECONDS. */
  maxExpirationSeconds?: number;
  /** Upstream --service-account-extend-token-expiration (default true). */
  extendExpiration?: boolean;
}

/** How many verified tokens are remembered (each a few hundred bytes). */
const VERIFIED_CACHE_SIZE = 4096;

/** The time checks of verified claims (exp, nbf with the leeway), as jwtVerify makes them. */
function timeError(c: TokenClaims, nowMs: number): VerifyResult | undefined {
  const now = Math.floor(nowMs / 1000);
  if (now - LEEWAY_SECONDS >= c.exp) return { ok: false, error: 'service account token has expired' };
  if (typeof c.nbf === 'number' && now + LEEWAY_SECONDS < c.nbf) return { ok: false, error: 'service account token is not valid yet' };
  return undefined;
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; error: string } | undefined;

/** Signs and verifies the cluster's service-account tokens. */
export class ServiceAccountTokenSigner {
  readonly issuer: string;
  readonly audiences: string[];
  readonly maxExpirationSeconds?: number;
  readonly extendExpiration: boolean;
  private keys?: ServiceAccountKeys;
  /** Tokens whose signature and claims were verified (oldest first, bounded): the RS256 check is most of the cost. */
  private verified = new Map<string, TokenClaims>();

  constructor(o: TokenSignerOptions = {}) {
    this.keys = o.keys;
    this.issuer = o.issuer ?? SERVICE_ACCOUNT_ISSUER;
    this.audiences = o.audiences?.length ? [...o.audiences] : [this.issuer];
    this.maxExpirationSeconds = o.maxExpirationSeconds;
    this.extendExpiration = o.extendExpiration ?? true;
  }

  private key(): ServiceAccountKeys {
    this.keys ??= generateServiceAccountKeys();
    return this.keys;
  }

  get publicKey(): KeyObject { return this.key().publicKey; }

  async sign(claims: TokenClaims): Promise<string> {
    const k = this.key();
    return new SignJWT({ ...claims } as unknown as Record<string, unknown>)
      .setProtectedHeader({ alg: 'RS256', kid: k.keyId })
      .sign(k.privateKey);
  }

  /**
   * Verify a bearer token: undefined when it is not a token of this issuer (another authenticator may know it),
   * an error when it is ours but invalid (bad signature, expired, not yet valid), else its claims. Audiences and
   * the bound objects are the caller's to check.
   */
  async verify(token: string, nowMs: number): Promise<VerifyResult> {
    // A signature, once checked, stays checked: only the time window is looked at again (claims are immutable).
    const seen = this.verified.get(token);
    if (seen) return timeError(seen, nowMs) ?? { ok: true, claims: seen };
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    let payload: Record<string, unknown>;
    try { payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')); } catch { return undefined; }
    if (!payload || typeof payload !== 'object' || payload.iss !== this.issuer) return undefined;
    try {
      const r = await jwtVerify(token, this.key().publicKey, {
        algorithms: ['RS256'], issuer: this.issuer, clockTolerance: LEEWAY_SECONDS, currentDate: new Date(nowMs),
        requiredClaims: ['exp', 'sub'],
      });
      const c = r.payload as unknown as TokenClaims;
      const k = c['kubernetes.io'];
      if (!k || typeof k !== 'object' || typeof k.namespace !== 'string' || !k.serviceaccount || typeof k.serviceaccount.name !== 'string') {
        return { ok: false, error: 'service account token claims could not be validated' };
      }
      if (typeof c.aud === 'string') c.aud = [c.aud];
      if (!Array.isArray(c.aud)) c.aud = [];
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, c);
      return { ok: true, claims: c };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) return { ok: false, error: 'service account token has expired' };
      if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'nbf') return { ok: false, error: 'service account token is not valid yet' };
      if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'iat') return { ok: false, error: 'service account token is issued in the future' };
      if (e instanceof joseErrors.JWSSignatureVerificationFailed) return { ok: false, error: 'token signature is invalid' };
      return { ok: false, error: 'service account token claims could not be validated' };
    }
  }
}
