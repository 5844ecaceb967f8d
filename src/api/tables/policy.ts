/** PodDisruptionBudgets table (upstream printPodDisruptionBudget). */
import { type TableDef, col, nameColumn, ageColumn, age } from './table.ts';

/** IntOrString.String(): the number, or the string as it is. */
const intOrString = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));

export const podDisruptionBudgetTable: TableDef = {
  columns: [
    nameColumn(),
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn(),
  ],
  row(pdb: any, nowMs: number) {
    return [pdb?.metadata?.name ?? '', intOrString(pdb?.spec?.minAvailable), intOrString(pdb?.spec?.maxUnavailable),
      pdb?.status?.disruptionsAllowed ?? 0, age(pdb, nowMs)];
  },
};
