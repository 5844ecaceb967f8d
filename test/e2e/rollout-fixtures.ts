/**
 * Fixtures shared by the progressive-delivery e2e tests and bench/rollouts.ts: a version that fails ~10% of its
 * requests, and a traffic-routed canary of nginx behind `web` / `web-canary` with a success-rate analysis of the
 * canary's live traffic (kubelite's built-in provider).
 */
import YAML from 'yaml';

/** nginx answering `<tag>` with 200, or 500 to ~10% of requests (the last two hex digits of $request_id < 0x1a). */
export function failingNginx(tag: string) {
  return {
    name: 'web', image: 'nginx',
    command: ['sh', '-c', [
      'rm -f /etc/nginx/sites-enabled/default',
      `printf '%s\\n' 'map $request_id $fail { "~(0[0-9a-f]|1[0-9])$" 1; default 0; }' 'server { listen 80; location / { if ($fail) { return 500 "${tag} error\\n"; } return 200 "${tag}\\n"; } }' > /etc/nginx/conf.d/bad.conf`,
      "exec nginx -g 'daemon off;'",
    ].join(' && ')],
    readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 1 },
  };
}

/** The stock nginx container of the fixture's Rollout. */
export const goodNginx = { name: 'web', image: 'nginx', readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 } };

/** AnalysisTemplate `success-rate`, Services `web`/`web-canary`, and a 5-replica routed Rollout `web` with `steps`. */
export function routedCanary(o: { intervalS: number; count?: number; initialDelay?: boolean; steps: unknown[] }): string {
  const template = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'success-rate' },
    spec: { metrics: [{
      name: 'success-rate', interval: `${o.intervalS}s`, ...(o.count ? { count: o.count } : {}),
      ...(o.initialDelay ? { initialDelay: `${o.intervalS}s` } : {}),
      successCondition: 'result >= 0.95', failureLimit: 0,
      provider: { kubelite: { service: 'web', backend: 'canary', metric: 'success-rate', window: `${o.intervalS}s` } },
    }] },
  };
  const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] } });
  const rollout = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'web' },
    spec: {
      replicas: 5, revisionHistoryLimit: 3, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 5, containers: [goodNginx] } },
      strategy: { canary: {
        stableService: 'web', canaryService: 'web-canary', abortScaleDownDelaySeconds: 5, scaleDownDelaySeconds: 5,
        trafficRouting: { plugins: { 'kubelite.io/service-proxy': {} } }, steps: o.steps,
      } },
    },
  };
  return [template, svc('web'), svc('web-canary'), rollout].map((x) => YAML.stringify(x)).join('---\n');
}
