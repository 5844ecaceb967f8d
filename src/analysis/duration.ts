/**
 * Argo's DurationString (interval, initialDelay, window): Go's time.ParseDuration syntax — a sequence of decimal
 * numbers with a unit each ("30s", "1m30s", "1.5h", "500ms"; units ns, us, µs, ms, s, m, h), "0" alone allowed.
 * Errors are worded as Go words them, so a bad interval reads as it would under Argo.
 */

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string; throws Error("time: invalid duration \"…\"") and Go's other messages. */
export function parseGoDuration(s: string): number {
  const quoted = JSON.stringify(s);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) { sign = rest[0] === '-' ? -1 : 1; rest = rest.slice(1); }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  while (rest !== '') {
    const num = /^(\d*)(\.\d*)?/.exec(rest)!;
    if (num[0] === '' || num[0] === '.') throw new Error(`time: invalid duration ${quoted}`);
    rest = rest.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const mul = UNIT_MS[unit];
    if (mul === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    rest = rest.slice(unit.length);
    total += Number(num[0]) * mul;
  }
  return sign * total;
}

/** The duration in milliseconds, or undefined when unset; throws on a malformed string. */
export function optionalDuration(s: string | undefined): number | undefined {
  return s === undefined || s === '' ? undefined : parseGoDuration(s);
}

/** "60s", "2m", "1h30m", "1.5s": a short Go-style rendering of a duration, for messages. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  s = Math.round(s * 1000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
