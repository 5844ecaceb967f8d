/**
 * The Rollout controller end to end: `kubelite up --no-node` with the test-only sim node (pods turn Ready through the
 * API), driven by the real kubectl with the exact patches Argo's kubectl plugin sends. A canary nginx → httpd walks
 * setWeight 20 → pause → 50 → 100 and is promoted (phase Healthy); an abort returns to stable; a blue/green Rollout
 * serves the new version on the preview Service and switches the active one on promotion.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { startSimNode, type SimNode } from './sim-node.ts';
import { ok } from './controllers-helpers.ts';
import { R } from '../../src/client/resources.ts';

let c: Cluster;
let node: SimNode;
before(async () => {
  c = await startCluster();
  node = await startSimNode({ client: c.client, failImages: ['bad:1'] });
});
after(async () => { await node?.stop(); await c?.stop(); });

const HASH = 'rollouts-pod-template-hash';
const ro = async (name: string) => JSON.parse(ok(await c.kubectl(['get', 'rollout', name, '-o', 'json'])));
const rss = async (app: string) => (await c.client.list<ReplicaSet>(R.replicasets, 'default', { labelSelector: `app=${app}` })).items;
const svc = (name: string) => c.client.get<Service>(R.services, 'default', name);
/** [image, spec replicas, available] per ReplicaSet, oldest revision first. */
async function sizes(app: string): Promise<[string, number, number][]> {
  const list = await rss(app);
  list.sort((a, b) => Number(a.metadata!.annotations!['rollout.argoproj.io/revision']) - Number(b.metadata!.annotations!['rollout.argoproj.io/revision']));
  return list.map((rs) => [rs.spec!.template!.spec!.containers[0].image!, rs.spec!.replicas ?? 0, rs.status?.availableReplicas ?? 0]);
}
const same = (want: unknown) => async (app: string) => JSON.stringify(await sizes(app)) === JSON.stringify(want);
const statusPatch = async (name: string, patch: object) => ok(await c.kubectl(['patch', 'rollout', name, '--subresource=status', '--type=merge', '-p', JSON.stringify(patch)]));
const setImage = async (name: string, image: string) => ok(await c.kubectl(['patch', 'rollout', name, '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'web', image }] } } } })]));
async function phase(name: string, want: string, message?: string | RegExp) {
  return waitFor(async () => {
    const r = await ro(name);
    const s = r.status ?? {};
    if (s.phase !== want) return false;
    if (message instanceof RegExp ? !message.test(s.message ?? '') : message !== undefined && (s.message ?? '') !== message) return false;
    return s.observedGeneration === String(r.metadata.generation) ? r : false;
  }, { timeoutMs: 60_000, message: `rollout ${name} phase ${want}${message ? ` (${message})` : ''}` });
}

function services(app: string, names: string[]): string {
  return names.map((n) => `apiVersion: v1
kind: Service
metadata:
  name: ${n}
spec:
  selector: {app: ${app}}
  ports: [{port: 80, targetPort: 80}]
`).join('---\n');
}

/** A Rollout of one "web" container, nginx:1, with the given strategy block (YAML, indented under `strategy:`). */
const rollout = (name: string, replicas: number, strategy: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  revisionHistoryLimit: 3
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: web
        image: nginx:1
  strategy:
${strategy}`;

const canary = rollout('web', 5, `    canary:
      stableService: web
      canaryService: web-canary
      steps:
      - setWeight: 20
      - pause: {}
      - setWeight: 50
      - pause: {duration: 2s}
      - setWeight: 100
`);

test('canary nginx → httpd: setWeight 20 → pause → 50 → 100, promoted, phase Healthy', async () => {
  ok(await c.kubectl(['apply', '-f', '-'], { input: `${services('web', ['web', 'web-canary'])}---${canary}` }));
  let r = await phase('web', 'Healthy');
  const stable = r.status.stableRS;
  assert.equal(r.status.currentPodHash, stable);
  assert.equal(r.status.currentStepIndex, 5);
  assert.equal((await svc('web')).spec!.selector![HASH], stable);
  assert.equal((await svc('web')).metadata!.annotations!['argo-rollouts.argoproj.io/managed-by-rollouts'], 'web');
  assert.deepEqual(await sizes('web'), [['nginx:1', 5, 5]]);

  await setImage('web', 'httpd:2');
  r = await phase('web', 'Paused', 'CanaryPauseStep');
  assert.equal(r.status.currentStepIndex, 1);
  await waitFor(() => same([['nginx:1', 4, 4], ['httpd:2', 1, 1]])('web'), { message: '20% of 5: one httpd pod' });
  const canaryHash = r.status.currentPodHash;
  assert.notEqual(canaryHash, stable);
  assert.equal((await svc('web')).spec!.selector![HASH], stable);
  assert.equal((await svc('web-canary')).spec!.selector![HASH], canaryHash);
  const list = ok(await c.kubectl(['get', 'rollout', 'web', '--no-headers']));
  assert.deepEqual(list.trim().split(/\s+/).slice(0, 5), ['web', '5', '5', '1', '5']);

  // `kubectl argo rollouts promote web` sends exactly this (pause conditions present).
  await statusPatch('web', { status: { pauseConditions: null } });
  r = await phase('web', 'Healthy');
  assert.equal(r.status.stableRS, canaryHash);
  assert.equal(r.status.currentStepIndex, 5);
  assert.equal((await svc('web')).spec!.selector![HASH], canaryHash);
  await waitFor(() => same([['nginx:1', 0, 0], ['httpd:2', 5, 5]])('web'), { message: 'stable scaled down' });
  const conds = Object.fromEntries(r.status.conditions.map((x: any) => [x.type, `${x.status}/${x.reason}`]));
  assert.equal(conds.Progressing, 'True/NewReplicaSetAvailable');
  assert.equal(conds.Healthy, 'True/RolloutHealthy');
  assert.equal(conds.Completed, 'True/RolloutCompleted');
  const events = ok(await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web,involvedObject.kind=Rollout', '-o', 'jsonpath={range .items[*]}{.reason}|{.message}{"\\n"}{end}']));
  assert.match(events, /RolloutStepCompleted\|Rollout step 1\/5 completed \(setWeight: 20\)/);
  assert.match(events, new RegExp(`RolloutCompleted\\|Rollout completed update to revision 2 \\(${canaryHash}\\): Completed all 5 canary steps`));
});

test('abort via the status subresource returns to stable; retry starts the steps over', async () => {
  const before = await ro('web');
  const stable = before.status.stableRS;
  await setImage('web', 'caddy:3');
  await phase('web', 'Paused', 'CanaryPauseStep');
  await statusPatch('web', { status: { abort: true } });
  const r = await phase('web', 'Degraded', 'RolloutAborted: Rollout aborted update to revision 3');
  assert.equal(r.status.currentStepIndex, 0);
  assert.ok(r.status.abortedAt);
  await waitFor(() => same([['nginx:1', 0, 0], ['httpd:2', 5, 5], ['caddy:3', 0, 0]])('web'), { message: 'back to 5 stable pods' });
  assert.equal((await svc('web-canary')).spec!.selector![HASH], stable, 'the canary Service serves stable again');
  await statusPatch('web', { status: { abort: false } });
  await phase('web', 'Paused', 'CanaryPauseStep');
  await waitFor(() => same([['nginx:1', 0, 0], ['httpd:2', 4, 4], ['caddy:3', 1, 1]])('web'), { message: 'retried at 20%' });
});

test('blue/green: preview serves the new version, promotion switches the active Service, the old RS goes after its delay', async () => {
  const bg = rollout('bg', 2, `    blueGreen:
      activeService: bg-active
      previewService: bg-preview
      autoPromotionEnabled: false
      scaleDownDelaySeconds: 3
`);
  ok(await c.kubectl(['apply', '-f', '-'], { input: `${services('bg', ['bg-active', 'bg-preview'])}---${bg}` }));
  let r = await phase('bg', 'Healthy');
  const blue = r.status.stableRS;
  assert.equal(r.status.blueGreen.activeSelector, blue);
  assert.equal((await svc('bg-active')).spec!.selector![HASH], blue);
  await setImage('bg', 'httpd:2');
  r = await phase('bg', 'Paused', 'BlueGreenPause');
  const green = r.status.currentPodHash;
  assert.equal((await svc('bg-preview')).spec!.selector![HASH], green, 'preview → new');
  assert.equal((await svc('bg-active')).spec!.selector![HASH], blue, 'active unchanged before promotion');
  assert.deepEqual(await sizes('bg'), [['nginx:1', 2, 2], ['httpd:2', 2, 2]]);
  await statusPatch('bg', { status: { pauseConditions: null } });
  r = await phase('bg', 'Healthy');
  assert.equal(r.status.stableRS, green);
  assert.equal(r.status.blueGreen.activeSelector, green);
  assert.equal((await svc('bg-active')).spec!.selector![HASH], green, 'one switch');
  const old = (await rss('bg')).find((x) => x.metadata!.labels![HASH] === blue)!;
  assert.ok(old.metadata!.annotations!['scale-down-deadline'], 'the old RS waits for its scale-down delay');
  await waitFor(() => same([['nginx:1', 0, 0], ['httpd:2', 2, 2]])('bg'), { message: 'old RS scaled down after scaleDownDelaySeconds' });
});

test('analysis step: a passing web metric promotes; a failing one aborts, naming the metric', async () => {
  const { createServer } = await import('node:http');
  let verdict = 1;
  const srv = createServer((_req, res) => { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify({ ok: verdict })); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  try {
    const template = `
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: web-check
spec:
  args:
  - name: canary-hash
  metrics:
  - name: web-check
    successCondition: result == 1
    provider:
      web:
        url: "http://127.0.0.1:${port}/check?hash={{args.canary-hash}}"
        jsonPath: "{$.ok}"
`;
    const an = rollout('an', 3, `    canary:
      steps:
      - setWeight: 34
      - analysis:
          templates: [{templateName: web-check}]
          args: [{name: canary-hash, valueFrom: {podTemplateHashValue: Latest}}]
      - setWeight: 100
`);
    ok(await c.kubectl(['apply', '-f', '-'], { input: `${template}---${an}` }));
    await phase('an', 'Healthy');
    await setImage('an', 'httpd:2');
    let r = await phase('an', 'Healthy');
    assert.equal(r.status.currentStepIndex, 3);
    const runs = JSON.parse(ok(await c.kubectl(['get', 'analysisruns', '-l', 'rollout-type=Step', '-o', 'json']))).items;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].metadata.name, `an-${r.status.stableRS}-2-1`);
    assert.equal(runs[0].status.phase, 'Successful');
    assert.deepEqual(runs[0].spec.args, [{ name: 'canary-hash', value: r.status.stableRS }]);

    verdict = 0;
    await setImage('an', 'caddy:3');
    r = await phase('an', 'Degraded', /^RolloutAborted: Rollout aborted update to revision 3: Step-based analysis phase error\/failed: Metric "web-check" assessed Failed/);
    assert.equal(r.status.abort, true);
    await waitFor(() => same([['nginx:1', 0, 0], ['httpd:2', 3, 3], ['caddy:3', 0, 0]])('an'), { message: 'rolled back to httpd' });
    const ev = ok(await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=an,reason=RolloutAborted', '-o', 'jsonpath={.items[*].message}']));
    assert.match(ev, /Metric "web-check" assessed Failed/);
  } finally {
    srv.close();
  }
});
