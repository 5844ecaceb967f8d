/** core/v1 services: strategy (upstream pkg/registry/core/service/strategy.go, core/v1 defaults, ValidateService).
 *  ClusterIP and NodePort allocation belong to the API server; this strategy defaults, validates and keeps
 *  allocated values across updates that omit them (upstream PatchAllocatedValues). */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { asArray, asObj, child, duplicate, forbidden, goValue, index, invalid, isObj, notSupported, required } from '../validation/field.ts';
import { nameIsDNS1035Label, validateMeta } from '../validation/meta.ts';
import { PORT_RANGE_MSG, isDNS1123Label, isDNS1123Subdomain, isValidIP, isValidPortName, isValidPortNum, validateLabels } from '../validation/names.ts';
import { clone, define, keepAllButStatus, keepStatus, status, str, sub } from './common.ts';
import { serviceTable } from '../tables/services.ts';
import { enumOf } from '../definitions/index.ts';

type Obj = Record<string, unknown>;
const SPEC = 'io.k8s.api.core.v1.ServiceSpec';
// Supported values: the schema's enumerations.
const TYPES = enumOf(SPEC, 'type');
const PROTOCOLS = enumOf('io.k8s.api.core.v1.ServicePort', 'protocol');
const SESSION_AFFINITIES = enumOf(SPEC, 'sessionAffinity');
const IP_FAMILIES = enumOf(SPEC, 'ipFamilies');

export function defaultService(obj: KubeObject): void {
  if (!isObj(obj.spec)) obj.spec = {};
  const spec = obj.spec as Obj;
  if (!spec.type) spec.type = 'ClusterIP';
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    if (!isObj(spec.sessionAffinityConfig)) spec.sessionAffinityConfig = {};
    const c = spec.sessionAffinityConfig as Obj;
    if (!isObj(c.clientIP)) c.clientIP = {};
    const ci = c.clientIP as Obj;
    if (ci.timeoutSeconds === undefined || ci.timeoutSeconds === null) ci.timeoutSeconds = 10800;
  }
  for (const p of asArray(spec.ports)) {
    if (!isObj(p)) continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  // upstream service.ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with externalIPs
  const externallyAccessible = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.type === 'ClusterIP' && asArray(spec.externalIPs).length > 0);
  if (externallyAccessible && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)) spec.allocateLoadBalancerNodePorts = true;
  if (spec.type === 'ClusterIP' || spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    if (!spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type !== 'ExternalName') {
    // Single-stack IPv4 cluster: what the upstream allocator fills in.
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'SingleStack';
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
    if (typeof spec.clusterIP === 'string' && spec.clusterIP && (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0)) spec.clusterIPs = [spec.clusterIP];
    if (Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0 && !spec.clusterIP) spec.clusterIP = spec.clusterIPs[0];
  }
}

