/**
 * The `web` metric provider (Argo Rollouts metricproviders/webmetric): one HTTP request per measurement.
 *   url (required), method GET (default) | POST | PUT, headers [{key, value}], body or jsonBody (POST/PUT only, not
 *   both; jsonBody sends Content-Type: application/json), timeoutSeconds (default 10), jsonPath (default `{$}`),
 *   insecure (skip TLS verification).
 * A non-2xx answer is an Error "received non 2xx response code: N". A JSON answer: the first match of jsonPath (the
 * Kubernetes template form `{$.data.ok}` or `{.data.ok}`, evaluated by jsonpath-plus) is `result` and its JSON
 * text the measurement value. A non-JSON answer: the body itself is `result` and value.
 */
import { JSONPath } from 'jsonpath-plus';
import type { Metric, WebMetric } from '../types.ts';
import { httpRequest } from './http.ts';
import { ProviderError, type MeasureContext, type MetricProviderImpl, type ProviderOutput } from './types.ts';

export const DEFAULT_WEB_TIMEOUT_SECONDS = 10;

/** `{$.data.ok}` / `{.data.ok}` / `$.data.ok` → `$.data.ok` (the first `{…}` of a Kubernetes JSONPath template). */
export function toJsonPath(template: string | undefined): string {
  let p = (template ?? '').trim() || '{$}';
  const m = /\{([^{}]*)\}/.exec(p);
  if (m) p = m[1].trim();
  if (p === '' || p === '$' || p === '.') return '$';
  if (p.startsWith('$')) return p;
  if (p.startsWith('.') || p.startsWith('[')) return `$${p}`;
  return `$.${p}`;
}

export class WebProvider implements MetricProviderImpl {
  readonly name = 'web';

  validate(metric: Metric): string | undefined {
    const w = metric.provider.web!;
    if (typeof w !== 'object' || w === null) return 'web: must be an object';
    if (!w.url) return 'web.url is required';
    const method = w.method ?? 'GET';
    if (!['GET', 'POST', 'PUT'].includes(method)) return `web.method ${JSON.stringify(method)} must be GET, POST or PUT`;
    if (w.body && w.jsonBody !== undefined && w.jsonBody !== null) return 'use either Body or JSONBody; both cannot exists for WebMetric payload';
    if ((w.body || (w.jsonBody !== undefined && w.jsonBody !== null)) && method === 'GET') return 'Body/JSONBody can only be used with POST or PUT WebMetric Method types';
    if (w.authentication !== undefined && w.authentication !== null && Object.keys(w.authentication as object).length) return 'web.authentication (oauth2) is not supported by kubelite: pass credentials in headers';
    try { JSONPath.toPathArray(toJsonPath(w.jsonPath)); } catch (e) { return `invalid web.jsonPath ${JSON.stringify(w.jsonPath)}: ${(e as Error).message}`; }
    return undefined;
  }

  async measure(ctx: MeasureContext): Promise<ProviderOutput> {
    const w = ctx.metric.provider.web as WebMetric;
    const headers: Record<string, string> = {};
    for (const h of w.headers ?? []) headers[h.key] = h.value;
    let body: string | undefined;
    if (w.body) body = w.body;
    else if (w.jsonBody !== undefined && w.jsonBody !== null) {
      body = JSON.stringify(w.jsonBody);
      headers['Content-Type'] = 'application/json';
    }
    const timeoutSeconds = w.timeoutSeconds && w.timeoutSeconds > 0 ? w.timeoutSeconds : DEFAULT_WEB_TIMEOUT_SECONDS;
    const res = await httpRequest({ url: w.url, method: w.method ?? 'GET', headers, body, timeoutMs: timeoutSeconds * 1000, insecure: w.insecure });
    if (res.status < 200 || res.status >= 300) throw new ProviderError(`received non 2xx response code: ${res.status}`);
    let data: unknown;
    try { data = JSON.parse(res.body); } catch { return { result: res.body, value: res.body }; }
    const path = toJsonPath(w.jsonPath);
    let matches: unknown[];
    try {
      matches = JSONPath({ path, json: data as object, wrap: true, eval: 'safe' }) as unknown[];
    } catch (e) {
      throw new ProviderError(`Could not find JSONPath in body: ${(e as Error).message}`);
    }
    if (!Array.isArray(matches) || matches.length === 0) throw new ProviderError(`Could not find JSONPath in body: ${w.jsonPath ?? '{$}'} matched nothing`);
    const result = matches[0] === undefined ? null : matches[0];
    return { result, value: JSON.stringify(result) };
  }
}
