/**
 * The default ClusterRoles and ClusterRoleBindings (upstream plugin/pkg/auth/authorizer/rbac/bootstrappolicy: the
 * rule contents are upstream's, as its testdata renders them, for the kinds kubelite serves), plus the aggregated
 * roles the add-ons kubelite builds in would install (metrics-server's system:aggregated-metrics-reader, Argo
 * Rollouts' argo-rollouts-aggregate-to-*) and the bindings of kubelite's own component identities.
 * Every object carries `kubernetes.io/bootstrapping: rbac-defaults` and `rbac.authorization.kubernetes.io/autoupdate: "true"`.
 */
import type { PolicyRule } from './rules.ts';
import type { Subject } from './rbac.ts';

/** A resource rule: verbs, groups ('core' = ""), resources, optional names — each a space-separated list. */
function r(verbs: string, groups: string, resources: string, names?: string): PolicyRule {
  const l = (s: string) => s.split(' ').filter(Boolean);
  const rule: PolicyRule = { apiGroups: l(groups).map((g) => (g === 'core' ? '' : g)), resources: l(resources) };
  if (names) rule.resourceNames = l(names);
  rule.verbs = l(verbs);
  return rule;
}
/** A non-resource rule. */
const nr = (verbs: string, urls: string): PolicyRule => ({ nonResourceURLs: urls.split(' '), verbs: verbs.split(' ') });

const RW = 'create delete deletecollection patch update';
const RO = 'get list watch';
const ALL_RW = 'create delete deletecollection get list patch update watch';
const events = () => r('create patch update', 'core events.k8s.io', 'events');
/** upstream's controller roles list events as ("create", "update", "patch") on "" and events.k8s.io. */
const ctrlEvents = () => r('create update patch', 'core events.k8s.io', 'events');

export interface DefaultClusterRole { name: string; rules?: PolicyRule[]; labels?: Record<string, string>; aggregateFrom?: string }
export interface DefaultClusterRoleBinding { name: string; role: string; subjects: Subject[] }

const AGG = 'rbac.authorization.k8s.io/aggregate-to-';
const ARGO_EDIT = r(ALL_RW, 'argoproj.io', 'rollouts rollouts/scale rollouts/status experiments analysistemplates clusteranalysistemplates analysisruns');
const agg = (...to: string[]) => Object.fromEntries(to.map((t) => [AGG + t, 'true']));

export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
export const SCHEDULER_USER = 'system:kube-scheduler';
export const PROXY_USER = 'system:kube-proxy';
/** kubelite's cluster DNS (upstream CoreDNS runs as the kube-system/coredns service account). */
export const DNS_USER = 'kubelite:cluster-dns';
/** The on-demand Prometheus' service discovery. */
export const PROMETHEUS_USER = 'kubelite:prometheus';

