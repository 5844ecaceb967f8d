/** core/v1 pods: strategy (upstream pkg/registry/core/pod/strategy.go). */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { asArray, asObj, deepEqual, forbidden, invalid, isObj } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { validatePodSpec } from '../validation/pod.ts';
import { clone, define, keepStatus, metaOf, status, str, sub } from './common.ts';
import { podTable } from '../tables/pods.ts';
import { serveBinding } from '../../apiserver/subresources/pods.ts';
import { serveEviction } from '../../apiserver/subresources/eviction.ts';
import { attachHandler, execHandler, logHandler, portForwardHandler } from '../../apiserver/connect.ts';
import { podHooksFor } from '../../apiserver/kindhooks.ts';
import { defaultPod, podAdmissionDefaults, podQOSClass } from './pod-defaults.ts';

type Obj = Record<string, unknown>;

export const POD_UPDATE_FORBIDDEN = 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** Upstream ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations and removed scheduling gates may change. */
export function validatePodSpecUpdate(spec: Obj, oldSpec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const mutable = clone(oldSpec);
  for (const list of ['containers', 'initContainers']) {
    const n = asArray(spec[list]), o = asArray(mutable[list]);
    if (n.length === o.length) o.forEach((c, i) => { if (isObj(c)) c.image = asObj(n[i]).image; });
  }
  const ad = spec.activeDeadlineSeconds, oad = oldSpec.activeDeadlineSeconds;
  if (ad !== oad) {
    if (typeof ad === 'number' && (oad === undefined || (typeof oad === 'number' && ad <= oad))) mutable.activeDeadlineSeconds = ad;
    else if (ad === undefined && oad !== undefined) errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
    else if (typeof ad === 'number' && typeof oad === 'number' && ad > oad) errs.push(invalid('spec.activeDeadlineSeconds', ad, 'must be less than or equal to previous value'));
  }
  const oldTols = asArray(oldSpec.tolerations);
  const newTols = asArray(spec.tolerations);
  if (oldTols.every((t) => newTols.some((n) => deepEqual(n, t)))) mutable.tolerations = spec.tolerations;
  const oldGates = asArray(oldSpec.schedulingGates);
  const newGates = asArray(spec.schedulingGates);
  if (newGates.every((g) => oldGates.some((o) => deepEqual(o, g)))) mutable.schedulingGates = spec.schedulingGates;
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && spec.terminationGracePeriodSeconds === 1) {
    mutable.terminationGracePeriodSeconds = 1;
  }
  if (spec.tolerations === undefined && mutable.tolerations !== undefined && oldTols.length === 0) delete mutable.tolerations;
  if (mutable.schedulingGates === undefined) delete mutable.schedulingGates;
  if (!deepEqual(stripUndefined(spec), stripUndefined(mutable))) errs.push(forbidden('spec', POD_UPDATE_FORBIDDEN));
  return errs;
}
const stripUndefined = (v: unknown) => JSON.parse(JSON.stringify(v ?? {}));

export const pods = define({
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true,
  shortNames: ['po'], categories: ['all'],
  subresources: [
    status('', 'v1', 'Pod'),
    sub('binding', '', 'v1', 'Binding', ['create'], { serve: serveBinding }),
    sub('eviction', 'policy', 'v1', 'Eviction', ['create'], { serve: serveEviction }),
    sub('log', '', 'v1', 'Pod', ['get'], { connect: logHandler }),
    sub('exec', '', 'v1', 'PodExecOptions', ['create', 'get'], { connect: execHandler }),
    sub('attach', '', 'v1', 'PodAttachOptions', ['create', 'get'], { connect: attachHandler }),
    sub('portforward', '', 'v1', 'PodPortForwardOptions', ['create', 'get'], { connect: portForwardHandler }),
    sub('proxy', '', 'v1', 'PodProxyOptions', ['create', 'delete', 'get', 'patch', 'update']),
  ],
  schemaName: 'io.k8s.api.core.v1.Pod',
  table: podTable,
  fieldSelectors: {
    accepted: ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName',
      'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
    aliases: { 'spec.host': 'spec.nodeName' },
    fields: (p) => ({
      'spec.nodeName': str(p?.spec?.nodeName),
      'spec.restartPolicy': str(p?.spec?.restartPolicy),
      'spec.schedulerName': str(p?.spec?.schedulerName),
      'spec.serviceAccountName': str(p?.spec?.serviceAccountName),
      'spec.hostNetwork': String(p?.spec?.hostNetwork === true),
      'status.phase': str(p?.status?.phase),
      'status.podIP': str(p?.status?.podIPs?.[0]?.ip ?? p?.status?.podIP),
      'status.nominatedNodeName': str(p?.status?.nominatedNodeName),
    }),
  },
  // graceful deletion (upstream: the pod REST storage)
  rest: (ctx) => podHooksFor(ctx),
  hasGeneration: false,
  defaults(obj) { defaultPod(obj as Obj); },
  admissionDefaults(obj) { podAdmissionDefaults(obj as Obj); },
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    errs.push(...validatePodSpec(obj.spec, 'spec'));
    if (old) errs.push(...validatePodSpecUpdate(asObj(obj.spec), asObj(old.spec)));
    return errs;
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: podQOSClass(asObj(obj.spec)) };
  },
  prepareForUpdate(obj, old) { keepStatus(obj, old); },
  prepareForStatusUpdate(obj, old) {
    // Upstream podStatusStrategy: spec, deletionTimestamp and ownerReferences come from the old object.
    obj.spec = clone(old.spec);
    const m = metaOf(obj);
    const om = (old.metadata ?? {}) as Obj;
    for (const f of ['deletionTimestamp', 'ownerReferences']) { if (om[f] === undefined) delete m[f]; else m[f] = clone(om[f]); }
  },
  validateStatus(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    const phases = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
    const st = asObj(obj.status);
    if (st.phase !== undefined && !phases.includes(String(st.phase))) errs.push(invalid('status.phase', st.phase, `must be one of ${phases.join(', ')}`));
    const oldPhase = asObj(old.status).phase;
    if ((oldPhase === 'Succeeded' || oldPhase === 'Failed') && st.phase !== oldPhase) {
      errs.push(forbidden('status.phase', `cannot transition from ${oldPhase} to ${st.phase}`));
    }
    return errs;
  },
});
export type { KubeObject };
