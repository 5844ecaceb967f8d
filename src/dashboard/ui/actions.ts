/**
 * The dashboard's actions: each is the request kubectl (Deployments) or Argo's kubectl plugin (Rollouts) sends,
 * built by the same pure planners the CLI uses, sent with the user's token, and confirmed in a dialog first.
 * Afterwards an Event is recorded on the object through the API, as the user (source component
 * "kubelite-dashboard"), so every action is visible in the events stream, as kubectl's own actions are not.
 */
import { signal } from '@preact/signals';
import { pathOf, request, K, type Kind } from './api.ts';
import * as dp from '../../client/deployment-plans.ts';
import * as rp from '../../client/rollout-plans.ts';
import type { Obj } from '../model.ts';

export interface Action {
  /** Button label. */
  label: string;
  /** Dialog title. */
  title: string;
  /** An input the dialog asks for (scale: replicas; set image: container=image). */
  input?: { label: string; initial: string; type: 'number' | 'text' };
  danger?: boolean;
  /** The requests that will be sent, for the dialog (method, path, body). */
  describe(input: string): string;
  /** Send; returns the message shown (and recorded as the Event's message). */
  run(input: string): Promise<string>;
}

/** The action awaiting confirmation (the dialog shows it). */
export const pending = signal<Action | null>(null);
/** The last action's outcome, announced in the header. */
export const outcome = signal<{ ok: boolean; text: string } | null>(null);

const CONTENT_TYPE: Record<string, string> = {
  strategic: 'application/strategic-merge-patch+json', merge: 'application/merge-patch+json', json: 'application/json-patch+json',
};

interface Patch { subresource?: string; type: string; patch: unknown }

function patchText(kind: Kind, o: Obj, p: Patch): string {
  return `PATCH ${pathOf(kind, o.metadata.namespace, o.metadata.name, p.subresource)}\nContent-Type: ${CONTENT_TYPE[p.type]}\n${JSON.stringify(p.patch, null, 1).slice(0, 2000)}`;
}

async function send(kind: Kind, o: Obj, p: Patch): Promise<Obj> {
  return request('PATCH', pathOf(kind, o.metadata.namespace, o.metadata.name, p.subresource), p.patch, CONTENT_TYPE[p.type]);
}

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Record an Event about `o` as the signed-in user (core/v1, named `<object>.<hex>` as recorders name them). */
export async function recordEvent(kind: Kind, o: Obj, reason: string, message: string): Promise<void> {
  const ns = o.metadata.namespace ?? 'default';
  const now = Date.now();
  const suffix = (BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16);
  await request('POST', pathOf(K.events, ns), {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: `${o.metadata.name}.${suffix}`, namespace: ns },
    involvedObject: { kind: kind.kind, apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version, namespace: ns, name: o.metadata.name, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion },
    reason, message, type: 'Normal', count: 1, firstTimestamp: rfc3339(now), lastTimestamp: rfc3339(now),
    source: { component: 'kubelite-dashboard' }, reportingComponent: 'kubelite-dashboard', reportingInstance: 'kubelite-dashboard',
  });
}

/** Run an action's requests, then record its Event; an Event the user may not create is reported, not fatal. */
async function thenEvent(kind: Kind, o: Obj, reason: string, message: string, work: () => Promise<unknown>): Promise<string> {
  await work();
  try { await recordEvent(kind, o, reason, message); } catch (e) { return `${message} (the event could not be recorded: ${(e as Error).message})`; }
  return message;
}

function simple(kind: Kind, o: Obj, label: string, reason: string, message: string, plans: Patch[], danger = false): Action {
  return {
    label, danger, title: `${label} ${kind.kind.toLowerCase()} ${o.metadata.name}`,
    describe: () => plans.map((p) => patchText(kind, o, p)).join('\n\n'),
    run: () => thenEvent(kind, o, reason, message, async () => { for (const p of plans) await send(kind, o, p); }),
  };
}

function parseAssign(input: string): { container: string; image: string } | undefined {
  const eq = input.indexOf('=');
  if (eq < 1 || eq === input.length - 1) return undefined;
  return { container: input.slice(0, eq).trim(), image: input.slice(eq + 1).trim() };
}

