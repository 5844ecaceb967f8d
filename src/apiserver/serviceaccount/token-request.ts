/**
 * POST serviceaccounts/<name>/token (upstream pkg/registry/core/serviceaccount/storage/token.go): an
 * authentication.k8s.io/v1 TokenRequest in, the same object out with status.token (a signed JWT) and
 * status.expirationTimestamp.
 *
 *  - spec.expirationSeconds defaults to 3600; less than 600 or more than 2^32 is 422; more than the server's
 *    maximum is shortened to it with a warning. spec.audiences defaults to the API server's.
 *  - spec.boundObjectRef binds the token to a Pod (which must run as this service account; a scheduled pod's node
 *    goes into the claims too), a Node, or a Secret of the namespace; a uid that differs from the object's is 409.
 *  - A pod-bound token asked for with 3607 s (the kubelet's projected volume) for the API server's audiences lives
 *    a year with warnafter = 3607 s (upstream --service-account-extend-token-expiration).
 */
import type { KubeObject } from '../../api/resource.ts';
import { StatusError, badRequest, conflict, invalid as invalidError, internalError, routeMethodNotAllowed } from '../../api/errors.ts';
import type { FieldError } from '../../api/errors.ts';
import { invalid, isObj } from '../../api/validation/field.ts';
import { rfc3339 } from '../../util/clock.ts';
import { findTypeErrors, typeErrorMessage } from '../../api/schema-walk.ts';
import type { SubresourceHandler } from '../subresources/handler.ts';
import { pods } from '../../api/kinds/pods.ts';
import { nodes } from '../../api/kinds/nodes.ts';
import { secrets } from '../../api/kinds/config.ts';
import { buildClaims, EXPIRATION_EXTENSION_SECONDS, MAX_TOKEN_SECONDS, MIN_TOKEN_SECONDS, WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS, type ServiceAccountTokenSigner } from './tokens.ts';

type Obj = Record<string, any>;
const GROUP = 'authentication.k8s.io';
const TOKEN_REQUEST_SCHEMA = 'io.k8s.api.authentication.v1.TokenRequest';
export const DEFAULT_TOKEN_SECONDS = 3600;

