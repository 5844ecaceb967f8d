/**
 * `kubelite rollouts <verb>`: the verbs of Argo Rollouts' kubectl plugin (which cannot be installed on these
 * machines), sending exactly the requests the plugin sends (reference/rollouts-semantics.md §8), so each is also
 * doable by hand with `kubectl patch`. The request each verb sends is decided by a pure function (planX) and
 * unit-tested; `runRolloutsCommand` does the I/O.
 *
 *   get rollout NAME [--watch]      the live tree: revisions, ReplicaSets, pods, analysis runs, weights
 *   list rollouts                   NAME STRATEGY STATUS STEP SET-WEIGHT READY DESIRED UP-TO-DATE AVAILABLE
 *   promote NAME [--full]           status: pauseConditions / currentStepIndex (or promoteFull); spec.paused=false
 *   abort NAME                      status: {"abort":true}
 *   retry rollout NAME              status: {"abort":false}
 *   pause NAME | resume NAME        spec: {"paused":true|false}
 *   restart NAME [--in 30s]         spec: {"restartAt": now(+in)}
 *   undo NAME [--to-revision N]     JSON patch replacing spec.template with revision N's template
 *   set image NAME container=image  GET + PUT with the container's image replaced ("*" = every container)
 *   status NAME [--timeout 5m]      waits until Healthy (exit 0) or Degraded (exit 1)
 *   terminate analysisrun NAME      spec: {"terminate":true}
 */
import { KubeClient } from '../client/client.ts';
import { planAbort, planPause, planPromote, planRestart, planRetry, planSetImage, planUndo, type PlannedPatch } from '../client/rollout-plans.ts';
import { parseGoDuration } from '../util/duration.ts';
import { R } from '../client/resources.ts';
import { renderRolloutTree, rolloutSummaryRow, type RolloutTreeInput } from './rollouts-tree.ts';

export const RO = R.rollouts;
export const AR = R.analysisruns;
const RS = { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true } as const;
const PODS = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true } as const;
const DEPLOY = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true } as const;

type Obj = Record<string, any>;

export { planAbort, planPause, planPromote, planRestart, planRetry, planSetImage, planUndo, type PlannedPatch };

export interface RolloutsCliOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  out?: (s: string) => void;
}

async function gather(client: KubeClient, ns: string, name: string): Promise<RolloutTreeInput> {
  const ro = await client.get(RO, ns, name);
  const [rss, pods, runs] = await Promise.all([client.list(RS, ns), client.list(PODS, ns), client.list(AR, ns)]);
  const ownedBy = (o: Obj, uid: string) => (o.metadata?.ownerReferences ?? []).some((r: Obj) => r.uid === uid);
  const replicaSets = rss.items.filter((rs: Obj) => ownedBy(rs, ro.metadata.uid));
  const rsUids = new Set(replicaSets.map((rs: Obj) => rs.metadata.uid));
  return {
    rollout: ro,
    replicaSets,
    pods: pods.items.filter((p: Obj) => (p.metadata?.ownerReferences ?? []).some((r: Obj) => rsUids.has(r.uid))),
    analysisRuns: runs.items.filter((r: Obj) => ownedBy(r, ro.metadata.uid)),
  };
}

async function send(client: KubeClient, ns: string, name: string, plans: PlannedPatch[]): Promise<void> {
  for (const p of plans) await client.patch(RO, ns, name, p.patch, p.type, p.subresource);
}

