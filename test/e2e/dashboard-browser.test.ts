/**
 * The dashboard in a real headless browser (Debian's chromium driven by playwright-core) against a real cluster
 * with a node running real containers: sign-in (and its refusals), the guide's demo on the mixing board (10 nginx
 * replicas, then `that-image-does-not-exist`: 8 old + 5 new pods in ImagePullBackOff), Undo from the board, a
 * Service's selector switched under the Services view, the actions' events, the Nodes view and the keyboard.
 *
 * Screenshots of these states are written to $KUBELITE_SCREENSHOTS_DIR when it is set (docs/dashboard holds the
 * ones docs/dashboard.md shows: `KUBELITE_SCREENSHOTS_DIR=docs/dashboard` regenerates them).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, kjson, kubectlOk, reapLeftovers } from './node-helpers.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';

let c: Cluster;
let b: TestBrowser;
let page: Page;
let token: string;
const shotsDir = process.env.KUBELITE_SCREENSHOTS_DIR;

before(async () => {
  b = await launchBrowser();
  c = await startCluster({ node: true });
  token = /token: (\S+)/.exec(readFileSync(c.kubeconfig, 'utf8'))![1];
});
after(async () => {
  await b?.close();
  if (c) {
    await cleanup(c, ['deployment web', 'deployment green', 'service front', 'serviceaccount viewer', 'rolebinding viewer-view']).catch(() => {});
    await c.stop();
  }
  await reapLeftovers();
});

/**
 * page.goto, again when chromium aborted it because the host's network changed (net::ERR_NETWORK_CHANGED, the
 * navigation replaced by its error page, or by chromium's own reload): the node agent adds a network interface for
 * every pod it starts.
 */
async function open(p: Page, url: string): Promise<void> {
  for (let i = 0; ; i++) {
    try { await p.goto(url); return; } catch (e) {
      // chromium reloads a page whose network changed by itself: the first goto is then "interrupted by another
      // navigation" to the same address; going there once more settles it.
      if (i >= 4 || !/ERR_NETWORK_CHANGED|chrome-error:\/\/chromewebdata|interrupted by another navigation/.test(String(e))) throw e;
    }
  }
}

async function shot(p: Page, name: string): Promise<void> {
  if (!shotsDir) return;
  mkdirSync(shotsDir, { recursive: true });
  await p.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: false });
}

interface FaderState { revision: number; isNew: boolean; image: string; desired: number; current: number; ready: number; available: number; pods: { name: string; state: string; reason: string }[] }

/**
 * What the board of deployment NAME shows right now, read from the DOM. Kept as source text: functions handed to
 * page.evaluate() must not carry the helpers tsx adds to named functions.
 */
const READ_BOARD = `(n) => {
  const el = document.querySelector('[data-board="deployment/' + n + '"]');
  if (!el) return null;
  const num = (f, k) => Number(f.querySelector('[data-count="' + k + '"]')?.textContent);
  return {
    words: [...el.querySelectorAll('[data-words] li')].map((li) => li.textContent ?? ''),
    faders: [...el.querySelectorAll('[data-fader]')].map((f) => ({
      revision: Number(f.getAttribute('data-revision')), isNew: f.getAttribute('data-new') === 'true',
      image: f.querySelector('.image')?.textContent ?? '',
      desired: num(f, 'desired'), current: num(f, 'current'), ready: num(f, 'ready'), available: num(f, 'available'),
      pods: [...f.querySelectorAll('[data-pod]')].map((c) => ({ name: c.getAttribute('data-pod') ?? '', state: c.getAttribute('data-state') ?? '', reason: c.getAttribute('data-reason') ?? '' })),
    })),
    history: [...el.querySelectorAll('[data-history-revision]')].map((h) => Number(h.getAttribute('data-history-revision'))),
  };
}`;

function board(p: Page, name: string): Promise<{ words: string[]; faders: FaderState[]; history: number[] } | null> {
  return p.evaluate(`(${READ_BOARD})(${JSON.stringify(name)})`);
}

/** Wait for the outcome line of an action; it must not report a failed event. */
async function outcome(p: Page, text: string): Promise<void> {
  const o = p.locator('[data-outcome]', { hasText: text });
  await o.waitFor();
  assert.doesNotMatch(await o.innerText(), /could not be recorded/);
}

