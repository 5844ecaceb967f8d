// The on-demand Prometheus' life cycle, with a stand-in executable (a small HTTP server speaking the few endpoints
// kubelite uses) so that starting, crashing, restarting and stopping are exercised without the real binary; the
// e2e test (test/e2e/analysis-prometheus.test.ts) runs Debian's Prometheus.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { OnDemandPrometheus, stopLeftoverPrometheus, type PodWatch } from '../../../src/analysis/prometheus-server.ts';
import { PAGE_TITLE, type Pod } from '../../../src/analysis/prometheus-config.ts';
import { createProviders, takeMeasurement } from '../../../src/analysis/providers/index.ts';
import type { AnalysisRun, Metric } from '../../../src/analysis/types.ts';
import { FakeClock } from '../../../src/util/clock.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kubelite-prom-unit-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// The stand-in: answers /-/ready, /api/v1/targets (every target in the file_sd files, scraped) and /api/v1/query
// (sum(...) = number of pod targets; the query `crash` makes it exit mid-request, `exit-on-start` in its dir makes
// it exit at once).
const fakeJs = join(tmp, 'fake-prometheus.mjs');
writeFileSync(fakeJs, `
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
const arg = (n) => process.argv.find((a) => a.startsWith('--' + n + '='))?.slice(n.length + 3);
const dir = dirname(arg('config.file'));
if (existsSync(join(dir, 'exit-on-start'))) { console.error('level=error msg="opening storage failed" err="boom"'); process.exit(2); }
const groups = (f) => { try { return JSON.parse(readFileSync(join(dir, 'targets', f), 'utf8')); } catch { return []; } };
const [host, port] = arg('web.listen-address').split(':');
createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const json = (o) => { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify(o)); };
    if (req.url === '/-/ready') return res.end('ready');
    if (req.url.startsWith('/api/v1/targets')) {
      const active = [...groups('proxy.json'), ...groups('pods.json')].flatMap((g) => g.targets).map((t) => ({ scrapeUrl: t, lastScrape: new Date().toISOString(), health: 'up' }));
      return json({ status: 'success', data: { activeTargets: active } });
    }
    const q = new URLSearchParams(body).get('query');
    if (q === 'crash') process.exit(7);
    json({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, String(groups('pods.json').length)] }] } });
  });
}).listen(Number(port), host);
`);
const fakeBin = join(tmp, 'prometheus');
writeFileSync(fakeBin, `#!/bin/sh\nexec "${process.execPath}" "${fakeJs}" "$@"\n`);
chmodSync(fakeBin, 0o755);

