/**
 * The generic REST registry: get, list, create, update, patch, delete, deletecollection written once for every
 * kind, driven by its ResourceDef strategy (defaults, validation, prepareFor*) and the REST hooks its descriptor
 * declares (upstream: k8s.io/apiserver/pkg/registry/generic/registry/store.go).
 *
 * Semantics kept from upstream:
 * - resourceVersion is the store's modRevision; PUT with a stale resourceVersion -> 409 Conflict;
 * - generation starts at 1 and bumps when anything outside metadata/status changes;
 * - a write that changes nothing does not touch the store (resourceVersion unchanged);
 * - deletion of an object with finalizers only sets deletionTimestamp; an update of a deleting object that
 *   leaves no finalizers (and a zero grace period) removes it;
 * - objects cannot be created in a missing (404) or terminating (403) namespace.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import { StatusError, alreadyExists, badRequest, conflict, invalid, notFound, routeMethodNotAllowed, type FieldError } from '../api/errors.ts';
import { ConflictError, KeyExistsError, KeyNotFoundError, type Store, type KeyValue } from '../storage/store.ts';
import { rfc3339 } from '../util/clock.ts';
import { collectionPrefix, decodeKV, deepClone, encodeObject, fromKV, generateName, jsonEqual, objectKey, specPart, apiVersionOf } from './codec.ts';
import { managerOf, type RequestContext } from './context.ts';
import type { Meta } from './codec.ts';
import { findTypeErrors, findUnknownFields, pruneUnknownFields, typeErrorMessage, unstructuredConverterMessage, type TypeError as SchemaTypeError } from '../api/schema-walk.ts';
import { parseLabelSelectorParam, selectorMatches } from '../api/labels.ts';
import { fieldSelectorFor, objectMatchesFieldSelector } from '../api/fieldselectors.ts';
import { patchObject, type PatchKind } from '../api/patch/index.ts';
import { serverSideApply, updateManagedFields } from '../api/patch/apply.ts';
import type { DeleteOptions, KindHooks, ObjectSource, RestContext } from './hooks.ts';
import type { AdmissionAttributes, ValidatingAdmission } from './admission.ts';
import { ServiceAllocators } from './allocators.ts';
import { checkApplyType, checkPatchedType, expectedOf, typeMismatch } from './decode.ts';
import { jsonSourceOf, type JsonSource } from '../api/json-source.ts';
import { goPrintValue, patchInvalid, strictFindings, type StrictSource } from './strict-decoding.ts';

export interface RegistryOptions {
  /** What the kinds' REST hooks need (default: Service allocators over the same store, default service CIDR). */
  rest?: RestContext;
  now?: () => number;
  /** Validating admission plugins run on every write (./admission.ts). */
  admission?: ValidatingAdmission[];
}

export interface ListParams {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListOutcome {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

interface ContinueToken { v: 'meta.k8s.io/v1'; rv: number; start: string }

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start } satisfies ContinueToken)).toString('base64url');
}
function decodeContinue(tok: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(tok, 'base64url').toString('utf8'));
    if (t && typeof t.rv === 'number' && typeof t.start === 'string') return t;
  } catch { /* fallthrough */ }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

const MAX_RETRIES = 10;

const subStrategy = (def: ResourceDef, sub: string) => def.subresources.find((s) => s.name === sub)?.prepareForUpdate;

export class GenericRegistry {
  private now: () => number;
  readonly restContext: RestContext;
  /** Each kind's REST hooks, built once from its descriptor's `rest(ctx)`. */
  private hooksByDef = new WeakMap<ResourceDef, KindHooks>();
  /** Each source-backed kind's ObjectSource, built once from its descriptor's `source(ctx)`. */
  private sourcesByDef = new WeakMap<ResourceDef, ObjectSource>();
  /** Each review kind's create, built once from its descriptor's `review(ctx)`. */
  private reviewsByDef = new WeakMap<ResourceDef, (obj: KubeObject, ctx: RequestContext) => Promise<KubeObject>>();

  private admission: ValidatingAdmission[];

  constructor(private store: Store, opts: RegistryOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.admission = opts.admission ?? [];
    this.restContext = opts.rest ?? { allocators: new ServiceAllocators(store) };
  }

  /** rfc3339 of the current second, formatted once per second (every create stamps creationTimestamp). */
  private stampMemo = { sec: NaN, text: '' };
  private timestamp(): string {
    const ms = this.now();
    const sec = Math.floor(ms / 1000);
    if (sec !== this.stampMemo.sec) this.stampMemo = { sec, text: rfc3339(ms) };
    return this.stampMemo.text;
  }

