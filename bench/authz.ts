/**
 * The authorizer's cost per request with 1,000 bindings, against a same-run baseline.
 *
 * The API server (startApiServer: HTTPS, SQLite) runs in a child process holding 1,000 RoleBindings and
 * ClusterRoleBindings (900 RoleBindings over 100 namespaces to users and groups, 100 ClusterRoleBindings to groups)
 * beside the default policy. Two clients send the same requests (GET of one ConfigMap, LIST of 20 ConfigMaps,
 * 16 concurrent keep-alive connections), both with a client certificate, so authentication costs the same:
 *   - baseline: the admin certificate (group system:masters: the chain allows at its first check)
 *   - rbac: a user bound to `edit` in that namespace through a RoleBinding, also a member of 5 groups that appear
 *     in ClusterRoleBindings — RBAC resolves its rules from the index (memoised per user and namespace)
 * Rounds alternate between the two; the server's CPU per request (process.cpuUsage in the child) gives the
 * authorizer's share: (rbac - baseline) / rbac. A second part times authorize() itself in-process: with the memo
 * (the steady state) and with the memo cleared before every call (right after an RBAC object changed).
 *
 *   flock /tmp/kubelite-cluster.lock node --import tsx bench/authz.ts [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import { startApiServer } from '../src/apiserver/index.ts';
import { issueCertificate } from '../src/apiserver/tls.ts';
import { KubeClient } from '../src/client/client.ts';
import { R } from '../src/client/resources.ts';
import { requestAttributes } from '../src/apiserver/authz/request.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const BINDINGS = 1000;
const CONC = 16;
const REQUESTS = quick ? 1500 : 5000;
const ROUNDS = quick ? 2 : 10;
const GROUPS = ['g-1', 'g-2', 'g-3', 'g-4', 'g-5'];

async function server(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-authz-'));
  const s = await startApiServer({ dataDir: dir, port: 0, bindAddress: '127.0.0.1', store: { kind: 'sqlite', dataDir: dir }, log: () => undefined });
  process.on('message', async (m: any) => {
    if (m.cmd === 'cpu') { const c = process.cpuUsage(); process.send!({ cmd: 'cpu', us: c.user + c.system }); }
    if (m.cmd === 'micro') process.send!({ cmd: 'micro', ...micro(s.api) });
    if (m.cmd === 'stop') { await s.stop(); rmSync(dir, { recursive: true, force: true }); process.exit(0); }
  });
  process.send!({ cmd: 'ready', url: s.url, pki: s.pki, dir });
}

/** authorize() alone, in the server process: memoised, and with the memo dropped before each call. */
function micro(api: any): Record<string, number> {
  const user = { name: 'bench-user', groups: [...GROUPS, 'system:authenticated'] };
  const a = requestAttributes(user, 'GET', '/api/v1/namespaces/bench/configmaps/cm-0', new URLSearchParams());
  const N = 200_000;
  for (let i = 0; i < 10_000; i++) api.authorizer.authorize(a);
  let t = performance.now();
  for (let i = 0; i < N; i++) api.authorizer.authorize(a);
  const memoNs = ((performance.now() - t) * 1e6) / N;
  const M = 5_000;
  t = performance.now();
  for (let i = 0; i < M; i++) { (api.rbac as any).memo.clear(); api.authorizer.authorize(a); }
  const coldNs = ((performance.now() - t) * 1e6) / M;
  const admin = { ...a, user: { name: 'kubelite-admin', groups: ['system:masters', 'system:authenticated'] } };
  t = performance.now();
  for (let i = 0; i < N; i++) api.authorizer.authorize(admin);
  const mastersNs = ((performance.now() - t) * 1e6) / N;
  return { memoNs, coldNs, mastersNs };
}

function ask<T = any>(child: ReturnType<typeof fork>, cmd: string): Promise<T> {
  return new Promise((r) => {
    const h = (m: any) => { if (m.cmd === cmd) { child.off('message', h); r(m); } };
    child.on('message', h);
    child.send({ cmd });
  });
}

