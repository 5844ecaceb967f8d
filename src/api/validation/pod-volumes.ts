/**
 * Pod validation of the downward API (env fieldRef/resourceFieldRef and downwardAPI volume files) and of
 * projected volumes, as upstream's validation.go (validateObjectFieldSelector, validateContainerResourceFieldSelector,
 * validateDownwardAPIVolumeFile, validateProjectedVolumeSource).
 */
import type { FieldError } from '../errors.ts';
import { asArray, asObj, child, forbidden, index, invalid, isObj, notSupported, required } from './field.ts';
import { isConfigMapKey, isQualifiedName } from './names.ts';

type Obj = Record<string, unknown>;

/** fieldRef paths an env var may use (upstream validEnvDownwardAPIFieldPathExpressions, sorted). */
export const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
/** fieldRef paths a downwardAPI volume file may use (upstream validVolumeDownwardAPIFieldPathExpressions, sorted). */
export const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
/** What ConvertDownwardAPIFieldLabel knows (v1). */
const KNOWN_FIELD_LABELS = new Set(['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs',
  'status.podIP', 'status.podIPs']);
const RESOURCE_FIELDS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const CPU_DIVISORS = ['1m', '1'];
const BYTE_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];
const FILE_MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';

/** upstream validateObjectFieldSelector */
export function validateFieldSelector(fs: Obj, path: string, allowed: string[]): FieldError[] {
  if (!fs.apiVersion) return [required(child(path, 'apiVersion'))];
  if (!fs.fieldPath) return [required(child(path, 'fieldPath'))];
  const fp = String(fs.fieldPath);
  if (fs.apiVersion !== 'v1') return [invalid(child(path, 'fieldPath'), fp, `error converting fieldPath: field label not supported: ${fp}`)];
  const m = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fp) ?? /^([^[]+)\[(.*)\]$/.exec(fp);
  if (m) {
    if (m[1] === 'metadata.annotations') return isQualifiedName(m[2].toLowerCase()).map((e) => invalid(path, m[2], e));
    if (m[1] === 'metadata.labels') return isQualifiedName(m[2]).map((e) => invalid(path, m[2], e));
    return [invalid(path, m[1], 'does not support subscript')];
  }
  if (!KNOWN_FIELD_LABELS.has(fp)) return [invalid(child(path, 'fieldPath'), fp, `error converting fieldPath: field label not supported: ${fp}`)];
  if (!allowed.includes(fp)) return [notSupported(child(path, 'fieldPath'), fp, allowed)];
  return [];
}

/** upstream validateContainerResourceFieldSelector (volume files must name the container). */
export function validateResourceFieldSelector(fs: Obj, path: string, volume: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (volume && !fs.containerName) errs.push(required(child(path, 'containerName')));
  if (!fs.resource) { errs.push(required(child(path, 'resource'))); return errs; }
  const res = String(fs.resource);
  if (!RESOURCE_FIELDS.includes(res) && !/^(limits|requests)\.hugepages-/.test(res)) {
    errs.push(notSupported(child(path, 'resource'), res, RESOURCE_FIELDS));
    return errs;
  }
  if (fs.divisor === undefined || fs.divisor === null) return errs;
  const d = String(fs.divisor);
  if (res.endsWith('.cpu')) {
    if (!CPU_DIVISORS.includes(d)) errs.push(invalid(child(path, 'divisor'), d, "only divisor's values 1m and 1 are supported with the cpu resource"));
  } else {
    const kind = res.endsWith('.memory') ? 'memory' : res.endsWith('.ephemeral-storage') ? 'local ephemeral storage' : 'hugepages';
    if (!BYTE_DIVISORS.includes(d)) errs.push(invalid(child(path, 'divisor'), d, `only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the ${kind} resource`));
  }
  return errs;
}

/** upstream validateLocalDescendingPath: relative, no '..' segment. */
export function localDescendingPath(p: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(path, p, 'must be a relative path'));
  if (p.split('/').includes('..')) errs.push(invalid(path, p, "must not contain '..'"));
  return errs;
}

/** upstream ValidateLocalNonReservedPath: a local descending path not starting with '..'. */
function localNonReservedPath(p: string, path: string): FieldError[] {
  const errs = localDescendingPath(p, path);
  if (p.startsWith('..')) errs.push(invalid(path, p, "must not start with '..'"));
  return errs;
}

