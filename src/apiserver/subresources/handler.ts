/**
 * The shape of a subresource handler: a descriptor's SubresourceDef names one (`serve`), and the server
 * dispatches every request on `<resource>/<name>/<subresource>` to it, after authentication and target
 * resolution. The handler reads the body through `r.body()` / `r.patch()` and answers an object; it throws a
 * StatusError for anything else (405 for a method it does not serve).
 */
import type { ResourceDef } from '../../api/resource.ts';
import type { PatchKind } from '../../api/patch/index.ts';
import type { GenericRegistry } from '../registry.ts';
import type { RequestContext } from '../context.ts';
import type { RestContext } from '../hooks.ts';

export interface SubresourceRequest {
  method: string;
  def: ResourceDef;
  subresource: string;
  namespace?: string;
  name: string;
  ctx: RequestContext;
  registry: GenericRegistry;
  /** The server-side state REST hooks get (e.g. the service-account token signer). */
  rest: RestContext;
  now: () => number;
  /** The request body decoded as an object (JSON, YAML or protobuf). */
  body(): Promise<unknown>;
  /** The request body as a patch of the type its Content-Type names. */
  patch(): Promise<{ kind: PatchKind | 'apply'; patch: unknown }>;
}

export interface SubresourceResponse {
  code: number;
  body: unknown;
  /** The body is an object of the kind itself: served as a Table when the client asks for one. */
  ofKind?: boolean;
}

export type SubresourceHandler = (r: SubresourceRequest) => Promise<SubresourceResponse>;