export function validateServiceSpec(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  const type = String(spec.type ?? '');
  if (!TYPES.includes(type)) errs.push(type ? notSupported('spec.type', spec.type, TYPES) : required('spec.type'));
  const ports = asArray(spec.ports);
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.push(required('spec.externalName'));
    else for (const m of isDNS1123Subdomain(String(spec.externalName).replace(/\.$/, ''))) errs.push(invalid('spec.externalName', spec.externalName, m));
    if (spec.clusterIP && spec.clusterIP !== '') errs.push(forbidden('spec.clusterIP', 'may not be set for ExternalName services'));
  } else if (ports.length === 0 && spec.clusterIP !== 'None') errs.push(required('spec.ports'));
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const [i, p0] of ports.entries()) {
    const p = asObj(p0);
    const pp = index('spec.ports', i);
    if (ports.length > 1 && !p.name) errs.push(required(child(pp, 'name')));
    if (p.name) {
      const n = String(p.name);
      for (const m of isDNS1123Label(n)) errs.push(invalid(child(pp, 'name'), n, m));
      if (names.has(n)) errs.push(duplicate(child(pp, 'name'), n));
      names.add(n);
    }
    if (!isValidPortNum(p.port)) errs.push(invalid(child(pp, 'port'), p.port ?? 0, PORT_RANGE_MSG));
    if (!p.protocol) errs.push(required(child(pp, 'protocol')));
    else if (!PROTOCOLS.includes(String(p.protocol))) errs.push(notSupported(child(pp, 'protocol'), p.protocol, PROTOCOLS));
    const k = `${p.port}/${p.protocol}`;
    if (keys.has(k)) errs.push(duplicate(pp, { port: p.port, protocol: p.protocol }));
    keys.add(k);
    if (typeof p.targetPort === 'number') { if (!isValidPortNum(p.targetPort)) errs.push(invalid(child(pp, 'targetPort'), p.targetPort, PORT_RANGE_MSG)); }
    else if (typeof p.targetPort === 'string') for (const m of isValidPortName(p.targetPort)) errs.push(invalid(child(pp, 'targetPort'), p.targetPort, m));
    if (p.nodePort !== undefined && p.nodePort !== 0 && p.nodePort !== null) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') errs.push(forbidden(child(pp, 'nodePort'), 'may not be used when `type` is \'ClusterIP\''));
      else if (!isValidPortNum(p.nodePort)) errs.push(invalid(child(pp, 'nodePort'), p.nodePort, PORT_RANGE_MSG));
    }
  }
  const sa = spec.sessionAffinity;
  if (sa !== undefined && !SESSION_AFFINITIES.includes(String(sa))) errs.push(notSupported('spec.sessionAffinity', sa, SESSION_AFFINITIES));
  if (sa === 'ClientIP') {
    const t = asObj(asObj(asObj(spec.sessionAffinityConfig).clientIP)).timeoutSeconds;
    if (typeof t === 'number' && (t <= 0 || t > 86400)) errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
  }
  if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && spec.clusterIP !== 'None' && !isValidIP(spec.clusterIP)) {
    errs.push(invalid('spec.clusterIPs[0]', spec.clusterIP, 'must be empty, \'None\', or a valid IP address'));
  }
  for (const [i, ip] of asArray(spec.externalIPs).entries()) if (typeof ip !== 'string' || !isValidIP(ip)) errs.push(invalid(index('spec.externalIPs', i), ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  for (const f of ['internalTrafficPolicy', 'externalTrafficPolicy', 'ipFamilyPolicy']) {
    const allowed = enumOf(SPEC, f);
    if (spec[f] !== undefined && spec[f] !== '' && !allowed.includes(String(spec[f]))) errs.push(notSupported(`spec.${f}`, spec[f], allowed));
  }
  for (const [i, fam] of asArray(spec.ipFamilies).entries()) if (!IP_FAMILIES.includes(fam as string)) errs.push(notSupported(index('spec.ipFamilies', i), fam, IP_FAMILIES));
  if (spec.externalTrafficPolicy !== undefined && type !== 'NodePort' && type !== 'LoadBalancer' && asArray(spec.externalIPs).length === 0 && spec.externalTrafficPolicy !== '') {
    errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  }
  return errs;
}

/** A Service update: clusterIP(s) may not change (unless the type changes to/from ExternalName). */
export function validateServiceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const n = asObj(obj.spec), o = asObj(old.spec);
  if (n.type === 'ExternalName' || o.type === 'ExternalName') return [];
  const oldIPs = asArray<string>(o.clusterIPs).length ? asArray<string>(o.clusterIPs) : (o.clusterIP ? [String(o.clusterIP)] : []);
  const newIPs = asArray<string>(n.clusterIPs).length ? asArray<string>(n.clusterIPs) : (n.clusterIP ? [String(n.clusterIP)] : []);
  if (oldIPs.length && newIPs.length && oldIPs[0] !== newIPs[0]) {
    return [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: ${goValue(newIPs)}: may not change once set` }];
  }
  return [];
}

/** upstream PatchAllocatedValues: an update that omits clusterIP/nodePorts keeps the allocated ones. */
export function keepAllocated(obj: KubeObject, old: KubeObject): void {
  const n = asObj(obj.spec), o = asObj(old.spec);
  if (!isObj(obj.spec)) return;
  const needsIP = (t: unknown) => t !== 'ExternalName';
  if (needsIP(n.type) && needsIP(o.type)) {
    if (!n.clusterIP && o.clusterIP) n.clusterIP = o.clusterIP;
    if ((!Array.isArray(n.clusterIPs) || n.clusterIPs.length === 0) && Array.isArray(o.clusterIPs)) n.clusterIPs = clone(o.clusterIPs);
  }
  const needsNodePort = (t: unknown) => t === 'NodePort' || t === 'LoadBalancer';
  if (needsNodePort(n.type) && needsNodePort(o.type)) {
    for (const p0 of asArray(n.ports)) {
      const p = asObj(p0);
      if (p.nodePort) continue;
      const match = asArray(o.ports).map(asObj).find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
    if (!n.healthCheckNodePort && o.healthCheckNodePort && n.externalTrafficPolicy === 'Local') n.healthCheckNodePort = o.healthCheckNodePort;
  }
}

const needsClusterIP = (spec: Obj) => spec.type !== 'ExternalName';
const needsNodePorts = (spec: Obj) => spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
const needsHealthCheckNodePort = (spec: Obj) => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
const externallyAccessible = (spec: Obj) => spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.type === 'ClusterIP' && asArray(spec.externalIPs).length > 0);

/**
 * upstream dropTypeDependentFields: when an update changes the type so that a field no longer applies, and the
 * client left that field as it was, clear it (clusterIPs for ExternalName, nodePorts for ClusterIP, ...).
 */
export function dropTypeDependentFields(obj: KubeObject, old: KubeObject): void {
  if (!isObj(obj.spec)) return;
  const n = obj.spec as Obj, o = asObj(old.spec);
  const same = (k: string) => JSON.stringify(n[k] ?? null) === JSON.stringify(o[k] ?? null);
  if (!needsClusterIP(n) && needsClusterIP(o)) {
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'internalTrafficPolicy']) if (same(k)) delete n[k];
  }
  if (!needsNodePorts(n) && needsNodePorts(o)) {
    const oldPorts = asArray(o.ports).map(asObj);
    for (const p0 of asArray(n.ports)) {
      const p = asObj(p0);
      if (p.nodePort && oldPorts.some((q) => q.nodePort === p.nodePort)) delete p.nodePort;
    }
  }
  if (!needsHealthCheckNodePort(n) && same('healthCheckNodePort')) delete n.healthCheckNodePort;
  if (n.type !== 'LoadBalancer') {
    if (same('allocateLoadBalancerNodePorts')) delete n.allocateLoadBalancerNodePorts;
    if (same('loadBalancerClass')) delete n.loadBalancerClass;
  }
  if (!externallyAccessible(n) && same('externalTrafficPolicy')) delete n.externalTrafficPolicy;
}

export const services = define({
  group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true,
  shortNames: ['svc'], categories: ['all'],
  subresources: [status('', 'v1', 'Service'), sub('proxy', '', 'v1', 'ServiceProxyOptions', ['create', 'delete', 'get', 'patch', 'update'])],
  schemaName: 'io.k8s.api.core.v1.Service',
  table: serviceTable,
  fieldSelectors: {
    accepted: ['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'],
    fields: (s) => ({ 'spec.clusterIP': str(s?.spec?.clusterIP), 'spec.type': str(s?.spec?.type) }),
  },
  // ClusterIP and NodePort allocation (upstream: the service REST storage)
  rest: (ctx) => ctx.allocators.hooks(),
  hasGeneration: false,
  defaults: defaultService,
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNS1035Label);
    errs.push(...validateServiceSpec(obj));
    if (old) errs.push(...validateServiceUpdate(obj, old));
    return errs;
  },
  prepareForCreate(obj) { obj.status = { loadBalancer: {} }; },
  prepareForUpdate(obj, old) { keepStatus(obj, old); keepAllocated(obj, old); dropTypeDependentFields(obj, old); },
  prepareForStatusUpdate(obj, old) { keepAllButStatus(obj, old); },
});
