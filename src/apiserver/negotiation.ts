/**
 * Output negotiation and response transforms for the resource endpoints, as upstream's
 * k8s.io/apiserver/pkg/endpoints/handlers/negotiation (NegotiateOutputMediaType, acceptMediaTypeOptions) and
 * handlers/response.go (transformObject: asTable, asPartialObjectMetadata, asPartialObjectMetadataList) do it.
 *
 * - The Accept header is a list of clauses tried in order (q, then specificity, as goautoneg sorts them); the first
 *   clause the server can serve wins, with its `as`/`g`/`v` conversion. No Accept header means JSON.
 * - Media types served: application/json and application/yaml (no protobuf responses: a client offering only
 *   protobuf gets 406; kubectl and client-go always offer JSON after it). Watches stream JSON only.
 * - Conversions: `as=Table;g=meta.k8s.io;v=v1|v1beta1` (JSON or YAML), `as=PartialObjectMetadata` and
 *   `as=PartialObjectMetadataList` (`g=meta.k8s.io`, v1 or v1beta1). Any other `as`, or a g/v other than
 *   meta.k8s.io v1/v1beta1, makes the clause unacceptable and the next one is tried; none acceptable is 406.
 * - As upstream, negotiation does not know whether the endpoint answers a list: PartialObjectMetadata asked of a
 *   list (or PartialObjectMetadataList of one object) is 406 when transforming. Watch events are single objects:
 *   with PartialObjectMetadata each event's object is its PartialObjectMetadata; with PartialObjectMetadataList the
 *   transform fails per event and upstream sends the object unchanged, which this does too.
 */
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import { StatusError } from '../api/errors.ts';
import { buildTable, type IncludeObject, type Table } from '../api/tables/index.ts';
import { defaultTable } from '../api/tables/cluster.ts';

export type MediaType = 'application/json' | 'application/yaml';
export type ConvertKind = 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';

export interface Negotiated {
  mediaType: MediaType;
  /** The meta.k8s.io conversion asked for, if any. */
  convert?: { kind: ConvertKind; version: 'v1' | 'v1beta1' };
}

const SERVED: { type: string; subtype: MediaType extends `${string}/${infer S}` ? S : never; mediaType: MediaType; stream: boolean }[] = [
  { type: 'application', subtype: 'json', mediaType: 'application/json', stream: true },
  { type: 'application', subtype: 'yaml', mediaType: 'application/yaml', stream: false },
];

interface Clause { type: string; subtype: string; q: number; params: Record<string, string> }

/** goautoneg.ParseAccept: clauses with their parameters, sorted by q, then type and subtype specificity. */
export function parseAccept(header: string): Clause[] {
  const out: Clause[] = [];
  for (const part of header.split(',')) {
    const [range, ...ps] = part.split(';');
    const r = range.trim();
    if (!r) continue;
    const [type, subtype = '*'] = r.split('/').map((x) => x.trim());
    const c: Clause = { type, subtype, q: 1, params: {} };
    for (const p of ps) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim();
      const v = p.slice(eq + 1).trim();
      if (k === 'q') { const f = Number.parseFloat(v); c.q = Number.isNaN(f) ? 0 : f; } else c.params[k] = v;
    }
    out.push(c);
  }
  const rank = (a: Clause, b: Clause) => (b.q - a.q) || (Number(a.type === '*') - Number(b.type === '*')) || (Number(a.subtype === '*') - Number(b.subtype === '*'));
  return out.map((c, i) => ({ c, i })).sort((x, y) => rank(x.c, y.c) || x.i - y.i).map((x) => x.c);
}

export function notAcceptable(message?: string): StatusError {
  return new StatusError(406, 'NotAcceptable', message ?? `only the following media types are accepted: ${SERVED.map((s) => s.mediaType).join(', ')}`);
}

/** acceptMediaTypeOptions + AllowsMediaTypeTransform for one clause and one served media type. */
function acceptClause(c: Clause, served: (typeof SERVED)[number], opts: { table: boolean; stream: boolean }): Negotiated | undefined {
  let convert: { kind?: string; group?: string; version?: string } | undefined;
  for (const [k, v] of Object.entries(c.params)) {
    if (k === 'as') (convert ??= {}).kind = v;
    else if (k === 'g') (convert ??= {}).group = v;
    else if (k === 'v') (convert ??= {}).version = v;
    else if (k === 'stream' && v && (!served.stream || v !== 'watch')) return undefined;
  }
  if (opts.stream && !served.stream) return undefined;
  if (!convert) return { mediaType: served.mediaType };
  if (convert.group !== 'meta.k8s.io' || (convert.version !== 'v1' && convert.version !== 'v1beta1')) return undefined;
  switch (convert.kind) {
    case 'Table':
      if (!opts.table) return undefined;
      return { mediaType: served.mediaType, convert: { kind: 'Table', version: convert.version } };
    case 'PartialObjectMetadata': case 'PartialObjectMetadataList':
      return { mediaType: served.mediaType, convert: { kind: convert.kind, version: convert.version } };
    default:
      return undefined;
  }
}

