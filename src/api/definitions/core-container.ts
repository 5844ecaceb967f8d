/** core/v1 Container and what it holds: ports, env, resources, probes, lifecycle, volume mounts, security context. */
import type { Schema } from '../schema.ts';
import { arr, atomicList, bool, enumStr, int32, int64, intOrString, keyedList, map, obj, quantity, ref, str, strList } from './builders.ts';

export const CORE = 'io.k8s.api.core.v1.';
const r = (n: string, d?: string, extra: Partial<Schema> = {}) => ref(CORE + n, d, extra);
const item = (n: string) => r(n, undefined, { default: {} });

const probeDoc = (what: string) => `Periodic probe of container ${what}. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes`;

/** The fields Container and EphemeralContainer share (upstream keeps them in step: EphemeralContainerCommon). */
const containerProps = (): Record<string, Schema> => ({
  args: strList('Arguments to the entrypoint. The container image\'s CMD is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container\'s environment. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell'),
  command: strList("Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container's environment. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell"),
  env: keyedList(item('EnvVar'), 'name', 'List of environment variables to set in the container. Cannot be updated.'),
  envFrom: atomicList(item('EnvFromSource'), 'List of sources to populate environment variables in the container. The keys defined within a source must be a C_IDENTIFIER. All invalid keys will be reported as an event when the container is starting. When a key exists in multiple sources, the value associated with the last source will take precedence. Values defined by an Env with a duplicate key will take precedence. Cannot be updated.'),
  image: str('Container image name. More info: https://kubernetes.io/docs/concepts/containers/images This field is optional to allow higher level config management to default or override container images in workload controllers like Deployments and StatefulSets.'),
  imagePullPolicy: enumStr(['Always', 'IfNotPresent', 'Never'], 'Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More info: https://kubernetes.io/docs/concepts/containers/images#updating-images'),
  lifecycle: r('Lifecycle', 'Actions that the management system should take in response to container lifecycle events. Cannot be updated.'),
  livenessProbe: r('Probe', probeDoc('liveness') + '. Container will be restarted if the probe fails. Cannot be updated.'),
  name: str('Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.', { default: '' }),
  ports: keyedList(item('ContainerPort'), 'containerPort', 'List of ports to expose from the container. Not specifying a port here DOES NOT prevent that port from being exposed. Any port which is listening on the default "0.0.0.0" address inside a container will be accessible from the network. Modifying this array with strategic merge patch may corrupt the data. For more information See https://github.com/kubernetes/kubernetes/issues/108255. Cannot be updated.', ['containerPort', 'protocol']),
  readinessProbe: r('Probe', probeDoc('service readiness') + '. Container will be removed from service endpoints if the probe fails. Cannot be updated.'),
  resizePolicy: atomicList(item('ContainerResizePolicy'), 'Resources resize policy for the container.'),
  resources: r('ResourceRequirements', 'Compute Resources required by this container. Cannot be updated. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/', { default: {} }),
  restartPolicy: enumStr(['Always'], "RestartPolicy defines the restart behavior of individual containers in a pod. This field may only be set for init containers, and the only allowed value is \"Always\"."),
  securityContext: r('SecurityContext', 'SecurityContext defines the security options the container should be run with. If set, the fields of SecurityContext override the equivalent fields of PodSecurityContext. More info: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/'),
  startupProbe: r('Probe', 'StartupProbe indicates that the Pod has successfully initialized. If specified, no other probes are executed until this completes successfully. If this probe fails, the Pod will be restarted, just as if the livenessProbe failed. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes'),
  stdin: bool('Whether this container should allocate a buffer for stdin in the container runtime. If this is not set, reads from stdin in the container will always result in EOF. Default is false.'),
  stdinOnce: bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach. When stdin is true the stdin stream will remain open across multiple attach sessions. Default is false'),
  terminationMessagePath: str("Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem. Defaults to /dev/termination-log. Cannot be updated."),
  terminationMessagePolicy: enumStr(['File', 'FallbackToLogsOnError'], 'Indicate how the termination message should be populated. File will use the contents of terminationMessagePath to populate the container status message on both success and failure. FallbackToLogsOnError will use the last chunk of container log output if the termination message file is empty and the container exited with an error. Defaults to File. Cannot be updated.'),
  tty: bool("Whether this container should allocate a TTY for itself, also requires 'stdin' to be true. Default is false."),
  volumeDevices: keyedList(item('VolumeDevice'), 'devicePath', 'volumeDevices is the list of block devices to be used by the container.'),
  volumeMounts: keyedList(item('VolumeMount'), 'mountPath', "Pod volumes to mount into the container's filesystem. Cannot be updated."),
  workingDir: str("Container's working directory. If not specified, the container runtime's default will be used, which might be configured in the container image. Cannot be updated."),
});
const CONTAINER_PROTO = 'name=1 image=2 command=3 args=4 workingDir=5 ports=6 envFrom=19 env=7 resources=8 resizePolicy=23 restartPolicy=24? volumeMounts=9 volumeDevices=21 livenessProbe=10 readinessProbe=11 startupProbe=22 lifecycle=12 terminationMessagePath=13 terminationMessagePolicy=20 imagePullPolicy=14 securityContext=15 stdin=16 stdinOnce=17 tty=18';

