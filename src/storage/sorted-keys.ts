/**
 * An ordered set of strings for the watch cache's key index: sorted chunks of at most CHUNK_MAX keys (a flat
 * B-tree), so inserting or deleting a key costs O(log n + CHUNK_MAX) instead of moving the whole array, and a
 * range scan or a rank (keys before k) costs O(log n + n / CHUNK_MAX).
 */
const CHUNK_MAX = 1024;

function lowerBound(a: string[], k: string): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < k) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export class SortedKeys {
  private chunks: string[][] = [];
  private count = 0;

  /** Replace the contents with already sorted, distinct keys. */
  static fromSorted(keys: string[]): SortedKeys {
    const s = new SortedKeys();
    for (let i = 0; i < keys.length; i += CHUNK_MAX / 2) s.chunks.push(keys.slice(i, i + CHUNK_MAX / 2));
    s.count = keys.length;
    return s;
  }

  get size(): number { return this.count; }

  /** Index of the first chunk whose last key is >= k (chunks.length if none). */
  private chunkFor(k: string): number {
    let lo = 0, hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.chunks[mid];
      if (c[c.length - 1] < k) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  insert(k: string): boolean {
    if (this.chunks.length === 0) { this.chunks.push([k]); this.count = 1; return true; }
    const ci = Math.min(this.chunkFor(k), this.chunks.length - 1);
    const c = this.chunks[ci];
    const i = lowerBound(c, k);
    if (c[i] === k) return false;
    c.splice(i, 0, k);
    this.count++;
    if (c.length > CHUNK_MAX) this.chunks.splice(ci + 1, 0, c.splice(CHUNK_MAX / 2));
    return true;
  }

  delete(k: string): boolean {
    const ci = this.chunkFor(k);
    if (ci >= this.chunks.length) return false;
    const c = this.chunks[ci];
    const i = lowerBound(c, k);
    if (c[i] !== k) return false;
    c.splice(i, 1);
    this.count--;
    if (c.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  has(k: string): boolean {
    const ci = this.chunkFor(k);
    if (ci >= this.chunks.length) return false;
    const c = this.chunks[ci];
    return c[lowerBound(c, k)] === k;
  }

  /** Number of keys < k. */
  rank(k: string): number {
    const ci = this.chunkFor(k);
    let n = 0;
    for (let i = 0; i < ci; i++) n += this.chunks[i].length;
    if (ci < this.chunks.length) n += lowerBound(this.chunks[ci], k);
    return n;
  }

  /** Keys >= from (and < to, when given), at most `limit` of them (0 = all). */
  range(from: string, to: string | undefined, limit: number): string[] {
    const out: string[] = [];
    let ci = this.chunkFor(from);
    if (ci >= this.chunks.length) return out;
    let i = lowerBound(this.chunks[ci], from);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const c = this.chunks[ci];
      for (; i < c.length; i++) {
        if (to !== undefined && c[i] >= to) return out;
        out.push(c[i]);
        if (limit && out.length >= limit) return out;
      }
    }
    return out;
  }

  *[Symbol.iterator](): Generator<string> {
    for (const c of this.chunks) yield* c;
  }
}
