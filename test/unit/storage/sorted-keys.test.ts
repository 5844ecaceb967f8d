import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SortedKeys } from '../../../src/storage/sorted-keys.ts';

/** Deterministic pseudo-random numbers (no flaky seeds). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

describe('SortedKeys', () => {
  it('matches a sorted-array reference under random inserts, deletes, ranges and ranks', () => {
    const r = rng(42);
    const ref = new Set<string>();
    let sk = SortedKeys.fromSorted(['/a/0001', '/a/0002', '/b/0003']);
    ['/a/0001', '/a/0002', '/b/0003'].forEach((k) => ref.add(k));
    const key = (): string => `/${'abc'[Math.floor(r() * 3)]}/${String(Math.floor(r() * 5000)).padStart(4, '0')}`;
    for (let step = 0; step < 20_000; step++) {
      const k = key();
      if (r() < 0.65) assert.equal(sk.insert(k), !ref.has(k)), ref.add(k);
      else assert.equal(sk.delete(k), ref.has(k)), ref.delete(k);
      if (step % 500 === 0) {
        const sorted = [...ref].sort();
        assert.deepEqual([...sk], sorted);
        assert.equal(sk.size, sorted.length);
        const from = key();
        const to = from < '/b/' ? '/b/' : undefined;
        const want = sorted.filter((x) => x >= from && (to === undefined || x < to));
        assert.deepEqual(sk.range(from, to, 0), want);
        assert.deepEqual(sk.range(from, to, 7), want.slice(0, 7));
        assert.equal(sk.rank(from), sorted.filter((x) => x < from).length);
        assert.equal(sk.has(from), ref.has(from));
      }
      if (step === 10_000) sk = SortedKeys.fromSorted([...ref].sort());
    }
  });

  it('handles an empty set', () => {
    const sk = new SortedKeys();
    assert.deepEqual(sk.range('', undefined, 0), []);
    assert.equal(sk.rank('x'), 0);
    assert.equal(sk.delete('x'), false);
    assert.equal(sk.insert('x'), true);
    assert.equal(sk.delete('x'), true);
    assert.deepEqual([...sk], []);
  });
});
