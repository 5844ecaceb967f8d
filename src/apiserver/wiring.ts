/** Fills ApiDeps from the src/api packages (kinds registry, OpenAPI, schema walk, protobuf, patch engines, selectors, tables). */
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
import { serverSideApply, updateManagedFields } from '../api/patch/apply.ts';
import { openapiIndex, openapiDocument } from '../api/openapi.ts';
import { decodeProtobufBody } from '../api/protobuf.ts';
import type { ApiDeps, PatchKind } from './deps.ts';

export async function loadDeps(): Promise<ApiDeps> {

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
      return serverSideApply(current, applied, { manager, force, schemaName: def.schemaName }) as KubeObject;
    },
    updateManagedFields(def, obj, old, manager, operation, subresource) {
      updateManagedFields(obj, old, { manager, operation, subresource, schemaName: def.schemaName });
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
    decodeProtobuf: (body) => decodeProtobufBody(body),
    openapiIndex: () => openapiIndex(),
    openapiDocument: (group, version) => openapiDocument(group, version),
  };
}
