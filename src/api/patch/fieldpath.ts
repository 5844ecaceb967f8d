/**
 * Field paths and field sets for server-side apply, in the managedFields `FieldsV1` format of upstream
 * structured-merge-diff: path elements `f:<field>`, `k:{"name":"nginx"}` (associative-list item, keys sorted),
 * `v:"value"` (set item), `i:<n>` (index); a set is serialised as a tree whose nodes carry `.` when the node itself
 * is a member (e.g. a list item) and `{}` for a leaf member.
 */

/** One path element in its FieldsV1 spelling. */
export type PathElement = string;
export type Path = PathElement[];

const SEP = '\u0000';
export const pathKey = (p: Path): string => p.join(SEP);
export const keyPath = (k: string): Path => (k === '' ? [] : k.split(SEP));

export const fieldPE = (name: string): PathElement => `f:${name}`;
export const valuePE = (v: unknown): PathElement => `v:${JSON.stringify(v)}`;
export const indexPE = (i: number): PathElement => `i:${i}`;
/** `k:{...}` with the key fields sorted by name, as structured-merge-diff serialises them. */
export function keyPE(fields: Record<string, unknown>): PathElement {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(fields).sort()) sorted[k] = fields[k];
  return `k:${JSON.stringify(sorted)}`;
}

/** A set of paths (members). */
export class FieldSet {
  readonly members = new Set<string>();
  constructor(keys?: Iterable<string>) { if (keys) for (const k of keys) this.members.add(k); }

  insert(p: Path): this { this.members.add(pathKey(p)); return this; }
  has(p: Path): boolean { return this.members.has(pathKey(p)); }
  get size(): number { return this.members.size; }
  empty(): boolean { return this.members.size === 0; }
  paths(): Path[] { return [...this.members].sort(comparePathKeys).map(keyPath); }
  union(o: FieldSet): FieldSet {
    if (o.members.size === 0) return this;
    if (this.members.size === 0) return o;
    return new FieldSet([...this.members, ...o.members]);
  }
  /** Members not in `o` (the same set when nothing is removed). */
  difference(o: FieldSet): FieldSet {
    if (o.members.size === 0 || this.members.size === 0) return this;
    let hit = false;
    for (const k of this.members) if (o.members.has(k)) { hit = true; break; }
    return hit ? new FieldSet([...this.members].filter((k) => !o.members.has(k))) : this;
  }
  intersection(o: FieldSet): FieldSet { return new FieldSet([...this.members].filter((k) => o.members.has(k))); }
  /** Whether `p` or any path below it is a member. */
  hasPrefix(p: Path): boolean {
    const k = pathKey(p);
    if (this.members.has(k)) return true;
    const pre = k === '' ? '' : k + SEP;
    for (const m of this.members) if (m.startsWith(pre)) return true;
    return false;
  }
  /** Members without `p` and everything below it. */
  withoutPrefix(p: Path): FieldSet {
    const k = pathKey(p);
    const pre = k + SEP;
    return new FieldSet([...this.members].filter((m) => m !== k && !m.startsWith(pre)));
  }
  equals(o: FieldSet): boolean {
    if (o.size !== this.size) return false;
    for (const m of this.members) if (!o.members.has(m)) return false;
    return true;
  }
}

/** Element order of structured-merge-diff: fields, then keys, then values, then indexes; each sorted. */
function peRank(pe: string): number {
  switch (pe[0]) { case 'f': return 0; case 'k': return 1; case 'v': return 2; default: return 3; }
}
export function comparePE(a: string, b: string): number {
  const ra = peRank(a), rb = peRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 3) return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}
function comparePathKeys(a: string, b: string): number {
  const pa = keyPath(a), pb = keyPath(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = comparePE(pa[i], pb[i]);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

interface Node { member: boolean; children: Map<string, Node> }

/** Encode a set as a FieldsV1 object. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Node = { member: false, children: new Map() };
  for (const m of set.members) {
    let n = root;
    for (const pe of keyPath(m)) {
      let c = n.children.get(pe);
      if (!c) { c = { member: false, children: new Map() }; n.children.set(pe, c); }
      n = c;
    }
    n.member = true;
  }
  const enc = (n: Node): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (n.member && n.children.size > 0) out['.'] = {};
    for (const k of [...n.children.keys()].sort(comparePE)) out[k] = enc(n.children.get(k)!);
    return out;
  };
  return enc(root);
}

/** Decode a FieldsV1 object into a set (unknown shapes are skipped). */
export function fromFieldsV1(v: unknown): FieldSet {
  const set = new FieldSet();
  decodeNode(v, '', set.members);
  return set;
}
function decodeNode(node: unknown, pk: string, out: Set<string>): void {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
  let empty = true;
  for (const k in node) {
    if (!Object.prototype.hasOwnProperty.call(node, k)) continue;
    empty = false;
    if (k === '.') { if (pk) out.add(pk); continue; }
    decodeNode((node as Record<string, unknown>)[k], pk ? pk + SEP + k : k, out);
  }
  if (empty && pk) out.add(pk);
}

/** Upstream fieldpath.Path.String(): `.spec.template.spec.containers[name="nginx"].image`, `[="a"]`, `[0]`. */
export function pathString(p: Path): string {
  return p.map((pe) => {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f': return '.' + body;
      case 'k': {
        let fields: Record<string, unknown>;
        try { fields = JSON.parse(body); } catch { return `[${body}]`; }
        return '[' + Object.keys(fields).map((k) => `${k}=${JSON.stringify(fields[k])}`).join(',') + ']';
      }
      case 'v': return `[=${body}]`;
      default: return `[${body}]`;
    }
  }).join('');
}
