/** Pods table: upstream printPod (pkg/printers/internalversion/printers.go), STATUS/READY/RESTARTS logic included. */
import { ageSince } from '../../util/duration.ts';
import { DOC } from './descriptions.ts';
import { type TableDef, type TableRowCondition, col, nameColumn, ageColumn, age } from './table.ts';

const NodeUnreachablePodReason = 'NodeLost';

function isRestartableInitContainer(c: any): boolean {
  return c?.restartPolicy === 'Always';
}

/** READY, STATUS, RESTARTS of a pod, as kubectl shows them. */
export function podStatusCells(pod: any, nowMs: number): { ready: string; status: string; restarts: string } {
  const spec = pod?.spec ?? {};
  const st = pod?.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart = 0; // ms, 0 = zero time
  let lastRestartableInitRestart = 0;
  const podPhase: string = st.phase ?? '';
  let reason: string = st.reason || podPhase;
  for (const c of st.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const initContainers = new Map<string, any>();
  for (const c of spec.initContainers ?? []) {
    initContainers.set(c.name, c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }
  const finishedAt = (cs: any): number => {
    const t = cs?.lastState?.terminated?.finishedAt;
    const ms = t ? Date.parse(t) : NaN;
    return Number.isNaN(ms) ? 0 : ms;
  };

  let initializing = false;
  const initStatuses: any[] = st.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    if (c.lastState?.terminated) lastRestart = Math.max(lastRestart, finishedAt(c));
    const restartable = isRestartableInitContainer(initContainers.get(c.name));
    if (restartable) {
      restartableInitRestarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastRestartableInitRestart = Math.max(lastRestartableInitRestart, finishedAt(c));
    }
    const term = c.state?.terminated;
    const wait = c.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (restartable && c.started === true) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      else reason = 'Init:' + term.reason;
      initializing = true;
    } else if (wait && wait.reason && wait.reason !== 'PodInitializing') {
      reason = 'Init:' + wait.reason;
      initializing = true;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
      initializing = true;
    }
    break;
  }

  const initializedTrue = (st.conditions ?? []).find((c: any) => c.type === 'Initialized')?.status === 'True';
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const cstats: any[] = st.containerStatuses ?? [];
    for (let i = cstats.length - 1; i >= 0; i--) {
      const c = cstats[i];
      restarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastRestart = Math.max(lastRestart, finishedAt(c));
      const wait = c.state?.waiting;
      const term = c.state?.terminated;
      if (wait && wait.reason) reason = wait.reason;
      else if (term && term.reason) reason = term.reason;
      else if (term && !term.reason) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      else if (c.ready && c.state?.running) { hasRunning = true; readyContainers++; }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = (st.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  const deleting = !!pod?.metadata?.deletionTimestamp;
  if (deleting && st.reason === NodeUnreachablePodReason) reason = 'Unknown';
  else if (deleting && podPhase !== 'Succeeded' && podPhase !== 'Failed') reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) {
    restartsStr = `${restarts} (${ageSince(new Date(lastRestart).toISOString(), nowMs)} ago)`;
  }
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsStr };
}

export const podTable: TableDef = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn(),
    col('IP', 'string', DOC.podIP, 1),
    col('Node', 'string', DOC.nodeName, 1),
    col('Nominated Node', 'string', DOC.nominatedNodeName, 1),
    col('Readiness Gates', 'string', DOC.readinessGates, 1),
  ],
  row(pod: any, nowMs: number) {
    const { ready, status, restarts } = podStatusCells(pod, nowMs);
    const podIP = pod?.status?.podIPs?.[0]?.ip || pod?.status?.podIP || '<none>';
    const nodeName = pod?.spec?.nodeName || '<none>';
    const nominated = pod?.status?.nominatedNodeName || '<none>';
    let gates = '<none>';
    const rg: any[] = pod?.spec?.readinessGates ?? [];
    if (rg.length > 0) {
      let trueConds = 0;
      for (const g of rg) {
        const c = (pod?.status?.conditions ?? []).find((x: any) => x.type === g.conditionType);
        if (c && c.status === 'True') trueConds++;
      }
      gates = `${trueConds}/${rg.length}`;
    }
    return [pod?.metadata?.name ?? '', ready, status, restarts, age(pod, nowMs), podIP, nodeName, nominated, gates];
  },
  conditions(pod: any): TableRowCondition[] | undefined {
    const phase = pod?.status?.phase;
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};
