/**
 * `tableFor(group, kind)`: the server-side printing definition of a kind — its descriptor's `table` (upstream
 * columns), NAME/AGE otherwise. Use with `buildTable(items, def, nowMs, includeObject, listMeta)` from table.ts.
 */
import type { TableDef } from './table.ts';
import { defaultTable } from './cluster.ts';
import { findByKind } from '../registry.ts';

export { buildTable, rowObject } from './table.ts';
export type { ColumnDefinition, TableDef, Table, TableRow, IncludeObject } from './table.ts';

export function tableFor(group: string, kind: string, version?: string): TableDef {
  return findByKind(group === 'core' ? '' : group, kind, version)?.table ?? defaultTable;
}
