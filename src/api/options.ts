/**
 * Request options decoded from the query string, as upstream's parameter codec does it
 * (k8s.io/apimachinery runtime.NewParameterCodec → the generated Convert_url_Values_To_v1_*Options) and then
 * validated as upstream validates them (apimachinery/pkg/apis/meta/{v1,internalversion}/validation,
 * pkg/apis/core/validation for the pod connect options). Every query parameter the API server and the node
 * agent read goes through this one module; nothing else calls `URLSearchParams.get` on a request.
 *
 * How upstream turns a value into a type (the first value of a repeated parameter wins, unknown ones are ignored):
 * - bool, *bool (watch, allowWatchBookmarks, sendInitialEvents, force, orphanDependents, follow, stdin...):
 *   `0` and `false` in any case are false; ANY other value — `true`, `True`, `1`, `yes`, even empty — is true
 *   (runtime.Convert_Slice_string_To_bool). A decode never fails on a boolean.
 * - int64, *int64 (limit, timeoutSeconds, gracePeriodSeconds, tailLines...): Go's strconv.ParseInt(s, 10, 64);
 *   anything else is 400 BadRequest `strconv.ParseInt: parsing "x": invalid syntax` (or `value out of range`).
 * - `pretty` is not an option of any kind: the response writer reads it with strconv.ParseBool
 *   (1 t T TRUE true True / 0 f F FALSE false False) and treats anything else as false (isPrettyPrint).
 * Validation failures are 422 Invalid on the options kind (`ListOptions.meta.k8s.io "" is invalid: ...`).
 */
import { StatusError, badRequest, invalid, type FieldError } from './errors.ts';
import { forbidden, notSupported, invalid as invalidField, required, tooLong } from './validation/field.ts';
import type { IncludeObject } from './tables/table.ts';

export type Query = URLSearchParams;

// ------------------------------------------------------------------ scalars

