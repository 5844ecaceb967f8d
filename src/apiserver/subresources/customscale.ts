/**
 * The scale subresource of a custom resource (upstream apiextensions-apiserver customresource ScaleREST): an
 * autoscaling/v1 Scale whose spec.replicas, status.replicas and status.selector live where the CRD version's
 * `subresources.scale` says (specReplicasPath, statusReplicasPath, labelSelectorPath). GET, PUT and PATCH.
 */
import type { KubeObject } from '../../api/resource.ts';
import { StatusError, badRequest, conflict, invalid, methodNotAllowed } from '../../api/errors.ts';
import { validateScale } from '../../api/kinds/scale.ts';
import { patchObject, type PatchKind } from '../../api/patch/index.ts';
import { getField, setField, simpleFields } from '../../api/crd/jsonpath.ts';
import type { SubresourceHandler, SubresourceRequest } from './handler.ts';

type S = Record<string, any>;

export function serveCustomScale(paths: S): SubresourceHandler {
  const specPath = simpleFields(String(paths.specReplicasPath ?? '')) ?? ['spec', 'replicas'];
  const statusPath = simpleFields(String(paths.statusReplicasPath ?? '')) ?? ['status', 'replicas'];
  const selectorPath = paths.labelSelectorPath ? simpleFields(String(paths.labelSelectorPath)) : undefined;

  const toScale = (obj: KubeObject): KubeObject => {
    const m = obj.metadata ?? {};
    const spec = getField(obj, specPath), st = getField(obj, statusPath), sel = selectorPath ? getField(obj, selectorPath) : undefined;
    return {
      kind: 'Scale', apiVersion: 'autoscaling/v1',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
      spec: { replicas: typeof spec === 'number' ? spec : 0 },
      status: { replicas: typeof st === 'number' ? st : 0, ...(typeof sel === 'string' && sel ? { selector: sel } : {}) },
    };
  };

  const update = async (r: SubresourceRequest, change: { body: unknown } | { patchKind: PatchKind; patch: unknown }) => {
    const { obj } = await r.registry.guaranteedUpdate(r.def, r.namespace, r.name, r.ctx, (cur) => {
      const scale = toScale(cur);
      const next: S = 'body' in change ? change.body as S : patchObject('io.k8s.api.autoscaling.v1.Scale', change.patchKind, scale, change.patch);
      if (!next || typeof next !== 'object') throw badRequest('the body of the request is not a Scale');
      if (next.metadata?.resourceVersion && next.metadata.resourceVersion !== cur.metadata?.resourceVersion) throw conflict(r.def.plural, r.def.group, r.name);
      const replicas = next.spec?.replicas ?? 0;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas)) throw badRequest(`Scale.spec.replicas: invalid value ${JSON.stringify(replicas)}`);
      const errs = validateScale(next as KubeObject);
      if (errs.length) throw invalid('Scale', 'autoscaling', r.name, errs);
      setField(cur as S, specPath, replicas);
      delete (cur.metadata as S).resourceVersion;
      return cur;
    }, { subresource: 'scale' });
    return toScale(obj);
  };

  return async (r) => {
    if (r.method === 'GET') return { code: 200, body: toScale(await r.registry.get(r.def, r.namespace, r.name)) };
    if (r.method === 'PUT') return { code: 200, body: await update(r, { body: await r.body() }) };
    if (r.method === 'PATCH') {
      const { kind, patch } = await r.patch();
      if (kind === 'apply') throw new StatusError(415, 'UnsupportedMediaType', 'apply patches are not supported on the scale subresource');
      return { code: 200, body: await update(r, { patchKind: kind, patch }) };
    }
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  };
}
