/**
 * A steady HTTP load for the progressive-delivery tests and benches: `rps` requests a second to one URL, on
 * keep-alive connections (as a real client behind a Service), every request recorded with its start time,
 * status, body and error. Only for addresses a test created (a ClusterIP of its own cluster).
 */
import * as http from 'node:http';

export interface LoadResult { at: number; ms: number; status: number; body: string; err?: string }

export interface Load {
  results: LoadResult[];
  /** Stop sending; resolves when every request in flight has finished. */
  stop(): Promise<LoadResult[]>;
}

export function startLoad(url: string, rps: number, opts: { keepAlive?: boolean; timeoutMs?: number } = {}): Load {
  const agent = new http.Agent({ keepAlive: opts.keepAlive ?? true, maxSockets: 16 });
  const results: LoadResult[] = [];
  const inflight = new Set<Promise<void>>();
  let running = true;
  const one = (): Promise<void> => new Promise((resolve) => {
    const at = Date.now();
    const done = (status: number, body: string, err?: string) => { results.push({ at, ms: Date.now() - at, status, body, err }); resolve(); };
    const req = http.get(url, { agent, timeout: opts.timeoutMs ?? 5000 }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { b += d; });
      res.on('end', () => done(res.statusCode ?? 0, b));
      res.on('error', (e) => done(0, b, (e as NodeJS.ErrnoException).code ?? e.message));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => done(0, '', (e as NodeJS.ErrnoException).code ?? e.message));
  });
  const period = 1000 / rps;
  const start = Date.now();
  let sent = 0;
  const loop = (async () => {
    while (running) {
      const p = one();
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      sent++;
      const wait = start + sent * period - Date.now();
      await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    }
  })();
  return {
    results,
    async stop() {
      running = false;
      await loop;
      await Promise.all([...inflight]);
      agent.destroy();
      return results;
    },
  };
}

/** Which version answered: the first matching label of `versions` (body substring → label), else 'other'. */
export function versionOf(r: LoadResult, versions: Record<string, string>): string {
  for (const [needle, label] of Object.entries(versions)) if (r.body.includes(needle)) return label;
  return 'other';
}