async function waitBoard(p: Page, name: string, ok: (b: NonNullable<Awaited<ReturnType<typeof board>>>) => boolean, message: string, timeoutMs = 180_000) {
  let last: unknown;
  try {
    return await waitFor(async () => { const s = await board(p, name); last = s; return s && ok(s) ? s : undefined; }, { timeoutMs, intervalMs: 250, message });
  } catch (e) {
    const text = await p.evaluate('document.body.innerText').catch(() => '');
    throw new Error(`${(e as Error).message}\nlast board: ${JSON.stringify(last)}\npage: ${String(text).slice(0, 600)}`);
  }
}

test('unauthenticated: the login page, and no data requested or shown', async () => {
  const p = await b.newPage();
  const apiCalls: string[] = [];
  p.on('request', (r) => { const u = new URL(r.url()); if (!u.pathname.startsWith('/dashboard/')) apiCalls.push(u.pathname); });
  await open(p, `${c.server}/dashboard/`);
  await p.locator('#token').waitFor();
  assert.deepEqual(apiCalls, [], 'the login page makes no API request');
  assert.equal(await p.locator('[data-board], [data-service], [data-node]').count(), 0);
  // The API itself refuses the anonymous browser.
  const r = await p.request.get(`${c.server}/api/v1/namespaces/default/pods`);
  assert.equal(r.status(), 401);
  await shot(p, 'login-light');
});

test('a wrong token is refused: typed in the login form, or in a sign-in link', async () => {
  const p = await b.newPage();
  await open(p, `${c.server}/dashboard/`);
  await p.locator('#token').fill('not-the-token');
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.locator('[data-login-error]').waitFor();
  assert.match(await p.locator('[data-login-error]').innerText(), /refused the token \(401 Unauthorized\)/);
  assert.equal(await p.evaluate(() => sessionStorage.getItem('kubelite.token')), null);
  // A link with a wrong token: the page's API calls get 401 and it returns to the login, saying why.
  const q = await b.newPage();
  await open(q, `${c.server}/dashboard/#token=not-the-token`);
  await q.locator('[data-login-error]').waitFor();
  assert.match(await q.locator('[data-login-error]').innerText(), /401/);
  assert.ok(!q.url().includes('not-the-token'), 'the token is cleared from the address bar');
  assert.equal(await q.evaluate(() => sessionStorage.getItem('kubelite.token')), null);
});

test("the guide's demo on the mixing board: 10 nginx replicas, then that-image-does-not-exist — 8 old + 5 new in ImagePullBackOff", async () => {
  page = await b.newPage();
  await open(page, `${c.server}/dashboard/#token=${encodeURIComponent(token)}`);
  await page.locator('[role="tablist"]').waitFor();
  assert.ok(!page.url().includes('#token'), 'the fragment is cleared');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('kubelite.token')), token);

  await kubectlOk(c, ['create', 'deployment', 'web', '--image=nginx', '--replicas=10']);
  await waitBoard(page, 'web', (s) => s.faders.length === 1 && s.faders[0].ready === 10 && s.faders[0].pods.filter((x) => x.state === 'ready').length === 10,
    'one fader, 10 ready pods');
  await shot(page, 'board-ready-light');

  await kubectlOk(c, ['set', 'image', 'deployment/web', 'nginx=that-image-does-not-exist']);
  const s = await waitBoard(page, 'web', (s) => {
    const old = s.faders.find((f) => !f.isNew);
    const neu = s.faders.find((f) => f.isNew);
    return !!old && !!neu && old.current === 8 && old.ready === 8 && old.pods.length === 8 && neu.current === 5 && neu.pods.length === 5 &&
      neu.pods.every((x) => x.reason === 'ImagePullBackOff');
  }, '8 old ready, 5 new in ImagePullBackOff');
  const neu = s.faders.find((f) => f.isNew)!;
  assert.equal(neu.image, 'that-image-does-not-exist');
  assert.equal(neu.ready, 0);
  assert.ok(neu.pods.every((x) => x.state === 'error'));
  assert.ok(s.faders.find((f) => !f.isNew)!.pods.every((x) => x.state === 'ready'));
  assert.equal(s.words[0], '13 pods allowed (10 + 3 surge), 8 must stay available (10 − 2 unavailable)');
  assert.ok(s.words.some((w) => /^stuck: .*ImagePullBackOff/.test(w)), s.words.join(' | '));
  await shot(page, 'board-demo-light');
  // The same board, dark and at phone width.
  for (const [name, o] of [['board-demo-dark', { colorScheme: 'dark' as const }], ['board-demo-phone-light', { width: 390, height: 844, isMobile: true }],
    ['board-demo-phone-dark', { width: 390, height: 844, isMobile: true, colorScheme: 'dark' as const }]] as const) {
    const p = await b.newPage(o);
    await open(p, `${c.server}/dashboard/#token=${encodeURIComponent(token)}`);
    await waitBoard(p, 'web', (x) => x.faders.filter((f) => f.current > 0).length === 2 && x.faders.find((f) => f.isNew)!.pods.every((q) => q.reason === 'ImagePullBackOff'), `board in ${name}`, 30_000);
    await shot(p, name);
    await p.close();
  }
});

