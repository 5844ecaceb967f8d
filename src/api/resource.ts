/**
 * The strategy of one kind for the generic REST registry (src/apiserver). Create/update/patch/delete/watch
 * are written once in the registry; each kind contributes only what differs, here.
 * Table columns and field-selector fields live in src/api/tables and src/api/fieldselectors, keyed by group+kind.
 */
import type { FieldError } from './errors.ts';
import type { Schema } from './schema.ts';

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: import('kubernetes-types/meta/v1.d.ts').ObjectMeta;
  [k: string]: unknown;
};

export interface SubresourceDef {
  name: string; // status | scale | binding | log | exec | portforward | eviction | finalize | proxy
  /** responseKind for discovery */
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export interface ResourceDef {
  group: string; // '' for core
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[]; // create delete deletecollection get list patch update watch
  subresources: SubresourceDef[];
  /** Name of the definition in the OpenAPI components, e.g. io.k8s.api.apps.v1.Deployment */
  schemaName: string;
  /** Whether spec changes bump metadata.generation (true for kinds with spec/status). */
  hasGeneration: boolean;
  /** Fill defaults in place (as upstream SetDefaults_*). Runs on create and on every update. */
  defaults(obj: KubeObject): void;
  /** Return every field error (empty = valid). `old` is set on update, for immutability checks. */
  validate(obj: KubeObject, old?: KubeObject): FieldError[];
  /** Strategy hooks (upstream PrepareForCreate/PrepareForUpdate): e.g. drop client status on create,
   *  keep old status on a main-resource update. Generation/uid/timestamps are handled by the registry. */
  prepareForCreate?(obj: KubeObject): void;
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** On PUT/PATCH to /status: the new object takes everything but status from old. Default: copy old with new status. */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Validation of a status update (optional). */
  validateStatus?(obj: KubeObject, old: KubeObject): FieldError[];
}
