/** core/v1 scheduling constraints of a Pod: affinity, topology spread, OS, scheduling gates, resource claims. */
import type { Schema } from '../schema.ts';
import { META, atomicList, int32, obj, ref, str, strList } from './builders.ts';
import { CORE } from './core-container.ts';

const r = (n: string, d?: string, extra: Partial<Schema> = {}) => ref(CORE + n, d, extra);
const item = (n: string) => r(n, undefined, { default: {} });
const requiredDoc = 'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.';
const preferredDoc = 'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.';

export const schedulingDefinitions: Record<string, Schema> = {
  [CORE + 'NodeSelectorRequirement']: obj('A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', {
    key: str('The label key that the selector applies to.', { default: '' }),
    operator: str("Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.", { default: '' }),
    values: strList('An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. If the operator is Gt or Lt, the values array must have a single element, which will be interpreted as an integer.'),
  }, { required: ['key', 'operator'], proto: 'key=1 operator=2 values=3' }),
  [CORE + 'NodeSelectorTerm']: obj('A null or empty node selector term matches no objects. The requirements of them are ANDed.', {
    matchExpressions: atomicList(item('NodeSelectorRequirement'), "A list of node selector requirements by node's labels."),
    matchFields: atomicList(item('NodeSelectorRequirement'), "A list of node selector requirements by node's fields."),
  }, { mapType: 'atomic', proto: 'matchExpressions=1 matchFields=2' }),
  [CORE + 'NodeSelector']: obj('A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms.', {
    nodeSelectorTerms: atomicList(item('NodeSelectorTerm'), 'Required. A list of node selector terms. The terms are ORed.'),
  }, { required: ['nodeSelectorTerms'], mapType: 'atomic', proto: 'nodeSelectorTerms=1' }),
  [CORE + 'PreferredSchedulingTerm']: obj('An empty preferred scheduling term matches all objects with implicit weight 0 (i.e. it\'s a no-op). A null preferred scheduling term matches no objects (i.e. is also a no-op).', {
    preference: r('NodeSelectorTerm', 'A node selector term, associated with the corresponding weight.', { default: {} }),
    weight: int32('Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.', { default: 0 }),
  }, { required: ['weight', 'preference'], proto: 'weight=1 preference=2' }),
  [CORE + 'NodeAffinity']: obj('Node affinity is a group of node affinity scheduling rules.', {
    preferredDuringSchedulingIgnoredDuringExecution: atomicList(item('PreferredSchedulingTerm'), preferredDoc),
    requiredDuringSchedulingIgnoredDuringExecution: r('NodeSelector', requiredDoc),
  }, { proto: 'requiredDuringSchedulingIgnoredDuringExecution=1 preferredDuringSchedulingIgnoredDuringExecution=2' }),
  [CORE + 'PodAffinityTerm']: obj('Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with, where co-located is defined as running on a node whose value of the label with key <topologyKey> matches that of any node on which a pod of the set of pods is running', {
    labelSelector: ref(META + 'LabelSelector', "A label query over a set of resources, in this case pods. If it's null, this PodAffinityTerm matches with no Pods."),
    matchLabelKeys: strList('MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'),
    mismatchLabelKeys: strList('MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'),
    namespaceSelector: ref(META + 'LabelSelector', 'A label query over the set of namespaces that the term applies to.'),
    namespaces: strList('namespaces specifies a static list of namespace names that the term applies to.'),
    topologyKey: str('This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running. Empty topologyKey is not allowed.', { default: '' }),
  }, { required: ['topologyKey'], proto: 'labelSelector=1 namespaces=2 topologyKey=3 namespaceSelector=4 matchLabelKeys=5 mismatchLabelKeys=6' }),
  [CORE + 'WeightedPodAffinityTerm']: obj('The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)', {
    podAffinityTerm: r('PodAffinityTerm', 'Required. A pod affinity term, associated with the corresponding weight.', { default: {} }),
    weight: int32('weight associated with matching the corresponding podAffinityTerm, in the range 1-100.', { default: 0 }),
  }, { required: ['weight', 'podAffinityTerm'], proto: 'weight=1 podAffinityTerm=2' }),
  [CORE + 'PodAffinity']: obj('Pod affinity is a group of inter pod affinity scheduling rules.', {
    preferredDuringSchedulingIgnoredDuringExecution: atomicList(item('WeightedPodAffinityTerm'), preferredDoc),
    requiredDuringSchedulingIgnoredDuringExecution: atomicList(item('PodAffinityTerm'), requiredDoc),
  }, { proto: 'requiredDuringSchedulingIgnoredDuringExecution=1 preferredDuringSchedulingIgnoredDuringExecution=2' }),
  [CORE + 'PodAntiAffinity']: obj('Pod anti affinity is a group of inter pod anti affinity scheduling rules.', {
    preferredDuringSchedulingIgnoredDuringExecution: atomicList(item('WeightedPodAffinityTerm'), preferredDoc),
    requiredDuringSchedulingIgnoredDuringExecution: atomicList(item('PodAffinityTerm'), requiredDoc),
  }, { proto: 'requiredDuringSchedulingIgnoredDuringExecution=1 preferredDuringSchedulingIgnoredDuringExecution=2' }),
  [CORE + 'Affinity']: obj('Affinity is a group of affinity scheduling rules.', {
    nodeAffinity: r('NodeAffinity', 'Describes node affinity scheduling rules for the pod.'),
    podAffinity: r('PodAffinity', 'Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other pod(s)).'),
    podAntiAffinity: r('PodAntiAffinity', 'Describes pod anti-affinity scheduling rules (e.g. avoid putting this pod in the same node, zone, etc. as some other pod(s)).'),
  }, { proto: 'nodeAffinity=1 podAffinity=2 podAntiAffinity=3' }),
  [CORE + 'TopologySpreadConstraint']: obj('TopologySpreadConstraint specifies how to spread matching pods among the given topology.', {
    labelSelector: ref(META + 'LabelSelector', 'LabelSelector is used to find matching pods. Pods that match this label selector are counted to determine the number of pods in their corresponding topology domain.'),
    matchLabelKeys: strList('MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated.'),
    maxSkew: int32('MaxSkew describes the degree to which pods may be unevenly distributed. It\'s a required field. Default value is 1 and 0 is not allowed.', { default: 0 }),
    minDomains: int32('MinDomains indicates a minimum number of eligible domains.'),
    nodeAffinityPolicy: str("NodeAffinityPolicy indicates how we will treat Pod's nodeAffinity/nodeSelector when calculating pod topology spread skew. Options are Honor and Ignore."),
    nodeTaintsPolicy: str('NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew. Options are Honor and Ignore.'),
    topologyKey: str('TopologyKey is the key of node labels. Nodes that have a label with this key and identical values are considered to be in the same topology.', { default: '' }),
    whenUnsatisfiable: str("WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy the spread constraint: DoNotSchedule (default) or ScheduleAnyway.", { default: '' }),
  }, { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'], proto: 'maxSkew=1 topologyKey=2 whenUnsatisfiable=3 labelSelector=4 minDomains=5? nodeAffinityPolicy=6? nodeTaintsPolicy=7? matchLabelKeys=8' }),
  [CORE + 'PodOS']: obj('PodOS defines the OS parameters of a pod.', {
    name: str('Name is the name of the operating system. The currently supported values are linux and windows.', { default: '' }),
  }, { required: ['name'], proto: 'name=1' }),
  [CORE + 'PodSchedulingGate']: obj('PodSchedulingGate is associated to a Pod to guard its scheduling.', {
    name: str('Name of the scheduling gate. Each scheduling gate must have a unique name field.', { default: '' }),
  }, { required: ['name'], proto: 'name=1' }),
  [CORE + 'PodResourceClaim']: obj('PodResourceClaim references exactly one ResourceClaim, either directly or by naming a ResourceClaimTemplate which is then turned into a ResourceClaim for the pod.', {
    name: str('Name uniquely identifies this resource claim inside the pod. This must be a DNS_LABEL.', { default: '' }),
    resourceClaimName: str('ResourceClaimName is the name of a ResourceClaim object in the same namespace as this pod.'),
    resourceClaimTemplateName: str('ResourceClaimTemplateName is the name of a ResourceClaimTemplate object in the same namespace as this pod.'),
  }, { required: ['name'], proto: 'name=1 resourceClaimName=3? resourceClaimTemplateName=4?' }),
  [CORE + 'PodResourceClaimStatus']: obj('PodResourceClaimStatus is stored in the PodStatus for each PodResourceClaim which references a ResourceClaimTemplate. It stores the generated name for the corresponding ResourceClaim.', {
    name: str('Name uniquely identifies this resource claim inside the pod.', { default: '' }),
    resourceClaimName: str('ResourceClaimName is the name of the ResourceClaim that was generated for the Pod in the namespace of the Pod.'),
  }, { required: ['name'], proto: 'name=1 resourceClaimName=2?' }),
};
