/**
 * Leaving rotation before SIGTERM (zero-downtime termination), for the kubelet — which does not import this
 * module: the CLI (src/cli/up.ts, node.ts) builds `endpointDrain()` and hands it to the node agent as its
 * EndpointDrain, and registers the service proxy it starts in the same process with `addLocalProxy`.
 *
 * When a pod is deleted, the kubelet, the EndpointSlice controller and every node's proxy all see the
 * deletionTimestamp at about the same moment. If the kubelet stopped the containers at once, connections that
 * the proxies still sent to the pod in the next few milliseconds would be refused. So, as Docker Swarm does
 * (remove the task from rotation, wait, then SIGTERM), the kubelet first calls waitForEndpointDrain():
 *   1. if no EndpointSlice lists the pod, it returns at once (not an endpoint: no delay);
 *   2. otherwise it waits (polling, at most `maxMs`) until every slice shows the pod not ready / gone, i.e. the
 *      controller has taken it out of rotation;
 *   3. waits (same bound) until the service proxy running in this process (kubelet and proxy share the
 *      `kubelite up` / `kubelite node` process) no longer sends new connections to the pod's IP — on a loaded
 *      machine the proxy's rule sync can lag the slice update by seconds;
 *   4. then lingers `lingerMs` more, so other nodes' proxies apply the change and connections already
 *      translated to the pod are accepted and answered before the application receives SIGTERM.
 * The kubelet bounds the whole wait by the pod's grace period. KUBELITE_ENDPOINT_DRAIN=0 makes the CLI give the
 * node agent no drain. Upstream Kubernetes leaves this to a preStop
 * sleep in the pod spec; doing it in the node agent makes well-behaved apps lose nothing by default.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import type { KubeClient } from '../client/client.ts';
import { R } from '../client/resources.ts';
import { realClock, type Clock } from '../util/clock.ts';

export interface DrainOptions {
  clock?: Clock;
  /** Longest wait for the slices to show the pod out of rotation (default 2000 ms). */
  maxMs?: number;
  /** Wait after that (default 1000 ms). */
  lingerMs?: number;
  pollMs?: number;
  /** Service proxies in this process (step 3). */
  localProxies?: Iterable<LocalProxy>;
}

/** A service proxy in this process, as the drain sees it. */
export interface LocalProxy {
  /** Whether the rules now in the kernel send new connections to this IP. */
  routesTo(ip: string): boolean;
}
/** The drain a node agent is given: waits with its client and clock, for the proxies registered here. */
export function endpointDrain(client: KubeClient, clock: Clock = realClock) {
  const proxies = new Set<LocalProxy>();
  return {
    /** A service proxy started in this process; returns the unregister function. */
    addLocalProxy(p: LocalProxy): () => void {
      proxies.add(p);
      return () => { proxies.delete(p); };
    },
    waitForDrain: (pod: Pod, bounds: { maxMs: number; lingerMs: number }) =>
      waitForEndpointDrain(client, pod, { ...bounds, clock, localProxies: proxies }),
  };
}

/** Endpoints in these slices that stand for the pod (by targetRef uid, else name, or by IP). */
export function podEndpointStates(slices: EndpointSlice[], pod: Pod): { ready: boolean }[] {
  const uid = pod.metadata?.uid;
  const name = pod.metadata?.name;
  const ip = pod.status?.podIP;
  const out: { ready: boolean }[] = [];
  for (const s of slices) {
    for (const e of s.endpoints ?? []) {
      const ref = e.targetRef;
      const mine = ref?.kind === 'Pod'
        ? (ref.uid ? ref.uid === uid : ref.name === name)
        : !!ip && (e.addresses ?? []).includes(ip);
      if (mine) out.push({ ready: e.conditions?.ready !== false });
    }
  }
  return out;
}

/** Wait until the pod is out of every Service's rotation, plus a linger. Returns the milliseconds waited. */
export async function waitForEndpointDrain(client: KubeClient, pod: Pod, opts: DrainOptions = {}): Promise<number> {
  const clock = opts.clock ?? realClock;
  const start = clock.now();
  const ns = pod.metadata?.namespace;
  const list = async () => (await client.list<EndpointSlice>(R.endpointslices, ns)).items;
  let states = podEndpointStates(await list(), pod);
  if (states.length === 0) return 0;
  const maxMs = opts.maxMs ?? 2000;
  while (states.some((s) => s.ready) && clock.now() - start < maxMs) {
    await clock.sleep(opts.pollMs ?? 100);
    states = podEndpointStates(await list(), pod);
  }
  const ip = pod.status?.podIP;
  const local = [...(opts.localProxies ?? [])];
  while (ip && local.some((p) => p.routesTo(ip)) && clock.now() - start < 2 * maxMs) {
    await clock.sleep(opts.pollMs ?? 50);
  }
  await clock.sleep(opts.lingerMs ?? 1000);
  return clock.now() - start;
}