test('Undo to revision 1 from the board (confirmed): the old board returns to 10 ready, and the rollback is an event', async () => {
  const old = page.locator('[data-board="deployment/web"] [data-fader][data-new="false"]');
  await old.getByRole('button', { name: 'Undo to 1' }).click();
  const dialog = page.locator('dialog.confirm');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Undo deployment web to revision 1\?/);
  assert.match(await dialog.locator('pre').innerText(), /"op": "replace",\s*"path": "\/spec\/template"/);
  await shot(page, 'undo-confirm-light');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await outcome(page, 'Rolled back deployment web to revision 1');
  const s = await waitBoard(page, 'web', (s) => s.faders.length === 1 && s.faders[0].image === 'nginx' && s.faders[0].ready === 10 &&
    s.faders[0].pods.length === 10 && s.faders[0].pods.every((x) => x.state === 'ready'), 'the nginx fader back at 10 ready, nothing else live');
  assert.equal(s.faders[0].isNew, true);
  assert.equal(s.faders[0].revision, 3, 'revision 1 comes back as revision 3, as upstream');
  assert.deepEqual(s.history, [2], 'the failed revision stays in the history');
  assert.equal((await kjson(c, ['get', 'deployment', 'web'])).spec.template.spec.containers[0].image, 'nginx');
  await shot(page, 'board-undone-light');

  await page.keyboard.press('3'); // the Events view
  await page.locator('tr[data-event-reason="RolledBack"]').first().waitFor();
  const row = await page.locator('tr[data-event-reason="RolledBack"]').first().innerText();
  assert.match(row, /deployment\/web/);
  assert.match(row, /kubelite-dashboard/);
  await page.locator('tr[data-event-reason="ScalingReplicaSet"]').first().waitFor();
  await shot(page, 'events-light');
});

test("switching a Service's selector: the Services view shows the newly selected pods", async () => {
  await kubectlOk(c, ['create', 'deployment', 'green', '--image=nginx', '--replicas=2']);
  await kubectlOk(c, ['expose', 'deployment', 'web', '--name=front', '--port=80']);
  await page.keyboard.press('2'); // the Services view
  const svc = page.locator('[data-service="front"]');
  const selected = async (): Promise<string[]> =>
    (await page.evaluate(`[...document.querySelectorAll('[data-service="front"] [data-pod]')].map((e) => e.getAttribute('data-pod'))`) as string[]).sort();
  await waitFor(async () => (await selected()).length === 10, { timeoutMs: 30_000, message: 'front selects the 10 web pods' });
  assert.ok((await selected()).every((n) => n.startsWith('web-')));
  assert.equal(await svc.locator('[data-selector]').innerText(), 'app=web');
  await kubectlOk(c, ['patch', 'service', 'front', '-p', '{"spec":{"selector":{"app":"green"}}}']);
  await waitFor(async () => { const n = await selected(); return n.length === 2 && n.every((x) => x.startsWith('green-')); }, { timeoutMs: 30_000, message: 'front selects the 2 green pods' });
  assert.equal(await svc.locator('[data-selector]').innerText(), 'app=green');
  await shot(page, 'services-light');
});

