/**
 * The alternative L7 engine bench/traffic.ts measures against HAProxy: an HTTP reverse proxy in one Node process,
 * with the same per-request split (smooth weighted round robin over the stable and canary endpoints with
 * serverWeights()), keep-alive to the backends, and the same per-request measurements (TrafficStats). Not used by
 * the proxy (docs/services.md says why).
 *   node --import tsx bench/traffic-node-engine.ts --weight 20 --stable ip:port,... --canary ip:port,...
 * prints "listening <port>".
 */
import * as http from 'node:http';
import { realClock } from '../src/util/clock.ts';
import { serverWeights } from '../src/proxy/router/routes.ts';
import { TrafficStats } from '../src/proxy/router/stats.ts';

const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : ''; };
const parse = (s: string) => s.split(',').filter(Boolean).map((x) => { const i = x.lastIndexOf(':'); return { host: x.slice(0, i), port: Number(x.slice(i + 1)) }; });
const stable = parse(arg('stable'));
const canary = parse(arg('canary'));
const w = serverWeights(stable.length, canary.length, Number(arg('weight') || 0));
const servers = [
  ...stable.map((s) => ({ ...s, side: 'stable' as const, weight: w.stable, current: 0 })),
  ...canary.map((s) => ({ ...s, side: 'canary' as const, weight: w.canary, current: 0 })),
].filter((s) => s.weight > 0);
const total = servers.reduce((a, s) => a + s.weight, 0);

/** nginx's smooth weighted round robin. */
function pick() {
  let best = servers[0];
  for (const s of servers) { s.current += s.weight; if (s.current > best.current) best = s; }
  best.current -= total;
  return best;
}

const stats = new TrafficStats(realClock);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const server = http.createServer((req, res) => {
  const t0 = performance.now();
  const s = pick();
  const up = http.request({ host: s.host, port: s.port, method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
    res.writeHead(ur.statusCode ?? 502, ur.headers);
    ur.pipe(res);
    ur.on('end', () => stats.record({ namespace: 'bench', service: 'web', backend: s.side, revision: '' }, { failed: false, status: ur.statusCode, seconds: (performance.now() - t0) / 1000 }));
  });
  up.on('error', () => {
    stats.record({ namespace: 'bench', service: 'web', backend: s.side, revision: '' }, { failed: true, seconds: null });
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as any).port}`));
process.on('SIGTERM', () => { server.close(); agent.destroy(); process.exit(0); });
