/** core/v1 kinds other than Pod: Service, Endpoints, Event, Node, Namespace, ConfigMap, Secret, ObjectReference. */
import type { Schema } from '../schema.ts';
import { META, atomicList, bool, bytes, enumStr, int32, int64, intOrString, keyedList, kind, listKind, map, microTime, obj, quantity, ref, str, strList, time } from './builders.ts';
import { CORE } from './core-container.ts';

const r = (n: string, d?: string, extra: Partial<Schema> = {}) => ref(CORE + n, d, extra);
const item = (n: string) => r(n, undefined, { default: {} });
const SPEC_DOC = 'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status';
const condition = (n: string) => keyedList(ref(META + 'Condition', undefined, { default: {} }), 'type', `Current service state of ${n}.`);

export const coreDefinitions: Record<string, Schema> = {
  [CORE + 'ObjectReference']: obj('ObjectReference contains enough information to let you inspect or modify the referred object.', {
    apiVersion: str('API version of the referent.'),
    fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.'),
    kind: str('Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds'),
    name: str('Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names'),
    namespace: str('Namespace of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/'),
    resourceVersion: str('Specific resourceVersion to which this reference is made, if any. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency'),
    uid: str('UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#uids'),
  }, { mapType: 'atomic', proto: 'kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7' }),

  // --- Service ---
  [CORE + 'ServicePort']: obj("ServicePort contains information on service's port.", {
    appProtocol: str('The application protocol for this port. This is used as a hint for implementations to offer richer behavior for protocols that they understand. This field follows standard Kubernetes label syntax.'),
    name: str("The name of this port within the service. This must be a DNS_LABEL. All ports within a ServiceSpec must have unique names. When considering the endpoints for a Service, this must match the 'name' field in the EndpointPort. Optional if only one ServicePort is defined on this service."),
    nodePort: int32('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.  Usually assigned by the system. If a value is specified, in-range, and not in use it will be used, otherwise the operation will fail.  If not specified, a port will be allocated if this Service requires one.  If this field is specified when creating a Service which does not need it, creation will fail. This field will be wiped when updating a Service to no longer need it (e.g. changing type from NodePort to ClusterIP). More info: https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport'),
    port: int32('The port that will be exposed by this service.', { default: 0 }),
    protocol: enumStr(['SCTP', 'TCP', 'UDP'], 'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.'),
    targetPort: intOrString("Number or name of the port to access on the pods targeted by the service. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. If this is a string, it will be looked up as a named port in the target Pod's container ports. If this is not specified, the value of the 'port' field is used (an identity map). This field is ignored for services with clusterIP=None, and should be omitted or set equal to the 'port' field. More info: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service"),
  }, { required: ['port'], proto: 'name=1 protocol=2 appProtocol=6? port=3 targetPort=4 nodePort=5' }),
  [CORE + 'SessionAffinityConfig']: obj('SessionAffinityConfig represents the configurations of session affinity.', {
    clientIP: obj('ClientIPConfig represents the configurations of Client IP based session affinity.', {
      timeoutSeconds: int32('timeoutSeconds specifies the seconds of ClientIP type session sticky time. The value must be >0 && <=86400(for 1 day) if ServiceAffinity == "ClientIP". Default value is 10800(for 3 hours).'),
    }, { proto: 'timeoutSeconds=1?' }),
  }, { proto: 'clientIP=1' }),
  [CORE + 'ServiceSpec']: obj('ServiceSpec describes the attributes that a user creates on a service.', {
    allocateLoadBalancerNodePorts: bool('allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.  Default is "true".'),
    clusterIP: str('clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    clusterIPs: strList('ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail.'),
    externalIPs: strList('externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.'),
    externalName: str('externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record). No proxying will be involved.  Must be a lowercase RFC-1123 hostname (https://tools.ietf.org/html/rfc1123) and requires `type` to be "ExternalName".'),
    externalTrafficPolicy: enumStr(['Cluster', 'Local'], 'externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service\'s "externally-facing" addresses (NodePorts, ExternalIPs, and LoadBalancer IPs).'),
    healthCheckNodePort: int32('healthCheckNodePort specifies the healthcheck nodePort for the service. This only applies when type is set to LoadBalancer and externalTrafficPolicy is set to Local.'),
    internalTrafficPolicy: enumStr(['Cluster', 'Local'], 'InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP. If set to "Local", the proxy will assume that pods only want to talk to endpoints of the service on the same node as the pod, dropping the traffic if there are no local endpoints. The default value, "Cluster", uses the standard behavior of routing to all endpoints evenly (possibly modified by topology and other features).'),
    ipFamilies: atomicList(enumStr(['IPv4', 'IPv6'], undefined, { default: '' }), 'IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service. This field is usually assigned automatically based on cluster configuration and the ipFamilyPolicy field.'),
    ipFamilyPolicy: enumStr(['SingleStack', 'PreferDualStack', 'RequireDualStack'], 'IPFamilyPolicy represents the dual-stack-ness requested or required by this Service. If there is no value provided, then this field will be set to SingleStack.'),
    loadBalancerClass: str('loadBalancerClass is the class of the load balancer implementation this Service belongs to.'),
    loadBalancerIP: str('Only applies to Service Type: LoadBalancer. This feature depends on whether the underlying cloud-provider supports specifying the loadBalancerIP when a load balancer is created. Deprecated.'),
    loadBalancerSourceRanges: strList('If specified and supported by the platform, this will restrict traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.'),
    ports: keyedList(item('ServicePort'), 'port', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies', ['port', 'protocol']),
    publishNotReadyAddresses: bool("publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready."),
    selector: map('Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/', undefined, { 'x-kubernetes-map-type': 'atomic' }),
    sessionAffinity: enumStr(['ClientIP', 'None'], 'Supports "ClientIP" and "None". Used to maintain session affinity. Enable client IP based session affinity. Must be ClientIP or None. Defaults to None. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    sessionAffinityConfig: r('SessionAffinityConfig', 'sessionAffinityConfig contains the configurations of session affinity.'),
    trafficDistribution: str('TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.'),
    type: enumStr(['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types'),
  }, { proto: 'ports=1 selector=2 clusterIP=3 clusterIPs=18 type=4 externalIPs=5 sessionAffinity=7 loadBalancerIP=8 loadBalancerSourceRanges=9 externalName=10 externalTrafficPolicy=11 healthCheckNodePort=12 publishNotReadyAddresses=13 sessionAffinityConfig=14 ipFamilies=19 ipFamilyPolicy=17? allocateLoadBalancerNodePorts=20? loadBalancerClass=21? internalTrafficPolicy=22? trafficDistribution=23?' }),
  [CORE + 'PortStatus']: obj('PortStatus represents the error condition of a service port', {
    error: str('Error is to record the problem with the service port.'),
    port: int32('Port is the port number of the service port of which status is recorded here', { default: 0 }),
    protocol: str('Protocol is the protocol of the service port of which status is recorded here', { default: '' }),
  }, { required: ['port', 'protocol'], proto: 'port=1 protocol=2 error=3?' }),
  [CORE + 'LoadBalancerIngress']: obj('LoadBalancerIngress represents the status of a load-balancer ingress point: traffic intended for the service should be sent to an ingress point.', {
    hostname: str('Hostname is set for load-balancer ingress points that are DNS based (typically AWS load-balancers)'),
    ip: str('IP is set for load-balancer ingress points that are IP based (typically GCE or OpenStack load-balancers)'),
    ipMode: str('IPMode specifies how the load-balancer IP behaves, and may only be specified when the ip field is specified.'),
    ports: atomicList(item('PortStatus'), 'Ports is a list of records of service ports If used, every port defined in the service should have an entry in it'),
  }, { proto: 'ip=1 hostname=2 ipMode=3? ports=4' }),
  [CORE + 'LoadBalancerStatus']: obj('LoadBalancerStatus represents the status of a load-balancer.', {
    ingress: atomicList(item('LoadBalancerIngress'), 'Ingress is a list containing ingress points for the load-balancer. Traffic intended for the service should be sent to these ingress points.'),
  }, { proto: 'ingress=1' }),
  [CORE + 'ServiceStatus']: obj('ServiceStatus represents the current status of a service.', {
    conditions: condition('service'),
    loadBalancer: r('LoadBalancerStatus', 'LoadBalancer contains the current status of the load-balancer, if one is present.', { default: {} }),
  }, { proto: 'loadBalancer=1 conditions=2' }),
  [CORE + 'Service']: kind('', 'v1', 'Service', "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.", {
    spec: r('ServiceSpec', `Spec defines the behavior of a service. ${SPEC_DOC}`, { default: {} }),
    status: r('ServiceStatus', `Most recently observed status of the service. Populated by the system. Read-only. ${SPEC_DOC}`, { default: {} }),
  }, { proto: 'spec=2 status=3' }),
  [CORE + 'ServiceList']: listKind('', 'v1', 'ServiceList', CORE + 'Service', 'ServiceList holds a list of services.'),

  // --- Endpoints ---
  [CORE + 'EndpointAddress']: obj('EndpointAddress is a tuple that describes single IP address.', {
    hostname: str('The Hostname of this endpoint'),
    ip: str('The IP of this endpoint. May not be loopback (127.0.0.0/8 or ::1), link-local (169.254.0.0/16 or fe80::/10), or link-local multicast (224.0.0.0/24 or ff02::/16).', { default: '' }),
    nodeName: str('Optional: Node hosting this endpoint. This can be used to determine endpoints local to a node.'),
    targetRef: r('ObjectReference', 'Reference to object providing the endpoint.'),
  }, { required: ['ip'], mapType: 'atomic', proto: 'ip=1 hostname=3 nodeName=4? targetRef=2' }),
  [CORE + 'EndpointPort']: obj('EndpointPort is a tuple that describes a single port.', {
    appProtocol: str('The application protocol for this port.'),
    name: str("The name of this port.  This must match the 'name' field in the corresponding ServicePort. Must be a DNS_LABEL. Optional only if one port is defined."),
    port: int32('The port number of the endpoint.', { default: 0 }),
    protocol: enumStr(['SCTP', 'TCP', 'UDP'], 'The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.'),
  }, { required: ['port'], mapType: 'atomic', proto: 'name=1 port=2 protocol=3 appProtocol=4?' }),
  [CORE + 'EndpointSubset']: obj('EndpointSubset is a group of addresses with a common set of ports. The expanded set of endpoints is the Cartesian product of Addresses x Ports.', {
    addresses: atomicList(item('EndpointAddress'), 'IP addresses which offer the related ports that are marked as ready. These endpoints should be considered safe for load balancers and clients to utilize.'),
    notReadyAddresses: atomicList(item('EndpointAddress'), 'IP addresses which offer the related ports but are not currently marked as ready because they have not yet finished starting, have recently failed a readiness check, or have recently failed a liveness check.'),
    ports: atomicList(item('EndpointPort'), 'Port numbers available on the related IP addresses.'),
  }, { proto: 'addresses=1 notReadyAddresses=2 ports=3' }),
  [CORE + 'Endpoints']: kind('', 'v1', 'Endpoints', 'Endpoints is a collection of endpoints that implement the actual service.', {
    subsets: atomicList(item('EndpointSubset'), 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.'),
  }, { proto: 'subsets=2' }),
  [CORE + 'EndpointsList']: listKind('', 'v1', 'EndpointsList', CORE + 'Endpoints', 'EndpointsList is a list of endpoints.'),

  // --- Event ---
  [CORE + 'EventSource']: obj('EventSource contains information for an event.', {
    component: str('Component from which the event is generated.'),
    host: str('Node name on which the event is generated.'),
  }, { proto: 'component=1 host=2' }),
  [CORE + 'EventSeries']: obj('EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time.', {
    count: int32('Number of occurrences in this series up to the last heartbeat time'),
    lastObservedTime: microTime('Time of the last occurrence observed'),
  }, { proto: 'count=1 lastObservedTime=2' }),
  [CORE + 'Event']: kind('', 'v1', 'Event', 'Event is a report of an event somewhere in the cluster.  Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.  Events should be treated as informative, best-effort, supplemental data.', {
    action: str('What action was taken/failed regarding to the Regarding object.'),
    count: int32('The number of times this event has occurred.'),
    eventTime: microTime('Time when this Event was first observed.'),
    firstTimestamp: time('The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
    involvedObject: r('ObjectReference', 'The object that this event is about.', { default: {} }),
    lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
    message: str('A human-readable description of the status of this operation.'),
    reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    related: r('ObjectReference', 'Optional secondary object for more complex actions.'),
    reportingComponent: str('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.', { default: '' }),
    reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.', { default: '' }),
    series: r('EventSeries', 'Data about the Event series this event represents or nil if it\'s a singleton Event.'),
    source: r('EventSource', 'The component reporting this event. Should be a short machine understandable string.', { default: {} }),
    type: str('Type of this event (Normal, Warning), new types could be added in the future'),
  }, { required: ['metadata', 'involvedObject'], proto: 'involvedObject=2 reason=3 message=4 source=5 firstTimestamp=6 lastTimestamp=7 count=8 type=9 eventTime=10 series=11 action=12 related=13 reportingComponent=14 reportingInstance=15' }),
  [CORE + 'EventList']: listKind('', 'v1', 'EventList', CORE + 'Event', 'EventList is a list of events.'),

  // --- Node ---
  [CORE + 'Taint']: obj('The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.', {
    effect: enumStr(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], 'Required. The effect of the taint on pods that do not tolerate the taint. Valid effects are NoSchedule, PreferNoSchedule and NoExecute.'),
    key: str('Required. The taint key to be applied to a node.', { default: '' }),
    timeAdded: time('TimeAdded represents the time at which the taint was added.'),
    value: str('The taint value corresponding to the taint key.'),
  }, { required: ['key', 'effect'], proto: 'key=1 value=2 effect=3 timeAdded=4' }),
  [CORE + 'ConfigMapNodeConfigSource']: obj('ConfigMapNodeConfigSource contains the information to reference a ConfigMap as a config source for the Node. Deprecated since 1.22.', {
    kubeletConfigKey: str('KubeletConfigKey declares which key of the referenced ConfigMap corresponds to the KubeletConfiguration structure', { default: '' }),
    name: str('Name is the metadata.name of the referenced ConfigMap.', { default: '' }),
    namespace: str('Namespace is the metadata.namespace of the referenced ConfigMap.', { default: '' }),
    resourceVersion: str('ResourceVersion is the metadata.ResourceVersion of the referenced ConfigMap.'),
    uid: str('UID is the metadata.UID of the referenced ConfigMap.'),
  }, { required: ['namespace', 'name', 'kubeletConfigKey'], proto: 'namespace=1 name=2 uid=3 resourceVersion=4 kubeletConfigKey=5' }),
  [CORE + 'NodeConfigSource']: obj('NodeConfigSource specifies a source of node configuration. Deprecated since 1.22.', {
    configMap: r('ConfigMapNodeConfigSource', "ConfigMap is a reference to a Node's ConfigMap"),
  }, { proto: 'configMap=2' }),
  [CORE + 'NodeConfigStatus']: obj('NodeConfigStatus describes the status of the config assigned by Node.Spec.ConfigSource.', {
    active: r('NodeConfigSource', 'Active reports the checkpointed config the node is actively using.'),
    assigned: r('NodeConfigSource', 'Assigned reports the checkpointed config the node will try to use.'),
    error: str('Error describes any problems reconciling the Spec.ConfigSource to the Active config.'),
    lastKnownGood: r('NodeConfigSource', 'LastKnownGood reports the checkpointed config the node will fall back to when it encounters an error attempting to use the Assigned config.'),
  }, { proto: 'assigned=1 active=2 lastKnownGood=3 error=4' }),
  [CORE + 'NodeSwapStatus']: obj('NodeSwapStatus represents swap memory information.', {
    capacity: int64('Total amount of swap memory in bytes.'),
  }, { proto: 'capacity=1?' }),
  [CORE + 'NodeFeatures']: obj('NodeFeatures describes the set of features implemented by the CRI implementation.', {
    supplementalGroupsPolicy: bool('SupplementalGroupsPolicy is set to true if the runtime supports SupplementalGroupsPolicy and ContainerUser.'),
  }, { proto: 'supplementalGroupsPolicy=1?' }),
  [CORE + 'NodeRuntimeHandlerFeatures']: obj('NodeRuntimeHandlerFeatures is a set of features implemented by the runtime handler.', {
    recursiveReadOnlyMounts: bool('RecursiveReadOnlyMounts is set to true if the runtime handler supports RecursiveReadOnlyMounts.'),
    userNamespaces: bool('UserNamespaces is set to true if the runtime handler supports UserNamespaces, including for volumes.'),
  }, { proto: 'recursiveReadOnlyMounts=1? userNamespaces=2?' }),
  [CORE + 'NodeRuntimeHandler']: obj('NodeRuntimeHandler is a set of runtime handler information.', {
    features: r('NodeRuntimeHandlerFeatures', 'Supported features.'),
    name: str('Runtime handler name. Empty for the default runtime handler.'),
  }, { proto: 'name=1 features=2' }),
  [CORE + 'AttachedVolume']: obj('AttachedVolume describes a volume attached to a node', {
    devicePath: str('DevicePath represents the device path where the volume should be available', { default: '' }),
    name: str('Name of the attached volume', { default: '' }),
  }, { required: ['name', 'devicePath'], proto: 'name=1 devicePath=2' }),
  [CORE + 'NodeSpec']: obj('NodeSpec describes the attributes that a node is created with.', {
    configSource: r('NodeConfigSource', 'Deprecated: Previously used to specify the source of the node\'s configuration for the DynamicKubeletConfig feature.'),
    externalID: str('Deprecated. Not all kubelets will set this field. Remove field after 1.13.'),
    podCIDR: str('PodCIDR represents the pod IP range assigned to the node.'),
    podCIDRs: { ...strList('podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node. If this field is specified, the 0th entry must match the podCIDR field. It may contain at most 1 value for each of IPv4 and IPv6.'), 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
    providerID: str('ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>'),
    taints: atomicList(item('Taint'), "If specified, the node's taints."),
    unschedulable: bool('Unschedulable controls node schedulability of new pods. By default, node is schedulable. More info: https://kubernetes.io/docs/concepts/nodes/node/#manual-node-administration'),
  }, { proto: 'podCIDR=1 podCIDRs=7 providerID=3 unschedulable=4 taints=5 configSource=6 externalID=2' }),
  [CORE + 'NodeCondition']: obj('NodeCondition contains condition information for a node.', {
    lastHeartbeatTime: time('Last time we got an update on a given condition.'),
    lastTransitionTime: time('Last time the condition transit from one status to another.'),
    message: str('Human readable message indicating details about last transition.'),
    reason: str("(brief) reason for the condition's last transition."),
    status: str('Status of the condition, one of True, False, Unknown.', { default: '' }),
    type: str('Type of node condition.', { default: '' }),
  }, { required: ['type', 'status'], proto: 'type=1 status=2 lastHeartbeatTime=3 lastTransitionTime=4 reason=5 message=6' }),
  [CORE + 'NodeAddress']: obj("NodeAddress contains information for the node's address.", {
    address: str('The node address.', { default: '' }),
    type: str('Node address type, one of Hostname, ExternalIP or InternalIP.', { default: '' }),
  }, { required: ['type', 'address'], proto: 'type=1 address=2' }),
  [CORE + 'DaemonEndpoint']: obj('DaemonEndpoint contains information about a single Daemon endpoint.', {
    Port: int32('Port number of the given endpoint.', { default: 0 }),
  }, { required: ['Port'], proto: 'Port=1' }),
  [CORE + 'NodeDaemonEndpoints']: obj('NodeDaemonEndpoints lists ports opened by daemons running on the Node.', {
    kubeletEndpoint: r('DaemonEndpoint', 'Endpoint on which Kubelet is listening.', { default: {} }),
  }, { proto: 'kubeletEndpoint=1' }),
  [CORE + 'NodeSystemInfo']: obj('NodeSystemInfo is a set of ids/uuids to uniquely identify the node.', {
    architecture: str('The Architecture reported by the node', { default: '' }),
    bootID: str('Boot ID reported by the node.', { default: '' }),
    containerRuntimeVersion: str('ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { default: '' }),
    kernelVersion: str("Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { default: '' }),
    kubeProxyVersion: str('Deprecated: KubeProxy Version reported by the node.', { default: '' }),
    kubeletVersion: str('Kubelet Version reported by the node.', { default: '' }),
    machineID: str('MachineID reported by the node. For unique machine identification in the cluster this field is preferred.', { default: '' }),
    operatingSystem: str('The Operating System reported by the node', { default: '' }),
    osImage: str('OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { default: '' }),
    swap: r('NodeSwapStatus', 'Swap Info reported by the node.'),
    systemUUID: str('SystemUUID reported by the node.', { default: '' }),
  }, { required: ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture'], proto: 'machineID=1 systemUUID=2 bootID=3 kernelVersion=4 osImage=5 containerRuntimeVersion=6 kubeletVersion=7 kubeProxyVersion=8 operatingSystem=9 architecture=10 swap=11' }),
  [CORE + 'ContainerImage']: obj('Describe a container image', {
    names: strList('Names by which this image is known. e.g. ["kubernetes.example/hyperkube:v1.0.7", "cloud-vendor.registry.example/cloud-vendor/hyperkube:v1.0.7"]'),
    sizeBytes: int64('The size of the image in bytes.'),
  }, { proto: 'names=1 sizeBytes=2' }),
  [CORE + 'NodeStatus']: obj('NodeStatus is information about the current status of a node.', {
    addresses: keyedList(item('NodeAddress'), 'type', 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
    allocatable: map('Allocatable represents the resources of a node that are available for scheduling. Defaults to Capacity.', quantity()),
    capacity: map('Capacity represents the total resources of a node. More info: https://kubernetes.io/docs/reference/node/node-status/#capacity', quantity()),
    conditions: keyedList(item('NodeCondition'), 'type', 'Conditions is an array of current observed node conditions. More info: https://kubernetes.io/docs/reference/node/node-status/#condition'),
    config: r('NodeConfigStatus', 'Status of the config assigned to the node via the dynamic Kubelet config feature.'),
    daemonEndpoints: r('NodeDaemonEndpoints', 'Endpoints of daemons running on the Node.', { default: {} }),
    features: r('NodeFeatures', 'Features describes the set of features implemented by the CRI implementation.'),
    images: atomicList(item('ContainerImage'), 'List of container images on this node'),
    nodeInfo: r('NodeSystemInfo', 'Set of ids/uuids to uniquely identify the node. More info: https://kubernetes.io/docs/reference/node/node-status/#info', { default: {} }),
    phase: str('NodePhase is the recently observed lifecycle phase of the node. More info: https://kubernetes.io/docs/concepts/nodes/node/#phase The field is never populated, and now is deprecated.'),
    runtimeHandlers: atomicList(item('NodeRuntimeHandler'), 'The available runtime handlers.'),
    volumesAttached: atomicList(item('AttachedVolume'), 'List of volumes that are attached to the node.'),
    volumesInUse: strList('List of attachable volumes in use (mounted) by the node.'),
  }, { proto: 'capacity=1 allocatable=2 phase=3 conditions=4 addresses=5 daemonEndpoints=6 nodeInfo=7 images=8 volumesInUse=9 volumesAttached=10 config=11 runtimeHandlers=12 features=13' }),
  [CORE + 'Node']: kind('', 'v1', 'Node', 'Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).', {
    spec: r('NodeSpec', `Spec defines the behavior of a node. ${SPEC_DOC}`, { default: {} }),
    status: r('NodeStatus', `Most recently observed status of the node. Populated by the system. Read-only. ${SPEC_DOC}`, { default: {} }),
  }, { proto: 'spec=2 status=3' }),
  [CORE + 'NodeList']: listKind('', 'v1', 'NodeList', CORE + 'Node', 'NodeList is the whole list of all Nodes which have been registered with master.'),

  // --- Namespace ---
  [CORE + 'NamespaceSpec']: obj('NamespaceSpec describes the attributes on a Namespace.', {
    finalizers: strList('Finalizers is an opaque list of values that must be empty to permanently remove object from storage. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/'),
  }, { proto: 'finalizers=1' }),
  [CORE + 'NamespaceCondition']: obj('NamespaceCondition contains details about state of namespace.', {
    lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
    message: str('Human-readable message indicating details about last transition.'),
    reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
    status: str('Status of the condition, one of True, False, Unknown.', { default: '' }),
    type: str('Type of namespace controller condition.', { default: '' }),
  }, { required: ['type', 'status'], proto: 'type=1 status=2 lastTransitionTime=4 reason=5 message=6' }),
  [CORE + 'NamespaceStatus']: obj('NamespaceStatus is information about the current status of a Namespace.', {
    conditions: keyedList(item('NamespaceCondition'), 'type', "Represents the latest available observations of a namespace's current state."),
    phase: enumStr(['Active', 'Terminating'], 'Phase is the current lifecycle phase of the namespace. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/'),
  }, { proto: 'phase=1 conditions=2' }),
  [CORE + 'Namespace']: kind('', 'v1', 'Namespace', 'Namespace provides a scope for Names. Use of multiple namespaces is optional.', {
    spec: r('NamespaceSpec', `Spec defines the behavior of the Namespace. ${SPEC_DOC}`, { default: {} }),
    status: r('NamespaceStatus', `Status describes the current status of a Namespace. ${SPEC_DOC}`, { default: {} }),
  }, { proto: 'spec=2 status=3' }),
  [CORE + 'NamespaceList']: listKind('', 'v1', 'NamespaceList', CORE + 'Namespace', 'NamespaceList is a list of Namespaces.'),

  // --- ConfigMap / Secret ---
  [CORE + 'ConfigMap']: kind('', 'v1', 'ConfigMap', 'ConfigMap holds configuration data for pods to consume.', {
    binaryData: map("BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process. Using this field will require 1.10+ apiserver and kubelet.", bytes()),
    data: map("Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
    immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.'),
  }, { proto: 'immutable=4? data=2 binaryData=3' }),
  [CORE + 'ConfigMapList']: listKind('', 'v1', 'ConfigMapList', CORE + 'ConfigMap', 'ConfigMapList is a resource containing a list of ConfigMap objects.'),
  [CORE + 'Secret']: kind('', 'v1', 'Secret', 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.', {
    data: map("Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4", bytes()),
    immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.'),
    stringData: map('stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.'),
    type: str('Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
  }, { proto: 'immutable=5? data=2 stringData=4 type=3' }),
  [CORE + 'SecretList']: listKind('', 'v1', 'SecretList', CORE + 'Secret', 'SecretList is a list of Secret.'),
  [CORE + 'ServiceAccount']: kind('', 'v1', 'ServiceAccount', 'ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets', {
    automountServiceAccountToken: bool('AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level.'),
    imagePullSecrets: atomicList(r('LocalObjectReference', undefined, { default: {} }), 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount. ImagePullSecrets are distinct from Secrets because Secrets can be mounted in the pod, but ImagePullSecrets are only accessed by the kubelet. More info: https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod'),
    secrets: keyedList(item('ObjectReference'), 'name', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret'),
  }, { proto: 'secrets=2 imagePullSecrets=3 automountServiceAccountToken=4?' }),
  [CORE + 'ServiceAccountList']: listKind('', 'v1', 'ServiceAccountList', CORE + 'ServiceAccount', 'ServiceAccountList is a list of ServiceAccount objects'),
};