export const containerDefinitions: Record<string, Schema> = {
  [CORE + 'ContainerPort']: obj('ContainerPort represents a network port in a single container.', {
    containerPort: int32("Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536.", { default: 0 }),
    hostIP: str('What host IP to bind the external port to.'),
    hostPort: int32('Number of port to expose on the host. If specified, this must be a valid port number, 0 < x < 65536. If HostNetwork is specified, this must match ContainerPort. Most containers do not need this.'),
    name: str('If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port in a pod must have a unique name. Name for the port that can be referred to by services.'),
    protocol: enumStr(['SCTP', 'TCP', 'UDP'], 'Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'),
  }, { required: ['containerPort'], proto: 'name=1 hostPort=2 containerPort=3 protocol=4 hostIP=5' }),
  [CORE + 'ConfigMapKeySelector']: obj('Selects a key from a ConfigMap.', {
    key: str('The key to select.', { default: '' }),
    name: str('Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names', { default: '' }),
    optional: bool('Specify whether the ConfigMap or its key must be defined'),
  }, { required: ['key'], mapType: 'atomic', proto: 'name=1.1 key=2 optional=3?' }),
  [CORE + 'SecretKeySelector']: obj('SecretKeySelector selects a key of a Secret.', {
    key: str('The key of the secret to select from.  Must be a valid secret key.', { default: '' }),
    name: str('Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names', { default: '' }),
    optional: bool('Specify whether the Secret or its key must be defined'),
  }, { required: ['key'], mapType: 'atomic', proto: 'name=1.1 key=2 optional=3?' }),
  [CORE + 'ObjectFieldSelector']: obj('ObjectFieldSelector selects an APIVersioned field of an object.', {
    apiVersion: str('Version of the schema the FieldPath is written in terms of, defaults to "v1".'),
    fieldPath: str('Path of the field to select in the specified API version.', { default: '' }),
  }, { required: ['fieldPath'], mapType: 'atomic', proto: 'apiVersion=1 fieldPath=2' }),
  [CORE + 'ResourceFieldSelector']: obj('ResourceFieldSelector represents container resources (cpu, memory) and their output format', {
    containerName: str('Container name: required for volumes, optional for env vars'),
    divisor: quantity('Specifies the output format of the exposed resources, defaults to "1"'),
    resource: str('Required: resource to select', { default: '' }),
  }, { required: ['resource'], mapType: 'atomic', proto: 'containerName=1 resource=2 divisor=3' }),
  [CORE + 'EnvVarSource']: obj('EnvVarSource represents a source for the value of an EnvVar.', {
    configMapKeyRef: r('ConfigMapKeySelector', 'Selects a key of a ConfigMap.'),
    fieldRef: r('ObjectFieldSelector', "Selects a field of the pod: supports metadata.name, metadata.namespace, `metadata.labels['<KEY>']`, `metadata.annotations['<KEY>']`, spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs."),
    resourceFieldRef: r('ResourceFieldSelector', 'Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory and requests.ephemeral-storage) are currently supported.'),
    secretKeyRef: r('SecretKeySelector', "Selects a key of a secret in the pod's namespace"),
  }, { proto: 'fieldRef=1 resourceFieldRef=2 configMapKeyRef=3 secretKeyRef=4' }),
  [CORE + 'EnvVar']: obj('EnvVar represents an environment variable present in a Container.', {
    name: str('Name of the environment variable. Must be a C_IDENTIFIER.', { default: '' }),
    value: str('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables. If a variable cannot be resolved, the reference in the input string will be unchanged. Defaults to "".'),
    valueFrom: r('EnvVarSource', "Source for the environment variable's value. Cannot be used if value is not empty."),
  }, { required: ['name'], proto: 'name=1 value=2 valueFrom=3' }),
  [CORE + 'ConfigMapEnvSource']: obj("ConfigMapEnvSource selects a ConfigMap to populate the environment variables with.\n\nThe contents of the target ConfigMap's Data field will represent the key-value pairs as environment variables.", {
    name: str('Name of the referent.', { default: '' }),
    optional: bool('Specify whether the ConfigMap must be defined'),
  }, { proto: 'name=1.1 optional=2?' }),
  [CORE + 'SecretEnvSource']: obj("SecretEnvSource selects a Secret to populate the environment variables with.\n\nThe contents of the target Secret's Data field will represent the key-value pairs as environment variables.", {
    name: str('Name of the referent.', { default: '' }),
    optional: bool('Specify whether the Secret must be defined'),
  }, { proto: 'name=1.1 optional=2?' }),
  [CORE + 'EnvFromSource']: obj('EnvFromSource represents the source of a set of ConfigMaps', {
    configMapRef: r('ConfigMapEnvSource', 'The ConfigMap to select from'),
    prefix: str('An optional identifier to prepend to each key in the ConfigMap. Must be a C_IDENTIFIER.'),
    secretRef: r('SecretEnvSource', 'The Secret to select from'),
  }, { proto: 'prefix=1 configMapRef=2 secretRef=3' }),
  [CORE + 'ResourceClaim']: obj('ResourceClaim references one entry in PodSpec.ResourceClaims.', {
    name: str('Name must match the name of one entry in pod.spec.resourceClaims of the Pod where this field is used. It makes that resource available inside a container.', { default: '' }),
    request: str('Request is the name chosen for a request in the referenced claim. If empty, everything from the claim is made available, otherwise only the result of this request.'),
  }, { required: ['name'], proto: 'name=1 request=2' }),
  [CORE + 'ResourceRequirements']: obj('ResourceRequirements describes the compute resource requirements.', {
    claims: arr(item('ResourceClaim'), 'Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.', { listType: 'map', mapKeys: ['name'] }),
    limits: map('Limits describes the maximum amount of compute resources allowed. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/', quantity()),
    requests: map('Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise to an implementation-defined value. Requests cannot exceed Limits. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/', quantity()),
  }, { proto: 'limits=1 requests=2 claims=3' }),
  [CORE + 'ExecAction']: obj('ExecAction describes a "run in container" action.', {
    command: strList("Command is the command line to execute inside the container, the working directory for the command  is root ('/') in the container's filesystem. The command is simply exec'd, it is not run inside a shell, so traditional shell instructions ('|', etc) won't work. To use a shell, you need to explicitly call out to that shell. Exit status of 0 is treated as live/healthy and non-zero is unhealthy."),
  }, { proto: 'command=1' }),
  [CORE + 'HTTPHeader']: obj('HTTPHeader describes a custom header to be used in HTTP probes', {
    name: str('The header field name. This will be canonicalized upon output, so case-variant names will be understood as the same header.', { default: '' }),
    value: str('The header field value', { default: '' }),
  }, { required: ['name', 'value'], proto: 'name=1 value=2' }),
  [CORE + 'HTTPGetAction']: obj('HTTPGetAction describes an action based on HTTP Get requests.', {
    host: str('Host name to connect to, defaults to the pod IP. You probably want to set "Host" in httpHeaders instead.'),
    httpHeaders: atomicList(item('HTTPHeader'), 'Custom headers to set in the request. HTTP allows repeated headers.'),
    path: str('Path to access on the HTTP server.'),
    port: intOrString('Name or number of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.'),
    scheme: enumStr(['HTTP', 'HTTPS'], 'Scheme to use for connecting to the host. Defaults to HTTP.'),
  }, { required: ['port'], proto: 'path=1 port=2 host=3 scheme=4 httpHeaders=5' }),
  [CORE + 'TCPSocketAction']: obj('TCPSocketAction describes an action based on opening a socket', {
    host: str('Optional: Host name to connect to, defaults to the pod IP.'),
    port: intOrString('Number or name of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.'),
  }, { required: ['port'], proto: 'port=1 host=2' }),
  [CORE + 'GRPCAction']: obj('GRPCAction specifies an action involving a GRPC service.', {
    port: int32('Port number of the gRPC service. Number must be in the range 1 to 65535.', { default: 0 }),
    service: str('Service is the name of the service to place in the gRPC HealthCheckRequest (see https://github.com/grpc/grpc/blob/master/doc/health-checking.md).\n\nIf this is not specified, the default behavior is defined by gRPC.', { default: '' }),
  }, { required: ['port'], proto: 'port=1 service=2?' }),
  [CORE + 'Probe']: obj('Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.', {
    exec: r('ExecAction', 'Exec specifies a command to execute in the container.'),
    failureThreshold: int32('Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3. Minimum value is 1.'),
    grpc: r('GRPCAction', 'GRPC specifies a GRPC HealthCheckRequest.'),
    httpGet: r('HTTPGetAction', 'HTTPGet specifies an HTTP GET request to perform.'),
    initialDelaySeconds: int32('Number of seconds after the container has started before liveness probes are initiated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes'),
    periodSeconds: int32('How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1.'),
    successThreshold: int32('Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1. Must be 1 for liveness and startup. Minimum value is 1.'),
    tcpSocket: r('TCPSocketAction', 'TCPSocket specifies a connection to a TCP port.'),
    terminationGracePeriodSeconds: int64("Optional duration in seconds the pod needs to terminate gracefully upon probe failure. If this value is nil, the pod's terminationGracePeriodSeconds will be used. Otherwise, this value overrides the value provided by the pod spec."),
    timeoutSeconds: int32('Number of seconds after which the probe times out. Defaults to 1 second. Minimum value is 1. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes'),
  }, { proto: 'exec=1.1 httpGet=1.2 tcpSocket=1.3 grpc=1.4 initialDelaySeconds=2 timeoutSeconds=3 periodSeconds=4 successThreshold=5 failureThreshold=6 terminationGracePeriodSeconds=7?' }),
  [CORE + 'SleepAction']: obj('SleepAction describes a "sleep" action.', {
    seconds: int64('Seconds is the number of seconds to sleep.', { default: 0 }),
  }, { required: ['seconds'], proto: 'seconds=1' }),
  [CORE + 'LifecycleHandler']: obj('LifecycleHandler defines a specific action that should be taken in a lifecycle hook. One and only one of the fields, except TCPSocket must be specified.', {
    exec: r('ExecAction', 'Exec specifies a command to execute in the container.'),
    httpGet: r('HTTPGetAction', 'HTTPGet specifies an HTTP GET request to perform.'),
    sleep: r('SleepAction', 'Sleep represents a duration that the container should sleep.'),
    tcpSocket: r('TCPSocketAction', 'Deprecated. TCPSocket is NOT supported as a LifecycleHandler and kept for backward compatibility.'),
  }, { proto: 'exec=1 httpGet=2 tcpSocket=3 sleep=4' }),
  [CORE + 'Lifecycle']: obj('Lifecycle describes actions that the management system should take in response to container lifecycle events. For the PostStart and PreStop lifecycle handlers, management of the container blocks until the action is complete, unless the container process fails, in which case the handler is aborted.', {
    postStart: r('LifecycleHandler', 'PostStart is called immediately after a container is created. If the handler fails, the container is terminated and restarted according to its restart policy. Other management of the container blocks until the hook completes. More info: https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#container-hooks'),
    preStop: r('LifecycleHandler', "PreStop is called immediately before a container is terminated due to an API request or management event such as liveness/startup probe failure, preemption, resource contention, etc. The handler is not called if the container crashes or exits. The Pod's termination grace period countdown begins before the PreStop hook is executed. More info: https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#container-hooks"),
    stopSignal: str('StopSignal defines which signal will be sent to a container when it is being stopped. If not specified, the default is defined by the container runtime in use.'),
  }, { proto: 'postStart=1 preStop=2 stopSignal=3?' }),
  [CORE + 'VolumeMount']: obj('VolumeMount describes a mounting of a Volume within a container.', {
    mountPath: str("Path within the container at which the volume should be mounted.  Must not contain ':'.", { default: '' }),
    mountPropagation: str('mountPropagation determines how mounts are propagated from the host to container and the other way around. When not set, MountPropagationNone is used.'),
    name: str('This must match the Name of a Volume.', { default: '' }),
    readOnly: bool('Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to false.'),
    recursiveReadOnly: str('RecursiveReadOnly specifies whether read-only mounts should be handled recursively.'),
    subPath: str('Path within the volume from which the container\'s volume should be mounted. Defaults to "" (volume\'s root).'),
    subPathExpr: str("Expanded path within the volume from which the container's volume should be mounted. Behaves similarly to SubPath but environment variable references $(VAR_NAME) are expanded using the container's environment. Defaults to \"\" (volume's root). SubPathExpr and SubPath are mutually exclusive."),
  }, { required: ['name', 'mountPath'], proto: 'name=1 readOnly=2 recursiveReadOnly=7? mountPath=3 subPath=4 mountPropagation=5? subPathExpr=6' }),
  [CORE + 'VolumeDevice']: obj('volumeDevice describes a mapping of a raw block device within a container.', {
    devicePath: str('devicePath is the path inside of the container that the device will be mapped to.', { default: '' }),
    name: str('name must match the name of a persistentVolumeClaim in the pod', { default: '' }),
  }, { required: ['name', 'devicePath'], proto: 'name=1 devicePath=2' }),
  [CORE + 'Capabilities']: obj('Adds and removes POSIX capabilities from running containers.', {
    add: strList('Added capabilities'),
    drop: strList('Removed capabilities'),
  }, { proto: 'add=1 drop=2' }),
  [CORE + 'SELinuxOptions']: obj('SELinuxOptions are the labels to be applied to the container', {
    level: str('Level is SELinux level label that applies to the container.'),
    role: str('Role is a SELinux role label that applies to the container.'),
    type: str('Type is a SELinux type label that applies to the container.'),
    user: str('User is a SELinux user label that applies to the container.'),
  }, { proto: 'user=1 role=2 type=3 level=4' }),
  [CORE + 'SeccompProfile']: obj("SeccompProfile defines a pod/container's seccomp profile settings. Only one profile source may be set.", {
    localhostProfile: str("localhostProfile indicates a profile defined in a file on the node should be used. The profile must be preconfigured on the node to work. Must be a descending path, relative to the kubelet's configured seccomp profile location. Must be set if type is \"Localhost\". Must NOT be set for any other type."),
    type: enumStr(['Localhost', 'RuntimeDefault', 'Unconfined'], 'type indicates which kind of seccomp profile will be applied. Valid options are:\n\nLocalhost - a profile defined in a file on the node should be used. RuntimeDefault - the container runtime default profile should be used. Unconfined - no profile should be applied.'),
  }, { required: ['type'], proto: 'type=1 localhostProfile=2?' }),
  [CORE + 'SecurityContext']: obj('SecurityContext holds security configuration that will be applied to a container. Some fields are present in both SecurityContext and PodSecurityContext.  When both are set, the values in SecurityContext take precedence.', {
    allowPrivilegeEscalation: bool('AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process. This bool directly controls if the no_new_privs flag will be set on the container process.'),
    appArmorProfile: r('AppArmorProfile', "appArmorProfile is the AppArmor options to use by this container. If set, this profile overrides the pod's appArmorProfile."),
    capabilities: r('Capabilities', 'The capabilities to add/drop when running containers. Defaults to the default set of capabilities granted by the container runtime.'),
    privileged: bool('Run container in privileged mode. Processes in privileged containers are essentially equivalent to root on the host. Defaults to false.'),
    procMount: str('procMount denotes the type of proc mount to use for the containers.'),
    readOnlyRootFilesystem: bool('Whether this container has a read-only root filesystem. Default is false.'),
    runAsGroup: int64('The GID to run the entrypoint of the container process. Uses runtime default if unset.'),
    runAsNonRoot: bool('Indicates that the container must run as a non-root user. If true, the Kubelet will validate the image at runtime to ensure that it does not run as UID 0 (root) and fail to start the container if it does.'),
    runAsUser: int64('The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified.'),
    seLinuxOptions: r('SELinuxOptions', 'The SELinux context to be applied to the container. If unspecified, the container runtime will allocate a random SELinux context for each container.'),
    seccompProfile: r('SeccompProfile', 'The seccomp options to use by this container. If seccomp options are provided at both the pod & container level, the container options override the pod options.'),
    windowsOptions: r('WindowsSecurityContextOptions', 'The Windows specific settings applied to all containers. If unspecified, the options from the PodSecurityContext will be used.'),
  }, { proto: 'capabilities=1 privileged=2? seLinuxOptions=3 windowsOptions=10 runAsUser=4? runAsGroup=8? runAsNonRoot=5? readOnlyRootFilesystem=6? allowPrivilegeEscalation=7? procMount=9? seccompProfile=11 appArmorProfile=12' }),
  [CORE + 'AppArmorProfile']: obj("AppArmorProfile defines a pod or container's AppArmor settings.", {
    localhostProfile: str('localhostProfile indicates a profile loaded on the node that should be used. Must be set if and only if type is "Localhost".'),
    type: str('type indicates which kind of AppArmor profile will be applied: Localhost, RuntimeDefault or Unconfined.', { default: '' }),
  }, { required: ['type'], proto: 'type=1 localhostProfile=2?' }),
  [CORE + 'WindowsSecurityContextOptions']: obj('WindowsSecurityContextOptions contain Windows-specific options and credentials.', {
    gmsaCredentialSpec: str('GMSACredentialSpec is where the GMSA admission webhook inlines the contents of the GMSA credential spec named by the GMSACredentialSpecName field.'),
    gmsaCredentialSpecName: str('GMSACredentialSpecName is the name of the GMSA credential spec to use.'),
    hostProcess: bool("HostProcess determines if a container should be run as a 'Host Process' container."),
    runAsUserName: str('The UserName in Windows to run the entrypoint of the container process.'),
  }, { proto: 'gmsaCredentialSpecName=1? gmsaCredentialSpec=2? runAsUserName=3? hostProcess=4?' }),
  [CORE + 'LinuxContainerUser']: obj('LinuxContainerUser represents user identity information in Linux containers', {
    gid: int64('GID is the primary gid initially attached to the first process in the container', { default: 0 }),
    supplementalGroups: atomicList({ type: 'integer', format: 'int64', default: 0 }, 'SupplementalGroups are the supplemental groups initially attached to the first process in the container'),
    uid: int64('UID is the primary uid initially attached to the first process in the container', { default: 0 }),
  }, { required: ['uid', 'gid'], proto: 'uid=1 gid=2 supplementalGroups=3' }),
  [CORE + 'ContainerUser']: obj('ContainerUser represents user identity information', {
    linux: r('LinuxContainerUser', 'Linux holds user identity information initially attached to the first process of the containers in Linux.'),
  }, { proto: 'linux=1' }),
  [CORE + 'VolumeMountStatus']: obj('VolumeMountStatus shows status of volume mounts.', {
    mountPath: str('MountPath corresponds to the original VolumeMount.', { default: '' }),
    name: str('Name corresponds to the name of the original VolumeMount.', { default: '' }),
    readOnly: bool('ReadOnly corresponds to the original VolumeMount.'),
    recursiveReadOnly: str('RecursiveReadOnly must be set to Disabled, Enabled, or unspecified (for non-readonly mounts).'),
  }, { required: ['name', 'mountPath'], proto: 'name=1 mountPath=2 readOnly=3 recursiveReadOnly=4?' }),
  [CORE + 'ResourceHealth']: obj('ResourceHealth represents the health of a resource. It has the latest device health information.', {
    health: str('Health of the resource: Healthy, Unhealthy or Unknown.'),
    resourceID: str('ResourceID is the unique identifier of the resource.', { default: '' }),
  }, { required: ['resourceID'], proto: 'resourceID=1 health=2' }),
  [CORE + 'ResourceStatus']: obj('ResourceStatus represents the status of a single resource allocated to a Pod.', {
    name: str('Name of the resource. Must be unique within the pod.', { default: '' }),
    resources: keyedList(item('ResourceHealth'), 'resourceID', 'List of unique resources health.', ['resourceID']),
  }, { required: ['name'], proto: 'name=1 resources=2' }),
  [CORE + 'ContainerResizePolicy']: obj('ContainerResizePolicy represents resource resize policy for the container.', {
    resourceName: str('Name of the resource to which this resource resize policy applies. Supported values: cpu, memory.', { default: '' }),
    restartPolicy: str('Restart policy to apply when specified resource is resized. If not specified, it defaults to NotRequired.', { default: '' }),
  }, { required: ['resourceName', 'restartPolicy'], proto: 'resourceName=1 restartPolicy=2' }),
  [CORE + 'Container']: obj('A single application container that you want to run within a pod.', containerProps(), { required: ['name'], proto: CONTAINER_PROTO }),
  [CORE + 'EphemeralContainer']: obj('An EphemeralContainer is a temporary container that you may add to an existing Pod for user-initiated activities such as debugging. Ephemeral containers have no resource or scheduling guarantees, and they will not be restarted when they exit or when a Pod is removed or restarted.', {
    ...containerProps(),
    targetContainerName: str('If set, the name of the container from PodSpec that this ephemeral container targets. The ephemeral container will be run in the namespaces (IPC, PID, etc) of this container.'),
  }, { required: ['name'], proto: `${CONTAINER_PROTO.replace(/=(\d+)/g, '=1.$1')} targetContainerName=2` }),
};
