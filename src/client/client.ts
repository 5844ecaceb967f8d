/**
 * A small Kubernetes REST client used by every kubelite component (controllers, scheduler, node agent, proxy).
 * Components reach cluster state only through this client — never through the store — so any of them can run
 * in its own process or on another machine.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { StatusError, type Status } from '../api/errors.ts';
import { resourcePath, type ResourceRef } from './resources.ts';

export interface ClientConfig {
  server: string; // https://127.0.0.1:6443
  token?: string;
  /** PEM of the CA that signed the server certificate. */
  ca?: string;
  /** Client certificate auth (PEM). */
  cert?: string;
  key?: string;
  insecureSkipTLSVerify?: boolean;
  /** User-Agent, e.g. kubelite-controller-manager */
  userAgent?: string;
  /** Headers sent with every request (e.g. Impersonate-User, as kubectl --as). */
  headers?: Record<string, string>;
}

export type PatchType = 'strategic' | 'merge' | 'json' | 'apply';
const patchContentType: Record<PatchType, string> = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface ListOpts {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}
export interface WatchOpts extends ListOpts {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}
export interface WriteOpts {
  dryRun?: boolean;
  fieldManager?: string;
  force?: boolean;
}
export interface DeleteOpts {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}
export interface WatchEvent<T = any> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}
export interface WatchHandle {
  stop(): void;
  /** Resolves when the stream ends (server closed, error, or stop()). Rejects never; see `error`. */
  done: Promise<{ error?: Error }>;
}

export interface KubeList<T = any> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

