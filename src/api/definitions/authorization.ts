/**
 * authorization.k8s.io/v1 access reviews and authentication.k8s.io/v1 SelfSubjectReview (its UserInfo is in
 * ./authentication.ts): create-only kinds that are
 * never stored, answered from the authorizer and the request's user. Upstream's protobuf field numbers
 * (k8s.io/api/authorization/v1 and authentication/v1 generated.proto).
 */
import type { Schema } from '../schema.ts';
import { atomicList, bool, kind, map, obj, ref, str, strList } from './builders.ts';
import { AUTHN } from './authentication.ts';

export const AUTHZ = 'io.k8s.api.authorization.v1.';

const extra = (d: string): Schema => map(d, strList());
const EXTRA_ABSENT = { extra: 'map<string, ExtraValue>: not decoded from protobuf by kubelite (kubectl never sends it); JSON bodies carry it' };

const reviewKind = (name: string, description: string, spec: string, specDoc: string): Schema => kind('authorization.k8s.io', 'v1', name, description, {
  spec: ref(AUTHZ + spec, specDoc, { default: {} }),
  status: ref(AUTHZ + 'SubjectAccessReviewStatus', 'Status is filled in by the server and indicates whether the request is allowed or not', { default: {} }),
}, { required: ['spec'], proto: 'spec=2 status=3' });