async function load(url: string, ca: string, cert: string, key: string, paths: string[]): Promise<{ failed: number; ms: number }> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONC, ca, cert, key });
  const u = new URL(url);
  let next = 0;
  let failed = 0;
  const t = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= REQUESTS) return;
      const code = await new Promise<number>((res, rej) => {
        const req = https.request({ hostname: u.hostname, port: u.port, path: paths[i % paths.length], agent, headers: { Accept: 'application/json' } }, (r) => {
          r.resume();
          r.on('end', () => res(r.statusCode!));
        });
        req.on('error', rej);
        req.end();
      });
      if (code !== 200) failed++;
    }
  };
  await Promise.all(Array.from({ length: CONC }, worker));
  agent.destroy();
  return { failed, ms: performance.now() - t };
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready: any = await new Promise((r) => child.once('message', r));
  const { url, pki } = ready;
  const admin = new KubeClient({ server: url, ca: pki.caCert, token: pki.adminToken });
  try {
    // 1,000 bindings beside the defaults.
    const t0 = performance.now();
    await admin.create(R.namespaces, undefined, { metadata: { name: 'bench' } });
    for (let n = 0; n < 100; n++) await admin.create(R.namespaces, undefined, { metadata: { name: `ns-${n}` } });
    const jobs: (() => Promise<unknown>)[] = [];
    for (let i = 0; i < 900; i++) {
      const subj = i % 3 === 0 ? { kind: 'Group', name: `team-${i % 50}` } : { kind: 'User', name: `user-${i}` };
      jobs.push(() => admin.create(R.rolebindings, `ns-${i % 100}`, { metadata: { name: `rb-${i}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: i % 2 ? 'view' : 'edit' }, subjects: [subj] }));
    }
    for (let i = 0; i < 100; i++) {
      jobs.push(() => admin.create(R.clusterrolebindings, undefined, { metadata: { name: `crb-${i}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: i % 2 ? 'system:basic-user' : 'system:discovery' }, subjects: [{ kind: 'Group', name: i < 5 ? GROUPS[i] : `other-${i}` }] }));
    }
    for (let i = 0; i < jobs.length; i += 20) await Promise.all(jobs.slice(i, i + 20).map((j) => j()));
    await admin.create(R.rolebindings, 'bench', { metadata: { name: 'bench-user-edit' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', name: 'bench-user' }] });
    // edit/view are aggregated by the controller manager, which is not running here: give edit its aggregated rules.
    const rolesOf = async (n: string) => (await admin.get<any>(R.clusterroles, undefined, n)).rules ?? [];
    const edit = await admin.get<any>(R.clusterroles, undefined, 'edit');
    await admin.update(R.clusterroles, undefined, { ...edit, rules: [...await rolesOf('system:aggregate-to-edit'), ...await rolesOf('system:aggregate-to-view')] });
    for (let i = 0; i < 20; i++) await admin.create(R.configmaps, 'bench', { metadata: { name: `cm-${i}` }, data: { k: 'v'.repeat(100) } });
    const setupS = (performance.now() - t0) / 1000;
    const crbs = (await admin.list(R.clusterrolebindings, undefined)).items.length;
    const rbs = (await admin.list(R.rolebindings, undefined)).items.length;

    const user = issueCertificate(pki, { cn: 'bench-user', groups: GROUPS, usage: 'client' });
    const clients = { baseline: { cert: pki.adminCert, key: pki.adminKey }, rbac: user };
    const paths = ['/api/v1/namespaces/bench/configmaps/cm-0', '/api/v1/namespaces/bench/configmaps'];
    // Warm up both (TLS sessions, JIT, the memo).
    for (const c of Object.values(clients)) await load(url, pki.caCert, c.cert, c.key, paths);
    const cpu: Record<string, number[]> = { baseline: [], rbac: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? ['rbac', 'baseline'] : ['baseline', 'rbac'];
      for (const name of order) {
        const c = clients[name as keyof typeof clients];
        const before = (await ask(child, 'cpu')).us;
        const r = await load(url, pki.caCert, c.cert, c.key, paths);
        const after = (await ask(child, 'cpu')).us;
        if (r.failed) throw new Error(`${name}: ${r.failed} requests failed`);
        cpu[name].push((after - before) / REQUESTS);
        console.log(`round ${round + 1} ${name.padEnd(8)} ${((after - before) / REQUESTS).toFixed(1)} µs server CPU/request, ${(REQUESTS / (r.ms / 1000)).toFixed(0)} req/s`);
      }
    }
    const med = (a: number[]) => { const x = [...a].sort((p, q) => p - q); const n = x.length; return n % 2 ? x[(n - 1) / 2] : (x[n / 2 - 1] + x[n / 2]) / 2; };
    const b = med(cpu.baseline);
    const r = med(cpu.rbac);
    // Paired by round (both halves of a round see the same machine load): the median difference.
    const diff = med(cpu.rbac.map((x, i) => x - cpu.baseline[i]));
    const m = await ask(child, 'micro');
    console.log(`\nmachine: ${cpus().length} × ${cpus()[0].model}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}; setup ${setupS.toFixed(1)} s`);
    console.log(`bindings: ${rbs} RoleBindings + ${crbs} ClusterRoleBindings (defaults included)`);
    console.log(`server CPU per request (median of ${ROUNDS} rounds): baseline (system:masters) ${b.toFixed(1)} µs, RBAC user ${r.toFixed(1)} µs; median paired difference ${diff.toFixed(1)} µs → authorizer share ${((diff / r) * 100).toFixed(1)} %`);
    console.log(`authorize() alone: RBAC memoised ${(m.memoNs / 1000).toFixed(2)} µs (${((m.memoNs / 1000 / r) * 100).toFixed(2)} % of a request), memo cleared ${(m.coldNs / 1000).toFixed(1)} µs, system:masters ${(m.mastersNs / 1000).toFixed(3)} µs`);
  } finally {
    admin.close();
    const exited = new Promise((r) => child.once('exit', r));
    child.send({ cmd: 'stop' });
    await exited;
  }
}

if (argv.includes('--server')) await server();
else await main();
