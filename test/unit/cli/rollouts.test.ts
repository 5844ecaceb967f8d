/** The requests `kubelite rollouts` verbs send (Argo's plugin, reference §8) and the tree it prints. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPromote, planRestart, planSetImage, planUndo } from '../../../src/cli/rollouts.ts';
import { currentSetWeight, renderRolloutTree, rolloutSummaryRow } from '../../../src/cli/rollouts-tree.ts';

const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: { duration: 10 } }];
const canary = (status: object, spec: object = {}) => ({ metadata: { name: 'web', generation: 1 }, spec: { strategy: { canary: { steps } }, ...spec }, status });

test('promote: each case of the plugin sends its own status patch, then unpauses only a paused spec', () => {
  const cases: Array<[string, any, boolean, unknown[]]> = [
    ['paused at a pause step: drop the pause conditions', canary({ currentStepIndex: 1, pauseConditions: [{ reason: 'CanaryPauseStep' }], controllerPause: true }), false,
      [{ subresource: 'status', type: 'merge', patch: { status: { pauseConditions: null } } }]],
    ['inconclusive step analysis: also advance the step', canary({ currentStepIndex: 1, pauseConditions: [{ reason: 'InconclusiveAnalysisRun' }], controllerPause: true, canary: { currentStepAnalysisRunStatus: { status: 'Inconclusive' } } }), false,
      [{ subresource: 'status', type: 'merge', patch: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 2 } } }]],
    ['not paused: skip to the next step', canary({ currentStepIndex: 2 }), false,
      [{ subresource: 'status', type: 'merge', patch: { status: { pauseConditions: null, currentStepIndex: 3 } } }]],
    ['last step: the index is capped at len(steps)', canary({ currentStepIndex: 4 }), false,
      [{ subresource: 'status', type: 'merge', patch: { status: { pauseConditions: null, currentStepIndex: 4 } } }]],
    ['--full with an update in progress', canary({ currentPodHash: 'b', stableRS: 'a' }), true,
      [{ subresource: 'status', type: 'merge', patch: { status: { promoteFull: true } } }]],
    ['--full with nothing to promote', canary({ currentPodHash: 'a', stableRS: 'a' }), true, []],
    ['a manually paused spec is unpaused after', canary({ currentStepIndex: 0 }, { paused: true }), false,
      [{ subresource: 'status', type: 'merge', patch: { status: { pauseConditions: null, currentStepIndex: 1 } } }, { type: 'merge', patch: { spec: { paused: false } } }]],
    ['blue/green without pause conditions: no status patch', { metadata: { name: 's' }, spec: { strategy: { blueGreen: { activeService: 'a' } } }, status: {} }, false, []],
  ];
  for (const [what, ro, full, want] of cases) assert.deepEqual(planPromote(ro, full), want, what);
});

test('restart: restartAt is now (+ --in) in RFC 3339 UTC seconds', () => {
  assert.deepEqual(planRestart(Date.parse('2026-12-07T10:00:00.750Z'), 30_000), [{ type: 'merge', patch: { spec: { restartAt: '2026-12-07T10:00:30Z' } } }]);
});

test('undo: the previous revision by default, a JSON patch of spec.template without the hash label', () => {
  const tmpl = (image: string, hash?: string) => ({ metadata: { labels: { app: 'web', ...(hash ? { 'rollouts-pod-template-hash': hash } : {}) } }, spec: { containers: [{ name: 'web', image }] } });
  const rs = (rev: number, image: string, hash: string) => ({ metadata: { name: `web-${hash}`, annotations: { 'rollout.argoproj.io/revision': String(rev) } }, spec: { template: tmpl(image, hash) } });
  const ro = { metadata: { name: 'web' }, spec: { template: tmpl('httpd') } };
  const sets = [rs(1, 'nginx', 'aaa'), rs(3, 'httpd', 'ccc'), rs(2, 'busybox', 'bbb')];
  assert.deepEqual(planUndo(ro, sets).patch, { type: 'json', patch: [{ op: 'replace', path: '/spec/template', value: tmpl('busybox') }] });
  assert.deepEqual(planUndo(ro, sets, 1).patch?.patch, [{ op: 'replace', path: '/spec/template', value: tmpl('nginx') }]);
  assert.equal(planUndo(ro, sets, 3).message, 'skipped rollback (current template already matches revision 3)');
  assert.equal(planUndo(ro, sets, 9).message, 'unable to find specified revision 9');
});

test('set image: named container, "*" for all, a clear error for an unknown name', () => {
  const ro = { spec: { template: { spec: { initContainers: [{ name: 'init', image: 'a' }], containers: [{ name: 'web', image: 'nginx' }, { name: 'side', image: 'b' }] } } } };
  assert.equal(planSetImage(ro, 'web', 'httpd').obj?.spec.template.spec.containers[0].image, 'httpd');
  assert.equal(planSetImage(ro, 'web', 'httpd').obj?.spec.template.spec.containers[1].image, 'b');
  const all = planSetImage(ro, '*', 'x').obj!;
  assert.deepEqual([all.spec.template.spec.initContainers[0].image, ...all.spec.template.spec.containers.map((c: any) => c.image)], ['x', 'x', 'x']);
  assert.equal(planSetImage(ro, 'nope', 'x').error, 'unable to find container named "nope"');
  assert.equal(ro.spec.template.spec.containers[0].image, 'nginx', 'the input is not modified');
});

test('set weight: the last setWeight at or before the current step; 100 past the end; 0 while aborted', () => {
  assert.equal(currentSetWeight(canary({ currentStepIndex: 1 })), 20);
  assert.equal(currentSetWeight(canary({ currentStepIndex: 3 })), 50);
  assert.equal(currentSetWeight(canary({ currentStepIndex: 4 })), 100);
  assert.equal(currentSetWeight(canary({ currentStepIndex: 2, abort: true })), 0);
});

test('get rollout: header and the revision tree as the plugin lays them out', () => {
  const now = Date.parse('2026-12-07T10:10:00Z');
  const ro = { metadata: { name: 'web', namespace: 'default', uid: 'ro1', generation: 2, creationTimestamp: '2026-12-07T10:00:00Z' },
    spec: { replicas: 2, strategy: { canary: { steps } } },
    status: { observedGeneration: '2', phase: 'Paused', message: 'CanaryPauseStep', currentStepIndex: 1, stableRS: 'old', currentPodHash: 'new', replicas: 3, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 } };
  const rs = (hash: string, rev: number, image: string, n: number) => ({ metadata: { name: `web-${hash}`, uid: `rs-${hash}`, labels: { 'rollouts-pod-template-hash': hash }, annotations: { 'rollout.argoproj.io/revision': String(rev) }, creationTimestamp: '2026-12-07T10:09:00Z' },
    spec: { replicas: n, template: { spec: { containers: [{ name: 'web', image }] } } }, status: { replicas: n, availableReplicas: n } });
  const pod = { metadata: { name: 'web-new-x', ownerReferences: [{ uid: 'rs-new' }], creationTimestamp: '2026-12-07T10:09:30Z' },
    spec: { containers: [{ name: 'web' }] }, status: { phase: 'Running', containerStatuses: [{ ready: true, restartCount: 0 }] } };
  const text = renderRolloutTree({ rollout: ro, replicaSets: [rs('old', 1, 'nginx', 2), rs('new', 2, 'httpd', 1)], pods: [pod], analysisRuns: [] }, now);
  const lines = text.split('\n');
  assert.equal(lines[0], 'Name:            web');
  assert.equal(lines[2], 'Status:          ॥ Paused');
  assert.equal(lines[3], 'Message:         CanaryPauseStep');
  assert.ok(lines.includes('  Step:          1/4'));
  assert.ok(lines.includes('  SetWeight:     20'));
  assert.ok(lines.includes('  ActualWeight:  33'), 'basic canary: available canary pods over all available');
  assert.ok(lines.includes('Images:          httpd (canary)'));
  assert.ok(lines.includes('                 nginx (stable)'));
  const tree = lines.slice(lines.findIndex((l) => l.startsWith('NAME')));
  assert.match(tree[1], /^⟳ web\s+Rollout\s+॥ Paused\s+10m/);
  assert.match(tree[2], /^├──# revision:2/);
  assert.match(tree[3], /^│  └──⧉ web-new\s+ReplicaSet\s+✔ Healthy\s+1m\s+canary$/);
  assert.match(tree[4], /^│     └──□ web-new-x\s+Pod\s+✔ Running\s+30s\s+ready:1\/1$/);
  assert.match(tree[5], /^└──# revision:1/);
  assert.match(tree[6], /^   └──⧉ web-old\s+ReplicaSet\s+✔ Healthy\s+1m\s+stable$/);
  assert.match(rolloutSummaryRow(ro), /^web\s+Canary\s+Paused\s+1\/4\s+20\s+3\/3\s+2\s+1\s+3$/);
});