export const authorizationDefinitions: Record<string, Schema> = {
  [AUTHZ + 'ResourceAttributes']: obj('ResourceAttributes includes the authorization attributes available for resource requests to the Authorizer interface', {
    group: str('Group is the API Group of the Resource.  "*" means all.'),
    name: str('Name is the name of the resource being requested for a "get" or deleted for a "delete". "" (empty) means all.'),
    namespace: str('Namespace is the namespace of the action being requested.  Currently, there is no distinction between no namespace and all namespaces "" (empty) is defaulted for LocalSubjectAccessReviews "" (empty) is empty for cluster-scoped resources "" (empty) means "all" for namespace scoped resources from a SubjectAccessReview or SelfSubjectAccessReview'),
    resource: str('Resource is one of the existing resource types.  "*" means all.'),
    subresource: str('Subresource is one of the existing resource types.  "" means none.'),
    verb: str('Verb is a kubernetes resource API verb, like: get, list, watch, create, update, delete, proxy.  "*" means all.'),
    version: str('Version is the API Version of the Resource.  "*" means all.'),
  }, { proto: 'namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7' }),
  [AUTHZ + 'NonResourceAttributes']: obj('NonResourceAttributes includes the authorization attributes available for non-resource requests to the Authorizer interface', {
    path: str('Path is the URL path of the request'),
    verb: str('Verb is the standard HTTP verb'),
  }, { proto: 'path=1 verb=2' }),
  [AUTHZ + 'SubjectAccessReviewSpec']: obj('SubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set', {
    extra: extra('Extra corresponds to the user.Info.GetExtra() method from the authenticator.  Since that is input to the authorizer it needs a reflection here.'),
    groups: strList("Groups is the groups you're testing for."),
    nonResourceAttributes: ref(AUTHZ + 'NonResourceAttributes', 'NonResourceAttributes describes information for a non-resource access request'),
    resourceAttributes: ref(AUTHZ + 'ResourceAttributes', 'ResourceAuthorizationAttributes describes information for a resource access request'),
    uid: str('UID information about the requesting user.'),
    user: str('User is the user you\'re testing for. If you specify "User" but not "Groups", then is it interpreted as "What if User were not a member of any groups'),
  }, { proto: 'resourceAttributes=1 nonResourceAttributes=2 user=3 groups=4 uid=6', protoAbsent: EXTRA_ABSENT }),
  [AUTHZ + 'SelfSubjectAccessReviewSpec']: obj('SelfSubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set', {
    nonResourceAttributes: ref(AUTHZ + 'NonResourceAttributes', 'NonResourceAttributes describes information for a non-resource access request'),
    resourceAttributes: ref(AUTHZ + 'ResourceAttributes', 'ResourceAuthorizationAttributes describes information for a resource access request'),
  }, { proto: 'resourceAttributes=1 nonResourceAttributes=2' }),
  [AUTHZ + 'SubjectAccessReviewStatus']: obj('SubjectAccessReviewStatus', {
    allowed: bool('Allowed is required. True if the action would be allowed, false otherwise.', { default: false }),
    denied: bool('Denied is optional. True if the action would be denied, otherwise false. If both allowed is false and denied is false, then the authorizer has no opinion on whether to authorize the action. Denied may not be true if Allowed is true.'),
    evaluationError: str('EvaluationError is an indication that some error occurred during the authorization check. It is entirely possible to get an error and be able to continue determine authorization status in spite of it. For instance, RBAC can be missing a role, but enough roles are still present and bound to reason about the request.'),
    reason: str('Reason is optional.  It indicates why a request was allowed or denied.'),
  }, { required: ['allowed'], proto: 'allowed=1? reason=2 evaluationError=3 denied=4' }),
  [AUTHZ + 'SubjectAccessReview']: reviewKind('SubjectAccessReview', 'SubjectAccessReview checks whether or not a user or group can perform an action.', 'SubjectAccessReviewSpec', 'Spec holds information about the request being evaluated'),
  [AUTHZ + 'LocalSubjectAccessReview']: reviewKind('LocalSubjectAccessReview', 'LocalSubjectAccessReview checks whether or not a user or group can perform an action in a given namespace. Having a namespace scoped resource makes it much easier to grant namespace scoped policy that includes permissions checking.', 'SubjectAccessReviewSpec', 'Spec holds information about the request being evaluated.  spec.namespace must be equal to the namespace you made the request against.  If empty, it is defaulted.'),
  [AUTHZ + 'SelfSubjectAccessReview']: reviewKind('SelfSubjectAccessReview', 'SelfSubjectAccessReview checks whether or the current user can perform an action.  Not filling in a spec.namespace means "in all namespaces".  Self is a special case, because users should always be able to check whether they can perform an action', 'SelfSubjectAccessReviewSpec', 'Spec holds information about the request being evaluated.  user and groups must be empty'),
  [AUTHZ + 'SelfSubjectRulesReviewSpec']: obj('SelfSubjectRulesReviewSpec defines the specification for SelfSubjectRulesReview.', {
    namespace: str('Namespace to evaluate rules for. Required.'),
  }, { proto: 'namespace=1' }),
  [AUTHZ + 'ResourceRule']: obj("ResourceRule is the list of actions the subject is allowed to perform on resources. The list ordering isn't significant, may contain duplicates, and possibly be incomplete.", {
    apiGroups: strList('APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed.  "*" means all.'),
    resourceNames: strList('ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.  "*" means all.'),
    resources: strList('Resources is a list of resources this rule applies to.  "*" means all in the specified apiGroups.\n "*/foo" represents the subresource \'foo\' for all resources in the specified apiGroups.'),
    verbs: strList('Verb is a list of kubernetes resource API verbs, like: get, list, watch, create, update, delete, proxy.  "*" means all.'),
  }, { required: ['verbs'], proto: 'verbs=1 apiGroups=2 resources=3 resourceNames=4' }),
  [AUTHZ + 'NonResourceRule']: obj('NonResourceRule holds information that describes a rule for the non-resource', {
    nonResourceURLs: strList('NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path.  "*" means all.'),
    verbs: strList('Verb is a list of kubernetes non-resource API verbs, like: get, post, put, delete, patch, head, options.  "*" means all.'),
  }, { required: ['verbs'], proto: 'verbs=1 nonResourceURLs=2' }),
  [AUTHZ + 'SubjectRulesReviewStatus']: obj("SubjectRulesReviewStatus contains the result of a rules check. This check can be incomplete depending on the set of authorizers the server is configured with and any errors experienced during evaluation. Because authorization rules are additive, if a rule appears in a list it's safe to assume the subject has that permission, even if that list is incomplete.", {
    evaluationError: str("EvaluationError can appear in combination with Rules. It indicates an error occurred during rule evaluation, such as an authorizer that doesn't support rule evaluation, and that ResourceRules and/or NonResourceRules may be incomplete."),
    incomplete: bool("Incomplete is true when the rules returned by this call are incomplete. This is most commonly encountered when an authorizer, such as an external authorizer, doesn't support rules evaluation.", { default: false }),
    nonResourceRules: atomicList(ref(AUTHZ + 'NonResourceRule', undefined, { default: {} }), "NonResourceRules is the list of actions the subject is allowed to perform on non-resources. The list ordering isn't significant, may contain duplicates, and possibly be incomplete."),
    resourceRules: atomicList(ref(AUTHZ + 'ResourceRule', undefined, { default: {} }), "ResourceRules is the list of actions the subject is allowed to perform on resources. The list ordering isn't significant, may contain duplicates, and possibly be incomplete."),
  }, { required: ['resourceRules', 'nonResourceRules', 'incomplete'], proto: 'resourceRules=1 nonResourceRules=2 incomplete=3? evaluationError=4' }),
  [AUTHZ + 'SelfSubjectRulesReview']: kind('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', "SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace. The returned list of actions may be incomplete depending on the server's authorization mode, and any errors experienced during the evaluation. SelfSubjectRulesReview should be used by UIs to show/hide actions, or to quickly let an end user reason about their permissions. It should NOT Be used by external systems to drive authorization decisions as this raises confused deputy, cache lifetime/revocation, and correctness concerns. SubjectAccessReview, and LocalAccessReview are the correct way to defer authorization decisions to the API server.", {
    spec: ref(AUTHZ + 'SelfSubjectRulesReviewSpec', 'Spec holds information about the request being evaluated.', { default: {} }),
    status: ref(AUTHZ + 'SubjectRulesReviewStatus', 'Status is filled in by the server and indicates the set of actions a user can perform.', { default: {} }),
  }, { required: ['spec'], proto: 'spec=2 status=3' }),

  [AUTHN + 'SelfSubjectReviewStatus']: obj('SelfSubjectReviewStatus is filled by the kube-apiserver and sent back to a user.', {
    userInfo: ref(AUTHN + 'UserInfo', 'User attributes of the user making this request.', { default: {} }),
  }, { proto: 'userInfo=1' }),
  [AUTHN + 'SelfSubjectReview']: kind('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request. When using impersonation, users will receive the user info of the user being impersonated.  If impersonation or request header authentication is used, any extra keys will have their case ignored and returned as lowercase.', {
    status: ref(AUTHN + 'SelfSubjectReviewStatus', 'Status is filled in by the server with the user attributes.', { default: {} }),
  }, { proto: 'status=2' }),
};
