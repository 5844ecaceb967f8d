/**
 * PodSpec validation (upstream pkg/apis/core/validation ValidatePodSpec and friends), shared by Pod and by the
 * pod templates of Deployment and ReplicaSet. Every error is collected with its upstream path and wording.
 */
import type { FieldError } from '../errors.ts';
import { VOLUME_SOURCES } from '../kinds/pod-defaults.ts';
import { asArray, asObj, child, duplicate, forbidden, index, invalid, isObj, key, nonNegative, notFound, notSupported, required } from './field.ts';
import { PORT_RANGE_MSG, isCIdentifier, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isValidPortName, isValidPortNum, isConfigMapKey, isQualifiedName } from './names.ts';
import { QUANTITY_ERROR, parseQuantity } from './quantity.ts';
import { enumOf } from '../definitions/index.ts';
import { ENV_FIELD_PATHS, localDescendingPath, validateDownwardAPIVolume, validateFieldSelector, validateKeyVolume, validateProjectedVolume,
  validateResourceFieldSelector } from './pod-volumes.ts';

type Obj = Record<string, unknown>;
const CORE = 'io.k8s.api.core.v1.';
// Supported values: the schema's enumerations.
const RESTART_POLICIES = enumOf(CORE + 'PodSpec', 'restartPolicy');
const DNS_POLICIES = enumOf(CORE + 'PodSpec', 'dnsPolicy');
const PULL_POLICIES = enumOf(CORE + 'Container', 'imagePullPolicy');
const CONTAINER_RESTART_POLICIES = enumOf(CORE + 'Container', 'restartPolicy');
const PROTOCOLS = enumOf(CORE + 'ContainerPort', 'protocol');
const TERMINATION_MSG_POLICIES = enumOf(CORE + 'Container', 'terminationMessagePolicy');
const HTTP_SCHEMES = enumOf(CORE + 'HTTPGetAction', 'scheme');
const HOST_PATH_TYPES = enumOf(CORE + 'HostPathVolumeSource', 'type');
const TOLERATION_OPS = enumOf(CORE + 'Toleration', 'operator');
const TAINT_EFFECTS = enumOf(CORE + 'Toleration', 'effect');

function validatePorts(ports: unknown, path: string, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, p0] of asArray(ports).entries()) {
    const p = asObj(p0);
    const pp = index(path, i);
    if (p.name !== undefined && p.name !== '') {
      const n = String(p.name);
      for (const m of isValidPortName(n)) errs.push(invalid(child(pp, 'name'), n, m));
      if (names.has(n)) errs.push(duplicate(child(pp, 'name'), n));
      names.add(n);
    }
    if (p.containerPort === undefined || p.containerPort === 0) errs.push(required(child(pp, 'containerPort')));
    else if (!isValidPortNum(p.containerPort)) errs.push(invalid(child(pp, 'containerPort'), p.containerPort, PORT_RANGE_MSG));
    if (p.hostPort !== undefined && p.hostPort !== 0 && !isValidPortNum(p.hostPort)) errs.push(invalid(child(pp, 'hostPort'), p.hostPort, PORT_RANGE_MSG));
    if (p.protocol === undefined || p.protocol === '') errs.push(required(child(pp, 'protocol')));
    else if (!PROTOCOLS.includes(String(p.protocol))) errs.push(notSupported(child(pp, 'protocol'), p.protocol, PROTOCOLS));
  }
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, e0] of asArray(env).entries()) {
    const e = asObj(e0);
    const ep = index(path, i);
    if (!e.name) errs.push(required(child(ep, 'name')));
    else for (const m of isEnvVarName(String(e.name))) errs.push(invalid(child(ep, 'name'), e.name, m));
    if (e.valueFrom !== undefined && e.valueFrom !== null) {
      const vf = asObj(e.valueFrom);
      const vp = child(ep, 'valueFrom');
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => vf[s] !== undefined && vf[s] !== null);
      if (sources.length === 0) errs.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (sources.length > 1) errs.push(invalid(vp, '', 'may not have more than one field specified at a time'));
      if (e.value !== undefined && e.value !== '' && sources.length) errs.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
      for (const s of ['configMapKeyRef', 'secretKeyRef']) {
        if (!isObj(vf[s])) continue;
        const ref = vf[s] as Obj;
        if (!ref.key) errs.push(required(child(vp, s, 'key')));
        else for (const m of isConfigMapKey(String(ref.key))) errs.push(invalid(child(vp, s, 'key'), ref.key, m));
      }
      if (isObj(vf.fieldRef)) errs.push(...validateFieldSelector(vf.fieldRef, child(vp, 'fieldRef'), ENV_FIELD_PATHS));
      if (isObj(vf.resourceFieldRef)) errs.push(...validateResourceFieldSelector(vf.resourceFieldRef, child(vp, 'resourceFieldRef'), false));
    }
  }
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, e0] of asArray(envFrom).entries()) {
    const e = asObj(e0);
    const ep = index(path, i);
    if (e.prefix) for (const m of isEnvVarName(String(e.prefix))) errs.push(invalid(child(ep, 'prefix'), e.prefix, m));
    const n = (e.configMapRef ? 1 : 0) + (e.secretRef ? 1 : 0);
    if (n === 0) errs.push(invalid(ep, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(ep, '', 'may not have more than one field specified at a time'));
    for (const s of ['configMapRef', 'secretRef']) {
      if (!isObj(e[s])) continue;
      const name = (e[s] as Obj).name;
      if (!name) errs.push(required(child(ep, s, 'name')));
      else for (const m of isDNS1123Subdomain(String(name))) errs.push(invalid(child(ep, s, 'name'), name, m));
    }
  }
  return errs;
}

