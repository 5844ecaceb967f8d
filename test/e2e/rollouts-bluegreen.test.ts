/**
 * Blue/green end to end with the real kubectl and real containers: the preview Service serves the new version
 * before promotion; a failing pre-promotion analysis never promotes (the active Service does not move); a passing
 * one promotes in one switch of the active Service; `kubelite rollouts abort` during post-promotion analysis
 * returns the active Service to the old ReplicaSet at once, its pods still up.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot, run, startCluster, waitFor, type Cluster } from './harness.ts';
import * as http from 'node:http';
import { kjson, kubectlOk } from './node-helpers.ts';

/** GET on a new connection each time (a kept connection would stay with the pod the Service selected before). */
function httpText(ip: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get(`http://${ip}/`, { agent: false, timeout: 3000 }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve(b));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(''));
  });
}
/** The version the Service answers with once its endpoints and the proxy caught up with a selector change. */
const answers = (ip: string, version: string) =>
  waitFor(async () => (await httpText(ip)).includes(`"version": "${version}"`), { timeoutMs: 10_000, intervalMs: 100, message: `${ip} answers ${version}` });

let c: Cluster;
before(async () => { c = await startCluster({ node: true }); });
after(async () => { await c?.stop(); });

/** nginx answering `{"healthy": <ok>, "version": "<v>"}` on every path. */
const app = (version: string, ok: boolean) => ({
  name: 'shop', image: 'nginx',
  command: ['sh', '-c', [
    'rm -f /etc/nginx/sites-enabled/default',
    `printf '%s\\n' 'server { listen 80; default_type application/json; location / { return 200 "{\\"healthy\\": ${ok}, \\"version\\": \\"${version}\\"}"; } }' > /etc/nginx/conf.d/app.conf`,
    "exec nginx -g 'daemon off;'",
  ].join(' && ')],
  readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 },
});

const rolloutsCli = (args: string[]) => run(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'rollouts', '--kubeconfig', c.kubeconfig, ...args]);
const rollout = () => kjson(c, ['get', 'rollout', 'shop']);
const activeHash = async () => (await kjson(c, ['get', 'svc', 'shop-active'])).spec.selector?.['rollouts-pod-template-hash'];

async function setTemplate(version: string, ok: boolean): Promise<void> {
  await kubectlOk(c, ['patch', 'rollout', 'shop', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0', value: app(version, ok) }])]);
}

let previewIP = '';
let activeIP = '';

test('setup: v1 is active; a template checks the preview through the web provider', async () => {
  await kubectlOk(c, ['apply', '-f', join(repoRoot, 'examples/rollouts/bluegreen.yaml')]);
  await kubectlOk(c, ['patch', 'rollout', 'shop', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0', value: app('v1', true) }])]);
  await waitFor(async () => { const r = await rollout(); return r.status?.phase === 'Healthy' && r.status.availableReplicas === 3; }, { timeoutMs: 180_000, message: 'v1 healthy' });
  previewIP = (await kjson(c, ['get', 'svc', 'shop-preview'])).spec.clusterIP;
  activeIP = (await kjson(c, ['get', 'svc', 'shop-active'])).spec.clusterIP;
  assert.match(await httpText(activeIP), /"version": "v1"/);
  await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'preview-health' },
    spec: { args: [{ name: 'url' }], metrics: [{ name: 'healthy', successCondition: 'result == true', provider: { web: { url: '{{args.url}}', jsonPath: '{$.healthy}' } } }] },
  }) });
  await kubectlOk(c, ['patch', 'rollout', 'shop', '--type=merge', '-p', JSON.stringify({ spec: { strategy: { blueGreen: {
    autoPromotionEnabled: true,
    prePromotionAnalysis: { templates: [{ templateName: 'preview-health' }], args: [{ name: 'url', value: `http://${previewIP}/` }] },
  } } } })]);
});

test('a failing pre-promotion analysis never promotes: the active Service stays on v1', async () => {
  const v1 = await activeHash();
  const seenActive = new Set<string>();
  await setTemplate('v2-bad', false);
  const ro = await waitFor(async () => {
    seenActive.add(await activeHash());
    const r = await rollout();
    return r.status?.phase === 'Degraded' ? r : undefined;
  }, { timeoutMs: 180_000, intervalMs: 500, message: 'aborted by pre-promotion analysis' });
  assert.deepEqual([...seenActive], [v1], 'the active Service never moved');
  assert.equal(ro.status.blueGreen.prePromotionAnalysisRunStatus.status, 'Failed');
  assert.match(await httpText(activeIP), /"version": "v1"/);
});

test('a passing pre-promotion analysis promotes in one switch; abort during post-promotion analysis returns at once', async () => {
  const v1 = await activeHash();
  // Post-promotion analysis that keeps running (every 2 s, 1000 times) so the abort lands while it runs.
  await kubectlOk(c, ['patch', 'rollout', 'shop', '--type=merge', '-p', JSON.stringify({ spec: { strategy: { blueGreen: {
    postPromotionAnalysis: { templates: [{ templateName: 'active-health' }], args: [{ name: 'url', value: `http://${activeIP}/` }] },
  } } } })]);
  await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'active-health' },
    spec: { args: [{ name: 'url' }], metrics: [{ name: 'healthy', interval: '2s', count: 1000, successCondition: 'result == true', provider: { web: { url: '{{args.url}}', jsonPath: '{$.healthy}' } } }] },
  }) });
  await setTemplate('v2', true);
  const hashes: string[] = [];
  await waitFor(async () => {
    const h = await activeHash();
    if (hashes[hashes.length - 1] !== h) hashes.push(h);
    return h !== v1;
  }, { timeoutMs: 120_000, intervalMs: 300, message: 'active Service switched' }).catch(async (e) => {
    const ro = await rollout();
    const runs = (await kjson(c, ['get', 'analysisruns'])).items.map((r: any) => ({ name: r.metadata.name, phase: r.status?.phase, message: r.status?.message }));
    throw new Error(`${(e as Error).message}; rollout status ${JSON.stringify(ro.status)}; runs ${JSON.stringify(runs)}`);
  });
  assert.equal(hashes.length, 2, `one switch: ${hashes.join(' -> ')}`);
  await answers(activeIP, 'v2');
  const r = await rolloutsCli(['abort', 'shop']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(async () => (await activeHash()) === v1, { timeoutMs: 15_000, intervalMs: 200, message: 'active back to v1' });
  const t0 = Date.now();
  await answers(activeIP, 'v1');
  assert.ok(Date.now() - t0 < 5000, 'v1 pods were still up: no cold start');
  const ro = await waitFor(async () => { const x = await rollout(); return x.status?.phase === 'Degraded' ? x : undefined; }, { timeoutMs: 30_000 });
  assert.match(ro.status.message, /RolloutAborted/);
});
