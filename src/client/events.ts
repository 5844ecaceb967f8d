/**
 * EventRecorder: records core/v1 Events about objects, as client-go's record.EventRecorder + EventCorrelator.
 * Used by every component (controllers, scheduler, node agent): `new EventRecorder(client, { component })`.
 *
 *  - An Event carries involvedObject, reason, message, type (Normal|Warning), source.component (+host),
 *    reportingComponent/reportingInstance, firstTimestamp/lastTimestamp and count; it lives in the involved
 *    object's namespace ("default" for cluster-scoped objects) and is named `<object>.<hex nanoseconds>`.
 *  - Repeats are aggregated as upstream's correlator does: an identical event (same source, object, type, reason,
 *    message) bumps `count` and `lastTimestamp` on the existing Event by PATCH instead of creating another.
 *  - Similar events (same source, object, type and reason but different messages, e.g. "Created pod: …") become,
 *    from the 10th distinct message within 10 minutes, one Event with the message prefixed
 *    "(combined from similar events): " whose count is bumped (upstream EventAggregator).
 *  - Spam filter (upstream EventSourceObjectSpamFilter): per source and involved object, a token bucket of 25
 *    events refilled at one per 5 minutes; an event without a token is dropped (so a ReplicaSet creating 100 pods
 *    records its first 25 events, as upstream).
 *  - Sending is asynchronous and serialised (upstream's broadcaster): `event()` returns at once and never throws;
 *    `flush()` awaits every pending write. A failed write is logged and dropped, as upstream.
 */
import type { KubeClient } from './client.ts';
import { R, type ResourceRef } from './resources.ts';
import type { KubeObject } from '../api/resource.ts';
import { realClock, rfc3339, type Clock } from '../util/clock.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. "deployment-controller", "default-scheduler", "kubelet". */
  component: string;
  /** source.host and reportingInstance (node agents set their node name). */
  host?: string;
  clock?: Clock;
  /** Log failures (default console.error). */
  log?: (msg: string) => void;
  /**
   * The spam filter's burst per involved object (default 25, upstream's). Controllers whose objects legitimately
   * emit many events per change raise it, as upstream controllers do with CorrelatorOptions.BurstSize.
   */
  spamBurst?: number;
}

export interface InvolvedObject {
  kind?: string;
  apiVersion?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

const AGGREGATE_MAX_DISTINCT = 10;
const AGGREGATE_WINDOW_MS = 10 * 60 * 1000;
const CACHE_SIZE = 4096;
const SPAM_BURST = 25;
const SPAM_QPS = 1 / 300;

/** A small LRU map. */
class Lru<V> {
  private m = new Map<string, V>();
  constructor(private size: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) { this.m.delete(k); this.m.set(k, v); }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.size) this.m.delete(this.m.keys().next().value as string);
  }
  delete(k: string): void { this.m.delete(k); }
}

/** An ObjectReference for an object; `ref` fills kind/apiVersion when the object lacks them (list items do). */
export function objectReference(obj: KubeObject, ref?: Pick<ResourceRef, 'group' | 'version' | 'kind'>): InvolvedObject {
  const m = obj.metadata ?? {};
  const apiVersion = obj.apiVersion ?? (ref ? (ref.group ? `${ref.group}/${ref.version}` : ref.version) : undefined);
  const o: InvolvedObject = { kind: obj.kind ?? ref?.kind, apiVersion, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
  if (m.namespace) o.namespace = m.namespace;
  return o;
}

export class EventRecorder {
  private clock: Clock;
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;
  private logged = new Lru<{ name: string; namespace: string; count: number; firstTimestamp: string }>(CACHE_SIZE);
  private similar = new Lru<{ messages: Set<string>; last: number }>(CACHE_SIZE);
  private spam = new Lru<{ tokens: number; at: number }>(CACHE_SIZE);
  private log: (msg: string) => void;

  constructor(private client: KubeClient, private opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? ((m) => console.error(m));
  }

  /** Record an event about `obj` (an object, or an ObjectReference via `involved`). Never throws. */
  event(obj: KubeObject | null, type: EventType, reason: string, message: string, involved?: InvolvedObject): void {
    const io = involved ?? (obj ? objectReference(obj) : undefined);
    if (!io?.name) return;
    if (!this.takeToken(io)) return;
    const at = this.clock.now(); // the event's time is when it happened, not when it is sent
    const job = this.chain.then(() => this.send(io, type, reason, message, at)).catch((e) => {
      this.log(`event ${reason} on ${io.kind}/${io.name} not recorded: ${(e as Error).message}`);
    });
    this.chain = job;
  }

  /** The spam filter's token bucket for (source, involved object). */
  private takeToken(io: InvolvedObject): boolean {
    const key = [this.opts.component, this.opts.host ?? '', io.kind, io.namespace, io.name, io.uid, io.apiVersion].join('\x00');
    const now = this.clock.now();
    const burst = this.opts.spamBurst ?? SPAM_BURST;
    const b = this.spam.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * SPAM_QPS);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.spam.set(key, b);
    return ok;
  }

  /** Await every event recorded so far. */
  flush(): Promise<void> { return this.chain; }

  private async send(io: InvolvedObject, type: EventType, reason: string, message: string, now: number): Promise<void> {
    const ts = rfc3339(now);
    const { component, host } = this.opts;
    const objKey = [io.kind, io.apiVersion, io.namespace, io.name, io.uid].join('\x00');
    const aggKey = [component, host ?? '', objKey, type, reason].join('\x01');

    // Aggregation of similar events (EventAggregator).
    let rec = this.similar.get(aggKey);
    if (!rec || now - rec.last > AGGREGATE_WINDOW_MS) rec = { messages: new Set(), last: now };
    rec.messages.add(message);
    rec.last = now;
    this.similar.set(aggKey, rec);
    let key = `${aggKey}\x01${message}`;
    let msg = message;
    if (rec.messages.size >= AGGREGATE_MAX_DISTINCT) {
      key = aggKey;
      msg = `(combined from similar events): ${message}`;
    }

    const namespace = io.namespace || 'default';
    const prev = this.logged.get(key);
    if (prev) {
      const count = prev.count + 1;
      try {
        await this.client.patch(R.events, prev.namespace, prev.name,
          { count, lastTimestamp: ts, message: msg }, 'merge');
        this.logged.set(key, { ...prev, count });
        return;
      } catch (e: any) {
        if (e?.code !== 404) throw e;
        this.logged.delete(key); // the Event expired or was deleted: create it anew
      }
    }
    const nanos = BigInt(now) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const name = `${io.name}.${nanos.toString(16)}`;
    const ev = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace },
      involvedObject: io,
      reason, message: msg, type,
      source: host ? { component, host } : { component },
      firstTimestamp: ts, lastTimestamp: ts, count: 1,
      reportingComponent: component,
      reportingInstance: host ?? '',
    };
    await this.client.create(R.events, namespace, ev);
    this.logged.set(key, { name, namespace, count: 1, firstTimestamp: ts });
  }
}
