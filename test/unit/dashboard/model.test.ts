/** The mixing board's model: pod cells, faders, the rolling update's arithmetic in words, Services, Nodes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentBoard, eventView, nodeView, podCell, podsByOwner, rollingWords, rolloutBoard, selects, serviceView } from '../../../src/dashboard/model.ts';

const tmpl = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } });
const deploy = (image: string, extra: object = {}) => ({
  metadata: { name: 'web', namespace: 'default', uid: 'd1' },
  spec: { replicas: 10, template: tmpl(image), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, ...extra },
  status: { readyReplicas: 8, updatedReplicas: 5, availableReplicas: 8 },
});
const rs = (uid: string, rev: number, image: string, desired: number, ready: number) => ({
  metadata: { name: `web-${uid}`, uid, annotations: { 'deployment.kubernetes.io/revision': String(rev) }, ownerReferences: [{ uid: 'd1', controller: true }] },
  spec: { replicas: desired, template: { ...tmpl(image), metadata: { labels: { app: 'web', 'pod-template-hash': uid } } } },
  status: { replicas: desired, readyReplicas: ready, availableReplicas: ready },
});
const readyPod = (name: string, owner: string) => ({
  metadata: { name, namespace: 'default', labels: { app: 'web' }, ownerReferences: [{ uid: owner, controller: true }] },
  spec: { nodeName: 'kubelite', containers: [{ name: 'nginx' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: {} } }] },
});
const pullingPod = (name: string, owner: string) => ({
  metadata: { name, namespace: 'default', labels: { app: 'web' }, ownerReferences: [{ uid: owner, controller: true }] },
  spec: { nodeName: 'kubelite', containers: [{ name: 'nginx' }] },
  status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } }] },
});

test('pod cells: ready, waiting reasons (errors and starting), probe failing, terminating, unscheduled, restarts', () => {
  assert.equal(podCell(readyPod('a', 'x')).state, 'ready');
  const pull = podCell(pullingPod('b', 'x'));
  assert.deepEqual([pull.state, pull.reason, pull.node], ['error', 'ImagePullBackOff', 'kubelite']);
  const crash = podCell({ metadata: { name: 'c' }, spec: {}, status: { phase: 'Running', containerStatuses: [{ restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } });
  assert.deepEqual([crash.state, crash.reason, crash.restarts], ['error', 'CrashLoopBackOff', 4]);
  const creating = podCell({ metadata: { name: 'd' }, spec: {}, status: { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }] } });
  assert.deepEqual([creating.state, creating.reason], ['starting', 'ContainerCreating']);
  const probe = podCell({ metadata: { name: 'e' }, spec: { containers: [{ name: 'app', readinessProbe: { httpGet: { port: 80 } } }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'app', ready: false, state: { running: {} } }] } });
  assert.deepEqual([probe.state, probe.reason], ['unready', 'readiness probe failing']);
  assert.equal(podCell({ ...readyPod('f', 'x'), metadata: { name: 'f', deletionTimestamp: 'now' } }).state, 'terminating');
  const unsched = podCell({ metadata: { name: 'g' }, spec: {}, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } });
  assert.deepEqual([unsched.state, unsched.reason, unsched.node], ['starting', 'Unschedulable', '']);
});

test("the guide's demo: 10 replicas, 25%/25%, a missing image — 13 allowed, 8 must stay available, stuck on ImagePullBackOff", () => {
  const rss = [rs('new', 2, 'that-image-does-not-exist', 5, 0), rs('old', 1, 'nginx', 8, 8)];
  const pods = [...Array.from({ length: 8 }, (_, i) => readyPod(`old-${i}`, 'old')), ...Array.from({ length: 5 }, (_, i) => pullingPod(`new-${i}`, 'new'))];
  const by = podsByOwner(pods);
  const b = deploymentBoard(deploy('that-image-does-not-exist'), rss, (u) => by.get(u) ?? []);
  assert.deepEqual(b.faders.map((f) => [f.revision, f.isNew, f.desired, f.ready, f.pods.length]), [[1, false, 8, 8, 8], [2, true, 5, 0, 5]]);
  assert.deepEqual([b.maxSurge, b.maxUnavailable], [3, 2]);
  assert.equal(b.words[0], '13 pods allowed (10 + 3 surge), 8 must stay available (10 − 2 unavailable)');
  assert.equal(b.words[1], 'now 13 pods (8 old + 5 new), 8 available');
  assert.match(b.words[2], /^stuck: .* new pods: ImagePullBackOff$/);
  assert.ok(b.faders[1].pods.every((p) => p.reason === 'ImagePullBackOff'));
});

test('rolling words: progress, completion, and the both-zero fence post', () => {
  const f = (isNew: boolean, desired: number, current: number, available: number) => ({ uid: '', name: '', revision: 0, images: [], isNew, tags: [], desired, current, ready: available, available, pods: [] });
  assert.deepEqual(rollingWords(10, 3, 2, [f(false, 10, 10, 10), f(true, 3, 3, 0)]).slice(1), ['now 13 pods (10 old + 3 new), 10 available', '2 old pods may be removed']);
  assert.deepEqual(rollingWords(4, 1, 0, [f(true, 4, 4, 4)]).slice(1), ['now 4 pods, 4 available', 'rollout complete']);
  const b = deploymentBoard(deploy('nginx', { replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }), [], () => []);
  assert.deepEqual([b.maxSurge, b.maxUnavailable], [0, 1]);
  const rec = deploymentBoard(deploy('nginx', { strategy: { type: 'Recreate' } }), [], () => []);
  assert.equal(rec.maxSurge, undefined);
  assert.match(rec.words[0], /^Recreate/);
});

test('a Rollout board: steps, current step and weight, canary/stable tags, analysis measurements', () => {
  const ro = {
    metadata: { name: 'web', namespace: 'default', uid: 'r1', generation: 2 },
    spec: { replicas: 4, strategy: { canary: { steps: [{ setWeight: 25 }, { pause: {} }, { analysis: { templates: [{ templateName: 'ok' }] } }] } } },
    status: { observedGeneration: '2', phase: 'Paused', currentStepIndex: 1, stableRS: 'aaa', currentPodHash: 'bbb', pauseConditions: [{ reason: 'CanaryPauseStep' }] },
  };
  const mk = (h: string, rev: number, desired: number) => ({ metadata: { name: `web-${h}`, uid: h, labels: { 'rollouts-pod-template-hash': h }, annotations: { 'rollout.argoproj.io/revision': String(rev) } }, spec: { replicas: desired, template: tmpl('nginx') }, status: { replicas: desired, availableReplicas: desired } });
  const run = { metadata: { name: 'web-bbb-2', creationTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Running', metricResults: [{ name: 'ok', phase: 'Running', measurements: [{ phase: 'Successful', value: '1', finishedAt: 't' }] }] } };
  const b = rolloutBoard(ro, [mk('bbb', 2, 1), mk('aaa', 1, 4)], () => [], [run]);
  assert.deepEqual(b.faders.map((f) => [f.revision, f.tags]), [[1, ['stable']], [2, ['canary']]]);
  assert.equal(b.rollout!.currentStepIndex, 1);
  assert.equal(b.rollout!.setWeight, 25);
  assert.deepEqual(b.rollout!.steps, ['setWeight 25%', 'pause (until promoted)', 'analysis ok']);
  assert.equal(b.words[0], 'step 2 of 3 (pause (until promoted)), canary weight 25%');
  assert.equal(b.words[1], '5 pods allowed (4 + 1 surge), 3 must stay available (4 − 1 unavailable)');
  assert.equal(b.words.length, 3, 'the step decides what comes next, not the surge arithmetic');
  assert.deepEqual(b.rollout!.analysis[0].metrics[0].measurements, [{ phase: 'Successful', value: '1', at: 't' }]);
  assert.ok(b.paused);
});

test('Services select pods by their map selector (empty selects none); Nodes list conditions and their pods; events', () => {
  assert.equal(selects({ app: 'web' }, { app: 'web', x: 'y' }), true);
  assert.equal(selects({ app: 'web' }, { app: 'api' }), false);
  assert.equal(selects({}, { app: 'web' }), false);
  const svc = { metadata: { name: 'front', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], clusterIP: '10.96.0.9' } };
  const v = serviceView(svc, [readyPod('a', 'x'), { ...readyPod('b', 'x'), metadata: { name: 'b', namespace: 'default', labels: { app: 'api' } } }]);
  assert.deepEqual([v.selector, v.ports, v.pods.map((p) => p.name)], ['app=web', '80→8080/TCP', ['a']]);
  const n = nodeView({ metadata: { name: 'kubelite' }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }, { type: 'DiskPressure', status: 'True' }] } }, [readyPod('a', 'x')]);
  assert.deepEqual([n.ready, n.conditions.map((c) => c.bad), n.pods.map((p) => p.name)], ['True', [false, false, true], ['a']]);
  const e = eventView({ metadata: { uid: 'u' }, involvedObject: { kind: 'Deployment', name: 'web' }, reason: 'ScalingReplicaSet', message: 'm', type: 'Normal', count: 2, lastTimestamp: 't', source: { component: 'deployment-controller' } });
  assert.deepEqual([e.object, e.count, e.source], ['deployment/web', 2, 'deployment-controller']);
});
