/**
 * POST pods/<name>/eviction: delete a pod only if its PodDisruptionBudget allows it (upstream
 * pkg/registry/core/pod/storage/eviction.go, policy/v1 and v1beta1 Eviction bodies).
 *
 *  - A pod that is Pending, finished or already being deleted is deleted at once (it disrupts nothing more).
 *  - Otherwise the budgets of its namespace that select it decide: none → delete; more than one → a Failure
 *    Status with code 500 ("This pod has more than one PodDisruptionBudget, ..."), served as upstream serves a
 *    create's Status result (HTTP 201); one → spend a disruption: status.disruptionsAllowed is decremented and the
 *    pod recorded in status.disruptedPods by a resourceVersion-checked status update, re-read and retried on
 *    conflict; no disruption left → 429 TooManyRequests "Cannot evict pod as it would violate the pod's
 *    disruption budget." with cause DisruptionBudget; a budget whose status is behind its spec → the same 429
 *    with retryAfterSeconds 10.
 *  - An unready pod does not spend a disruption when the budget says AlwaysAllow, or (IfHealthyBudget, the
 *    default) when the budget is met; it is then deleted with a resourceVersion precondition, so a pod that turned
 *    ready meanwhile is not evicted (429).
 *  - Before the delete the pod gets the DisruptionTarget condition (reason EvictionByEvictionAPI).
 */
import type { KubeObject, ResourceDef } from '../../api/resource.ts';
import { StatusError, badRequest, conflict, resourceNotFound } from '../../api/errors.ts';
import { rfc3339 } from '../../util/clock.ts';
import { selectorMatches } from '../../api/validation/selector.ts';
import { setStatusCondition } from '../../api/validation/conditions.ts';
import { poddisruptionbudgets } from '../../api/kinds/poddisruptionbudgets.ts';
import type { GenericRegistry } from '../registry.ts';
import type { RequestContext } from '../context.ts';
import type { DeleteOptions } from '../hooks.ts';
import type { SubresourceHandler, SubresourceResponse } from './handler.ts';

/** Upstream MaxDisruptedPodSize: beyond it the controller is too far behind to trust the budget. */
export const MAX_DISRUPTED_POD_SIZE = 2000;
/** Attempts at the budget update (upstream EvictionsRetry: 20 steps). */
const RETRIES = 20;
const CONFLICT_DELAY_MS = 20;

export const TOO_MANY_REQUESTS_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";
export const MULTIPLE_PDBS_MESSAGE = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';

type Obj = Record<string, any>;

const success = (): SubresourceResponse => ({ code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } });

export function tooManyRequests(cause: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', TOO_MANY_REQUESTS_MESSAGE, {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
    ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
  });
}
const stillProcessing = (pdb: string) => tooManyRequests(`The disruption budget ${pdb} is still being processed by the server.`, 10);
const forbiddenBudget = (pdb: string, why: string) =>
  new StatusError(403, 'Forbidden', `poddisruptionbudget.policy "${pdb}" is forbidden: ${why}`, { name: pdb, group: 'policy', kind: 'poddisruptionbudget' });