test('actions from the keyboard: scale (Enter confirms), pause and resume, restart — each sent as kubectl does and recorded as an event', async () => {
  await page.keyboard.press('1');
  const boardEl = page.locator('[data-board="deployment/web"]');
  await boardEl.getByRole('button', { name: 'Scale' }).focus();
  await page.keyboard.press('Enter');
  const input = page.locator('dialog.confirm input[name="value"]');
  await input.waitFor();
  assert.equal(await input.inputValue(), '10');
  await input.fill('4');
  await page.keyboard.press('Enter');
  await outcome(page, 'Scaled deployment web to 4 replicas');
  await waitBoard(page, 'web', (s) => s.faders.length === 1 && s.faders[0].desired === 4, 'desired 4', 60_000);
  assert.equal((await kjson(c, ['get', 'deployment', 'web'])).spec.replicas, 4);

  await boardEl.getByRole('button', { name: 'Pause' }).click();
  await page.locator('dialog.confirm').getByRole('button', { name: 'Confirm' }).click();
  await outcome(page, 'Paused rollout of deployment web');
  await boardEl.getByRole('button', { name: 'Resume' }).waitFor();
  assert.equal((await kjson(c, ['get', 'deployment', 'web'])).spec.paused, true);
  await boardEl.getByRole('button', { name: 'Resume' }).click();
  await page.locator('dialog.confirm').getByRole('button', { name: 'Confirm' }).click();
  await outcome(page, 'Resumed rollout of deployment web');
  await boardEl.getByRole('button', { name: 'Pause' }).waitFor();
  assert.notEqual((await kjson(c, ['get', 'deployment', 'web'])).spec.paused, true);

  await boardEl.getByRole('button', { name: 'Restart' }).click();
  await page.locator('dialog.confirm').getByRole('button', { name: 'Confirm' }).click();
  await outcome(page, 'Restarted deployment web');
  const d = await kjson(c, ['get', 'deployment', 'web']);
  assert.match(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  assert.doesNotMatch(await page.locator('[data-outcome]').innerText(), /could not be recorded/);
  const events = await kjson(c, ['get', 'events', '--field-selector', 'involvedObject.name=web,involvedObject.kind=Deployment']);
  const reasons = new Set(events.items.filter((e: any) => e.source?.component === 'kubelite-dashboard').map((e: any) => e.reason));
  for (const r of ['RolledBack', 'Scaled', 'Paused', 'Resumed', 'Restarted']) assert.ok(reasons.has(r), `event ${r} recorded (have ${[...reasons].join(', ')})`);
});

test("the caller's credentials, never more: a ServiceAccount bound to `view` sees the board, is refused Nodes and a scale (403)", async () => {
  await kubectlOk(c, ['create', 'serviceaccount', 'viewer']);
  await kubectlOk(c, ['create', 'rolebinding', 'viewer-view', '--clusterrole=view', '--serviceaccount=default:viewer']);
  const saToken = (await kubectlOk(c, ['create', 'token', 'viewer'])).trim();
  // The binding takes effect once the authorizer has seen it.
  const as = ['--as=system:serviceaccount:default:viewer'];
  await waitFor(async () => (await c.kubectl(['auth', 'can-i', 'watch', 'deployments', ...as])).stdout.trim() === 'yes' &&
    (await c.kubectl(['auth', 'can-i', 'watch', 'pods', ...as])).stdout.trim() === 'yes', { timeoutMs: 30_000, message: 'the view binding in effect' });
  const p = await b.newPage();
  await open(p, `${c.server}/dashboard/#token=${encodeURIComponent(saToken)}`);
  await waitBoard(p, 'web', (s) => s.faders.some((f) => f.pods.length > 0), 'the viewer sees the board', 60_000);
  const before = (await kjson(c, ['get', 'deployment', 'web'])).spec.replicas;
  await p.locator('[data-board="deployment/web"]').getByRole('button', { name: 'Scale' }).click();
  await p.locator('dialog.confirm input[name="value"]').fill(String(before + 1));
  await p.locator('dialog.confirm').getByRole('button', { name: 'Confirm' }).click();
  const err = p.locator('dialog.confirm [role="alert"]');
  await err.waitFor();
  assert.match(await err.innerText(), /forbidden: User "system:serviceaccount:default:viewer" cannot patch resource "deployments\/scale"/);
  assert.equal((await kjson(c, ['get', 'deployment', 'web'])).spec.replicas, before, 'nothing changed');
  await p.keyboard.press('Escape');
  await p.keyboard.press('4');
  await p.locator('main .error', { hasText: 'forbidden' }).waitFor();
  assert.equal(await p.locator('[data-node]').count(), 0, 'no node is shown to a user who may not list nodes');
  await p.close();
});

test('the Nodes view: the node, its conditions and its pods; arrow keys move along the tabs', async () => {
  await page.locator('#tab-Boards').focus();
  await page.keyboard.press('End');
  assert.equal(await page.locator('#tab-Nodes').getAttribute('aria-selected'), 'true');
  const node = page.locator('[data-node]').first();
  await node.waitFor();
  assert.match(await node.innerText(), /Ready=True/);
  await waitFor(async () => (await node.locator('[data-pod^="green-"]').count()) === 2, { timeoutMs: 30_000, message: 'the green pods on the node' });
  await shot(page, 'nodes-light');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#tab-Events').getAttribute('aria-selected'), 'true');
});
