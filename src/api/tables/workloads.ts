/** Deployments and ReplicaSets tables (upstream printDeployment / printReplicaSet). */
import { DOC } from './descriptions.ts';
import { type TableDef, col, nameColumn, ageColumn, age, containerCells } from './table.ts';
import { labelSelectorToSelector, selectorToString, formatLabelSelector } from '../labels.ts';

const containersCol = () => col('Containers', 'string', 'Names of each container in the template.', 1);
const imagesCol = () => col('Images', 'string', 'Images referenced by each container in the template.', 1);

export const deploymentTable: TableDef = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', DOC.deployUpdatedReplicas),
    col('Available', 'string', DOC.deployAvailableReplicas),
    ageColumn(),
    containersCol(), imagesCol(),
    col('Selector', 'string', DOC.deploySelector, 1),
  ],
  row(d: any, nowMs: number) {
    const st = d?.status ?? {};
    let selector: string;
    try { selector = selectorToString(labelSelectorToSelector(d?.spec?.selector)); } catch { selector = '<invalid>'; }
    const [names, images] = containerCells(d?.spec?.template?.spec?.containers);
    return [d?.metadata?.name ?? '', `${st.readyReplicas ?? 0}/${d?.spec?.replicas ?? 0}`, st.updatedReplicas ?? 0,
      st.availableReplicas ?? 0, age(d, nowMs), names, images, selector];
  },
};

export const replicaSetTable: TableDef = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', DOC.rsSpecReplicas),
    col('Current', 'integer', DOC.rsStatusReplicas),
    col('Ready', 'integer', DOC.rsReadyReplicas),
    ageColumn(),
    containersCol(), imagesCol(),
    col('Selector', 'string', DOC.rsSelector, 1),
  ],
  row(rs: any, nowMs: number) {
    const [names, images] = containerCells(rs?.spec?.template?.spec?.containers);
    return [rs?.metadata?.name ?? '', rs?.spec?.replicas ?? 0, rs?.status?.replicas ?? 0, rs?.status?.readyReplicas ?? 0,
      age(rs, nowMs), names, images, formatLabelSelector(rs?.spec?.selector)];
  },
};
