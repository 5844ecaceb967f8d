/**
 * `tableFor(group, kind)`: the server-side printing definition of a kind (upstream columns), NAME/AGE otherwise.
 * Use with `buildTable(items, def, nowMs, includeObject, listMeta)` from table.ts.
 */
import type { TableDef } from './table.ts';
import { podTable } from './pods.ts';
import { deploymentTable, replicaSetTable } from './workloads.ts';
import { serviceTable, endpointsTable, endpointSliceTable } from './services.ts';
import { rolloutTable, analysisRunTable } from './rollouts.ts';
import { eventTable, nodeTable, namespaceTable, configMapTable, secretTable, leaseTable, defaultTable } from './cluster.ts';

export { buildTable, rowObject } from './table.ts';
export type { ColumnDefinition, TableDef, Table, TableRow, IncludeObject } from './table.ts';

const TABLES: Record<string, TableDef> = {
  '/Pod': podTable,
  'apps/Deployment': deploymentTable,
  'apps/ReplicaSet': replicaSetTable,
  '/Service': serviceTable,
  '/Endpoints': endpointsTable,
  'discovery.k8s.io/EndpointSlice': endpointSliceTable,
  '/Event': eventTable,
  '/Node': nodeTable,
  '/Namespace': namespaceTable,
  '/ConfigMap': configMapTable,
  '/Secret': secretTable,
  'coordination.k8s.io/Lease': leaseTable,
  'argoproj.io/Rollout': rolloutTable,
  'argoproj.io/AnalysisRun': analysisRunTable,
};

export function tableFor(group: string, kind: string): TableDef {
  return TABLES[`${group === 'core' ? '' : group}/${kind}`] ?? defaultTable;
}
