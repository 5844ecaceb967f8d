/**
 * Fills ApiDeps from the src/api packages (kinds registry, OpenAPI, schema walk, protobuf, patch engines,
 * selectors, tables). Modules still being written are loaded dynamically so the server starts without them;
 * a missing piece answers a clear error instead (see the TODOs).
 */
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import { StatusError, badRequest } from '../api/errors.ts';
import { parseLabelSelectorParam, selectorMatches } from '../api/labels.ts';
import { parseFieldSelectorParam, matchesFieldSelector } from '../api/fieldselectors.ts';
import { tableFor, buildTable } from '../api/tables/index.ts';
import { findUnknownFields, pruneUnknownFields, findTypeErrors, typeErrorMessage } from '../api/schema-walk.ts';
import { resources } from '../api/registry.ts';
import { strategicMergePatch } from '../api/patch/strategic.ts';
import { jsonMergePatch } from '../api/patch/merge.ts';
import { applyJsonPatch } from '../api/patch/json.ts';
import type { ApiDeps, PatchKind } from './deps.ts';

async function tryImport(path: string): Promise<any | undefined> {
  try {
    return await import(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

function notReady(what: string): never {
  throw new StatusError(500, 'InternalError', `Internal error occurred: ${what} is not available in this build`);
}

export async function loadDeps(): Promise<ApiDeps> {
  const openapi = await tryImport('../api/openapi.ts');
  const proto = await tryImport('../api/protobuf.ts');
  const apply = await tryImport('../api/patch/apply.ts');

  const defs: ResourceDef[] = resources;

  return {
    defs,
    findUnknownFields: (def, obj) => findUnknownFields(obj, def.schemaName),
    pruneUnknownFields: (def, obj) => pruneUnknownFields(obj, def.schemaName),
    typeError(def, obj) {
      const errs = findTypeErrors(obj, def.schemaName);
      return errs.length ? typeErrorMessage(def.kind, def.version, errs[0]) : undefined;
    },
    applyPatch(def: ResourceDef, kind: PatchKind, current: KubeObject, patch: unknown): KubeObject {
      try {
        if (kind === 'merge') return jsonMergePatch(current, patch) as KubeObject;
        if (kind === 'json') return applyJsonPatch(current, patch) as KubeObject;
        return strategicMergePatch(current, patch as object, def.schemaName) as KubeObject;
      } catch (e) {
        // A patch that cannot apply is the client's error: never a 500.
        if (e instanceof StatusError) throw e.code >= 500 ? badRequest(e.message) : e;
        throw badRequest(`the patch could not be applied: ${(e as Error).message}`);
      }
    },
    serverSideApply(def, current, applied, manager, force) {
      const fn = apply?.serverSideApply ?? apply?.applyPatch;
      if (!fn) notReady('server-side apply');
      return fn(current, applied, { manager, force, schemaName: def.schemaName, def });
    },
    updateManagedFields(def, obj, old, manager, operation, subresource) {
      apply?.updateManagedFields?.(obj, old, { manager, operation, subresource, schemaName: def.schemaName, def });
    },
    labelSelector(sel) {
      const s = parseLabelSelectorParam(sel);
      return (labels) => selectorMatches(s, labels);
    },
    fieldSelector(def, sel) {
      const s = parseFieldSelectorParam(sel, def.group, def.kind);
      return (obj) => matchesFieldSelector(s, def.group, def.kind, obj, def.namespaced);
    },
    table(def, objs, includeObject, listMeta, nowMs) {
      return buildTable(objs, tableFor(def.group, def.kind), nowMs, includeObject, listMeta);
    },
    decodeProtobuf(body) {
      const fn = proto?.decodeProtobufBody;
      if (!fn) throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
      return fn(body);
    },
    openapiIndex() {
      return (openapi?.openapiIndex ?? openapi?.openApiIndex ?? (() => ({ paths: {} })))();
    },
    openapiDocument(group, version) {
      return (openapi?.openapiDocument ?? openapi?.openApiDocument ?? (() => undefined))(group, version);
    },
  };
}
