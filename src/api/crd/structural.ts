/**
 * Is a CustomResourceDefinition version's openAPIV3Schema one the API server accepts? Two passes, as upstream:
 *  - the OpenAPI subset CRDs allow (apiextensions validation ValidateCustomResourceDefinitionOpenAPISchema:
 *    no $ref, id, patternProperties, definitions, dependencies, additionalItems, type null, item arrays or
 *    uniqueItems; additionalProperties and properties are mutually exclusive; preserve-unknown-fields only true;
 *    list types and map keys consistent);
 *  - structurality (apiextensions-apiserver/pkg/apiserver/schema ValidateStructural): every specified field has
 *    a type (unless int-or-string or preserve-unknown-fields), the root is an object without additionalProperties,
 *    metadata may restrict only name and generateName, the logical junctors (allOf, anyOf, oneOf, not) only
 *    validate values and every field they name is also specified outside them. Its errors come sorted.
 * Messages are upstream's, word for word; paths read `spec.versions[0].schema.openAPIV3Schema.properties[spec].type`.
 */
import type { FieldError } from '../errors.ts';
import { forbidden, invalid, notSupported, required } from '../validation/field.ts';

type S = Record<string, any>;
const isObj = (v: unknown): v is S => typeof v === 'object' && v !== null && !Array.isArray(v);
const c = (p: string, name: string) => `${p}.${name}`;
const k = (p: string, name: string, key: string) => `${p}.${name}[${key}]`;
const ix = (p: string, name: string, i: number) => `${p}.${name}[${i}]`;

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const LIST_TYPES = ['atomic', 'map', 'set'];
const MAP_TYPES = ['atomic', 'granular'];

