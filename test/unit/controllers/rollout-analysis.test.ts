// Analysis driven by a Rollout (reference §6.7): run names/labels/args, step runs gating a step, Inconclusive →
// pause, Failed → abort naming the metric, background runs from startingStep, runs terminated when no longer
// current; against the in-memory API of rollout-world.ts (the run's phase is set by the test, as the AnalysisRun
// controller would).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Rollout } from '../../../src/controllers/rollout/types.ts';
import { resolveRolloutArgs, runLabels, runName, needsNewAnalysisRun, abortMessage } from '../../../src/controllers/rollout/analysisrun.ts';
import { world, service, canaryRollout } from './rollout-world.ts';

const ro: Rollout = {
  metadata: { name: 'web', namespace: 'prod', uid: 'u1', labels: { team: 'a' }, annotations: { 'rollout.argoproj.io/revision': '4', note: 'x' } },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, strategy: { canary: { stableService: 'web', steps: [] } } },
  status: { stableRS: 'stab1e', currentPodHash: 'n3w' },
};

test('rollout args: value, podTemplateHashValue Latest/Stable, fieldRef on metadata and on any field', () => {
  const args = resolveRolloutArgs([
    { name: 'plain', value: 'v' },
    { name: 'latest', valueFrom: { podTemplateHashValue: 'Latest' } },
    { name: 'stable', valueFrom: { podTemplateHashValue: 'Stable' } },
    { name: 'ns', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'label', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
    { name: 'ann', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
    { name: 'svc', valueFrom: { fieldRef: { fieldPath: 'spec.strategy.canary.stableService' } } },
    { name: 'replicas', valueFrom: { fieldRef: { fieldPath: 'spec.replicas' } } },
    { name: 'secret', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
  ], 'stab1e', 'n3w', ro);
  assert.deepEqual(args, [
    { name: 'plain', value: 'v' }, { name: 'latest', value: 'n3w' }, { name: 'stable', value: 'stab1e' }, { name: 'ns', value: 'prod' },
    { name: 'label', value: 'a' }, { name: 'ann', value: 'x' }, { name: 'svc', value: 'web' }, { name: 'replicas', value: '3' },
    { name: 'secret', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
  ]);
  assert.throws(() => resolveRolloutArgs([{ name: 'x', valueFrom: { fieldRef: { fieldPath: 'spec.strategy' } } }], '', '', ro), /must terminate in a primitive value/);
  assert.throws(() => resolveRolloutArgs([{ name: 'x', valueFrom: { fieldRef: { fieldPath: 'spec.nothing' } } }], '', '', ro), /invalid path spec.nothing in rollout/);
});

test('run names and labels as Argo: <rollout>-<hash>-<revision>[-<step>|-pre|-post]', () => {
  assert.equal(runName(ro, 'n3w', '2'), 'web-n3w-4-2');
  assert.equal(runName(ro, 'n3w', ''), 'web-n3w-4');
  assert.equal(runName(ro, 'n3w', 'pre'), 'web-n3w-4-pre');
  assert.deepEqual(runLabels('Step', 'n3w', 2), { 'rollouts-pod-template-hash': 'n3w', 'rollout-type': 'Step', 'step-index': '2' });
  assert.deepEqual(runLabels('Background', 'n3w'), { 'rollouts-pod-template-hash': 'n3w', 'rollout-type': 'Background' });
  const run = (phase: string) => ({ metadata: { name: 'r' }, spec: {}, status: { phase, message: 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)' } });
  assert.equal(abortMessage('Step', run('Failed')), 'Step-based analysis phase error/failed: Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)');
  assert.equal(abortMessage('PostPromotion', { metadata: { name: 'r' }, spec: {} }), 'Blue/green post-promotion analysis phase error/failed');
  // A new run: none yet; after an inconclusive run was resumed; after a retry.
  assert.equal(needsNewAnalysisRun(undefined, ro), true);
  assert.equal(needsNewAnalysisRun(run('Running') as any, ro), false);
  assert.equal(needsNewAnalysisRun(run('Inconclusive') as any, { ...ro, status: { controllerPause: true } }), true);
  assert.equal(needsNewAnalysisRun(run('Failed') as any, { ...ro, status: { abortedAt: '2026-01-01T00:00:00Z' } }), true);
});

const template = { metadata: { name: 'success-rate' }, spec: { args: [{ name: 'service-name' }, { name: 'canary-hash' }], metrics: [{ name: 'success-rate', successCondition: 'result >= 0.95', provider: { kubelite: { service: '{{args.service-name}}', backend: 'canary', revision: '{{args.canary-hash}}', metric: 'success-rate' } } }] } };
const analysisStep = { analysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'r-stable' }, { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }] } };

async function setup(steps: any[], extra: any = {}) {
  const w = world();
  w.put(w.SVC, service('r-stable', { app: 'r' }));
  w.put(w.SVC, service('r-canary', { app: 'r' }));
  w.put({ group: 'argoproj.io', version: 'v1alpha1', plural: 'analysistemplates', kind: 'AnalysisTemplate', namespaced: true }, structuredClone(template));
  w.put(w.RO, canaryRollout('r', 'nginx', steps, extra));
  await w.drive();
  await w.client.patch(w.RO, 'default', 'r', { spec: { template: { spec: { containers: [{ name: 'web', image: 'httpd' }] } } } }, 'merge');
  await w.drive();
  return w;
}
const runs = (w: ReturnType<typeof world>) => [...w.objs.entries()].filter(([k]) => k.startsWith('analysisruns/')).map(([, v]) => v);
async function setRunPhase(w: ReturnType<typeof world>, name: string, phase: string, message?: string) {
  await w.client.patch(w.ARUN, 'default', name, { status: { phase, message } }, 'merge');
}

test('an analysis step creates one run (named, labelled, args resolved, owned) and advances when it succeeds', async () => {
  const w = await setup([{ setWeight: 20 }, analysisStep, { setWeight: 100 }]);
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.currentStepIndex, 1);
  const hash = r.status.currentPodHash;
  const [run] = runs(w);
  assert.equal(runs(w).length, 1);
  assert.equal(run.metadata.name, `r-${hash}-2-1`);
  assert.deepEqual(run.metadata.labels, { 'rollouts-pod-template-hash': hash, 'rollout-type': 'Step', 'step-index': '1', app: 'r' });
  assert.equal(run.metadata.annotations['rollout.argoproj.io/revision'], '2');
  assert.deepEqual(run.metadata.ownerReferences.map((o: any) => [o.kind, o.name, o.controller]), [['Rollout', 'r', true]]);
  assert.deepEqual(run.spec.args, [{ name: 'service-name', value: 'r-stable' }, { name: 'canary-hash', value: hash }]);
  assert.equal(run.spec.metrics[0].name, 'success-rate');
  assert.deepEqual(r.status.canary.currentStepAnalysisRunStatus, { name: run.metadata.name, status: '' });
  // Running: the step waits; the same run stays current.
  await setRunPhase(w, run.metadata.name, 'Running');
  await w.drive();
  assert.equal(runs(w).length, 1);
  assert.equal(w.get(w.RO, 'r').status.canary.currentStepAnalysisRunStatus.status, 'Running');
  await setRunPhase(w, run.metadata.name, 'Successful');
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(r.status.stableRS, hash);
  assert.equal(runs(w).length, 1);
  assert.equal(runs(w)[0].spec.terminate, undefined, 'a completed run is not terminated');
});

test('a failed run aborts the rollout with the metric in the message and the condition', async () => {
  const w = await setup([{ setWeight: 20 }, analysisStep, { setWeight: 100 }]);
  const [run] = runs(w);
  const msg = 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)';
  await setRunPhase(w, run.metadata.name, 'Failed', msg);
  await w.drive();
  const r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Degraded');
  assert.equal(r.status.message, `RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${msg}`);
  assert.equal(r.status.conditions.find((c: any) => c.type === 'Progressing').message, `Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${msg}`);
  assert.equal(r.status.abort, true);
  assert.deepEqual(w.rss().map((rs) => rs.spec.replicas), [5, 0]);
  await (w.ctrl as any).recorder.flush();
  const ev = w.actions.filter((a) => a.resource === 'events' && a.verb === 'create').map((a) => `${a.body.type} ${a.body.reason}: ${a.body.message}`);
  assert.ok(ev.includes(`Warning RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${msg}`), ev.join('\n'));
  assert.ok(ev.includes(`Warning AnalysisRunFailed: Step Analysis Run '${run.metadata.name}' Status New: 'Failed' Previous: ''`), ev.join('\n'));
  // Retry: a fresh run for the step (abortedAt was set).
  await w.client.patch(w.RO, 'default', 'r', { status: { abort: false } }, 'merge', 'status');
  await w.drive();
  assert.equal(runs(w).length, 2);
  assert.ok(runs(w).some((a) => a.metadata.name === `${run.metadata.name}.1`), 'the new run takes the next free name');
});

test('an inconclusive run pauses (InconclusiveAnalysisRun); promoting creates a new run', async () => {
  const w = await setup([{ setWeight: 20 }, analysisStep, { setWeight: 100 }]);
  const [run] = runs(w);
  await setRunPhase(w, run.metadata.name, 'Inconclusive');
  await w.drive();
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Paused');
  assert.equal(r.status.message, 'InconclusiveAnalysisRun');
  assert.equal(r.status.controllerPause, true);
  await w.client.patch(w.RO, 'default', 'r', { status: { pauseConditions: null } }, 'merge', 'status');
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(runs(w).length, 2, 'a new run replaces the inconclusive one');
  assert.equal(r.status.currentStepIndex, 1);
  assert.equal(r.status.phase, 'Progressing');
});

test('background analysis starts at startingStep, is terminated on promotion', async () => {
  const bg = { templates: [{ templateName: 'success-rate' }], startingStep: 2, args: analysisStep.analysis.args };
  const w = await setup([{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: {} }, { setWeight: 100 }], { analysis: bg });
  let r = w.get(w.RO, 'r');
  assert.equal(r.status.currentStepIndex, 1);
  assert.equal(runs(w).length, 0, 'before startingStep: no background run');
  await w.client.patch(w.RO, 'default', 'r', { status: { pauseConditions: null } }, 'merge', 'status');
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.currentStepIndex, 3);
  const [run] = runs(w);
  assert.equal(runs(w).length, 1);
  assert.equal(run.metadata.labels['rollout-type'], 'Background');
  assert.equal(run.metadata.name, `r-${r.status.currentPodHash}-2`);
  assert.equal(r.status.canary.currentBackgroundAnalysisRunStatus.name, run.metadata.name);
  await setRunPhase(w, run.metadata.name, 'Running');
  await w.client.patch(w.RO, 'default', 'r', { status: { pauseConditions: null } }, 'merge', 'status');
  await w.drive();
  r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Healthy');
  assert.equal(runs(w)[0].spec.terminate, true, 'fully promoted: the background run is terminated');
});

test('an analysis whose template leaves an arg unresolved is an InvalidSpec, not a retry loop', async () => {
  const w = world();
  w.put(w.SVC, service('r-stable', { app: 'r' }));
  w.put(w.SVC, service('r-canary', { app: 'r' }));
  w.put({ group: 'argoproj.io', version: 'v1alpha1', plural: 'analysistemplates', kind: 'AnalysisTemplate', namespaced: true }, structuredClone(template));
  w.put(w.RO, canaryRollout('r', 'nginx', [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'x' }] } }]));
  await w.drive();
  const r = w.get(w.RO, 'r');
  assert.equal(r.status.phase, 'Degraded');
  assert.equal(r.status.message, 'InvalidSpec: The Rollout "r" is invalid: spec.strategy.canary.steps[1].analysis.templates: Invalid value: "success-rate": args.canary-hash was not resolved');
});