const run: AnalysisRun = { metadata: { name: 'r', namespace: 'shop' }, spec: { metrics: [] } };
const clock = new FakeClock(Date.parse('2026-05-01T10:00:00Z'));
const metric = (query: string): Metric => ({ name: 'm', successCondition: 'result[0] >= 1', provider: { prometheus: { query } } });
const annotated = (name: string, ip: string): Pod => ({
  metadata: { name, namespace: 'shop', annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' } },
  spec: { containers: [] }, status: { podIP: ip, phase: 'Running' },
} as Pod);

/** A PodWatch the test drives. */
function podFeed(): { watch: PodWatch; set(p: Pod[]): void; stopped: () => boolean } {
  let cb: ((p: Pod[]) => void) | undefined;
  let stopped = false;
  return {
    watch: async (onChange) => { cb = onChange; onChange([]); return async () => { stopped = true; }; },
    set: (p) => cb?.(p),
    stopped: () => stopped,
  };
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('started by the first address-less measurement only, once for concurrent callers; targets follow pods and the proxy', async () => {
  const dir = join(tmp, 'a');
  const feed = podFeed();
  const prom = new OnDemandPrometheus({ dir, binary: fakeBin, watchPods: feed.watch, log: () => {} });
  try {
    assert.equal(existsSync(join(dir, 'prometheus.yml')), false, 'nothing happens before a metric needs it');
    const providers = createProviders({ prometheus: prom });
    const [m1, m2] = await Promise.all([
      takeMeasurement({ run, metric: metric('sum(up)') }, providers, clock),
      takeMeasurement({ run, metric: metric('sum(up)') }, providers, clock),
    ]);
    assert.deepEqual([m1.phase, m1.value, m2.phase], ['Failed', '[0]', 'Failed']);
    const st = prom.status();
    assert.equal(st.running, true);
    assert.match(st.url!, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(readFileSync(join(dir, 'prometheus.pid'), 'utf8').trim(), String(st.pid));
    const cmdline = readFileSync(`/proc/${st.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes(`--web.listen-address=${st.url!.slice('http://'.length)}`));
    assert.ok(cmdline.includes(`--storage.tsdb.path=${join(dir, 'data')}`));

    prom.setProxyMetricsUrl('http://127.0.0.1:10249/metrics');
    feed.set([annotated('a', '10.88.0.4'), annotated('b', '10.88.0.5')]);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'targets', 'proxy.json'), 'utf8')).map((g: any) => g.targets[0]), ['127.0.0.1:10249']);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'targets', 'pods.json'), 'utf8')).map((g: any) => g.targets[0]), ['10.88.0.4:8080', '10.88.0.5:8080']);
    const m3 = await takeMeasurement({ run, metric: metric('sum(up)') }, providers, clock);
    assert.deepEqual([m3.phase, m3.value], ['Successful', '[2]']);
    assert.equal(prom.status().pid, st.pid, 'the same process answers');
  } finally {
    await prom.stop();
  }
  assert.equal(feed.stopped(), true);
  await assert.rejects(prom.address(), /stopped: the cluster is shutting down/);
});

test('a crash is the measurement\'s error, and the next measurement starts Prometheus again', async () => {
  const prom = new OnDemandPrometheus({ dir: join(tmp, 'b'), binary: fakeBin, log: () => {} });
  const providers = createProviders({ prometheus: prom });
  try {
    await prom.address();
    const first = prom.status().pid!;
    const m = await takeMeasurement({ run, metric: metric('crash') }, providers, clock);
    assert.equal(m.phase, 'Error');
    assert.match(m.message!, new RegExp(`^the on-demand Prometheus \\(pid ${first}\\) exited unexpectedly \\(code 7\\); it is started again at the next measurement$`));
    const again = await takeMeasurement({ run, metric: metric('vector(1)') }, providers, clock);
    assert.equal(again.phase, 'Failed', 'answered (0 pod targets < 1) by a new process');
    const second = prom.status().pid!;
    assert.notEqual(second, first);
    assert.equal(alive(first), false);

    // Killed between measurements: reported once by the next one, then restarted.
    process.kill(second, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const m2 = await takeMeasurement({ run, metric: metric('vector(1)') }, providers, clock);
    assert.equal(m2.phase, 'Error');
    assert.match(m2.message!, /exited unexpectedly \(signal SIGKILL\)/);
    const m3 = await takeMeasurement({ run, metric: metric('vector(1)') }, providers, clock);
    assert.equal(m3.phase, 'Failed');
    assert.notEqual(prom.status().pid, second);
  } finally {
    await prom.stop();
  }
  assert.equal(prom.status().running, false);
});

test('one that cannot start says why (missing binary, exit with its log line); an explicit address needs none', async () => {
  const missing = new OnDemandPrometheus({ dir: join(tmp, 'c'), binary: join(tmp, 'no-such-prometheus'), log: () => {} });
  const m = await takeMeasurement({ run, metric: metric('up') }, createProviders({ prometheus: missing }), clock);
  assert.equal(m.phase, 'Error');
  assert.match(m.message!, /^could not start Prometheus \(.*no-such-prometheus\): spawn .* ENOENT; install it with `kubelite setup`/);
  await missing.stop();

  const dir = join(tmp, 'd');
  const failing = new OnDemandPrometheus({ dir, binary: fakeBin, log: () => {} });
  await failing.address().catch(() => {}); // creates the dir
  await failing.stop();
  writeFileSync(join(dir, 'exit-on-start'), '');
  const broken = new OnDemandPrometheus({ dir, binary: fakeBin, log: () => {} });
  await assert.rejects(broken.address(), (e: Error) => {
    assert.match(e.message, /^the on-demand Prometheus did not start: exited \(code 2\): level=error msg="opening storage failed" err="boom" \(log: .*prometheus\.log\)$/);
    return true;
  });
  await broken.stop();

  // Validation: without any Prometheus a metric with no address is invalid; with the on-demand one it is fine.
  const none = createProviders();
  assert.equal(none.get('prometheus')!.validate(metric('up')), 'prometheus address is not configured');
  assert.equal(createProviders({ prometheus: broken }).get('prometheus')!.validate(metric('up')), undefined);
});

test('a Prometheus left behind by a killed kubelite is stopped at the next start, another process never', async () => {
  const dir = join(tmp, 'e');
  const first = new OnDemandPrometheus({ dir, binary: fakeBin, log: () => {} });
  await first.address();
  const orphan = first.status().pid!;
  // What a SIGKILLed kubelite leaves: the process and its pid file.
  const unrelated = spawn('sleep', ['30'], { stdio: 'ignore' });
  const logs: string[] = [];
  const second = new OnDemandPrometheus({ dir, binary: fakeBin, log: (l) => logs.push(l) });
  try {
    await second.address();
    assert.equal(alive(orphan), false);
    assert.ok(logs.some((l) => l.includes(`stopped pid ${orphan} left behind`)));
    writeFileSync(join(dir, 'prometheus.pid'), `${unrelated.pid}\n`);
    assert.equal(await stopLeftoverPrometheus(dir), undefined, 'a pid that is not kubelite\'s Prometheus is not touched');
    assert.equal(alive(unrelated.pid!), true);
  } finally {
    unrelated.kill();
    await second.stop();
    await first.stop();
  }
});
