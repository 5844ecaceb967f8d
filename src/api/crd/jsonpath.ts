/**
 * The JSONPath subset CustomResourceDefinitions use (k8s.io/client-go/util/jsonpath as the CRD printer columns,
 * scale paths and selectable fields use it): `.a.b`, `['a.b']`, `[n]`, `[*]` and the equality filter
 * `[?(@.type=="Ready")]`. Missing keys give no result (AllowMissingKeys), never an error.
 */

export type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: Step[]; value: string | number | boolean; negate: boolean };

/** Parse `.spec.replicas` (with or without `{…}`); throws an Error naming what is wrong. */
export function parseJsonPath(expr: string): Step[] {
  let p = expr.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  const ident = /^[A-Za-z0-9_$-]+/;
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      const m = ident.exec(p.slice(i + 1));
      if (!m) throw new Error(`unrecognized character in action: ${JSON.stringify(p.slice(i + 1, i + 2) || '.')}`);
      steps.push({ kind: 'field', name: m[0] });
      i += 1 + m[0].length;
    } else if (c === '[') {
      const end = closing(p, i);
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1)));
      else throw new Error(`invalid array index ${inner}`);
    } else {
      throw new Error(`unrecognized character in action: ${JSON.stringify(c)}`);
    }
  }
  return steps;
}

function closing(p: string, at: number): number {
  let quote = '';
  for (let j = at + 1; j < p.length; j++) {
    const c = p[j];
    if (quote) { if (c === quote) quote = ''; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === ']') return j;
  }
  throw new Error('unterminated array');
}

function parseFilter(f: string): Step {
  const m = /^@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(.+)$/.exec(f.trim());
  if (!m) throw new Error(`unsupported filter ${f}`);
  const raw = m[3].trim();
  let value: string | number | boolean;
  if (/^'.*'$|^".*"$/.test(raw)) value = raw.slice(1, -1);
  else if (raw === 'true' || raw === 'false') value = raw === 'true';
  else if (!Number.isNaN(Number(raw))) value = Number(raw);
  else throw new Error(`unsupported filter value ${raw}`);
  return { kind: 'filter', path: parseJsonPath(m[1]), value, negate: m[2] === '!=' };
}

/** Every value the path reaches in `obj`, in document order. */
export function evaluate(steps: Step[], obj: unknown): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (s.kind === 'field') {
        if (v && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, s.name)) next.push((v as Record<string, unknown>)[s.name]);
      } else if (s.kind === 'index') {
        if (Array.isArray(v)) { const i = s.index < 0 ? v.length + s.index : s.index; if (i >= 0 && i < v.length) next.push(v[i]); }
      } else if (s.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else {
        const items = Array.isArray(v) ? v : [];
        for (const x of items) {
          const got = evaluate(s.path, x);
          const eq = got.length > 0 && got[0] === s.value;
          if (eq !== s.negate) next.push(x);
        }
      }
    }
    cur = next;
  }
  return cur;
}

/** A path of plain field steps (`.spec.replicas`) as its field names, or undefined for anything fancier. */
export function simpleFields(expr: string): string[] | undefined {
  try {
    const steps = parseJsonPath(expr);
    if (!steps.length || steps.some((s) => s.kind !== 'field')) return undefined;
    return steps.map((s) => (s as { name: string }).name);
  } catch { return undefined; }
}

export function getField(obj: unknown, fields: string[]): unknown {
  let v = obj;
  for (const f of fields) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[f];
  }
  return v;
}
