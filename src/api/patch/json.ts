/**
 * JSON patch (RFC 6902, application/json-patch+json) through fast-json-patch, with the API server's errors:
 * a body that is not a list of operations → 400 BadRequest; more than 10000 operations → 413; an operation that
 * does not apply (missing path, failed `test`, bad op) → 422 Invalid "the server rejected our request due to an
 * error in our request" (upstream NewGenericServerResponse). `kubectl rollout undo` and `patch --type=json` send these.
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError } from '../errors.ts';

export const maxJSONPatchOperations = 10000;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Check the shape of a decoded JSON patch body; throws 400 as upstream DecodePatch does. */
export function decodeJsonPatch(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) {
    const t = patch === null ? 'null' : typeof patch === 'object' ? 'object' : typeof patch;
    throw new StatusError(400, 'BadRequest', `json: cannot unmarshal ${t} into Go value of type jsonpatch.Patch`);
  }
  for (const op of patch) {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) {
      throw new StatusError(400, 'BadRequest', `json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type jsonpatch.Operation`);
    }
  }
  if (patch.length > maxJSONPatchOperations) {
    throw new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${patch.length}`);
  }
  return patch as Operation[];
}

/** The upstream 422 for a patch that does not apply; `detail` (the library's reason) is kept on the error. */
export class JsonPatchApplyError extends StatusError {
  constructor(public detail: string) {
    super(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  }
}

/** Apply a JSON patch to `original` (not modified) and return the new document. */
export function applyJsonPatch(original: unknown, patch: unknown): unknown {
  const ops = decodeJsonPatch(patch);
  for (const op of ops) {
    if (!OPS.has(String((op as { op?: unknown }).op))) throw new JsonPatchApplyError(`Unexpected kind: ${String((op as { op?: unknown }).op)}`);
    if (typeof (op as { path?: unknown }).path !== 'string') throw new JsonPatchApplyError('missing path');
  }
  const doc = JSON.parse(JSON.stringify(original ?? {}));
  try {
    return jsonpatch.applyPatch(doc, ops, true, true, true).newDocument;
  } catch (e) {
    const err = e as { name?: string; message?: string };
    const detail = err.name === 'TEST_OPERATION_FAILED' ? 'test failed' : String(err.message ?? e).split('\n')[0];
    throw new JsonPatchApplyError(detail);
  }
}