function validateResources(res: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const r = asObj(res);
  const parsed: Record<string, Record<string, number>> = { limits: {}, requests: {} };
  for (const kind of ['limits', 'requests']) {
    for (const [name, q] of Object.entries(asObj(r[kind]))) {
      const fp = key(child(path, kind), name);
      for (const m of resourceNameErrors(name)) errs.push(invalid(fp, name, m));
      const v = parseQuantity(q);
      if (v === undefined) { errs.push(invalid(fp, q, QUANTITY_ERROR)); continue; }
      if (v < 0) errs.push(invalid(fp, q, 'must be greater than or equal to 0'));
      parsed[kind][name] = v;
    }
  }
  for (const [name, v] of Object.entries(parsed.requests)) {
    const lim = parsed.limits[name];
    if (lim !== undefined && v > lim) {
      errs.push(invalid(key(child(path, 'requests'), name), asObj(r.requests)[name], `must be less than or equal to ${name} limit of ${String(asObj(r.limits)[name])}`));
    }
  }
  return errs;
}

function resourceNameErrors(name: string): string[] {
  const msgs = isQualifiedName(name);
  if (msgs.length) return msgs;
  if (!name.includes('/') && !['cpu', 'memory', 'ephemeral-storage', 'storage', 'pods'].includes(name) && !name.startsWith('hugepages-')) {
    return ['must be a standard resource type or fully qualified'];
  }
  return [];
}

function validateHandler(h: Obj, path: string, allowSleep: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const kinds = ['exec', 'httpGet', 'tcpSocket', 'grpc', ...(allowSleep ? ['sleep'] : [])].filter((k) => h[k] !== undefined && h[k] !== null);
  if (kinds.length === 0) { errs.push(required(path, 'must specify a handler type')); return errs; }
  if (kinds.length > 1) errs.push(forbidden(child(path, kinds[1]), 'may not specify more than 1 handler type'));
  if (isObj(h.exec) && asArray(h.exec.command).length === 0) errs.push(required(child(path, 'exec', 'command')));
  if (isObj(h.httpGet)) {
    const g = h.httpGet;
    errs.push(...validatePortRef(g.port, child(path, 'httpGet', 'port')));
    if (g.scheme !== undefined && !HTTP_SCHEMES.includes(String(g.scheme))) errs.push(notSupported(child(path, 'httpGet', 'scheme'), g.scheme, HTTP_SCHEMES));
  }
  if (isObj(h.tcpSocket)) errs.push(...validatePortRef(h.tcpSocket.port, child(path, 'tcpSocket', 'port')));
  if (isObj(h.grpc) && !isValidPortNum(h.grpc.port)) errs.push(invalid(child(path, 'grpc', 'port'), h.grpc.port ?? 0, PORT_RANGE_MSG));
  return errs;
}

