/**
 * A userspace TCP relay for a Service port (the mechanism of kube-proxy's old userspace mode): accept on a
 * local port, connect to an endpoint (round robin), pipe both ways. Kept as the measured alternative to kernel
 * DNAT (bench/services.ts runs both against direct-to-pod); the proxy uses DNAT — see docs/services.md.
 * Run alone: `node --import tsx src/proxy/userspace.ts <listenPort> <ip:port>...` prints "listening <port>".
 */
import * as net from 'node:net';

export interface RelayStats { connections: number; errors: number }

export async function startUserspaceRelay(opts: { host?: string; port?: number; endpoints: { ip: string; port: number }[] }):
  Promise<{ port: number; stats: Map<string, RelayStats>; stop(): Promise<void> }> {
  const stats = new Map<string, RelayStats>(opts.endpoints.map((e) => [`${e.ip}:${e.port}`, { connections: 0, errors: 0 }]));
  let next = 0;
  const server = net.createServer((client) => {
    const ep = opts.endpoints[next++ % opts.endpoints.length];
    const st = stats.get(`${ep.ip}:${ep.port}`)!;
    st.connections++;
    client.setNoDelay(true);
    const up = net.connect({ host: ep.ip, port: ep.port });
    up.setNoDelay(true);
    const fail = () => { st.errors++; client.destroy(); up.destroy(); };
    up.on('error', fail);
    client.on('error', () => up.destroy());
    client.pipe(up);
    up.pipe(client);
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    stats,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '')) && process.argv.length > 3) {
  const eps = process.argv.slice(3).map((s) => { const [ip, p] = s.split(':'); return { ip, port: Number(p) }; });
  const r = await startUserspaceRelay({ port: Number(process.argv[2]), endpoints: eps });
  console.log(`listening ${r.port}`);
}
