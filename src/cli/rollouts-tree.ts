/**
 * The text of `kubelite rollouts get rollout NAME` (the layout of Argo's plugin: a header of 17-column labels, then a
 * NAME KIND STATUS AGE INFO tree of revisions, ReplicaSets, pods and analysis runs), and of `list rollouts`.
 * Pure functions of the objects: the CLI fetches and watches, these only format.
 */
import { shortHumanDuration } from '../util/duration.ts';

type Obj = Record<string, any>;

export interface RolloutTreeInput { rollout: Obj; replicaSets: Obj[]; pods: Obj[]; analysisRuns: Obj[] }

const ICON: Record<string, string> = {
  Healthy: '✔', Successful: '✔', Running: '◌', Progressing: '◌', Pending: '◌', Paused: '॥', Degraded: '✖', Failed: '✖',
  Error: '⚠', Inconclusive: '?', ScaledDown: '•', Terminating: '◌', Unknown: '?',
};
const icon = (s: string) => `${ICON[s] ?? '✖'} ${s}`;
const HASH = 'rollouts-pod-template-hash';
const revision = (o: Obj) => Number(o?.metadata?.annotations?.['rollout.argoproj.io/revision'] ?? 0);
const ageOf = (o: Obj, now: number) => {
  const t = Date.parse(o?.metadata?.creationTimestamp ?? '');
  return Number.isFinite(t) ? shortHumanDuration(Math.max(0, now - t)) : '';
};

/** The phase shown for a Rollout: the stored one, unless the controller has not observed the spec yet. */
export function displayPhase(ro: Obj): { phase: string; message: string } {
  const st = ro.status ?? {};
  if (st.observedGeneration !== undefined && st.observedGeneration !== String(ro.metadata?.generation ?? '')) {
    return { phase: 'Progressing', message: 'waiting for rollout spec update to be observed' };
  }
  if (st.controllerPause && !(st.pauseConditions?.length)) return { phase: 'Progressing', message: 'waiting for rollout to unpause' };
  return { phase: st.phase ?? 'Progressing', message: st.message ?? '' };
}

/** The weight of the current canary step (0 while aborted, 100 once past the last step). */
export function currentSetWeight(ro: Obj): number {
  const st = ro.status ?? {};
  const steps: Obj[] = ro.spec?.strategy?.canary?.steps ?? [];
  if (st.abort) return 0;
  const i = typeof st.currentStepIndex === 'number' ? st.currentStepIndex : steps.length;
  if (i >= steps.length) return 100;
  for (let j = i; j >= 0; j--) if (typeof steps[j]?.setWeight === 'number') return steps[j].setWeight;
  return 0;
}

export function actualWeight(ro: Obj, replicaSets: Obj[]): number {
  const w = ro.status?.canary?.weights?.canary?.weight;
  if (typeof w === 'number') return w;
  const cur = ro.status?.currentPodHash;
  let canary = 0, total = 0;
  for (const rs of replicaSets) {
    const a = rs.status?.availableReplicas ?? 0;
    total += a;
    if (rs.metadata?.labels?.[HASH] === cur && cur !== ro.status?.stableRS) canary += a;
  }
  return total ? Math.round((canary * 100) / total) : 0;
}

function rsTags(ro: Obj, rs: Obj): string[] {
  const st = ro.status ?? {};
  const h = rs.metadata?.labels?.[HASH];
  const tags: string[] = [];
  if (ro.spec?.strategy?.blueGreen) {
    if (h === st.blueGreen?.activeSelector) tags.push('active');
    if (h === st.blueGreen?.previewSelector && h !== st.blueGreen?.activeSelector) tags.push('preview');
  } else {
    if (h === st.stableRS) tags.push('stable');
    if (h === st.currentPodHash && h !== st.stableRS) tags.push('canary');
  }
  const deadline = rs.metadata?.annotations?.['scale-down-deadline'];
  if (deadline) {
    const left = Date.parse(deadline) - Date.now();
    if (left > 0) tags.push(`delay:${shortHumanDuration(left)}`);
  }
  return tags;
}

