/**
 * REST hooks of pods (graceful deletion) and namespaces (termination); their descriptors declare them.
 *
 * Pods: a pod bound to a node gets deletionTimestamp = now + grace and deletionGracePeriodSeconds = grace; the
 * node agent removes it with a grace-0 delete once its containers stopped. Unscheduled or finished pods, and a
 * grace of 0, are removed at once. A shorter grace on a second delete shortens the deadline.
 * Namespaces: DELETE sets deletionTimestamp and status.phase Terminating, keeping the `kubernetes` spec finalizer;
 * the namespace controller deletes the content and clears spec.finalizers through /finalize, which removes it.
 */
import type { KubeObject } from '../api/resource.ts';
import { StatusError } from '../api/errors.ts';
import { rfc3339 } from '../util/clock.ts';
import type { Meta } from './codec.ts';
import type { KindHooks, RestContext } from './hooks.ts';
import { admitPod } from './serviceaccount/admission.ts';

export const podHooks: KindHooks = {
  deletePolicy(pod, opts, nowMs) {
    const p = pod as any;
    const m = pod.metadata as Meta;
    let grace = opts.gracePeriodSeconds ?? p.spec?.terminationGracePeriodSeconds ?? 30;
    if (!Number.isFinite(grace) || grace < 0) grace = 1;
    const phase = p.status?.phase;
    if (!p.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
    if (grace === 0) return { action: 'delete', obj: pod };
    if (m.deletionTimestamp) {
      const cur = m.deletionGracePeriodSeconds ?? grace;
      if (grace < cur) {
        m.deletionGracePeriodSeconds = grace;
        m.deletionTimestamp = rfc3339(nowMs + grace * 1000);
      }
      return { action: 'mark', obj: pod };
    }
    m.deletionTimestamp = rfc3339(nowMs + grace * 1000);
    m.deletionGracePeriodSeconds = grace;
    if (m.generation !== undefined) m.generation = (m.generation ?? 0) + 1;
    return { action: 'mark', obj: pod };
  },
};

/** The pod hooks of a server: with the ServiceAccount admission plugin when it runs one. */
export function podHooksFor(ctx: RestContext): KindHooks {
  return ctx.serviceAccountAdmission ? { ...podHooks, admit: (obj, _ctx, reader) => admitPod(obj, reader) } : podHooks;
}

const UNDELETABLE = new Set(['default', 'kube-system', 'kube-public']);

export const namespaceHooks: KindHooks = {
  async beforeCreate(ns) {
    const n = ns as any;
    n.spec = { ...(n.spec ?? {}) };
    if (!Array.isArray(n.spec.finalizers) || !n.spec.finalizers.includes('kubernetes')) n.spec.finalizers = [...(n.spec.finalizers ?? []), 'kubernetes'];
    n.status = { ...(n.status ?? {}), phase: 'Active' };
  },
  deletePolicy(ns, _opts, nowMs) {
    const name = ns.metadata?.name ?? '';
    if (UNDELETABLE.has(name)) {
      throw new StatusError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    }
    const n = ns as any;
    const m = ns.metadata as Meta;
    const specFins: string[] = n.spec?.finalizers ?? [];
    if (!specFins.length && !m.deletionTimestamp && !(m.finalizers?.length)) return { action: 'delete', obj: ns };
    if (!m.deletionTimestamp) {
      m.deletionTimestamp = rfc3339(nowMs);
      m.deletionGracePeriodSeconds = 0;
    }
    n.status = { ...(n.status ?? {}), phase: 'Terminating' };
    if (!specFins.length && !(m.finalizers?.length)) return { action: 'delete', obj: ns };
    return { action: 'mark', obj: ns };
  },
  canFinishDeletion(ns) {
    return !((ns as any).spec?.finalizers?.length);
  },
  prepareUpdate(ns, old) {
    // A terminating namespace stays Terminating whatever an update sends.
    if (old.metadata?.deletionTimestamp) (ns as any).status = { ...((ns as any).status ?? {}), phase: 'Terminating' };
  },
};
