/**
 * Pod and pod-template defaulting, as upstream pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, _Container,
 * _Probe, _HTTPGetAction, _Volume, ...) plus what the default admission chain adds to a Pod (service account,
 * priority, default not-ready/unreachable tolerations).
 */
import { asArray, asObj, isObj } from '../validation/field.ts';
import { DEFAULT_TOLERATION_SECONDS, withDefaultTolerations } from '../taints.ts';

/** Server configuration that pod defaulting depends on (flags of the API server, passed in by the CLI). */
export interface PodDefaultsOptions {
  /** --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds (upstream 300). */
  defaultTolerationSeconds?: number;
}

type Obj = Record<string, unknown>;
const setIfUnset = (o: Obj, k: string, v: unknown) => { if (o[k] === undefined || o[k] === null) o[k] = v; };

/** Always for an image with no tag or the tag latest (a digest counts as pinned), else IfNotPresent. */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string' || image === '') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const tail = image.slice(lastSlash + 1);
  const colon = tail.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return tail.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(h: Obj): void {
  setIfUnset(h, 'path', '/');
  setIfUnset(h, 'scheme', 'HTTP');
}

export function defaultProbe(p: Obj): void {
  setIfUnset(p, 'timeoutSeconds', 1);
  setIfUnset(p, 'periodSeconds', 10);
  setIfUnset(p, 'successThreshold', 1);
  setIfUnset(p, 'failureThreshold', 3);
  if (isObj(p.httpGet)) defaultHTTPGet(p.httpGet);
}

function defaultLifecycle(l: Obj): void {
  for (const k of ['postStart', 'preStop']) {
    const h = l[k];
    if (isObj(h) && isObj(h.httpGet)) defaultHTTPGet(h.httpGet);
  }
}

