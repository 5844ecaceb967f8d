/**
 * The garbage collector (upstream pkg/controller/garbagecollector). It keeps a graph of ownerReferences (uid →
 * owners, dependents) from informers on every kind that can own or be owned, and acts on three propagation modes:
 *  - background: when an owner is gone, each dependent is re-checked against the API (attemptToDelete); with no
 *    remaining live owner it is deleted (honouring its own orphan/foreground finalizers as its policy);
 *  - foreground: an owner with deletionTimestamp and the `foregroundDeletion` finalizer is "deleting dependents":
 *    its dependents are deleted (foreground themselves when they have dependents); once no dependent with
 *    blockOwnerDeletion=true remains, the finalizer is removed and the API server deletes the owner;
 *  - orphan: an owner with the `orphan` finalizer has its ownerReference removed from every dependent, then the
 *    finalizer removed.
 * Owners are always verified through the API (by name, then uid), never assumed gone from a cache miss.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import type { Controller, ControllerContext } from '../types.ts';
import type { KubeObject } from '../../api/resource.ts';
import type { Informer } from '../../client/informer.ts';
import { R, refOf, type ResourceRef } from '../../client/resources.ts';
import { resources } from '../../api/registry.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { StatusError } from '../../api/errors.ts';

export const FinalizerOrphan = 'orphan';
export const FinalizerDeleteDependents = 'foregroundDeletion';

/** Kinds the collector watches (owners and dependents): the descriptors that declare `garbageCollected`. */
export const gcResources: ResourceRef[] = resources.filter((d) => d.garbageCollected).map(refOf);

interface GNode {
  uid: string;
  resource: ResourceRef;
  namespace?: string;
  name: string;
  owners: OwnerReference[];
  dependents: Set<string>;
  deletingDependents: boolean;
  beingDeleted: boolean;
}

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata?.finalizers ?? []).includes(f);
const apiVersionOf = (r: ResourceRef) => (r.group ? `${r.group}/${r.version}` : r.version);

