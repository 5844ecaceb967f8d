import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { buildClaims, generateServiceAccountKeys, keyIdOf, ServiceAccountTokenSigner, SERVICE_ACCOUNT_ISSUER } from '../../../src/apiserver/serviceaccount/tokens.ts';
import { serviceAccountTokenAuthenticator, type BoundObjectLookup } from '../../../src/apiserver/serviceaccount/authenticator.ts';

const NOW = Date.parse('2026-12-07T06:00:00Z');
const T = NOW / 1000;
const sa = { metadata: { name: 'robot', namespace: 'team', uid: 'sa-uid' } };
const pod = { metadata: { name: 'web-1', namespace: 'team', uid: 'pod-uid' } };
const node = { metadata: { name: 'node-a', uid: 'node-uid' } };

test('claims as upstream: subject, times, private kubernetes.io claims for pod, node and warnafter', () => {
  const c = buildClaims({ sa, pod, node, audiences: ['api'], expirationSeconds: 3600, warnAfterSeconds: 3607, nowMs: NOW + 999, jti: 'j1' });
  assert.deepEqual(c, {
    iss: SERVICE_ACCOUNT_ISSUER, sub: 'system:serviceaccount:team:robot', aud: ['api'],
    exp: T + 3600, iat: T, nbf: T, jti: 'j1',
    'kubernetes.io': { namespace: 'team', serviceaccount: { name: 'robot', uid: 'sa-uid' }, pod: { name: 'web-1', uid: 'pod-uid' }, node: { name: 'node-a', uid: 'node-uid' }, warnafter: T + 3607 },
  });
  // A node without a pod is not claimed; a secret binding names the secret.
  const s = buildClaims({ sa, secret: { metadata: { name: 's', uid: 's-uid' } }, audiences: ['a'], expirationSeconds: 600, nowMs: NOW });
  assert.deepEqual(s['kubernetes.io'], { namespace: 'team', serviceaccount: { name: 'robot', uid: 'sa-uid' }, secret: { name: 's', uid: 's-uid' } });
  assert.match(s.jti, /^[0-9a-f-]{36}$/);
});

