/**
 * Progressive delivery end to end, under steady load through the stable Service, with the real kubectl, real
 * containers and kubelite's own traffic router (no mesh): a healthy canary walks every step and is promoted with
 * no failed request; a canary that answers 500 to ~10% of requests fails its analysis of live traffic and is
 * rolled back with no human action; a canary that never becomes ready stalls at its first step and is aborted by
 * progressDeadlineAbort, stable untouched.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { repoRoot, run, startCluster, waitFor, type Cluster } from './harness.ts';
import { startLoad, versionOf } from './load.ts';
import { kjson, kubectlOk } from './node-helpers.ts';
import { failingNginx, routedCanary } from './rollout-fixtures.ts';
import { join } from 'node:path';

let c: Cluster;
before(async () => { c = await startCluster({ node: true }); });
after(async () => { await c?.stop(); });

const INTERVAL_S = 5;

const badNginx = failingNginx('bad-v3');
const manifests = routedCanary({ intervalS: INTERVAL_S, count: 3, steps: [
  { setWeight: 20 }, { pause: { duration: '5s' } }, { analysis: { templates: [{ templateName: 'success-rate' }] } },
  { setWeight: 50 }, { pause: { duration: '5s' } },
] });

const rollout = () => kjson(c, ['get', 'rollout', 'web']);
const VERSIONS = { 'bad-v3': 'bad', 'It works!': 'httpd', 'Welcome to nginx': 'nginx' };

async function waitPhase(phase: string, timeoutMs: number, extra: (ro: any) => boolean = () => true): Promise<any> {
  return waitFor(async () => {
    const ro = await rollout();
    return ro.status?.phase === phase && ro.status?.observedGeneration === String(ro.metadata.generation) && extra(ro) ? ro : undefined;
  }, { timeoutMs, intervalMs: 500, message: `rollout phase ${phase}` });
}

let clusterIP = '';

test('first deploy: the stable version is promoted at once and the stable Service serves it', async () => {
  await kubectlOk(c, ['apply', '-f', '-'], { input: manifests });
  const ro = await waitPhase('Healthy', 180_000, (r) => r.status.availableReplicas === 5);
  assert.equal(ro.status.stableRS, ro.status.currentPodHash);
  const svc = await kjson(c, ['get', 'svc', 'web']);
  assert.equal(svc.spec.selector['rollouts-pod-template-hash'], ro.status.stableRS);
  assert.equal(svc.metadata.annotations['argo-rollouts.argoproj.io/managed-by-rollouts'], 'web');
  clusterIP = svc.spec.clusterIP;
  const scale = JSON.parse((await c.kubectl(['get', '--raw', '/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/web/scale'])).stdout);
  assert.deepEqual({ spec: scale.spec, status: scale.status }, { spec: { replicas: 5 }, status: { replicas: 5, selector: 'app=web' } }, 'scale reads status.HPAReplicas and status.selector');
  const cli = (args: string[]) => run(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'rollouts', '--kubeconfig', c.kubeconfig, ...args]);
  const tree = await cli(['get', 'rollout', 'web']);
  assert.equal(tree.code, 0, tree.stderr);
  assert.match(tree.stdout, /^Status:\s+✔ Healthy$/m);
  assert.match(tree.stdout, /^⟳ web\s+Rollout\s+✔ Healthy/m);
  assert.match(tree.stdout, new RegExp(`└──⧉ web-${ro.status.stableRS}\\s+ReplicaSet\\s+✔ Healthy\\s+\\S+\\s+stable`));
  assert.equal((tree.stdout.match(/□ web-/g) ?? []).length, 5, 'five pods in the tree');
  const watched = await cli(['get', 'rollout', 'web', '--watch', '--timeout', '3s']);
  assert.equal(watched.code, 0, watched.stderr);
  assert.match(watched.stdout, /\x1b\[H\x1b\[2JName:\s+web\n/, 'the watch redraws the whole tree');
  assert.match(watched.stdout, /^⟳ web\s+Rollout/m);
  const list = await cli(['list', 'rollouts']);
  assert.match(list.stdout, /^web\s+Canary\s+Healthy\s+5\/5\s+100\s+5\/5\s+5\s+5\s+5$/m);
});

test('a healthy new version walks every step and is promoted, with no failed request', async () => {
  const before = (await rollout()).status.stableRS;
  const load = startLoad(`http://${clusterIP}/`, 50);
  let sawWeight20 = false;
  try {
    await kubectlOk(c, ['patch', 'rollout', 'web', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'httpd' }])]);
    await waitFor(async () => {
      const ro = await rollout();
      if (ro.status?.canary?.weights?.canary?.weight === 20) sawWeight20 = true;
      return ro.status?.phase === 'Healthy' && ro.status.stableRS !== before && ro.status.stableRS === ro.status.currentPodHash && ro.status.availableReplicas === 5;
    }, { timeoutMs: 240_000, intervalMs: 500, message: 'new version promoted' });
  } finally { await load.stop(); }
  const failed = load.results.filter((r) => r.status !== 200);
  assert.equal(failed.length, 0, `failed requests: ${JSON.stringify(failed.slice(0, 5))}`);
  const seen = new Set(load.results.map((r) => versionOf(r, VERSIONS)));
  assert.deepEqual([...seen].sort(), ['httpd', 'nginx']);
  assert.ok(sawWeight20, 'the canary weight was 20 at the first step');
  const tail = load.results.slice(-20).map((r) => versionOf(r, VERSIONS));
  assert.deepEqual([...new Set(tail)], ['httpd'], 'after promotion the new version serves everything');
  const runs = (await kjson(c, ['get', 'analysisruns', '-l', 'rollout-type=Step'])).items;
  assert.ok(runs.some((r: any) => r.status?.phase === 'Successful'), 'the step analysis succeeded');
});

test('a version that fails ~10% of requests is caught by analysis of live traffic and rolled back on its own', async () => {
  const load = startLoad(`http://${clusterIP}/`, 50);
  let ro: any;
  try {
    await kubectlOk(c, ['patch', 'rollout', 'web', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0', value: badNginx }])]);
    ro = await waitPhase('Degraded', 240_000, (r) => r.status.abort === true);
    await new Promise((r) => setTimeout(r, INTERVAL_S * 1000 + 2000));
  } finally { await load.stop(); }
  assert.match(ro.status.message, /RolloutAborted/);
  assert.match(ro.status.message, /success-rate/, 'the message names the metric that failed');
  const run = (await kjson(c, ['get', 'analysisruns', '-l', `rollouts-pod-template-hash=${ro.status.currentPodHash}`])).items
    .find((r: any) => r.status?.phase === 'Failed');
  assert.ok(run, 'a failed AnalysisRun');
  const metric = run.status.metricResults.find((m: any) => m.name === 'success-rate');
  const failing = metric.measurements.find((m: any) => m.phase === 'Failed');
  assert.ok(Number(failing.value) < 0.95, `measured ${failing.value}`);
  const failedAt = Date.parse(failing.finishedAt);
  const badAfter = load.results.filter((r) => versionOf(r, VERSIONS) === 'bad' && r.at > failedAt + INTERVAL_S * 1000);
  assert.equal(badAfter.length, 0, `stable serves 100% within one interval of the failing measurement; late: ${badAfter.length}`);
  const stableErrors = load.results.filter((r) => versionOf(r, VERSIONS) !== 'bad' && r.status !== 200);
  assert.equal(stableErrors.length, 0, `only the bad version's own errors: ${JSON.stringify(stableErrors.slice(0, 3))}`);
  const cond = ro.status.conditions.find((x: any) => x.type === 'Progressing');
  assert.equal(cond.reason, 'RolloutAborted');
  const ev = (await kjson(c, ['get', 'events', '--field-selector', 'involvedObject.kind=Rollout,involvedObject.name=web'])).items;
  assert.ok(ev.some((e: any) => e.reason === 'RolloutAborted' && /success-rate/.test(e.message)), 'an event names the failing metric');
  const svc = await kjson(c, ['get', 'svc', 'web']);
  assert.equal(svc.spec.selector['rollouts-pod-template-hash'], ro.status.stableRS, 'the stable Service never moved');
});

test('a version whose readiness never passes stalls at the first step, stable untouched, until progressDeadlineAbort', async () => {
  const stable = (await rollout()).status.stableRS;
  const neverReady = { name: 'web', image: 'nginx', readinessProbe: { httpGet: { path: '/never-ready', port: 80 }, periodSeconds: 1 } };
  await kubectlOk(c, ['patch', 'rollout', 'web', '--type=json', '-p', JSON.stringify([
    { op: 'replace', path: '/spec/template/spec/containers/0', value: neverReady },
    { op: 'add', path: '/spec/progressDeadlineSeconds', value: 25 },
    { op: 'add', path: '/spec/progressDeadlineAbort', value: true },
  ])]);
  const samples: any[] = [];
  const ro = await waitFor(async () => {
    const r = await rollout();
    const rs = (await kjson(c, ['get', 'rs', '-l', `rollouts-pod-template-hash=${stable}`])).items[0];
    samples.push({ step: r.status?.currentStepIndex, weight: r.status?.canary?.weights?.canary?.weight ?? 0, stableReplicas: rs?.spec?.replicas, stableAvailable: rs?.status?.availableReplicas, phase: r.status?.phase });
    return r.status?.phase === 'Degraded' && r.status.abort ? r : undefined;
  }, { timeoutMs: 180_000, intervalMs: 1000, message: 'aborted by the progress deadline' });
  assert.match(ro.status.message, /ProgressDeadlineExceeded|RolloutAborted/);
  assert.ok(samples.every((s) => (s.step ?? 0) === 0), `stalled at the first step: ${JSON.stringify(samples.map((s) => s.step))}`);
  assert.ok(samples.every((s) => s.weight === 0), 'no traffic to a canary with no ready pod');
  assert.ok(samples.every((s) => s.stableReplicas === 5), 'the stable ReplicaSet was never scaled');
  assert.equal(ro.status.stableRS, stable);
});
