/**
 * NodeRestriction admission (upstream plugin/pkg/admission/noderestriction): what a node agent
 * (system:node:<name>, ./authz/node.ts nodeIdentity) may write, checked on the objects themselves — the Node
 * authorizer lets nodes create/update nodes, pods, pods/status and evictions in general, this narrows it:
 *
 *   nodes           only its own ("node "X" is not allowed to modify node "Y""); not its taints, not its
 *                   configSource, and no labels in node-restriction.kubernetes.io/ nor kubernetes.io/ or k8s.io/
 *                   labels other than the kubelet's own (hostname, os, arch, zone, region, instance-type,
 *                   kubelet.kubernetes.io/, node.kubernetes.io/)
 *   pods            create only mirror pods bound to itself and owned by its Node (no service account, secrets,
 *                   configmaps or claims); delete only pods bound to itself
 *   pods/status     only of pods bound to itself, labels unchanged
 *   pods/eviction   only of pods bound to itself
 *   leases          only its own, in kube-node-lease
 *   serviceaccounts/token  only bound to a pod (with uid) that runs on it
 * Messages are upstream's, wrapped as admission.NewForbidden does.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { ResourceDef } from '../api/resource.ts';
import { StatusError } from '../api/errors.ts';
import { admissionForbidden, type AdmissionAttributes, type ObjectGetter, type ValidatingAdmission } from './admission.ts';
import { nodeIdentity, NODE_LEASE_NAMESPACE } from './authz/node.ts';
import { podReferences } from './authz/node-graph.ts';
import { jsonEqual } from './codec.ts';

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const NODE_RESTRICTION_LABEL_NS = 'node-restriction.kubernetes.io';

/** k8s.io/kubelet well_known_labels: the kubernetes.io labels a kubelet may set on its Node. */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region', 'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type',
  'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const labelNamespace = (key: string) => (key.includes('/') ? key.slice(0, key.indexOf('/')) : '');
const inNamespace = (ns: string, base: string) => ns === base || ns.endsWith(`.${base}`);

export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((b) => inNamespace(ns, b));
}

function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
}

/** Keys added, removed or changed between two label maps. */
function modifiedLabels(a: Record<string, string> = {}, b: Record<string, string> = {}): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(a)) if (b[k] !== v) out.add(k);
  for (const [k, v] of Object.entries(b)) if (a[k] !== v) out.add(k);
  return [...out];
}

/** The labels of `modified` a node may not set (sorted, as upstream's sets.String.List()). */
export function forbiddenNodeLabels(modified: string[]): string[] {
  return modified.filter((l) => inNamespace(labelNamespace(l), NODE_RESTRICTION_LABEL_NS) || (isKubernetesLabel(l) && !isKubeletLabel(l))).sort();
}

export class NodeRestriction implements ValidatingAdmission {
  constructor(private defFor: (group: string, plural: string) => ResourceDef | undefined) {}

  async validate(a: AdmissionAttributes, objects: ObjectGetter): Promise<void> {
    const { isNode, nodeName } = nodeIdentity(a.user);
    if (!isNode) return;
    if (!nodeName) throw admissionForbidden(a, `could not determine node from user "${a.user.name}"`);
    const gr = `${a.def.group}/${a.def.plural}`;
    switch (gr) {
      case '/pods':
        switch (a.subresource ?? '') {
          case '': return this.pod(nodeName, a, objects);
          case 'status': return this.podStatus(nodeName, a);
          case 'eviction': return this.podEviction(nodeName, a, objects);
          default: throw admissionForbidden(a, `unexpected pod subresource "${a.subresource}", only 'status' and 'eviction' are allowed`);
        }
      case '/nodes': return this.node(nodeName, a);
      case '/persistentvolumeclaims':
        if (a.subresource !== 'status') throw admissionForbidden(a, 'may only update PVC status');
        return;
      case '/serviceaccounts': return this.serviceAccount(nodeName, a, objects);
      case 'coordination.k8s.io/leases': return this.lease(nodeName, a);
    }
  }

