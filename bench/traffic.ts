/**
 * Traffic router benchmark: `node --import tsx bench/traffic.ts [--requests 2000] [--reps 3] [--seconds 5] [--conc 32]`
 * (run under the cluster lock). `kubelite up` with a node (harness), then:
 *
 * 1. Weight accuracy at weight 20 — 3 nginx pods (stable) and 1 httpd pod (canary), the answer tells which side
 *    served — `--requests` GETs per run through the ClusterIP of:
 *      request-level:    a Service routed per HTTP request (HAProxy, mode http),
 *      connection-level: the same Service shape with appProtocol "tcp" (HAProxy, mode tcp: per connection),
 *      node engine:      the Node reverse proxy of bench/traffic-node-engine.ts (per request),
 *    each with a keep-alive client (4 connections) and with a new connection per request.
 * 2. Throughput, in the same run and interleaved, of one nginx pod reached: directly (pod IP), through a plain
 *    Service (kernel DNAT), through a routed Service (HAProxy; its canary Service selects the same pod, so every
 *    path ends at the same nginx), and through the Node engine — with wrk (Debian's; installed if missing),
 *    `--conc` keep-alive connections, and with `Connection: close` on every request. Median of `--reps`.
 * Ratios are to the direct run next to each run (median of the per-run ratios: the shared machine's load drifts).
 * Prints a JSON summary and markdown rows for docs/benchmarks.md.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startCluster, waitFor, repoRoot, type Cluster } from '../test/e2e/harness.ts';
import { R } from '../src/client/resources.ts';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const REQUESTS = arg('requests', 2000);
const REPS = arg('reps', 3);
const SECONDS = arg('seconds', 5);
const CONC = arg('conc', 32);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const log = (m: string) => console.error(`[bench] ${m}`);

function ensureWrk(): void {
  try { execFileSync('wrk', ['--version'], { stdio: 'ignore' }); } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return; // wrk --version exits 1 but exists
    log('installing wrk (apt-get)');
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'wrk'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
}

/** TCP counters that explain latency tails (SYN retransmits, TIME_WAIT reuse), from nstat if present. */
const NSTAT_KEYS = ['TcpExtTCPSynRetrans', 'TcpExtTWRecycled', 'TcpExtTCPChallengeACK', 'TcpExtListenDrops', 'TcpExtTCPTimeWaitOverflow'];
function nstat(): Record<string, number> {
  try {
    const out = execFileSync('nstat', ['-az'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return Object.fromEntries(out.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => NSTAT_KEYS.includes(f[0])).map((f) => [f[0], Number(f[1])]));
  } catch { return {}; }
}

interface WrkResult { rps: number; requests: number; p50: number; p99: number; errors: number; tcp: Record<string, number>; measured?: number }
function wrk(url: string, close: boolean): Promise<WrkResult> {
  const before = nstat();
  return new Promise((resolve) => {
    const args = ['-t', '1', '-c', String(CONC), '-d', `${SECONDS}s`, '--latency', '--timeout', '5s', ...(close ? ['-H', 'Connection: close'] : []), url];
    const p = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('close', () => {
      const ms = (re: RegExp) => { const m = re.exec(out); if (!m) return NaN; const v = Number(m[1]); return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v; };
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
      resolve({
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
        requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
        p50: ms(/50%\s+([\d.]+)(us|ms|s)/), p99: ms(/99%\s+([\d.]+)(us|ms|s)/),
        // With Connection: close, wrk counts the server's close as a read error: only connect errors, timeouts and non-2xx count.
        errors: non2xx + (sock ? Number(sock[1]) + Number(sock[4]) + (close ? 0 : Number(sock[2]) + Number(sock[3])) : 0),
        tcp: Object.fromEntries(Object.entries(nstat()).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v)),
      });
    });
  });
}

/** `n` GETs over `conc` connections (keep-alive) or a new connection each; which side answered. */
async function split(url: string, n: number, keepAlive: boolean, conc = 4): Promise<{ canary: number; stable: number; errors: number }> {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: conc }) : undefined;
  const out = { canary: 0, stable: 0, errors: 0 };
  let left = n;
  const one = () => new Promise<void>((resolve) => {
    const req = http.get(url, { agent: agent ?? false, headers: keepAlive ? {} : { Connection: 'close' }, timeout: 5000 }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => { if (/It works!/.test(b)) out.canary++; else if (/Welcome to nginx/.test(b)) out.stable++; else out.errors++; resolve(); });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => { out.errors++; resolve(); });
  });
  await Promise.all(Array.from({ length: conc }, async () => { while (left-- > 0) await one(); }));
  agent?.destroy();
  return out;
}

