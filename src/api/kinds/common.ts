/** Helpers shared by the per-kind descriptors. */
import type { ResourceDef, SubresourceDef } from '../resource.ts';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { serveStatus } from '../../apiserver/subresources/status.ts';

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const SUB_VERBS = ['get', 'patch', 'update'];

type SubresourceServing = Pick<SubresourceDef, 'serve' | 'connect' | 'prepareForUpdate'>;

/** A subresource: its discovery facts and what serves it (no handler: listed in discovery, 404 when called). */
export function sub(name: string, group: string, version: string, kind: string, verbs = SUB_VERBS, serving: SubresourceServing = {}): SubresourceDef {
  return { name, group, version, kind, verbs, ...serving };
}

/** The status subresource of a kind: GET/PUT/PATCH of the object, where only status changes (prepareForStatusUpdate). */
export function status(group: string, version: string, kind: string): SubresourceDef {
  return sub('status', group, version, kind, SUB_VERBS, { serve: serveStatus });
}

type Obj = Record<string, unknown>;

/** obj.metadata as an object (replacing anything else: the API server rejects such bodies before us anyway). */
export function metaOf(obj: KubeObject): Obj {
  if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) obj.metadata = {};
  return obj.metadata as Obj;
}
/** A field value as a selectable-field string ('' for none). */
export const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
export const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

/** The upstream status-strategy default: the new object keeps old's spec (and other top-level fields but status
 *  and metadata). Labels stay with the status update only where upstream allows it (`keepLabels`). */
export function keepAllButStatus(obj: KubeObject, old: KubeObject, opts: { resetLabels?: boolean; resetMetaFields?: string[] } = {}): void {
  for (const k of Object.keys(obj)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) delete obj[k];
  for (const [k, v] of Object.entries(old)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) obj[k] = clone(v);
  const m = metaOf(obj);
  const om = (typeof old.metadata === 'object' && old.metadata ? old.metadata : {}) as Obj;
  const reset = [...(opts.resetMetaFields ?? []), ...(opts.resetLabels ? ['labels'] : [])];
  for (const f of reset) { if (om[f] === undefined) delete m[f]; else m[f] = clone(om[f]); }
}

/** The new object keeps old's status (main-resource update). */
export function keepStatus(obj: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete obj.status; else obj.status = clone(old.status);
}

export type Validator = (obj: KubeObject, old?: KubeObject) => FieldError[];

type Defaulted = 'verbs' | 'listKind' | 'singular' | 'shortNames' | 'categories' | 'subresources' | 'garbageCollected';

/** A descriptor with upstream's defaults: every verb, <Kind>List, lower-case singular, garbage collected. */
export function define(def: Omit<ResourceDef, Defaulted> & Partial<Pick<ResourceDef, Defaulted>>): ResourceDef {
  return {
    garbageCollected: true,
    verbs: ALL_VERBS,
    listKind: def.kind + 'List',
    singular: def.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    subresources: [],
    ...def,
  };
}
