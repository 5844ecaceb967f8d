/**
 * The descriptor of one kind: everything kind-specific lives here, so a new kind is one descriptor file plus one
 * registration line in ./registry.ts. From a descriptor derive: discovery and OpenAPI (src/apiserver/discovery.ts,
 * ./openapi.ts), the generic REST registry's strategy (defaults, validation, prepareFor*), REST hooks and
 * subresource handlers (src/apiserver), table columns (./tables), field selectors (./fieldselectors.ts), client
 * coordinates (`R` in src/client/resources.ts) and garbage-collector participation.
 * Create/update/patch/delete/watch are written once in the generic registry; a kind contributes only what differs.
 */
import type { FieldError } from './errors.ts';
import type { TableDef } from './tables/table.ts';
import type { KindHooks, ObjectSource, RestContext } from '../apiserver/hooks.ts';
import type { SubresourceHandler } from '../apiserver/subresources/handler.ts';
import type { ConnectHandler } from '../apiserver/connect-hooks.ts';

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
  /** Serves the subresource's requests (decoded bodies in, an object out). Without `serve` or `connect`: 404. */
  serve?: SubresourceHandler;
  /** Serves the subresource as a connection of its own (streams, WebSocket/SPDY upgrades): log, exec, portforward. */
  connect?: ConnectHandler;
  /** Strategy of an update through this subresource (finalize: only spec.finalizers change). `status` uses the
   *  kind's prepareForStatusUpdate instead. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
}

/** The selectable fields of a kind (?fieldSelector=), as upstream's field-label conversion + ToSelectableFields. */
export interface FieldSelectorDef {
  /** Labels accepted by the field-label conversion. */
  accepted: string[];
  /** Renamed labels (legacy aliases). */
  aliases?: Record<string, string>;
  /** The kind's own selectable fields of an object (metadata.name/namespace are added generically). */
  fields(obj: any): Record<string, string>;
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
  /** A custom resource (a descriptor built from a CustomResourceDefinition, src/api/crd): JSON bodies only (protobuf
   *  is 415), no strategic merge patch (415), and wrong JSON types are reported by its schema validation (422), not
   *  by decoding (400). */
  custom?: boolean;
  /** Whether spec changes bump metadata.generation (true for kinds with spec/status). */
  hasGeneration: boolean;
  /** Server-side printing (kubectl get columns). Default: NAME, AGE. */
  table?: TableDef;
  /** Field selectors beyond metadata.name/metadata.namespace. Default: upstream's, those two only. */
  fieldSelectors?: FieldSelectorDef;
  /** Whether the garbage collector watches this kind for ownerReferences (upstream: every deletable, listable kind
   *  but events). */
  garbageCollected: boolean;
  /** REST hooks beyond the strategy (upstream: the kind's custom REST storage), built once per API server from the
   *  server-side context (e.g. the Service IP/port allocators). */
  rest?(ctx: RestContext): KindHooks;
  /** For a second served version of a stored kind (autoscaling/v1 HorizontalPodAutoscaler): objects are kept in
   *  storage in `version` of the same group and converted on every write and read (upstream: the storage version
   *  and conversion through the internal version). */
  storage?: { version: string; toStorage(obj: KubeObject): KubeObject; fromStorage(obj: KubeObject): KubeObject };
  /** Where a kind that is not stored comes from (read-only: get and list), built once per API server — the
   *  metrics.k8s.io kinds, served from the resource-metrics component. */
  source?(ctx: RestContext): ObjectSource;
  /** A kind that is never stored: POST computes the answer from the request object and returns it (201), as
   *  upstream's create-only review kinds (TokenReview, SubjectAccessReview). Built once per API server. The body
   *  is defaulted and validated first. */
  review?(ctx: RestContext): (obj: KubeObject, req: import('../apiserver/context.ts').RequestContext) => Promise<KubeObject>;
  /** Fill defaults in place (as upstream SetDefaults_*). Runs on create and on every update. */
  defaults(obj: KubeObject): void;
  /** Defaults upstream's mutating admission sets on create (a pod's service account name, priority, default
   *  tolerations): applied after the field manager has recorded the create, so no manager owns them. */
  admissionDefaults?(obj: KubeObject): void;
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