export function deploymentActions(d: Obj): Action[] {
  const K_ = K.deployments;
  const c0 = d.spec?.template?.spec?.containers?.[0] ?? {};
  const paused = !!d.spec?.paused;
  return [
    {
      label: 'Scale', title: `Scale deployment ${d.metadata.name}`,
      input: { label: 'replicas', initial: String(d.spec?.replicas ?? 1), type: 'number' },
      describe: (v) => patchText(K_, d, dp.planScale(Number(v))),
      run: (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) return Promise.reject(new Error('replicas must be a whole number, 0 or more'));
        return thenEvent(K_, d, 'Scaled', `Scaled deployment ${d.metadata.name} to ${n} replicas from the dashboard`, () => send(K_, d, dp.planScale(n)));
      },
    },
    {
      label: 'Set image', title: `Set image of deployment ${d.metadata.name}`,
      input: { label: 'container=image', initial: `${c0.name ?? ''}=${c0.image ?? ''}`, type: 'text' },
      describe: (v) => { const a = parseAssign(v); return a ? patchText(K_, d, dp.planSetImage(a.container, a.image)) : 'expected CONTAINER=IMAGE'; },
      run: (v) => {
        const a = parseAssign(v);
        if (!a) return Promise.reject(new Error('expected CONTAINER=IMAGE'));
        if (!(d.spec?.template?.spec?.containers ?? []).some((c: Obj) => c.name === a.container)) return Promise.reject(new Error(`unable to find container named "${a.container}"`));
        return thenEvent(K_, d, 'ImageSet', `Set image of container ${a.container} to ${a.image} from the dashboard`, () => send(K_, d, dp.planSetImage(a.container, a.image)));
      },
    },
    paused
      ? simple(K_, d, 'Resume', 'Resumed', `Resumed rollout of deployment ${d.metadata.name} from the dashboard`, [dp.planPause(false)])
      : simple(K_, d, 'Pause', 'Paused', `Paused rollout of deployment ${d.metadata.name} from the dashboard`, [dp.planPause(true)]),
    {
      label: 'Restart', title: `Restart deployment ${d.metadata.name}`,
      describe: () => patchText(K_, d, dp.planRestart(Date.now())),
      run: () => thenEvent(K_, d, 'Restarted', `Restarted deployment ${d.metadata.name} from the dashboard`, () => send(K_, d, dp.planRestart(Date.now()))),
    },
  ];
}

/** Undo to one revision, as `kubectl rollout undo --to-revision=N`. */
export function deploymentUndo(d: Obj, replicaSets: Obj[], revision: number): Action {
  const K_ = K.deployments;
  const plan = dp.planUndo(d, replicaSets, revision);
  return {
    label: `Undo to revision ${revision}`, title: `Undo deployment ${d.metadata.name} to revision ${revision}`, danger: true,
    describe: () => plan.patch ? patchText(K_, d, plan.patch) : plan.error ?? plan.skipped ?? '',
    run: async () => {
      if (plan.error) throw new Error(plan.error);
      if (!plan.patch) return plan.skipped ?? '';
      return thenEvent(K_, d, 'RolledBack', `Rolled back deployment ${d.metadata.name} to revision ${revision} from the dashboard`, () => send(K_, d, plan.patch!));
    },
  };
}

export function rolloutActions(ro: Obj): Action[] {
  const K_ = K.rollouts;
  const n = ro.metadata.name;
  const paused = !!ro.spec?.paused;
  return [
    simple(K_, ro, 'Promote', 'Promoted', `Promoted rollout ${n} from the dashboard`, rp.planPromote(ro, false)),
    simple(K_, ro, 'Promote full', 'PromotedFull', `Fully promoted rollout ${n} from the dashboard`, rp.planPromote(ro, true)),
    simple(K_, ro, 'Abort', 'Aborted', `Aborted rollout ${n} from the dashboard`, rp.planAbort(), true),
    ...(ro.status?.abort ? [simple(K_, ro, 'Retry', 'Retried', `Retried rollout ${n} from the dashboard`, rp.planRetry())] : []),
    paused
      ? simple(K_, ro, 'Resume', 'Resumed', `Resumed rollout ${n} from the dashboard`, rp.planPause(false))
      : simple(K_, ro, 'Pause', 'Paused', `Paused rollout ${n} from the dashboard`, rp.planPause(true)),
    {
      label: 'Restart', title: `Restart rollout ${n}`,
      describe: () => rp.planRestart(Date.now()).map((p) => patchText(K_, ro, p)).join('\n'),
      run: () => thenEvent(K_, ro, 'Restarted', `Restarted rollout ${n} from the dashboard`, () => send(K_, ro, rp.planRestart(Date.now())[0])),
    },
  ];
}

/** Undo a Rollout to one revision, as the plugin's `undo --to-revision N`. */
export function rolloutUndo(ro: Obj, replicaSets: Obj[], revision: number): Action {
  const K_ = K.rollouts;
  const plan = rp.planUndo(ro, replicaSets, revision);
  return {
    label: `Undo to revision ${revision}`, title: `Undo rollout ${ro.metadata.name} to revision ${revision}`, danger: true,
    describe: () => plan.patch ? patchText(K_, ro, plan.patch) : plan.message,
    run: async () => {
      if (!plan.patch) { if (plan.message.startsWith('skipped')) return plan.message; throw new Error(plan.message); }
      return thenEvent(K_, ro, 'RolledBack', `Rolled back rollout ${ro.metadata.name} to revision ${revision} from the dashboard`, () => send(K_, ro, plan.patch!));
    },
  };
}