/** The controllers kubelite's controller manager runs, each with its upstream role. */
export const CONTROLLER_ROLES: DefaultClusterRole[] = [
  { name: 'system:controller:clusterrole-aggregation-controller', rules: [r('escalate get list watch update patch', 'rbac.authorization.k8s.io', 'clusterroles')] },
  { name: 'system:controller:deployment-controller', rules: [
    r('get list watch update', 'extensions apps', 'deployments'), r('update', 'extensions apps', 'deployments/status'),
    r('update', 'extensions apps', 'deployments/finalizers'), r('get list watch create update patch delete', 'apps extensions', 'replicasets'),
    r('get list watch update', 'core', 'pods'), ctrlEvents(),
  ] },
  { name: 'system:controller:disruption-controller', rules: [
    r(RO, 'extensions apps', 'deployments'), r(RO, 'apps extensions', 'replicasets'), r(RO, 'core', 'replicationcontrollers'),
    r(RO, 'policy', 'poddisruptionbudgets'), r(RO, 'apps', 'statefulsets'), r('update', 'policy', 'poddisruptionbudgets/status'),
    r('patch update', 'core', 'pods/status'), r('get', '*', '*/scale'), ctrlEvents(),
  ] },
  { name: 'system:controller:endpoint-controller', rules: [
    r(RO, 'core', 'services pods'), r('get list watch create update delete', 'core', 'endpoints'), r('create', 'core', 'endpoints/restricted'), ctrlEvents(),
  ] },
  { name: 'system:controller:endpointslice-controller', rules: [
    r(RO, 'core', 'services pods nodes'), r('update', 'core', 'services/finalizers'),
    r('get list watch create update delete', 'discovery.k8s.io', 'endpointslices'), ctrlEvents(),
  ] },
  { name: 'system:controller:generic-garbage-collector', rules: [r('get list watch patch update delete', '*', '*'), ctrlEvents()] },
  { name: 'system:controller:horizontal-pod-autoscaler', rules: [
    r(RO, 'autoscaling', 'horizontalpodautoscalers'), r('update', 'autoscaling', 'horizontalpodautoscalers/status'),
    r('get update', '*', '*/scale'), r('list watch', 'core', 'pods'), r('list watch', 'metrics.k8s.io', 'pods'),
    r(RO, 'custom.metrics.k8s.io', '*'), r(RO, 'external.metrics.k8s.io', '*'), ctrlEvents(),
  ] },
  { name: 'system:controller:namespace-controller', rules: [
    r('get list watch delete', 'core', 'namespaces'), r('update', 'core', 'namespaces/finalize namespaces/status'),
    r('get list watch delete deletecollection', '*', '*'),
  ] },
  { name: 'system:controller:node-controller', rules: [
    r('get list watch update delete patch', 'core', 'nodes'), r('patch update', 'core', 'nodes/status'),
    r('patch update', 'core', 'pods/status'), r('list watch get delete', 'core', 'pods'), ctrlEvents(),
  ] },
  { name: 'system:controller:root-ca-cert-publisher', rules: [r('create update', 'core', 'configmaps'), ctrlEvents()] },
  { name: 'system:controller:service-account-controller', rules: [r('create', 'core', 'serviceaccounts'), ctrlEvents()] },
  { name: 'system:controller:replicaset-controller', rules: [
    r('get list watch update', 'apps extensions', 'replicasets'), r('update', 'apps extensions', 'replicasets/status'),
    r('update', 'apps extensions', 'replicasets/finalizers'), r('list watch patch create delete', 'core', 'pods'), ctrlEvents(),
  ] },
];

/** Argo Rollouts' controller role (its install manifest's argo-rollouts ClusterRole, for the kinds kubelite serves). */
const ARGO_ROLLOUTS: DefaultClusterRole = { name: 'argo-rollouts', rules: [
  r('get list watch update patch', 'argoproj.io', 'rollouts rollouts/status rollouts/finalizers'),
  r('create get list watch update patch delete', 'argoproj.io', 'analysisruns analysisruns/finalizers experiments experiments/finalizers'),
  r(RO, 'argoproj.io', 'analysistemplates clusteranalysistemplates'),
  r('create get list watch update patch delete', 'apps', 'replicasets'),
  r('get list watch patch create delete', 'core', 'services'),
  r('create get update', 'coordination.k8s.io', 'leases'),
  r(RO, 'core', 'secrets configmaps'),
  r('list update watch', 'core', 'pods'), r('create', 'core', 'pods/eviction'),
  r('create update patch', 'core', 'events'),
  r('create get list watch update patch delete', 'batch', 'jobs'),
  r(RO, 'apps', 'deployments'),
] };

/** What the cluster DNS and the Prometheus service discovery read. */
const KUBELITE_ROLES: DefaultClusterRole[] = [
  { name: 'kubelite:cluster-dns', rules: [
    r('list watch', 'core', 'endpoints services'), r('list watch', 'discovery.k8s.io', 'endpointslices'),
    r(RO, 'core', 'pods namespaces'), r('create', 'core', 'namespaces'),
    r('get create update', 'core', 'services endpoints'),
  ] },
  { name: 'kubelite:prometheus', rules: [r(RO, 'core', 'nodes services endpoints pods'), nr('get', '/metrics')] },
  { name: 'kubelite:node-proxier:pods', rules: [r(RO, 'core', 'pods')] },
  /** The API server's credential towards node agents: node agents check it by reading the pod or node it names. */
  { name: 'kubelite:kube-apiserver-kubelet-client', rules: [r('get', 'core', 'pods')] },
];

