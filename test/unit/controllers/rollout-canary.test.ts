// The Rollout controller driven against an in-memory API (rollout-world.ts): a basic canary walks its steps,
// pauses, is promoted, aborted and retried, as Argo's controller does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, service, canaryRollout } from './rollout-world.ts';

const HASH = 'rollouts-pod-template-hash';
const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: { duration: '30s' } }, { setWeight: 100 }];

async function setup(extra: any = {}) {
  const w = world({ failImages: ['bad:1'] });
  w.put(w.SVC, service('r-stable', { app: 'r' }));
  w.put(w.SVC, service('r-canary', { app: 'r' }));
  w.put(w.RO, canaryRollout('r', 'nginx', steps, extra));
  await w.drive();
  return w;
}
const sizes = (w: ReturnType<typeof world>) => w.rss().map((rs) => [rs.spec.template.spec.containers[0].image, rs.spec.replicas]);
async function setImage(w: ReturnType<typeof world>, image: string) {
  const r = w.get(w.RO, 'r');
  await w.client.patch(w.RO, 'default', 'r', { spec: { template: { spec: { containers: [{ name: 'web', image }] } } } }, 'merge');
  assert.equal(w.get(w.RO, 'r').metadata.generation, r.metadata.generation + 1);
}
async function promote(w: ReturnType<typeof world>) {
  await w.client.patch(w.RO, 'default', 'r', { status: { pauseConditions: null } }, 'merge', 'status');
}

test('first deploy: promoted at once (Initial deploy), Services pinned, phase Healthy', async () => {
  const w = await setup();
  const r = w.get(w.RO, 'r');
  const [rs] = w.rss();
  const hash = rs.metadata.labels[HASH];
  assert.equal(rs.metadata.name, `r-${hash}`);
  assert.equal(rs.spec.replicas, 5);
  assert.equal(rs.spec.selector.matchLabels[HASH], hash);
  assert.equal(rs.spec.template.metadata.labels[HASH], hash);
  assert.deepEqual(rs.metadata.ownerReferences.map((o: any) => [o.kind, o.name, o.controller]), [['Rollout', 'r', true]]);
  assert.equal(rs.metadata.annotations['rollout.argoproj.io/revision'], '1');
  assert.equal(rs.metadata.annotations['rollout.argoproj.io/desired-replicas'], '5');
  assert.equal(r.metadata.annotations['rollout.argoproj.io/revision'], '1');
  const s = r.status;
  assert.equal(s.phase, 'Healthy');
  assert.equal(s.message, undefined);
  assert.equal(s.stableRS, hash);
  assert.equal(s.currentPodHash, hash);
  assert.equal(s.currentStepIndex, 5);
  assert.equal(s.observedGeneration, '1');
  assert.equal(s.replicas, 5);
  assert.equal(s.availableReplicas, 5);
  assert.equal(s.HPAReplicas, 5);
  assert.equal(s.selector, 'app=r');
  assert.deepEqual(s.blueGreen, {});
  const conds = Object.fromEntries(s.conditions.map((c: any) => [c.type, [c.status, c.reason]]));
  assert.deepEqual(conds, {
    Progressing: ['True', 'NewReplicaSetAvailable'], Available: ['True', 'AvailableReason'], Completed: ['True', 'RolloutCompleted'], Healthy: ['True', 'RolloutHealthy'],
  });
  for (const svc of ['r-stable', 'r-canary']) {
    const o = w.get(w.SVC, svc);
    assert.equal(o.spec.selector[HASH], hash, svc);
    assert.equal(o.metadata.annotations['argo-rollouts.argoproj.io/managed-by-rollouts'], 'r');
  }
});

