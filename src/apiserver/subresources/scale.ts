/**
 * The scale subresource (deployments, replicasets, rollouts, custom resources): an autoscaling/v1 Scale view of
 * spec.replicas, with status.selector as a label-selector string, or of the paths a kind names (a CRD's
 * specReplicasPath, statusReplicasPath, labelSelectorPath). GET, PUT and PATCH (merge/strategic/json) as upstream.
 */
import type { KubeObject, ResourceDef } from '../../api/resource.ts';
import { StatusError, badRequest, conflict, invalid, routeMethodNotAllowed } from '../../api/errors.ts';
import { toScale, applyScale, validateScale, type ScalePaths } from '../../api/kinds/scale.ts';
import { patchObject, type PatchKind } from '../../api/patch/index.ts';
import { findTypeErrors, unstructuredConverterMessage } from '../../api/schema-walk.ts';
import { goPrintValue, patchInvalid } from '../strict-decoding.ts';
import type { GenericRegistry } from '../registry.ts';
import type { RequestContext } from '../context.ts';
import type { SubresourceHandler } from './handler.ts';

function replicasOf(scale: any): number {
  const r = scale?.spec?.replicas;
  if (r === undefined || r === null) return 0;
  if (typeof r !== 'number' || !Number.isInteger(r)) throw badRequest(`Scale.spec.replicas: invalid value ${JSON.stringify(r)}`);
  return r;
}

/** PUT (body = Scale) or PATCH (patch applied to the current Scale). */
async function updateScale(
  reg: GenericRegistry, def: ResourceDef, ns: string | undefined, name: string, ctx: RequestContext,
  change: { body: unknown } | { patchKind: PatchKind; patch: unknown }, paths: ScalePaths,
): Promise<KubeObject> {
  const { obj } = await reg.guaranteedUpdate(def, ns, name, ctx, (cur) => {
    const scale = toScale(cur, paths);
    let next: any;
    if ('body' in change) next = change.body;
    else {
      next = patchObject('io.k8s.api.autoscaling.v1.Scale', change.patchKind, scale, change.patch);
      // The patched Scale must decode as one (upstream's patcher: 422 on `patch`, e.g. replicas past int32).
      const te = next && typeof next === 'object' ? findTypeErrors(next, 'io.k8s.api.autoscaling.v1.Scale') : [];
      if (te.length) throw patchInvalid(change.patchKind === 'strategic' ? goPrintValue(change.patch) : JSON.stringify(next), (change.patchKind === 'strategic' ? unstructuredConverterMessage(te[0]) : undefined) ?? te[0].message);
    }
    if (!next || typeof next !== 'object') throw badRequest('the body of the request is not a Scale');
    if (next.metadata?.resourceVersion && next.metadata.resourceVersion !== cur.metadata?.resourceVersion) {
      throw conflict(def.plural, def.group, name);
    }
    replicasOf(next);
    const errs = validateScale(next);
    if (errs.length) throw invalid('Scale', 'autoscaling', name, errs);
    applyScale(cur, next, paths);
    delete (cur.metadata as any).resourceVersion;
    return cur;
  }, { subresource: 'scale' });
  return toScale(obj, paths);
}

/** GET, PUT and PATCH of /scale. */
export const serveScale: SubresourceHandler = scaleHandler({});

/** The /scale handler of a kind that keeps its replicas count and selector elsewhere (a Rollout, a CRD). */
export function scaleHandler(paths: ScalePaths): SubresourceHandler {
  return async (r) => {
    const { registry, def, namespace: ns, name, ctx } = r;
    if (r.method === 'GET') return { code: 200, body: toScale(await registry.get(def, ns, name), paths) };
    if (r.method === 'PUT') return { code: 200, body: await updateScale(registry, def, ns, name, ctx, { body: await r.body() }, paths) };
    if (r.method === 'PATCH') {
      const { kind, patch } = await r.patch();
      if (kind === 'apply') throw new StatusError(415, 'UnsupportedMediaType', 'apply patches are not supported on the scale subresource');
      return { code: 200, body: await updateScale(registry, def, ns, name, ctx, { patchKind: kind, patch }, paths) };
    }
    throw routeMethodNotAllowed();
  };
}
