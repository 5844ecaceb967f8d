/** resource.Quantity parsing (enough for validation and comparison): "100m", "1Gi", "2", "1e3", "0.5". */
const SUFFIX: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
export const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** The numeric value of a quantity, or undefined when it does not parse. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/.exec(q.trim());
  if (!m || q.trim() !== q || q === '') return undefined;
  const base = Number(m[1]);
  if (m[3] !== undefined) return base * 10 ** Number(m[3]);
  return base * SUFFIX[m[2] ?? ''];
}

/**
 * The canonical text of a quantity, for the cases clients commonly send: plain numbers (JSON numbers or
 * "0.5") become "500m"/"2", "1000m" becomes "1", values finer than a milli round up to milli
 * (upstream SetDefaults_ResourceList + Quantity.String). Suffixed values (Mi, Gi, k, ...) are kept as written.
 * Anything that does not parse is returned unchanged (validation reports it).
 */
export function canonicalQuantity(q: unknown): unknown {
  let milli: number | undefined;
  if (typeof q === 'number' && Number.isFinite(q)) milli = Math.ceil(q * 1000 - 1e-9);
  else if (typeof q === 'string') {
    const plain = /^([+-]?(?:\d+\.?\d*|\.\d+))$/.exec(q);
    const m = /^([+-]?\d+)m$/.exec(q);
    if (plain) milli = Math.ceil(Number(plain[1]) * 1000 - 1e-9);
    else if (m) milli = Number(m[1]);
    else return q;
  } else return q;
  if (milli === undefined || !Number.isSafeInteger(milli)) return q;
  if (milli === 0) return '0';
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
