/**
 * The scheduler (default-scheduler): watches pods and nodes through informers, takes pending pods of
 * `spec.schedulerName: default-scheduler` without a node from the scheduling queue one at a time, filters and scores
 * the nodes (filters.ts, score.ts) and binds through POST pods/NAME/binding. Records Scheduled and FailedScheduling
 * events and the PodScheduled=False condition, as upstream. Pods it has bound are "assumed" on their node until the
 * informer shows the binding, so back-to-back decisions see each other's resource use.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { KubeClient } from '../client/client.ts';
import { SharedInformers } from '../client/factory.ts';
import { objectKey } from '../client/informer.ts';
import { R } from '../client/resources.ts';
import { EventRecorder } from '../client/events.ts';
import { realClock, rfc3339, type Clock } from '../util/clock.ts';
import { fitErrorMessage, nodeReadyStatus, runFilters, type FilterResult, type NodeInfo } from './filters.ts';
import { selectHost } from './score.ts';
import { SchedulingQueue } from './queue.ts';

export const SCHEDULER_NAME = 'default-scheduler';
const MAX_INFLIGHT_BINDINGS = 16;

export interface SchedulerOptions {
  client: KubeClient;
  clock?: Clock;
  /** Back-off of unschedulable pods (defaults as upstream: 1 s doubling to 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  log?: (msg: string) => void;
}

export interface SchedulerHandle { stop(): Promise<void> }

function isTerminal(p: Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

/** A pod this scheduler should place (not bound, ours, not deleting or finished, no scheduling gates left). */
export function needsScheduling(p: Pod): boolean {
  return !p.spec?.nodeName && (p.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME
    && !p.metadata?.deletionTimestamp && !isTerminal(p) && !((p.spec as any)?.schedulingGates?.length);
}

/** Whether a node change could let a parked pod fit (heartbeats alone do not). */
export function nodeSchedulingChanged(a: Node, b: Node): boolean {
  const sig = (n: Node) => JSON.stringify([n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable, nodeReadyStatus(n)]);
  return sig(a) !== sig(b);
}

/** Build the per-node view: every Node, with the non-terminal pods bound or assumed on it. */
export function buildNodeInfos(nodes: Node[], pods: Pod[], assumed: Map<string, string>): NodeInfo[] {
  const byName = new Map<string, NodeInfo>();
  for (const n of nodes) byName.set(n.metadata?.name ?? '', { node: n, pods: [] });
  for (const p of pods) {
    if (isTerminal(p)) continue;
    const nodeName = p.spec?.nodeName || assumed.get(objectKey(p as any));
    if (nodeName) byName.get(nodeName)?.pods.push(p);
  }
  return [...byName.values()].sort((a, b) => ((a.node.metadata?.name ?? '') < (b.node.metadata?.name ?? '') ? -1 : 1));
}

/** One scheduling decision, pure: the chosen node, or the FailedScheduling message. */
export function schedulePod(pod: Pod, infos: NodeInfo[]): { node: string } | { message: string } {
  const feasible: NodeInfo[] = [];
  const failed: FilterResult[] = [];
  for (const info of infos) {
    const r = runFilters(pod, info);
    if (r) failed.push(r); else feasible.push(info);
  }
  const host = selectHost(pod, feasible);
  if (host) return { node: host };
  return { message: fitErrorMessage(infos.length, failed) };
}

export async function startScheduler(opts: SchedulerOptions): Promise<SchedulerHandle> {
  const { client } = opts;
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? ((m: string) => console.error(`scheduler: ${m}`));
  const informers = new SharedInformers(client, { clock });
  const pods = informers.get<any>(R.pods);
  const nodes = informers.get<any>(R.nodes);
  const recorder = new EventRecorder(client, { component: SCHEDULER_NAME, clock });
  const queue = new SchedulingQueue({ clock, initialBackoffMs: opts.initialBackoffMs, maxBackoffMs: opts.maxBackoffMs });
  const assumed = new Map<string, string>();

  pods.addHandler({
    add: (p: Pod) => { if (needsScheduling(p)) queue.add(objectKey(p as any)); },
    update: (oldP: Pod, p: Pod) => {
      const key = objectKey(p as any);
      if (p.spec?.nodeName) {
        assumed.delete(key);
        queue.delete(key);
        if (!isTerminal(oldP) && isTerminal(p)) queue.moveAllToActiveOrBackoff(); // resources freed
        return;
      }
      if (!needsScheduling(p)) { queue.delete(key); return; }
      const sig = (x: Pod) => JSON.stringify([x.spec, x.metadata?.labels]);
      if (sig(oldP) !== sig(p)) queue.activate(key); else queue.add(key);
    },
    delete: (p: Pod) => {
      const key = objectKey(p as any);
      queue.delete(key);
      const hadNode = p.spec?.nodeName || assumed.has(key);
      assumed.delete(key);
      if (hadNode) queue.moveAllToActiveOrBackoff();
    },
  });
  nodes.addHandler({
    add: () => queue.moveAllToActiveOrBackoff(),
    update: (a: Node, b: Node) => { if (nodeSchedulingChanged(a, b)) queue.moveAllToActiveOrBackoff(); },
  });

  await informers.startAll();

  let stopped = false;
  const scheduleOne = async (key: string): Promise<void> => {
    const pod = pods.get(key) as Pod | undefined;
    if (!pod || !needsScheduling(pod) || assumed.has(key)) return;
    const infos = buildNodeInfos(nodes.list() as Node[], pods.list() as Pod[], assumed);
    const decision = schedulePod(pod, infos);
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if ('message' in decision) {
      // Park it first: our own status write comes back as a pod update, which must not re-queue it.
      queue.unschedulableAttempt(key);
      recorder.event(pod as any, 'Warning', 'FailedScheduling', decision.message);
      await setUnschedulableCondition(client, pod, decision.message, clock).catch((e) => log(`status of ${key}: ${e.message}`));
      return;
    }
    assumed.set(key, decision.node);
    // Bind asynchronously (upstream's binding cycle): the next pod is scheduled meanwhile, seeing this one assumed.
    const job = bind(pod, key, ns, name, decision.node).finally(() => inflight.delete(job));
    inflight.add(job);
    if (inflight.size >= MAX_INFLIGHT_BINDINGS) await Promise.race(inflight);
  };

  const inflight = new Set<Promise<void>>();
  const bind = async (pod: Pod, key: string, ns: string, name: string, nodeName: string): Promise<void> => {
    try {
      await client.create(R.pods, ns, {
        apiVersion: 'v1', kind: 'Binding',
        metadata: { name, namespace: ns, uid: pod.metadata?.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      }, {}, 'binding', name);
      queue.done(key);
      recorder.event(pod as any, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${nodeName}`);
    } catch (e: any) {
      assumed.delete(key);
      if (e?.code === 404) { queue.delete(key); return; } // the pod is gone
      if (e?.code === 409 && /already (assigned|bound)|is already/i.test(e.message ?? '')) { queue.delete(key); return; }
      log(`binding ${key} to ${nodeName} failed: ${e?.message ?? e}`);
      recorder.event(pod as any, 'Warning', 'FailedScheduling', `Binding rejected: ${e?.message ?? e}`);
      queue.errorAttempt(key);
    }
  };

  const loop = (async () => {
    while (!stopped) {
      const key = await queue.pop();
      if (key === undefined) break;
      try { await scheduleOne(key); } catch (e: any) { log(`scheduling ${key}: ${e?.stack ?? e}`); queue.errorAttempt(key); }
    }
  })();

  return {
    async stop() {
      stopped = true;
      queue.close();
      await loop;
      await Promise.all([...inflight]);
      await informers.stopAll();
      await recorder.flush();
    },
  };
}

/** PodScheduled=False reason Unschedulable, as upstream's scheduler writes it (only when it changed). */
async function setUnschedulableCondition(client: KubeClient, pod: Pod, message: string, clock: Clock): Promise<void> {
  const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (cur && cur.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return;
  const cond = {
    type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message,
    lastProbeTime: null, lastTransitionTime: cur?.status === 'False' ? cur.lastTransitionTime : rfc3339(clock.now()),
  };
  // A strategic merge on the conditions list (merge key `type`) touches only PodScheduled: a merge patch of the
  // whole list from our cache would put back stale copies of conditions another writer changed meanwhile.
  await client.patch(R.pods, pod.metadata?.namespace, pod.metadata?.name ?? '',
    { status: { conditions: [cond] } }, 'strategic', 'status');
}
