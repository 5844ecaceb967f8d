/**
 * Judging one measurement from its result (Argo Rollouts utils/evaluate.EvaluateResult):
 *
 *   conditions present      phase
 *   none                    Successful (Argo's docs say Inconclusive; its code says Successful — we follow the code)
 *   success only            Successful if true, else Failed
 *   failure only            Failed if true, else Successful
 *   both                    Failed if failure is true (even if success is too); Successful if only success is
 *                           true; Inconclusive if neither
 *   evaluation error        Error, message `could not evaluate successCondition "…": <why>`; when the result is
 *                           nil or an empty list the reason is the no-data text instead, so an empty Prometheus
 *                           vector reads as "no data returned from the metric provider", not as an index error.
 */
import type { AnalysisPhase, Metric } from './types.ts';
import { evalCondition } from './expr.ts';

export const NO_DATA = 'metric result is nil or empty: no data returned from the metric provider';

export interface Verdict { phase: AnalysisPhase; message?: string }

function isNilOrEmpty(result: unknown): boolean {
  return result === null || result === undefined || (Array.isArray(result) && result.length === 0);
}

function evalOne(kind: 'successCondition' | 'failureCondition', expr: string, result: unknown): boolean | Verdict {
  try {
    return evalCondition(expr, result);
  } catch (e) {
    const why = isNilOrEmpty(result) ? NO_DATA : (e as Error).message;
    return { phase: 'Error', message: `could not evaluate ${kind} ${JSON.stringify(expr)}: ${why}` };
  }
}

/** The phase of a measurement whose provider returned `result`. */
export function evaluateResult(result: unknown, metric: Pick<Metric, 'successCondition' | 'failureCondition'>): Verdict {
  const sc = metric.successCondition ?? '';
  const fc = metric.failureCondition ?? '';
  let success = false, failure = false;
  if (sc !== '') {
    const r = evalOne('successCondition', sc, result);
    if (typeof r !== 'boolean') return r;
    success = r;
  }
  if (fc !== '') {
    const r = evalOne('failureCondition', fc, result);
    if (typeof r !== 'boolean') return r;
    failure = r;
  }
  if (sc === '' && fc === '') return { phase: 'Successful' };
  if (sc !== '' && fc === '') failure = !success;
  if (sc === '' && fc !== '') success = !failure;
  if (failure) return { phase: 'Failed' };
  if (!success) return { phase: 'Inconclusive' };
  return { phase: 'Successful' };
}

/** A number as Go's strconv.FormatFloat(f, 'f', -1, 64) prints it, as Prometheus values are shown ("NaN", "+Inf"). */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (Math.abs(n) >= 1e21 || (n !== 0 && Math.abs(n) < 1e-6)) {
    // Avoid JS exponent notation: Go prints every digit.
    const s = n.toFixed(20).replace(/\.?0+$/, '');
    return Number(s) === n ? s : String(n);
  }
  return String(n);
}
