// Blue/green against the in-memory API (reference §5): preview first, previewReplicaCount, pre-promotion analysis
// gating, BlueGreenPause and autoPromotionSeconds, one active switch, post-promotion analysis, scale-down delay,
// abort back to the stable hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, service } from './rollout-world.ts';

const HASH = 'rollouts-pod-template-hash';
const AT = { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysistemplates', kind: 'AnalysisTemplate', namespaced: true };

function bgRollout(bg: any, replicas = 3) {
  return {
    metadata: { name: 'r' },
    spec: {
      replicas, selector: { matchLabels: { app: 'r' } },
      template: { metadata: { labels: { app: 'r' } }, spec: { containers: [{ name: 'web', image: 'blue' }] } },
      strategy: { blueGreen: { activeService: 'active', previewService: 'preview', ...bg } },
    },
  };
}
async function setup(bg: any, replicas = 3) {
  const w = world();
  w.put(w.SVC, service('active', { app: 'r' }));
  w.put(w.SVC, service('preview', { app: 'r' }));
  w.put(AT, { metadata: { name: 'check' }, spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x' } } }] } });
  w.put(w.RO, bgRollout(bg, replicas));
  await w.drive();
  const blue = w.get(w.RO, 'r').status.stableRS;
  await w.client.patch(w.RO, 'default', 'r', { spec: { template: { spec: { containers: [{ name: 'web', image: 'green' }] } } } }, 'merge');
  await w.drive();
  return { w, blue, green: w.get(w.RO, 'r').status.currentPodHash as string };
}
const sel = (w: ReturnType<typeof world>, s: string) => w.get(w.SVC, s).spec.selector[HASH];
const sizes = (w: ReturnType<typeof world>) => w.rss().map((rs) => [rs.spec.template.spec.containers[0].image, rs.spec.replicas]);
const runs = (w: ReturnType<typeof world>) => [...w.objs.entries()].filter(([k]) => k.startsWith('analysisruns/')).map(([, v]) => v);
const promote = (w: ReturnType<typeof world>) => w.client.patch(w.RO, 'default', 'r', { status: { pauseConditions: null } }, 'merge', 'status');

test('manual promotion: preview first, BlueGreenPause, one active switch, old RS kept for scaleDownDelaySeconds', async () => {
  const { w, blue, green } = await setup({ autoPromotionEnabled: false });
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Paused');
  assert.equal(r.status.message, 'BlueGreenPause');
  assert.equal(sel(w, 'preview'), green);
  assert.equal(sel(w, 'active'), blue);
  assert.deepEqual(sizes(w), [['blue', 3], ['green', 3]]);
  assert.deepEqual(r.status.blueGreen, { activeSelector: blue, previewSelector: green });
  assert.equal(r.status.selector, `app=r,${HASH}=${blue}`, 'HPA selector: the active RS');
  assert.equal(r.status.HPAReplicas, 3);
  await promote(w);
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(r.status.stableRS, green);
  assert.equal(sel(w, 'active'), green);
  assert.equal(w.rss()[0].metadata.annotations['scale-down-deadline'], '2026-01-01T00:00:30Z', 'now + 30 s');
  assert.deepEqual(sizes(w), [['blue', 3], ['green', 3]]);
  w.clock.advance(31_000);
  await w.drive();
  assert.deepEqual(sizes(w), [['blue', 0], ['green', 3]]);
  await (w.ctrl as any).recorder.flush();
  const switches = w.actions.filter((a) => a.resource === 'events' && a.body?.reason === 'SwitchService').map((a) => a.body.message);
  assert.ok(switches.includes(`Switched selector for service 'active' from '${blue}' to '${green}'`));
});

test('previewReplicaCount and autoPromotionSeconds: preview at 1 pod, then full size, promoted after the delay', async () => {
  const { w, green } = await setup({ previewReplicaCount: 1, autoPromotionSeconds: 10 });
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Paused');
  assert.deepEqual(sizes(w), [['blue', 3], ['green', 1]]);
  w.clock.advance(5_000);
  await w.drive();
  assert.equal(w.get(w.RO, 'r').status.phase, 'Paused');
  w.clock.advance(6_000);
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(sel(w, 'active'), green);
  assert.deepEqual(sizes(w), [['blue', 3], ['green', 3]]);
});

test('pre-promotion analysis gates promotion: failed → aborted, active untouched; passing → promoted', async () => {
  const ra = { templates: [{ templateName: 'check' }] };
  const { w, blue, green } = await setup({ prePromotionAnalysis: ra });
  let [run] = runs(w);
  assert.equal(run.metadata.name, `r-${green}-2-pre`);
  assert.equal(run.metadata.labels['rollout-type'], 'PrePromotion');
  assert.equal(sel(w, 'active'), blue, 'not before the analysis');
  await w.client.patch(w.ARUN, 'default', run.metadata.name, { status: { phase: 'Failed', message: 'Metric "m" assessed Failed due to failed (1) > failureLimit (0)' } }, 'merge');
  await w.drive();
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Degraded');
  assert.match(r.status.message, /Blue\/green pre-promotion analysis phase error\/failed: Metric "m" assessed Failed/);
  assert.equal(sel(w, 'active'), blue, 'never promoted');
  assert.deepEqual(sizes(w), [['blue', 3], ['green', 3]], 'the preview stays up until abortScaleDownDelaySeconds');
  w.clock.advance(31_000);
  await w.drive();
  assert.deepEqual(sizes(w), [['blue', 3], ['green', 0]]);
  // retry with a passing analysis
  await w.client.patch(w.RO, 'default', 'r', { status: { abort: false } }, 'merge', 'status');
  await w.drive();
  run = runs(w).find((a) => a.metadata.name !== run.metadata.name)!;
  assert.ok(run, 'a fresh pre-promotion run');
  await w.client.patch(w.ARUN, 'default', run.metadata.name, { status: { phase: 'Successful' } }, 'merge');
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(sel(w, 'active'), green);
});

test('post-promotion analysis: active switched, stable waits for it; abort switches back to the old RS at once', async () => {
  const { w, blue, green } = await setup({ postPromotionAnalysis: { templates: [{ templateName: 'check' }] } });
  let r = w.get(w.RO, 'r');
  assert.equal(sel(w, 'active'), green, 'auto-promoted');
  assert.equal(r.status.stableRS, blue, 'not stable until post-promotion analysis succeeds');
  assert.equal(r.status.message, 'waiting for analysis to complete');
  const [run] = runs(w);
  assert.equal(run.metadata.name, `r-${green}-2-post`);
  assert.deepEqual(sizes(w), [['blue', 3], ['green', 3]], 'old RS kept while the analysis runs');
  await w.client.patch(w.RO, 'default', 'r', { status: { abort: true } }, 'merge', 'status');
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Degraded');
  assert.equal(sel(w, 'active'), blue, 'back to the stable hash in one switch');
  assert.equal(runs(w)[0].spec.terminate, true);
});