function qs(params: Record<string, string | number | boolean | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The connection settings of a kubeconfig's context (default: its current context). */
export function readKubeconfig(path: string, context?: string): ClientConfig {
  const kc = YAML.parse(readFileSync(path, 'utf8'));
  const ctxName = context ?? kc['current-context'];
  const ctx = kc.contexts.find((c: any) => c.name === ctxName).context;
  const cluster = kc.clusters.find((c: any) => c.name === ctx.cluster).cluster;
  const user = kc.users.find((u: any) => u.name === ctx.user).user;
  const b64 = (s?: string) => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  return {
    server: cluster.server,
    ca: b64(cluster['certificate-authority-data']),
    insecureSkipTLSVerify: !!cluster['insecure-skip-tls-verify'],
    token: user.token,
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
  };
}

export class KubeClient {
  private agent: http.Agent;
  private url: URL;
  constructor(public readonly config: ClientConfig) {
    this.url = new URL(config.server);
    // One TLS secure context for every connection: passing ca/cert/key per connection makes Node parse them
    // (createSecureContext) on each new socket, which dominated client CPU under bursts of requests.
    this.agent = this.url.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: !config.insecureSkipTLSVerify,
        secureContext: tls.createSecureContext({ ca: config.ca, cert: config.cert, key: config.key }) })
      : new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  /** Build a client from a kubeconfig file (current context, or the named one). */
  static fromKubeconfig(path: string, context?: string): KubeClient {
    return new KubeClient(readKubeconfig(path, context));
  }

  close(): void { this.agent.destroy(); }

  private rawRequest(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, retry = true): Promise<http.IncomingMessage> {
    const mod = this.url.protocol === 'https:' ? https : http;
    const h: Record<string, string> = { Accept: 'application/json', ...this.config.headers, ...headers };
    if (this.config.token) h.Authorization = `Bearer ${this.config.token}`;
    if (this.config.userAgent) h['User-Agent'] = this.config.userAgent;
    if (body !== undefined) h['Content-Length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = mod.request({ hostname: this.url.hostname, port: this.url.port, path, method, headers: h, agent: this.agent }, resolve);
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A kept-alive connection that the server closed just as this request went out, before any answer:
        // send it once more on a fresh connection (Node's documented keep-alive pattern).
        if (retry && req.reusedSocket && e.code === 'ECONNRESET') resolve(this.rawRequest(method, path, body, headers, false));
        else reject(e);
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** A request that returns parsed JSON, or throws StatusError for any non-2xx answer. */
  async request<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const res = await this.rawRequest(method, path, payload, payload !== undefined ? { 'Content-Type': contentType } : {});
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) {
      let st: Partial<Status> | undefined;
      try { st = JSON.parse(text); } catch { /* not a Status */ }
      if (st && st.kind === 'Status') throw new StatusError(code, st.reason ?? 'Unknown', st.message ?? text, st.details);
      throw new StatusError(code, 'Unknown', text || `HTTP ${code}`);
    }
    const out = text ? JSON.parse(text) : undefined;
    // As client-go: a Status that says Failure is an error whatever the HTTP code (an eviction's multiple budgets).
    if (out && out.kind === 'Status' && out.status === 'Failure') throw new StatusError(out.code ?? code, out.reason ?? 'Unknown', out.message ?? text, out.details);
    return out as T;
  }

  get<T = any>(ref: ResourceRef, namespace: string | undefined, name: string, subresource?: string): Promise<T> {
    return this.request('GET', resourcePath(ref, namespace, name, subresource));
  }
  list<T = any>(ref: ResourceRef, namespace?: string, opts: ListOpts = {}): Promise<KubeList<T>> {
    return this.request('GET', resourcePath(ref, namespace) + qs({ ...opts }));
  }
  create<T = any>(ref: ResourceRef, namespace: string | undefined, obj: unknown, opts: WriteOpts = {}, subresource?: string, name?: string): Promise<T> {
    return this.request('POST', resourcePath(ref, namespace, name, subresource) + qs({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager }), obj);
  }
  update<T = any>(ref: ResourceRef, namespace: string | undefined, obj: any, subresource?: string, opts: WriteOpts = {}): Promise<T> {
    return this.request('PUT', resourcePath(ref, namespace, obj.metadata.name, subresource) + qs({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager }), obj);
  }
  patch<T = any>(ref: ResourceRef, namespace: string | undefined, name: string, patch: unknown, type: PatchType = 'merge', subresource?: string, opts: WriteOpts = {}): Promise<T> {
    return this.request('PATCH', resourcePath(ref, namespace, name, subresource) + qs({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager, force: opts.force }), patch, patchContentType[type]);
  }
  delete<T = any>(ref: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOpts = {}): Promise<T> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ['All'];
    return this.request('DELETE', resourcePath(ref, namespace, name), body);
  }

  /**
   * Stream watch events. `onEvent` is awaited before the next event is delivered (ordered handling).
   * The handle's `done` resolves when the stream ends; an HTTP error (e.g. 410) comes back as `error`
   * (a StatusError); an ERROR event is delivered to onEvent like any other.
   */
  watch<T = any>(ref: ResourceRef, namespace: string | undefined, opts: WatchOpts, onEvent: (ev: WatchEvent<T>) => void | Promise<void>): WatchHandle {
    let req: http.ClientRequest | undefined;
    let stopped = false;
    const mod = this.url.protocol === 'https:' ? https : http;
    const path = resourcePath(ref, namespace) + qs({ ...opts, watch: 'true' });
    const headers: Record<string, string> = { Accept: 'application/json', ...this.config.headers };
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    if (this.config.userAgent) headers['User-Agent'] = this.config.userAgent;
    const done = new Promise<{ error?: Error }>((resolve) => {
      req = mod.request({ hostname: this.url.hostname, port: this.url.port, path, method: 'GET', headers, agent: this.agent }, async (res) => {
        const code = res.statusCode ?? 0;
        if (code !== 200) {
          const chunks: Buffer[] = [];
          for await (const c of res) chunks.push(c as Buffer);
          let st: any;
          try { st = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* ignore */ }
          resolve({ error: new StatusError(code, st?.reason ?? 'Unknown', st?.message ?? `HTTP ${code}`) });
          return;
        }
        let buf = '';
        try {
          for await (const chunk of res) {
            if (stopped) break;
            buf += chunk.toString('utf8');
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (!line) continue;
              await onEvent(JSON.parse(line));
              if (stopped) break;
            }
          }
          resolve({});
        } catch (e) {
          resolve(stopped ? {} : { error: e as Error });
        }
      });
      req.on('error', (e) => resolve(stopped ? {} : { error: e }));
      req.end();
    });
    return { stop: () => { stopped = true; req?.destroy(); }, done };
  }
}