const deployment = (name: string, image: string, replicas: number, hash: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { 'rollouts-pod-template-hash': hash } },
    template: { metadata: { labels: { 'rollouts-pod-template-hash': hash } }, spec: {
      containers: [{ name: 'web', image, readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 } }] } },
  },
});
const service = (name: string, hash: string, opts: { canary?: string; weight?: number; appProtocol?: string } = {}) => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, annotations: opts.canary ? { 'traffic.kubelite.io/canary-service': opts.canary, 'traffic.kubelite.io/canary-weight': String(opts.weight ?? 0) } : undefined },
  spec: { selector: { 'rollouts-pod-template-hash': hash }, ports: [{ name: 'http', port: 80, targetPort: 80, ...(opts.appProtocol ? { appProtocol: opts.appProtocol } : {}) }] },
});

async function nodeEngine(stable: string[], canary: string[], weight: number): Promise<{ port: number; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/traffic-node-engine.ts'), '--weight', String(weight), '--stable', stable.join(','), '--canary', canary.join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((res) => proc.stdout!.on('data', (d) => { const m = /listening (\d+)/.exec(String(d)); if (m) res(Number(m[1])); }));
  return { port, proc };
}

async function main() {
  ensureWrk();
  const c: Cluster = await startCluster({ node: true });
  const procs: ChildProcess[] = [];
  try {
    const apply = async (objs: any[]) => {
      const r = await c.kubectl(['apply', '-f', '-'], { input: objs.map((o) => YAML.stringify(o)).join('---\n') });
      if (r.code !== 0) throw new Error(r.stderr);
    };
    await apply([
      deployment('acc-stable', 'nginx', 3, 's1'), deployment('acc-canary', 'httpd', 1, 'c1'), deployment('thr', 'nginx', 1, 't1'),
      service('acc-canary', 'c1'), service('acc', 's1', { canary: 'acc-canary', weight: 20 }),
      service('acc-tcp-canary', 'c1', { appProtocol: 'tcp' }), service('acc-tcp', 's1', { canary: 'acc-tcp-canary', weight: 20, appProtocol: 'tcp' }),
      service('plain', 't1'), service('thr-canary', 't1'), service('thr', 't1', { canary: 'thr-canary', weight: 20 }),
    ]);
    const podIPs = async (hash: string, n: number) => waitFor(async () => {
      const l = await c.client.list(R.pods, 'default', { labelSelector: `rollouts-pod-template-hash=${hash}` });
      const ready = l.items.filter((p: any) => p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')).map((p: any) => p.status.podIP as string);
      return ready.length === n ? ready.sort() : undefined;
    }, { timeoutMs: 180000, message: `${n} ready pods ${hash}` });
    const stableIPs = await podIPs('s1', 3);
    const canaryIPs = await podIPs('c1', 1);
    const [thrIP] = await podIPs('t1', 1);
    const vip = async (name: string) => (await c.client.get(R.services, 'default', name)).spec.clusterIP as string;
    const urls = { acc: `http://${await vip('acc')}/`, accTcp: `http://${await vip('acc-tcp')}/`, plain: `http://${await vip('plain')}/`, thr: `http://${await vip('thr')}/` };
    // Wait until the routed Services answer from both sides / at all through the router.
    await waitFor(async () => (await split(urls.acc, 50, true)).canary > 0, { timeoutMs: 60000, message: 'acc routed' });
    await waitFor(async () => (await split(urls.accTcp, 50, false)).canary > 0, { timeoutMs: 60000, message: 'acc-tcp routed' });
    await waitFor(async () => { const s = await split(urls.thr, 20, true); return s.stable === 20; }, { timeoutMs: 60000, message: 'thr routed' });
    const accEngine = await nodeEngine(stableIPs.map((ip) => `${ip}:80`), canaryIPs.map((ip) => `${ip}:80`), 20);
    const thrEngine = await nodeEngine([`${thrIP}:80`], [`${thrIP}:80`], 20);
    procs.push(accEngine.proc, thrEngine.proc);
    const metrics = /metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(c.output())![1];
    const measured = async () => ((await (await fetch(`${metrics}/traffic?namespace=default&service=thr&window=3600`)).json()) as any).requests as number;
    const machine = { cpus: cpus().length, model: cpus()[0]?.model, load: loadavg().map((x) => +x.toFixed(1)) };
    log(`machine ${JSON.stringify(machine)}`);

    // 1. Accuracy
    const accTargets = { 'request-level (HAProxy http)': urls.acc, 'connection-level (HAProxy tcp)': urls.accTcp, 'request-level (Node engine)': `http://127.0.0.1:${accEngine.port}/` } as const;
    const accuracy: Record<string, Record<string, number[]>> = {};
    for (let rep = 0; rep < REPS; rep++) {
      for (const [name, url] of Object.entries(accTargets)) {
        for (const keepAlive of [true, false]) {
          const r = await split(url, REQUESTS, keepAlive);
          const mode = keepAlive ? 'keep-alive (4 connections)' : 'new connection each';
          ((accuracy[name] ??= {})[mode] ??= []).push(+(100 * r.canary / (r.canary + r.stable)).toFixed(2));
          if (r.errors) log(`${name} ${mode}: ${r.errors} errors`);
          log(`accuracy ${name}, ${mode}: canary ${r.canary}/${r.canary + r.stable}`);
        }
      }
    }

    // 2. Throughput
    const thrTargets = { direct: `http://${thrIP}/`, 'Service (DNAT)': urls.plain, 'routed (HAProxy)': urls.thr, 'routed (Node engine)': `http://127.0.0.1:${thrEngine.port}/` } as const;
    const thr: Record<string, Record<string, WrkResult[]>> = {};
    for (let rep = 0; rep < REPS; rep++) {
      for (const close of [false, true]) {
        for (const [name, url] of Object.entries(thrTargets)) {
          const measuredBefore = name === 'routed (HAProxy)' ? await measured() : 0;
          const r = await wrk(url, close);
          // Every request the router forwarded is measured: compare with what wrk counted (after the logs drain).
          if (name === 'routed (HAProxy)') { await new Promise((res) => setTimeout(res, 1000)); r.measured = (await measured()) - measuredBefore; }
          const mode = close ? 'new connection each' : `keep-alive (${CONC} connections)`;
          ((thr[mode] ??= {})[name] ??= []).push(r);
          log(`throughput ${mode} ${name}: ${r.rps.toFixed(0)} rps p99 ${r.p99} ms errors ${r.errors} tcp ${JSON.stringify(r.tcp)}${r.measured !== undefined ? ` measured ${r.measured} of ${r.requests}` : ''}`);
        }
      }
    }
    const summary: any = { date: new Date().toISOString(), machine, loadAfter: loadavg().map((x) => +x.toFixed(1)), requests: REQUESTS, reps: REPS, seconds: SECONDS, conc: CONC, accuracy, throughput: {} };
    const rows: string[] = [];
    for (const [mode, byTarget] of Object.entries(thr)) {
      summary.throughput[mode] = {};
      const cells: string[] = [];
      for (const [name, rs] of Object.entries(byTarget)) {
        const rps = median(rs.map((r) => r.rps));
        const p99 = median(rs.map((r) => r.p99));
        // The machine's load drifts: compare each run with the direct run next to it, then take the median.
        const ratios = rs.map((r, i) => r.rps / byTarget.direct[i].rps);
        const ratio = median(ratios);
        summary.throughput[mode][name] = { rps: +rps.toFixed(0), ratio: +ratio.toFixed(3), ratios: ratios.map((x) => +x.toFixed(2)), p99ms: p99, errors: rs.reduce((a, r) => a + r.errors, 0), runs: rs.map((r) => +r.rps.toFixed(0)), p99runs: rs.map((r) => r.p99), tcp: rs.map((r) => r.tcp), measured: rs.map((r) => r.measured === undefined ? undefined : `${r.measured}/${r.requests}`) };
        cells.push(`${Math.round(rps).toLocaleString('en')} (${ratio.toFixed(2)}: ${ratios.map((x) => x.toFixed(2)).join(', ')}), p99 ${p99} ms`);
      }
      rows.push(`| ${mode} | ${cells.join(' | ')} |`);
    }
    const accRows: string[] = [];
    for (const [name, byMode] of Object.entries(accuracy)) {
      accRows.push(`| ${name} | ${Object.values(byMode).map((v) => `${v.join(', ')}`).join(' | ')} |`);
    }
    console.log(JSON.stringify(summary, null, 2));
    console.log('\n| engine | canary % keep-alive (4 conns) | canary % new connection each |\n|---|---|---|\n' + accRows.join('\n'));
    console.log('\n| mode | ' + Object.keys(thrTargets).join(' | ') + ' |\n|---|---|---|---|---|\n' + rows.join('\n'));
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await c.stop();
  }
}

await main();