export function defaultContainer(c: Obj): void {
  setIfUnset(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setIfUnset(c, 'terminationMessagePath', '/dev/termination-log');
  setIfUnset(c, 'terminationMessagePolicy', 'File');
  setIfUnset(c, 'resources', {});
  if (isObj(c.resources)) {
    for (const k of ['limits', 'requests']) {
      const l = c.resources[k];
      if (isObj(l)) for (const [n, q] of Object.entries(l)) l[n] = canonicalQuantity(q);
    }
  }
  for (const p of asArray(c.ports)) if (isObj(p)) setIfUnset(p, 'protocol', 'TCP');
  for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe']) if (isObj(c[k])) defaultProbe(c[k] as Obj);
  if (isObj(c.lifecycle)) defaultLifecycle(c.lifecycle);
  for (const e of asArray(c.env)) {
    const vf = isObj(e) ? e.valueFrom : undefined;
    if (isObj(vf) && isObj(vf.fieldRef)) setIfUnset(vf.fieldRef, 'apiVersion', 'v1');
  }
}

const VOLUME_SOURCES = ['emptyDir', 'configMap', 'secret', 'hostPath', 'persistentVolumeClaim', 'projected', 'downwardAPI', 'nfs', 'ephemeral',
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk',
  'gitRepo', 'glusterfs', 'image', 'iscsi', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume'];
export { VOLUME_SOURCES };

function defaultVolume(v: Obj): void {
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  if (isObj(v.secret)) setIfUnset(v.secret, 'defaultMode', 420);
  if (isObj(v.configMap)) setIfUnset(v.configMap, 'defaultMode', 420);
  if (isObj(v.hostPath)) setIfUnset(v.hostPath, 'type', '');
  if (isObj(v.downwardAPI)) setIfUnset(v.downwardAPI, 'defaultMode', 420);
  if (isObj(v.projected)) setIfUnset(v.projected, 'defaultMode', 420);
  // SetDefaults_ObjectFieldSelector (apiVersion v1) and SetDefaults_ServiceAccountTokenProjection (3600 s).
  const files = (d: unknown) => asArray(isObj(d) ? d.items : undefined);
  for (const f of files(v.downwardAPI)) if (isObj(f) && isObj(f.fieldRef)) setIfUnset(f.fieldRef, 'apiVersion', 'v1');
  for (const s of asArray(isObj(v.projected) ? v.projected.sources : undefined)) {
    if (!isObj(s)) continue;
    for (const f of files(s.downwardAPI)) if (isObj(f) && isObj(f.fieldRef)) setIfUnset(f.fieldRef, 'apiVersion', 'v1');
    if (isObj(s.serviceAccountToken)) setIfUnset(s.serviceAccountToken, 'expirationSeconds', 3600);
  }
}

/** SetDefaults_PodSpec and everything below it (containers, probes, volumes). Used for pods and for pod templates. */
export function defaultPodSpec(spec: Obj): void {
  setIfUnset(spec, 'restartPolicy', 'Always');
  setIfUnset(spec, 'terminationGracePeriodSeconds', 30);
  setIfUnset(spec, 'dnsPolicy', 'ClusterFirst');
  setIfUnset(spec, 'securityContext', {});
  setIfUnset(spec, 'schedulerName', 'default-scheduler');
  for (const c of asArray(spec.containers)) if (isObj(c)) defaultContainer(c);
  for (const c of asArray(spec.initContainers)) if (isObj(c)) defaultContainer(c);
  for (const v of asArray(spec.volumes)) if (isObj(v)) defaultVolume(v);
}

/** A Pod (not a template): SetDefaults_Pod (requests from limits, service links, host ports) and SetDefaults_PodSpec. */
export function defaultPod(pod: Obj): void {
  if (!isObj(pod.spec)) pod.spec = {};
  const spec = pod.spec as Obj;
  for (const c of [...asArray(spec.containers), ...asArray(spec.initContainers)]) {
    if (!isObj(c) || !isObj(c.resources)) continue;
    const res = c.resources;
    if (isObj(res.limits) && Object.keys(res.limits).length > 0) {
      const req = isObj(res.requests) ? res.requests : (res.requests = {} as Obj);
      for (const [k, v] of Object.entries(res.limits)) if ((req as Obj)[k] === undefined) (req as Obj)[k] = v;
    }
  }
  // Pod-only (not templates), as upstream SetDefaults_Pod.
  setIfUnset(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const c of [...asArray(spec.containers), ...asArray(spec.initContainers)]) {
      for (const p of asArray(asObj(c).ports)) if (isObj(p) && (p.hostPort === undefined || p.hostPort === 0)) p.hostPort = p.containerPort;
    }
  }
  defaultPodSpec(spec);
  // v1 conversion keeps the deprecated serviceAccount in step with serviceAccountName.
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
}

/**
 * What upstream's mutating admission adds to a new Pod, after the field manager has recorded the create (so the
 * creator owns none of it): ServiceAccount (the `default` account), Priority (priority 0, PreemptLowerPriority),
 * DefaultTolerationSeconds (not-ready/unreachable tolerations).
 */
export function podAdmissionDefaults(pod: Obj, opts: PodDefaultsOptions = {}): void {
  if (!isObj(pod.spec)) pod.spec = {};
  const spec = pod.spec as Obj;
  // (defaultPod, run before, already keeps serviceAccount and serviceAccountName in step)
  if (!spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount = 'default';
  setIfUnset(spec, 'priority', 0);
  setIfUnset(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  // DefaultTolerationSeconds admission: tolerate not-ready/unreachable for 300s unless the pod says otherwise.
  spec.tolerations = withDefaultTolerations(Array.isArray(spec.tolerations) ? spec.tolerations : [], opts.defaultTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS);
}

/** Upstream qos.GetPodQOS (simplified to cpu and memory, as upstream's supported QoS resources). */
export function podQOSClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...asArray(spec.containers), ...asArray(spec.initContainers)].filter(isObj);
  let anyRequest = false;
  let guaranteed = true;
  for (const c of containers) {
    const res = asObj(c.resources);
    const req = asObj(res.requests), lim = asObj(res.limits);
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) anyRequest = true;
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r]) && quantityNum(req[r]) !== quantityNum(lim[r])) guaranteed = false;
    }
  }
  if (!anyRequest) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

import { canonicalQuantity, parseQuantity } from '../validation/quantity.ts';
const quantityNum = (q: unknown) => parseQuantity(q);
