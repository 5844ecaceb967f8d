/**
 * The dashboard's assets on the API server's listener: public (a page, a script, a style sheet: no data), strict
 * headers, compressed; every data path still answers 401 without a valid token. And `kubelite dashboard`'s links.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync } from 'node:zlib';
import { startServer, type TestServer } from '../apiserver/server-fixture.ts';
import { dashboardLinks } from '../../../src/cli/dashboard.ts';

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

const anonymous = { Authorization: '' };

test('the page and its bundle are served without credentials, with a strict Content-Security-Policy', async () => {
  const page = await s.request('GET', '/dashboard/', { headers: anonymous });
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.match(page.text, /<script type="module" src="app.js"><\/script>/);
  const js = await s.request('GET', '/dashboard/app.js', { headers: { ...anonymous, 'Accept-Encoding': 'gzip, br' } });
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-encoding'], 'br');
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  const code = brotliDecompressSync(js.body).toString();
  assert.ok(code.includes('Authorization'), 'the bundle sends the token as a bearer header');
  const css = await s.request('GET', '/dashboard/app.css', { headers: anonymous });
  assert.equal(css.status, 200);
  assert.ok(css.text.includes("@media(prefers-color-scheme:dark)"), "light and dark");
  const again = await s.request('GET', '/dashboard/app.css', { headers: { ...anonymous, 'If-None-Match': String(css.headers.etag) } });
  assert.equal(again.status, 304);
});

test('a redirect to the trailing slash, 404 for unknown assets, 405 for writes', async () => {
  const r = await s.request('GET', '/dashboard', { headers: anonymous });
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, '/dashboard/');
  assert.equal((await s.request('GET', '/dashboard/secret.json', { headers: anonymous })).status, 404);
  assert.equal((await s.request('POST', '/dashboard/', { headers: anonymous, body: 'x' })).status, 405);
});

test('data stays behind authentication: no token or a wrong one gets 401 from the API', async () => {
  for (const headers of [anonymous, { Authorization: 'Bearer not-a-token' }]) {
    const r = await s.request('GET', '/api/v1/namespaces/default/pods', { headers });
    assert.equal(r.status, 401);
    assert.equal(r.json().reason, 'Unauthorized');
    const w = await s.request('GET', '/apis/apps/v1/deployments?watch=1', { headers });
    assert.equal(w.status, 401);
  }
  // The same wrong token still gets the (data-free) page: the page then shows the login with the API's refusal.
  assert.equal((await s.request('GET', '/dashboard/', { headers: { Authorization: 'Bearer not-a-token' } })).status, 200);
});

test('kubelite dashboard: the address and a sign-in link with the token in the fragment', () => {
  assert.deepEqual(dashboardLinks('https://127.0.0.1:6443', 'abc/+='), {
    url: 'https://127.0.0.1:6443/dashboard/',
    login: 'https://127.0.0.1:6443/dashboard/#token=abc%2F%2B%3D',
  });
  assert.deepEqual(dashboardLinks('https://10.0.0.1:6443/', undefined), { url: 'https://10.0.0.1:6443/dashboard/', login: undefined });
});
