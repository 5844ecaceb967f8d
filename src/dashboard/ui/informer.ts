/**
 * An informer in the browser: list, then watch from the list's resourceVersion over one streaming fetch
 * (newline-delimited watch events), as client-go's reflector does. No polling: the stream is reopened from the
 * last resourceVersion when the server ends it, relisted on 410 Gone, retried with backoff after a network error.
 * Events are applied in batches (one new Map per batch) so a burst of changes renders once.
 *
 * Informers are shared and reference-counted by `useInformer(kind, namespace)`: a view watches only what it shows
 * (a browser allows six HTTP/1.1 connections per host, and every watch holds one).
 */
import { signal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, failure, headers, pathOf, type Kind } from './api.ts';

export type Obj = Record<string, any>;

const keyOf = (o: Obj) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Informer {
  readonly items = signal<ReadonlyMap<string, Obj>>(new Map());
  readonly error = signal('');
  readonly synced = signal(false);
  private rv = '';
  private ctrl?: AbortController;
  private stopped = false;
  private queue: { type: string; object: Obj }[] = [];
  private timer?: ReturnType<typeof setTimeout>;

  constructor(readonly kind: Kind, readonly namespace: string) {}

  start(): void { void this.run(); }

  stop(): void {
    this.stopped = true;
    this.ctrl?.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    let backoff = 500;
    while (!this.stopped) {
      try {
        if (!this.rv) await this.list();
        await this.watch();
        backoff = 500;
      } catch (e) {
        if (this.stopped) return;
        if (e instanceof ApiError) {
          if (e.code === 401) return; // signed out: the login page shows why
          if (e.code === 410) { this.rv = ''; continue; }
          if (e.code === 403 || e.code === 404) { this.error.value = e.message; return; } // not allowed / not served: say so, stop
        }
        this.error.value = `${(e as Error).message ?? e} — reconnecting`;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  private async list(): Promise<void> {
    const items = new Map<string, Obj>();
    let cont = '';
    let rv = '';
    do {
      this.ctrl = new AbortController();
      const q = new URLSearchParams({ limit: '500' });
      if (cont) q.set('continue', cont);
      const r = await fetch(`${pathOf(this.kind, this.namespace)}?${q}`, { headers: headers(), signal: this.ctrl.signal, cache: 'no-store' });
      if (!r.ok) throw await failure(r);
      const l = await r.json();
      for (const o of l.items ?? []) items.set(keyOf(o), o);
      cont = l.metadata?.continue ?? '';
      rv = l.metadata?.resourceVersion ?? rv;
    } while (cont);
    this.rv = rv;
    this.queue = [];
    this.items.value = items;
    this.error.value = '';
    this.synced.value = true;
  }

  private async watch(): Promise<void> {
    this.ctrl = new AbortController();
    const q = new URLSearchParams({ watch: '1', resourceVersion: this.rv, allowWatchBookmarks: 'true', timeoutSeconds: String(300 + Math.floor(Math.random() * 300)) });
    const r = await fetch(`${pathOf(this.kind, this.namespace)}?${q}`, { headers: headers(), signal: this.ctrl.signal, cache: 'no-store' });
    if (!r.ok || !r.body) throw await failure(r);
    this.error.value = '';
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) this.onEvent(JSON.parse(line));
      }
    }
  }

  private onEvent(ev: { type: string; object: Obj }): void {
    if (ev.type === 'ERROR') {
      const s = ev.object ?? {};
      throw new ApiError(s.code ?? 500, s.message ?? 'watch error', s.reason);
    }
    const rv = ev.object?.metadata?.resourceVersion;
    if (rv) this.rv = rv;
    if (ev.type === 'BOOKMARK') return;
    this.queue.push(ev);
    this.timer ??= setTimeout(() => this.flush(), 16);
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.queue.length) return;
    const m = new Map(this.items.value);
    for (const ev of this.queue) {
      if (ev.type === 'DELETED') m.delete(keyOf(ev.object)); else m.set(keyOf(ev.object), ev.object);
    }
    this.queue = [];
    this.items.value = m;
  }
}

const shared = new Map<string, { inf: Informer; refs: number }>();
const keyFor = (kind: Kind, namespace: string) => `${kind.group}/${kind.plural}@${kind.namespaced ? namespace : ''}`;

/** Acquire the shared informer of a kind in a namespace ('' = all namespaces); started by its first user. */
export function acquire(kind: Kind, namespace: string): Informer {
  const key = keyFor(kind, namespace);
  let e = shared.get(key);
  if (!e) {
    e = { inf: new Informer(kind, kind.namespaced ? namespace : ''), refs: 0 };
    shared.set(key, e);
    e.inf.start();
  }
  e.refs++;
  return e.inf;
}

/** Release it; the last user's release stops its watch. */
export function release(kind: Kind, namespace: string): void {
  const key = keyFor(kind, namespace);
  const e = shared.get(key);
  if (!e || --e.refs > 0) return;
  e.inf.stop();
  shared.delete(key);
}

/** Stop every informer (sign-out). */
export function stopAll(): void {
  for (const e of shared.values()) e.inf.stop();
  shared.clear();
}

/**
 * A component's informer, held while it is mounted (a component showing another namespace is keyed by it, so it
 * mounts anew).
 */
export function useInformer(kind: Kind, namespace: string): Informer {
  const [inf] = useState(() => acquire(kind, namespace));
  useEffect(() => () => release(kind, namespace), []);
  return inf;
}
