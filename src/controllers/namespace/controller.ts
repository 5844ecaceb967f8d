/**
 * The namespace controller (upstream pkg/controller/namespace/deletion): a namespace being deleted (Terminating,
 * deletionTimestamp set, spec.finalizers ["kubernetes"]) has every namespaced object deleted — the resource kinds
 * come from discovery (every namespaced resource with list and delete) — and, once nothing is left, its
 * `kubernetes` finalizer removed through PUT /api/v1/namespaces/NAME/finalize; the API server then removes it.
 * Status conditions report progress as upstream: NamespaceContentRemaining / NamespaceDeletionContentFailure.
 */
import type { Namespace } from 'kubernetes-types/core/v1.d.ts';
import type { Controller, ControllerContext } from '../types.ts';
import type { Informer } from '../../client/informer.ts';
import { R, type ResourceRef } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { StatusError } from '../../api/errors.ts';
import { rfc3339 } from '../../util/clock.ts';

export const FinalizerKubernetes = 'kubernetes';
/** While content remains, look again after this long (upstream re-queues with an estimate; we poll briefly). */
const RECHECK_MS = 1000;

export class NamespaceController implements Controller {
  name = 'namespace-controller';
  private ctx!: ControllerContext;
  private nsInf!: Informer<any>;
  private queue!: WorkQueue;
  private running?: Promise<void>;
  private resources?: { at: number; list: ResourceRef[] };

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'namespace' });
    this.nsInf = ctx.informers.get(R.namespaces);
    const enqueue = (ns: Namespace) => { if (ns.metadata?.deletionTimestamp) this.queue.add(ns.metadata.name!); };
    this.nsInf.addHandler({ add: enqueue, update: (_o, n) => enqueue(n) });
  }

  async run(): Promise<void> {
    this.running = this.queue.run(2, (k) => this.reconcile(k), (k, e) => {
      if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) console.error(`namespace-controller: ${k}: ${(e as Error).message ?? e}`);
    });
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.running;
  }

  /** Namespaced resources that can be listed and deleted, from discovery (cached for a minute). */
  async deletableResources(): Promise<ResourceRef[]> {
    const now = this.ctx.clock.now();
    if (this.resources && now - this.resources.at < 60_000) return this.resources.list;
    const { client } = this.ctx;
    const gvs: { group: string; version: string }[] = [{ group: '', version: 'v1' }];
    const groups = await client.request<any>('GET', '/apis');
    for (const g of groups.groups ?? []) {
      const v = g.preferredVersion?.version ?? g.versions?.[0]?.version;
      if (v) gvs.push({ group: g.name, version: v });
    }
    const list: ResourceRef[] = [];
    for (const gv of gvs) {
      const path = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
      let rl: any;
      try { rl = await client.request<any>('GET', path); } catch { continue; }
      for (const r of rl.resources ?? []) {
        if (r.name.includes('/') || !r.namespaced) continue;
        if (!(r.verbs ?? []).includes('list') || !(r.verbs ?? []).includes('delete')) continue;
        list.push({ group: gv.group, version: gv.version, plural: r.name, kind: r.kind, namespaced: true });
      }
    }
    this.resources = { at: now, list };
    return list;
  }

  async reconcile(name: string): Promise<void> {
    const { client, clock } = this.ctx;
    let ns: Namespace;
    try { ns = await client.get<Namespace>(R.namespaces, undefined, name); } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
    if (!ns.metadata?.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(FinalizerKubernetes)) return;

    let remaining = 0;
    const failures: string[] = [];
    const kinds: string[] = [];
    for (const r of await this.deletableResources()) {
      let items: any[];
      try { items = (await client.list(r, name)).items; } catch (e) { failures.push(`${r.plural}: ${(e as Error).message}`); continue; }
      if (items.length === 0) continue;
      remaining += items.length;
      kinds.push(`${r.plural}${r.group ? '.' + r.group : ''} has ${items.length} resource instances`);
      for (const o of items) {
        if (o.metadata?.deletionTimestamp) continue;
        try {
          await client.delete(r, name, o.metadata.name, { propagationPolicy: 'Background', preconditions: { uid: o.metadata.uid } });
        } catch (e) {
          if (e instanceof StatusError && (e.code === 404 || e.code === 409)) continue;
          failures.push(`${r.plural} "${o.metadata.name}": ${(e as Error).message}`);
        }
      }
    }
    if (remaining > 0 || failures.length) {
      await this.setConditions(ns, kinds, failures, clock.now()).catch(() => undefined);
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    // Empty: remove our finalizer; the API server deletes the namespace when no finalizer is left.
    const fresh = await client.get<Namespace>(R.namespaces, undefined, name);
    const next = { ...fresh, spec: { ...(fresh.spec ?? {}), finalizers: (fresh.spec?.finalizers ?? []).filter((f) => f !== FinalizerKubernetes) } };
    await client.update(R.namespaces, undefined, next, 'finalize');
  }

  private async setConditions(ns: Namespace, kinds: string[], failures: string[], now: number): Promise<void> {
    const t = rfc3339(now);
    const conds = [
      { type: 'NamespaceDeletionContentFailure', status: failures.length ? 'True' : 'False', reason: failures.length ? 'ContentDeletionFailed' : 'ContentDeleted',
        message: failures.length ? `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}` : 'All content successfully deleted, may be waiting on finalization', lastTransitionTime: t },
      { type: 'NamespaceContentRemaining', status: kinds.length ? 'True' : 'False', reason: kinds.length ? 'SomeResourcesRemain' : 'ContentRemoved',
        message: kinds.length ? `Some resources are remaining: ${kinds.join(', ')}` : 'All content successfully removed', lastTransitionTime: t },
    ];
    const old = ns.status?.conditions ?? [];
    const same = conds.every((c) => old.some((o) => o.type === c.type && o.status === c.status && o.message === c.message));
    if (same) return;
    const merged = [...old.filter((o) => !conds.some((c) => c.type === o.type)), ...conds.map((c) => {
      const o = old.find((x) => x.type === c.type);
      return o && o.status === c.status ? { ...c, lastTransitionTime: o.lastTransitionTime } : c;
    })];
    await this.ctx.client.update(R.namespaces, undefined, { ...ns, status: { ...(ns.status ?? {}), conditions: merged } }, 'status');
  }
}

export function newNamespaceController(): Controller { return new NamespaceController(); }
