/**
 * The Node authorizer (upstream plugin/pkg/auth/authorizer/node, `--authorization-mode=Node`): requests of node
 * agents — user `system:node:<name>` in group `system:nodes` — are decided here; everyone else gets NoOpinion.
 *
 *   secrets, configmaps          get/list/watch of a single named object referenced by a pod bound to the node
 *                                (list/watch name it with a metadata.name field selector)
 *   persistentvolumeclaims       get, same relation; status update/patch
 *   serviceaccounts              create of the token subresource for a service account of a pod on the node
 *   pods                         get of a pod bound to the node; list/watch with fieldSelector spec.nodeName=<node>
 *                                (or naming one such pod); create/delete (NodeRestriction limits them); status
 *                                update/patch; eviction create (upstream AuthorizeNodeWithSelectors, on in 1.32)
 *   nodes                        get/list/watch of its own Node only; create/update/patch and status update/patch
 *                                (NodeRestriction limits them to its own)
 *   leases                       get/create/update/patch/delete in kube-node-lease, its own name
 *   csinodes                     get/create/update/patch/delete of its own
 *   anything else                upstream's static system:node rules (NODE_RULES)
 * Object relations come from ./node-graph.ts. Admission (./noderestriction.ts) then checks the objects written.
 */
import type { Attributes, Authorizer, AuthorizerResult } from './types.ts';
import type { NodeGraph, VertexType } from './node-graph.ts';
import type { UserInfo } from '../auth.ts';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** Upstream nodeidentifier: a node is a user named system:node:<name> in group system:nodes. */
export function nodeIdentity(user: UserInfo): { isNode: boolean; nodeName: string } {
  if (!user.name.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return { isNode: false, nodeName: '' };
  return { isNode: true, nodeName: user.name.slice(NODE_USER_PREFIX.length) };
}

interface StaticRule { verbs: string[]; apiGroups: string[]; resources: string[] }
const READ = ['get', 'list', 'watch'];

/** Upstream bootstrappolicy NodeRules() (the system:node role), for what the graph does not subdivide. */
export const NODE_RULES: StaticRule[] = [
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'] },
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews', 'localsubjectaccessreviews'] },
  { verbs: READ, apiGroups: [''], resources: ['services'] },
  { verbs: ['create', 'get', 'list', 'watch'], apiGroups: [''], resources: ['nodes'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['nodes/status'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['nodes'] },
  { verbs: ['create', 'update', 'patch'], apiGroups: [''], resources: ['events'] },
  { verbs: READ, apiGroups: [''], resources: ['pods'] },
  { verbs: ['create', 'delete'], apiGroups: [''], resources: ['pods'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['pods/status'] },
  { verbs: ['create'], apiGroups: [''], resources: ['pods/eviction'] },
  { verbs: READ, apiGroups: [''], resources: ['secrets', 'configmaps'] },
  { verbs: ['get'], apiGroups: [''], resources: ['persistentvolumeclaims', 'persistentvolumes'] },
  { verbs: ['get'], apiGroups: [''], resources: ['endpoints'] },
  { verbs: ['create', 'get', 'list', 'watch'], apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'] },
  { verbs: ['get', 'create', 'update', 'patch', 'delete'], apiGroups: ['coordination.k8s.io'], resources: ['leases'] },
  { verbs: ['get'], apiGroups: ['storage.k8s.io'], resources: ['volumeattachments'] },
  { verbs: ['create'], apiGroups: [''], resources: ['serviceaccounts/token'] },
  { verbs: ['get', 'update', 'patch'], apiGroups: [''], resources: ['persistentvolumeclaims/status'] },
  { verbs: READ, apiGroups: ['node.k8s.io'], resources: ['runtimeclasses'] },
];

function staticRulesAllow(a: Attributes): boolean {
  if (!a.resourceRequest) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return NODE_RULES.some((r) => r.verbs.includes(a.verb) && r.apiGroups.includes(a.apiGroup) && r.resources.includes(combined));
}

/** `spec.nodeName=<x>` (or ==) among a raw field selector's requirements. */
function selectsNode(fieldSelector: string | undefined, nodeName: string): boolean {
  if (!fieldSelector) return false;
  return fieldSelector.split(',').some((req) => {
    const m = /^\s*spec\.nodeName\s*(==|=)\s*(.*?)\s*$/.exec(req);
    return !!m && m[2] === nodeName;
  });
}

const allow = (): AuthorizerResult => ({ decision: 'Allow', reason: '' });
const noOpinion = (reason = ''): AuthorizerResult => ({ decision: 'NoOpinion', reason });

export class NodeAuthorizer implements Authorizer {
  constructor(private graph: NodeGraph) {}

  authorize(a: Attributes): AuthorizerResult {
    const { isNode, nodeName } = nodeIdentity(a.user);
    if (!isNode) return noOpinion();
    if (!nodeName) return noOpinion(`unknown node for user ${JSON.stringify(a.user.name)}`);
    if (a.resourceRequest) {
      const gr = `${a.apiGroup}/${a.resource}`;
      switch (gr) {
        case '/secrets': return this.readNamespaced(nodeName, 'secret', a);
        case '/configmaps': return this.readNamespaced(nodeName, 'configmap', a);
        case '/persistentvolumeclaims':
          if (a.subresource === 'status') {
            if (a.verb !== 'update' && a.verb !== 'patch') return noOpinion('can only get/update/patch this type');
            return this.related(nodeName, 'pvc', a);
          }
          return this.get(nodeName, 'pvc', a);
        case '/persistentvolumes': return noOpinion(`no relationship found between node '${nodeName}' and this object`);
        case '/serviceaccounts': return this.createToken(nodeName, a);
        case 'coordination.k8s.io/leases': return this.lease(nodeName, a);
        case 'storage.k8s.io/csinodes': return this.csiNode(nodeName, a);
        case '/nodes': return this.node(nodeName, a);
        case '/pods': return this.pod(nodeName, a);
      }
    }
    return staticRulesAllow(a) ? allow() : noOpinion();
  }

  private related(nodeName: string, type: VertexType, a: Attributes): AuthorizerResult {
    if (!a.name) return noOpinion('No Object name found');
    if (!this.graph.hasPath(nodeName, type, a.namespace, a.name)) return noOpinion(`no relationship found between node '${nodeName}' and this object`);
    return allow();
  }

  private get(nodeName: string, type: VertexType, a: Attributes): AuthorizerResult {
    if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (a.subresource) return noOpinion('cannot get subresource');
    return this.related(nodeName, type, a);
  }

  private readNamespaced(nodeName: string, type: VertexType, a: Attributes): AuthorizerResult {
    if (!['get', 'list', 'watch'].includes(a.verb)) return noOpinion('can only read resources of this type');
    if (a.subresource) return noOpinion('cannot read subresource');
    if (!a.namespace) return noOpinion('can only read namespaced object of this type');
    return this.related(nodeName, type, a);
  }

  private createToken(nodeName: string, a: Attributes): AuthorizerResult {
    if (a.verb !== 'create' || !a.name) return noOpinion('can only create tokens for individual service accounts');
    if (a.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
    return this.related(nodeName, 'serviceaccount', a);
  }

  private lease(nodeName: string, a: Attributes): AuthorizerResult {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion('can only get, create, update, patch, or delete a node lease');
    if (a.namespace !== NODE_LEASE_NAMESPACE) return noOpinion(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    if (a.verb !== 'create' && a.name !== nodeName) return noOpinion('can only access node lease with the same name as the requesting node');
    return allow();
  }

  private csiNode(nodeName: string, a: Attributes): AuthorizerResult {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion('can only get, create, update, patch, or delete a CSINode');
    if (a.subresource) return noOpinion('cannot authorize CSINode subresources');
    if (a.verb !== 'create' && a.name !== nodeName) return noOpinion('can only access CSINode with the same name as the requesting node');
    return allow();
  }

  private node(nodeName: string, a: Attributes): AuthorizerResult {
    if (!a.subresource) {
      if (['create', 'update', 'patch'].includes(a.verb)) return allow();
      if (['get', 'list', 'watch'].includes(a.verb)) {
        if (a.name === nodeName) return allow();
        if (!a.name) return noOpinion(`node '${nodeName}' cannot read all nodes, only its own Node object`);
        return noOpinion(`node '${nodeName}' cannot read '${a.name}', only its own Node object`);
      }
    } else if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) return allow();
    return noOpinion();
  }

  private pod(nodeName: string, a: Attributes): AuthorizerResult {
    switch (a.subresource) {
      case '':
        if (a.verb === 'get') return this.get(nodeName, 'pod', a);
        if (a.verb === 'list' || a.verb === 'watch') {
          if (selectsNode(a.fieldSelector, nodeName)) return allow();
          if (a.name) return this.related(nodeName, 'pod', a);
          return noOpinion('can only list/watch pods with spec.nodeName field selector');
        }
        if (a.verb === 'create' || a.verb === 'delete') return allow();
        break;
      case 'status':
        if (a.verb === 'update' || a.verb === 'patch') return allow();
        break;
      case 'eviction':
        if (a.verb === 'create') return allow();
        break;
    }
    return noOpinion();
  }
}
