/** Prometheus text exposition (format 0.0.4) for the proxy's metrics, and its HTTP endpoint. */
import * as http from 'node:http';

export interface Sample { labels: Record<string, string>; value: number }
export interface Family { name: string; help: string; type: 'counter' | 'gauge'; samples: Sample[] }

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function renderPrometheus(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const l = Object.entries(s.labels).filter(([, v]) => v !== undefined);
      out.push(`${f.name}${l.length ? `{${l.map(([k, v]) => `${k}="${esc(String(v))}"`).join(',')}}` : ''} ${Number.isFinite(s.value) ? s.value : 0}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Serve GET /metrics (and /healthz). Tries `port`, falls back to a free port if it is taken. */
export async function serveMetrics(collect: () => Promise<Family[]>, host: string, port: number): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(async (req, res) => {
    if (req.url === '/healthz') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); return; }
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
