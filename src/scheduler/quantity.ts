/**
 * Resource quantities as the scheduler needs them: CPU in millicores, everything else in base units (bytes, count).
 * Parses the Kubernetes quantity grammar (decimal SI "m", "k", "M", "G", …, binary "Ki", "Mi", …, exponent "1e3").
 */
const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity's value in base units (e.g. "500m" → 0.5, "64Mi" → 67108864). NaN when unparseable. */
export function parseQuantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null || q === '') return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/.exec(q.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  if (m[2]) return n * binary[m[2]];
  if (m[3]) return n * 10 ** Number(m[3].slice(1));
  return n * decimal[m[4] ?? ''];
}

/** CPU quantity in millicores, rounded up as upstream's MilliValue. */
export function milliCPU(q: string | number | undefined | null): number {
  return Math.ceil(parseQuantity(q) * 1000 - 1e-9);
}

/** A quantity in whole base units, rounded up as upstream's Value. */
export function wholeValue(q: string | number | undefined | null): number {
  return Math.ceil(parseQuantity(q) - 1e-9);
}
