/**
 * Test helper: a real API server in this process (SQLite in a temp dir, random port) with an admin client, for
 * tests of REST behaviour that need no cluster. `raw` sends a request as any client would and answers the HTTP
 * code, headers and text; `statusError` awaits a call that must fail with a Kubernetes Status.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { startApiServer, type RunningApiServer } from '../../../src/apiserver/index.ts';
import { KubeClient } from '../../../src/client/client.ts';
import { StatusError } from '../../../src/api/errors.ts';

export interface TestApiServer {
  server: RunningApiServer;
  client: KubeClient;
  raw(method: string, path: string, body?: string | Buffer, headers?: Record<string, string>): Promise<{ code: number; headers: Record<string, unknown>; text: string }>;
  stop(): Promise<void>;
}

/** `serviceAccountAdmission`: run the ServiceAccount admission plugin (pods then need their service account). */
export async function startTestApiServer(name: string, opts: { serviceAccountAdmission?: boolean } = {}): Promise<TestApiServer> {
  const dir = mkdtempSync(join(tmpdir(), `kubelite-${name}-`));
  const server = await startApiServer({ dataDir: dir, port: 0, bindAddress: '127.0.0.1', store: { kind: 'sqlite', dataDir: dir }, log: () => {},
    // No controller manager creates `default` service accounts here: unless asked, pods are admitted without one.
    serviceAccountAdmission: opts.serviceAccountAdmission ?? false });
  const client = new KubeClient({ server: server.url, ca: server.pki.caCert, token: server.pki.adminToken });
  return {
    server, client,
    raw: (method, path, body, headers = {}) => new Promise((resolve, reject) => {
      const u = new URL(server.url + path);
      const req = httpsRequest({ hostname: u.hostname, port: u.port, path, method, ca: server.pki.caCert,
        headers: { Authorization: `Bearer ${server.pki.adminToken}`, 'Content-Type': 'application/json', ...headers } }, (r) => {
        let t = '';
        r.on('data', (d) => { t += d; });
        r.on('end', () => resolve({ code: r.statusCode!, headers: r.headers, text: t }));
      });
      req.on('error', reject);
      req.end(body);
    }),
    stop: async () => {
      client.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function statusError(p: Promise<unknown>): Promise<StatusError> {
  try { await p; } catch (e) { if (e instanceof StatusError) return e; throw e; }
  throw new Error('expected an error');
}
