/** ObjectMeta validation (upstream apimachinery ValidateObjectMeta / ValidateObjectMetaUpdate). */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { asArray, asObj, child, forbidden, immutable, index, invalid, isObj, nonNegative, required } from './field.ts';
import { isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isQualifiedName, validateAnnotations, validateLabels } from './names.ts';

export type NameValidator = (name: string, prefix: boolean) => string[];

/** A generateName prefix may end in '-': check it as if the dash were a letter (upstream maskTrailingDash). */
const mask = (n: string, prefix: boolean) => (prefix && n.length > 1 && n.endsWith('-') ? n.slice(0, -1) + 'a' : n);
export const nameIsDNSSubdomain: NameValidator = (n, p) => isDNS1123Subdomain(mask(n, p));
export const nameIsDNSLabel: NameValidator = (n, p) => isDNS1123Label(mask(n, p));
export const nameIsDNS1035Label: NameValidator = (n, p) => isDNS1035Label(mask(n, p));

/** Names that can never be path segments (upstream path.IsValidPathSegmentName). */
export function pathSegmentErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

export function validateObjectMeta(obj: KubeObject, namespaced: boolean, nameFn: NameValidator, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(obj.metadata)) return [required(path)];
  const m = obj.metadata as Record<string, unknown>;
  const name = typeof m.name === 'string' ? m.name : '';
  const generateName = typeof m.generateName === 'string' ? m.generateName : '';
  if (generateName) for (const msg of nameFn(generateName, true)) errs.push(invalid(child(path, 'generateName'), generateName, msg));
  if (!name) errs.push(required(child(path, 'name'), 'name or generateName is required'));
  else {
    const msgs = [...pathSegmentErrors(name), ...nameFn(name, false)];
    for (const msg of msgs) errs.push(invalid(child(path, 'name'), name, msg));
  }
  const ns = typeof m.namespace === 'string' ? m.namespace : '';
  if (namespaced) {
    if (!ns) errs.push(required(child(path, 'namespace')));
    else for (const msg of isDNS1123Label(ns)) errs.push(invalid(child(path, 'namespace'), ns, msg));
  } else if (ns) errs.push(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  errs.push(...nonNegative(child(path, 'generation'), m.generation));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  for (const [i, f] of asArray(m.finalizers).entries()) {
    const fp = index(child(path, 'finalizers'), i);
    if (typeof f !== 'string') { errs.push(invalid(fp, f, 'must be a string')); continue; }
    for (const msg of isQualifiedName(f)) errs.push(invalid(fp, f, msg));
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let controllers = 0;
  for (const [i, r] of asArray(refs).entries()) {
    const o = asObj(r);
    const p = index(path, i);
    const gv = typeof o.apiVersion === 'string' ? o.apiVersion : '';
    if (!gv) errs.push(invalid(child(p, 'apiVersion'), gv, 'version must not be empty'));
    if (!o.kind) errs.push(invalid(child(p, 'kind'), o.kind ?? '', 'kind must not be empty'));
    if (!o.name) errs.push(invalid(child(p, 'name'), o.name ?? '', 'name must not be empty'));
    if (!o.uid) errs.push(invalid(child(p, 'uid'), o.uid ?? '', 'uid must not be empty'));
    if (o.controller === true) controllers++;
  }
  if (controllers > 1) errs.push(invalid(path, refs, 'Only one reference can have Controller set to true'));
  return errs;
}

/** On update: name, namespace, uid and creationTimestamp never change (registry sets the system fields). */
export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject, path = 'metadata'): FieldError[] {
  const m = asObj(obj.metadata), o = asObj(old.metadata);
  const errs: FieldError[] = [];
  errs.push(...immutable(child(path, 'name'), m.name, o.name));
  errs.push(...immutable(child(path, 'namespace'), m.namespace ?? '', o.namespace ?? ''));
  if (m.uid !== undefined && o.uid !== undefined) errs.push(...immutable(child(path, 'uid'), m.uid, o.uid));
  if (m.creationTimestamp !== undefined && o.creationTimestamp !== undefined) errs.push(...immutable(child(path, 'creationTimestamp'), m.creationTimestamp, o.creationTimestamp));
  return errs;
}

/** Create validation + (on update) the immutable metadata checks. */
export function validateMeta(obj: KubeObject, old: KubeObject | undefined, namespaced: boolean, nameFn: NameValidator): FieldError[] {
  const errs = validateObjectMeta(obj, namespaced, nameFn);
  if (old) errs.push(...validateObjectMetaUpdate(obj, old));
  return errs;
}