test('canary walks setWeight 20 → pause → 60 → timed pause → 100 and is promoted', async () => {
  const w = await setup();
  const stableHash = w.rss()[0].metadata.labels[HASH];
  await setImage(w, 'httpd');
  await w.drive();
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Paused');
  assert.equal(r.status.message, 'CanaryPauseStep');
  assert.equal(r.status.currentStepIndex, 1);
  assert.equal(r.status.controllerPause, true);
  assert.deepEqual(r.status.pauseConditions.map((p: any) => p.reason), ['CanaryPauseStep']);
  assert.deepEqual(sizes(w), [['nginx', 4], ['httpd', 1]], '20% of 5');
  const canaryHash = w.rss()[1].metadata.labels[HASH];
  assert.equal(r.status.currentPodHash, canaryHash);
  assert.equal(r.status.stableRS, stableHash);
  assert.equal(w.get(w.SVC, 'r-canary').spec.selector[HASH], canaryHash);
  assert.equal(w.get(w.SVC, 'r-stable').spec.selector[HASH], stableHash);
  assert.equal(w.rss()[1].metadata.annotations['rollout.argoproj.io/revision'], '2');
  assert.equal(r.metadata.annotations['rollout.argoproj.io/revision'], '2');
  assert.deepEqual(r.status.conditions.find((c: any) => c.type === 'Paused'), { ...r.status.conditions.find((c: any) => c.type === 'Paused'), status: 'True', reason: 'RolloutPaused' });
  assert.equal(r.status.conditions.find((c: any) => c.type === 'Completed').status, 'False');
  // Still paused after a long time: an indefinite pause waits for the user.
  w.clock.advance(3600_000);
  await w.drive();
  assert.equal(w.get(w.RO, 'r').status.currentStepIndex, 1);

  await promote(w);
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.currentStepIndex, 3, 'setWeight 60 reached, now on the timed pause');
  assert.deepEqual(sizes(w), [['nginx', 2], ['httpd', 3]], '60% of 5');
  assert.equal(r.status.phase, 'Paused');
  w.clock.advance(31_000);
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(r.status.stableRS, canaryHash);
  assert.equal(r.status.currentStepIndex, 5);
  assert.equal(r.status.controllerPause, undefined);
  assert.deepEqual(sizes(w), [['nginx', 0], ['httpd', 5]]);
  assert.equal(w.get(w.SVC, 'r-stable').spec.selector[HASH], canaryHash);
  await (w.ctrl as any).recorder.flush();
  const events = w.actions.filter((a) => a.resource === 'events' && a.verb === 'create').map((a) => `${a.body.reason}: ${a.body.message}`);
  const steps = events.filter((e) => e.startsWith('RolloutStepCompleted'));
  assert.deepEqual(steps, [
    'RolloutStepCompleted: Rollout step 1/5 completed (setWeight: 20)', 'RolloutStepCompleted: Rollout step 2/5 completed (pause)',
    'RolloutStepCompleted: Rollout step 3/5 completed (setWeight: 60)', 'RolloutStepCompleted: Rollout step 4/5 completed (pause: 30s)',
    'RolloutStepCompleted: Rollout step 5/5 completed (setWeight: 100)',
  ]);
  assert.ok(events.includes(`RolloutCompleted: Rollout completed update to revision 2 (${canaryHash}): Completed all 5 canary steps`), events.join('\n'));
  assert.ok(events.includes(`SwitchService: Switched selector for service 'r-canary' from '${stableHash}' to '${canaryHash}'`));
  assert.ok(events.some((e) => /^ScalingReplicaSet: Scaled up ReplicaSet r-\w+ \(revision 2\) from 0 to 1$/.test(e)));
});

test('abort returns to stable (Degraded, canary scaled down, canary Service back on stable); retry starts over', async () => {
  const w = await setup();
  const stableHash = w.rss()[0].metadata.labels[HASH];
  await setImage(w, 'httpd');
  await w.drive();
  await w.client.patch(w.RO, 'default', 'r', { status: { abort: true } }, 'merge', 'status');
  await w.drive();
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Degraded');
  assert.equal(r.status.message, 'RolloutAborted: Rollout aborted update to revision 2');
  assert.equal(r.status.abort, true);
  assert.ok(r.status.abortedAt);
  assert.equal(r.status.pauseConditions, undefined, 'abort clears the pause');
  assert.equal(r.status.currentStepIndex, 0);
  const prog = r.status.conditions.find((c: any) => c.type === 'Progressing');
  assert.deepEqual([prog.status, prog.reason, prog.message], ['False', 'RolloutAborted', 'Rollout aborted update to revision 2']);
  assert.deepEqual(sizes(w), [['nginx', 5], ['httpd', 0]]);
  assert.equal(w.get(w.SVC, 'r-canary').spec.selector[HASH], stableHash);
  // retry
  await w.client.patch(w.RO, 'default', 'r', { status: { abort: false } }, 'merge', 'status');
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.ok(!r.status.abort, 'retried');
  assert.equal(r.status.abortedAt, undefined);
  assert.equal(r.status.conditions.find((c: any) => c.type === 'Progressing').reason !== 'RolloutAborted', true);
  assert.equal(r.status.phase, 'Paused');
  assert.equal(r.status.currentStepIndex, 1);
  assert.deepEqual(sizes(w), [['nginx', 4], ['httpd', 1]]);
});

