/**
 * The scale subresource (deployments, replicasets): an autoscaling/v1 Scale view of spec.replicas, with
 * status.selector as a label-selector string. GET, PUT and PATCH (merge/strategic/json) as upstream.
 */
import type { KubeObject, ResourceDef } from '../../api/resource.ts';
import { badRequest, conflict } from '../../api/errors.ts';
import { toScale, applyScale, validateScale } from '../../api/kinds/scale.ts';
import { invalid } from '../../api/errors.ts';
import type { GenericRegistry } from '../registry.ts';
import type { RequestContext } from '../context.ts';
import type { ApiDeps, PatchKind } from '../deps.ts';

export { toScale };

function replicasOf(scale: any): number {
  const r = scale?.spec?.replicas;
  if (r === undefined || r === null) return 0;
  if (typeof r !== 'number' || !Number.isInteger(r)) throw badRequest(`Scale.spec.replicas: invalid value ${JSON.stringify(r)}`);
  return r;
}

export async function getScale(reg: GenericRegistry, def: ResourceDef, ns: string | undefined, name: string): Promise<KubeObject> {
  return toScale(await reg.get(def, ns, name));
}

/** PUT (body = Scale) or PATCH (patch applied to the current Scale). */
export async function updateScale(
  reg: GenericRegistry, deps: ApiDeps, def: ResourceDef, ns: string | undefined, name: string, ctx: RequestContext,
  change: { body: unknown } | { patchKind: PatchKind; patch: unknown },
): Promise<KubeObject> {
  const { obj } = await reg.guaranteedUpdate(def, ns, name, ctx, (cur) => {
    const scale = toScale(cur);
    let next: any;
    if ('body' in change) next = change.body;
    else next = deps.applyPatch(def, change.patchKind, scale, change.patch);
    if (!next || typeof next !== 'object') throw badRequest('the body of the request is not a Scale');
    if (next.metadata?.resourceVersion && next.metadata.resourceVersion !== cur.metadata?.resourceVersion) {
      throw conflict(def.plural, def.group, name);
    }
    replicasOf(next);
    const errs = validateScale(next);
    if (errs.length) throw invalid('Scale', 'autoscaling', name, errs);
    applyScale(cur, next);
    delete (cur.metadata as any).resourceVersion;
    return cur;
  }, { subresource: 'scale' });
  return toScale(obj);
}
