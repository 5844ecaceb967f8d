/**
 * /openapi/v3: the index of group-version documents and each document (paths for every resource and
 * subresource, components.schemas reachable from them). Derived from the registry and the definitions table.
 *
 * kubectl needs: a PATCH operation per kind carrying the GVK extension and an inline `fieldValidation` query
 * parameter (else it falls back to /openapi/v2), and top-level schemas with x-kubernetes-group-version-kind
 * (for explain, apply and edit).
 */
import { createHash } from 'node:crypto';
import type { Schema } from './schema.ts';
import type { ResourceDef, SubresourceDef } from './resource.ts';
import { allDefinitions, REF_PREFIX } from './definitions/index.ts';
import { groupVersions, resources } from './registry.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const extraSchemas: Record<string, Schema> = {
  [META + 'Patch']: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
};

type Param = { name: string; in: 'query' | 'path'; description: string; required?: boolean; schema: Schema };
const q = (name: string, description: string, schema: Schema = { type: 'string', uniqueItems: true } as Schema): Param => ({ name, in: 'query', description, schema });
const P = {
  pretty: q('pretty', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: q('dryRun', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: q('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  fieldValidation: q('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.'),
  force: q('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', { type: 'boolean', uniqueItems: true } as Schema),
  allowWatchBookmarks: q('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion.', { type: 'boolean', uniqueItems: true } as Schema),
  continue: q('continue', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: q('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: q('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: q('limit', 'limit is a maximum number of responses to return for a list call.', { type: 'integer', uniqueItems: true } as Schema),
  resourceVersion: q('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset'),
  resourceVersionMatch: q('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: q('sendInitialEvents', '`sendInitialEvents=true` may be set together with `watch=true`.', { type: 'boolean', uniqueItems: true } as Schema),
  timeoutSeconds: q('timeoutSeconds', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.', { type: 'integer', uniqueItems: true } as Schema),
  watch: q('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.', { type: 'boolean', uniqueItems: true } as Schema),
  gracePeriodSeconds: q('gracePeriodSeconds', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.', { type: 'integer', uniqueItems: true } as Schema),
  propagationPolicy: q('propagationPolicy', "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
  orphanDependents: q('orphanDependents', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.', { type: 'boolean', uniqueItems: true } as Schema),
  name: (what: string): Param => ({ name: 'name', in: 'path', description: `name of the ${what}`, required: true, schema: { type: 'string', uniqueItems: true } as Schema }),
  namespace: { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } as Schema } as Param,
};
const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];

const ref = (name: string): Schema => ({ $ref: REF_PREFIX + name });
const JSON_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const content = (schema: Schema, types = JSON_TYPES) => Object.fromEntries(types.map((t) => [t, { schema }]));
const ok = (schema: Schema, codes: string[] = ['200'], types = JSON_TYPES) =>
  ({ ...Object.fromEntries(codes.map((c) => [c, { description: codeDesc(c), content: content(schema, types) }])), '401': { description: 'Unauthorized' } });
const codeDesc = (c: string) => ({ '200': 'OK', '201': 'Created', '202': 'Accepted' } as Record<string, string>)[c] ?? c;

function groupWord(group: string): string {
  if (!group) return 'Core';
  const first = group.split('.')[0];
  return first.charAt(0).toUpperCase() + first.slice(1);
}
function tag(r: { group: string; version: string }): string {
  return `${r.group ? r.group.split('.')[0] : 'core'}_${r.version}`;
}
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Schema name of a GVK's definition, e.g. io.k8s.api.apps.v1.Deployment. */
function schemaNameFor(group: string, version: string, kind: string): string | undefined {
  for (const [name, s] of Object.entries(allDefinitions())) {
    const g = s['x-kubernetes-group-version-kind'];
    if (g?.some((x) => x.group === group && x.version === version && x.kind === kind)) return name;
  }
  return undefined;
}

function gvkExt(group: string, version: string, kind: string) {
  return { 'x-kubernetes-group-version-kind': { group, kind, version } };
}

type Op = Record<string, unknown>;
type PathItem = Record<string, unknown>;

function addResourcePaths(paths: Record<string, PathItem>, r: ResourceDef): void {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced ? 'Namespaced' : '';
  const gv = groupWord(r.group) + cap(r.version);
  const kindRef = ref(r.schemaName);
  const listName = schemaNameFor(r.group, r.version, r.listKind) ?? r.schemaName;
  const ext = gvkExt(r.group, r.version, r.kind);
  const tags = [tag(r)];
  const coll = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const pathParams = (withName: boolean, what = r.kind) => [...(withName ? [P.name(what)] : []), ...(r.namespaced ? [P.namespace] : []), P.pretty];
  const body = (schema: Schema) => ({ content: { '*/*': { schema } }, required: true });

  const collection: PathItem = { parameters: pathParams(false) };
  if (r.verbs.includes('list')) collection.get = { tags, description: `list or watch objects of kind ${r.kind}`, operationId: `list${gv}${ns}${r.kind}`, parameters: LIST_PARAMS, responses: ok(ref(listName), ['200'], [...JSON_TYPES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch']), 'x-kubernetes-action': 'list', ...ext } as Op;
  if (r.verbs.includes('create')) collection.post = { tags, description: `create ${aOrAn(r.kind)}`, operationId: `create${gv}${ns}${r.kind}`, parameters: [P.dryRun, P.fieldManager, P.fieldValidation], requestBody: body(kindRef), responses: ok(kindRef, ['200', '201', '202']), 'x-kubernetes-action': 'post', ...ext } as Op;
  if (r.verbs.includes('deletecollection')) collection.delete = { tags, description: `delete collection of ${r.kind}`, operationId: `delete${gv}Collection${ns}${r.kind}`, parameters: [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds], requestBody: { content: { '*/*': { schema: ref(META + 'DeleteOptions') } } }, responses: ok(ref(META + 'Status')), 'x-kubernetes-action': 'deletecollection', ...ext } as Op;
  paths[coll] = collection;

  const item: PathItem = { parameters: pathParams(true) };
  item.get = { tags, description: `read the specified ${r.kind}`, operationId: `read${gv}${ns}${r.kind}`, responses: ok(kindRef), 'x-kubernetes-action': 'get', ...ext };
  item.put = { tags, description: `replace the specified ${r.kind}`, operationId: `replace${gv}${ns}${r.kind}`, parameters: [P.dryRun, P.fieldManager, P.fieldValidation], requestBody: body(kindRef), responses: ok(kindRef, ['200', '201']), 'x-kubernetes-action': 'put', ...ext };
  item.delete = { tags, description: `delete ${aOrAn(r.kind)}`, operationId: `delete${gv}${ns}${r.kind}`, parameters: [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy], requestBody: { content: { '*/*': { schema: ref(META + 'DeleteOptions') } } }, responses: ok(ref(META + 'Status'), ['200', '202']), 'x-kubernetes-action': 'delete', ...ext };
  item.patch = patchOp(tags, `partially update the specified ${r.kind}`, `patch${gv}${ns}${r.kind}`, kindRef, ext);
  paths[`${coll}/{name}`] = item;

  if (r.namespaced && r.verbs.includes('list')) {
    paths[`${base}/${r.plural}`] = {
      parameters: [...LIST_PARAMS, P.pretty],
      get: { tags, description: `list or watch objects of kind ${r.kind}`, operationId: `list${gv}${r.kind}ForAllNamespaces`, responses: ok(ref(listName), ['200'], [...JSON_TYPES, 'application/json;stream=watch']), 'x-kubernetes-action': 'list', ...ext },
    };
  }
  for (const s of r.subresources) addSubresourcePath(paths, r, s, coll, gv, ns, tags, pathParams);
}

function patchOp(tags: string[], description: string, operationId: string, schema: Schema, ext: object): Op {
  const patchSchema = ref(META + 'Patch');
  return {
    tags, description, operationId,
    parameters: [P.dryRun, P.fieldManager, P.fieldValidation, P.force],
    requestBody: { content: Object.fromEntries(['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'].map((t) => [t, { schema: patchSchema }])), required: true },
    responses: ok(schema, ['200', '201']),
    'x-kubernetes-action': 'patch', ...ext,
  };
}

function addSubresourcePath(paths: Record<string, PathItem>, r: ResourceDef, s: SubresourceDef, coll: string, gv: string, ns: string, tags: string[],
  pathParams: (withName: boolean, what?: string) => Param[]): void {
  const p = `${coll}/{name}/${s.name}`;
  const sub = cap(s.name);
  const kindName = schemaNameFor(s.group, s.version, s.kind);
  const ext = gvkExt(s.group, s.version, s.kind);
  const schema = kindName ? ref(kindName) : { type: 'string' } as Schema;
  const item: PathItem = { parameters: pathParams(true, s.name === 'status' || s.name === 'scale' ? r.kind : s.kind) };
  if (s.name === 'status' || s.name === 'scale') {
    const what = s.name === 'scale' ? `scale of the specified ${r.kind}` : `status of the specified ${r.kind}`;
    item.get = { tags, description: `read ${what}`, operationId: `read${gv}${ns}${r.kind}${sub}`, responses: ok(schema), 'x-kubernetes-action': 'get', ...ext };
    item.put = { tags, description: `replace ${what}`, operationId: `replace${gv}${ns}${r.kind}${sub}`, parameters: [P.dryRun, P.fieldManager, P.fieldValidation], requestBody: { content: { '*/*': { schema } }, required: true }, responses: ok(schema, ['200', '201']), 'x-kubernetes-action': 'put', ...ext };
    item.patch = patchOp(tags, `partially update ${what}`, `patch${gv}${ns}${r.kind}${sub}`, schema, ext);
  } else if (s.name === 'finalize') {
    item.put = { tags, description: `replace finalize of the specified ${r.kind}`, operationId: `replace${gv}${ns}${r.kind}Finalize`, parameters: [P.dryRun, P.fieldManager, P.fieldValidation], requestBody: { content: { '*/*': { schema } }, required: true }, responses: ok(schema, ['200', '201']), 'x-kubernetes-action': 'put', ...ext };
  } else if (s.name === 'binding' || s.name === 'eviction') {
    item.post = { tags, description: `create ${s.name} of a ${r.kind}`, operationId: `create${gv}${ns}${r.kind}${sub}`, parameters: [P.dryRun, P.fieldManager, P.fieldValidation], requestBody: { content: { '*/*': { schema } }, required: true }, responses: ok(schema, ['200', '201', '202']), 'x-kubernetes-action': 'post', ...ext };
  } else if (s.name === 'log') {
    item.get = {
      tags, description: `read log of the specified ${r.kind}`, operationId: `read${gv}${ns}${r.kind}Log`,
      parameters: [q('container', 'The container for which to stream logs. Defaults to only container if there is one container in the pod.'),
        q('follow', 'Follow the log stream of the pod. Defaults to false.', { type: 'boolean', uniqueItems: true } as Schema),
        q('previous', 'Return previous terminated container logs. Defaults to false.', { type: 'boolean', uniqueItems: true } as Schema),
        q('sinceSeconds', 'A relative time in seconds before the current time from which to show logs.', { type: 'integer', uniqueItems: true } as Schema),
        q('tailLines', 'If set, the number of lines from the end of the logs to show.', { type: 'integer', uniqueItems: true } as Schema),
        q('timestamps', 'If true, add an RFC3339 or RFC3339Nano timestamp at the beginning of every line of log output. Defaults to false.', { type: 'boolean', uniqueItems: true } as Schema)],
      responses: ok({ type: 'string' }, ['200'], ['text/plain', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']),
      'x-kubernetes-action': 'get', ...gvkExt('', 'v1', 'Pod'),
    };
  } else if (s.name === 'exec' || s.name === 'attach' || s.name === 'portforward' || s.name === 'proxy') {
    const opts = s.kind;
    for (const verb of s.verbs.includes('get') ? ['get', 'post'] : ['post']) {
      item[verb] = { tags, description: `connect ${verb.toUpperCase()} requests to ${s.name} of ${r.kind}`, operationId: `connect${gv}${cap(verb)}${ns}${r.kind}${sub}`, responses: ok({ type: 'string' }, ['200'], ['*/*']), 'x-kubernetes-action': 'connect', ...gvkExt(s.group, s.version, opts) };
    }
  } else return;
  paths[p] = item;
}

const aOrAn = (k: string) => (/^[AEIOU]/.test(k) ? `an ${k}` : `a ${k}`);

/** Every schema name reachable from `roots` through $ref. */
function closure(roots: string[]): string[] {
  const all = { ...allDefinitions(), ...extraSchemas };
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n) || !all[n]) continue;
    seen.add(n);
    collectRefs(all[n], stack);
  }
  return [...seen].sort();
}
function collectRefs(v: unknown, out: string[]): void {
  if (Array.isArray(v)) { for (const x of v) collectRefs(x, out); return; }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith(REF_PREFIX)) out.push(x.slice(REF_PREFIX.length));
      else collectRefs(x, out);
    }
  }
}

const docCache = new Map<string, { doc: object; json: string; hash: string }>();

/** A schema as served: kubelite's own annotations (x-kubelite-*, e.g. protobuf field numbers) stay inside, and
 *  enumerations are listed sorted, as upstream's documents list them (the definitions keep upstream's declaration
 *  order, which validation messages follow). */
const served = (s: Schema): Schema => JSON.parse(JSON.stringify(s, (k, v) =>
  (k.startsWith('x-kubelite-') ? undefined : k === 'enum' && Array.isArray(v) ? [...v].sort() : v)));

/**
 * The served kinds a document covers: the built-in ones, or those and the custom resources an API server serves
 * (with a token that changes whenever they do, so a cached document is never stale).
 */
export interface ServedKinds { defs: ResourceDef[]; token: string }
const BUILTIN: ServedKinds = { defs: resources, token: '' };

function build(gvPath: string, served_: ServedKinds = BUILTIN) {
  const cacheKey = `${served_.token}|${gvPath}`;
  const hit = docCache.get(cacheKey);
  if (hit) return hit;
  const gv = groupVersions(served_.defs).find((g) => g.path === gvPath.replace(/^\/+/, ''));
  if (!gv) return undefined;
  const paths: Record<string, PathItem> = {};
  for (const r of served_.defs) if (r.group === gv.group && r.version === gv.version) addResourcePaths(paths, r);
  const refs: string[] = [];
  collectRefs(paths, refs);
  const all = { ...allDefinitions(), ...extraSchemas };
  const schemas: Record<string, Schema> = {};
  for (const n of closure(refs)) schemas[n] = served(all[n]);
  const doc = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
    security: [{ BearerToken: [] }],
  };
  const json = JSON.stringify(doc);
  const hash = createHash('sha512').update(json).digest('hex').toUpperCase();
  const entry = { doc, json, hash };
  // Documents of an earlier set of custom resources are dropped (the built-in ones stay).
  if (served_.token) for (const k of docCache.keys()) if (!k.startsWith('|') && !k.startsWith(`${served_.token}|`)) docCache.delete(k);
  docCache.set(cacheKey, entry);
  return entry;
}

/** The document for "api/v1" or "apis/apps/v1" (undefined for an unknown group-version). */
export function openapiV3Document(gvPath: string, kinds: ServedKinds = BUILTIN): object | undefined {
  return build(gvPath, kinds)?.doc;
}
/** The same document, serialised once, with its content hash (for ETag and the index URL). */
export function openapiV3DocumentJSON(gvPath: string, kinds: ServedKinds = BUILTIN): { json: string; hash: string } | undefined {
  const e = build(gvPath, kinds);
  return e && { json: e.json, hash: e.hash };
}

/** GET /openapi/v3 */
export function openapiV3Index(kinds: ServedKinds = BUILTIN): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions(kinds.defs)) {
    const e = build(gv.path, kinds)!;
    paths[gv.path] = { serverRelativeURL: `/openapi/v3/${gv.path}?hash=${e.hash}` };
  }
  return { paths };
}

/** The index, and a document by group and version (as the API server routes them). */
export function openapiIndex(kinds: ServedKinds = BUILTIN): { paths: Record<string, { serverRelativeURL: string }> } {
  return openapiV3Index(kinds);
}
export function openapiDocument(group: string, version: string, kinds: ServedKinds = BUILTIN): object | undefined {
  return openapiV3Document(group ? `apis/${group}/${version}` : `api/${version}`, kinds);
}