test('promote --full skips the remaining steps; a new template mid-rollout resets the steps; rollback to stable skips them', async () => {
  const w = await setup();
  await setImage(w, 'httpd');
  await w.drive();
  await w.client.patch(w.RO, 'default', 'r', { status: { promoteFull: true } }, 'merge', 'status');
  await w.drive();
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(r.status.promoteFull, undefined);
  assert.deepEqual(sizes(w), [['nginx', 0], ['httpd', 5]]);
  await setImage(w, 'caddy');
  await w.drive();
  await setImage(w, 'traefik');
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.currentStepIndex, 1, 'a new template restarts at step 0 and reaches the pause');
  assert.deepEqual(sizes(w).filter(([, n]) => n), [['httpd', 4], ['traefik', 1]], 'the intermediate canary is drained');
  await setImage(w, 'httpd');
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy', 'back to the stable template: steps skipped');
  assert.equal(r.status.currentStepIndex, 5);
  assert.deepEqual(sizes(w).filter(([, n]) => n), [['httpd', 5]]);
});

test('spec.paused halts scaling and shows Paused "manually paused"', async () => {
  const w = await setup();
  await w.client.patch(w.RO, 'default', 'r', { spec: { paused: true } }, 'merge');
  await setImage(w, 'httpd');
  await w.drive();
  const r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Paused');
  assert.equal(r.status.message, 'manually paused');
  assert.deepEqual(sizes(w), [['nginx', 5], ['httpd', 0]]);
  assert.equal(r.status.conditions.find((c: any) => c.type === 'Progressing').reason, 'RolloutPaused');
});

test('a new version that never becomes ready stalls at step 0; progressDeadlineAbort aborts it', async () => {
  const w = await setup({});
  await w.client.patch(w.RO, 'default', 'r', { spec: { progressDeadlineSeconds: 10, progressDeadlineAbort: true } }, 'merge');
  await w.drive();
  await setImage(w, 'bad:1');
  await w.drive();
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.currentStepIndex, 0);
  assert.deepEqual(sizes(w), [['nginx', 4], ['bad:1', 1]]);
  assert.equal(r.status.phase, 'Progressing');
  w.clock.advance(11_000);
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Degraded');
  assert.equal(r.status.abort, true);
  assert.match(r.status.message, /^RolloutAborted: Rollout aborted update to revision 2: ReplicaSet "r-\w+" has timed out progressing\.$/);
  assert.deepEqual(sizes(w), [['nginx', 5], ['bad:1', 0]]);
});

test('invalid references: InvalidSpec condition, Degraded, nothing created; fixed by creating the Service', async () => {
  const w = world();
  w.put(w.SVC, service('r-stable', { app: 'r' }));
  w.put(w.RO, canaryRollout('r', 'nginx', steps));
  await w.drive();
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Degraded');
  assert.equal(r.status.message, 'InvalidSpec: The Rollout "r" is invalid: spec.strategy.canary.canaryService: Invalid value: "r-canary": services "r-canary" not found');
  assert.equal(w.rss().length, 0);
  w.put(w.SVC, service('r-canary', { app: 'r' }));
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(r.status.conditions.some((c: any) => c.type === 'InvalidSpec'), false);
});

test('scaling event: spec.replicas changes re-scale the ReplicaSets without moving steps', async () => {
  const w = await setup();
  await setImage(w, 'httpd');
  await w.drive();
  await w.client.patch(w.RO, 'default', 'r', { spec: { replicas: 10 } }, 'merge');
  await w.drive();
  const r = w.get(w.RO, 'r');
  assert.equal(r.status.currentStepIndex, 1);
  assert.deepEqual(sizes(w), [['nginx', 8], ['httpd', 2]]);
  assert.ok(w.rss().every((rs) => rs.metadata.annotations['rollout.argoproj.io/desired-replicas'] === '10'));
});