/**
 * NegotiateOutputMediaType for a resource endpoint. `table`: the endpoint can print Tables (the kind's own objects);
 * `stream`: a watch (JSON framing only). Throws 406 NotAcceptable when no clause can be served.
 */
export function negotiateOutput(accept: string | undefined, opts: { table?: boolean; stream?: boolean } = {}): Negotiated {
  const o = { table: opts.table ?? true, stream: opts.stream ?? false };
  if (!accept || !accept.trim()) return { mediaType: 'application/json' };
  for (const c of parseAccept(accept)) {
    for (const s of SERVED) {
      const matches = (c.type === s.type && (c.subtype === s.subtype || c.subtype === '*')) || (c.type === '*' && c.subtype === '*');
      if (!matches) continue;
      const n = acceptClause(c, s, o);
      if (n) return n;
    }
  }
  throw notAcceptable();
}

// ------------------------------------------------------------------ transforms

export interface TransformContext {
  def: ResourceDef;
  includeObject: IncludeObject;
  nowMs: number;
}

export function partialObjectMetadata(obj: KubeObject, version: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata ?? {} } as KubeObject;
}

function table(ctx: TransformContext, items: KubeObject[], version: string, listMeta: Table['metadata']): Table {
  const t = buildTable(items, ctx.def.table ?? defaultTable, ctx.nowMs, ctx.includeObject, listMeta);
  return version === 'v1' ? t : ({ ...t, apiVersion: `meta.k8s.io/${version}` } as unknown as Table);
}

/** transformObject for one object (get, a write's result, a watch event). */
export function transformObject(obj: KubeObject, n: Negotiated, ctx: TransformContext): unknown {
  const c = n.convert;
  if (!c) return obj;
  switch (c.kind) {
    case 'PartialObjectMetadata':
      return partialObjectMetadata(obj, c.version);
    case 'PartialObjectMetadataList':
      throw notAcceptable(`you requested PartialObjectMetadataList, but the requested object is not a list (*${goTypeName(obj)})`);
    case 'Table':
      return table(ctx, [obj], c.version, { resourceVersion: obj.metadata?.resourceVersion });
  }
}

/** The same for a watch event's object: a failed transform leaves the object as it is (upstream's watch Fixup). */
export function transformEventObject(obj: KubeObject, n: Negotiated, ctx: TransformContext): unknown {
  try { return transformObject(obj, n, ctx); } catch { return obj; }
}

export interface ListResult { kind: string; apiVersion: string; metadata: Record<string, unknown>; items: KubeObject[] }

/** transformObject for a list. */
export function transformList(list: ListResult, n: Negotiated, ctx: TransformContext): unknown {
  const c = n.convert;
  if (!c) return list;
  const lm = list.metadata as Table['metadata'];
  switch (c.kind) {
    case 'PartialObjectMetadata':
      throw notAcceptable(`you requested PartialObjectMetadata, but the requested object is a list (*${goTypeName(list)})`);
    case 'PartialObjectMetadataList': {
      const metadata: Record<string, unknown> = {};
      if (lm.resourceVersion !== undefined) metadata.resourceVersion = lm.resourceVersion;
      if (lm.continue) metadata.continue = lm.continue;
      if (c.version === 'v1' && lm.remainingItemCount !== undefined) metadata.remainingItemCount = lm.remainingItemCount;
      return { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${c.version}`, metadata, items: list.items.map((o) => partialObjectMetadata(o, c.version)) };
    }
    case 'Table':
      return table(ctx, list.items, c.version, lm);
  }
}

/** How upstream's error names the Go type of an (internal) object: `core.PodList`, `apps.Deployment`. */
function goTypeName(o: { kind?: string; apiVersion?: string }): string {
  const parts = (o.apiVersion ?? '').split('/');
  const pkg = parts.length === 2 ? parts[0].split('.')[0] : 'core';
  return `${pkg}.${o.kind ?? 'Object'}`;
}
