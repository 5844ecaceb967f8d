/**
 * The requests of Argo Rollouts' kubectl plugin verbs (reference/rollouts-semantics.md §8), as pure functions:
 * each returns the patches to send, so `kubelite rollouts` (src/cli/rollouts.ts) and the dashboard
 * (src/dashboard/ui) send exactly the same requests. No I/O and no Node modules here (bundled for the browser).
 */
import type { PatchType } from './client.ts';

type Obj = Record<string, any>;

/** One request a verb sends: a patch of the main resource or of /status. */
export interface PlannedPatch { subresource?: 'status'; type: PatchType; patch: unknown }

export function planPromote(ro: Obj, full: boolean): PlannedPatch[] {
  const out: PlannedPatch[] = [];
  const st = ro.status ?? {};
  const canary = ro.spec?.strategy?.canary;
  const steps: unknown[] = canary?.steps ?? [];
  const pauses = Array.isArray(st.pauseConditions) && st.pauseConditions.length > 0;
  if (full) {
    if (st.currentPodHash !== st.stableRS) out.push({ subresource: 'status', type: 'merge', patch: { status: { promoteFull: true } } });
  } else if (canary) {
    const i = typeof st.currentStepIndex === 'number' ? st.currentStepIndex : 0;
    const next = Math.min(i + 1, steps.length);
    const inconclusive = st.canary?.currentStepAnalysisRunStatus?.status === 'Inconclusive';
    if (inconclusive && pauses && st.controllerPause) {
      out.push({ subresource: 'status', type: 'merge', patch: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: next } } });
    } else if (pauses) out.push({ subresource: 'status', type: 'merge', patch: { status: { pauseConditions: null } } });
    else if (steps.length > 0) out.push({ subresource: 'status', type: 'merge', patch: { status: { pauseConditions: null, currentStepIndex: next } } });
  } else if (pauses) out.push({ subresource: 'status', type: 'merge', patch: { status: { pauseConditions: null } } });
  if (ro.spec?.paused) out.push({ type: 'merge', patch: { spec: { paused: false } } });
  return out;
}

export const planAbort = (): PlannedPatch[] => [{ subresource: 'status', type: 'merge', patch: { status: { abort: true } } }];
export const planRetry = (): PlannedPatch[] => [{ subresource: 'status', type: 'merge', patch: { status: { abort: false } } }];
export const planPause = (paused: boolean): PlannedPatch[] => [{ type: 'merge', patch: { spec: { paused } } }];

/** `restart [--in d]`: spec.restartAt = now (+ d), RFC 3339 UTC without fractions. */
export function planRestart(nowMs: number, inMs = 0): PlannedPatch[] {
  const t = new Date(Math.floor((nowMs + inMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return [{ type: 'merge', patch: { spec: { restartAt: t } } }];
}

const revisionOf = (o: Obj) => Number(o?.metadata?.annotations?.['rollout.argoproj.io/revision'] ?? NaN);

/** `undo [--to-revision N]`: N's template (hash label removed) as a JSON patch, or why not. */
export function planUndo(ro: Obj, replicaSets: Obj[], toRevision?: number): { patch?: PlannedPatch; message: string } {
  const owned = replicaSets.filter((rs) => Number.isFinite(revisionOf(rs))).sort((a, b) => revisionOf(b) - revisionOf(a));
  const target = toRevision ? owned.find((rs) => revisionOf(rs) === toRevision) : owned[1];
  if (!target) return { message: toRevision ? `unable to find specified revision ${toRevision}` : 'no rollout history found' };
  const tmpl = structuredClone(target.spec?.template ?? {});
  if (tmpl.metadata?.labels) delete tmpl.metadata.labels['rollouts-pod-template-hash'];
  const cur = structuredClone(ro.spec?.template ?? {});
  if (JSON.stringify(canonical(cur)) === JSON.stringify(canonical(tmpl))) {
    return { message: `skipped rollback (current template already matches revision ${revisionOf(target)})` };
  }
  return { patch: { type: 'json', patch: [{ op: 'replace', path: '/spec/template', value: tmpl }] }, message: `rollout '${ro.metadata.name}' undo` };
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Obj)[k])]));
  return v;
}

/** `set image NAME c=img`: the object with images replaced, or an error text. */
export function planSetImage(obj: Obj, container: string, image: string): { obj?: Obj; error?: string } {
  const next = structuredClone(obj);
  const spec = next.spec?.template?.spec ?? {};
  let found = false;
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of spec[list] ?? []) if (container === '*' || c.name === container) { c.image = image; found = true; }
  }
  return found ? { obj: next } : { error: `unable to find container named "${container}"` };
}

