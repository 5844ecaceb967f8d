/**
 * The HTTPS API server: filters (authentication, body limits), routing of the Kubernetes REST paths to the
 * generic registry, discovery, OpenAPI v3, health and version endpoints.
 *
 *   const api = createApiServer({ store, pki, rest: { allocators } });
 *   await api.listen(6443, '127.0.0.1');
 */
import * as https from 'node:https';
import * as net from 'node:net';
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Store } from '../storage/store.ts';
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import { StatusError, badRequest, internalError, notFound, resourceNotFound, routeMethodNotAllowed, unauthorized } from '../api/errors.ts';
import { pathSegmentErrors } from '../api/validation/meta.ts';
import type { IncludeObject } from '../api/tables/index.ts';
import { resources } from '../api/registry.ts';
import { openapiIndex, openapiDocument, type ServedKinds } from '../api/openapi.ts';
import { openapiV2, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_RESPONSE } from '../api/openapi-v2.ts';
import { createHash } from 'node:crypto';
import { decodeProtobufBody } from '../api/protobuf.ts';
import type { PatchKind } from '../api/patch/index.ts';
import { Authenticator, type UserInfo } from './auth.ts';
import type { Pki } from './tls.ts';
import { GenericRegistry, type ListParams } from './registry.ts';
import { ServiceAllocators } from './allocators.ts';
import type { DeleteOptions, RestContext } from './hooks.ts';
import { Discovery, wantsAggregated, AGGREGATED_V2, AGGREGATED_V2BETA1 } from './discovery.ts';
import { decodeWriteBody, expectedOf, expectedOfSubresource, type ExpectedType } from './decode.ts';
import { negotiateOutput, parseAccept, transformEventObject, transformList, transformObject, type Negotiated, type TransformContext } from './negotiation.ts';
import { bodyFormat, markPretty, writeObject, parseJson, parseYaml, readBody, warningHeaders, writeJson, writeStatus } from './body.ts';
import { contextFromQuery, parseRequestTarget, withWriteOptions, type RequestContext, type RequestTarget } from './context.ts';
import { decodeDeleteOptionsQuery, decodeGetOptions, decodeListOptions, decodeTableOptions, decodeWriteOptions, isPrettyPrint, validateDeleteOptions, type DeleteOptionsQuery, type ListOptions } from '../api/options.ts';
import { serveWatch } from './watch.ts';
import { apiVersionOf } from './codec.ts';
import { KubeletClient } from './kubelet-client.ts';
import { NodeGraph, watchPods } from './authz/node-graph.ts';
import { NodeAuthorizer } from './authz/node.ts';
import { NodeRestriction } from './noderestriction.ts';
import { CustomResourceCatalog } from './customresources.ts';
import type { Authorizer } from './authz/types.ts';
import { RbacAuthorizer, RbacCache } from './authz/rbac.ts';
import { AuthorizerChain, forbiddenError, requestAttributes } from './authz/request.ts';
import { impersonate, wantsImpersonation } from './authz/impersonation.ts';
import { reconcileDefaultPolicy } from './authz/reconcile-policy.ts';
import { systemContext } from './bootstrap.ts';
import { isDashboardPath, serveDashboard } from '../dashboard/serve.ts';
import { ServiceAccountTokenSigner } from './serviceaccount/tokens.ts';
import { serviceAccountTokenAuthenticator, type BoundObjectLookup } from './serviceaccount/authenticator.ts';
import { serviceaccounts } from '../api/kinds/serviceaccounts.ts';
import { pods } from '../api/kinds/pods.ts';
import { nodes } from '../api/kinds/nodes.ts';
import { secrets } from '../api/kinds/config.ts';

export const SERVER_VERSION = {
  major: '1', minor: '32', gitVersion: 'v1.32.4-kubelite', gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.8', compiler: 'gc', platform: 'linux/amd64',
};

export interface ApiServerOptions {
  store: Store;
  pki: Pki;
  /** What the kinds' REST hooks need (see GenericRegistry). */
  rest?: RestContext;
  /** The kinds served (default: every registered descriptor). */
  defs?: ResourceDef[];
  authenticator?: Authenticator;
  /** How node agents are reached (default: the PKI's kubelet-client certificate, no local node). */
  kubelet?: KubeletClient;
  /** Authorizers asked before RBAC (the Node authorizer), after the system:masters short-circuit. */
  authorizers?: Authorizer[];
  log?: (msg: string) => void;
  now?: () => number;
}