function rsStatus(rs: Obj): string {
  const want = rs.spec?.replicas ?? 0, st = rs.status ?? {};
  if (want === 0 && (st.replicas ?? 0) === 0) return 'ScaledDown';
  if ((st.availableReplicas ?? 0) >= want && (st.replicas ?? 0) === want) return 'Healthy';
  return 'Progressing';
}

function podStatus(p: Obj): { status: string; text: string; info: string } {
  const cs: Obj[] = p.status?.containerStatuses ?? [];
  const ready = cs.filter((c) => c.ready).length;
  const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const waiting = cs.map((c) => c.state?.waiting?.reason).find(Boolean);
  const info = [`ready:${ready}/${p.spec?.containers?.length ?? cs.length}`, ...(restarts ? [`restarts:${restarts}`] : [])].join(',');
  if (p.metadata?.deletionTimestamp) return { status: 'Terminating', text: 'Terminating', info };
  if (waiting) return { status: 'Degraded', text: waiting, info };
  const phase = p.status?.phase ?? 'Pending';
  if (phase === 'Running' && ready < cs.length) return { status: 'Progressing', text: 'Running', info };
  if (phase === 'Running') return { status: 'Healthy', text: 'Running', info };
  return { status: phase === 'Failed' ? 'Degraded' : 'Progressing', text: phase, info };
}

function runInfo(run: Obj): string {
  const s = run.status?.runSummary ?? {};
  const parts: string[] = [];
  if (s.successful) parts.push(`✔ ${s.successful}`);
  if (s.failed) parts.push(`✖ ${s.failed}`);
  if (s.inconclusive) parts.push(`? ${s.inconclusive}`);
  if (s.error) parts.push(`⚠ ${s.error}`);
  return parts.join(',');
}

interface Row { prefix: string; name: string; kind: string; status: string; age: string; info: string }

