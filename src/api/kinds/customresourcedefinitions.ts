/**
 * apiextensions.k8s.io/v1 customresourcedefinitions: strategy and validation (upstream apiextensions-apiserver
 * pkg/registry/customresourcedefinition and pkg/apis/apiextensions/validation). A CRD is accepted only with a
 * structural schema for every version (src/api/crd/structural.ts), every field error at once. Its status
 * (acceptedNames, the NamesAccepted/Established/Terminating conditions) is written by the API server's
 * custom-resource catalog (src/apiserver/customresources.ts), which also serves the versions and, when the CRD is
 * deleted, removes its objects before letting it go (the customresourcecleanup finalizer, added on delete).
 */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { asArray, asObj, child, forbidden, immutable, index, invalid, isObj, key, notSupported, required } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { isDNS1035Label, isDNS1123Subdomain } from '../validation/names.ts';
import { rfc3339 } from '../../util/clock.ts';
import { define, keepAllButStatus, status } from './common.ts';
import { col, nameColumn } from '../tables/table.ts';
import { DOC } from '../tables/descriptions.ts';
import { validateOpenAPISchema, validateStructural } from '../crd/structural.ts';
import { parseJsonPath, simpleFields } from '../crd/jsonpath.ts';
import type { Meta } from '../../apiserver/codec.ts';

type Obj = Record<string, any>;

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const APPROVAL = 'api-approved.kubernetes.io';

const dns1035 = (field: string, v: unknown, prefix = ''): FieldError[] => {
  const errs = isDNS1035Label(String(v));
  return errs.length ? [invalid(field, v, prefix + errs.join(','))] : [];
};

/** ValidateCustomResourceDefinitionNames (spec.names and status.acceptedNames). */
function validateNames(n: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (n.plural) errs.push(...dns1035(child(path, 'plural'), n.plural));
  if (n.singular) errs.push(...dns1035(child(path, 'singular'), n.singular));
  if (n.kind) {
    const e = isDNS1035Label(String(n.kind).toLowerCase());
    if (e.length) errs.push(invalid(child(path, 'kind'), n.kind, 'may have mixed case, but should otherwise match: ' + e.join(',')));
  }
  if (n.listKind) {
    const e = isDNS1035Label(String(n.listKind).toLowerCase());
    if (e.length) errs.push(invalid(child(path, 'listKind'), n.listKind, 'may have mixed case, but should otherwise match: ' + e.join(',')));
  }
  asArray(n.shortNames).forEach((s, i) => errs.push(...dns1035(index(child(path, 'shortNames'), i), s)));
  if (n.kind && n.kind === n.listKind) errs.push(invalid(child(path, 'listKind'), n.listKind, 'kind and listKind may not be the same'));
  asArray(n.categories).forEach((s, i) => errs.push(...dns1035(index(child(path, 'categories'), i), s)));
  return errs;
}

/** A scale path: a simple JSON path under one of `under`. */
function scalePath(v: unknown, field: string, under: string[], what: string): FieldError[] {
  const f = typeof v === 'string' ? simpleFields(v) : undefined;
  if (!f || !String(v).startsWith('.')) return [invalid(field, v, 'must be a simple json path starting with .')];
  if (!under.includes(f[0]) || f.length < 2) return [invalid(field, v, `should be a json path under ${what}`)];
  return [];
}

