/**
 * An in-process API server (the real createApiServer over a real SQLite store, no cluster) and a raw HTTPS
 * request helper, for tests that check what a client sees on the wire: status codes, bodies, headers, watch lines.
 *
 *   const s = await startServer();
 *   const r = await s.request('GET', '/api/v1/namespaces/default/configmaps?watch=True', { headers: { Accept: 'application/json' } });
 *   await s.close();
 */
import * as https from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServer, type ApiServer } from '../../../src/apiserver/server.ts';
import { ensurePki, type Pki } from '../../../src/apiserver/tls.ts';
import { openSqliteStore } from '../../../src/storage/sqlite.ts';
import { ServiceAllocators } from '../../../src/apiserver/allocators.ts';
import type { Store } from '../../../src/storage/store.ts';

export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; text: string; json(): any }

export interface TestServer {
  api: ApiServer;
  pki: Pki;
  port: number;
  dir: string;
  request(method: string, path: string, opts?: { headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse>;
  /** A streaming GET: resolves with the response once headers arrive; lines() yields each non-empty line as it comes. */
  stream(path: string, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; next(): Promise<string | undefined>; close(): void }>;
  /** The machine's kubectl against this server (fresh cache dir, admin token). */
  kubectl(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-apiserver-test-'));
  const store: Store = openSqliteStore(join(dir, 'state.db'));
  const pki = ensurePki(dir, ['127.0.0.1']);
  const api = createApiServer({ store, pki, rest: { allocators: new ServiceAllocators(store) }, log: () => undefined });
  await api.listen(0, '127.0.0.1');
  const port = (api.httpServer.address() as { port: number }).port;
  const agent = new https.Agent({ ca: pki.caCert, keepAlive: false });
  const base = (method: string, path: string, headers: Record<string, string> = {}) => ({
    host: '127.0.0.1', port, method, path, agent,
    headers: { Authorization: `Bearer ${pki.adminToken}`, ...headers },
  });
  const s: TestServer = {
    api, pki, port, dir,
    request: (method, path, opts = {}) => new Promise((resolve, reject) => {
      const headers = { ...opts.headers };
      if (opts.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
      const req = https.request(base(method, path, headers), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(opts.body);
    }),
    stream: (path, headers = {}) => new Promise((resolve, reject) => {
      const req = https.request(base('GET', path, headers), (res) => {
        let buf = '';
        const lines: string[] = [];
        let waiter: ((l: string | undefined) => void) | undefined;
        let ended = false;
        const pump = () => {
          if (!waiter) return;
          if (lines.length) { const w = waiter; waiter = undefined; w(lines.shift()); } else if (ended) { const w = waiter; waiter = undefined; w(undefined); }
        };
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1); }
          pump();
        });
        res.on('end', () => { if (buf) lines.push(buf); ended = true; pump(); });
        res.on('error', () => { ended = true; pump(); });
        resolve({
          status: res.statusCode ?? 0, headers: res.headers,
          next: () => new Promise((r) => { waiter = r; pump(); }),
          close: () => req.destroy(),
        });
      });
      req.on('error', reject);
      req.end();
    }),
    kubectl: (args, stdin) => new Promise((resolve) => {
      const kc = join(dir, 'kubeconfig');
      writeFileSync(kc, [
        'apiVersion: v1', 'kind: Config', 'current-context: t',
        'clusters:', '- name: t', '  cluster:', `    server: https://127.0.0.1:${port}`, `    certificate-authority-data: ${Buffer.from(pki.caCert).toString('base64')}`,
        'contexts:', '- name: t', '  context:', '    cluster: t', '    user: t', '    namespace: default',
        'users:', '- name: t', '  user:', `    token: ${pki.adminToken}`, '',
      ].join('\n'));
      const child = spawn('kubectl', ['--kubeconfig', kc, '--cache-dir', join(dir, 'kubectl-cache'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    }),
    close: async () => {
      await api.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const ns = await s.request('POST', '/api/v1/namespaces', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }) });
  if (ns.status !== 201) throw new Error(`creating namespace default: ${ns.status} ${ns.text}`);
  return s;
}

/** The headers the official Python client (kubernetes-client/python, urllib3 through rest.py) sends with a JSON request. */
export const PYTHON_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/json', 'User-Agent': 'OpenAPI-Generator/32.0.1/python' };
