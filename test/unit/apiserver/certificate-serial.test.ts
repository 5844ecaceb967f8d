/**
 * Certificate serial numbers: random, positive, and minimally encoded as a DER INTEGER. A serial whose first byte
 * was 0x00 followed by a byte below 0x80 made a certificate OpenSSL refuses ("illegal padding") — one in 256.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, issueCertificate, serial } from '../../../src/apiserver/tls.ts';

test('serials: 16 bytes, first byte 0x01–0x7f (positive, no leading zero byte), all distinct', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const s = serial();
    assert.equal(s.length, 32);
    const first = parseInt(s.slice(0, 2), 16);
    assert.ok(first >= 0x01 && first <= 0x7f, `first byte ${s.slice(0, 2)} of ${s}`);
    seen.add(s);
  }
  assert.equal(seen.size, 20_000);
});

test('issued certificates parse in OpenSSL with the serial they were given', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-serial-'));
  try {
    const pki = ensurePki(dir);
    for (let i = 0; i < 20; i++) {
      const { cert } = issueCertificate(pki, { cn: `u${i}`, usage: 'client' });
      const x = new X509Certificate(cert);
      const n = BigInt(`0x${x.serialNumber}`);
      assert.ok(n >= 2n ** 120n && n < 2n ** 127n, `serial ${x.serialNumber}`);
      assert.ok(x.checkIssued(new X509Certificate(pki.caCert)));
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
