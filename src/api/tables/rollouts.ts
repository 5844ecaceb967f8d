/**
 * Tables of the argoproj.io kinds: the printer columns Argo's CRDs declare (additionalPrinterColumns), so
 * `kubectl get rollouts -w` prints what it prints against Argo. A field that is not set yet is an empty cell
 * (null), as the CRD table converter leaves it.
 */
import { type TableDef, col, nameColumn, ageColumn, age } from './table.ts';

const n = (v: unknown) => (typeof v === 'number' ? v : null);

export const rolloutTable: TableDef = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', 'Number of desired pods'),
    col('Current', 'integer', 'Total number of non-terminated pods targeted by this rollout'),
    col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this rollout that have the desired template spec'),
    col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this rollout'),
    ageColumn(),
  ],
  row(r: any, nowMs: number) {
    const st = r?.status ?? {};
    return [r?.metadata?.name ?? '', n(r?.spec?.replicas), n(st.replicas), n(st.updatedReplicas), n(st.availableReplicas), age(r, nowMs)];
  },
};

export const analysisRunTable: TableDef = {
  columns: [nameColumn(), col('Status', 'string', 'AnalysisRun Status'), ageColumn()],
  row: (r: any, nowMs: number) => [r?.metadata?.name ?? '', typeof r?.status?.phase === 'string' ? r.status.phase : null, age(r, nowMs)],
};
