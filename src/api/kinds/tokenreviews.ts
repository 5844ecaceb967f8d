/**
 * authentication.k8s.io/v1 TokenReview (upstream pkg/registry/authentication/tokenreview): create-only, never
 * stored. The server's authenticator chain judges spec.token for spec.audiences (default: the API server's) and the
 * answer comes back in status: authenticated, user {username, uid, groups, extra}, audiences, error.
 */
import { badRequest, internalError } from '../errors.ts';
import { define } from './common.ts';

type Obj = Record<string, any>;

export const tokenreviews = define({
  group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', namespaced: false,
  schemaName: 'io.k8s.api.authentication.v1.TokenReview',
  verbs: ['create'],
  hasGeneration: false,
  garbageCollected: false,
  defaults() {},
  validate: () => [],
  review: (rest) => async (obj) => {
    const tr = obj as Obj;
    const spec: Obj = tr.spec && typeof tr.spec === 'object' ? tr.spec : {};
    if (!spec.token) throw badRequest('token is required for TokenReview in authentication');
    const authn = rest.authenticator;
    if (!authn) throw internalError('no authenticator configured');
    const apiAudiences = rest.serviceAccountTokens?.audiences ?? [];
    const auds: string[] = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences : apiAudiences;
    const r = await authn.authenticateToken(String(spec.token), auds);
    const status: Obj = { authenticated: !!r.user, user: {} };
    if (r.error) status.error = r.error;
    if (r.user) {
      // Static tokens are audience-agnostic: they are valid for whatever audiences were asked.
      const got = r.audiences ?? auds;
      if (auds.length && !got.some((a) => auds.includes(a))) throw internalError('error validating audiences');
      status.user = {
        username: r.user.name,
        ...(r.user.uid ? { uid: r.user.uid } : {}),
        groups: [...r.user.groups],
        ...(r.user.extra ? { extra: r.user.extra } : {}),
      };
      status.audiences = got;
    }
    return { ...tr, metadata: { ...(tr.metadata ?? {}), creationTimestamp: null }, status } as typeof obj;
  },
});
