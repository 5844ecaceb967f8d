/**
 * core/v1 volume sources beyond the common ones in core-pod.ts: downward API, projected, ephemeral (a PVC
 * template), NFS, and the in-tree plugins upstream still carries (most deprecated, kept so a Pod that names them
 * round-trips field for field).
 */
import type { Schema } from '../schema.ts';
import { META, atomicList, bool, int32, int64, map, obj, quantity, ref, str, strList } from './builders.ts';
import { CORE } from './core-container.ts';

const r = (n: string, d?: string, extra: Partial<Schema> = {}) => ref(CORE + n, d, extra);
const item = (n: string) => r(n, undefined, { default: {} });
const fsType = (dflt = 'ext4') => str(`fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Implicitly inferred to be "${dflt}" if unspecified.`);
const readOnly = () => bool('readOnly forces the ReadOnly setting in VolumeMounts. Defaults to false (read/write).');
const secretRef = () => r('LocalObjectReference', 'secretRef is the reference to the secret holding the credentials.');
const modeDoc = 'mode bits used to set permissions on created files, an octal value between 0000 and 0777 or a decimal value between 0 and 511.';
const keyToPath = () => atomicList(item('KeyToPath'), 'items maps keys of the referenced object to paths in the volume. If unspecified, every key is projected as a file named after the key.');

