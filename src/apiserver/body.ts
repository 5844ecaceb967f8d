/**
 * Request bodies (size limit, media types) and JSON responses.
 * Accepted: JSON (also when Content-Type is missing), YAML, Kubernetes protobuf, and the four patch types.
 * Malformed input is a 400 Status; never a crash.
 */
import type * as http from 'node:http';
import YAML from 'yaml';
import { StatusError, badRequest, tooLarge, unsupportedMediaType } from '../api/errors.ts';
import { jsonDepthExceeds } from './codec.ts';
import { rememberJsonSource, scanJson } from '../api/json-source.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
export const MAX_DEPTH = 100;

export function readBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const len = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(len) && len > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) { failed = true; reject(tooLarge()); req.resume(); return; }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
  });
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf' | 'strategic' | 'merge' | 'jsonpatch' | 'apply';

export function mediaType(req: http.IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

export function bodyFormat(req: http.IncomingMessage, patch: boolean): BodyFormat {
  const ct = mediaType(req);
  if (patch) {
    switch (ct) {
      case 'application/strategic-merge-patch+json': return 'strategic';
      case 'application/merge-patch+json': return 'merge';
      case 'application/json-patch+json': return 'jsonpatch';
      case 'application/apply-patch+yaml': case 'application/apply-patch+cbor': return 'apply';
      default: throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
    }
  }
  switch (ct) {
    case '': case 'application/json': case '*/*': case 'text/plain': return 'json';
    case 'application/yaml': case 'application/x-yaml': case 'text/yaml': return 'yaml';
    case 'application/vnd.kubernetes.protobuf': return 'protobuf';
    default: throw unsupportedMediaType(ct);
  }
}

export function parseJson(buf: Buffer | string): unknown {
  const text = typeof buf === 'string' ? buf : buf.toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding request body: json: ${e instanceof RangeError ? 'exceeded max depth' : (e as Error).message}`);
  }
  if (jsonDepthExceeds(v, MAX_DEPTH)) throw badRequest('error decoding request body: exceeded max depth');
  if (typeof buf !== 'string') rememberScan(v, buf);
  return v;
}

/** Remember what JSON.parse dropped from `buf` (duplicate keys, number literals) for the decoded `v`, if anything. */
export function rememberScan(v: unknown, buf: Buffer): void {
  if (!v || typeof v !== 'object') return;
  const src = scanJson(buf);
  if (src.duplicates.length || src.numbers.size) rememberJsonSource(v, src);
}

export function parseYaml(buf: Buffer): unknown {
  let v: unknown;
  try {
    // Duplicate keys are kept (the last wins, as upstream's non-strict YAML decoding) and remembered: fieldValidation
    // Strict rejects them and Warn warns, in sigs.k8s.io/yaml's words (`line 5: key "name" already set in map`).
    const lineCounter = new YAML.LineCounter();
    const docs = YAML.parseAllDocuments(buf.toString('utf8'), { uniqueKeys: false, lineCounter });
    if (docs.length === 0) v = null;
    else {
      const d = Array.isArray(docs) ? docs[0] : docs;
      if (d.errors.length) throw new Error(d.errors[0].message);
      v = d.toJS({ maxAliasCount: 100 });
      const dups = yamlDuplicateKeys(d, lineCounter);
      rememberJsonSource(v, { duplicates: [], numbers: new Map(), firstOffset: () => -1, yamlDuplicates: dups });
    }
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message}`);
  }
  if (jsonDepthExceeds(v, MAX_DEPTH)) throw badRequest('error decoding request body: exceeded max depth');
  return v;
}

/** `line N: key "k" already set in map` for each repeated key of a mapping, in document order. */
function yamlDuplicateKeys(doc: YAML.Document.Parsed, lc: YAML.LineCounter): string[] {
  const out: string[] = [];
  YAML.visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = pair.key;
        const text = YAML.isScalar(k) ? String(k.value) : String(k);
        if (seen.has(text)) {
          const at = YAML.isNode(k) && k.range ? lc.linePos(k.range[0]).line : 0;
          out.push(`line ${at}: key ${JSON.stringify(text)} already set in map`);
        } else seen.add(text);
      }
    },
  });
  return out;
}

/** Responses whose request asked for indented JSON (upstream isPrettyPrint: `pretty`, or curl/Wget/browser agents). */
const prettyResponses = new WeakSet<http.ServerResponse>();
export function markPretty(res: http.ServerResponse): void { prettyResponses.add(res); }

export function writeJson(res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  // Upstream's JSON serializer writes with Go's json.Encoder, which ends every document with a newline.
  const text = (prettyResponses.has(res) ? JSON.stringify(body, null, 2) : JSON.stringify(body)) + '\n';
  if (res.headersSent) { res.end(); return; }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

/** An answer in the negotiated media type (JSON, or YAML for `Accept: application/yaml`). */
export function writeObject(res: http.ServerResponse, code: number, body: unknown, mediaType: 'application/json' | 'application/yaml', headers: Record<string, string | string[]> = {}): void {
  if (mediaType === 'application/json') return writeJson(res, code, body, headers);
  if (res.headersSent) { res.end(); return; }
  const text = YAML.stringify(body, { aliasDuplicateObjects: false });
  res.writeHead(code, { 'Content-Type': 'application/yaml', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

/** How much of an unread request body an early answer waits for (reading and discarding it) before it is sent. */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
const DRAIN_MAX_MS = 2000;

export function writeStatus(res: http.ServerResponse, err: StatusError, headers: Record<string, string | string[]> = {}): void {
  const req = res.req;
  if (req && !req.complete) {
    // An answer given before the request body was read in full (413, 401, a bad path...) closes the connection:
    // the unread rest of the body would otherwise be parsed as the next request, and a keep-alive client that
    // reuses the socket meanwhile sees "socket hang up". It goes out once the client has sent the rest (read and
    // discarded, within bounds): a connection closed while the client is still writing is reset, and the client
    // sees EPIPE or ECONNRESET instead of the answer.
    const h = { ...headers, Connection: 'close' };
    afterBody(req, () => writeJson(res, err.code, err.toStatus(), h));
    return;
  }
  writeJson(res, err.code, err.toStatus(), headers);
}

/** Run `then` once the request body has been received (discarded), DRAIN_MAX_BYTES more arrived, or DRAIN_MAX_MS passed. */
function afterBody(req: http.IncomingMessage, then: () => void): void {
  let done = false;
  let seen = 0;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', finish);
    req.off('close', finish);
    req.off('error', finish);
    then();
  };
  const onData = (c: Buffer) => { seen += c.length; if (seen > DRAIN_MAX_BYTES) finish(); };
  const timer = setTimeout(finish, DRAIN_MAX_MS);
  req.on('data', onData);
  req.on('end', finish);
  req.on('close', finish);
  req.on('error', finish);
  req.resume();
  if (req.complete) finish();
}

/** `Warning: 299 - "text"` header values. */
export function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (!warnings.length) return {};
  return { Warning: [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w)}`) };
}
