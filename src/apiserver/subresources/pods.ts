/**
 * pods/binding: the scheduler's write (sets spec.nodeName once, 409 when already bound). pods/eviction, which
 * honours PodDisruptionBudgets, is in ./eviction.ts.
 */
import type { KubeObject, ResourceDef } from '../../api/resource.ts';
import { StatusError, badRequest, conflict, resourceNotFound } from '../../api/errors.ts';
import { rfc3339 } from '../../util/clock.ts';
import type { GenericRegistry } from '../registry.ts';
import type { RequestContext } from '../context.ts';
import type { SubresourceHandler } from './handler.ts';

function successStatus(code: number): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

const noRoute = () => resourceNotFound();

/** POST /binding */
export const serveBinding: SubresourceHandler = async (r) => {
  if (r.method !== 'POST') throw noRoute();
  await bindPod(r.registry, r.def, r.namespace!, r.name, await r.body(), r.ctx, r.now);
  return { code: 201, body: successStatus(201) };
};

async function bindPod(reg: GenericRegistry, def: ResourceDef, ns: string, name: string, body: any, ctx: RequestContext, now = Date.now): Promise<void> {
  const target = body?.target;
  if (!target || typeof target.name !== 'string' || !target.name) {
    throw new StatusError(422, 'Invalid', `Binding.core "${name}" is invalid: target.name: Required value`, {
      name, kind: 'Binding', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }],
    });
  }
  if (body?.metadata?.name && body.metadata.name !== name) throw badRequest('the name of the binding does not match the pod name in the URL');
  if (target.kind && target.kind !== 'Node') {
    throw new StatusError(422, 'Invalid', `Binding.core "${name}" is invalid: target.kind: Unsupported value`, { name, kind: 'Binding' });
  }
  const bindConflict = (why: string) => new StatusError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": ${why}`, { name, kind: 'pods/binding' });
  await reg.guaranteedUpdate(def, ns, name, ctx, (pod: KubeObject) => {
    const p = pod as any;
    if (p.metadata?.deletionTimestamp) throw bindConflict('pod is being deleted, cannot be assigned to a host');
    if (p.spec?.nodeName) throw bindConflict(`pod ${name} is already assigned to node "${p.spec.nodeName}"`);
    const uid = body?.metadata?.uid;
    if (uid && uid !== p.metadata?.uid) throw conflict('pods', '', name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${p.metadata?.uid}`);
    p.spec = { ...(p.spec ?? {}), nodeName: target.name };
    p.status = p.status ?? {};
    const conds = (p.status.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(now()) });
    p.status.conditions = conds;
    if (body?.metadata?.annotations) p.metadata.annotations = { ...(p.metadata.annotations ?? {}), ...body.metadata.annotations };
    delete p.metadata.resourceVersion;
    return pod;
  }, { internal: true, subresource: 'binding' });
}