/** runtime.Convert_Slice_string_To_bool: undefined when absent, false for "0"/"false" (any case), else true. */
export function queryBool(q: Query, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** Go strconv.ParseBool: the twelve spellings, undefined for anything else. */
export function goParseBool(v: string): boolean | undefined {
  switch (v) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True': return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False': return false;
    default: return undefined;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go strconv.ParseInt(s, 10, 64), throwing its error text. */
export function goParseInt64(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const b = BigInt(s);
  if (b < INT64_MIN || b > INT64_MAX) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(b);
}

/** An int64 parameter: undefined when absent, 400 BadRequest when it does not parse (as DecodeParameters fails). */
export function queryInt64(q: Query, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  try { return goParseInt64(v); } catch (e) { throw badRequest((e as Error).message); }
}

/** A string parameter (the first value); undefined when absent. */
export function queryString(q: Query, name: string): string | undefined {
  return q.get(name) ?? undefined;
}

/** isPrettyPrint: `pretty` by strconv.ParseBool (errors → false); without it, curl, Wget and browsers get pretty output. */
export function isPrettyPrint(q: Query, userAgent: string | undefined): boolean {
  const p = q.get('pretty');
  if (p) return goParseBool(p) ?? false;
  const ua = userAgent ?? '';
  return ua.startsWith('curl') || ua.startsWith('Wget') || ua.startsWith('Mozilla/5.0');
}

function invalidOptions(kind: string, errs: FieldError[], group = 'meta.k8s.io'): StatusError {
  return invalid(kind, group, '', errs);
}

// ------------------------------------------------------------------ list and watch

export type ResourceVersionMatch = 'Exact' | 'NotOlderThan';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  watch: boolean;
  allowWatchBookmarks: boolean;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
  limit?: number;
  continue?: string;
  sendInitialEvents?: boolean;
  /** sendInitialEvents/resourceVersionMatch were set by the defaulting, not by the client. */
  defaulted?: boolean;
}

/**
 * ListOptions as list and watch requests decode them: parsed, defaulted (SetListOptionsDefaults with the
 * WatchList feature on, as in 1.32: a watch from "" or "0" without sendInitialEvents/resourceVersionMatch gets
 * sendInitialEvents=true, resourceVersionMatch=NotOlderThan), validated (ValidateListOptions).
 * `forceWatch` is the /watch/ path prefix.
 */
export function decodeListOptions(q: Query, forceWatch = false): ListOptions {
  const o: ListOptions = {
    labelSelector: queryString(q, 'labelSelector'),
    fieldSelector: queryString(q, 'fieldSelector'),
    watch: forceWatch || (queryBool(q, 'watch') ?? false),
    allowWatchBookmarks: queryBool(q, 'allowWatchBookmarks') ?? false,
    resourceVersion: queryString(q, 'resourceVersion'),
    resourceVersionMatch: queryString(q, 'resourceVersionMatch'),
    timeoutSeconds: queryInt64(q, 'timeoutSeconds'),
    limit: queryInt64(q, 'limit'),
    continue: queryString(q, 'continue'),
    sendInitialEvents: queryBool(q, 'sendInitialEvents'),
  };
  if (o.resourceVersionMatch === '') o.resourceVersionMatch = undefined;
  if (o.watch && o.sendInitialEvents === undefined && !o.resourceVersionMatch && (!o.resourceVersion || o.resourceVersion === '0')) {
    o.sendInitialEvents = true;
    o.resourceVersionMatch = 'NotOlderThan';
    o.defaulted = true;
  }
  const errs = validateListOptions(o);
  if (errs.length) throw invalidOptions('ListOptions', errs);
  return o;
}

/** ValidateListOptions (WatchList enabled). */
export function validateListOptions(o: ListOptions): FieldError[] {
  const errs: FieldError[] = [];
  const match = o.resourceVersionMatch ?? '';
  if (o.watch) {
    if (o.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
      errs.push(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (match) {
      if (o.sendInitialEvents === undefined) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (o.continue) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
    return errs;
  }
  if (match) {
    if (!o.resourceVersion) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (o.continue) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && o.resourceVersion === '0') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (o.sendInitialEvents !== undefined) errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errs;
}

/** GetOptions: only resourceVersion. */
export function decodeGetOptions(q: Query): { resourceVersion?: string } {
  return { resourceVersion: queryString(q, 'resourceVersion') };
}

// ------------------------------------------------------------------ Table

/** TableOptions (optionsForTransform): includeObject, default Metadata; anything else is 400. */
export function decodeTableOptions(q: Query): { includeObject: IncludeObject } {
  const v = queryString(q, 'includeObject') ?? '';
  if (v === '') return { includeObject: 'Metadata' };
  if (v === 'None' || v === 'Metadata' || v === 'Object') return { includeObject: v };
  throw badRequest(`Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(v)}: must be 'Metadata', 'Object', 'None', or empty`);
}

// ------------------------------------------------------------------ writes

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: FieldValidation;
  /** PatchOptions.force (apply only). */
  force?: boolean;
}

const FIELD_MANAGER_MAX = 128;

/** ValidateFieldManager: at most 128 bytes, printable characters only. */
function validateFieldManager(fm: string | undefined): FieldError[] {
  if (!fm) return [];
  const errs: FieldError[] = [];
  if (Buffer.byteLength(fm) > FIELD_MANAGER_MAX) errs.push(tooLong('fieldManager', FIELD_MANAGER_MAX));
  let pos = 0;
  for (const ch of fm) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) {
      const cp = ch.codePointAt(0)!;
      errs.push(invalidField('fieldManager', fm, `invalid character U+${cp.toString(16).toUpperCase().padStart(4, '0')} (at position ${pos})`));
    }
    pos += Buffer.byteLength(ch);
  }
  return errs;
}

/** ValidateDryRun: only "All". */
function validateDryRun(values: string[]): FieldError[] {
  return values.every((v) => v === 'All') ? [] : [notSupported('dryRun', values, ['All'])];
}

function validateFieldValidation(v: string): FieldError[] {
  return ['', 'Ignore', 'Strict', 'Warn'].includes(v) ? [] : [notSupported('fieldValidation', v, ['', 'Ignore', 'Strict', 'Warn'])];
}

/**
 * CreateOptions / UpdateOptions / PatchOptions: dryRun, fieldManager, fieldValidation (default Warn) and, for
 * PatchOptions, force — forbidden on a non-apply patch; an apply patch needs a fieldManager.
 * `patchType` 'apply' for application/apply-patch+yaml, another string for other patches, undefined for create/update.
 */
export function decodeWriteOptions(q: Query, kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', patchType?: string): WriteOptions {
  const dryRun = q.getAll('dryRun');
  const fieldManager = queryString(q, 'fieldManager');
  const fv = queryString(q, 'fieldValidation') ?? '';
  const force = kind === 'PatchOptions' ? queryBool(q, 'force') : undefined;
  const errs: FieldError[] = [];
  if (kind === 'PatchOptions') {
    if (patchType !== 'apply') {
      if (force !== undefined) errs.push(forbidden('force', 'may not be specified for non-apply patch'));
    } else if (!fieldManager) {
      errs.push(required('fieldManager', 'is required for apply patch'));
    }
  }
  errs.push(...validateFieldManager(fieldManager), ...validateDryRun(dryRun), ...validateFieldValidation(fv));
  if (errs.length) throw invalidOptions(kind, errs);
  return {
    dryRun: dryRun.includes('All'),
    fieldManager: fieldManager || undefined,
    fieldValidation: (fv || 'Warn') as FieldValidation,
    force,
  };
}

// ------------------------------------------------------------------ delete

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptionsQuery {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  dryRun?: string[];
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** DeleteOptions from the query string (used only when the request has no body, as upstream). */
export function decodeDeleteOptionsQuery(q: Query): DeleteOptionsQuery {
  const o: DeleteOptionsQuery = {};
  const g = queryInt64(q, 'gracePeriodSeconds');
  if (g !== undefined) o.gracePeriodSeconds = g;
  const pp = queryString(q, 'propagationPolicy');
  if (pp !== undefined) o.propagationPolicy = pp;
  const od = queryBool(q, 'orphanDependents');
  if (od !== undefined) o.orphanDependents = od;
  const dr = q.getAll('dryRun');
  if (dr.length) o.dryRun = dr;
  return o;
}

/** ValidateDeleteOptions: 422 `DeleteOptions.meta.k8s.io "" is invalid: ...`. */
export function validateDeleteOptions(o: DeleteOptionsQuery): void {
  const errs: FieldError[] = [];
  if (o.orphanDependents !== undefined && o.propagationPolicy !== undefined) {
    errs.push(invalidField('propagationPolicy', o.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (o.propagationPolicy !== undefined && !['Foreground', 'Background', 'Orphan'].includes(o.propagationPolicy)) {
    errs.push(notSupported('propagationPolicy', o.propagationPolicy, ['Foreground', 'Background', 'Orphan', 'nil']));
  }
  if (o.dryRun) errs.push(...validateDryRun(o.dryRun));
  if (errs.length) throw invalidOptions('DeleteOptions', errs);
}

// ------------------------------------------------------------------ pod connect options (core/v1)

export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  tailLines?: number;
  limitBytes?: number;
  insecureSkipTLSVerifyBackend: boolean;
}

/** PodLogOptions: parsed (400) and validated as ValidatePodLogOptions (422 PodLogOptions "<pod>" is invalid). */
export function decodePodLogOptions(q: Query, podName = ''): PodLogOptions {
  const o: PodLogOptions = {
    container: queryString(q, 'container'),
    follow: queryBool(q, 'follow') ?? false,
    previous: queryBool(q, 'previous') ?? false,
    timestamps: queryBool(q, 'timestamps') ?? false,
    sinceSeconds: queryInt64(q, 'sinceSeconds'),
    sinceTime: queryString(q, 'sinceTime'),
    tailLines: queryInt64(q, 'tailLines'),
    limitBytes: queryInt64(q, 'limitBytes'),
    insecureSkipTLSVerifyBackend: queryBool(q, 'insecureSkipTLSVerifyBackend') ?? false,
  };
  if (o.sinceTime !== undefined && Number.isNaN(Date.parse(o.sinceTime))) {
    throw badRequest(`parsing time ${JSON.stringify(o.sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(o.sinceTime)} as "2006"`);
  }
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) errs.push(invalidField('tailLines', o.tailLines, 'must be greater than or equal to 0'));
  if (o.limitBytes !== undefined && o.limitBytes < 1) errs.push(invalidField('limitBytes', o.limitBytes, 'must be greater than 0'));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) errs.push(forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) errs.push(invalidField('sinceSeconds', o.sinceSeconds, 'must be greater than 0'));
  if (errs.length) throw invalid('PodLogOptions', '', podName, errs);
  return o;
}

/** The query the node agent is called with for a log request: the decoded options, canonically spelled. */
export function encodePodLogOptions(o: PodLogOptions): URLSearchParams {
  const out = new URLSearchParams();
  if (o.follow) out.set('follow', 'true');
  if (o.previous) out.set('previous', 'true');
  if (o.timestamps) out.set('timestamps', 'true');
  if (o.sinceSeconds !== undefined) out.set('sinceSeconds', String(o.sinceSeconds));
  if (o.sinceTime !== undefined) out.set('sinceTime', o.sinceTime);
  if (o.tailLines !== undefined) out.set('tailLines', String(o.tailLines));
  if (o.limitBytes !== undefined) out.set('limitBytes', String(o.limitBytes));
  return out;
}

export interface PodExecOptions {
  container?: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * PodExecOptions / PodAttachOptions (attach has no command). Upstream's REST rejects a request with no stream
 * ("you must specify at least one of stdin, stdout, stderr") and an exec with no command.
 */
export function decodePodExecOptions(q: Query, attach = false): PodExecOptions {
  const o: PodExecOptions = {
    container: queryString(q, 'container'),
    command: attach ? [] : q.getAll('command'),
    stdin: queryBool(q, 'stdin') ?? false,
    stdout: queryBool(q, 'stdout') ?? false,
    stderr: queryBool(q, 'stderr') ?? false,
    tty: queryBool(q, 'tty') ?? false,
  };
  if (!o.stdin && !o.stdout && !o.stderr) throw badRequest('you must specify at least one of stdin, stdout, stderr');
  if (!attach && o.command.length === 0) throw badRequest('you must specify at least 1 command');
  return o;
}

/** The node agent's query for exec/attach (upstream streamParams: "1" for each set flag, one `command` per word). */
export function encodePodExecOptions(o: PodExecOptions): URLSearchParams {
  const out = new URLSearchParams();
  if (o.stdin) out.set('input', '1');
  if (o.stdout) out.set('output', '1');
  if (o.stderr) out.set('error', '1');
  if (o.tty) out.set('tty', '1');
  for (const c of o.command) out.append('command', c);
  return out;
}

/** The node agent's side of encodePodExecOptions (upstream remotecommand NewOptions: a flag is on only when "1"). */
export function decodeKubeletStreamOptions(q: Query): Omit<PodExecOptions, 'container'> {
  const on = (k: string) => q.get(k) === '1';
  return { command: q.getAll('command'), stdin: on('input'), stdout: on('output'), stderr: on('error'), tty: on('tty') };
}

/** PodPortForwardOptions: `ports`, repeated or comma-separated, each 1-65535 (Convert_Slice_string_To_Slice_int32). */
export function decodePortForwardPorts(q: Query): number[] {
  const out: number[] = [];
  for (const v of q.getAll('ports')) {
    for (const p of v.split(',')) {
      if (!/^[0-9]+$/.test(p) || Number(p) > 65535) {
        throw badRequest(`cannot convert to []int32: strconv.ParseUint: parsing ${JSON.stringify(p)}: ${/^[0-9]+$/.test(p) ? 'value out of range' : 'invalid syntax'}`);
      }
      out.push(Number(p));
    }
  }
  for (const p of out) if (p < 1) throw badRequest(`port ${p} must be > 0`);
  return out;
}