function validateMode(mode: unknown, path: string): FieldError[] {
  if (mode === undefined || mode === null) return [];
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o777 ? [] : [invalid(path, mode, FILE_MODE_MSG)];
}

/** upstream validateDownwardAPIVolumeFile */
function validateDownwardAPIFile(f: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!f.path) errs.push(required(child(path, 'path')));
  else errs.push(...localNonReservedPath(String(f.path), child(path, 'path')));
  if (isObj(f.fieldRef)) {
    errs.push(...validateFieldSelector(f.fieldRef, child(path, 'fieldRef'), VOLUME_FIELD_PATHS));
    if (isObj(f.resourceFieldRef)) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (isObj(f.resourceFieldRef)) errs.push(...validateResourceFieldSelector(f.resourceFieldRef, child(path, 'resourceFieldRef'), true));
  else errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  errs.push(...validateMode(f.mode, child(path, 'mode')));
  return errs;
}

/** upstream validateKeyToPath */
function validateKeyToPath(kp: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!kp.key) errs.push(required(child(path, 'key')));
  else errs.push(...isConfigMapKey(String(kp.key)).map((m) => invalid(child(path, 'key'), kp.key, m)));
  if (!kp.path) errs.push(required(child(path, 'path')));
  else errs.push(...localNonReservedPath(String(kp.path), child(path, 'path')));
  errs.push(...validateMode(kp.mode, child(path, 'mode')));
  return errs;
}

/** configMap/secret volume sources: name, items, defaultMode. */
export function validateKeyVolume(src: Obj, path: string, nameField: 'name' | 'secretName'): FieldError[] {
  const errs: FieldError[] = [];
  if (!src[nameField]) errs.push(required(child(path, nameField)));
  errs.push(...validateMode(src.defaultMode, child(path, 'defaultMode')));
  asArray(src.items).forEach((it, j) => errs.push(...validateKeyToPath(asObj(it), index(child(path, 'items'), j))));
  return errs;
}

export function validateDownwardAPIVolume(src: Obj, path: string): FieldError[] {
  const errs = validateMode(src.defaultMode, child(path, 'defaultMode'));
  asArray(src.items).forEach((it, j) => errs.push(...validateDownwardAPIFile(asObj(it), index(child(path, 'items'), j))));
  return errs;
}

/** upstream validateProjectedVolumeSource: one kind per source, paths unique across sources, token bounds. */
export function validateProjectedVolume(src: Obj, path: string): FieldError[] {
  const errs = validateMode(src.defaultMode, child(path, 'defaultMode'));
  const paths = new Set<string>();
  const claim = (p: unknown, bad: unknown) => {
    if (!p) return;
    if (paths.has(String(p))) errs.push(invalid(path, bad, 'conflicting duplicate paths'));
    paths.add(String(p));
  };
  asArray(src.sources).forEach((s0, i) => {
    const s = asObj(s0);
    const sp = index(child(path, 'sources'), i);
    const kinds = ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'].filter((k) => isObj(s[k]));
    for (const k of ['secret', 'configMap'] as const) {
      if (!isObj(s[k])) continue;
      const o = s[k] as Obj;
      if (!o.name) errs.push(required(child(sp, k, 'name')));
      asArray(o.items).forEach((it, j) => {
        errs.push(...validateKeyToPath(asObj(it), index(child(sp, k, 'items'), j)));
        claim(asObj(it).path, o.name);
      });
    }
    if (isObj(s.downwardAPI)) {
      for (const it of asArray(s.downwardAPI.items)) {
        errs.push(...validateDownwardAPIFile(asObj(it), child(sp, 'downwardAPI')));
        claim(asObj(it).path, asObj(it).path);
      }
    }
    if (isObj(s.serviceAccountToken)) {
      const t = s.serviceAccountToken;
      const tp = child(sp, 'serviceAccountToken');
      const exp = typeof t.expirationSeconds === 'number' ? t.expirationSeconds : 3600;
      if (exp < 600) errs.push(invalid(child(tp, 'expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(invalid(child(tp, 'expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!t.path) errs.push(required(child(path, 'path')));
      else { errs.push(...localNonReservedPath(String(t.path), child(tp, 'path'))); claim(t.path, t.path); }
    }
    if (kinds.length > 1) errs.push(forbidden(sp, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}