function validateVersion(v: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const schema = asObj(v.schema).openAPIV3Schema;
  const sp = child(path, 'schema', 'openAPIV3Schema');
  if (!isObj(schema)) errs.push(required(sp, 'schemas are required'));
  else errs.push(...validateOpenAPISchema(schema, sp), ...validateStructural(schema, sp));
  const sc = asObj(v.subresources).scale;
  if (isObj(sc)) {
    const p = child(path, 'subresources', 'scale');
    if (!sc.specReplicasPath) errs.push(required(child(p, 'specReplicasPath')));
    else errs.push(...scalePath(sc.specReplicasPath, child(p, 'specReplicasPath'), ['spec'], '.spec'));
    if (!sc.statusReplicasPath) errs.push(required(child(p, 'statusReplicasPath')));
    else errs.push(...scalePath(sc.statusReplicasPath, child(p, 'statusReplicasPath'), ['status'], '.status'));
    if (sc.labelSelectorPath) errs.push(...scalePath(sc.labelSelectorPath, child(p, 'labelSelectorPath'), ['spec', 'status'], 'either .spec or .status'));
  }
  asArray<Obj>(v.additionalPrinterColumns).forEach((c, i) => {
    const p = index(child(path, 'additionalPrinterColumns'), i);
    if (!c?.name) errs.push(required(child(p, 'name')));
    if (!c?.type) errs.push(required(child(p, 'type')));
    else if (!COLUMN_TYPES.includes(c.type)) errs.push(notSupported(child(p, 'type'), c.type, COLUMN_TYPES));
    if (c?.format && !COLUMN_FORMATS.includes(c.format)) errs.push(notSupported(child(p, 'format'), c.format, COLUMN_FORMATS));
    if (!c?.jsonPath) errs.push(required(child(p, 'jsonPath')));
    else { try { parseJsonPath(c.jsonPath); } catch (e) { errs.push(invalid(child(p, 'jsonPath'), c.jsonPath, `must be a simple json path: ${(e as Error).message}`)); } }
  });
  const sel = asArray<Obj>(v.selectableFields);
  if (sel.length > 8) errs.push({ type: 'FieldValueTooMany', field: child(path, 'selectableFields'), message: `Too many: ${sel.length}: must have at most 8 items` });
  sel.forEach((f, i) => {
    const p = child(index(child(path, 'selectableFields'), i), 'jsonPath');
    if (!f?.jsonPath) errs.push(required(p));
    else if (!simpleFields(f.jsonPath) || !String(f.jsonPath).startsWith('.')) errs.push(invalid(p, f.jsonPath, 'must be a simple json path starting with .'));
    else if (simpleFields(f.jsonPath)![0] === 'metadata') errs.push(forbidden(p, 'must not point to metadata fields'));
  });
  if (v.deprecationWarning !== undefined && v.deprecated !== true) errs.push(invalid(child(path, 'deprecationWarning'), v.deprecationWarning, 'can only be set for deprecated versions'));
  return errs;
}

export function validateCustomResourceDefinitionSpec(spec: Obj, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const group = spec.group;
  if (!group) errs.push(required(child(path, 'group')));
  else if (isDNS1123Subdomain(String(group)).length) errs.push(invalid(child(path, 'group'), group, isDNS1123Subdomain(String(group)).join(',')));
  else if (String(group).split('.').length < 2) errs.push(invalid(child(path, 'group'), group, 'should be a domain with at least one dot'));
  if (!spec.scope) errs.push(required(child(path, 'scope')));
  else if (!['Cluster', 'Namespaced'].includes(spec.scope)) errs.push(notSupported(child(path, 'scope'), spec.scope, ['Cluster', 'Namespaced']));
  const versions = asArray<Obj>(spec.versions);
  const vp = child(path, 'versions');
  if (!versions.length) errs.push(invalid(vp, '[]', 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  let storage = 0, served = 0;
  versions.forEach((v, i) => {
    if (v?.storage === true) storage++;
    if (v?.served === true) served++;
    errs.push(...dns1035(child(index(vp, i), 'name'), v?.name ?? ''));
    if (seen.has(v?.name)) errs.push(invalid(child(index(vp, i), 'name'), v?.name, 'must be unique'));
    seen.add(v?.name);
    errs.push(...validateVersion(asObj(v), index(vp, i)));
  });
  if (versions.length && storage !== 1) errs.push({ type: 'FieldValueInvalid', field: vp, message: `Invalid value: ${goVersions(versions)}: must have exactly one version marked as storage version` });
  if (versions.length && served === 0) errs.push({ type: 'FieldValueInvalid', field: vp, message: `Invalid value: ${goVersions(versions)}: must have at least one served version` });
  const names = asObj(spec.names);
  const np = child(path, 'names');
  if (!names.plural) errs.push(required(child(np, 'plural')));
  if (!names.singular) errs.push(required(child(np, 'singular')));
  if (!names.kind) errs.push(required(child(np, 'kind')));
  if (!names.listKind) errs.push(required(child(np, 'listKind')));
  errs.push(...validateNames(names, np));
  const strategy = asObj(spec.conversion).strategy;
  if (strategy !== undefined && strategy !== 'None') {
    // kubelite serves every version from one stored form and calls no conversion webhook.
    errs.push(notSupported(child(path, 'conversion', 'strategy'), strategy, ['None']));
  }
  return errs;
}

/** The versions as upstream's Go renders the slice in its messages (abridged to the names). */
const goVersions = (vs: Obj[]) => `[]apiextensions.CustomResourceDefinitionVersion{${vs.map((v) => `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(v?.name ?? '')}, Served:${!!v?.served}, Storage:${!!v?.storage}, ...}`).join(', ')}}`;

function validateStoredVersions(obj: KubeObject): FieldError[] {
  const names = new Set(asArray<Obj>(asObj(obj.spec).versions).map((v) => v?.name));
  const errs: FieldError[] = [];
  asArray<string>(asObj(obj.status).storedVersions).forEach((v, i) => {
    if (!names.has(v)) errs.push(invalid(index('status.storedVersions', i), v, 'must appear in spec.versions'));
  });
  return errs;
}