function validatePortRef(port: unknown, path: string): FieldError[] {
  if (port === undefined || port === null || port === '') return [required(path)];
  if (typeof port === 'number') return isValidPortNum(port) ? [] : [invalid(path, port, PORT_RANGE_MSG)];
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  return [invalid(path, port, 'must be an integer or a string')];
}

function validateProbe(p0: unknown, path: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (p0 === undefined || p0 === null) return [];
  const p = asObj(p0);
  const errs = validateHandler(p, path, false);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) errs.push(...nonNegative(child(path, f), p[f]));
  if (kind !== 'readiness' && p.successThreshold !== undefined && p.successThreshold !== 1) errs.push(invalid(child(path, 'successThreshold'), p.successThreshold, 'must be 1'));
  if (p.terminationGracePeriodSeconds !== undefined && typeof p.terminationGracePeriodSeconds === 'number' && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateContainer(c0: unknown, path: string, volumes: Set<string>, init: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const c = asObj(c0);
  if (!c.name) errs.push(required(child(path, 'name')));
  else for (const m of isDNS1123Label(String(c.name))) errs.push(invalid(child(path, 'name'), c.name, m));
  if (typeof c.image !== 'string' || c.image.trim() === '') errs.push(required(child(path, 'image')));
  else if (c.image !== c.image.trim()) errs.push(invalid(child(path, 'image'), c.image, 'must not have leading or trailing whitespace'));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(String(c.imagePullPolicy))) errs.push(notSupported(child(path, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  if (c.terminationMessagePolicy !== undefined && !TERMINATION_MSG_POLICIES.includes(String(c.terminationMessagePolicy))) {
    errs.push(notSupported(child(path, 'terminationMessagePolicy'), c.terminationMessagePolicy, TERMINATION_MSG_POLICIES));
  }
  errs.push(...validatePorts(c.ports, child(path, 'ports'), new Set<string>()));
  errs.push(...validateEnv(c.env, child(path, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, child(path, 'envFrom')));
  errs.push(...validateResources(c.resources, child(path, 'resources')));
  const mounts = new Set<string>();
  for (const [i, m0] of asArray(c.volumeMounts).entries()) {
    const m = asObj(m0);
    const mp = index(child(path, 'volumeMounts'), i);
    if (!m.name) errs.push(required(child(mp, 'name')));
    else if (!volumes.has(String(m.name))) errs.push(notFound(child(mp, 'name'), m.name));
    if (!m.mountPath) errs.push(required(child(mp, 'mountPath')));
    else if (mounts.has(String(m.mountPath))) errs.push(invalid(child(mp, 'mountPath'), m.mountPath, 'must be unique'));
    else mounts.add(String(m.mountPath));
    if (m.subPath && m.subPathExpr) errs.push(invalid(child(mp, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
    for (const f of ['subPath', 'subPathExpr']) if (typeof m[f] === 'string' && m[f]) errs.push(...localDescendingPath(String(m[f]), child(mp, f)));
    if (m.mountPropagation !== undefined && !MOUNT_PROPAGATIONS.includes(String(m.mountPropagation))) {
      errs.push(notSupported(child(mp, 'mountPropagation'), m.mountPropagation, MOUNT_PROPAGATIONS));
    } else if (m.mountPropagation === 'Bidirectional' && asObj(c.securityContext).privileged !== true) {
      errs.push(forbidden(child(mp, 'mountPropagation'), 'Bidirectional mount propagation is available only to privileged containers'));
    }
  }
  if (init) {
    for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[p] !== undefined && c[p] !== null && c.restartPolicy !== 'Always') errs.push(forbidden(child(path, p), `may not be set for init containers without restartPolicy=Always`));
    }
    if (c.restartPolicy !== undefined && !CONTAINER_RESTART_POLICIES.includes(String(c.restartPolicy))) errs.push(notSupported(child(path, 'restartPolicy'), c.restartPolicy, CONTAINER_RESTART_POLICIES));
  } else {
    errs.push(...validateProbe(c.livenessProbe, child(path, 'livenessProbe'), 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, child(path, 'readinessProbe'), 'readiness'));
    errs.push(...validateProbe(c.startupProbe, child(path, 'startupProbe'), 'startup'));
    if (c.restartPolicy !== undefined) errs.push(forbidden(child(path, 'restartPolicy'), 'may not be set for non-init containers'));
  }
  if (isObj(c.lifecycle)) {
    for (const h of ['postStart', 'preStop']) if (isObj(c.lifecycle[h])) errs.push(...validateHandler(c.lifecycle[h] as Obj, child(path, 'lifecycle', h), true));
  }
  return errs;
}

const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None']; // sorted, as upstream lists them

function validateVolumes(vols: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [i, v0] of asArray(vols).entries()) {
    const v = asObj(v0);
    const vp = index(path, i);
    if (!v.name) errs.push(required(child(vp, 'name')));
    else {
      const n = String(v.name);
      for (const m of isDNS1123Label(n)) errs.push(invalid(child(vp, 'name'), n, m));
      if (names.has(n)) errs.push(duplicate(child(vp, 'name'), n));
      names.add(n);
    }
    const sources = VOLUME_SOURCES.filter((k) => v[k] !== undefined && v[k] !== null);
    if (sources.length === 0) errs.push(required(vp, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(forbidden(child(vp, sources[1]), 'may not specify more than 1 volume type'));
    if (isObj(v.hostPath)) {
      if (!v.hostPath.path) errs.push(required(child(vp, 'hostPath', 'path')));
      if (v.hostPath.type !== undefined && !HOST_PATH_TYPES.includes(String(v.hostPath.type))) errs.push(notSupported(child(vp, 'hostPath', 'type'), v.hostPath.type, HOST_PATH_TYPES));
    }
    if (isObj(v.configMap)) errs.push(...validateKeyVolume(v.configMap, child(vp, 'configMap'), 'name'));
    if (isObj(v.secret)) errs.push(...validateKeyVolume(v.secret, child(vp, 'secret'), 'secretName'));
    if (isObj(v.downwardAPI)) errs.push(...validateDownwardAPIVolume(v.downwardAPI, child(vp, 'downwardAPI')));
    if (isObj(v.projected)) errs.push(...validateProjectedVolume(v.projected, child(vp, 'projected')));
  }
  return { errs, names };
}

function validateTolerations(tols: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, t0] of asArray(tols).entries()) {
    const t = asObj(t0);
    const tp = index(path, i);
    if (t.key) for (const m of isQualifiedName(String(t.key))) errs.push(invalid(child(tp, 'key'), t.key, m));
    if (!t.key && t.operator !== 'Exists') errs.push(invalid(child(tp, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.operator !== undefined && t.operator !== '' && !TOLERATION_OPS.includes(String(t.operator))) errs.push(notSupported(child(tp, 'operator'), t.operator, TOLERATION_OPS));
    if (t.operator === 'Exists' && t.value) errs.push(invalid(child(tp, 'operator'), t.value, 'value must be empty when `operator` is \'Exists\''));
    if (t.effect !== undefined && t.effect !== '' && !TAINT_EFFECTS.includes(String(t.effect))) errs.push(notSupported(child(tp, 'effect'), t.effect, TAINT_EFFECTS));
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') errs.push(invalid(child(tp, 'effect'), t.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
  }
  return errs;
}

/** Container names are unique across init and regular containers. */
function duplicateNames(list: unknown[], p: string, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  for (let i = 0; i < list.length; i++) {
    const n = asObj(list[i]).name;
    if (typeof n === 'string' && n) {
      if (names.has(n)) errs.push(duplicate(child(index(p, i), 'name'), n));
      names.add(n);
    }
  }
  return errs;
}

/** Upstream AccumulateUniqueHostPorts: a hostPort/protocol/hostIP is used once in a pod. */
function hostPortConflicts(list: (readonly [unknown, string])[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [c, cp] of list) {
    for (const [j, p0] of asArray(asObj(c).ports).entries()) {
      const p = asObj(p0);
      if (!p.hostPort) continue;
      const k = `${p.hostPort}/${p.protocol ?? 'TCP'}`;
      const kk = `${p.hostIP ?? ''}/${k}`;
      if (seen.has(kk)) errs.push(duplicate(child(index(child(cp, 'ports'), j), 'hostPort'), k));
      seen.add(kk);
    }
  }
  return errs;
}

export interface PodSpecOptions {
  /** pod templates of workloads: activeDeadlineSeconds etc. are checked by the caller */
  template?: boolean;
}

/** Every error in a PodSpec at `path` (e.g. `spec` or `spec.template.spec`). */
export function validatePodSpec(spec0: unknown, path: string, _o: PodSpecOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(spec0);
  const { errs: vErrs, names: volumes } = validateVolumes(spec.volumes, child(path, 'volumes'));
  errs.push(...vErrs);
  const containers = asArray(spec.containers);
  if (containers.length === 0) errs.push(required(child(path, 'containers')));
  const names = new Set<string>();
  const inits = asArray(spec.initContainers);
  for (const [i, c] of inits.entries()) errs.push(...validateContainer(c, index(child(path, 'initContainers'), i), volumes, true));
  errs.push(...duplicateNames(inits, child(path, 'initContainers'), names));
  for (const [i, c] of containers.entries()) errs.push(...validateContainer(c, index(child(path, 'containers'), i), volumes, false));
  errs.push(...duplicateNames(containers, child(path, 'containers'), names));
  errs.push(...hostPortConflicts([...containers.map((c, i) => [c, index(child(path, 'containers'), i)] as const), ...inits.map((c, i) => [c, index(child(path, 'initContainers'), i)] as const)]));
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(String(spec.restartPolicy))) errs.push(notSupported(child(path, 'restartPolicy'), spec.restartPolicy, RESTART_POLICIES));
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(String(spec.dnsPolicy))) errs.push(notSupported(child(path, 'dnsPolicy'), spec.dnsPolicy, DNS_POLICIES));
  errs.push(...nonNegative(child(path, 'terminationGracePeriodSeconds'), spec.terminationGracePeriodSeconds));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const a = spec.activeDeadlineSeconds;
    if (typeof a !== 'number' || a < 1 || a > 2147483647) errs.push(invalid(child(path, 'activeDeadlineSeconds'), a, 'must be between 1 and 2147483647, inclusive'));
  }
  for (const [k, v] of Object.entries(asObj(spec.nodeSelector))) {
    const fp = child(path, 'nodeSelector');
    for (const m of isQualifiedName(k)) errs.push(invalid(fp, k, m));
    if (typeof v === 'string' && v.length > 63) errs.push(invalid(fp, v, 'must be no more than 63 characters'));
  }
  if (spec.nodeName) for (const m of isDNS1123Subdomain(String(spec.nodeName))) errs.push(invalid(child(path, 'nodeName'), spec.nodeName, m));
  if (spec.serviceAccountName) for (const m of isDNS1123Subdomain(String(spec.serviceAccountName))) errs.push(invalid(child(path, 'serviceAccountName'), spec.serviceAccountName, m));
  if (spec.hostname) for (const m of isDNS1123Label(String(spec.hostname))) errs.push(invalid(child(path, 'hostname'), spec.hostname, m));
  if (spec.subdomain) for (const m of isDNS1123Label(String(spec.subdomain))) errs.push(invalid(child(path, 'subdomain'), spec.subdomain, m));
  errs.push(...validateTolerations(spec.tolerations, child(path, 'tolerations')));
  for (const [i, s] of asArray(spec.imagePullSecrets).entries()) if (!asObj(s).name) errs.push(required(child(index(child(path, 'imagePullSecrets'), i), 'name')));
  if (spec.hostNetwork === true) {
    for (const [i, c] of containers.entries()) for (const [j, p0] of asArray(asObj(c).ports).entries()) {
      const p = asObj(p0);
      if (p.hostPort !== undefined && p.hostPort !== 0 && p.hostPort !== p.containerPort) errs.push(invalid(child(index(child(index(child(path, 'containers'), i), 'ports'), j), 'containerPort'), p.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
    }
  }
  void isCIdentifier;
  return errs;
}