export const volumeDefinitions: Record<string, Schema> = {
  [CORE + 'DownwardAPIVolumeFile']: obj('DownwardAPIVolumeFile represents information to create the file containing the pod field', {
    fieldRef: r('ObjectFieldSelector', 'Required: Selects a field of the pod: only annotations, labels, name, namespace and uid are supported.'),
    mode: int32(`Optional: ${modeDoc} If not specified, the volume defaultMode will be used.`),
    path: str("Required: Path is the relative path name of the file to be created. Must not be absolute or contain the '..' path.", { default: '' }),
    resourceFieldRef: r('ResourceFieldSelector', 'Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, requests.cpu and requests.memory) are currently supported.'),
  }, { required: ['path'], proto: 'path=1 fieldRef=2 resourceFieldRef=3 mode=4?' }),
  [CORE + 'DownwardAPIVolumeSource']: obj('DownwardAPIVolumeSource represents a volume containing downward API info.', {
    defaultMode: int32(`Optional: ${modeDoc} Defaults to 0644.`),
    items: atomicList(item('DownwardAPIVolumeFile'), 'Items is a list of downward API volume file'),
  }, { proto: 'items=1 defaultMode=2?' }),
  [CORE + 'NFSVolumeSource']: obj('Represents an NFS mount that lasts the lifetime of a pod.', {
    path: str('path that is exported by the NFS server.', { default: '' }),
    readOnly: bool('readOnly here will force the NFS export to be mounted with read-only permissions. Defaults to false.'),
    server: str('server is the hostname or IP address of the NFS server.', { default: '' }),
  }, { required: ['server', 'path'], proto: 'server=1 path=2 readOnly=3' }),

  // --- ephemeral: a PVC created for the pod ---
  [CORE + 'TypedLocalObjectReference']: obj('TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.', {
    apiGroup: str('APIGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group.'),
    kind: str('Kind is the type of resource being referenced', { default: '' }),
    name: str('Name is the name of resource being referenced', { default: '' }),
  }, { required: ['kind', 'name'], mapType: 'atomic', proto: 'apiGroup=1? kind=2 name=3' }),
  [CORE + 'TypedObjectReference']: obj('TypedObjectReference contains enough information to let you locate the typed referenced object', {
    apiGroup: str('APIGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group.'),
    kind: str('Kind is the type of resource being referenced', { default: '' }),
    name: str('Name is the name of resource being referenced', { default: '' }),
    namespace: str('Namespace is the namespace of resource being referenced.'),
  }, { required: ['kind', 'name'], proto: 'apiGroup=1? kind=2 name=3 namespace=4?' }),
  [CORE + 'VolumeResourceRequirements']: obj('VolumeResourceRequirements describes the storage resource requirements for a volume.', {
    limits: map('Limits describes the maximum amount of compute resources allowed.', quantity()),
    requests: map('Requests describes the minimum amount of compute resources required.', quantity()),
  }, { proto: 'limits=1 requests=2' }),
  [CORE + 'PersistentVolumeClaimSpec']: obj('PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes', {
    accessModes: strList('accessModes contains the desired access modes the volume should have.'),
    dataSource: r('TypedLocalObjectReference', 'dataSource can be used to specify an existing VolumeSnapshot or PersistentVolumeClaim to populate the volume from.'),
    dataSourceRef: r('TypedObjectReference', 'dataSourceRef specifies the object from which to populate the volume with data, if a non-empty volume is desired.'),
    resources: r('VolumeResourceRequirements', 'resources represents the minimum resources the volume should have.', { default: {} }),
    selector: ref(META + 'LabelSelector', 'selector is a label query over volumes to consider for binding.'),
    storageClassName: str('storageClassName is the name of the StorageClass required by the claim.'),
    volumeAttributesClassName: str('volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'),
    volumeMode: str('volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.'),
    volumeName: str('volumeName is the binding reference to the PersistentVolume backing this claim.'),
  }, { proto: 'accessModes=1 selector=4 resources=2 volumeName=3 storageClassName=5? volumeMode=6? dataSource=7 dataSourceRef=8 volumeAttributesClassName=9?' }),
  [CORE + 'PersistentVolumeClaimTemplate']: obj('PersistentVolumeClaimTemplate is used to produce PersistentVolumeClaim objects as part of an EphemeralVolumeSource.', {
    metadata: ref(META + 'ObjectMeta', 'May contain labels and annotations that will be copied into the PVC when creating it.', { default: {} }),
    spec: r('PersistentVolumeClaimSpec', 'The specification for the PersistentVolumeClaim.', { default: {} }),
  }, { required: ['spec'], proto: 'metadata=1 spec=2' }),
  [CORE + 'EphemeralVolumeSource']: obj('Represents an ephemeral volume that is handled by a normal storage driver.', {
    volumeClaimTemplate: r('PersistentVolumeClaimTemplate', 'Will be used to create a stand-alone PVC to provision the volume. The pod is the owner of the PVC.'),
  }, { proto: 'volumeClaimTemplate=1' }),

  // --- projected ---
  [CORE + 'SecretProjection']: obj('Adapts a secret into a projected volume.', {
    items: keyToPath(),
    name: str('Name of the referent.', { default: '' }),
    optional: bool('optional field specify whether the Secret or its key must be defined'),
  }, { proto: 'name=1.1 items=2 optional=4?' }),
  [CORE + 'ConfigMapProjection']: obj('Adapts a ConfigMap into a projected volume.', {
    items: keyToPath(),
    name: str('Name of the referent.', { default: '' }),
    optional: bool('optional specify whether the ConfigMap or its keys must be defined'),
  }, { proto: 'name=1.1 items=2 optional=4?' }),
  [CORE + 'DownwardAPIProjection']: obj('Represents downward API info for projecting into a projected volume.', {
    items: atomicList(item('DownwardAPIVolumeFile'), 'Items is a list of DownwardAPIVolume file'),
  }, { proto: 'items=1' }),
  [CORE + 'ServiceAccountTokenProjection']: obj('ServiceAccountTokenProjection represents a projected service account token volume.', {
    audience: str('audience is the intended audience of the token. Defaults to the identifier of the apiserver.'),
    expirationSeconds: int64('expirationSeconds is the requested duration of validity of the service account token. Defaults to 1 hour and must be at least 10 minutes.'),
    path: str('path is the path relative to the mount point of the file to project the token into.', { default: '' }),
  }, { required: ['path'], proto: 'audience=1 expirationSeconds=2? path=3' }),
  [CORE + 'ClusterTrustBundleProjection']: obj('ClusterTrustBundleProjection describes how to select a set of ClusterTrustBundle objects and project their contents into the pod filesystem.', {
    labelSelector: ref(META + 'LabelSelector', 'Select all ClusterTrustBundles that match this label selector. Only has effect if signerName is set.'),
    name: str('Select a single ClusterTrustBundle by object name. Mutually-exclusive with signerName and labelSelector.'),
    optional: bool("If true, don't block pod startup if the referenced ClusterTrustBundle(s) aren't available."),
    path: str('Relative path from the volume root to write the bundle.', { default: '' }),
    signerName: str('Select all ClusterTrustBundles that match this signer name. Mutually-exclusive with name.'),
  }, { required: ['path'], proto: 'name=1? signerName=2? labelSelector=3 optional=5? path=4' }),
  [CORE + 'VolumeProjection']: obj('Projection that may be projected along with other supported volume types. Exactly one of these fields must be set.', {
    clusterTrustBundle: r('ClusterTrustBundleProjection', 'ClusterTrustBundle allows a pod to access the `.spec.trustBundle` field of ClusterTrustBundle objects in an auto-updating file.'),
    configMap: r('ConfigMapProjection', 'configMap information about the configMap data to project'),
    downwardAPI: r('DownwardAPIProjection', 'downwardAPI information about the downwardAPI data to project'),
    secret: r('SecretProjection', 'secret information about the secret data to project'),
    serviceAccountToken: r('ServiceAccountTokenProjection', 'serviceAccountToken is information about the serviceAccountToken data to project'),
  }, { proto: 'secret=1 downwardAPI=2 configMap=3 serviceAccountToken=4 clusterTrustBundle=5' }),
  [CORE + 'ProjectedVolumeSource']: obj('Represents a projected volume source', {
    defaultMode: int32(`defaultMode are the ${modeDoc}`),
    sources: atomicList(item('VolumeProjection'), 'sources is the list of volume projections. Each entry in this list handles one source.'),
  }, { proto: 'sources=1 defaultMode=2?' }),

  // --- in-tree plugins ---
  [CORE + 'AWSElasticBlockStoreVolumeSource']: obj('Represents a Persistent Disk resource in AWS.', {
    fsType: fsType(), partition: int32('partition is the partition in the volume that you want to mount.'), readOnly: readOnly(),
    volumeID: str('volumeID is unique ID of the persistent disk resource in AWS (Amazon EBS volume).', { default: '' }),
  }, { required: ['volumeID'], proto: 'volumeID=1 fsType=2 partition=3 readOnly=4' }),
  [CORE + 'AzureDiskVolumeSource']: obj('AzureDisk represents an Azure Data Disk mount on the host and bind mount to the pod.', {
    cachingMode: str('cachingMode is the Host Caching mode: None, Read Only, Read Write.'),
    diskName: str('diskName is the Name of the data disk in the blob storage', { default: '' }),
    diskURI: str('diskURI is the URI of data disk in the blob storage', { default: '' }),
    fsType: fsType(), kind: str('kind expected values are Shared, Dedicated and Managed. Defaults to shared.'), readOnly: readOnly(),
  }, { required: ['diskName', 'diskURI'], proto: 'diskName=1 diskURI=2 cachingMode=3? fsType=4? readOnly=5? kind=6?' }),
  [CORE + 'AzureFileVolumeSource']: obj('AzureFile represents an Azure File Service mount on the host and bind mount to the pod.', {
    readOnly: readOnly(),
    secretName: str('secretName is the name of secret that contains Azure Storage Account Name and Key', { default: '' }),
    shareName: str('shareName is the azure share Name', { default: '' }),
  }, { required: ['secretName', 'shareName'], proto: 'secretName=1 shareName=2 readOnly=3' }),
  [CORE + 'CephFSVolumeSource']: obj('Represents a Ceph Filesystem mount that lasts the lifetime of a pod.', {
    monitors: strList('monitors is Required: Monitors is a collection of Ceph monitors'),
    path: str('path is Optional: Used as the mounted root, rather than the full Ceph tree, default is /'), readOnly: readOnly(),
    secretFile: str('secretFile is Optional: SecretFile is the path to key ring for User, default is /etc/ceph/user.secret'),
    secretRef: secretRef(), user: str('user is optional: User is the rados user name, default is admin'),
  }, { required: ['monitors'], proto: 'monitors=1 path=2 user=3 secretFile=4 secretRef=5 readOnly=6' }),
  [CORE + 'CinderVolumeSource']: obj('Represents a cinder volume resource in Openstack.', {
    fsType: fsType(), readOnly: readOnly(), secretRef: secretRef(),
    volumeID: str('volumeID used to identify the volume in cinder.', { default: '' }),
  }, { required: ['volumeID'], proto: 'volumeID=1 fsType=2 readOnly=3 secretRef=4' }),
  [CORE + 'CSIVolumeSource']: obj('Represents a source location of a volume to mount, managed by an external CSI driver', {
    driver: str('driver is the name of the CSI driver that handles this volume.', { default: '' }),
    fsType: str('fsType to mount. Ex. "ext4", "xfs", "ntfs". If not provided, the empty value is passed to the associated CSI driver.'),
    nodePublishSecretRef: r('LocalObjectReference', 'nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver.'),
    readOnly: bool('readOnly specifies a read-only configuration for the volume. Defaults to false (read/write).'),
    volumeAttributes: map('volumeAttributes stores driver-specific properties that are passed to the CSI driver.'),
  }, { required: ['driver'], proto: 'driver=1 readOnly=2? fsType=3? volumeAttributes=4 nodePublishSecretRef=5' }),
  [CORE + 'FCVolumeSource']: obj('Represents a Fibre Channel volume.', {
    fsType: fsType(), lun: int32('lun is Optional: FC target lun number'), readOnly: readOnly(),
    targetWWNs: strList('targetWWNs is Optional: FC target worldwide names (WWNs)'),
    wwids: strList('wwids Optional: FC volume world wide identifiers (wwids)'),
  }, { proto: 'targetWWNs=1 lun=2? fsType=3 readOnly=4 wwids=5' }),
  [CORE + 'FlexVolumeSource']: obj('FlexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin.', {
    driver: str('driver is the name of the driver to use for this volume.', { default: '' }),
    fsType: str('fsType is the filesystem type to mount. The default filesystem depends on FlexVolume script.'),
    options: map('options is Optional: this field holds extra command options if any.'), readOnly: readOnly(), secretRef: secretRef(),
  }, { required: ['driver'], proto: 'driver=1 fsType=2 secretRef=3 readOnly=4 options=5' }),
  [CORE + 'FlockerVolumeSource']: obj('Represents a Flocker volume mounted by the Flocker agent.', {
    datasetName: str('datasetName is Name of the dataset stored as metadata -> name on the dataset for Flocker'),
    datasetUUID: str('datasetUUID is the UUID of the dataset. This is unique identifier of a Flocker dataset'),
  }, { proto: 'datasetName=1 datasetUUID=2' }),
  [CORE + 'GCEPersistentDiskVolumeSource']: obj('Represents a Persistent Disk resource in Google Compute Engine.', {
    fsType: fsType(), partition: int32('partition is the partition in the volume that you want to mount.'),
    pdName: str('pdName is unique name of the PD resource in GCE. Used to identify the disk in GCE.', { default: '' }), readOnly: readOnly(),
  }, { required: ['pdName'], proto: 'pdName=1 fsType=2 partition=3 readOnly=4' }),
  [CORE + 'GitRepoVolumeSource']: obj('Represents a volume that is populated with the contents of a git repository. Deprecated.', {
    directory: str("directory is the target directory name. Must not contain or start with '..'."),
    repository: str('repository is the URL', { default: '' }),
    revision: str('revision is the commit hash for the specified revision.'),
  }, { required: ['repository'], proto: 'repository=1 revision=2 directory=3' }),
  [CORE + 'GlusterfsVolumeSource']: obj('Represents a Glusterfs mount that lasts the lifetime of a pod.', {
    endpoints: str('endpoints is the endpoint name that details Glusterfs topology.', { default: '' }),
    path: str('path is the Glusterfs volume path.', { default: '' }), readOnly: readOnly(),
  }, { required: ['endpoints', 'path'], proto: 'endpoints=1 path=2 readOnly=3' }),
  [CORE + 'ISCSIVolumeSource']: obj('Represents an ISCSI disk.', {
    chapAuthDiscovery: bool('chapAuthDiscovery defines whether support iSCSI Discovery CHAP authentication'),
    chapAuthSession: bool('chapAuthSession defines whether support iSCSI Session CHAP authentication'),
    fsType: fsType(), initiatorName: str('initiatorName is the custom iSCSI Initiator Name.'),
    iqn: str('iqn is the target iSCSI Qualified Name.', { default: '' }),
    iscsiInterface: str("iscsiInterface is the interface Name that uses an iSCSI transport. Defaults to 'default' (tcp)."),
    lun: int32('lun represents iSCSI Target Lun number.', { default: 0 }),
    portals: strList('portals is the iSCSI Target Portal List.'), readOnly: readOnly(), secretRef: secretRef(),
    targetPortal: str('targetPortal is iSCSI Target Portal. The Portal is either an IP or ip_addr:port.', { default: '' }),
  }, { required: ['targetPortal', 'iqn', 'lun'], proto: 'targetPortal=1 iqn=2 lun=3 iscsiInterface=4 fsType=5 readOnly=6 portals=7 chapAuthDiscovery=8 chapAuthSession=11 secretRef=10 initiatorName=12?' }),
  [CORE + 'ImageVolumeSource']: obj('ImageVolumeSource represents a image volume resource.', {
    pullPolicy: str('Policy for pulling OCI objects. Possible values are: Always, Never, IfNotPresent.'),
    reference: str('Required: Image or artifact reference to be used.'),
  }, { proto: 'reference=1 pullPolicy=2' }),
  [CORE + 'PhotonPersistentDiskVolumeSource']: obj('Represents a Photon Controller persistent disk resource.', {
    fsType: fsType(), pdID: str('pdID is the ID that identifies Photon Controller persistent disk', { default: '' }),
  }, { required: ['pdID'], proto: 'pdID=1 fsType=2' }),
  [CORE + 'PortworxVolumeSource']: obj('PortworxVolumeSource represents a Portworx volume resource.', {
    fsType: fsType(), readOnly: readOnly(), volumeID: str('volumeID uniquely identifies a Portworx volume', { default: '' }),
  }, { required: ['volumeID'], proto: 'volumeID=1 fsType=2 readOnly=3' }),
  [CORE + 'QuobyteVolumeSource']: obj('Represents a Quobyte mount that lasts the lifetime of a pod.', {
    group: str('group to map volume access to'), readOnly: readOnly(),
    registry: str('registry represents a single or multiple Quobyte Registry services specified as a string as host:port pair', { default: '' }),
    tenant: str('tenant owning the given Quobyte volume in the Backend'), user: str('user to map volume access to'),
    volume: str('volume is a string that references an already created Quobyte volume by name.', { default: '' }),
  }, { required: ['registry', 'volume'], proto: 'registry=1 volume=2 readOnly=3 user=4 group=5 tenant=6' }),
  [CORE + 'RBDVolumeSource']: obj('Represents a Rados Block Device mount that lasts the lifetime of a pod.', {
    fsType: fsType(), image: str('image is the rados image name.', { default: '' }),
    keyring: str('keyring is the path to key ring for RBDUser. Default is /etc/ceph/keyring.'),
    monitors: strList('monitors is a collection of Ceph monitors.'), pool: str('pool is the rados pool name. Default is rbd.'),
    readOnly: readOnly(), secretRef: secretRef(), user: str('user is the rados user name. Default is admin.'),
  }, { required: ['monitors', 'image'], proto: 'monitors=1 image=2 fsType=3 pool=4 user=5 keyring=6 secretRef=7 readOnly=8' }),
  [CORE + 'ScaleIOVolumeSource']: obj('ScaleIOVolumeSource represents a persistent ScaleIO volume', {
    fsType: fsType('xfs'), gateway: str('gateway is the host address of the ScaleIO API Gateway.', { default: '' }),
    protectionDomain: str('protectionDomain is the name of the ScaleIO Protection Domain for the configured storage.'),
    readOnly: readOnly(), secretRef: secretRef(), sslEnabled: bool('sslEnabled Flag enable/disable SSL communication with Gateway, default false'),
    storageMode: str('storageMode indicates whether the storage for a volume should be ThickProvisioned or ThinProvisioned.'),
    storagePool: str('storagePool is the ScaleIO Storage Pool associated with the protection domain.'),
    system: str('system is the name of the storage system as configured in ScaleIO.', { default: '' }),
    volumeName: str('volumeName is the name of a volume already created in the ScaleIO system that is associated with this volume source.'),
  }, { required: ['gateway', 'system', 'secretRef'], proto: 'gateway=1 system=2 secretRef=3 sslEnabled=4 protectionDomain=5 storagePool=6 storageMode=7 volumeName=8 fsType=9 readOnly=10' }),
  [CORE + 'StorageOSVolumeSource']: obj('Represents a StorageOS persistent volume resource.', {
    fsType: fsType(), readOnly: readOnly(), secretRef: secretRef(),
    volumeName: str('volumeName is the human-readable name of the StorageOS volume.'),
    volumeNamespace: str('volumeNamespace specifies the scope of the volume within StorageOS.'),
  }, { proto: 'volumeName=1 volumeNamespace=2 fsType=3 readOnly=4 secretRef=5' }),
  [CORE + 'VsphereVirtualDiskVolumeSource']: obj('Represents a vSphere volume resource.', {
    fsType: fsType(), storagePolicyID: str('storagePolicyID is the storage Policy Based Management (SPBM) profile ID associated with the StoragePolicyName.'),
    storagePolicyName: str('storagePolicyName is the storage Policy Based Management (SPBM) profile name.'),
    volumePath: str('volumePath is the path that identifies vSphere volume vmdk', { default: '' }),
  }, { required: ['volumePath'], proto: 'volumePath=1 fsType=2 storagePolicyName=3 storagePolicyID=4' }),
};

