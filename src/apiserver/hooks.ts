/**
 * Per-kind REST behaviour that goes beyond a ResourceDef strategy (upstream: the custom REST storages of
 * pods, services, namespaces): IP/port allocation, graceful pod deletion, namespace termination.
 * A descriptor declares them with `rest(ctx)`; the generic registry builds them once from its RestContext and
 * calls them at fixed points; kinds without hooks use the generic behaviour.
 */
import type { KubeObject } from '../api/resource.ts';
import type { RequestContext } from './context.ts';
import type { ServiceAllocators } from './allocators.ts';
import type { ResourceMetrics } from './metrics/scraper.ts';
import type { AuthorizationContext } from './authz/escalation.ts';
import type { ServiceAccountTokenSigner } from './serviceaccount/tokens.ts';
import type { Authenticator } from './auth.ts';

/** What REST hooks may need from the API server that runs them. */
export interface RestContext {
  /** Service clusterIP and nodePort allocation (services). */
  allocators: ServiceAllocators;
  /** The resource-metrics component (metrics.k8s.io), when the server runs one. */
  metrics?: ResourceMetrics;
  /** The authorizer chain and RBAC rule cache (escalation checks of the RBAC kinds, access reviews). */
  authorization?: AuthorizationContext;
  /** Signs and verifies service-account tokens (serviceaccounts/token, TokenReview, authentication). */
  serviceAccountTokens?: ServiceAccountTokenSigner;
  /** Run the ServiceAccount admission plugin on pod create (src/apiserver/serviceaccount/admission.ts). */
  serviceAccountAdmission?: boolean;
  /** The server's authenticator chain (TokenReview). */
  authenticator?: Authenticator;
}

/**
 * A kind served from something other than the store (upstream: a REST storage of its own, such as
 * metrics-server's PodMetrics): read-only. The registry's get and list ask it; list then applies the label and
 * field selectors.
 */
export interface ObjectSource {
  get(namespace: string | undefined, name: string): Promise<KubeObject>;
  list(namespace: string | undefined): Promise<KubeObject[]>;
}

export interface DeleteDecision {
  /** 'delete' removes the key now; 'mark' stores `obj` (with deletionTimestamp etc.) instead. */
  action: 'delete' | 'mark';
  obj: KubeObject;
}

/** What an admission plugin may read (the registry's get; throws 404 for a missing object). */
export interface ObjectReader {
  get(def: import('../api/resource.ts').ResourceDef, namespace: string | undefined, name: string): Promise<KubeObject>;
}

export interface KindHooks {
  /** Mutating admission on create (upstream admission plugins such as ServiceAccount): after defaulting, before
   *  validation; may change the object or refuse it with a StatusError. Runs for dry runs too. */
  admit?(obj: KubeObject, ctx: RequestContext, reader: ObjectReader): Promise<void>;
  /** Before storing a new object (after validation). Return an undo for when the write fails. */
  beforeCreate?(obj: KubeObject, ctx: RequestContext): Promise<(() => Promise<void>) | void>;
  /** Before defaults/validation of an update (upstream PatchAllocatedValues: keep allocated IPs/ports the client omitted). */
  prepareUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Before storing an update (after validation). Return an undo for when the write fails, and a commit to
   *  run after it succeeded (e.g. release resources the old object held). */
  beforeUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): Promise<{ undo?: () => Promise<void>; commit?: () => Promise<void> } | void>;
  /** After the key was removed. */
  afterDelete?(obj: KubeObject): Promise<void>;
  /** Graceful deletion policy (pods). Called with a copy of the current object; return undefined for generic handling. */
  deletePolicy?(obj: KubeObject, opts: DeleteOptions, nowMs: number): DeleteDecision | undefined;
  /** Extra condition for "an update of a deleting object removes it" (namespaces: spec.finalizers empty). */
  canFinishDeletion?(obj: KubeObject): boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}
