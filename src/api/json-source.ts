/**
 * What JSON.parse forgets about a request body, and upstream's decoder (sigs.k8s.io/json UnmarshalStrict) does not:
 * - duplicate keys — fieldValidation Strict rejects them (`duplicate field "spec.paused"`), Warn warns;
 * - the literal text of numbers a JS number does not reproduce (`1.0`, `1e3`, integers past 2^53), which Go's
 *   decoder refuses for an integer field and names in its error (`json: cannot unmarshal number 1.5 into Go
 *   struct field DeploymentSpec.spec.replicas of type int32`).
 * A scan over the bytes of a body JSON.parse has accepted; paths are rendered as upstream's strict errors render
 * them: `spec.template.spec.containers[0].imagePullPolicy`, map keys as fields (`metadata.labels.app`).
 */

/** One duplicate key: its path and the byte offset of the repeated occurrence. */
export interface DuplicateKey { path: string; offset: number }

export interface JsonSource {
  duplicates: DuplicateKey[];
  /** The literal text of each number JSON.parse would not print back the same way, by path. */
  numbers: Map<string, string>;
  /** Byte offset of the first occurrence of a key path (for ordering errors as the document does); -1 if absent. */
  firstOffset(path: string): number;
  /** A YAML body's repeated keys, in sigs.k8s.io/yaml's words: `line 5: key "name" already set in map`. */
  yamlDuplicates?: string[];
}

type Seg = string | number;

/** `spec.containers[0].name`: the path rendering upstream's strict decoding errors use. */
export function renderJsonPath(segs: readonly Seg[]): string {
  let p = '';
  for (const x of segs) p = typeof x === 'number' ? `${p}[${x}]` : p ? `${p}.${x}` : x;
  return p;
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/** End (index after the closing quote) of the string starting at buf[i] === '"'. */
function stringEnd(buf: Buffer, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, j);
    if (q < 0) return buf.length;
    let k = q - 1;
    let slashes = 0;
    while (k > i && buf[k] === BACKSLASH) { slashes++; k--; }
    if (slashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

function keyText(buf: Buffer, start: number, end: number): string {
  // start/end include the quotes. Short ASCII keys (nearly all) without a Buffer decode call.
  if (end - start <= 34) {
    let k = '';
    let i = start + 1;
    for (; i < end - 1; i++) {
      const c = buf[i];
      if (c >= 0x80 || c === BACKSLASH) break;
      k += String.fromCharCode(c);
    }
    if (i === end - 1) return k;
  }
  const raw = buf.toString('utf8', start + 1, end - 1);
  return raw.includes('\\') ? JSON.parse(buf.toString('utf8', start, end)) as string : raw;
}

const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isNumChar = (c: number) => (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;

/** A number literal a JS number prints back identically: an integer of at most 15 digits (exact in a double). */
function plainNumber(buf: Buffer, s: number, e: number): boolean {
  let i = s;
  if (buf[i] === 0x2d) i++;
  if (e - i > 15) return false;
  for (; i < e; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return false;
  return true;
}

interface ScanHooks { onKey?: (segs: Seg[], offset: number) => void }

function scan(buf: Buffer, out: { duplicates: DuplicateKey[]; numbers: Map<string, string> }, hooks: ScanHooks): void {
  const n = buf.length;
  const segs: Seg[] = [];
  let i = 0;
  const ws = () => { while (i < n && isWs(buf[i])) i++; };
  const value = (): void => {
    ws();
    const c = buf[i];
    if (c === 0x7b) { // object
      i++;
      const seen = new Set<string>();
      ws();
      if (buf[i] === 0x7d) { i++; return; }
      for (;;) {
        ws();
        const ks = i;
        const ke = stringEnd(buf, i);
        const key = keyText(buf, ks, ke);
        i = ke;
        segs.push(key);
        if (seen.has(key)) {
          const path = renderJsonPath(segs);
          out.duplicates.push({ path, offset: ks });
          // The last occurrence wins (as in JSON.parse): forget literals recorded under the earlier one.
          for (const p of out.numbers.keys()) if (p === path || p.startsWith(path + '.') || p.startsWith(path + '[')) out.numbers.delete(p);
        } else {
          seen.add(key);
          hooks.onKey?.(segs, ks);
        }
        ws();
        i++; // ':'
        value();
        segs.pop();
        ws();
        if (buf[i] === 0x2c) { i++; continue; }
        i++; // '}'
        return;
      }
    }
    if (c === 0x5b) { // array
      i++;
      ws();
      if (buf[i] === 0x5d) { i++; return; }
      for (let idx = 0; ; idx++) {
        segs.push(idx);
        value();
        segs.pop();
        ws();
        if (buf[i] === 0x2c) { i++; continue; }
        i++; // ']'
        return;
      }
    }
    if (c === QUOTE) { i = stringEnd(buf, i); return; }
    if (c === 0x74 || c === 0x6e) { i += 4; return; } // true, null
    if (c === 0x66) { i += 5; return; } // false
    const s = i;
    while (i < n && isNumChar(buf[i])) i++;
    if (!plainNumber(buf, s, i)) out.numbers.set(renderJsonPath(segs), buf.toString('latin1', s, i));
  };
  value();
}

/** Scan a body that JSON.parse accepted (callers parse first: the scan assumes valid JSON). */
export function scanJson(buf: Buffer): JsonSource {
  const out = { duplicates: [] as DuplicateKey[], numbers: new Map<string, string>() };
  scan(buf, out, {});
  let offsets: Map<string, number> | undefined;
  return {
    ...out,
    firstOffset(path: string): number {
      if (!offsets) {
        const m = new Map<string, number>();
        scan(buf, { duplicates: [], numbers: new Map() }, { onKey: (segs, off) => { const p = renderJsonPath(segs); if (!m.has(p)) m.set(p, off); } });
        offsets = m;
      }
      return offsets.get(path) ?? -1;
    },
  };
}

/** The source facts of a decoded body, remembered by its root object (the registry checks the object it is given). */
const sources = new WeakMap<object, JsonSource>();
export function rememberJsonSource(root: unknown, src: JsonSource): void {
  if (root && typeof root === 'object') sources.set(root, src);
}
export function jsonSourceOf(root: unknown): JsonSource | undefined {
  return root && typeof root === 'object' ? sources.get(root) : undefined;
}
