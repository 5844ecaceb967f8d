/**
 * JSON merge patch (RFC 7386, application/merge-patch+json), as upstream applies it (evanphx/json-patch MergePatch):
 * objects merge key by key, `null` deletes, anything else (arrays included) replaces; nulls inside newly added
 * objects are dropped. `kubectl label`, `kubectl scale` and `patch --type=merge` send these.
 */
import { StatusError } from '../errors.ts';
import { getOwn, setOwn } from './own.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Upstream errBadJSONPatch → 400. */
const badPatch = () => new StatusError(400, 'BadRequest', 'Invalid JSON Patch');

function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === null ? x : pruneNulls(x)));
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) setOwn(out, k, pruneNulls(x));
    return out;
  }
  return v;
}

function mergeInto(doc: Obj, patch: Obj): Obj {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) { delete doc[k]; continue; }
    const cur = getOwn(doc, k);
    if (cur === undefined || cur === null) { setOwn(doc, k, pruneNulls(v)); continue; }
    if (isObj(cur) && isObj(v)) setOwn(doc, k, mergeInto(cur, v));
    else setOwn(doc, k, isObj(v) ? pruneNulls(v) : v);
  }
  return doc;
}

/**
 * Apply a JSON merge patch to `original` (not modified). A patch that is not a JSON object or array is a 400;
 * an array patch replaces the document (the caller then fails to decode it into an object, as upstream).
 */
export function jsonMergePatch(original: unknown, patch: unknown): unknown {
  if (patch === null || patch === undefined || (typeof patch !== 'object')) throw badPatch();
  if (Array.isArray(patch)) return pruneNulls(patch);
  const doc = isObj(original) ? (JSON.parse(JSON.stringify(original)) as Obj) : {};
  return mergeInto(doc, patch as Obj);
}

/** jsonMergePatch for API objects: the result must be an object, else 422 as upstream's decode failure. */
export function mergePatchObject(original: object, patch: unknown): object {
  const out = jsonMergePatch(original, patch);
  if (!isObj(out)) {
    throw new StatusError(422, 'Invalid', ` "" is invalid: patch: Invalid value: ${JSON.stringify(JSON.stringify(out))}: json: cannot unmarshal array into Go value of type map[string]interface {}`,
      { causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(JSON.stringify(out))}: json: cannot unmarshal array into Go value of type map[string]interface {}`, field: 'patch' }] });
  }
  return out;
}
