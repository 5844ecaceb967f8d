/**
 * Progressive delivery benchmark: `node --import tsx bench/rollouts.ts [--rate 100] [--interval 5] [--reps 1]`
 *
 * An automatic abort under load. A 5-replica Rollout (kubelite's traffic router, canary weight 20) is updated to
 * a version that answers HTTP 500 to ~10% of requests, while an open-loop load of `rate` requests/s (keep-alive)
 * goes through the stable Service and every request is recorded. The step analysis measures the canary's
 * success rate of live traffic every `interval` seconds (kubelite's built-in provider, window = interval).
 * Prints, per rep: the time from the first bad response to the failing measurement (detection), to the last
 * response served by the bad version (100% stable again), the bad version's own errors, and every other failed
 * request (target: none — only the bad version's own errors before detection).
 */
import { startCluster, waitFor, type Cluster } from '../test/e2e/harness.ts';
import { startLoad, versionOf } from '../test/e2e/load.ts';
import { failingNginx, goodNginx, routedCanary } from '../test/e2e/rollout-fixtures.ts';
import { loadavg } from 'node:os';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const RATE = arg('rate', 100);
const INTERVAL = arg('interval', 5);
const REPS = arg('reps', 1);

const bad = failingNginx;
const good = goodNginx;
const manifests = routedCanary({ intervalS: INTERVAL, initialDelay: true, steps: [
  { setWeight: 20 }, { analysis: { templates: [{ templateName: 'success-rate' }] } }, { setWeight: 100 },
] });

async function rollout(c: Cluster): Promise<any> { return JSON.parse((await c.kubectl(['get', 'rollout', 'web', '-o', 'json'])).stdout); }

async function main() {
  const c = await startCluster({ node: true });
  const rows: Record<string, unknown>[] = [];
  try {
    let r = await c.kubectl(['apply', '-f', '-'], { input: manifests });
    if (r.code) throw new Error(r.stderr);
    await waitFor(async () => (await rollout(c)).status?.phase === 'Healthy', { timeoutMs: 180_000, message: 'first deploy' });
    const ip = JSON.parse((await c.kubectl(['get', 'svc', 'web', '-o', 'json'])).stdout).spec.clusterIP;
    for (let rep = 0; rep < REPS; rep++) {
      const tag = `bad-${rep}`;
      const load = startLoad(`http://${ip}/`, RATE);
      await new Promise((res) => setTimeout(res, 3000));
      r = await c.kubectl(['patch', 'rollout', 'web', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0', value: bad(tag) }])]);
      if (r.code) throw new Error(r.stderr);
      const ro = await waitFor(async () => { const x = await rollout(c); return x.status?.phase === 'Degraded' ? x : undefined; }, { timeoutMs: 240_000, intervalMs: 250, message: 'abort' });
      await new Promise((res) => setTimeout(res, (INTERVAL + 3) * 1000));
      const results = await load.stop();
      const runs = JSON.parse((await c.kubectl(['get', 'analysisruns', '-o', 'json'])).stdout).items;
      const run = runs.find((x: any) => x.metadata.labels?.['rollouts-pod-template-hash'] === ro.status.currentPodHash && x.status?.phase === 'Failed');
      const failing = run?.status?.metricResults?.[0]?.measurements?.find((m: any) => m.phase === 'Failed');
      const byBad = results.filter((x) => versionOf(x, { [tag]: 'bad' }) === 'bad');
      const bad500 = byBad.filter((x) => x.status === 500);
      const others = results.filter((x) => versionOf(x, { [tag]: 'bad' }) !== 'bad' && x.status !== 200);
      const first = bad500[0]?.at ?? NaN;
      const row = {
        rep, rate: RATE, intervalS: INTERVAL, requests: results.length,
        detectMs: failing ? Date.parse(failing.finishedAt) - first : NaN,
        measuredSuccessRate: failing ? Number(failing.value) : NaN,
        toStableMs: (byBad[byBad.length - 1]?.at ?? NaN) - first,
        badVersionRequests: byBad.length, badVersionErrors: bad500.length, otherFailures: others.length,
        load1: Number(loadavg()[0].toFixed(2)),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
      // Back to a good template for the next rep (retry clears the abort).
      await c.kubectl(['patch', 'rollout', 'web', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0', value: good }])]);
      await waitFor(async () => (await rollout(c)).status?.phase === 'Healthy', { timeoutMs: 240_000, message: 'healthy again' });
    }
  } finally { await c.stop(); }
  console.log('\n| rep | rate | interval | detection (first 500 → failing measurement) | first 500 → 100% stable | bad version errors | other failed requests |');
  console.log('|---|---|---|---|---|---|---|');
  for (const x of rows as any[]) console.log(`| ${x.rep} | ${x.rate}/s | ${x.intervalS} s | ${(x.detectMs / 1000).toFixed(1)} s (measured ${x.measuredSuccessRate}) | ${(x.toStableMs / 1000).toFixed(1)} s | ${x.badVersionErrors} of ${x.badVersionRequests} | ${x.otherFailures} |`);
}

await main();
