/**
 * Server-side printing: meta.k8s.io/v1 Tables (what `kubectl get` asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). Column definitions and row logic per kind live in the
 * sibling files; each kind's descriptor names its TableDef (`table`); `buildTable` assembles the Table.
 */
import type { KubeObject } from '../resource.ts';
import { ageSince } from '../../util/duration.ts';
import { DOC } from './descriptions.ts';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string; // 'name' for the name column, else ''
  description: string;
  priority: number; // 0 always shown, 1 with -o wide
}

export interface TableRowCondition { type: string; status: string; reason?: string; message?: string }

export interface TableDef {
  columns: ColumnDefinition[];
  /** One row's cells (as many as columns, wide ones included). */
  row(obj: any, nowMs: number): unknown[];
  /** Optional row conditions (upstream: Completed for finished pods). */
  conditions?(obj: any): TableRowCondition[] | undefined;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

export function col(name: string, type: ColumnDefinition['type'], description: string, priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description, priority };
}
export const nameColumn = (): ColumnDefinition => col('Name', 'string', DOC.name, 0, 'name');
export const ageColumn = (): ColumnDefinition => col('Age', 'string', DOC.creationTimestamp);

export const age = (obj: KubeObject, nowMs: number) => ageSince(obj?.metadata?.creationTimestamp, nowMs);

/** The object of a row: PartialObjectMetadata (default), the whole object, or nothing. */
export function rowObject(obj: KubeObject, includeObject: IncludeObject): unknown {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj?.metadata ?? {} };
}

/** Assemble a Table of `items` (a list, or one object for a watch event). */
export function buildTable(
  items: KubeObject[],
  def: TableDef,
  nowMs: number,
  includeObject: IncludeObject = 'Metadata',
  listMeta: Table['metadata'] = {},
): Table {
  const rows: TableRow[] = items.map((obj) => {
    const r: TableRow = { cells: def.row(obj, nowMs) };
    const c = def.conditions?.(obj);
    if (c) r.conditions = c;
    const o = rowObject(obj, includeObject);
    if (o !== undefined) r.object = o;
    return r;
  });
  const metadata: Table['metadata'] = {};
  if (listMeta.resourceVersion !== undefined) metadata.resourceVersion = listMeta.resourceVersion;
  if (listMeta.continue) metadata.continue = listMeta.continue;
  if (listMeta.remainingItemCount !== undefined) metadata.remainingItemCount = listMeta.remainingItemCount;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: def.columns, rows };
}

/** Names and images of containers, comma-joined (upstream layoutContainerCells). */
export function containerCells(containers: { name?: string; image?: string }[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c.name ?? '').join(','), cs.map((c) => c.image ?? '').join(',')];
}

/** "a=b,c=d" sorted by key, "<none>" when empty (upstream labels.FormatLabels). */
export function formatLabels(m: Record<string, string> | undefined | null): string {
  const keys = Object.keys(m ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${m![k]}`).join(',');
}

/** A list shown up to 3 entries then " + N more..." (upstream formatEndpoints / listWithMoreString). */
export function listWithMore(list: string[], total: number, max = 3, empty = '<unset>'): string {
  const shown = list.slice(0, max).join(',');
  if (total > max) return `${shown} + ${total - max} more...`;
  return shown === '' ? empty : shown;
}
