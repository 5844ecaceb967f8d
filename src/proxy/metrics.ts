/** Prometheus text exposition (format 0.0.4) for the proxy's metrics, and its HTTP endpoint. */
import * as http from 'node:http';

/** One sample; `suffix` is appended to the family name (a histogram's _bucket, _sum, _count). */
export interface Sample { labels: Record<string, string>; value: number; suffix?: string }
export interface Family { name: string; help: string; type: 'counter' | 'gauge' | 'histogram'; samples: Sample[] }

/** An extra GET endpoint of the metrics server (e.g. /traffic): answers status, content type and body. */
export type Route = (url: URL) => Promise<{ status: number; contentType: string; body: string }>;

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function renderPrometheus(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const l = Object.entries(s.labels).filter(([, v]) => v !== undefined);
      out.push(`${f.name}${s.suffix ?? ''}${l.length ? `{${l.map(([k, v]) => `${k}="${esc(String(v))}"`).join(',')}}` : ''} ${Number.isFinite(s.value) ? s.value : 0}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Serve GET /metrics, /healthz and `routes`. Tries `port`, falls back to a free port if it is taken. */
export async function serveMetrics(collect: () => Promise<Family[]>, host: string, port: number, routes: Record<string, Route> = {}): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(async (req, res) => {
    if (req.url === '/healthz') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); return; }
    const route = routes[req.url?.split('?')[0] ?? ''];
    if (route) {
      try {
        const r = await route(new URL(req.url ?? '/', 'http://metrics'));
        res.writeHead(r.status, { 'Content-Type': r.contentType });
        res.end(r.body);
      } catch (e) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String((e as Error).message ?? e));
      }
      return;
    }
    if (req.url?.split('?')[0] !== '/metrics') { res.writeHead(404); res.end(); return; }
    try {
      const body = renderPrometheus(await collect());
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(body);
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String((e as Error).message ?? e));
    }
  });
  const listen = (p: number) => new Promise<boolean>((resolve, reject) => {
    const onErr = (e: NodeJS.ErrnoException) => { server.off('listening', onOk); if (e.code === 'EADDRINUSE' && p !== 0) resolve(false); else reject(e); };
    const onOk = () => { server.off('error', onErr); resolve(true); };
    server.once('error', onErr);
    server.once('listening', onOk);
    server.listen(p, host);
  });
  if (!(await listen(port))) await listen(0);
  const a = server.address() as import('node:net').AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${a.port}/metrics` };
}