export const DEFAULT_CLUSTER_ROLES: DefaultClusterRole[] = [
  { name: 'admin', aggregateFrom: 'admin' },
  { name: 'cluster-admin', rules: [r('*', '*', '*'), nr('*', '*')] },
  { name: 'edit', labels: agg('admin'), aggregateFrom: 'edit' },
  { name: 'system:aggregate-to-admin', labels: agg('admin'), rules: [
    r('create', 'authorization.k8s.io', 'localsubjectaccessreviews'),
    r(ALL_RW, 'rbac.authorization.k8s.io', 'rolebindings roles'),
  ] },
  { name: 'system:aggregate-to-edit', labels: agg('edit'), rules: [
    r(RO, 'core', 'pods/attach pods/exec pods/portforward pods/proxy secrets services/proxy'),
    r('impersonate', 'core', 'serviceaccounts'),
    r(RW, 'core', 'pods pods/attach pods/exec pods/portforward pods/proxy'),
    r('create', 'core', 'pods/eviction'),
    r(RW, 'core', 'configmaps events persistentvolumeclaims replicationcontrollers replicationcontrollers/scale secrets serviceaccounts services services/proxy'),
    r('create', 'core', 'serviceaccounts/token'),
    r(RW, 'apps', 'daemonsets deployments deployments/rollback deployments/scale replicasets replicasets/scale statefulsets statefulsets/scale'),
    r(RW, 'autoscaling', 'horizontalpodautoscalers'),
    r(RW, 'batch', 'cronjobs jobs'),
    r(RW, 'extensions', 'daemonsets deployments deployments/rollback deployments/scale ingresses networkpolicies replicasets replicasets/scale replicationcontrollers/scale'),
    r(RW, 'policy', 'poddisruptionbudgets'),
    r(RW, 'networking.k8s.io', 'ingresses networkpolicies'),
    r(ALL_RW, 'coordination.k8s.io', 'leases'),
  ] },
  { name: 'system:aggregate-to-view', labels: agg('view'), rules: [
    r(RO, 'core', 'configmaps endpoints persistentvolumeclaims persistentvolumeclaims/status pods replicationcontrollers replicationcontrollers/scale serviceaccounts services services/status'),
    r(RO, 'core', 'bindings events limitranges namespaces/status pods/log pods/status replicationcontrollers/status resourcequotas resourcequotas/status'),
    r(RO, 'core', 'namespaces'),
    r(RO, 'discovery.k8s.io', 'endpointslices'),
    r(RO, 'apps', 'controllerrevisions daemonsets daemonsets/status deployments deployments/scale deployments/status replicasets replicasets/scale replicasets/status statefulsets statefulsets/scale statefulsets/status'),
    r(RO, 'autoscaling', 'horizontalpodautoscalers horizontalpodautoscalers/status'),
    r(RO, 'batch', 'cronjobs cronjobs/status jobs jobs/status'),
    r(RO, 'extensions', 'daemonsets daemonsets/status deployments deployments/scale deployments/status ingresses ingresses/status networkpolicies replicasets replicasets/scale replicasets/status replicationcontrollers/scale'),
    r(RO, 'policy', 'poddisruptionbudgets poddisruptionbudgets/status'),
    r(RO, 'networking.k8s.io', 'ingresses ingresses/status networkpolicies'),
  ] },
  { name: 'system:auth-delegator', rules: [r('create', 'authentication.k8s.io', 'tokenreviews'), r('create', 'authorization.k8s.io', 'subjectaccessreviews')] },
  { name: 'system:basic-user', rules: [
    r('create', 'authorization.k8s.io', 'selfsubjectaccessreviews selfsubjectrulesreviews'),
    r('create', 'authentication.k8s.io', 'selfsubjectreviews'),
  ] },
  { name: 'system:discovery', rules: [nr('get', '/api /api/* /apis /apis/* /healthz /livez /openapi /openapi/* /readyz /version /version/')] },
  { name: 'system:kube-controller-manager', rules: [
    events(), r('create', 'coordination.k8s.io', 'leases'), r('get update', 'coordination.k8s.io', 'leases', 'kube-controller-manager'),
    r('create', 'core', 'secrets serviceaccounts'), r('delete', 'core', 'secrets'), r('get', 'core', 'configmaps namespaces secrets serviceaccounts'),
    r('update', 'core', 'secrets serviceaccounts'), r('create', 'authentication.k8s.io', 'tokenreviews'),
    r('create', 'authorization.k8s.io', 'subjectaccessreviews'), r('list watch', '*', '*'), r('create', 'core', 'serviceaccounts/token'),
  ] },
  { name: 'system:kube-dns', rules: [r('list watch', 'core', 'endpoints services')] },
  { name: 'system:kube-scheduler', rules: [
    events(), r('create', 'coordination.k8s.io', 'leases'), r('get update', 'coordination.k8s.io', 'leases', 'kube-scheduler'),
    r(RO, 'core', 'nodes'), r('delete get list watch', 'core', 'pods'), r('create', 'core', 'bindings pods/binding'),
    r('patch update', 'core', 'pods/status'), r(RO, 'core', 'replicationcontrollers services'), r(RO, 'apps extensions', 'replicasets'),
    r(RO, 'apps', 'statefulsets'), r(RO, 'policy', 'poddisruptionbudgets'), r(RO, 'core', 'persistentvolumeclaims persistentvolumes'),
    r('create', 'authentication.k8s.io', 'tokenreviews'), r('create', 'authorization.k8s.io', 'subjectaccessreviews'),
    r(RO, 'storage.k8s.io', 'csinodes'), r(RO, 'core', 'namespaces'), r(RO, 'storage.k8s.io', 'csidrivers'), r(RO, 'storage.k8s.io', 'csistoragecapacities'),
  ] },
  { name: 'system:kubelet-api-admin', rules: [r(RO, 'core', 'nodes'), r('proxy', 'core', 'nodes'), r('*', 'core', 'nodes/log nodes/metrics nodes/proxy nodes/stats')] },
  { name: 'system:monitoring', rules: [nr('get', '/healthz /healthz/* /livez /livez/* /metrics /metrics/slis /readyz /readyz/*')] },
  // Nodes are authorized by the Node authorizer; upstream keeps this role (bound to no one) for clusters without it.
  { name: 'system:node', rules: [
    r('create', 'authentication.k8s.io', 'tokenreviews'), r('create', 'authorization.k8s.io', 'localsubjectaccessreviews subjectaccessreviews'),
    r(RO, 'core', 'services'), r('create get list watch', 'core', 'nodes'), r('patch update', 'core', 'nodes/status'), r('patch update', 'core', 'nodes'),
    r('create patch update', 'core', 'events'), r(RO, 'core', 'pods'), r('create delete', 'core', 'pods'), r('patch update', 'core', 'pods/status'),
    r('create', 'core', 'pods/eviction'), r(RO, 'core', 'configmaps secrets'), r('get', 'core', 'persistentvolumeclaims persistentvolumes'),
    r('get', 'core', 'endpoints'), r('create get list watch', 'certificates.k8s.io', 'certificatesigningrequests'),
    r('create delete get patch update', 'coordination.k8s.io', 'leases'), r('get', 'storage.k8s.io', 'volumeattachments'),
    r('create', 'core', 'serviceaccounts/token'), r('get patch update', 'core', 'persistentvolumeclaims/status'),
    r(RO, 'storage.k8s.io', 'csidrivers'), r('create delete get patch update', 'storage.k8s.io', 'csinodes'), r(RO, 'node.k8s.io', 'runtimeclasses'),
  ] },
  { name: 'system:node-proxier', rules: [
    r('list watch', 'core', 'endpoints services'), r(RO, 'core', 'nodes'), events(), r('list watch', 'discovery.k8s.io', 'endpointslices'),
  ] },
  { name: 'system:public-info-viewer', rules: [nr('get', '/healthz /livez /readyz /version /version/')] },
  { name: 'system:service-account-issuer-discovery', rules: [nr('get', '/.well-known/openid-configuration /openid/v1/jwks')] },
  { name: 'view', labels: agg('edit'), aggregateFrom: 'view' },
  // metrics-server's aggregated role (kubectl top for viewers).
  { name: 'system:aggregated-metrics-reader', labels: agg('view', 'edit', 'admin'), rules: [r(RO, 'metrics.k8s.io', 'pods nodes')] },
  // Argo Rollouts' aggregated roles.
  { name: 'argo-rollouts-aggregate-to-view', labels: agg('view'), rules: [r(RO, 'argoproj.io', 'rollouts rollouts/scale experiments analysistemplates clusteranalysistemplates analysisruns')] },
  { name: 'argo-rollouts-aggregate-to-edit', labels: agg('edit'), rules: [ARGO_EDIT] },
  { name: 'argo-rollouts-aggregate-to-admin', labels: agg('admin'), rules: [ARGO_EDIT] },
  ...CONTROLLER_ROLES,
  ARGO_ROLLOUTS,
  ...KUBELITE_ROLES,
];

