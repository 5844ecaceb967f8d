/** The requests kubectl sends for its Deployment verbs (the dashboard sends exactly these). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPause, planRestart, planScale, planSetImage, planUndo } from '../../../src/client/deployment-plans.ts';

const tmpl = (image: string, hash?: string) => ({ metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } }, spec: { containers: [{ name: 'nginx', image }] } });
const rs = (rev: number, image: string, hash: string, ann: Record<string, string> = {}) => ({
  metadata: { name: `web-${hash}`, annotations: { 'deployment.kubernetes.io/revision': String(rev), 'deployment.kubernetes.io/desired-replicas': '10', ...ann } },
  spec: { template: tmpl(image, hash) },
});
const d = (image: string, extra: object = {}) => ({
  metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'x' } },
  spec: { template: tmpl(image), ...extra },
});

test('scale, set image, pause/resume, restart: the patches kubectl sends', () => {
  assert.deepEqual(planScale(3), { subresource: 'scale', type: 'merge', patch: { spec: { replicas: 3 } } });
  assert.deepEqual(planSetImage('nginx', 'x'), { type: 'strategic', patch: { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'x' }] } } } } });
  assert.deepEqual(planPause(true), { type: 'strategic', patch: { spec: { paused: true } } });
  assert.deepEqual(planRestart(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
    { type: 'strategic', patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-02T03:04:05Z' } } } } } });
});

test("undo: the chosen revision's template without pod-template-hash, annotations as kubectl's rollback copies them", () => {
  const rss = [rs(1, 'nginx', 'aaa', { 'kubernetes.io/change-cause': 'first' }), rs(2, 'bad', 'bbb')];
  const plan = planUndo(d('bad'), rss, 0);
  assert.equal(plan.revision, 1);
  assert.deepEqual(plan.patch, {
    type: 'json',
    patch: [
      { op: 'replace', path: '/spec/template', value: tmpl('nginx') },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'kubernetes.io/change-cause': 'first' } },
    ],
  });
  assert.equal(planUndo(d('bad'), rss, 1).revision, 1);
  assert.deepEqual(planUndo(d('bad'), rss, 7), { error: 'unable to find specified revision 7 in history' });
  assert.deepEqual(planUndo(d('nginx'), rss, 1), { revision: 1, skipped: 'skipped rollback (current template already matches revision 1)' });
  assert.match(planUndo(d('bad', { paused: true }), rss, 1).error!, /cannot rollback a paused deployment/);
  assert.deepEqual(planUndo(d('bad'), [rs(2, 'bad', 'bbb')], 0), { error: 'no rollout history found for deployment' });
});