/** Runs one verb; returns the exit code. */
export async function runRolloutsCommand(args: string[], flags: Obj, o: RolloutsCliOptions): Promise<number> {
  const out = o.out ?? ((s: string) => process.stdout.write(s));
  const kubeconfig = o.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0] ?? `${process.env.HOME ?? '/root'}/.kube/config`;
  const client = KubeClient.fromKubeconfig(kubeconfig, o.context);
  const ns = o.namespace ?? 'default';
  const [verb, ...rest] = args;
  // `get rollout NAME`, `retry rollout NAME`, `terminate analysisrun NAME`: skip the kind word.
  const kindWords = ['rollout', 'rollouts', 'ro', 'analysisrun', 'analysisruns', 'ar'];
  const name = kindWords.includes(rest[0] ?? '') ? rest[1] : rest[0];
  try {
    switch (verb) {
      case 'get':
      case 'list': {
        if (verb === 'list' || !name) {
          const list = await client.list(RO, ns);
          out(`${rolloutSummaryRow(null)}\n`);
          for (const ro of list.items) out(`${rolloutSummaryRow(ro)}\n`);
          return 0;
        }
        if (!flags.watch) { out(renderRolloutTree(await gather(client, ns, name), Date.now())); return 0; }
        return await watchTree(client, ns, name, out, flags.timeout ? parseGoDuration(String(flags.timeout)) : undefined);
      }
      case 'promote': {
        const ro = await client.get(RO, ns, name);
        await send(client, ns, name, planPromote(ro, !!flags.full));
        out(`rollout '${name}' ${flags.full ? 'fully promoted' : 'promoted'}\n`);
        return 0;
      }
      case 'abort': await send(client, ns, name, planAbort()); out(`rollout '${name}' aborted\n`); return 0;
      case 'retry': await send(client, ns, name, planRetry()); out(`rollout '${name}' retried\n`); return 0;
      case 'pause': await send(client, ns, name, planPause(true)); out(`rollout '${name}' paused\n`); return 0;
      case 'resume': await send(client, ns, name, planPause(false)); out(`rollout '${name}' resumed\n`); return 0;
      case 'restart': {
        const inMs = flags.in ? parseGoDuration(String(flags.in)) : 0;
        if (inMs === undefined) { process.stderr.write(`error: invalid --in "${flags.in}"\n`); return 1; }
        await send(client, ns, name, planRestart(Date.now(), inMs));
        out(`rollout '${name}' restarts in ${flags.in ?? '0s'}\n`);
        return 0;
      }
      case 'undo': {
        const t = await gather(client, ns, name);
        const plan = planUndo(t.rollout, t.replicaSets, flags.toRevision ? Number(flags.toRevision) : undefined);
        if (plan.patch) await send(client, ns, name, [plan.patch]);
        out(`${plan.message}\n`);
        return plan.patch || plan.message.startsWith('skipped') ? 0 : 1;
      }
      case 'set': {
        if (rest[0] !== 'image' || rest.length < 3) { process.stderr.write('usage: kubelite rollouts set image NAME CONTAINER=IMAGE\n'); return 1; }
        const [, target, assign] = rest;
        const eq = assign.indexOf('=');
        if (eq < 1) { process.stderr.write(`error: expected CONTAINER=IMAGE, got "${assign}"\n`); return 1; }
        const ro = await client.get(RO, ns, target);
        const ref = ro.spec?.workloadRef;
        const obj = ref?.kind === 'Deployment' ? await client.get(DEPLOY, ns, ref.name) : ro;
        const plan = planSetImage(obj, assign.slice(0, eq), assign.slice(eq + 1));
        if (!plan.obj) { process.stderr.write(`error: ${plan.error}\n`); return 1; }
        await client.update(ref?.kind === 'Deployment' ? DEPLOY : RO, ns, plan.obj);
        out(`rollout "${target}" image updated\n`);
        return 0;
      }
      case 'status': {
        const timeoutMs = flags.timeout ? parseGoDuration(String(flags.timeout)) : undefined;
        return await waitStatus(client, ns, name, out, timeoutMs);
      }
      case 'terminate': {
        await client.patch(AR, ns, name, { spec: { terminate: true } }, 'merge');
        out(`analysisrun '${name}' terminated\n`);
        return 0;
      }
      default:
        process.stderr.write(`unknown verb "${verb ?? ''}": use get, list, promote, abort, retry, pause, resume, restart, undo, set image, status, terminate\n`);
        return 1;
    }
  } catch (e) {
    process.stderr.write(`Error: ${(e as Error).message}\n`);
    return 1;
  } finally { client.close(); }
}

/** Re-render the tree on every change of the Rollout, its ReplicaSets, pods or runs (watch, no polling). */
async function watchTree(client: KubeClient, ns: string, name: string, out: (s: string) => void, timeoutMs?: number): Promise<number> {
  let pending = false;
  const render = async () => {
    if (pending) return;
    pending = true;
    setTimeout(async () => {
      pending = false;
      try { out(`\x1b[H\x1b[2J${renderRolloutTree(await gather(client, ns, name), Date.now())}`); } catch (e) { out(`${(e as Error).message}\n`); }
    }, 100);
  };
  const handles = [RO, RS, PODS, AR].map((ref) => client.watch(ref, ns, {}, () => render()));
  await render();
  await new Promise<void>((res) => {
    process.once('SIGINT', () => res());
    if (timeoutMs) setTimeout(res, timeoutMs);
  });
  for (const h of handles) h.stop();
  return 0;
}

async function waitStatus(client: KubeClient, ns: string, name: string, out: (s: string) => void, timeoutMs?: number): Promise<number> {
  const deadline = timeoutMs ? Date.now() + timeoutMs : Infinity;
  let last = '';
  for (;;) {
    const ro = await client.get(RO, ns, name);
    const gen = String(ro.metadata?.generation ?? '');
    const observed = ro.status?.observedGeneration === gen;
    const phase = observed ? ro.status?.phase ?? 'Progressing' : 'Progressing';
    const msg = observed ? ro.status?.message ?? '' : 'waiting for rollout spec update to be observed';
    const line = msg ? `${phase} - ${msg}` : phase;
    if (line !== last) { out(`${line}\n`); last = line; }
    if (observed && phase === 'Healthy') return 0;
    if (observed && phase === 'Degraded') return 1;
    if (Date.now() > deadline) { out('Error: timed out waiting for the rollout\n'); return 1; }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