  private async getPod(a: AdmissionAttributes, objects: ObjectGetter, name: string): Promise<Pod> {
    const def = this.defFor('', 'pods');
    if (!def) throw admissionForbidden(a, 'pods are not served');
    try {
      return (await objects.get(def, a.namespace, name)) as Pod;
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) throw e;
      throw admissionForbidden(a, (e as Error).message);
    }
  }

  private async pod(nodeName: string, a: AdmissionAttributes, objects: ObjectGetter): Promise<void> {
    if (a.operation === 'CREATE') return this.podCreate(nodeName, a, objects);
    if (a.operation === 'DELETE') {
      const existing = (a.oldObject as Pod | undefined) ?? await this.getPod(a, objects, a.name);
      if (existing.spec?.nodeName !== nodeName) throw admissionForbidden(a, `node "${nodeName}" can only delete pods with spec.nodeName set to itself`);
      return;
    }
    throw admissionForbidden(a, `unexpected operation "${a.operation}", node "${nodeName}" can only create and delete mirror pods`);
  }

  private async podCreate(nodeName: string, a: AdmissionAttributes, objects: ObjectGetter): Promise<void> {
    const pod = a.object as Pod;
    if (!pod.metadata?.annotations || !(MIRROR_POD_ANNOTATION in pod.metadata.annotations)) {
      throw admissionForbidden(a, `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${nodeName}" can only create mirror pods`);
    }
    if (pod.spec?.nodeName !== nodeName) throw admissionForbidden(a, `node "${nodeName}" can only create pods with spec.nodeName set to itself`);
    const owners = pod.metadata.ownerReferences ?? [];
    if (owners.length > 1) throw admissionForbidden(a, `node "${nodeName}" can only create pods with a single owner reference set to itself`);
    if (owners.length === 0) throw admissionForbidden(a, `node "${nodeName}" can only create pods with an owner reference set to itself`);
    const owner = owners[0];
    if (owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== nodeName) throw admissionForbidden(a, `node "${nodeName}" can only create pods with an owner reference set to itself`);
    if (!owner.controller) throw admissionForbidden(a, `node "${nodeName}" can only create pods with a controller owner reference set to itself`);
    if (owner.blockOwnerDeletion) throw admissionForbidden(a, `node "${nodeName}" must not set blockOwnerDeletion on an owner reference`);
    const nodeDef = this.defFor('', 'nodes');
    let node: Node | undefined;
    try { node = nodeDef ? (await objects.get(nodeDef, undefined, nodeName)) as Node : undefined; } catch (e) {
      if (e instanceof StatusError && e.code === 404) throw e;
      throw admissionForbidden(a, `error looking up node ${nodeName} to verify uid: ${(e as Error).message}`);
    }
    if (owner.uid !== node?.metadata?.uid) throw admissionForbidden(a, `node ${nodeName} UID mismatch: expected ${owner.uid} got ${node?.metadata?.uid}`);
    if (pod.spec?.serviceAccountName) throw admissionForbidden(a, `node "${nodeName}" can not create pods that reference a service account`);
    const refs = podReferences({ ...pod, spec: { ...pod.spec!, serviceAccountName: undefined } });
    if (refs.some((r) => r.startsWith('secret/'))) throw admissionForbidden(a, `node "${nodeName}" can not create pods that reference secrets`);
    if (refs.some((r) => r.startsWith('configmap/'))) throw admissionForbidden(a, `node "${nodeName}" can not create pods that reference configmaps`);
    if (refs.some((r) => r.startsWith('pvc/'))) throw admissionForbidden(a, `node "${nodeName}" can not create pods that reference persistentvolumeclaims`);
  }

  private podStatus(nodeName: string, a: AdmissionAttributes): void {
    if (a.operation !== 'UPDATE') throw admissionForbidden(a, `unexpected operation "${a.operation}"`);
    const old = a.oldObject as Pod;
    if (old.spec?.nodeName !== nodeName) throw admissionForbidden(a, `node "${nodeName}" can only update pod status for pods with spec.nodeName set to itself`);
    if (!jsonEqual(old.metadata?.labels ?? {}, (a.object as Pod).metadata?.labels ?? {})) throw admissionForbidden(a, `node "${nodeName}" cannot update labels through pod status`);
  }

  private async podEviction(nodeName: string, a: AdmissionAttributes, objects: ObjectGetter): Promise<void> {
    if (a.operation !== 'CREATE') throw admissionForbidden(a, `unexpected operation ${a.operation}`);
    const podName = a.name || String((a.object as any)?.metadata?.name ?? '');
    if (!podName) throw admissionForbidden(a, 'could not determine pod from request data');
    const pod = await this.getPod(a, objects, podName);
    if (pod.spec?.nodeName !== nodeName) throw admissionForbidden(a, `node ${nodeName} can only evict pods with spec.nodeName set to itself`);
  }

  private node(nodeName: string, a: AdmissionAttributes): void {
    if (a.name !== nodeName) throw admissionForbidden(a, `node "${nodeName}" is not allowed to modify node "${a.name}"`);
    const node = a.object as Node | undefined;
    if (a.operation === 'CREATE' && node) {
      if ((node.spec as any)?.configSource) throw admissionForbidden(a, `node "${nodeName}" is not allowed to create pods with a non-nil configSource`);
      const bad = forbiddenNodeLabels(modifiedLabels(node.metadata?.labels, undefined));
      if (bad.length) throw admissionForbidden(a, `node "${nodeName}" is not allowed to set the following labels: ${bad.join(', ')}`);
    }
    if (a.operation === 'UPDATE' && node) {
      const old = a.oldObject as Node;
      const cs = (node.spec as any)?.configSource;
      if (cs && !jsonEqual(cs, (old.spec as any)?.configSource)) throw admissionForbidden(a, `node "${nodeName}" is not allowed to update configSource to a new non-nil configSource`);
      if (!jsonEqual(node.spec?.taints ?? [], old.spec?.taints ?? [])) throw admissionForbidden(a, `node "${nodeName}" is not allowed to modify taints`);
      const bad = forbiddenNodeLabels(modifiedLabels(node.metadata?.labels, old.metadata?.labels));
      if (bad.length) throw admissionForbidden(a, `is not allowed to modify labels: ${bad.join(', ')}`);
    }
  }

  private async serviceAccount(nodeName: string, a: AdmissionAttributes, objects: ObjectGetter): Promise<void> {
    if (a.operation !== 'CREATE' || a.subresource !== 'token') return;
    const ref = (a.object as any)?.spec?.boundObjectRef;
    if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw admissionForbidden(a, 'node requested token not bound to a pod');
    if (!ref.uid) throw admissionForbidden(a, 'node requested token with a pod binding without a uid');
    const pod = await this.getPod(a, objects, ref.name);
    if (ref.uid !== pod.metadata?.uid) throw admissionForbidden(a, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    if (pod.spec?.nodeName !== nodeName) throw admissionForbidden(a, 'node requested token bound to a pod scheduled on a different node');
  }

  private lease(nodeName: string, a: AdmissionAttributes): void {
    if (a.namespace !== NODE_LEASE_NAMESPACE) throw admissionForbidden(a, `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    if (a.name !== nodeName) throw admissionForbidden(a, 'can only access node lease with the same name as the requesting node');
  }
}
