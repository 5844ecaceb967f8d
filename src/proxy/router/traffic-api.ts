/**
 * GET /traffic on the proxy's metrics server: the router's measurements as JSON (the same numbers the in-process
 * TrafficStatsSource gives the analysis controller).
 *
 *   /traffic?namespace=NS&service=SVC[&backend=stable|canary][&revision=HASH][&window=SECONDS|30s|5m]
 *       → TrafficWindowStats over the window (default 60 s)
 *   /traffic[?namespace=NS][&window=...]
 *       → { items: [{ namespace, service, backend, revision, ...TrafficWindowStats }] }, one per measured series
 * Bad parameters answer 400 with a metav1.Status.
 */
import type { TrafficBackend } from '../../analysis/traffic-source.ts';
import type { Route } from '../metrics.ts';
import type { TrafficStats } from './stats.ts';
import { parseGoDuration } from '../../util/duration.ts';

const json = (status: number, body: unknown) => ({ status, contentType: 'application/json', body: JSON.stringify(body, null, 2) + '\n' });

function badRequest(message: string) {
  return json(400, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 });
}

/** A window in seconds: a number of seconds ("30") or a Go duration ("30s", "5m", "1m30s"). */
export function parseWindow(v: string): number | undefined {
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const ms = parseGoDuration(t);
  return ms === undefined ? undefined : ms / 1000;
}

export function trafficRoute(stats: TrafficStats): Route {
  return async (url) => {
    const q = url.searchParams;
    const namespace = q.get('namespace') ?? undefined;
    const service = q.get('service') ?? undefined;
    const backend = q.get('backend') ?? undefined;
    const revision = q.get('revision') ?? undefined;
    let windowSeconds = 60;
    const w = q.get('window');
    if (w !== null) {
      const n = parseWindow(w);
      if (n === undefined || n <= 0) return badRequest(`window: "${w}" is not a positive duration (seconds, or e.g. 30s, 5m)`);
      windowSeconds = n;
    }
    if (windowSeconds > stats.retentionSeconds) {
      return badRequest(`window: ${windowSeconds} s is longer than the ${stats.retentionSeconds} s the proxy keeps`);
    }
    if (backend !== undefined && backend !== 'stable' && backend !== 'canary') return badRequest(`backend: "${backend}" must be stable or canary`);
    if (service !== undefined) {
      if (!namespace) return badRequest('namespace: required with service');
      return json(200, stats.window({ namespace, service, backend: backend as TrafficBackend | undefined, revision, windowSeconds }));
    }
    const items = stats.keys()
      .filter((k) => (!namespace || k.namespace === namespace) && (!backend || k.backend === backend) && (revision === undefined || k.revision === revision))
      .sort((a, b) => `${a.namespace}/${a.service}/${a.backend}/${a.revision}`.localeCompare(`${b.namespace}/${b.service}/${b.backend}/${b.revision}`))
      .map((k) => ({ ...k, windowSeconds, ...stats.window({ ...k, windowSeconds }) }));
    return json(200, { items });
  };
}
