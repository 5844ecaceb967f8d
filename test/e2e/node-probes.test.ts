/**
 * Probes with real containers: a readiness probe of each kind (exec, httpGet, tcpSocket) gates a rollout — the
 * version whose probe fails never becomes available and the old pods keep serving — and a liveness probe
 * restarts a hung container.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { cleanup, httpText, isReady, kubectlOk, pods, reapLeftovers } from './node-helpers.ts';

let c: Cluster;
before(async () => { c = await startCluster({ node: true }); });
after(async () => {
  if (c) {
    await cleanup(c, ['deployment probe-exec', 'deployment probe-http', 'deployment probe-tcp', 'pod hang']).catch(() => {});
    await c.stop();
  }
  await reapLeftovers();
});

const SERVE = 'mkdir -p /www && echo v1 > /www/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /www';
type Kind = 'exec' | 'http' | 'tcp';
function probe(kind: Kind, good: boolean): Record<string, unknown> {
  const timing = { periodSeconds: 1, failureThreshold: 1, successThreshold: 1, timeoutSeconds: 1 };
  if (kind === 'exec') return { exec: { command: ['cat', good ? '/tmp/ready' : '/tmp/never'] }, ...timing };
  if (kind === 'http') return { httpGet: { path: good ? '/index.html' : '/missing.html', port: 8080 }, ...timing };
  return { tcpSocket: { port: good ? 8080 : 8081 }, ...timing };
}
function deployment(kind: Kind, good: boolean, version: string) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: `probe-${kind}` },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: `probe-${kind}` } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: `probe-${kind}` }, annotations: { version } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'web', image: 'kubelite/busybox', command: ['sh', '-c', SERVE], ports: [{ containerPort: 8080 }],
            readinessProbe: probe(kind, good) }],
        },
      },
    },
  };
}

test('a readiness probe of each kind (exec, httpGet, tcpSocket) gates a rollout', async () => {
  const kinds: Kind[] = ['exec', 'http', 'tcp'];
  for (const k of kinds) await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify(deployment(k, true, 'v1')) });
  const v1 = new Map<Kind, string[]>();
  for (const k of kinds) {
    const ps = await waitFor(async () => {
      const list = await pods(c, `app=probe-${k}`);
      return list.length === 2 && list.every(isReady) ? list : undefined;
    }, { timeoutMs: 90_000, intervalMs: 500, message: `v1 of probe-${k} ready` });
    v1.set(k, ps.map((p) => p.metadata!.name!));
    await kubectlOk(c, ['rollout', 'status', `deployment/probe-${k}`, '--timeout=60s'], { timeoutMs: 70_000 });
  }
  // v2: same server, but a readiness probe that fails.
  for (const k of kinds) await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify(deployment(k, false, 'v2')) });
  for (const k of kinds) {
    const fresh = await waitFor(async () => {
      const list = (await pods(c, `app=probe-${k}`)).filter((p) => !v1.get(k)!.includes(p.metadata!.name!));
      return list.length >= 1 && list.every((p) => p.status?.containerStatuses?.[0]?.state?.running) ? list : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500, message: `v2 pod of probe-${k} running` });
    // Several probe periods pass: the new pod must stay unready and the old ones stay.
    await new Promise((r) => setTimeout(r, 4000));
    const all = await pods(c, `app=probe-${k}`);
    const newOnes = all.filter((p) => !v1.get(k)!.includes(p.metadata!.name!));
    assert.ok(newOnes.length >= 1, `${k}: a v2 pod exists (${fresh.length})`);
    for (const p of newOnes) {
      assert.equal(isReady(p), false, `${k}: v2 pod must not be Ready`);
      assert.equal(p.status!.containerStatuses![0].ready, false);
      assert.equal(p.status!.conditions!.find((x) => x.type === 'Ready')!.reason, 'ContainersNotReady');
    }
    const olds = all.filter((p) => v1.get(k)!.includes(p.metadata!.name!));
    assert.equal(olds.length, 2, `${k}: both v1 pods kept`);
    for (const p of olds) {
      assert.ok(isReady(p));
      assert.equal(await httpText(p.status!.podIP!, 8080), 'v1\n');
    }
    const d = JSON.parse(await kubectlOk(c, ['get', `deployment/probe-${k}`, '-o', 'json']));
    assert.equal(d.status.availableReplicas, 2);
    assert.equal(d.status.updatedReplicas, 1, `${k}: the rollout stopped after one surge pod`);
    const st = await c.kubectl(['rollout', 'status', `deployment/probe-${k}`, '--timeout=2s']);
    assert.notEqual(st.code, 0, `${k}: rollout status must not report success`);
    const ev = await kubectlOk(c, ['get', 'events', '--field-selector', `involvedObject.name=${newOnes[0].metadata!.name},reason=Unhealthy`]);
    assert.match(ev, /Readiness probe failed/);
  }
});

test('a liveness probe restarts a hung container', async () => {
  // httpd is frozen (SIGSTOP) 3 s after start: the container still runs but stops answering.
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hang', labels: { app: 'hang' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: 'web', image: 'kubelite/busybox',
        command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && httpd -f -p 8080 -h /www & sleep 3; kill -STOP $!; exec sleep 3600'],
        livenessProbe: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 2 },
      }],
    },
  };
  await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify(pod) });
  const restarted = await waitFor(async () => {
    const [p] = await pods(c, 'app=hang');
    const cs = p?.status?.containerStatuses?.[0];
    return cs && cs.restartCount >= 1 && cs.lastState?.terminated ? p : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500, message: 'hung container restarted' });
  const cs = restarted.status!.containerStatuses![0];
  assert.ok(cs.lastState!.terminated!.exitCode !== 0);
  const ev = await kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=hang']);
  assert.match(ev, /Liveness probe failed/);
  assert.match(ev, /Container web failed liveness probe, will be restarted/);
  const table = await kubectlOk(c, ['get', 'pod', 'hang']);
  assert.match(table, /hang\s+\d\/1\s+\S+\s+[1-9]/);
});

test('a startup probe holds readiness until it succeeds, and restarts a container that never starts', async () => {
  const slow = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'slowstart', labels: { app: 'slowstart' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: 'web', image: 'kubelite/busybox',
        command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && httpd -p 8080 -h /www; sleep 3; touch /tmp/started; exec sleep 3600'],
        startupProbe: { exec: { command: ['cat', '/tmp/started'] }, periodSeconds: 1, failureThreshold: 30 },
        readinessProbe: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1 },
      }],
    },
  };
  const never = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'neverstart', labels: { app: 'neverstart' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'web', image: 'kubelite/busybox', command: ['sleep', '3600'],
        startupProbe: { exec: { command: ['cat', '/tmp/never'] }, periodSeconds: 1, failureThreshold: 2 } }],
    },
  };
  await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify(slow) });
  await kubectlOk(c, ['apply', '-f', '-'], { input: JSON.stringify(never) });
  // While the startup probe has not succeeded: running, not started, not ready (httpd already answers).
  const early = await waitFor(async () => {
    const [p] = await pods(c, 'app=slowstart');
    const cs = p?.status?.containerStatuses?.[0];
    return cs?.state?.running ? p : undefined;
  }, { timeoutMs: 60_000, intervalMs: 200, message: 'slowstart running' });
  const ecs = early.status!.containerStatuses![0];
  if (ecs.started === false) assert.equal(ecs.ready, false, 'not ready before started');
  const done = await waitFor(async () => {
    const [p] = await pods(c, 'app=slowstart');
    const cs = p?.status?.containerStatuses?.[0];
    return cs?.started && cs.ready ? p : undefined;
  }, { timeoutMs: 60_000, intervalMs: 300, message: 'slowstart started and ready' });
  assert.equal(done.status!.containerStatuses![0].restartCount, 0);

  const restarted = await waitFor(async () => {
    const [p] = await pods(c, 'app=neverstart');
    const cs = p?.status?.containerStatuses?.[0];
    return cs && cs.restartCount >= 1 ? p : undefined;
  }, { timeoutMs: 60_000, intervalMs: 300, message: 'neverstart restarted' });
  assert.equal(restarted.status!.containerStatuses![0].started, false);
  const ev = await kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=neverstart']);
  assert.match(ev, /Startup probe failed/);
  assert.match(ev, /Container web failed startup probe, will be restarted/);
  await cleanup(c, ['pod slowstart', 'pod neverstart'], 'app in (slowstart,neverstart)');
});
