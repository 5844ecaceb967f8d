/** The PATCH types of the REST API and their dispatch to the patch engines of this directory. */
import type { KubeObject } from '../resource.ts';
import { StatusError, badRequest } from '../errors.ts';
import { strategicMergePatch } from './strategic.ts';
import { jsonMergePatch } from './merge.ts';
import { applyJsonPatch } from './json.ts';

/** application/strategic-merge-patch+json, application/merge-patch+json, application/json-patch+json. */
export type PatchKind = 'strategic' | 'merge' | 'json';

/** Apply a patch of one kind to `current` (of the kind whose schema is `schemaName`); throws StatusError (400/422)
 *  on bad patches, never a 500. */
export function patchObject(schemaName: string, kind: PatchKind, current: KubeObject, patch: unknown): KubeObject {
  try {
    if (kind === 'merge') return jsonMergePatch(current, patch) as KubeObject;
    if (kind === 'json') return applyJsonPatch(current, patch) as KubeObject;
    return strategicMergePatch(current, patch as object, schemaName) as KubeObject;
  } catch (e) {
    if (e instanceof StatusError) throw e.code >= 500 ? badRequest(e.message) : e;
    throw badRequest(`the patch could not be applied: ${(e as Error).message}`);
  }
}
