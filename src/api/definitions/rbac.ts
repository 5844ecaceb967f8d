/**
 * rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding, with upstream's protobuf field
 * numbers (k8s.io/api/rbac/v1/generated.proto).
 */
import type { Schema } from '../schema.ts';
import { META, atomicList, kind, listKind, obj, ref, str, strList } from './builders.ts';

export const RBAC = 'io.k8s.api.rbac.v1.';

export const rbacDefinitions: Record<string, Schema> = {
  [RBAC + 'PolicyRule']: obj('PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.', {
    apiGroups: strList('APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. "" represents the core API group and "*" represents all API groups.'),
    nonResourceURLs: strList('NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path Since non-resource URLs are not namespaced, this field is only applicable for ClusterRoles referenced from a ClusterRoleBinding. Rules can either apply to API resources (such as "pods" or "secrets") or non-resource URL paths (such as "/api"),  but not both.'),
    resourceNames: strList('ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.'),
    resources: strList("Resources is a list of resources this rule applies to. '*' represents all resources."),
    verbs: strList("Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs."),
  }, { required: ['verbs'], proto: 'verbs=1 apiGroups=2 resources=3 resourceNames=4 nonResourceURLs=5' }),
  [RBAC + 'AggregationRule']: obj('AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole', {
    clusterRoleSelectors: atomicList(ref(META + 'LabelSelector'), "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole's permissions will be added"),
  }, { proto: 'clusterRoleSelectors=1' }),
  [RBAC + 'RoleRef']: obj('RoleRef contains information that points to the role being used', {
    apiGroup: str('APIGroup is the group for the resource being referenced', { default: '' }),
    kind: str('Kind is the type of resource being referenced', { default: '' }),
    name: str('Name is the name of resource being referenced', { default: '' }),
  }, { required: ['apiGroup', 'kind', 'name'], mapType: 'atomic', proto: 'apiGroup=1? kind=2? name=3?' }),
  [RBAC + 'Subject']: obj('Subject contains a reference to the object or user identities a role binding applies to.  This can either hold a direct API object reference, or a value for non-objects such as user and group names.', {
    apiGroup: str('APIGroup holds the API group of the referenced subject. Defaults to "" for ServiceAccount subjects. Defaults to "rbac.authorization.k8s.io" for User and Group subjects.'),
    kind: str('Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount". If the Authorizer does not recognized the kind value, the Authorizer should report an error.', { default: '' }),
    name: str('Name of the object being referenced.', { default: '' }),
    namespace: str('Namespace of the referenced object.  If the object kind is non-namespace, such as "User" or "Group", and this value is not empty the Authorizer should report an error.'),
  }, { required: ['kind', 'name'], mapType: 'atomic', proto: 'kind=1? apiGroup=2 name=3? namespace=4' }),
  [RBAC + 'Role']: kind('rbac.authorization.k8s.io', 'v1', 'Role', 'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.', {
    rules: atomicList(ref(RBAC + 'PolicyRule', undefined, { default: {} }), 'Rules holds all the PolicyRules for this Role'),
  }, { proto: 'rules=2' }),
  [RBAC + 'RoleList']: listKind('rbac.authorization.k8s.io', 'v1', 'RoleList', RBAC + 'Role', 'RoleList is a collection of Roles'),
  [RBAC + 'ClusterRole']: kind('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.', {
    aggregationRule: ref(RBAC + 'AggregationRule', 'AggregationRule is an optional field that describes how to build the Rules for this ClusterRole. If AggregationRule is set, then the Rules are controller managed and direct changes to Rules will be stomped by the controller.'),
    rules: atomicList(ref(RBAC + 'PolicyRule', undefined, { default: {} }), 'Rules holds all the PolicyRules for this ClusterRole'),
  }, { proto: 'rules=2 aggregationRule=3' }),
  [RBAC + 'ClusterRoleList']: listKind('rbac.authorization.k8s.io', 'v1', 'ClusterRoleList', RBAC + 'ClusterRole', 'ClusterRoleList is a collection of ClusterRoles'),
  [RBAC + 'RoleBinding']: kind('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace. It adds who information via Subjects and namespace information by which namespace it exists in.  RoleBindings in a given namespace only have effect in that namespace.', {
    roleRef: ref(RBAC + 'RoleRef', "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.", { default: {} }),
    subjects: atomicList(ref(RBAC + 'Subject', undefined, { default: {} }), 'Subjects holds references to the objects the role applies to.'),
  }, { required: ['roleRef'], proto: 'subjects=2 roleRef=3' }),
  [RBAC + 'RoleBindingList']: listKind('rbac.authorization.k8s.io', 'v1', 'RoleBindingList', RBAC + 'RoleBinding', 'RoleBindingList is a collection of RoleBindings'),
  [RBAC + 'ClusterRoleBinding']: kind('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.', {
    roleRef: ref(RBAC + 'RoleRef', 'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.', { default: {} }),
    subjects: atomicList(ref(RBAC + 'Subject', undefined, { default: {} }), 'Subjects holds references to the objects the role applies to.'),
  }, { required: ['roleRef'], proto: 'subjects=2 roleRef=3' }),
  [RBAC + 'ClusterRoleBindingList']: listKind('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBindingList', RBAC + 'ClusterRoleBinding', 'ClusterRoleBindingList is a collection of ClusterRoleBindings'),
};