export class GarbageCollector implements Controller {
  name = 'garbage-collector-controller';
  private ctx!: ControllerContext;
  private graph = new Map<string, GNode>();
  private absentOwnerCache = new Set<string>();
  private deleteQueue!: WorkQueue;
  private orphanQueue!: WorkQueue;
  private informers: Informer<any>[] = [];
  private running: Promise<void>[] = [];
  constructor(private resources: ResourceRef[] = gcResources) {}

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.graph = new Map();
    this.deleteQueue = new WorkQueue({ clock: ctx.clock, name: 'garbage_collector_attempt_to_delete' });
    this.orphanQueue = new WorkQueue({ clock: ctx.clock, name: 'garbage_collector_attempt_to_orphan' });
    this.informers = this.resources.map((r) => {
      const inf = ctx.informers.get(r);
      inf.addHandler({ add: (o) => this.observe(r, o), update: (_o, n) => this.observe(r, n), delete: (o) => this.forget(o) });
      return inf;
    });
  }

  async run(): Promise<void> {
    const onErr = (k: string, e: unknown) => {
      if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) console.error(`garbage-collector: ${k}: ${(e as Error).message ?? e}`);
    };
    this.running = [this.deleteQueue.run(3, (k) => this.attemptToDelete(k), onErr), this.orphanQueue.run(1, (k) => this.attemptToOrphan(k), onErr)];
  }

  async stop(): Promise<void> {
    this.deleteQueue.shutdown();
    this.orphanQueue.shutdown();
    await Promise.all(this.running);
  }

  // ------------------------------------------------------------ graph

  private node(uid: string): GNode | undefined { return this.graph.get(uid); }

  private observe(resource: ResourceRef, obj: KubeObject): void {
    const m = obj.metadata ?? {};
    const uid = m.uid;
    if (!uid) return;
    let n = this.graph.get(uid);
    const owners = m.ownerReferences ?? [];
    if (!n) {
      n = { uid, resource, namespace: m.namespace, name: m.name!, owners: [], dependents: new Set(), deletingDependents: false, beingDeleted: false };
      this.graph.set(uid, n);
    }
    // Owner edges: drop removed ones, add new ones.
    const oldUids = new Set(n.owners.map((o) => o.uid));
    const newUids = new Set(owners.map((o) => o.uid));
    for (const o of n.owners) if (!newUids.has(o.uid)) {
      const on = this.graph.get(o.uid);
      on?.dependents.delete(uid);
      if (on?.deletingDependents) this.deleteQueue.add(on.uid); // its blocking set may have shrunk
    }
    let unresolved = false;
    for (const o of owners) {
      let on = this.graph.get(o.uid);
      if (!on) {
        // A virtual owner: referenced but not (yet) observed. The dependent is verified against the API.
        on = { uid: o.uid, resource: undefined as any, namespace: m.namespace, name: o.name, owners: [], dependents: new Set(), deletingDependents: false, beingDeleted: false };
        this.graph.set(o.uid, on);
        unresolved = true;
      } else if (!on.resource) unresolved = true;
      on.dependents.add(uid);
      if (!oldUids.has(o.uid) && on.deletingDependents) this.deleteQueue.add(on.uid);
      // A blockOwnerDeletion change matters to an owner deleting its dependents.
      const prev = n.owners.find((x) => x.uid === o.uid);
      if (prev && prev.blockOwnerDeletion !== o.blockOwnerDeletion && on.deletingDependents) this.deleteQueue.add(on.uid);
    }
    n.owners = owners;
    n.resource = resource;
    n.name = m.name!;
    n.namespace = m.namespace;
    n.beingDeleted = !!m.deletionTimestamp;
    const wasDeleting = n.deletingDependents;
    n.deletingDependents = !!m.deletionTimestamp && hasFinalizer(obj, FinalizerDeleteDependents);
    if (unresolved) this.deleteQueue.add(uid);
    if (n.deletingDependents) {
      this.deleteQueue.add(uid);
      if (!wasDeleting) for (const d of n.dependents) this.deleteQueue.add(d);
    }
    if (m.deletionTimestamp && hasFinalizer(obj, FinalizerOrphan)) this.orphanQueue.add(uid);
    // An owner coming into view: dependents waiting on it need another look only if it is deleting.
    for (const d of n.dependents) if (n.beingDeleted) this.deleteQueue.add(d);
  }

  private forget(obj: KubeObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const n = this.graph.get(uid);
    if (!n) return;
    for (const o of n.owners) {
      const on = this.graph.get(o.uid);
      if (!on) continue;
      on.dependents.delete(uid);
      if (on.deletingDependents) this.deleteQueue.add(on.uid);
      if (!on.resource && on.dependents.size === 0) this.graph.delete(on.uid);
    }
    this.absentOwnerCache.add(uid);
    if (this.absentOwnerCache.size > 10000) this.absentOwnerCache.clear();
    // Dependents of a gone owner are checked (background deletion).
    for (const d of n.dependents) this.deleteQueue.add(d);
    if (n.dependents.size) {
      // Keep a virtual node so that the dependents' edges survive until they are processed.
      this.graph.set(uid, { ...n, resource: undefined as any, owners: [], deletingDependents: false, beingDeleted: false });
    } else this.graph.delete(uid);
  }

  // ------------------------------------------------------------ API lookups

  private resourceFor(apiVersion: string, kind: string): ResourceRef | undefined {
    return Object.values(R).find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
  }

  private async getLive(resource: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.ctx.client.get(resource, resource.namespaced ? namespace : undefined, name);
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    }
  }

  /** An owner reference's state: absent (dangling), waiting for its dependents (foreground), or solid. */
  private async classify(ref: OwnerReference, namespace: string | undefined): Promise<'dangling' | 'waiting' | 'solid'> {
    if (this.absentOwnerCache.has(ref.uid)) return 'dangling';
    const resource = this.resourceFor(ref.apiVersion, ref.kind);
    if (!resource) return 'solid'; // a kind we cannot look up: never delete on a guess
    const owner = await this.getLive(resource, namespace, ref.name);
    if (!owner || owner.metadata?.uid !== ref.uid) { this.absentOwnerCache.add(ref.uid); return 'dangling'; }
    if (owner.metadata?.deletionTimestamp && hasFinalizer(owner, FinalizerDeleteDependents)) return 'waiting';
    return 'solid';
  }

  // ------------------------------------------------------------ attemptToDelete

  async attemptToDelete(uid: string): Promise<void> {
    const n = this.node(uid);
    if (!n || !n.resource) return;
    const latest = await this.getLive(n.resource, n.namespace, n.name);
    if (!latest || latest.metadata?.uid !== uid) return;
    const deletingDeps = !!latest.metadata?.deletionTimestamp && hasFinalizer(latest, FinalizerDeleteDependents);
    if (latest.metadata?.deletionTimestamp && !deletingDeps) return;
    if (deletingDeps) return this.processDeletingDependents(n, latest);

    const refs = latest.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    const solid: OwnerReference[] = [], dangling: OwnerReference[] = [], waiting: OwnerReference[] = [];
    for (const r of refs) {
      const c = await this.classify(r, latest.metadata?.namespace);
      (c === 'solid' ? solid : c === 'dangling' ? dangling : waiting).push(r);
    }
    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      // Keep the object; drop the references to owners that are gone or going.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.updateObject(n.resource, latest, (o) => {
        o.metadata!.ownerReferences = (o.metadata!.ownerReferences ?? []).filter((r) => !drop.has(r.uid));
      });
      return;
    }
    if (waiting.length && n.dependents.size) {
      // An owner waits for us, and we have dependents: if one of them is itself deleting dependents, unblock our
      // owner (a cycle), then delete ourselves in the foreground.
      for (const d of n.dependents) {
        if (this.node(d)?.deletingDependents) {
          const w = new Set(waiting.map((r) => r.uid));
          await this.updateObject(n.resource, latest, (o) => {
            for (const r of o.metadata!.ownerReferences ?? []) if (w.has(r.uid)) r.blockOwnerDeletion = false;
          });
          break;
        }
      }
      await this.deleteObject(n, 'Foreground');
      return;
    }
    const policy = hasFinalizer(latest, FinalizerOrphan) ? 'Orphan' : hasFinalizer(latest, FinalizerDeleteDependents) ? 'Foreground' : 'Background';
    await this.deleteObject(n, policy);
  }

  private async deleteObject(n: GNode, policy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
    try {
      await this.ctx.client.delete(n.resource, n.resource.namespaced ? n.namespace : undefined, n.name, { propagationPolicy: policy, preconditions: { uid: n.uid } });
    } catch (e) {
      if (e instanceof StatusError && (e.code === 404 || e.code === 409)) return; // gone, or replaced by a new object
      throw e;
    }
  }

  /** Foreground: delete the blocking dependents; when none is left, remove the finalizer. */
  private async processDeletingDependents(n: GNode, latest: KubeObject): Promise<void> {
    const blocking: GNode[] = [];
    for (const d of n.dependents) {
      const dn = this.node(d);
      if (!dn || !dn.resource) continue;
      const ref = dn.owners.find((o) => o.uid === n.uid);
      if (ref?.blockOwnerDeletion) blocking.push(dn);
    }
    if (blocking.length === 0) {
      await this.removeFinalizer(n, latest, FinalizerDeleteDependents);
      return;
    }
    for (const d of blocking) if (!d.deletingDependents) this.deleteQueue.add(d.uid);
  }

  // ------------------------------------------------------------ attemptToOrphan

  async attemptToOrphan(uid: string): Promise<void> {
    const n = this.node(uid);
    if (!n || !n.resource) return;
    const latest = await this.getLive(n.resource, n.namespace, n.name);
    if (!latest || latest.metadata?.uid !== uid || !hasFinalizer(latest, FinalizerOrphan)) return;
    for (const d of [...n.dependents]) {
      const dn = this.node(d);
      if (!dn || !dn.resource) continue;
      const obj = await this.getLive(dn.resource, dn.namespace, dn.name);
      if (!obj || obj.metadata?.uid !== d) continue;
      if (!(obj.metadata?.ownerReferences ?? []).some((r) => r.uid === uid)) continue;
      await this.updateObject(dn.resource, obj, (o) => {
        o.metadata!.ownerReferences = (o.metadata!.ownerReferences ?? []).filter((r) => r.uid !== uid);
      });
    }
    await this.removeFinalizer(n, latest, FinalizerOrphan);
  }

  // ------------------------------------------------------------ writes

  private async removeFinalizer(n: GNode, latest: KubeObject, f: string): Promise<void> {
    await this.updateObject(n.resource, latest, (o) => {
      o.metadata!.finalizers = (o.metadata!.finalizers ?? []).filter((x) => x !== f);
    });
  }

  /** Read-modify-write with the object's resourceVersion, re-reading on conflict. */
  private async updateObject(resource: ResourceRef, obj: KubeObject, mutate: (o: KubeObject) => void): Promise<void> {
    let cur = obj;
    for (let i = 0; i < 5; i++) {
      const next = structuredClone(cur);
      mutate(next);
      try {
        await this.ctx.client.update(resource, resource.namespaced ? cur.metadata?.namespace : undefined, next);
        return;
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) return;
        if (!(e instanceof StatusError && e.code === 409)) throw e;
        const fresh = await this.getLive(resource, cur.metadata?.namespace, cur.metadata!.name!);
        if (!fresh || fresh.metadata?.uid !== obj.metadata?.uid) return;
        cur = fresh;
      }
    }
    throw new StatusError(409, 'Conflict', `garbage collector: too many conflicts updating ${resource.plural} ${obj.metadata?.name}`);
  }
}

export function newGarbageCollector(resources?: ResourceRef[]): Controller { return new GarbageCollector(resources); }
