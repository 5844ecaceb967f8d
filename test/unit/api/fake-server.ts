/**
 * A throwaway HTTP server for the api-schema tests: serves /version, legacy discovery and /openapi/v3 from the
 * registry, and records request bodies, so the real kubectl can be pointed at it (explain, create --dry-run).
 * Not a product component: the real API server lives in src/apiserver.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { resources, groupVersions } from '../../../src/api/registry.ts';
import { openapiV3Index, openapiV3DocumentJSON } from '../../../src/api/openapi.ts';

export interface Captured { method: string; url: string; contentType: string; body: Buffer }

function resourceList(group: string, version: string) {
  const list: object[] = [];
  for (const r of resources.filter((x) => x.group === group && x.version === version)) {
    list.push({ name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, shortNames: r.shortNames.length ? r.shortNames : undefined, categories: r.categories.length ? r.categories : undefined });
    for (const s of r.subresources) list.push({ name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, group: s.group || undefined, version: s.version, kind: s.kind, verbs: s.verbs });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: list };
}

export class FakeServer {
  captured: Captured[] = [];
  private server!: Server;
  port = 0;
  dir = mkdtempSync(join(tmpdir(), 'kubelite-api-test-'));

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
    writeFileSync(join(this.dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: t',
      'clusters:', '- name: t', '  cluster:', `    server: http://127.0.0.1:${this.port}`,
      'contexts:', '- name: t', '  context:', '    cluster: t', '    user: t', '    namespace: default',
      'users:', '- name: t', '  user:', '    token: x', '',
    ].join('\n'));
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Run the machine's kubectl against this server with a fresh cache dir (async: the server answers meanwhile). */
  kubectl(args: string[], stdin?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('kubectl', ['--kubeconfig', join(this.dir, 'kubeconfig'), '--cache-dir', join(this.dir, 'cache'), ...args], {
        env: { ...process.env, HOME: this.dir, KUBECONFIG: '' }, stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '', stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
      child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
      child.stdin.end(stdin ?? '');
    });
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    const s = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(s);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const p = url.pathname;
      if (req.method !== 'GET') {
        const body = Buffer.concat(chunks);
        this.captured.push({ method: req.method ?? '', url: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body });
        // Answer like a dry-run create: a JSON object of the requested kind.
        const m = /^\/apis?\/(?:([^/]+)\/)?v1\/(?:namespaces\/[^/]+\/)?([^/]+)$/.exec(p);
        const r = m && resources.find((x) => x.plural === m[2]);
        const kind = r?.kind ?? 'Status';
        this.send(res, 201, { kind, apiVersion: r?.group ? `${r.group}/${r.version}` : 'v1', metadata: { name: 'captured', namespace: 'default', uid: '00000000-0000-0000-0000-000000000000', resourceVersion: '1' } });
        return;
      }
      if (p === '/version') return this.send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' });
      if (p === '/api') return this.send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
      if (p === '/apis') {
        const groups = groupVersions().filter((g) => g.group).map((g) => ({ name: g.group, versions: [{ groupVersion: g.groupVersion, version: g.version }], preferredVersion: { groupVersion: g.groupVersion, version: g.version } }));
        return this.send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
      }
      if (p === '/openapi/v3') return this.send(res, 200, openapiV3Index());
      if (p.startsWith('/openapi/v3/')) {
        const d = openapiV3DocumentJSON(p.slice('/openapi/v3/'.length));
        return d ? this.send(res, 200, d.json) : this.send(res, 404, { kind: 'Status', code: 404 });
      }
      const gv = groupVersions().find((g) => p === '/' + g.path);
      if (gv) return this.send(res, 200, resourceList(gv.group, gv.version));
      this.send(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
    });
  }
}