test('argoproj.io not served: the controller stays idle and writes nothing', async () => {
  const w = world({ served: false });
  w.put(w.SVC, service('r-stable', { app: 'r' }));
  w.put(w.SVC, service('r-canary', { app: 'r' }));
  w.put(w.RO, canaryRollout('r', 'nginx', steps));
  await w.drive();
  assert.equal(w.rss().length, 0);
  assert.equal(w.actions.length, 0);
});

test('revisionHistoryLimit: old ReplicaSets beyond the limit are deleted once scaled down', async () => {
  const w = await setup({});
  await w.client.patch(w.RO, 'default', 'r', { spec: { revisionHistoryLimit: 1 } }, 'merge');
  for (const image of ['v2', 'v3', 'v4']) {
    await setImage(w, image);
    await w.drive();
    await w.client.patch(w.RO, 'default', 'r', { status: { promoteFull: true } }, 'merge', 'status');
    await w.drive();
  }
  assert.equal(w.get(w.RO, 'r').status.phase, 'Healthy');
  assert.deepEqual(sizes(w), [['v3', 0], ['v4', 5]], `one old revision kept: ${JSON.stringify(sizes(w))}`);
  assert.deepEqual(w.rss().map((rs) => rs.metadata.annotations['rollout.argoproj.io/revision']), ['3', '4']);
});

test('a canary without steps rolls like a Deployment (surge/unavailable) and completes "all 0 canary steps"', async () => {
  const w = world();
  w.put(w.RO, canaryRollout('r', 'nginx', [], { canaryService: undefined, stableService: undefined, maxSurge: 1, maxUnavailable: 0 }));
  await w.drive();
  assert.equal(w.get(w.RO, 'r').status.currentStepIndex, undefined);
  await setImage(w, 'httpd');
  const seen = new Set<string>();
  const done = () => { const st = w.get(w.RO, 'r').status; return st.phase === 'Healthy' && w.rss().some((rs) => rs.spec.template.spec.containers[0].image === 'httpd' && rs.metadata.labels[HASH] === st.stableRS); };
  for (let i = 0; i < 40 && !done(); i++) {
    await w.ctrl.reconcile('default/r');
    const total = w.rss().reduce((s, rs) => s + rs.spec.replicas, 0);
    assert.ok(total <= 6, `never past replicas + maxSurge (${total})`);
    seen.add(JSON.stringify(sizes(w)));
    w.settle();
  }
  const r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.deepEqual(sizes(w), [['nginx', 0], ['httpd', 5]]);
  assert.ok(seen.size >= 5, 'it moved one pod at a time');
  await (w.ctrl as any).recorder.flush();
  assert.ok(w.actions.some((a) => a.resource === 'events' && /Completed all 0 canary steps/.test(a.body?.message ?? '')));
});

test('rollbackWindow: going back to a recent revision skips the steps', async () => {
  const w = await setup({});
  await w.client.patch(w.RO, 'default', 'r', { spec: { rollbackWindow: { revisions: 2 } } }, 'merge');
  await w.drive();
  w.clock.advance(5_000);
  await setImage(w, 'httpd');
  await w.drive();
  await w.client.patch(w.RO, 'default', 'r', { status: { promoteFull: true } }, 'merge', 'status');
  await w.drive();
  assert.deepEqual(sizes(w), [['nginx', 0], ['httpd', 5]]);
  w.clock.advance(5_000);
  await setImage(w, 'nginx');
  await w.drive();
  const r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy', 'no pause: the rollback is within the window');
  assert.equal(r.status.currentStepIndex, 5);
  assert.deepEqual(sizes(w), [['httpd', 0], ['nginx', 5]], 'the old RS is reused with a new revision');
  const back = w.rss()[1];
  assert.equal(back.metadata.annotations['rollout.argoproj.io/revision'], '3');
  assert.equal(back.metadata.annotations['rollout.argoproj.io/revision-history'], '1');
});