export interface ApiServer {
  registry: GenericRegistry;
  discovery: Discovery;
  /** The custom resources served from CustomResourceDefinitions (started by listen()). */
  customResources: CustomResourceCatalog;
  authenticator: Authenticator;
  /** Decides node agents' requests (system:node:<name>), before RBAC. */
  nodeAuthorizer: NodeAuthorizer;
  /** The authorizer chain every request goes through: system:masters, then `authorizers` (Node), then RBAC. */
  authorizer: AuthorizerChain;
  /** The RBAC rule cache (fed by the store's watch). */
  rbac: RbacCache;
  httpServer: https.Server;
  defFor(group: string, plural: string): ResourceDef | undefined;
  listen(port: number, host: string): Promise<void>;
  /** Also accept connections on `host` (same port, same TLS server), e.g. the pod bridge's gateway. */
  listenAlso(host: string): Promise<void>;
  close(): Promise<void>;
  /** Set when ready (bootstrap done): /readyz answers ok. */
  setReady(ready: boolean): void;
}

interface Target {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  rest: string;
}

export function createApiServer(o: ApiServerOptions): ApiServer {
  const log = o.log ?? ((m: string) => console.error(m));
  const now = o.now ?? Date.now;
  const authenticator = o.authenticator ?? new Authenticator();
  authenticator.addToken(o.pki.adminToken, { name: 'kubelite-admin', groups: ['system:masters', 'system:authenticated'] });
  // Node agents' identity: the Node authorizer's graph of pods (fed from the store) and NodeRestriction admission.
  const nodeGraph = new NodeGraph();
  let nodeGraphFeed: { ready: Promise<void>; stop(): void } | undefined;
  const nodeAuthorizer = new NodeAuthorizer(nodeGraph);
  const rbac = new RbacCache(o.store, log);
  const authorizer = new AuthorizerChain([nodeAuthorizer, ...(o.authorizers ?? []), new RbacAuthorizer(rbac)]);
  // Service-account tokens: signed with the server's key pair (a throwaway one when none is given), verified by the
  // authenticator chain after the static tokens, reviewed through TokenReview.
  const rest: RestContext = { ...(o.rest ?? { allocators: new ServiceAllocators(o.store) }), authenticator, authorization: { authorizer, rbac } };
  rest.serviceAccountTokens ??= new ServiceAccountTokenSigner();
  const registry = new GenericRegistry(o.store, { rest, now, admission: [new NodeRestriction((g, r) => byGR.get(`${g}/${r}`))] });
  authenticator.addTokenAuthenticator(serviceAccountTokenAuthenticator(rest.serviceAccountTokens, boundObjectLookup(registry), now));
  const defs = o.defs ?? resources;
  const byGVR = new Map<string, ResourceDef>();
  const byGR = new Map<string, ResourceDef>();
  for (const d of defs) {
    byGVR.set(`${d.group}/${d.version}/${d.plural}`, d);
    if (!byGR.has(`${d.group}/${d.plural}`)) byGR.set(`${d.group}/${d.plural}`, d);
  }
  let address = '127.0.0.1:6443';
  const discovery = new Discovery(defs, () => address);
  const customResources = new CustomResourceCatalog({
    store: o.store, registry, builtins: defs, builtin: (g, p) => byGR.get(`${g}/${p}`), now, log,
  });
  customResources.onChange(() => discovery.setCustom(customResources.defs()));
  /** A served kind: built in, else a custom resource. */
  const lookup = (group: string, version: string, plural: string) => byGVR.get(`${group}/${version}/${plural}`) ?? customResources.lookup(group, version, plural);
  const servedKinds = (): ServedKinds => {
    const custom = customResources.defs();
    return custom.length ? { defs: [...defs, ...custom], token: `crd-${customResources.generation}` } : { defs, token: '' };
  };
  let ready = false;
  /** Node agents are called with the server's own kubelet-client certificate (connect handlers). */
  const kubelet = o.kubelet ?? new KubeletClient({ ca: o.pki.caCert, cert: o.pki.kubeletClientCert, key: o.pki.kubeletClientKey });

  const server = https.createServer({
    key: o.pki.serverKey, cert: o.pki.serverCert, ca: o.pki.caCert,
    requestCert: true, rejectUnauthorized: false,
    keepAliveTimeout: 65_000,
  });
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // watches and log follows are long

  /**
   * The path's segments as upstream's RequestInfo sees them: the path decoded (Go's URL.Path), then split on '/'
   * (`%2F` separates, as it does upstream).
   */
  function pathParts(path: string): string[] {
    return decodeURIComponent(path).split('/').slice(1);
  }

  /** The target of a path, its name checked as the storage key function checks it (IsValidPathSegmentName). */
  function resolveTarget(group: string, version: string, segs: string[]): Target | undefined {
    const t = resolveTargetUnchecked(group, version, segs);
    if (t?.name !== undefined) {
      const errs = pathSegmentErrors(t.name);
      if (errs.length) throw badRequest(`Name parameter invalid: ${JSON.stringify(t.name)}: ${errs.join(';')}`);
    }
    return t;
  }

  function resolveTargetUnchecked(group: string, version: string, segs: string[]): Target | undefined {
    // An empty segment up to the subresource (`configmaps/%2F`, `configmaps//x`) matches no route upstream
    // (go-restful's routes have no empty tokens): 404, never the collection (a DELETE there is no deletecollection).
    const routed = segs[0] === 'namespaces' && segs.length >= 3 ? segs.slice(0, 5) : segs.slice(0, 3);
    if (routed.includes('')) return undefined;
    let namespace: string | undefined;
    let rest = segs;
    // /namespaces/<name>/<x>: a subresource of the namespace, or the collection <x> in that namespace.
    if (rest[0] === 'namespaces' && rest.length >= 3 && !byGVR.get(`${group}/${version}/namespaces`)?.subresources.some((s) => s.name === rest[2])) {
      namespace = rest[1];
      rest = rest.slice(2);
      const def = lookup(group, version, rest[0]);
      if (!def || !def.namespaced) return undefined;
      return { def, namespace, name: rest[1], subresource: rest[2], rest: rest.slice(3).join('/') };
    }
    const def = lookup(group, version, rest[0]);
    if (!def) return undefined;
    // A namespaced resource listed across namespaces: /api/v1/pods
    if (def.namespaced && rest.length > 1) return undefined;
    return { def, name: rest[1], subresource: rest[2], rest: rest.slice(3).join('/') };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse | undefined, upgrade?: { socket: Duplex; head: Buffer }): Promise<void> {
    const url = parseRequestTarget(req.url ?? '/');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const accept = String(req.headers.accept ?? '');
    // The dashboard's static assets: public, no data (every data call is an API request authorized as its caller).
    if (res && isDashboardPath(url.pathname)) return serveDashboard(req, res, url.pathname, log);

    // Public endpoints (as upstream's system:public-info-viewer), unless a bad credential is presented.
    const authenticated = await authenticator.authenticate(req);
    const hasCreds = !!req.headers.authorization;
    if (!authenticated && (hasCreds || !isPublic(path))) throw unauthorized();
    let user = authenticated ?? ANONYMOUS;
    if (authenticated && wantsImpersonation(req)) user = await impersonate(req, authenticated, authorizer);
    // Every request is authorized (upstream WithAuthorization): the first Allow of the chain, else 403.
    const attrs = requestAttributes(user, method, url.pathname, url.searchParams);
    let d = authorizer.authorize(attrs);
    if (d instanceof Promise) d = await d;
    if (d.decision !== 'Allow') throw forbiddenError(attrs, d.reason);
    if (upgrade && attrs.verb === 'get' && attrs.resource === 'pods' && WEBSOCKET_CREATE.has(attrs.subresource)) {
      // A WebSocket exec/attach/portforward is a GET; upstream also requires create (AuthorizePodWebsocketUpgradeCreatePermission).
      const c = { ...attrs, verb: 'create' };
      let dc = authorizer.authorize(c);
      if (dc instanceof Promise) dc = await dc;
      if (dc.decision !== 'Allow') throw forbiddenError(c, dc.reason);
    }
    if (!res) {
      // Upgrades only go to connect handlers.
      return routeConnect(req, undefined, url, path, user, upgrade);
    }
    if (isPrettyPrint(url.searchParams, req.headers['user-agent'])) markPretty(res);
    if (path === '/version') return writeJson(res, 200, SERVER_VERSION);
    if (path === '/healthz' || path === '/livez') return text(res, 200, 'ok');
    if (path === '/readyz') return ready ? text(res, 200, 'ok') : text(res, 500, '[-]bootstrap failed: not finished\nreadyz check failed');
    if (path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) return text(res, 200, 'ok');
    if (path === '/api') {
      const agg = wantsAggregated(accept);
      if (agg) return writeJson(res, 200, discovery.aggregated(true, agg), { 'Content-Type': agg === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1, Vary: 'Accept' });
      return writeJson(res, 200, discovery.apiVersions(), { Vary: 'Accept' });
    }
    if (path === '/apis') {
      const agg = wantsAggregated(accept);
      if (agg) return writeJson(res, 200, discovery.aggregated(false, agg), { 'Content-Type': agg === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1, Vary: 'Accept' });
      return writeJson(res, 200, discovery.apiGroupList(), { Vary: 'Accept' });
    }
    if (path === '/openapi/v3') return writeJson(res, 200, openapiIndex(servedKinds()));
    if (path.startsWith('/openapi/v3/')) {
      const m = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
      const doc = m ? openapiDocument(m[2] ?? '', m[1] ?? m[3], servedKinds()) : undefined;
      if (!doc) throw resourceNotFound();
      return writeJson(res, 200, doc, { 'Cache-Control': 'public, immutable', Expires: new Date(now() + 365 * 86400e3).toUTCString() });
    }
    if (path === '/openapi/v2') return serveOpenAPIV2(req, res, accept);
    if (path === '/swagger.json') throw resourceNotFound();

    // REST paths
    let group: string;
    let version: string;
    let segs: string[];
    const parts = pathParts(path);
    if (parts[0] === 'api') {
      if (parts.length === 1) throw notFound('', '', path);
      group = '';
      version = parts[1];
      segs = parts.slice(2);
    } else if (parts[0] === 'apis') {
      group = parts[1] ?? '';
      version = parts[2];
      segs = parts.slice(3);
      if (!version) {
        const g = discovery.apiGroupDoc(group);
        if (!g) throw resourceNotFound();
        return writeJson(res, 200, g);
      }
    } else {
      throw resourceNotFound();
    }
    if (segs.length === 0) {
      const l = discovery.apiResourceList(group, version);
      if (!l) throw resourceNotFound();
      return writeJson(res, 200, l);
    }
    let watchPath = false;
    if (segs[0] === 'watch') { watchPath = true; segs = segs.slice(1); }
    const t = resolveTarget(group, version, segs);
    if (!t) throw resourceNotFound();
    if (t.subresource && subresourceOf(t)?.connect) return routeConnect(req, res, url, path, user, undefined, t);
    const ctx = contextFromQuery(user, url.searchParams, t.namespace, req.headers['user-agent'] as string | undefined);
    return serveResource(req, res, t, ctx, url.searchParams, accept, method, watchPath);
  }

  /**
   * GET /openapi/v2 as kube-openapi's handler answers it: the first Accept clause naming JSON or the gnostic protobuf
   * (either spelling) wins, `*` matches; ETag per format, 304 for If-None-Match; 406 when nothing fits.
   */
  function serveOpenAPIV2(req: http.IncomingMessage, res: http.ServerResponse, accept: string): void {
    const v2 = openapiV2(servedKinds());
    const formats = [
      { type: 'application', subtype: 'json', contentType: 'application/json', body: () => Buffer.from(v2.json) },
      { type: 'application', subtype: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', contentType: OPENAPI_V2_PROTOBUF_RESPONSE, body: () => v2.proto },
      { type: 'application', subtype: 'com.github.proto-openapi.spec.v2.v1.0+protobuf', contentType: OPENAPI_V2_PROTOBUF_RESPONSE, body: () => v2.proto },
    ];
    for (const c of parseAccept(accept || '*/*')) {
      for (const f of formats) {
        if ((c.type !== f.type && c.type !== '*') || (c.subtype !== f.subtype && c.subtype !== '*')) continue;
        const body = f.body();
        const etag = `"${createHash('sha512').update(body).digest('hex').slice(0, 64).toUpperCase()}"`;
        const h = { 'Content-Type': f.contentType, ETag: etag, Vary: 'Accept', 'Cache-Control': 'no-cache, private' };
        if (req.headers['if-none-match'] === etag) { res.writeHead(304, h); res.end(); return; }
        res.writeHead(200, { ...h, 'Content-Length': body.length });
        res.end(body);
        return;
      }
    }
    throw new StatusError(406, 'NotAcceptable', `only the following media types are accepted: application/json, ${OPENAPI_V2_PROTOBUF}`);
  }

  async function routeConnect(req: http.IncomingMessage, res: http.ServerResponse | undefined, url: RequestTarget, path: string, user: UserInfo, upgrade?: { socket: Duplex; head: Buffer }, target?: Target): Promise<void> {
    let t = target;
    if (!t) {
      const parts = pathParts(path);
      const [group, version, segs] = parts[0] === 'api' ? ['', parts[1], parts.slice(2)] : [parts[1] ?? '', parts[2], parts.slice(3)];
      t = resolveTarget(group, version, segs);
    }
    const h = t ? subresourceOf(t)?.connect : undefined;
    if (!t || !h || !t.name) throw resourceNotFound();
    await h(req, res, {
      kubelet, user, group: t.def.group, version: t.def.version, resource: t.def.plural, subresource: t.subresource!,
      namespace: t.namespace, name: t.name, rest: t.rest, query: url.searchParams, registry,
      defFor: (g, r) => byGR.get(`${g}/${r}`), upgrade,
    });
  }

  /** A write body, decoded and type-checked against what the endpoint takes (src/apiserver/decode.ts). */
  async function decodeBody(req: http.IncomingMessage, exp: ExpectedType): Promise<KubeObject> {
    const fmt = bodyFormat(req, false);
    // Custom resources have no protobuf encoding (upstream: only JSON and YAML serializers for them).
    if (exp.custom && fmt === 'protobuf') throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
    const buf = await readBody(req);
    return decodeWriteBody(buf, fmt, exp, (b) => decodeProtobufBody(b));
  }

  function subresourceOf(t: Target) {
    return t.subresource ? t.def.subresources.find((s) => s.name === t.subresource) : undefined;
  }

  function includeObjectParam(q: URLSearchParams): IncludeObject {
    return decodeTableOptions(q).includeObject;
  }

  function listParams(o: ListOptions): ListParams {
    return {
      labelSelector: o.labelSelector, fieldSelector: o.fieldSelector,
      limit: o.limit !== undefined && o.limit > 0 ? o.limit : undefined, continue: o.continue || undefined,
      resourceVersion: o.resourceVersion, resourceVersionMatch: o.resourceVersionMatch,
    };
  }

  /**
   * DeleteOptions as upstream's delete handler reads them: from the body when there is one (the query is then
   * ignored), else from the query; then ValidateDeleteOptions.
   */
  async function deleteOptions(req: http.IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
    const buf = await readBody(req);
    let opts: DeleteOptionsQuery;
    if (buf.length) {
      const fmt = bodyFormat(req, false);
      const v = fmt === 'yaml' ? parseYaml(buf) : fmt === 'protobuf' ? decodeProtobufBody(buf) : parseJson(buf);
      if (v === null) opts = {};
      else if (typeof v === 'object' && !Array.isArray(v)) opts = v as DeleteOptionsQuery;
      else throw badRequest('DeleteOptions must be an object');
      if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds !== null && (typeof opts.gracePeriodSeconds !== 'number' || !Number.isInteger(opts.gracePeriodSeconds))) {
        throw badRequest(`json: cannot unmarshal ${typeof opts.gracePeriodSeconds === 'string' ? 'string' : 'number'} into Go struct field DeleteOptions.gracePeriodSeconds of type int64`);
      }
      if (opts.dryRun !== undefined && opts.dryRun !== null && !(Array.isArray(opts.dryRun) && opts.dryRun.every((x) => typeof x === 'string'))) {
        throw badRequest('json: cannot unmarshal into Go struct field DeleteOptions.dryRun of type []string');
      }
      for (const k of ['gracePeriodSeconds', 'propagationPolicy', 'orphanDependents', 'dryRun', 'preconditions'] as const) if (opts[k] === null) delete opts[k];
    } else {
      opts = decodeDeleteOptionsQuery(q);
    }
    validateDeleteOptions(opts);
    return opts as DeleteOptions;
  }

  /** The request's output negotiation and its transform context (Table options read only when a Table is asked for). */
  interface Output { n: Negotiated; tctx: TransformContext }
  function output(def: ResourceDef, accept: string, q: URLSearchParams, opts: { table?: boolean; stream?: boolean } = {}): Output {
    const n = negotiateOutput(accept, opts);
    return { n, tctx: { def, nowMs: now(), includeObject: n.convert?.kind === 'Table' ? includeObjectParam(q) : 'Metadata' } };
  }

  function sendObject(res: http.ServerResponse, code: number, obj: KubeObject, ctx: RequestContext, out: Output) {
    return writeObject(res, code, transformObject(obj, out.n, out.tctx), out.n.mediaType, warningHeaders(ctx.warnings));
  }

  async function serveResource(req: http.IncomingMessage, res: http.ServerResponse, t: Target, ctx: RequestContext, q: URLSearchParams, accept: string, method: string, watchPath: boolean): Promise<void> {
    const { def, namespace: ns, name, subresource: sub } = t;
    // Create/Update/PatchOptions, decoded and validated once the verb is known (422 on bad options).
    if (method === 'POST') withWriteOptions(ctx, decodeWriteOptions(q, 'CreateOptions'));
    else if (method === 'PUT') withWriteOptions(ctx, decodeWriteOptions(q, 'UpdateOptions'));
    else if (method === 'PATCH') withWriteOptions(ctx, decodeWriteOptions(q, 'PatchOptions', bodyFormat(req, true)));
    if (!name || (watchPath && !sub && method === 'GET')) {
      // Collection (or /watch/.../<name>: a watch of one object)
      if (method === 'GET') {
        const lo = decodeListOptions(q, watchPath);
        if (lo.watch) {
          verbAllowed(def, 'watch');
          const out = output(def, accept, q, { stream: true });
          if (name) {
            // upstream: the name becomes a metadata.name field selector; an explicit one must agree.
            const m = lo.fieldSelector ? /^metadata\.name==?(.*)$/.exec(lo.fieldSelector) : undefined;
            if (lo.fieldSelector && (!m || m[1] !== name)) throw badRequest("fieldSelector metadata.name doesn't match requested name");
            lo.fieldSelector = `metadata.name=${name}`;
          }
          const isTable = out.n.convert?.kind === 'Table';
          return serveWatch(req, res, o.store, registry, def, {
            namespace: ns, resourceVersion: lo.resourceVersion, labelSelector: lo.labelSelector, fieldSelector: lo.fieldSelector,
            allowWatchBookmarks: lo.allowWatchBookmarks && !isTable,
            sendInitialEvents: lo.sendInitialEvents,
            timeoutSeconds: lo.timeoutSeconds,
            render: out.n.convert ? (obj) => transformEventObject(obj, out.n, { ...out.tctx, nowMs: now() }) : undefined,
          });
        }
        verbAllowed(def, 'list');
        const out = output(def, accept, q);
        const l = await registry.list(def, ns, listParams(lo));
        const meta: Record<string, unknown> = l.resourceVersion ? { resourceVersion: l.resourceVersion } : {};
        if (l.continue) meta.continue = l.continue;
        if (l.remainingItemCount !== undefined) meta.remainingItemCount = l.remainingItemCount;
        const list = { kind: def.listKind, apiVersion: apiVersionOf(def), metadata: meta, items: l.items };
        return writeObject(res, 200, transformList(list, out.n, out.tctx), out.n.mediaType);
      }
      if (method === 'POST') {
        verbAllowed(def, 'create');
        if (def.custom && customResources.terminating(def)) {
          // upstream: NewMethodNotSupported(GroupResource, "create") with its message replaced; details name the resource
          throw new StatusError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating', { group: def.group, kind: def.plural });
        }
        const out = output(def, accept, q);
        const body = await decodeBody(req, expectedOf(def));
        const obj = def.review ? await registry.review(def, ns, body, ctx) : await registry.create(def, ns, body, ctx);
        return sendObject(res, 201, obj, ctx, out);
      }
      if (method === 'DELETE') {
        verbAllowed(def, 'deletecollection');
        const out = output(def, accept, q);
        const opts = await deleteOptions(req, q);
        if (Array.isArray(opts.dryRun) && opts.dryRun.includes('All')) ctx.dryRun = true;
        const lp = listParams(decodeListOptions(q));
        const l = await registry.deleteCollection(def, ns, lp, opts, ctx);
        const list = { kind: def.listKind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: l.resourceVersion }, items: l.items };
        return writeObject(res, 200, transformList(list, out.n, out.tctx), out.n.mediaType);
      }
      throw routeMethodNotAllowed();
    }
    if (!sub) {
      if (method === 'GET') {
        verbAllowed(def, 'get');
        const out = output(def, accept, q);
        decodeGetOptions(q);
        const obj = await registry.get(def, ns, name);
        return sendObject(res, 200, obj, ctx, out);
      }
      if (method === 'PUT') {
        verbAllowed(def, 'update');
        const out = output(def, accept, q);
        const body = await decodeBody(req, expectedOf(def));
        const obj = await registry.update(def, ns, name, body, ctx);
        return sendObject(res, 200, obj, ctx, out);
      }
      if (method === 'PATCH') {
        verbAllowed(def, 'patch');
        return servePatch(req, res, t, ctx, q, accept);
      }
      if (method === 'DELETE') {
        verbAllowed(def, 'delete');
        const out = output(def, accept, q);
        const opts = await deleteOptions(req, q);
        if (Array.isArray(opts.dryRun) && opts.dryRun.includes('All')) ctx.dryRun = true;
        const r = await registry.delete(def, ns, name, opts, ctx);
        return sendObject(res, r.deleted ? 200 : 202, r.obj, ctx, out);
      }
      throw routeMethodNotAllowed();
    }
    // Subresources: the descriptor's handler serves them. Only the kind's own objects print as Tables.
    const sdef = subresourceOf(t);
    if (!sdef?.serve) throw resourceNotFound();
    const out = output(def, accept, q, { table: sdef.kind === def.kind });
    const r = await sdef.serve({
      method, def, subresource: sub, namespace: ns, name, ctx, registry, rest: registry.restContext, now,
      body: () => decodeBody(req, expectedOfSubresource(def, sub)), patch: () => readPatch(req, sub === 'scale' ? undefined : def),
    });
    const b = r.body as KubeObject;
    // A Status (binding, eviction) is not transformed; objects (status, scale) are.
    if (r.ofKind || (b && typeof b === 'object' && b.kind !== 'Status' && b.metadata)) return sendObject(res, r.code, b, ctx, out);
    return writeObject(res, r.code, r.body, out.n.mediaType, warningHeaders(ctx.warnings));
  }

  async function readPatch(req: http.IncomingMessage, def?: ResourceDef): Promise<{ kind: PatchKind | 'apply'; patch: unknown }> {
    const fmt = bodyFormat(req, true);
    // A custom resource has no patch strategies to merge by (upstream: 415 for strategic merge patches).
    if (def?.custom && fmt === 'strategic') {
      throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    }
    const buf = await readBody(req);
    if (!buf.length) throw badRequest('the request body is empty');
    if (fmt === 'apply') return { kind: 'apply', patch: parseYaml(buf) };
    const patch = parseJson(buf);
    return { kind: fmt === 'jsonpatch' ? 'json' : (fmt as PatchKind), patch };
  }

  async function servePatch(req: http.IncomingMessage, res: http.ServerResponse, t: Target, ctx: RequestContext, q: URLSearchParams, accept: string): Promise<void> {
    const out = output(t.def, accept, q);
    const r = await registry.patchRequest(t.def, t.namespace, t.name!, await readPatch(req, t.def), ctx, t.subresource);
    return sendObject(res, r.created ? 201 : 200, r.obj, ctx, out);
  }

  function text(res: http.ServerResponse, code: number, body: string) {
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff' });
    res.end(body);
  }

  function fail(res: http.ServerResponse | undefined, socket: Duplex | undefined, e: unknown) {
    let err: StatusError;
    if (e instanceof StatusError) err = e;
    else if (e instanceof RangeError || e instanceof SyntaxError || e instanceof TypeError || e instanceof URIError) {
      log(`apiserver: bad request: ${(e as Error).stack}`);
      err = badRequest(`the request could not be processed: ${(e as Error).message}`);
    } else {
      log(`apiserver: internal error: ${(e as Error)?.stack ?? e}`);
      err = internalError((e as Error)?.message ?? String(e));
    }
    if (res) {
      if (res.headersSent) { res.end(); return; }
      // As upstream: a hint to retry (429, a 5xx) travels as Retry-After too, which client-go honours.
      const after = err.details?.retryAfterSeconds;
      writeStatus(res, err, after && after > 0 ? { 'Retry-After': String(after) } : {});
    } else if (socket) {
      const body = JSON.stringify(err.toStatus());
      socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
  }

  server.on('request', (req, res) => {
    handle(req, res).catch((e) => fail(res, undefined, e));
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    handle(req, undefined, { socket, head }).catch((e) => fail(undefined, socket, e));
  });
  server.on('clientError', (_err, socket) => { try { socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'); } catch { /* gone */ } });
  server.on('tlsClientError', () => undefined);

  const sockets = new Set<Duplex>();
  const extraListeners: net.Server[] = [];
  server.on('secureConnection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  return {
    registry, discovery, authenticator, authorizer, rbac, httpServer: server, customResources, nodeAuthorizer,
    defFor: (g, r) => byGR.get(`${g}/${r}`),
    setReady: (r) => { ready = r; },
    listen: async (port, host) => {
      // The default roles and bindings exist before the first request is authorized (upstream's rbac/bootstrap-roles).
      await reconcileDefaultPolicy(registry, (g, r) => byGR.get(`${g}/${r}`), systemContext());
      await rbac.start();
      await customResources.start();
      nodeGraphFeed = watchPods(o.store, nodeGraph, log);
      await nodeGraphFeed.ready;
      await new Promise<void>((resolve, reject) => {
        const onErr = (e: Error) => reject(e);
        server.once('error', onErr);
        server.listen(port, host, () => {
          server.off('error', onErr);
          const a = server.address();
          address = typeof a === 'object' && a ? `${host === '0.0.0.0' ? '127.0.0.1' : host}:${a.port}` : `${host}:${port}`;
          resolve();
        });
      });
    },
    listenAlso: async (host) => {
      const a = server.address();
      if (!a || typeof a !== 'object') throw new Error('listenAlso before listen');
      // Connections accepted here are handed to the HTTPS server, which does the TLS handshake as for its own.
      const extra = net.createServer((sock) => server.emit('connection', sock));
      await new Promise<void>((resolve, reject) => {
        extra.once('error', reject);
        extra.listen(a.port, host, () => { extra.off('error', reject); resolve(); });
      });
      extraListeners.push(extra);
    },
    close: async () => {
      rbac.stop();
      for (const l of extraListeners) l.close();
      await customResources.stop();
      nodeGraphFeed?.stop();
      await new Promise<void>((resolve) => {
        if (!o.kubelet) kubelet.close();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

/** The user of a request without credentials (upstream's anonymous authenticator). */
const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const WEBSOCKET_CREATE = new Set(['exec', 'attach', 'portforward']);
/** The objects a service-account token names, read from the store. */
function boundObjectLookup(registry: GenericRegistry): BoundObjectLookup {
  const get = (def: ResourceDef) => (ns: string | undefined, name: string) => registry.get(def, ns, name).catch((e) => {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw e;
  });
  const node = get(nodes);
  return { serviceAccount: get(serviceaccounts), pod: get(pods), secret: get(secrets), node: (name) => node(undefined, name) };
}

function verbAllowed(def: ResourceDef, verb: string): void {
  if (!def.verbs.includes(verb)) throw routeMethodNotAllowed();
}

function isPublic(path: string): boolean {
  return path === '/version' || path === '/healthz' || path === '/livez' || path === '/readyz' ||
    path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/');
}