const user = (name: string): Subject => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });
const group = (name: string): Subject => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });
const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

export const DEFAULT_CLUSTER_ROLE_BINDINGS: DefaultClusterRoleBinding[] = [
  { name: 'cluster-admin', role: 'cluster-admin', subjects: [group('system:masters')] },
  { name: 'system:basic-user', role: 'system:basic-user', subjects: [group('system:authenticated')] },
  { name: 'system:discovery', role: 'system:discovery', subjects: [group('system:authenticated')] },
  { name: 'system:kube-controller-manager', role: 'system:kube-controller-manager', subjects: [user(CONTROLLER_MANAGER_USER)] },
  { name: 'system:kube-dns', role: 'system:kube-dns', subjects: [sa('kube-system', 'kube-dns')] },
  { name: 'system:kube-scheduler', role: 'system:kube-scheduler', subjects: [user(SCHEDULER_USER)] },
  { name: 'system:monitoring', role: 'system:monitoring', subjects: [group('system:monitoring')] },
  { name: 'system:node', role: 'system:node', subjects: [] },
  { name: 'system:node-proxier', role: 'system:node-proxier', subjects: [user(PROXY_USER)] },
  { name: 'system:public-info-viewer', role: 'system:public-info-viewer', subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:service-account-issuer-discovery', role: 'system:service-account-issuer-discovery', subjects: [group('system:serviceaccounts')] },
  // Controller roles, bound as upstream to their kube-system service accounts...
  ...CONTROLLER_ROLES.map((c) => ({ name: c.name, role: c.name, subjects: [sa('kube-system', c.name.slice('system:controller:'.length))] })),
  // ...and to kubelite's controller manager, which runs them all under its own identity.
  ...CONTROLLER_ROLES.map((c) => ({ name: `kubelite:controller-manager:${c.name.slice('system:controller:'.length)}`, role: c.name, subjects: [user(CONTROLLER_MANAGER_USER)] })),
  { name: 'kubelite:controller-manager:argo-rollouts', role: 'argo-rollouts', subjects: [user(CONTROLLER_MANAGER_USER), sa('argo-rollouts', 'argo-rollouts')] },
  { name: 'kubelite:cluster-dns', role: 'kubelite:cluster-dns', subjects: [user(DNS_USER)] },
  { name: 'kubelite:prometheus', role: 'kubelite:prometheus', subjects: [user(PROMETHEUS_USER)] },
  { name: 'kubelite:node-proxier:pods', role: 'kubelite:node-proxier:pods', subjects: [user(PROXY_USER)] },
  { name: 'kubelite:kube-apiserver-kubelet-client', role: 'kubelite:kube-apiserver-kubelet-client', subjects: [user('kube-apiserver-kubelet-client')] },
  { name: 'kubelite:kube-apiserver-kubelet-client:api-admin', role: 'system:kubelet-api-admin', subjects: [user('kube-apiserver-kubelet-client')] },
];