const storageVersion = (obj: KubeObject) => asArray<Obj>(asObj(obj.spec).versions).find((v) => v?.storage === true)?.name as string | undefined;
export const isEstablished = (obj: KubeObject) => asArray<Obj>(asObj(obj.status).conditions).some((c) => c?.type === 'Established' && c?.status === 'True');

export const customresourcedefinitions = define({
  group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false,
  shortNames: ['crd', 'crds'], categories: ['api-extensions'],
  subresources: [status('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition')],
  schemaName: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  hasGeneration: true,
  table: {
    columns: [nameColumn(), col('Created At', 'date', DOC.creationTimestamp)],
    row: (o: KubeObject) => [o.metadata?.name ?? '', o.metadata?.creationTimestamp ?? null],
  },
  /** DELETE marks the CRD and adds the cleanup finalizer: its objects go first (upstream etcd.go Delete). */
  rest: () => ({
    deletePolicy(crd, _opts, nowMs) {
      const m = crd.metadata as Meta;
      if (m.deletionTimestamp) return { action: 'mark', obj: crd };
      m.deletionTimestamp = rfc3339(nowMs);
      m.deletionGracePeriodSeconds = 0;
      m.finalizers = [...new Set([...(m.finalizers ?? []), CLEANUP_FINALIZER])];
      const st = (crd.status ?? {}) as Obj;
      st.conditions = [...asArray<Obj>(st.conditions).filter((c) => c?.type !== 'Terminating'),
        { type: 'Terminating', status: 'True', lastTransitionTime: rfc3339(nowMs), reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; instance deletion will begin soon' }];
      crd.status = st;
      return { action: 'mark', obj: crd };
    },
  }),
  defaults(obj) {
    if (!isObj(obj.spec)) obj.spec = {};
    const spec = obj.spec as Obj;
    if (!isObj(spec.names)) spec.names = {};
    if (!spec.names.singular && spec.names.kind) spec.names.singular = String(spec.names.kind).toLowerCase();
    if (!spec.names.listKind && spec.names.kind) spec.names.listKind = `${spec.names.kind}List`;
    if (!isObj(spec.conversion)) spec.conversion = { strategy: 'None' };
    const svc = asObj(asObj(asObj(spec.conversion.webhook).clientConfig).service);
    if (isObj(spec.conversion.webhook?.clientConfig?.service) && svc.port === undefined) svc.port = 443;
    if (!isObj(obj.status)) obj.status = {};
    const st = obj.status as Obj;
    if (!isObj(st.acceptedNames)) st.acceptedNames = { plural: '', kind: '' };
    if (!Array.isArray(st.storedVersions) || !st.storedVersions.length) {
      const sv = storageVersion(obj);
      st.storedVersions = sv ? [sv] : [];
    }
  },
  validate(obj, old) {
    const errs = validateMeta(obj, old, false, nameIsDNSSubdomain);
    const spec = asObj(obj.spec);
    const names = asObj(spec.names);
    const name = obj.metadata?.name ?? '';
    if (names.plural && spec.group && name !== `${names.plural}.${spec.group}`) errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
    const group = String(spec.group ?? '');
    if ((group === 'k8s.io' || group.endsWith('.k8s.io') || group === 'kubernetes.io' || group.endsWith('.kubernetes.io')) && !obj.metadata?.annotations?.[APPROVAL]) {
      errs.push(required(key('metadata.annotations', APPROVAL), `protected groups must have approval annotation "${APPROVAL}", see https://github.com/kubernetes/enhancements/pull/1111`));
    }
    errs.push(...validateCustomResourceDefinitionSpec(spec));
    if (old) {
      const os = asObj(old.spec);
      if (isEstablished(old)) {
        errs.push(...immutable('spec.scope', spec.scope, os.scope));
        errs.push(...immutable('spec.names.kind', names.kind, asObj(os.names).kind));
      }
      errs.push(...immutable('spec.group', spec.group, os.group));
      errs.push(...immutable('spec.names.plural', names.plural, asObj(os.names).plural));
      errs.push(...validateStoredVersions(obj));
    }
    return errs;
  },
  prepareForCreate(obj) {
    const sv = storageVersion(obj);
    obj.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: sv ? [sv] : [] };
  },
  prepareForUpdate(obj, old) {
    const st = structuredClone((old.status ?? {}) as Obj);
    const sv = storageVersion(obj);
    if (sv && !asArray(st.storedVersions).includes(sv)) st.storedVersions = [...asArray(st.storedVersions), sv];
    obj.status = st;
  },
  prepareForStatusUpdate(obj, old) { keepAllButStatus(obj, old); },
  validateStatus(obj, old) {
    const errs = validateMeta(obj, old, false, nameIsDNSSubdomain);
    errs.push(...validateNames(asObj(asObj(obj.status).acceptedNames), 'status.acceptedNames'));
    errs.push(...validateStoredVersions(obj));
    return errs;
  },
});
