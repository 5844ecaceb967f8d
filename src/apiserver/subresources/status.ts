/**
 * The status subresource (every kind with a status) and the finalize subresource (namespaces): the object itself,
 * written through the generic registry with the subresource's strategy (only status, or only spec.finalizers,
 * changes).
 */
import type { KubeObject } from '../../api/resource.ts';
import { routeMethodNotAllowed } from '../../api/errors.ts';
import type { SubresourceHandler } from './handler.ts';

const notAllowed = () => routeMethodNotAllowed();

/** GET, PUT and PATCH (including server-side apply) of /status. */
export const serveStatus: SubresourceHandler = async (r) => {
  const { registry, def, namespace: ns, name, ctx } = r;
  if (r.method === 'GET') return { code: 200, body: await registry.get(def, ns, name), ofKind: true };
  if (r.method === 'PUT') return { code: 200, body: await registry.update(def, ns, name, (await r.body()) as KubeObject, ctx, r.subresource), ofKind: true };
  if (r.method === 'PATCH') {
    const p = await registry.patchRequest(def, ns, name, await r.patch(), ctx, r.subresource);
    return { code: p.created ? 201 : 200, body: p.obj, ofKind: true };
  }
  throw notAllowed();
};

/** PUT of /finalize (namespaces). */
export const serveFinalize: SubresourceHandler = async (r) => {
  if (r.method !== 'PUT') throw notAllowed();
  return { code: 200, body: await r.registry.update(r.def, r.namespace, r.name, (await r.body()) as KubeObject, r.ctx, r.subresource), ofKind: true };
};
