/**
 * Exact values and canonical text of resource quantities (upstream k8s.io/apimachinery/pkg/api/resource.Quantity),
 * for code that computes with them — the HPA's milli-values, the metrics API's usage:
 *
 *   scaledValue('0.9', -3) === 900        (MilliValue: rounded up, exact — no float error)
 *   formatDecimal(250_000_000, -9) === '250m'   formatDecimal(2_000, -3) === '2'   (DecimalSI, canonical)
 *   formatBinary(10_264_576) === '10024Ki'       formatBinary(1000) === '1000'      (BinarySI, canonical)
 */
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** value = mantissa × 10^exp10 × 2^exp2 */
interface Parsed { mantissa: bigint; exp10: number; exp2: number }

function parse(q: unknown): Parsed | undefined {
  let s: string;
  if (typeof q === 'number') { if (!Number.isFinite(q)) return undefined; s = String(q); } else if (typeof q === 'string') s = q.trim(); else return undefined;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = `${m[2]}${m[3] ?? ''}` || '0';
  let exp10 = -(m[3] ?? '').length;
  let exp2 = 0;
  if (m[5] !== undefined) exp10 += Number(m[5]);
  else if (m[4] !== undefined) {
    if (m[4] in BINARY_SUFFIX) exp2 = BINARY_SUFFIX[m[4]];
    else exp10 += DECIMAL_SUFFIX[m[4]];
  }
  const mantissa = BigInt(digits) * (m[1] === '-' ? -1n : 1n);
  return { mantissa, exp10, exp2 };
}

const pow10 = (n: number) => 10n ** BigInt(n);

/** ceil(q × 10^-scale), exactly (scale −3 = MilliValue, 0 = Value, −9 = nano); undefined when q does not parse. */
export function scaledValue(q: unknown, scale: number): number | undefined {
  const p = parse(q);
  if (!p) return undefined;
  let num = p.mantissa * (2n ** BigInt(p.exp2));
  let den = 1n;
  const e = p.exp10 - scale;
  if (e >= 0) num *= pow10(e); else den = pow10(-e);
  let v = num / den;
  if (num % den !== 0n && num > 0n) v += 1n; // round up, as Quantity.ScaledValue
  return Number(v);
}

/** Quantity.MilliValue. */
export const milliValue = (q: unknown): number | undefined => scaledValue(q, -3);

/** The canonical DecimalSI text of value × 10^scale (integer value), e.g. (250000000, -9) → "250m". */
export function formatDecimal(value: number, scale: number): string {
  let v = BigInt(Math.trunc(value));
  let e = scale;
  if (v === 0n) return '0';
  // Bring the exponent to a multiple of 3 (at most as fine as n), then grow it while the value stays exact.
  while (((e % 3) + 3) % 3 !== 0) { v *= 10n; e -= 1; }
  while (e < -9) { v = v / 1000n + (v % 1000n !== 0n && v > 0n ? 1n : 0n); e += 3; }
  while (e < 18 && v % 1000n === 0n) { v /= 1000n; e += 3; }
  const suffix = Object.keys(DECIMAL_SUFFIX).find((k) => DECIMAL_SUFFIX[k] === e) ?? '';
  return `${v}${suffix}`;
}

/** The canonical BinarySI text of a whole number of bytes, e.g. 10264576 → "10024Ki", 1000 → "1000". */
export function formatBinary(bytes: number): string {
  let v = BigInt(Math.trunc(bytes));
  if (v === 0n) return '0';
  let exp = 0;
  while (exp < 60 && v % 1024n === 0n) { v /= 1024n; exp += 10; }
  const suffix = Object.keys(BINARY_SUFFIX).find((k) => BINARY_SUFFIX[k] === exp) ?? '';
  return `${v}${suffix}`;
}
