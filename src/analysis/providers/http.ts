/**
 * One HTTP(S) request for the web and prometheus providers: node's http/https (so `insecure` can skip TLS
 * verification), a whole-request deadline, and a cap on the answer's size so a runaway endpoint cannot exhaust
 * the controller's memory. Every measurement opens its own connection (no keep-alive agent): a connection kept
 * from an earlier measurement would still reach the pod a Service selected then, not the one it selects now
 * (blue/green switches the preview Service between runs).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { ProviderError } from './types.ts';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  insecure?: boolean;
}

export interface HttpResponse { status: number; headers: http.IncomingHttpHeaders; body: string }

export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  let url: URL;
  try { url = new URL(req.url); } catch { return Promise.reject(new ProviderError(`invalid URL ${JSON.stringify(req.url)}`)); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new ProviderError(`unsupported protocol scheme ${JSON.stringify(url.protocol.replace(/:$/, ''))} in ${JSON.stringify(req.url)}`));
  }
  const mod = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
  const seconds = Math.round(req.timeoutMs / 100) / 10;
  return new Promise((resolve, reject) => {
    const r = mod.request(url, {
      method: req.method ?? 'GET',
      headers,
      agent: false,
      signal: AbortSignal.timeout(req.timeoutMs),
      ...(url.protocol === 'https:' ? { rejectUnauthorized: !req.insecure } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) { res.destroy(new ProviderError(`response body larger than ${MAX_BODY_BYTES} bytes`)); return; }
        chunks.push(c);
      });
      res.on('error', (e) => reject(wrap(e, req, seconds)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('error', (e) => reject(wrap(e, req, seconds)));
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

function wrap(e: Error & { code?: string }, req: HttpRequest, seconds: number): Error {
  if (e instanceof ProviderError) return e;
  const what = `${req.method ?? 'GET'} ${JSON.stringify(req.url)}`;
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.code === 'ABORT_ERR') {
    return new ProviderError(`${what}: timed out after ${seconds}s`);
  }
  return new ProviderError(`${what}: ${e.message}`);
}
