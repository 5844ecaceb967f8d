/**
 * Authorization seam (upstream k8s.io/apiserver authorizer.Attributes and Decision). Every request — REST verbs,
 * watch, subresources, connect (exec/attach/portforward/proxy/log), non-resource paths — is described by one
 * `Attributes` and asked of the authorizer chain before it is served: the first Allow or Deny wins, NoOpinion falls
 * through; the end of the chain denies (403 with upstream's message).
 * Chain order, as kube-apiserver's `--authorization-mode=Node,RBAC` (with system:masters short-circuiting first).
 */
import type { UserInfo } from '../auth.ts';

export type Decision = 'Allow' | 'Deny' | 'NoOpinion';

export interface Attributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection; or for non-resource requests the lower-case HTTP method (get, post, put, ...); plus the special verbs escalate, bind, impersonate, use, approve. */
  verb: string;
  /** true for /api and /apis/<g>/<v>/... requests that name a resource */
  resourceRequest: boolean;
  /** non-resource requests: the URL path (e.g. /healthz, /version, /api) */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** list/watch: the request's raw fieldSelector (upstream GetFieldSelector; the Node authorizer lets a node list
   *  and watch pods only with spec.nodeName=<itself>). */
  fieldSelector?: string;
}

export interface AuthorizerResult {
  decision: Decision;
  /** Upstream's reason string (shown in SubjectAccessReview status.reason and 403 messages where upstream shows it). */
  reason: string;
}

export interface Authorizer {
  authorize(a: Attributes): AuthorizerResult | Promise<AuthorizerResult>;
}