/** Volume's sources (VolumeSource, embedded in Volume, which protobuf nests at field 2). */
export const volumeSourceProps = (): Record<string, Schema> => ({
  awsElasticBlockStore: r('AWSElasticBlockStoreVolumeSource', 'awsElasticBlockStore represents an AWS Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod. Deprecated.'),
  azureDisk: r('AzureDiskVolumeSource', 'azureDisk represents an Azure Data Disk mount on the host and bind mount to the pod. Deprecated.'),
  azureFile: r('AzureFileVolumeSource', 'azureFile represents an Azure File Service mount on the host and bind mount to the pod. Deprecated.'),
  cephfs: r('CephFSVolumeSource', "cephFS represents a Ceph FS mount on the host that shares a pod's lifetime. Deprecated."),
  cinder: r('CinderVolumeSource', 'cinder represents a cinder volume attached and mounted on kubelets host machine. Deprecated.'),
  csi: r('CSIVolumeSource', 'csi (Container Storage Interface) represents ephemeral storage that is handled by certain external CSI drivers.'),
  fc: r('FCVolumeSource', "fc represents a Fibre Channel resource that is attached to a kubelet's host machine and then exposed to the pod."),
  flexVolume: r('FlexVolumeSource', 'flexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin. Deprecated.'),
  flocker: r('FlockerVolumeSource', "flocker represents a Flocker volume attached to a kubelet's host machine. Deprecated."),
  gcePersistentDisk: r('GCEPersistentDiskVolumeSource', "gcePersistentDisk represents a GCE Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Deprecated."),
  gitRepo: r('GitRepoVolumeSource', 'gitRepo represents a git repository at a particular revision. Deprecated.'),
  glusterfs: r('GlusterfsVolumeSource', "glusterfs represents a Glusterfs mount on the host that shares a pod's lifetime. Deprecated."),
  image: r('ImageVolumeSource', "image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet's host machine."),
  iscsi: r('ISCSIVolumeSource', "iscsi represents an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod."),
  photonPersistentDisk: r('PhotonPersistentDiskVolumeSource', 'photonPersistentDisk represents a PhotonController persistent disk attached and mounted on kubelets host machine. Deprecated.'),
  portworxVolume: r('PortworxVolumeSource', 'portworxVolume represents a portworx volume attached and mounted on kubelets host machine. Deprecated.'),
  quobyte: r('QuobyteVolumeSource', "quobyte represents a Quobyte mount on the host that shares a pod's lifetime. Deprecated."),
  rbd: r('RBDVolumeSource', "rbd represents a Rados Block Device mount on the host that shares a pod's lifetime. Deprecated."),
  scaleIO: r('ScaleIOVolumeSource', 'scaleIO represents a ScaleIO persistent volume attached and mounted on Kubernetes nodes. Deprecated.'),
  storageos: r('StorageOSVolumeSource', 'storageOS represents a StorageOS volume attached and mounted on Kubernetes nodes. Deprecated.'),
  vsphereVolume: r('VsphereVirtualDiskVolumeSource', 'vsphereVolume represents a vSphere volume attached and mounted on kubelets host machine. Deprecated.'),
});
export const VOLUME_PROTO = 'name=1 hostPath=2.1 emptyDir=2.2 gcePersistentDisk=2.3 awsElasticBlockStore=2.4 gitRepo=2.5 secret=2.6 nfs=2.7 iscsi=2.8 glusterfs=2.9 persistentVolumeClaim=2.10 rbd=2.11 flexVolume=2.12 cinder=2.13 cephfs=2.14 flocker=2.15 downwardAPI=2.16 fc=2.17 azureFile=2.18 configMap=2.19 vsphereVolume=2.20 quobyte=2.21 azureDisk=2.22 photonPersistentDisk=2.23 projected=2.26 portworxVolume=2.24 scaleIO=2.25 storageos=2.27 csi=2.28 ephemeral=2.29 image=2.30';