/** The schema-language checks (upstream ValidateCustomResourceDefinitionOpenAPISchema), every nested schema. */
export function validateOpenAPISchema(s: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(s)) return errs;
  if (s.id !== undefined && s.id !== '') errs.push(forbidden(c(path, 'id'), 'id is not supported'));
  if (s.additionalItems !== undefined) errs.push(forbidden(c(path, 'additionalItems'), 'additionalItems is not supported'));
  if (isObj(s.patternProperties) && Object.keys(s.patternProperties).length) errs.push(forbidden(c(path, 'patternProperties'), 'patternProperties is not supported'));
  if (isObj(s.definitions) && Object.keys(s.definitions).length) errs.push(forbidden(c(path, 'definitions'), 'definitions is not supported'));
  if (s.dependencies !== undefined && s.dependencies !== null) errs.push(forbidden(c(path, 'dependencies'), 'dependencies is not supported'));
  if (s.$ref !== undefined) errs.push(forbidden(c(path, '$ref'), '$ref is not supported'));
  if (s.type === 'null') errs.push(forbidden(c(path, 'type'), 'type cannot be set to null'));
  else if (s.type !== undefined && s.type !== '' && !TYPES.includes(s.type)) errs.push(notSupported(c(path, 'type'), s.type, TYPES));
  if (Array.isArray(s.items)) errs.push(forbidden(c(path, 'items'), 'items must be a schema object and not an array'));
  if (s.uniqueItems === true) errs.push(forbidden(c(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(invalid(c(path, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  const lt = s['x-kubernetes-list-type'];
  if (lt !== undefined) {
    if (!LIST_TYPES.includes(lt)) errs.push(notSupported(c(path, 'x-kubernetes-list-type'), lt, LIST_TYPES));
    if (s.type !== 'array') errs.push(invalid(c(path, 'type'), s.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
  }
  const mk = s['x-kubernetes-list-map-keys'];
  if (Array.isArray(mk) && mk.length && lt !== 'map') errs.push(forbidden(c(path, 'x-kubernetes-list-map-keys'), 'must not be specified if x-kubernetes-list-type is not map'));
  if (lt === 'map' && (!Array.isArray(mk) || !mk.length)) errs.push(required(c(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
  const mt = s['x-kubernetes-map-type'];
  if (mt !== undefined && !MAP_TYPES.includes(mt)) errs.push(notSupported(c(path, 'x-kubernetes-map-type'), mt, MAP_TYPES));
  if (s.additionalProperties !== undefined && isObj(s.properties) && Object.keys(s.properties).length && (s.additionalProperties === false || isObj(s.additionalProperties))) {
    errs.push(forbidden(c(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  if (isObj(s.additionalProperties)) errs.push(...validateOpenAPISchema(s.additionalProperties, c(path, 'additionalProperties')));
  for (const [name, p] of Object.entries(isObj(s.properties) ? s.properties : {})) errs.push(...validateOpenAPISchema(p, k(path, 'properties', name)));
  errs.push(...validateOpenAPISchema(s.not, c(path, 'not')));
  for (const j of ['allOf', 'oneOf', 'anyOf']) (Array.isArray(s[j]) ? s[j] : []).forEach((x: unknown, i: number) => errs.push(...validateOpenAPISchema(x, ix(path, j, i))));
  if (isObj(s.items)) errs.push(...validateOpenAPISchema(s.items, c(path, 'items')));
  return errs;
}

type Level = 'root' | 'item' | 'field';

const INT_OR_STRING_ANYOF = (a: unknown) => Array.isArray(a) && a.length === 2 &&
  isObj(a[0]) && Object.keys(a[0]).length === 1 && a[0].type === 'integer' &&
  isObj(a[1]) && Object.keys(a[1]).length === 1 && a[1].type === 'string';

/** ValidateStructural: invariants and completeness, sorted by their text as upstream sorts them. */
export function validateStructural(s: unknown, path: string): FieldError[] {
  if (!isObj(s)) return [];
  const errs = [...invariants(s, 'root', path), ...completeness(s, s, path, path)];
  const text = (e: FieldError) => `${e.field}: ${e.message}`;
  return errs.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

function invariants(s: S, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (s.type === 'array' && s.items === undefined) errs.push(required(c(path, 'items'), 'must be specified'));
  if (isObj(s.items)) errs.push(...invariants(s.items, 'item', c(path, 'items')));
  for (const [name, p] of Object.entries(isObj(s.properties) ? s.properties : {})) if (isObj(p)) errs.push(...invariants(p, 'field', k(path, 'properties', name)));
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(forbidden(c(path, 'additionalProperties'), 'must not be used at the root'));
    if (isObj(s.additionalProperties)) errs.push(...invariants(s.additionalProperties, 'field', c(path, 'additionalProperties')));
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (intOrString && preserve) errs.push(invalid(c(path, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  if (intOrString && embedded) errs.push(invalid(c(path, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));
  const skipAnyOf = INT_OR_STRING_ANYOF(s.anyOf);
  const skipFirstAllOfAnyOf = Array.isArray(s.allOf) && isObj(s.allOf[0]) && INT_OR_STRING_ANYOF(s.allOf[0].anyOf);
  errs.push(...valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, path));
  const type = typeof s.type === 'string' ? s.type : '';
  if (embedded && type !== 'object') {
    errs.push(type ? invalid(c(path, 'type'), type, 'must be object if x-kubernetes-embedded-resource is true')
      : required(c(path, 'type'), 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!type && !intOrString && !preserve) {
    errs.push(required(c(path, 'type'), lvl === 'root' ? 'must not be empty at the root' : lvl === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields'));
  }
  if (embedded && s.additionalProperties !== undefined) errs.push(forbidden(c(path, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && type && type !== 'object') errs.push(invalid(c(path, 'type'), type, 'must be object at the root'));
  const checkMetadata = lvl === 'root' || embedded;
  const props = isObj(s.properties) ? s.properties : {};
  for (const f of ['kind', 'apiVersion']) {
    if (checkMetadata && isObj(props[f]) && props[f].type !== 'string') errs.push(invalid(`${k(path, 'properties', f)}.type`, props[f].type ?? '', 'must be string'));
  }
  if (isObj(props.metadata)) errs.push(...metadataInvariants(props.metadata, checkMetadata, lvl, k(path, 'properties', 'metadata')));
  if (embedded && !preserve && !Object.keys(props).length) {
    errs.push(required(c(path, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

function metadataInvariants(m: S, checkMetadata: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && m.type !== 'object') errs.push(invalid(c(path, 'type'), m.type ?? '', 'must be object'));
  if (lvl === 'root') {
    // Only a restriction of name and generateName is allowed: anything else left over specifies metadata.
    const rest: S = { ...m };
    delete rest.type;
    delete rest.default;
    const p = isObj(rest.properties) ? Object.keys(rest.properties) : [];
    if (p.length && p.every((x) => x === 'name' || x === 'generateName')) delete rest.properties;
    if (Object.keys(rest).length) errs.push(forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
  return errs;
}

function valueValidation(s: S, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf) (Array.isArray(s.anyOf) ? s.anyOf : []).forEach((v: unknown, i: number) => errs.push(...nested(v, false, ix(path, 'anyOf', i))));
  (Array.isArray(s.allOf) ? s.allOf : []).forEach((v: unknown, i: number) => errs.push(...nested(v, skipFirstAllOfAnyOf && i === 0, ix(path, 'allOf', i))));
  (Array.isArray(s.oneOf) ? s.oneOf : []).forEach((v: unknown, i: number) => errs.push(...nested(v, false, ix(path, 'oneOf', i))));
  errs.push(...nested(s.not, false, c(path, 'not')));
  if (typeof s.pattern === 'string' && s.pattern) {
    try { new RegExp(s.pattern, 'u'); } catch (e) {
      errs.push(invalid(c(path, 'pattern'), s.pattern, `must be a valid regular expression, but isn't: ${(e as Error).message}`));
    }
  }
  return errs;
}

/** A schema under allOf/anyOf/oneOf/not: value validation only (NestedValueValidation). */
function nested(v: unknown, skipAnyOf: boolean, path: string): FieldError[] {
  if (!isObj(v)) return [];
  const errs = valueValidation(v, skipAnyOf, false, path);
  if (isObj(v.items)) errs.push(...nested(v.items, false, c(path, 'items')));
  for (const [name, p] of Object.entries(isObj(v.properties) ? v.properties : {})) errs.push(...nested(p, false, k(path, 'properties', name)));
  if (v.type !== undefined && v.type !== '') errs.push(forbidden(c(path, 'type'), 'must be empty to be structural'));
  if (v.additionalProperties !== undefined) errs.push(forbidden(c(path, 'additionalProperties'), 'must be undefined to be structural'));
  if (v.default !== undefined) errs.push(forbidden(c(path, 'default'), 'must be undefined to be structural'));
  if (v.title) errs.push(forbidden(c(path, 'title'), 'must be empty to be structural'));
  if (v.description) errs.push(forbidden(c(path, 'description'), 'must be empty to be structural'));
  if (v.nullable === true) errs.push(forbidden(c(path, 'nullable'), 'must be false to be structural'));
  if (v.externalDocs !== undefined) errs.push(forbidden(c(path, 'externalDocs'), 'must be undefined to be structural'));
  if (v['x-kubernetes-preserve-unknown-fields'] === true) errs.push(forbidden(c(path, 'x-kubernetes-preserve-unknown-fields'), 'must be false to be structural'));
  if (v['x-kubernetes-embedded-resource'] === true) errs.push(forbidden(c(path, 'x-kubernetes-embedded-resource'), 'must be false to be structural'));
  if (v['x-kubernetes-int-or-string'] === true) errs.push(forbidden(c(path, 'x-kubernetes-int-or-string'), 'must be false to be structural'));
  if (Array.isArray(v['x-kubernetes-list-map-keys']) && v['x-kubernetes-list-map-keys'].length) errs.push(forbidden(c(path, 'x-kubernetes-list-map-keys'), 'must be empty to be structural'));
  if (v['x-kubernetes-list-type'] !== undefined) errs.push(forbidden(c(path, 'x-kubernetes-list-type'), 'must be undefined to be structural'));
  if (v['x-kubernetes-map-type'] !== undefined) errs.push(forbidden(c(path, 'x-kubernetes-map-type'), 'must be undefined to be structural'));
  if (Array.isArray(v['x-kubernetes-validations']) && v['x-kubernetes-validations'].length) errs.push(forbidden(c(path, 'x-kubernetes-validations'), 'must be empty to be structural'));
  if (isObj(v.properties) && 'metadata' in v.properties) errs.push(forbidden(k(path, 'properties', 'metadata'), 'must not be specified in a nested context'));
  return errs;
}

/** validateStructuralCompleteness: what the junctors name must also be specified structurally. */
function completeness(v: S, s: S | undefined, sPath: string, vPath: string): FieldError[] {
  const errs: FieldError[] = [];
  const sub = (x: unknown, p: string) => { if (isObj(x)) errs.push(...nestedCompleteness(x, s, sPath, p)); };
  sub(v.not, c(vPath, 'not'));
  for (const j of ['allOf', 'anyOf', 'oneOf']) (Array.isArray(v[j]) ? v[j] : []).forEach((x: unknown, i: number) => sub(x, ix(vPath, j, i)));
  return errs;
}

function nestedCompleteness(v: S, s: S | undefined, sPath: string, vPath: string): FieldError[] {
  if (!s) return [required(sPath, `because it is defined in ${vPath}`)];
  const errs = completeness(v, s, sPath, vPath);
  if (isObj(v.items)) errs.push(...nestedCompleteness(v.items, isObj(s.items) ? s.items : undefined, c(sPath, 'items'), c(vPath, 'items')));
  const sProps = isObj(s.properties) ? s.properties : {};
  for (const [name, vf] of Object.entries(isObj(v.properties) ? v.properties : {})) {
    if (!isObj(vf)) continue;
    if (!(name in sProps)) errs.push(required(k(sPath, 'properties', name), `because it is defined in ${k(vPath, 'properties', name)}`));
    else errs.push(...nestedCompleteness(vf, sProps[name], k(sPath, 'properties', name), k(vPath, 'properties', name)));
  }
  return errs;
}