/** Upstream ValidateTokenRequest. */
export function validateTokenRequest(tr: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const exp = tr.spec?.expirationSeconds;
  if (exp < MIN_TOKEN_SECONDS) errs.push(invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes'));
  if (exp > MAX_TOKEN_SECONDS) errs.push(invalid('spec.expirationSeconds', exp, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}

export const serveTokenRequest: SubresourceHandler = async (r) => {
  if (r.method !== 'POST') throw routeMethodNotAllowed();
  const signer = r.rest.serviceAccountTokens;
  if (!signer) throw internalError('service account token issuing is not configured');
  const body = await r.body();
  if (!isObj(body)) throw badRequest('the body of the request is not a TokenRequest object');
  // Wrong JSON types are a decoding error (400), as upstream's decoder reports them.
  const typeErrs = findTypeErrors(body, TOKEN_REQUEST_SCHEMA);
  if (typeErrs.length) throw badRequest(typeErrorMessage('TokenRequest', 'v1', typeErrs[0]));
  const req = structuredClone(body) as Obj;
  const ns = r.namespace!;
  const name = r.name;
  const meta: Obj = isObj(req.metadata) ? req.metadata : (req.metadata = {});
  if (meta.name && meta.name !== name) throw invalidError('TokenRequest', GROUP, name, [invalid('metadata.name', meta.name, 'must match the service account name if specified')]);
  if (meta.namespace && meta.namespace !== ns) throw invalidError('TokenRequest', GROUP, name, [invalid('metadata.namespace', meta.namespace, 'must match the service account namespace if specified')]);

  const sa = await r.registry.get(r.def, ns, name) as Obj;
  if (meta.uid && meta.uid !== sa.metadata?.uid) {
    throw conflict('TokenRequest', GROUP, name, `the UID in the token request (${meta.uid}) does not match the UID of the service account (${sa.metadata?.uid})`);
  }
  const spec: Obj = isObj(req.spec) ? req.spec : (req.spec = {});
  if (!Array.isArray(spec.audiences) || spec.audiences.length === 0) spec.audiences = [...signer.audiences];
  spec.expirationSeconds ??= DEFAULT_TOKEN_SECONDS;
  meta.name ||= name;
  meta.namespace ||= ns;
  meta.uid ||= sa.metadata?.uid;
  const nowMs = r.now();
  meta.creationTimestamp = rfc3339(nowMs);
  req.status = {};
  const errs = validateTokenRequest(req);
  if (errs.length) throw invalidError('TokenRequest', GROUP, '', errs);
  // Validating admission (NodeRestriction: a node's token must be bound to a pod running on it).
  await r.registry.admit({ operation: 'CREATE', def: r.def, namespace: ns, name, subresource: 'token', object: req, user: r.ctx.user });

  const bound = await boundObjects(r, spec.boundObjectRef, name);
  if (signer.maxExpirationSeconds && spec.expirationSeconds > signer.maxExpirationSeconds) {
    r.ctx.warnings.push(`requested expiration of ${spec.expirationSeconds} seconds shortened to ${signer.maxExpirationSeconds} seconds`);
    spec.expirationSeconds = signer.maxExpirationSeconds;
  }
  let exp = spec.expirationSeconds as number;
  let warnAfter: number | undefined;
  if (extendsExpiration(signer, bound.pod, exp, spec.audiences)) {
    warnAfter = exp;
    exp = Math.min(EXPIRATION_EXTENSION_SECONDS, signer.maxExpirationSeconds ?? EXPIRATION_EXTENSION_SECONDS);
  }
  const claims = buildClaims({ issuer: signer.issuer, sa, ...bound, audiences: spec.audiences, expirationSeconds: exp, warnAfterSeconds: warnAfter, nowMs });
  const token = await signer.sign(claims);
  req.apiVersion = `${GROUP}/v1`;
  req.kind = 'TokenRequest';
  req.status = { token, expirationTimestamp: rfc3339(nowMs + spec.expirationSeconds * 1000) };
  return { code: 201, body: req as KubeObject };
};

function extendsExpiration(signer: ServiceAccountTokenSigner, pod: KubeObject | undefined, exp: number, auds: string[]): boolean {
  return signer.extendExpiration && !!pod && exp === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS && auds.every((a) => signer.audiences.includes(a));
}

/** The object spec.boundObjectRef names, checked as upstream (kind, service account, uid). */
async function boundObjects(r: Parameters<SubresourceHandler>[0], ref: unknown, saName: string): Promise<{ pod?: Obj; node?: Obj; secret?: Obj }> {
  if (!isObj(ref)) return {};
  const apiVersion = String(ref.apiVersion ?? '');
  const kind = String(ref.kind ?? '');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const refName = String(ref.name ?? '');
  const ns = r.namespace!;
  let out: { pod?: Obj; node?: Obj; secret?: Obj };
  let uid: string | undefined;
  if (group === '' && kind === 'Pod') {
    const pod = await r.registry.get(pods, ns, refName) as Obj;
    if (pod.spec?.serviceAccountName !== saName) {
      throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
    }
    uid = pod.metadata?.uid;
    out = { pod };
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      // A missing Node still names the node (without uid), as upstream.
      out.node = await r.registry.get(nodes, undefined, nodeName).catch((e) => {
        if (e instanceof StatusError && e.code === 404) return { metadata: { name: nodeName } };
        throw e;
      }) as Obj;
    }
  } else if (group === '' && kind === 'Node') {
    const node = await r.registry.get(nodes, undefined, refName) as Obj;
    uid = node.metadata?.uid;
    out = { node };
  } else if (group === '' && kind === 'Secret') {
    const secret = await r.registry.get(secrets, ns, refName) as Obj;
    uid = secret.metadata?.uid;
    out = { secret };
  } else {
    throw badRequest(`cannot bind token to object of type ${gvkString(apiVersion, kind)}`);
  }
  if (ref.uid && ref.uid !== uid) {
    throw conflict(kind, group, refName, `the UID in the bound object reference (${String(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  return out;
}

/** schema.GroupVersionKind's String(): "group/version, Kind=kind". */
function gvkString(apiVersion: string, kind: string): string {
  const [g, v] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return `${g}/${v}, Kind=${kind}`;
}
