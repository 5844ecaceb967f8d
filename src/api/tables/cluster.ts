/**
 * Tables of Events, Nodes, Namespaces, ConfigMaps, Secrets and Leases (upstream printEvent, printNode,
 * printNamespace, printConfigMap, printSecret, printLease), and the default NAME/AGE table.
 */
import { ageSince } from '../../util/duration.ts';
import { DOC } from './descriptions.ts';
import { type TableDef, col, nameColumn, ageColumn, age } from './table.ts';

export const eventTable: TableDef = {
  columns: [
    col('Last Seen', 'string', DOC.eventLastTimestamp),
    col('Type', 'string', DOC.eventType),
    col('Reason', 'string', DOC.eventReason),
    col('Object', 'string', DOC.eventInvolvedObject),
    col('Subobject', 'string', DOC.objectRefFieldPath, 1),
    col('Source', 'string', DOC.eventSource, 1),
    col('Message', 'string', DOC.eventMessage),
    col('First Seen', 'string', DOC.eventFirstTimestamp, 1),
    col('Count', 'string', DOC.eventCount, 1),
    col('Name', 'string', DOC.name, 1, 'name'),
  ],
  row(ev: any, nowMs: number) {
    let first = ageSince(ev?.firstTimestamp, nowMs);
    if (!ev?.firstTimestamp) first = ageSince(ev?.eventTime, nowMs);
    let last = ageSince(ev?.lastTimestamp, nowMs);
    if (!ev?.lastTimestamp) last = first;
    let count: number = ev?.count ?? 0;
    if (ev?.series) {
      last = ageSince(ev.series.lastObservedTime, nowMs);
      count = ev.series.count ?? 0;
    } else if (count === 0) count = 1;
    const io = ev?.involvedObject ?? {};
    const kind = String(io.kind ?? '').toLowerCase();
    const target = io.name ? `${kind}/${io.name}` : kind;
    const component = ev?.source?.component || ev?.reportingComponent || '';
    const instance = ev?.source?.host || ev?.reportingInstance || '';
    const source = instance ? `${component}, ${instance}` : component;
    return [last, ev?.type ?? '', ev?.reason ?? '', target, io.fieldPath ?? '', source, String(ev?.message ?? '').trim(),
      first, count, ev?.metadata?.name ?? ''];
  },
};

const labelNodeRolePrefix = 'node-role.kubernetes.io/';
const nodeLabelRole = 'kubernetes.io/role';

export function nodeRoles(node: any): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(node?.metadata?.labels ?? {})) {
    if (k.startsWith(labelNodeRolePrefix)) {
      const r = k.slice(labelNodeRolePrefix.length);
      if (r) roles.add(r);
    } else if (k === nodeLabelRole && v !== '') roles.add(v);
  }
  return [...roles].sort();
}

export function nodeStatus(node: any): string {
  const status: string[] = [];
  const ready = (node?.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node?.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const nodeAddress = (node: any, type: string) =>
  (node?.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? '<none>';

export const nodeTable: TableDef = {
  columns: [
    nameColumn(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    col('Version', 'string', DOC.kubeletVersion),
    col('Internal-IP', 'string', DOC.nodeAddresses, 1),
    col('External-IP', 'string', DOC.nodeAddresses, 1),
    col('OS-Image', 'string', DOC.osImage, 1),
    col('Kernel-Version', 'string', DOC.kernelVersion, 1),
    col('Container-Runtime', 'string', DOC.containerRuntimeVersion, 1),
  ],
  row(node: any, nowMs: number) {
    const info = node?.status?.nodeInfo ?? {};
    const roles = nodeRoles(node).join(',') || '<none>';
    return [node?.metadata?.name ?? '', nodeStatus(node), roles, age(node, nowMs), info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'), nodeAddress(node, 'ExternalIP'), info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>'];
  },
};

export const namespaceTable: TableDef = {
  columns: [nameColumn(), col('Status', 'string', 'The status of the namespace'), ageColumn()],
  row: (ns: any, nowMs: number) => [ns?.metadata?.name ?? '', ns?.status?.phase ?? '', age(ns, nowMs)],
};

export const configMapTable: TableDef = {
  columns: [nameColumn(), col('Data', 'string', DOC.configMapData), ageColumn()],
  row: (cm: any, nowMs: number) => [cm?.metadata?.name ?? '',
    Object.keys(cm?.data ?? {}).length + Object.keys(cm?.binaryData ?? {}).length, age(cm, nowMs)],
};

export const secretTable: TableDef = {
  columns: [nameColumn(), col('Type', 'string', DOC.secretType), col('Data', 'string', DOC.secretData), ageColumn()],
  row: (s: any, nowMs: number) => [s?.metadata?.name ?? '', s?.type ?? '', Object.keys(s?.data ?? {}).length, age(s, nowMs)],
};

export const leaseTable: TableDef = {
  columns: [nameColumn(), col('Holder', 'string', DOC.leaseHolder), ageColumn()],
  row: (l: any, nowMs: number) => [l?.metadata?.name ?? '', l?.spec?.holderIdentity ?? '', age(l, nowMs)],
};

export const defaultTable: TableDef = {
  columns: [nameColumn(), ageColumn()],
  row: (o: any, nowMs: number) => [o?.metadata?.name ?? '', age(o, nowMs)],
};