test('signing: RS256 with the key id of the public key; verification of time, issuer and signature', async () => {
  const keys = generateServiceAccountKeys();
  const signer = new ServiceAccountTokenSigner({ keys });
  assert.deepEqual(signer.audiences, [SERVICE_ACCOUNT_ISSUER]);
  const tok = await signer.sign(buildClaims({ sa, audiences: signer.audiences, expirationSeconds: 600, nowMs: NOW }));
  assert.deepEqual(decodeProtectedHeader(tok), { alg: 'RS256', kid: keyIdOf(keys.publicKey) });
  assert.match(keyIdOf(keys.publicKey), /^[A-Za-z0-9_-]{43}$/);
  const ok = await signer.verify(tok, NOW + 1000);
  assert.ok(ok && ok.ok);
  assert.equal(decodeJwt(tok).sub, 'system:serviceaccount:team:robot');
  // 60 s leeway around exp and nbf.
  assert.ok((await signer.verify(tok, NOW + 630_000))?.ok);
  assert.deepEqual(await signer.verify(tok, NOW + 661_000), { ok: false, error: 'service account token has expired' });
  assert.deepEqual(await signer.verify(tok, NOW - 120_000), { ok: false, error: 'service account token is not valid yet' });
  // The same answers from a signer that has not seen the token yet (jose's checks, not the remembered claims).
  assert.deepEqual(await new ServiceAccountTokenSigner({ keys }).verify(tok, NOW + 661_000), { ok: false, error: 'service account token has expired' });
  assert.deepEqual(await new ServiceAccountTokenSigner({ keys }).verify(tok, NOW - 120_000), { ok: false, error: 'service account token is not valid yet' });
  // Another key, a changed payload: refused. Another issuer or no JWT at all: not ours (no opinion).
  const other = new ServiceAccountTokenSigner({ keys: generateServiceAccountKeys() });
  assert.deepEqual(await other.verify(tok, NOW), { ok: false, error: 'token signature is invalid' });
  const [h, , sig] = tok.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(tok), sub: 'system:serviceaccount:kube-system:x' })).toString('base64url')}.${sig}`;
  assert.equal((await signer.verify(forged, NOW))?.ok, false);
  const foreign = await signer.sign({ ...buildClaims({ sa, audiences: ['a'], expirationSeconds: 600, nowMs: NOW }), iss: 'https://elsewhere' });
  assert.equal(await signer.verify(foreign, NOW), undefined);
  assert.equal(await signer.verify('static-token', NOW), undefined);
  assert.equal(await signer.verify('a.b.c', NOW), undefined);
});

test('authenticator: audiences, the service account and bound pod must still be there with their uids', async () => {
  const signer = new ServiceAccountTokenSigner({ keys: generateServiceAccountKeys() });
  const objects: Record<string, any> = { 'sa/team/robot': sa, 'pod/team/web-1': pod };
  const lookup: BoundObjectLookup = {
    serviceAccount: async (ns, n) => objects[`sa/${ns}/${n}`],
    pod: async (ns, n) => objects[`pod/${ns}/${n}`],
    secret: async () => undefined,
    node: async (n) => objects[`node/${n}`],
  };
  let now = NOW;
  const authn = serviceAccountTokenAuthenticator(signer, lookup, () => now);
  const tok = await signer.sign(buildClaims({ sa, pod, node, audiences: signer.audiences, expirationSeconds: 3600, nowMs: NOW, jti: 'j9' }));
  const r = await authn(tok);
  assert.deepEqual(r, {
    audiences: [SERVICE_ACCOUNT_ISSUER],
    user: {
      name: 'system:serviceaccount:team:robot', uid: 'sa-uid',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/pod-name': ['web-1'], 'authentication.kubernetes.io/pod-uid': ['pod-uid'],
        'authentication.kubernetes.io/node-name': ['node-a'], 'authentication.kubernetes.io/node-uid': ['node-uid'],
        'authentication.kubernetes.io/credential-id': ['JTI=j9'],
      },
    },
  });
  assert.deepEqual(await authn(tok, ['vault']), { error: `token audiences ["${SERVICE_ACCOUNT_ISSUER}"] is invalid for the target audiences ["vault"]` });
  // A pod being deleted gracefully keeps its token until the leeway after its deletion time; a re-created pod does not.
  objects['pod/team/web-1'] = { metadata: { ...pod.metadata, deletionTimestamp: '2026-12-07T06:00:30Z' } };
  assert.ok(await authn(tok).then((x) => x && 'user' in x));
  now = NOW + 120_000;
  assert.deepEqual(await authn(tok), { error: 'service account token has been invalidated' });
  now = NOW;
  objects['pod/team/web-1'] = { metadata: { ...pod.metadata, uid: 'new-uid' } };
  assert.deepEqual(await authn(tok), { error: 'pod UID (new-uid) does not match service account pod ref claim (pod-uid)' });
  delete objects['pod/team/web-1'];
  assert.deepEqual(await authn(tok), { error: 'service account token has been invalidated' });
  objects['pod/team/web-1'] = pod;
  objects['sa/team/robot'] = { metadata: { ...sa.metadata, uid: 'other' } };
  assert.deepEqual(await authn(tok), { error: 'service account UID (other) does not match claim (sa-uid)' });
  delete objects['sa/team/robot'];
  assert.deepEqual(await authn(tok), { error: 'serviceaccounts "robot" not found' });
  objects['sa/team/robot'] = sa;
  // Bound to a Node: valid while that node exists with its uid.
  const nodeTok = await signer.sign(buildClaims({ sa, node, audiences: signer.audiences, expirationSeconds: 3600, nowMs: NOW }));
  assert.deepEqual(await authn(nodeTok), { error: 'service account token has been invalidated' });
  objects['node/node-a'] = node;
  const u: any = await authn(nodeTok);
  assert.deepEqual(u.user.extra['authentication.kubernetes.io/node-name'], ['node-a']);
  objects['node/node-a'] = { metadata: { name: 'node-a', uid: 'again' } };
  assert.deepEqual(await authn(nodeTok), { error: 'node UID (again) does not match service account node ref claim (node-uid)' });
});

test('the key pair is kept in <data-dir>/pki (sa.key 0600, sa.pub) and reused: tokens outlive a restart', async () => {
  const { mkdtempSync, rmSync, statSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { ensureServiceAccountKeys } = await import('../../../src/apiserver/serviceaccount/tokens.ts');
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-sakeys-'));
  try {
    const a = ensureServiceAccountKeys(dir);
    assert.equal(statSync(join(dir, 'pki', 'sa.key')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'pki', 'sa.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    const tok = await new ServiceAccountTokenSigner({ keys: a }).sign(buildClaims({ sa, audiences: [SERVICE_ACCOUNT_ISSUER], expirationSeconds: 600, nowMs: NOW }));
    const b = ensureServiceAccountKeys(dir);
    assert.equal(b.keyId, a.keyId);
    assert.ok((await new ServiceAccountTokenSigner({ keys: b }).verify(tok, NOW))?.ok);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