export function renderRolloutTree(t: RolloutTreeInput, now: number): string {
  const ro = t.rollout, st = ro.status ?? {};
  const { phase, message } = displayPhase(ro);
  const canary = !!ro.spec?.strategy?.canary;
  const lines: string[] = [];
  const label = (l: string, v: string | number) => lines.push(`${l.padEnd(17)}${v}`);
  label('Name:', ro.metadata?.name ?? '');
  label('Namespace:', ro.metadata?.namespace ?? '');
  label('Status:', icon(phase));
  if (message) label('Message:', message);
  label('Strategy:', canary ? 'Canary' : 'BlueGreen');
  if (canary) {
    const steps: unknown[] = ro.spec.strategy.canary.steps ?? [];
    if (steps.length) label('  Step:', `${st.currentStepIndex ?? steps.length}/${steps.length}`);
    label('  SetWeight:', currentSetWeight(ro));
    label('  ActualWeight:', actualWeight(ro, t.replicaSets));
  }
  const images: string[] = [];
  for (const rs of [...t.replicaSets].sort((a, b) => revision(b) - revision(a))) {
    if ((rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0) continue;
    const tags = rsTags(ro, rs).filter((x) => !x.startsWith('delay:'));
    for (const c of rs.spec?.template?.spec?.containers ?? []) images.push(`${c.image}${tags.length ? ` (${tags.join(', ')})` : ''}`);
  }
  images.forEach((img, i) => (i === 0 ? label('Images:', img) : lines.push(`${''.padEnd(17)}${img}`)));
  lines.push('Replicas:');
  label('  Desired:', ro.spec?.replicas ?? 1);
  label('  Current:', st.replicas ?? 0);
  label('  Updated:', st.updatedReplicas ?? 0);
  label('  Ready:', st.readyReplicas ?? 0);
  label('  Available:', st.availableReplicas ?? 0);
  lines.push('');

  const rows: Row[] = [{ prefix: '', name: `⟳ ${ro.metadata?.name}`, kind: 'Rollout', status: icon(phase), age: ageOf(ro, now), info: '' }];
  const revs = [...new Set([...t.replicaSets.map(revision), ...t.analysisRuns.map(revision)])].sort((a, b) => b - a);
  revs.forEach((rev, ri) => {
    const lastRev = ri === revs.length - 1;
    rows.push({ prefix: lastRev ? '└──' : '├──', name: `# revision:${rev}`, kind: '', status: '', age: '', info: '' });
    const base = lastRev ? '   ' : '│  ';
    const children: Array<{ obj: Obj; type: 'rs' | 'run' }> = [
      ...t.replicaSets.filter((rs) => revision(rs) === rev).map((obj) => ({ obj, type: 'rs' as const })),
      ...t.analysisRuns.filter((r) => revision(r) === rev).map((obj) => ({ obj, type: 'run' as const })),
    ];
    children.forEach((ch, ci) => {
      const lastCh = ci === children.length - 1;
      const p = base + (lastCh ? '└──' : '├──');
      if (ch.type === 'run') {
        const ph = ch.obj.status?.phase ?? 'Pending';
        rows.push({ prefix: p, name: `α ${ch.obj.metadata.name}`, kind: 'AnalysisRun', status: icon(ph), age: ageOf(ch.obj, now), info: runInfo(ch.obj) });
        return;
      }
      const rs = ch.obj;
      rows.push({ prefix: p, name: `⧉ ${rs.metadata.name}`, kind: 'ReplicaSet', status: icon(rsStatus(rs)), age: ageOf(rs, now), info: rsTags(ro, rs).join(',') });
      const pods = t.pods.filter((pod) => (pod.metadata?.ownerReferences ?? []).some((r: Obj) => r.uid === rs.metadata.uid))
        .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
      const pbase = base + (lastCh ? '   ' : '│  ');
      pods.forEach((pod, pi) => {
        const ps = podStatus(pod);
        rows.push({ prefix: pbase + (pi === pods.length - 1 ? '└──' : '├──'), name: `□ ${pod.metadata.name}`, kind: 'Pod', status: `${ICON[ps.status] ?? '?'} ${ps.text}`, age: ageOf(pod, now), info: ps.info });
      });
    });
  });
  const w = (f: (r: Row) => string, h: string) => Math.max(h.length, ...rows.map((r) => [...f(r)].length));
  const first = (r: Row) => r.prefix + r.name;
  const widths = [w(first, 'NAME'), w((r) => r.kind, 'KIND'), w((r) => r.status, 'STATUS'), w((r) => r.age, 'AGE')];
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));
  lines.push(`${pad('NAME', widths[0])}  ${pad('KIND', widths[1])}  ${pad('STATUS', widths[2])}  ${pad('AGE', widths[3])}  INFO`);
  for (const r of rows) lines.push(`${pad(first(r), widths[0])}  ${pad(r.kind, widths[1])}  ${pad(r.status, widths[2])}  ${pad(r.age, widths[3])}  ${r.info}`.trimEnd());
  return lines.join('\n') + '\n';
}

/** `list rollouts`: NAME STRATEGY STATUS STEP SET-WEIGHT READY DESIRED UP-TO-DATE AVAILABLE (null = header). */
export function rolloutSummaryRow(ro: Obj | null): string {
  const cols = [28, 10, 12, 6, 11, 7, 8, 11];
  const cells = ro === null
    ? ['NAME', 'STRATEGY', 'STATUS', 'STEP', 'SET-WEIGHT', 'READY', 'DESIRED', 'UP-TO-DATE', 'AVAILABLE']
    : (() => {
      const st = ro.status ?? {};
      const canary = !!ro.spec?.strategy?.canary;
      const steps: unknown[] = ro.spec?.strategy?.canary?.steps ?? [];
      return [ro.metadata.name, canary ? 'Canary' : 'BlueGreen', displayPhase(ro).phase,
        canary && steps.length ? `${st.currentStepIndex ?? steps.length}/${steps.length}` : '-', canary ? String(currentSetWeight(ro)) : '-',
        `${st.readyReplicas ?? 0}/${st.replicas ?? 0}`, String(ro.spec?.replicas ?? 1), String(st.updatedReplicas ?? 0), String(st.availableReplicas ?? 0)];
    })();
  return cells.map((c, i) => (i < cols.length ? c.padEnd(cols[i]) : c)).join(' ').trimEnd();
}