const isPodReady = (p: Obj) => !!p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True');
/** canIgnorePDB: finished, pending or already deleting pods are deleted without consulting budgets. */
const canIgnorePDB = (p: Obj) => ['Succeeded', 'Failed', 'Pending'].includes(p.status?.phase) || !!p.metadata?.deletionTimestamp;
/** shouldEnforceResourceVersion: a live, unfinished pod is deleted only as it was seen. */
const shouldEnforceResourceVersion = (p: Obj) => !['Succeeded', 'Failed'].includes(p.status?.phase) && !p.metadata?.deletionTimestamp;
const rvUnset = (o: DeleteOptions) => !o.preconditions?.resourceVersion;
const withRV = (o: DeleteOptions, rv: string | undefined): DeleteOptions => ({ ...o, preconditions: { ...(o.preconditions ?? {}), resourceVersion: rv } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isConflict = (e: unknown) => e instanceof StatusError && e.code === 409;

export const serveEviction: SubresourceHandler = async (r) => {
  if (r.method !== 'POST') throw resourceNotFound();
  const body = await r.body();
  await r.registry.admit({ operation: 'CREATE', def: r.def, namespace: r.namespace, name: r.name, subresource: 'eviction', object: body as any, user: r.ctx.user });
  const ev = new Eviction(r.registry, r.def, r.namespace!, r.name, r.ctx, r.now);
  return ev.run(body);
};

class Eviction {
  /** The API server's own identity for the budget write (upstream: its loopback client). */
  private serverCtx: RequestContext;
  constructor(private reg: GenericRegistry, private podDef: ResourceDef, private ns: string, private name: string, private ctx: RequestContext, private now: () => number) {
    this.serverCtx = { ...ctx, fieldManager: undefined, userAgent: 'kube-apiserver', warnings: [], dryRun: false, query: new URLSearchParams() };
  }

  async run(body: unknown): Promise<SubresourceResponse> {
    const opts = this.options(body);
    const dryRun = this.ctx.dryRun || !!opts.dryRun?.includes('All');
    const retryConflicts = rvUnset(opts);
    // 1. A pod whose eviction disrupts nothing (pending, finished, deleting) is deleted directly.
    let pod: Obj | undefined;
    for (let attempt = 0; ; attempt++) {
      pod = (await this.reg.get(this.podDef, this.ns, this.name)) as Obj;
      if (!canIgnorePDB(pod)) break;
      const o = shouldEnforceResourceVersion(pod) && rvUnset(opts) ? withRV(opts, pod.metadata?.resourceVersion) : opts;
      try {
        await this.deletePod(o, dryRun);
        return success();
      } catch (e) {
        if (isConflict(e) && retryConflicts && attempt < RETRIES) continue;
        throw e;
      }
    }
    // 2. The budgets that select the pod.
    const pdbs = await this.budgetsFor(pod);
    if (pdbs.length > 1) return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: MULTIPLE_PDBS_MESSAGE, code: 500 } };
    let pdbName = '';
    let mustBeUnchanged = false;
    if (pdbs.length === 1) {
      const pdb = pdbs[0];
      pdbName = pdb.metadata?.name ?? '';
      const st = pdb.status ?? {};
      const healthyBudget = (st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0;
      if (!isPodReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || healthyBudget)) {
        // An unhealthy pod does not count toward the budget: delete it without spending a disruption.
        mustBeUnchanged = true;
      } else {
        await this.checkAndDecrement(pdb, dryRun);
      }
    }
    // 3. The delete; an unready pod only as it was seen (it must not have turned ready meanwhile).
    const o = mustBeUnchanged ? withRV(opts, pod.metadata?.resourceVersion) : opts;
    try {
      await this.deletePod(o, dryRun);
    } catch (e) {
      if (isConflict(e) && mustBeUnchanged && rvUnset(opts)) throw stillProcessing(pdbName);
      throw e;
    }
    return success();
  }

  /** The Eviction body: policy/v1 or v1beta1, named as the URL; its delete options. */
  private options(body: unknown): DeleteOptions {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of the request is not an Eviction object');
    const b = body as Obj;
    if (b.kind !== undefined && b.kind !== 'Eviction') throw badRequest(`not a Eviction object: ${String(b.kind)}`);
    if (b.apiVersion !== undefined && b.apiVersion !== 'policy/v1' && b.apiVersion !== 'policy/v1beta1') {
      throw badRequest(`the API version in the data (${String(b.apiVersion)}) does not match the expected API version (policy/v1)`);
    }
    if ((b.metadata?.name ?? '') !== this.name) throw badRequest('name in URL does not match name in Eviction object');
    if (b.metadata?.namespace && b.metadata.namespace !== this.ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    const d = b.deleteOptions;
    if (d !== undefined && d !== null && (typeof d !== 'object' || Array.isArray(d))) throw badRequest('deleteOptions must be an object');
    const opts = { ...((d ?? {}) as DeleteOptions) };
    const q = this.ctx.query.getAll('dryRun');
    if (q.length && opts.dryRun?.length && JSON.stringify(q) !== JSON.stringify(opts.dryRun)) {
      throw badRequest(`Non-matching dry-run options in request and content: [${q.join(' ')}] and [${opts.dryRun.join(' ')}]`);
    }
    if (typeof opts.gracePeriodSeconds === 'number' && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
    return opts;
  }

  private async budgetsFor(pod: Obj): Promise<Obj[]> {
    const l = await this.reg.list(poddisruptionbudgets, this.ns, {});
    return (l.items as Obj[]).filter((b) => b.spec?.selector && selectorMatches(b.spec.selector, pod.metadata?.labels ?? {}));
  }

  /** Verify and spend one disruption of the budget, re-reading it after a conflicting write. */
  private async checkAndDecrement(first: Obj, dryRun: boolean): Promise<void> {
    let pdb = first;
    const name = pdb.metadata?.name ?? '';
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      if (attempt > 0) {
        await sleep(CONFLICT_DELAY_MS * attempt);
        pdb = (await this.reg.get(poddisruptionbudgets, this.ns, name)) as Obj;
      }
      const st = { ...(pdb.status ?? {}) };
      if ((st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw stillProcessing(name);
      const allowed = st.disruptionsAllowed ?? 0;
      if (allowed < 0) throw forbiddenBudget(name, 'pdb disruptions allowed is negative');
      if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
        throw forbiddenBudget(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
      }
      if (allowed === 0) {
        throw tooManyRequests(`The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`, 0);
      }
      st.disruptionsAllowed = allowed - 1;
      if (st.disruptionsAllowed === 0) {
        st.conditions = setStatusCondition(st.conditions ?? [], {
          type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: st.observedGeneration,
        }, rfc3339(this.now()));
      }
      if (dryRun) return;
      st.disruptedPods = { ...(st.disruptedPods ?? {}), [this.name]: rfc3339(this.now()) };
      try {
        await this.reg.update(poddisruptionbudgets, this.ns, name, { ...pdb, status: st } as KubeObject, this.serverCtx, 'status');
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw new StatusError(504, 'Timeout', `Timeout: couldn't update PodDisruptionBudget "${name}" due to conflicts`, { retryAfterSeconds: 10 });
  }

  /**
   * addConditionAndDeletePod: mark the pod DisruptionTarget (checking the delete's preconditions against the
   * latest pod), then delete it; a resourceVersion precondition follows the condition's own write.
   */
  private async deletePod(opts: DeleteOptions, dryRun: boolean): Promise<void> {
    let o = opts;
    if (!dryRun) {
      const { obj } = await this.reg.guaranteedUpdate(this.podDef, this.ns, this.name, this.ctx, (cur) => {
        const m = (cur.metadata ?? {}) as Obj;
        const pre = o.preconditions;
        if (pre?.uid && pre.uid !== m.uid) throw conflict('pods', '', this.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${m.uid}`);
        if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
          throw conflict('pods', '', this.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion}`);
        }
        const p = cur as Obj;
        p.status = { ...(p.status ?? {}) };
        p.status.conditions = podCondition(p.status.conditions, rfc3339(this.now()));
        delete m.resourceVersion;
        return cur;
      }, { subresource: 'status' });
      if (!rvUnset(o)) o = withRV(o, obj.metadata?.resourceVersion);
    }
    const ctx = dryRun ? { ...this.ctx, dryRun: true } : this.ctx;
    await this.reg.delete(this.podDef, this.ns, this.name, o, ctx);
  }
}

/** UpdatePodCondition with DisruptionTarget=True (EvictionByEvictionAPI). */
function podCondition(list: unknown, now: string): Obj[] {
  const conds = (Array.isArray(list) ? list : []).map((c: Obj) => ({ ...c }));
  const want = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
  const cur = conds.find((c) => c.type === want.type);
  if (!cur) { conds.push({ ...want, lastProbeTime: null, lastTransitionTime: now }); return conds; }
  if (cur.status !== want.status) cur.lastTransitionTime = now;
  Object.assign(cur, want);
  return conds;
}
