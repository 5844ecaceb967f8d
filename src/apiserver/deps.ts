/**
 * What the API server takes from the other api/ packages (kinds, schemas, patch engines, selectors, tables,
 * protobuf), gathered behind one interface so the HTTP/REST code reads the same whichever module provides a
 * piece. `wiring.ts` fills it from src/api/*.
 */
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import type { Table, IncludeObject } from '../api/tables/table.ts';

export type PatchKind = 'strategic' | 'merge' | 'json';

export interface ApplyResult {
  object: KubeObject;
}

export interface ApiDeps {
  /** Every kind served. */
  defs: ResourceDef[];
  /** Unknown-field paths of `obj` against the kind's schema, upstream-formatted, e.g. `spec.template.spec.containers[0].bogus`. */
  findUnknownFields(def: ResourceDef, obj: unknown): string[];
  /** Remove unknown fields in place (what the upstream decoder drops); returns their paths. */
  pruneUnknownFields(def: ResourceDef, obj: unknown): string[];
  /** The first JSON type error of `obj` against the schema as the upstream decoder words it, or undefined. */
  typeError(def: ResourceDef, obj: unknown): string | undefined;
  /** Apply a patch of one kind to `current`; throws StatusError (400/422) on bad patches. */
  applyPatch(def: ResourceDef, kind: PatchKind, current: KubeObject, patch: unknown): KubeObject;
  /** Server-side apply: merge `applied` into `current` (null = create) owned by `manager`; throws a 409 Conflict on
   *  field-manager conflicts unless `force`. Returns the new object with updated managedFields. */
  serverSideApply(def: ResourceDef, current: KubeObject | null, applied: KubeObject, manager: string, force: boolean): KubeObject;
  /** Record an Update/Create by `manager` in managedFields (new object vs old). */
  updateManagedFields(def: ResourceDef, obj: KubeObject, old: KubeObject | null, manager: string, operation: 'Update' | 'Apply', subresource?: string): void;
  /** Label selector -> predicate on labels; throws StatusError 400 when unparsable. */
  labelSelector(sel: string): (labels: Record<string, string>) => boolean;
  /** Field selector -> predicate on objects of the kind; throws StatusError 400 for unknown fields / bad syntax. */
  fieldSelector(def: ResourceDef, sel: string): (obj: KubeObject) => boolean;
  /** Build a meta.k8s.io/v1 Table for objects of the kind. */
  table(def: ResourceDef, objs: KubeObject[], includeObject: IncludeObject, listMeta: Table['metadata'], nowMs: number): Table;
  /** Decode a protobuf body (k8s\0 + runtime.Unknown) into a JSON object; throws StatusError 400. */
  decodeProtobuf(body: Buffer): KubeObject;
  /** OpenAPI v3: the index and per-group-version documents. */
  openapiIndex(): unknown;
  openapiDocument(group: string, version: string): unknown | undefined;
}