  /** checkNamespace's memo: namespace -> (modRevision, terminating). */
  private nsTerminating = new Map<string, { rev: number; value: boolean }>();

  private hooks(def: ResourceDef): KindHooks {
    let h = this.hooksByDef.get(def);
    if (!h) { h = def.rest?.(this.restContext) ?? {}; this.hooksByDef.set(def, h); }
    return h;
  }


  private source(def: ResourceDef): ObjectSource | undefined {
    if (!def.source) return undefined;
    let s = this.sourcesByDef.get(def);
    if (!s) { s = def.source(this.restContext); this.sourcesByDef.set(def, s); }
    return s;
  }

  /** Run the validating admission plugins on a write (also called by subresource handlers for their objects). */
  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.admission) await p.validate(a, this);
  }

  // ---------------------------------------------------------------- reads

  async get(def: ResourceDef, ns: string | undefined, name: string): Promise<KubeObject> {
    const src = this.source(def);
    if (src) return src.get(ns, name);
    const kv = await this.store.get(objectKey(def, ns, name));
    if (!kv) throw notFound(def.plural, def.group, name);
    return fromKV(def, kv);
  }

  async getKV(def: ResourceDef, ns: string | undefined, name: string): Promise<KeyValue> {
    const kv = await this.store.get(objectKey(def, ns, name));
    if (!kv) throw notFound(def.plural, def.group, name);
    return kv;
  }

  /** Matcher for label + field selectors (throws 400 on bad selectors). */
  matcher(def: ResourceDef, labelSelector?: string, fieldSelector?: string): (o: KubeObject) => boolean {
    const ls = labelSelector ? parseLabelSelectorParam(labelSelector) : undefined;
    const fs = fieldSelector ? fieldSelectorFor(def, fieldSelector) : undefined;
    if (!ls && !fs) return () => true;
    return (o) => (!ls || selectorMatches(ls, (o.metadata?.labels ?? {}) as Record<string, string>)) &&
      (!fs || objectMatchesFieldSelector(def, fs, o));
  }

  async list(def: ResourceDef, ns: string | undefined, p: ListParams): Promise<ListOutcome> {
    const match = this.matcher(def, p.labelSelector, p.fieldSelector);
    const src = this.source(def);
    if (src) return { items: (await src.list(ns)).filter(match), resourceVersion: '' };
    const filtering = !!(p.labelSelector || p.fieldSelector);
    const prefix = collectionPrefix(def, ns);
    const limit = p.limit && p.limit > 0 ? p.limit : 0;
    let revision: number | undefined;
    let start: string | undefined;
    if (p.continue) {
      const t = decodeContinue(p.continue);
      if (!t.start.startsWith(prefix)) throw badRequest('continue key is not valid: key does not match the request');
      revision = t.rv;
      start = t.start;
    } else if (p.resourceVersion && p.resourceVersion !== '0' && p.resourceVersionMatch === 'Exact') {
      revision = Number(p.resourceVersion);
      if (!Number.isInteger(revision) || revision < 0) throw badRequest(`invalid resource version: ${p.resourceVersion}`);
    } else if (p.resourceVersion && p.resourceVersion !== '0') {
      // NotOlderThan: a current read satisfies it, unless the client asks for a revision we have not reached.
      const want = Number(p.resourceVersion);
      if (!Number.isFinite(want)) throw badRequest(`invalid resource version: ${p.resourceVersion}`);
      const cur = await this.store.currentRevision();
      if (want > cur) {
        throw new StatusError(504, 'Timeout', `Too large resource version: ${want}, current: ${cur}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
      }
    }
    const items: KubeObject[] = [];
    let more = false;
    let remaining: number | undefined;
    let lastKey: string | undefined;
    // Page through the store until `limit` matching objects are found (selectors filter after reading).
    for (;;) {
      const want = limit ? Math.max(limit - items.length, filtering ? 100 : 0) : 0;
      const r = await this.store.list(prefix, { revision, startKey: start, limit: want || undefined });
      revision = r.revision;
      let i = 0;
      for (; i < r.items.length; i++) {
        const kv = r.items[i];
        if (limit && items.length >= limit) break;
        const o = fromKV(def, kv);
        lastKey = kv.key;
        if (match(o)) items.push(o);
      }
      const leftInPage = r.items.length - i;
      if (limit && items.length >= limit) {
        more = leftInPage > 0 || r.more;
        if (!filtering && more) remaining = (r.remaining ?? 0) + leftInPage;
        break;
      }
      if (!r.more || !lastKey) break;
      start = lastKey + '\x00';
    }
    return {
      items,
      resourceVersion: String(revision ?? await this.store.currentRevision()),
      continue: more && lastKey ? encodeContinue(revision!, lastKey + '\x00') : undefined,
      remainingItemCount: more ? remaining : undefined,
    };
  }

  // ---------------------------------------------------------------- create

  /**
   * What upstream's decoder does to a body: a JSON type error is 400; unknown fields are 400 under Strict,
   * a Warning header under Warn, and dropped (in place) unless Strict.
   */
  checkUnknownFields(def: ResourceDef, body: unknown, ctx: RequestContext, typesChecked = false, decoding = false, source?: { src?: JsonSource; how?: StrictSource; patch?: unknown }): void {
    let typeErr: string | undefined;
    let firstTypeErr: SchemaTypeError | undefined;
    // A custom resource's wrong types are its schema validation's to report (422), as upstream's unstructured decoding.
    if (!typesChecked && !def.custom) {
      try {
        firstTypeErr = findTypeErrors(body, def.schemaName)[0];
        typeErr = firstTypeErr ? typeErrorMessage(def.kind, def.version, firstTypeErr) : undefined;
      } catch { typeErr = undefined; }
    }
    if (typeErr) {
      // A patch's result that does not decode: upstream's patcher answers 422 on `patch` with the decoder's error;
      // a strategic merge patch's result goes through the unstructured converter, which words it its own way.
      const how0 = source?.how;
      if (how0 === 'strategic') {
        throw patchInvalid(goPrintValue(source?.patch), (firstTypeErr && unstructuredConverterMessage(firstTypeErr)) ?? typeErr.replace(/^.* cannot be handled as a [^:]+: /, ''));
      }
      if (how0 === 'merge' || how0 === 'json') {
        throw patchInvalid(JSON.stringify(body), typeErr.replace(/^.* cannot be handled as a [^:]+: /, ''));
      }
      throw badRequest(typeErr);
    }
    let unknown: string[];
    try { unknown = findUnknownFields(body, def.schemaName); } catch { unknown = []; }
    // Duplicate keys of the body as sent (json-source), with the unknown fields, in upstream's order.
    const src = ctx.fieldValidation === 'Ignore' ? undefined : source ? source.src : jsonSourceOf(body);
    const how = source?.how ?? (def.custom ? 'custom' : 'body');
    if (!unknown.length && !src && (how !== 'json' || ctx.fieldValidation === 'Ignore')) return;
    const found = strictFindings(unknown, src, how, source?.patch);
    if (!found.errors.length) return;
    if (ctx.fieldValidation === 'Strict') {
      // Create and update decode the body (transformDecodeError names the type); a patch's result is a 422 on
      // `patch` (upstream's patcher), an apply's a 400.
      const strict = `strict decoding error: ${found.errors.join(', ')}`;
      if (how === 'merge' || how === 'json') throw patchInvalid(JSON.stringify(body), strict);
      if (how === 'strategic') throw patchInvalid(goPrintValue(source?.patch), strict);
      throw badRequest(decoding ? `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${strict}` : strict);
    }
    if (ctx.fieldValidation === 'Warn') ctx.warnings.push(...found.warnings);
    if (!unknown.length) return;
    try { pruneUnknownFields(body, def.schemaName); } catch { /* best effort */ }
  }

  private validateOrThrow(def: ResourceDef, obj: KubeObject, old?: KubeObject): void {
    let errs: FieldError[];
    try {
      errs = def.validate(obj, old);
    } catch (e) {
      if (e instanceof StatusError) throw e;
      throw badRequest(`invalid object: ${(e as Error).message}`);
    }
    if (errs.length) throw invalid(def.kind, def.group, obj.metadata?.name ?? '', errs);
  }

  private checkTypeMeta(def: ResourceDef, obj: KubeObject): void {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('the object provided is not a JSON object');
    if (obj.metadata !== undefined && (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))) {
      throw badRequest('metadata must be an object');
    }
    // The type against the endpoint, as upstream's decoder answers (src/apiserver/decode.ts); unset means the endpoint's.
    const mismatch = typeMismatch(typeof obj.apiVersion === 'string' ? obj.apiVersion : apiVersionOf(def), typeof obj.kind === 'string' ? obj.kind : def.kind, expectedOf(def), obj.metadata?.name ?? '');
    if (mismatch) throw mismatch;
    // Wrong JSON types are a decode error upstream (400), never stored (api-schema: findTypeErrors).
    if (def.custom) return;
    const typeErrs = findTypeErrors(obj, def.schemaName);
    if (typeErrs.length) throw badRequest(typeErrorMessage(def.kind, def.version, typeErrs[0]));
  }

  private async checkNamespace(def: ResourceDef, ns: string | undefined, name: string): Promise<void> {
    if (!def.namespaced || !ns) return;
    const kv = await this.store.get(`/registry/core/namespaces/${ns}`);
    if (!kv) throw notFound('namespaces', '', ns);
    // Parsing the Namespace on every create costs as much as the create's validation: remember, per namespace,
    // whether the stored version (modRevision) is terminating.
    let terminating = this.nsTerminating.get(ns);
    if (!terminating || terminating.rev !== kv.modRevision) {
      const nsObj = JSON.parse(kv.value);
      terminating = { rev: kv.modRevision, value: !!(nsObj.metadata?.deletionTimestamp || nsObj.status?.phase === 'Terminating') };
      if (this.nsTerminating.size >= 4096) this.nsTerminating.clear();
      this.nsTerminating.set(ns, terminating);
    }
    if (terminating.value) {
      throw new StatusError(403, 'Forbidden',
        `${def.plural}${def.group ? '.' + def.group : ''} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        { group: def.group || undefined, kind: def.plural, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }] });
    }
  }

  /**
   * Create of a kind that is never stored (`def.review`): the body is type-checked, defaulted and validated as a
   * create's, then the kind computes its answer (its status).
   */
  async review(def: ResourceDef, ns: string | undefined, body: KubeObject, ctx: RequestContext): Promise<KubeObject> {
    if (!def.review) throw routeMethodNotAllowed();
    const obj = this.newObject(def, ns, body, ctx, true);
    def.defaults(obj);
    this.validateOrThrow(def, obj);
    let fn = this.reviewsByDef.get(def);
    if (!fn) { fn = def.review(this.restContext); this.reviewsByDef.set(def, fn); }
    return fn(obj, ctx);
  }

  /** A create's body as the new object: type-checked, fieldValidation applied, typed, in the request's namespace. */
  private newObject(def: ResourceDef, ns: string | undefined, body: KubeObject, ctx: RequestContext, unknownCheck: boolean): KubeObject {
    this.checkTypeMeta(def, body);
    const obj = deepClone(body);
    // checkTypeMeta has just run the JSON type check on the same content (obj is its clone).
    if (unknownCheck) this.checkUnknownFields(def, obj, ctx, true, true, { src: jsonSourceOf(body) });
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    const meta = (obj.metadata = obj.metadata ?? {}) as Meta;
    if (def.namespaced) {
      if (meta.namespace && ns && meta.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ns ?? meta.namespace;
    }
    return obj;
  }

  /**
   * Create. `body` is the decoded request object. Returns the stored object.
   * With `opts.skipUnknownCheck` the caller already ran fieldValidation (apply).
   */
  async create(def: ResourceDef, ns: string | undefined, body: KubeObject, ctx: RequestContext, opts: { skipUnknownCheck?: boolean; managedFieldsDone?: boolean } = {}): Promise<KubeObject> {
    const obj = this.newObject(def, ns, body, ctx, !opts.skipUnknownCheck);
    const meta = obj.metadata as Meta;
    if (def.namespaced) {
      if (!meta.namespace) throw badRequest('a namespace is required');
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    if (!meta.name) {
      throw invalid(def.kind, def.group, '', [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    }
    // Server-owned metadata.
    meta.uid = randomUUID();
    meta.creationTimestamp = this.timestamp();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete (meta as any).selfLink;
    if (def.hasGeneration) meta.generation = 1; else delete meta.generation;
    def.prepareForCreate?.(obj);
    def.defaults(obj);
    // Upstream's field manager records a create as decoded and defaulted, before mutating admission: what
    // admission adds (a pod's service account volume, default tolerations, priority) belongs to no manager, so a
    // later apply that took over the creator's fields cannot remove it.
    const recorded = opts.managedFieldsDone ? undefined : deepClone(obj);
    def.admissionDefaults?.(obj);
    const admit = this.hooks(def).admit;
    if (admit) {
      // Admission sees only objects of a live namespace (upstream: NamespaceLifecycle comes first in the chain).
      await this.checkNamespace(def, meta.namespace, meta.name);
      await admit(obj, ctx, this);
    }
    this.validateOrThrow(def, obj);
    if (!admit) await this.checkNamespace(def, meta.namespace, meta.name);
    if (this.admission.length) await this.admit({ operation: 'CREATE', def, namespace: meta.namespace, name: meta.name, object: obj, user: ctx.user });
    if (recorded) {
      try {
        updateManagedFields(recorded, null, { manager: managerOf(ctx), operation: 'Update', schemaName: def.schemaName });
        if (recorded.metadata?.managedFields) meta.managedFields = recorded.metadata.managedFields; else delete meta.managedFields;
      } catch { /* managedFields are advisory */ }
    }
    const key = objectKey(def, meta.namespace, meta.name);
    if (ctx.dryRun) {
      if (await this.store.get(key)) throw alreadyExists(def.plural, def.group, meta.name);
      return obj;
    }
    const undo = await this.hooks(def).beforeCreate?.(obj, ctx);
    // A generated name that collides is retried with a fresh suffix (upstream RetryGenerateName, GA in 1.32).
    for (let attempt = 0; ; attempt++) {
      try {
        const kv = await this.store.create(objectKey(def, meta.namespace, meta.name), encodeObject(def, obj));
        return fromKV(def, kv);
      } catch (e) {
        if (e instanceof KeyExistsError && body.metadata?.generateName && !body.metadata?.name && attempt < 7) {
          meta.name = generateName(body.metadata.generateName);
          continue;
        }
        if (undo) await undo().catch(() => undefined);
        if (e instanceof KeyExistsError) throw alreadyExists(def.plural, def.group, meta.name);
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------- update

  /**
   * The one read-modify-write loop (upstream GuaranteedUpdate): read, let `mutate` build the new object from the
   * current one, then finish (defaults, validation, generation, no-op detection) and compare-and-swap.
   * `mutate` may throw StatusError; it is re-run on a storage conflict unless `preconditionRV` pins the version.
   */
  async guaranteedUpdate(
    def: ResourceDef, ns: string | undefined, name: string, ctx: RequestContext,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: { subresource?: string; createIfMissing?: () => Promise<KubeObject>; skipManagedFields?: boolean; /** server-internal write (binding): no strategy/validation */ internal?: boolean } = {},
  ): Promise<{ obj: KubeObject; created?: boolean }> {
    const key = objectKey(def, ns, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) {
        if (opts.createIfMissing) return { obj: await opts.createIfMissing(), created: true };
        throw notFound(def.plural, def.group, name);
      }
      const old = fromKV(def, kv);
      let next = await mutate(deepClone(old));
      this.checkTypeMeta(def, next);
      next = deepClone(next);
      const sub = opts.subresource;
      // Identity and server-owned metadata are the stored ones.
      const nm = (next.metadata = next.metadata ?? {}) as Meta;
      const om = old.metadata! as Meta;
      if (nm.name !== undefined && nm.name !== name) {
        throw badRequest(`the name of the object (${nm.name}) does not match the name on the URL (${name})`);
      }
      if (def.namespaced && nm.namespace !== undefined && nm.namespace !== '' && nm.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      // resourceVersion "0" parses to 0, which upstream's update takes as unset: an unconditional update.
      if (nm.resourceVersion === '0') delete nm.resourceVersion;
      if (nm.resourceVersion && nm.resourceVersion !== om.resourceVersion) {
        throw conflict(def.plural, def.group, name);
      }
      const pinned = !!nm.resourceVersion;
      nm.name = name;
      if (def.namespaced) nm.namespace = ns; else delete nm.namespace;
      nm.uid = om.uid;
      nm.creationTimestamp = om.creationTimestamp;
      if (om.deletionTimestamp) {
        nm.deletionTimestamp = om.deletionTimestamp;
        nm.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
      } else {
        delete nm.deletionTimestamp;
        delete nm.deletionGracePeriodSeconds;
      }
      if (om.generation !== undefined) nm.generation = om.generation; else delete nm.generation;
      next.apiVersion = apiVersionOf(def);
      next.kind = def.kind;
      if (sub === 'status') {
        // Only status changes (upstream ResetObjectMetaForStatus + the kinds' status strategies).
        if (def.prepareForStatusUpdate) def.prepareForStatusUpdate(next, old);
        else {
          const st = next.status;
          for (const k of Object.keys(next)) if (k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') delete next[k];
          Object.assign(next, deepClone(specPart(old)));
          if (st !== undefined) next.status = st;
        }
        for (const f of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
          if (om[f] !== undefined) (nm as any)[f] = deepClone(om[f]); else delete nm[f];
        }
      } else if (sub && subStrategy(def, sub)) {
        // The subresource's own strategy (namespaces/finalize: only spec.finalizers changes).
        subStrategy(def, sub)!(next, old);
        next.metadata = nm;
        for (const f of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
          if (om[f] !== undefined) (nm as any)[f] = deepClone(om[f]); else delete nm[f];
        }
      } else if (!opts.internal) {
        def.prepareForUpdate?.(next, old);
        this.hooks(def).prepareUpdate?.(next, old);
      }
      def.defaults(next);
      if (opts.internal) {
        // validated by the caller
      } else if (sub === 'status') {
        const errs = def.validateStatus?.(next, old) ?? [];
        if (errs.length) throw invalid(def.kind, def.group, name, errs);
      } else {
        this.validateOrThrow(def, next, old);
      }
      if (def.hasGeneration && !jsonEqual(specPart(next), specPart(old))) {
        nm.generation = (om.generation ?? 0) + 1;
      }
      if (this.admission.length) await this.admit({ operation: 'UPDATE', def, namespace: ns, name, subresource: sub, object: next, oldObject: old, user: ctx.user });
      if (!opts.skipManagedFields) {
        try { updateManagedFields(next, old, { manager: managerOf(ctx), operation: 'Update', subresource: sub, schemaName: def.schemaName }); } catch { /* advisory */ }
      }
      // No change: answer the current object without writing (resourceVersion unchanged). managedFields count, as
      // upstream's store compares whole objects: a new co-owner (an apply of the same values by another manager,
      // e.g. --force-conflicts) is a change; the field manager keeps times stable on a real no-op.
      const cmpNext = { ...next, metadata: { ...next.metadata, resourceVersion: om.resourceVersion } };
      if (jsonEqual(cmpNext, old)) return { obj: old };
      if (ctx.dryRun) return { obj: { ...next, metadata: { ...next.metadata, resourceVersion: om.resourceVersion } } };
      // A deleting object whose finalizers are all gone is removed by this update.
      if (this.shouldDeleteDuringUpdate(def, next)) {
        try {
          const dkv = await this.store.delete(key, kv.modRevision);
          await this.hooks(def).afterDelete?.(next).catch(() => undefined);
          return { obj: decodeKV(def, encodeObject(def, next), dkv.modRevision) };
        } catch (e) {
          if (e instanceof ConflictError || e instanceof KeyNotFoundError) {
            if (pinned) throw conflict(def.plural, def.group, name);
            if (attempt < MAX_RETRIES) continue;
          }
          throw e;
        }
      }
      const h = await this.hooks(def).beforeUpdate?.(next, old, ctx);
      try {
        const nkv = await this.store.update(key, encodeObject(def, next), kv.modRevision);
        await h?.commit?.().catch(() => undefined);
        return { obj: fromKV(def, nkv) };
      } catch (e) {
        await h?.undo?.().catch(() => undefined);
        if (e instanceof ConflictError || e instanceof KeyNotFoundError) {
          if (pinned) throw conflict(def.plural, def.group, name);
          if (attempt < MAX_RETRIES) continue;
          throw conflict(def.plural, def.group, name);
        }
        throw e;
      }
    }
  }

  private shouldDeleteDuringUpdate(def: ResourceDef, obj: KubeObject): boolean {
    const m = obj.metadata ?? {};
    if (!m.deletionTimestamp) return false;
    if (m.finalizers && m.finalizers.length) return false;
    if ((m.deletionGracePeriodSeconds ?? 0) !== 0) return false;
    const extra = this.hooks(def).canFinishDeletion;
    return extra ? extra(obj) : true;
  }

  /** PUT of the main resource (or status/finalize subresource). */
  async update(def: ResourceDef, ns: string | undefined, name: string, body: KubeObject, ctx: RequestContext, subresource?: string): Promise<KubeObject> {
    this.checkTypeMeta(def, body);
    const clean = deepClone(body);
    this.checkUnknownFields(def, clean, ctx, false, true, { src: jsonSourceOf(body) });
    const { obj } = await this.guaranteedUpdate(def, ns, name, ctx, () => deepClone(clean), { subresource });
    return obj;
  }

  /** PATCH (strategic, merge, json) of the main resource or a subresource. */
  async patch(def: ResourceDef, ns: string | undefined, name: string, kind: PatchKind, patch: unknown, ctx: RequestContext, subresource?: string): Promise<KubeObject> {
    let checked = false;
    const { obj } = await this.guaranteedUpdate(def, ns, name, ctx, (cur) => {
      const curRV = cur.metadata?.resourceVersion;
      const next = patchObject(def.schemaName, kind, cur, patch);
      checkPatchedType(next, expectedOf(def), kind);
      const w = ctx.warnings.length;
      this.checkUnknownFields(def, next, ctx, false, false, { src: jsonSourceOf(patch), how: kind === 'json' ? 'json' : kind === 'merge' ? 'merge' : 'strategic', patch });
      if (checked) ctx.warnings.length = w; // warn once across conflict retries
      checked = true;
      // A patch that does not mention resourceVersion must not pin the version (retry on conflict instead).
      if (next.metadata && next.metadata.resourceVersion === curRV) delete (next.metadata as Meta).resourceVersion;
      return next;
    }, { subresource });
    return obj;
  }

  /** A PATCH request of any type (server-side apply included) as the body decoded it; `created` for an apply that created. */
  async patchRequest(def: ResourceDef, ns: string | undefined, name: string, p: { kind: PatchKind | 'apply'; patch: unknown }, ctx: RequestContext, subresource?: string): Promise<{ obj: KubeObject; created: boolean }> {
    const { kind, patch } = p;
    if (kind === 'apply') {
      if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('the apply patch is not an object');
      return this.apply(def, ns, name, patch as KubeObject, ctx, ctx.force === true, subresource);
    }
    if (kind === 'json' ? !Array.isArray(patch) : (!patch || typeof patch !== 'object' || Array.isArray(patch))) {
      throw badRequest(kind === 'json' ? 'json patch must be an array of operations' : 'the patch is not a JSON object');
    }
    return { obj: await this.patch(def, ns, name, kind, patch, ctx, subresource), created: false };
  }

  /** Server-side apply (PATCH application/apply-patch+yaml): creates when missing. */
  async apply(def: ResourceDef, ns: string | undefined, name: string, applied: KubeObject, ctx: RequestContext, force: boolean, subresource?: string): Promise<{ obj: KubeObject; created: boolean }> {
    checkApplyType(applied as Record<string, unknown>, expectedOf(def));
    this.checkTypeMeta(def, applied);
    if (applied.metadata?.name && applied.metadata.name !== name) {
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    // sigs.k8s.io/yaml's strict decoding of the apply patch: its repeated keys (line by line).
    const yamlDups = jsonSourceOf(applied)?.yamlDuplicates;
    if (yamlDups?.length && ctx.fieldValidation === 'Strict') {
      throw badRequest(`error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  ${yamlDups.join('\n  ')}`);
    }
    if (yamlDups?.length && ctx.fieldValidation === 'Warn') ctx.warnings.push(...yamlDups);
    applied = deepClone(applied);
    this.checkUnknownFields(def, applied, ctx, false, false, { src: undefined });
    const manager = ctx.fieldManager;
    if (!manager) throw badRequest('PATCH, application/apply-patch+yaml requests must supply a fieldManager');
    const r = await this.guaranteedUpdate(def, ns, name, ctx, (cur) => {
      const curRV = cur.metadata?.resourceVersion;
      const next = serverSideApply(cur, applied, { manager, force, schemaName: def.schemaName }) as KubeObject;
      if (next.metadata && next.metadata.resourceVersion === curRV && !applied.metadata?.resourceVersion) delete (next.metadata as Meta).resourceVersion;
      return next;
    }, {
      subresource, skipManagedFields: true,
      createIfMissing: subresource ? undefined : async () => {
        const base: KubeObject = { apiVersion: apiVersionOf(def), kind: def.kind, metadata: { name, ...(def.namespaced ? { namespace: ns } : {}) } };
        const obj = serverSideApply(null, applied, { manager, force, schemaName: def.schemaName }) as KubeObject;
        return this.create(def, ns, { ...base, ...obj, metadata: { ...base.metadata, ...obj.metadata } }, ctx, { skipUnknownCheck: true, managedFieldsDone: true });
      },
    });
    return { obj: r.obj, created: !!r.created };
  }

  // ---------------------------------------------------------------- delete

  /**
   * DELETE. Returns `{ obj, deleted }`: deleted=false when the object was only marked (finalizers, graceful pods).
   */
  async delete(def: ResourceDef, ns: string | undefined, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<{ obj: KubeObject; deleted: boolean }> {
    const key = objectKey(def, ns, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(def.plural, def.group, name);
      const cur = fromKV(def, kv);
      const m = cur.metadata!;
      if (this.admission.length && attempt === 0) await this.admit({ operation: 'DELETE', def, namespace: ns, name, oldObject: cur, user: ctx.user });
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== m.uid) {
        throw conflict(def.plural, def.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${m.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
        throw conflict(def.plural, def.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion}`);
      }
      if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
        if (opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1; // upstream: negative means 1
      }
      const next = deepClone(cur);
      const nm = next.metadata! as Meta;
      // Propagation policy -> finalizers (the garbage collector handles dependents).
      let policy = opts.propagationPolicy;
      if (!policy && opts.orphanDependents !== undefined) policy = opts.orphanDependents ? 'Orphan' : 'Background';
      const fins = new Set(nm.finalizers ?? []);
      if (!nm.deletionTimestamp || fins.size) {
        if (policy === 'Orphan') { fins.add('orphan'); fins.delete('foregroundDeletion'); }
        if (policy === 'Foreground') { fins.add('foregroundDeletion'); fins.delete('orphan'); }
        if (policy === 'Background') { fins.delete('orphan'); fins.delete('foregroundDeletion'); }
      }
      // Background on an object that had no GC finalizers keeps the user's own finalizers.
      const finList = [...fins];
      const custom = this.hooks(def).deletePolicy?.(next, opts, this.now());
      let decision: { action: 'delete' | 'mark'; obj: KubeObject };
      if (custom) {
        decision = custom;
        if (finList.length) {
          (decision.obj.metadata as Meta).finalizers = finList;
          if (decision.action === 'delete') {
            decision = { action: 'mark', obj: decision.obj };
            (decision.obj.metadata as Meta).deletionTimestamp ??= rfc3339(this.now());
            (decision.obj.metadata as Meta).deletionGracePeriodSeconds = 0;
          }
        }
      } else if (finList.length) {
        nm.finalizers = finList;
        if (!nm.deletionTimestamp) {
          nm.deletionTimestamp = rfc3339(this.now());
          nm.deletionGracePeriodSeconds = 0;
          if (nm.generation !== undefined && nm.generation > 0) nm.generation += 1;
        }
        decision = { action: 'mark', obj: next };
      } else {
        decision = { action: 'delete', obj: next };
      }
      if (ctx.dryRun) return { obj: decision.obj, deleted: decision.action === 'delete' };
      try {
        if (decision.action === 'mark') {
          const o = decision.obj;
          if (jsonEqual(o, cur)) return { obj: cur, deleted: false };
          const ukv = await this.store.update(key, encodeObject(def, o), kv.modRevision);
          return { obj: fromKV(def, ukv), deleted: false };
        }
        const dkv = await this.store.delete(key, kv.modRevision);
        await this.hooks(def).afterDelete?.(cur).catch(() => undefined);
        return { obj: decodeKV(def, kv.value, dkv.modRevision), deleted: true };
      } catch (e) {
        if ((e instanceof ConflictError || e instanceof KeyNotFoundError) && attempt < MAX_RETRIES) continue;
        if (e instanceof KeyNotFoundError) throw notFound(def.plural, def.group, name);
        if (e instanceof ConflictError) throw conflict(def.plural, def.group, name);
        throw e;
      }
    }
  }

  async deleteCollection(def: ResourceDef, ns: string | undefined, p: ListParams, opts: DeleteOptions, ctx: RequestContext): Promise<ListOutcome> {
    const listed = await this.list(def, ns, { labelSelector: p.labelSelector, fieldSelector: p.fieldSelector });
    const out: KubeObject[] = [];
    for (const o of listed.items) {
      try {
        const r = await this.delete(def, o.metadata?.namespace, o.metadata!.name!, { ...opts, preconditions: undefined }, ctx);
        out.push(r.obj);
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) continue;
        throw e;
      }
    }
    return { items: out, resourceVersion: String(await this.store.currentRevision()) };
  }
}
