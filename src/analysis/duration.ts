/**
 * Argo's DurationString (interval, initialDelay, window): Go's time.ParseDuration syntax, parsed by
 * src/util/duration.ts. Here a malformed one becomes an error worded as Go words it, so a bad interval reads in a
 * run's message as it would under Argo ("time: missing unit in duration \"30\"").
 */
import { parseGoDuration } from '../util/duration.ts';

/** Why `s` is not a Go duration, in Go's words. */
function goDurationError(s: string): string {
  const quoted = JSON.stringify(s);
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return `time: missing unit in duration ${quoted}`;
  const unit = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))*(?:\d+\.?\d*|\.\d+)([^\d.]+)/.exec(s);
  if (unit) return `time: unknown unit ${JSON.stringify(unit[1])} in duration ${quoted}`;
  return `time: invalid duration ${quoted}`;
}

/** Milliseconds of a Go duration string; throws Error with Go's message when it is not one. */
export function durationMs(s: string): number {
  const ms = parseGoDuration(s);
  if (ms === undefined) throw new Error(goDurationError(s));
  return ms;
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
