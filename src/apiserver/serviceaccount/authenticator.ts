/**
 * The service-account token authenticator (upstream pkg/serviceaccount/claims.go validator and
 * k8s.io/apiserver/pkg/authentication/serviceaccount): a JWT of this cluster's issuer, correctly signed, not
 * expired, for one of the accepted audiences, whose service account — and bound pod, secret or node — still exists
 * with the uid in the token (deleted longer than the leeway ago counts as gone). The user is
 * system:serviceaccount:NS:NAME in system:serviceaccounts, system:serviceaccounts:NS and system:authenticated,
 * with the service account's uid and the pod/node/credential facts as `extra`.
 */
import type { KubeObject } from '../../api/resource.ts';
import type { TokenAuthenticator, UserInfo } from '../auth.ts';
import { LEEWAY_SECONDS, type ServiceAccountTokenSigner, type TokenClaims } from './tokens.ts';

/** Reads the objects a token names (undefined when absent). */
export interface BoundObjectLookup {
  serviceAccount(ns: string, name: string): Promise<KubeObject | undefined>;
  pod(ns: string, name: string): Promise<KubeObject | undefined>;
  secret(ns: string, name: string): Promise<KubeObject | undefined>;
  node(name: string): Promise<KubeObject | undefined>;
}

export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

/** The groups of every service account of `ns` (upstream serviceaccount.MakeGroupNames + system:authenticated). */
export const serviceAccountGroups = (ns: string) => ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'];

const deletedBefore = (o: KubeObject, limitMs: number) => {
  const t = o.metadata?.deletionTimestamp;
  return !!t && Date.parse(String(t)) < limitMs;
};

/** The UserInfo of valid claims (upstream ServiceAccountInfo.UserInfo). */
export function userOf(c: TokenClaims): UserInfo {
  const k = c['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (k.pod) { extra[EXTRA_POD_NAME] = [k.pod.name]; extra[EXTRA_POD_UID] = [k.pod.uid]; }
  if (k.node) { extra[EXTRA_NODE_NAME] = [k.node.name]; if (k.node.uid) extra[EXTRA_NODE_UID] = [k.node.uid]; }
  if (c.jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${c.jti}`];
  return {
    name: c.sub, uid: k.serviceaccount.uid, groups: serviceAccountGroups(k.namespace),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

/** Why valid-looking claims no longer hold (their objects went away), or undefined. */
export async function boundObjectsError(c: TokenClaims, lookup: BoundObjectLookup, nowMs: number): Promise<string | undefined> {
  const k = c['kubernetes.io'];
  const limit = nowMs - LEEWAY_SECONDS * 1000;
  const sa = await lookup.serviceAccount(k.namespace, k.serviceaccount.name);
  if (!sa) return `serviceaccounts "${k.serviceaccount.name}" not found`;
  if (sa.metadata?.uid !== k.serviceaccount.uid) return `service account UID (${sa.metadata?.uid}) does not match claim (${k.serviceaccount.uid})`;
  if (deletedBefore(sa, limit)) return `service account ${k.namespace}/${k.serviceaccount.name} has been deleted`;
  if (k.secret) {
    const s = await lookup.secret(k.namespace, k.secret.name);
    if (!s || deletedBefore(s, limit)) return 'service account token has been invalidated';
    if (s.metadata?.uid !== k.secret.uid) return `secret UID (${s.metadata?.uid}) does not match service account secret ref claim (${k.secret.uid})`;
  }
  if (k.pod) {
    const p = await lookup.pod(k.namespace, k.pod.name);
    if (!p || deletedBefore(p, limit)) return 'service account token has been invalidated';
    if (p.metadata?.uid !== k.pod.uid) return `pod UID (${p.metadata?.uid}) does not match service account pod ref claim (${k.pod.uid})`;
  } else if (k.node) {
    // Bound to a Node (not just naming the node of a bound pod): the node must still be there.
    const n = await lookup.node(k.node.name);
    if (!n || deletedBefore(n, limit)) return 'service account token has been invalidated';
    if (n.metadata?.uid !== k.node.uid) return `node UID (${n.metadata?.uid}) does not match service account node ref claim (${k.node.uid})`;
  }
  return undefined;
}

export function serviceAccountTokenAuthenticator(signer: ServiceAccountTokenSigner, lookup: BoundObjectLookup, now: () => number = Date.now): TokenAuthenticator {
  return async (token, audiences) => {
    const nowMs = now();
    const r = await signer.verify(token, nowMs);
    if (!r) return undefined;
    if (!r.ok) return { error: r.error };
    const c = r.claims;
    const want = audiences?.length ? audiences : signer.audiences;
    const matched = want.filter((a) => c.aud.includes(a));
    if (!matched.length) return { error: `token audiences ${goQuote(c.aud)} is invalid for the target audiences ${goQuote(want)}` };
    const err = await boundObjectsError(c, lookup, nowMs);
    if (err) return { error: err };
    return { user: userOf(c), audiences: matched };
  };
}

/** fmt's %q of a []string: ["a" "b"]. */
const goQuote = (l: string[]) => `[${l.map((s) => JSON.stringify(s)).join(' ')}]`;
