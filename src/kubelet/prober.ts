/**
 * Probes (readiness, liveness, startup) for running containers: one timer loop per container and probe type,
 * as upstream's prober manager. Exec probes run inside the container through CRI ExecSync; httpGet and
 * tcpSocket probes connect to the pod IP. Results go through ProbeTracker (thresholds); a change calls
 * `onChange(podUid)` so the pod worker recomputes status (or restarts a container whose liveness failed).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.d.ts';
import { MAX_TIMER_MS, type Clock } from '../util/clock.ts';
import type { CriClient } from './cri/client.ts';
import type { EventRecorder } from '../client/events.ts';
import { objectReference } from '../client/events.ts';
import { ProbeTracker, probeSettings, type ProbeResult, type ProbeType } from './probe-results.ts';

const TYPE_LABEL: Record<ProbeType, string> = { readiness: 'Readiness', liveness: 'Liveness', startup: 'Startup' };

interface Worker {
  podUid: string;
  containerId: string;
  containerName: string;
  type: ProbeType;
  tracker: ProbeTracker;
  timer?: { cancel(): void };
  stopped: boolean;
}

export interface ProbeTarget {
  pod: Pod;
  container: Container;
  containerId: string;
  startedAt: number; // ms
  podIP: string;
}

/** Run one probe once. Resolves with the outcome and a message for failures (upstream wording). */
export async function runProbe(p: Probe, t: { podIP: string; container: Container; containerId: string; cri: CriClient }): Promise<{ ok: boolean; message: string }> {
  // Bounded by the longest timer Node keeps (a longer one would fire at once: every probe a timeout).
  const timeoutS = Math.min(Math.max(1, p.timeoutSeconds ?? 1), Math.floor(MAX_TIMER_MS / 1000));
  const port = (v: number | string | undefined): number => {
    if (typeof v === 'number') return v;
    if (v && /^\d+$/.test(v)) return Number(v);
    const named = t.container.ports?.find((cp) => cp.name === v);
    return named?.containerPort ?? 0;
  };
  if (p.exec) {
    try {
      const r = await t.cri.execSync(t.containerId, p.exec.command ?? [], timeoutS);
      const out = Buffer.concat([Buffer.from(r.stdout ?? []), Buffer.from(r.stderr ?? [])]).toString('utf8');
      if (r.exitCode === 0) return { ok: true, message: out };
      return { ok: false, message: out || `command ${JSON.stringify((p.exec.command ?? []).join(' '))} exited with ${r.exitCode}` };
    } catch (e) {
      const msg = String((e as any)?.details ?? (e as Error).message);
      if (/timeout|deadline/i.test(msg)) return { ok: false, message: `command ${JSON.stringify((p.exec.command ?? []).join(' '))} timed out` };
      return { ok: false, message: msg };
    }
  }
  if (p.httpGet) {
    const g = p.httpGet;
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    const host = g.host || t.podIP;
    const prt = port(g.port);
    let path = g.path ?? '/';
    if (!path.startsWith('/')) path = `/${path}`;
    const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${prt}${path}`;
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
    return new Promise((resolve) => {
      const mod = scheme === 'https' ? https : http;
      const req = mod.request(url, { method: 'GET', headers, timeout: timeoutS * 1000, agent: false, rejectUnauthorized: false } as any, (res) => {
        const chunks: Buffer[] = [];
        let len = 0;
        res.on('data', (d: Buffer) => { if (len < 10240) { chunks.push(d); len += d.length; } });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 400) resolve({ ok: true, message: '' });
          else resolve({ ok: false, message: `HTTP probe failed with statuscode: ${code}` });
        });
        res.on('error', () => resolve({ ok: false, message: `HTTP probe failed with statuscode: ${res.statusCode}` }));
      });
      req.on('timeout', () => {
        req.destroy();
        resolve({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
      });
      req.on('error', (e: any) => {
        const why = e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.code === 'EHOSTUNREACH' ? 'connect: no route to host' : e.message;
        resolve({ ok: false, message: `Get "${url}": dial tcp ${host}:${prt}: ${why}` });
      });
      req.end();
    });
  }
  if (p.tcpSocket) {
    const host = p.tcpSocket.host || t.podIP;
    const prt = port(p.tcpSocket.port);
    return new Promise((resolve) => {
      const s = net.connect({ host, port: prt });
      const timer = setTimeout(() => { s.destroy(); resolve({ ok: false, message: `dial tcp ${host}:${prt}: i/o timeout` }); }, timeoutS * 1000);
      s.on('connect', () => { clearTimeout(timer); s.destroy(); resolve({ ok: true, message: '' }); });
      s.on('error', (e: any) => {
        clearTimeout(timer);
        resolve({ ok: false, message: `dial tcp ${host}:${prt}: ${e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message}` });
      });
    });
  }
  if (p.grpc) return { ok: false, message: 'grpc probes are not supported by kubelite' };
  return { ok: false, message: 'probe has no handler' };
}

export class ProbeManager {
  private workers = new Map<string, Worker>();

  constructor(private cri: CriClient, private clock: Clock, private recorder: EventRecorder,
    private onChange: (podUid: string) => void) {}

  private key(containerId: string, type: ProbeType) { return `${containerId}/${type}`; }

  /**
   * Make sure workers exist for every probe of a running container (and only for it). `seed` gives the initial
   * readiness (e.g. from the pod status before a node agent restart) so adoption does not flap Ready.
   */
  ensure(t: ProbeTarget, seed?: { ready?: boolean; started?: boolean }): void {
    const probes: [ProbeType, Probe | undefined][] = [['startup', t.container.startupProbe], ['liveness', t.container.livenessProbe], ['readiness', t.container.readinessProbe]];
    for (const [type, p] of probes) {
      if (!p) continue;
      const k = this.key(t.containerId, type);
      if (this.workers.has(k)) continue;
      let initial: ProbeResult | undefined;
      if (type === 'readiness' && seed?.ready) initial = 'success';
      if (type === 'startup' && seed?.started) initial = 'success';
      const w: Worker = { podUid: t.pod.metadata!.uid!, containerId: t.containerId, containerName: t.container.name, type,
        tracker: new ProbeTracker(type, probeSettings(p), initial), stopped: false };
      this.workers.set(k, w);
      void this.tick(w, t, p);
    }
  }

  private schedule(w: Worker, t: ProbeTarget, p: Probe, ms: number) {
    if (w.stopped) return;
    w.timer = this.clock.setTimeout(() => { void this.tick(w, t, p); }, ms);
  }

  private async tick(w: Worker, t: ProbeTarget, p: Probe): Promise<void> {
    if (w.stopped) return;
    const period = w.tracker.settings.periodSeconds * 1000;
    try {
      if (w.tracker.onHold) return; // waits for the container to be replaced (worker removed then)
      // Liveness and readiness wait for the startup probe.
      if (w.type !== 'startup') {
        const sw = this.workers.get(this.key(w.containerId, 'startup'));
        if (sw && sw.tracker.result !== 'success') return;
      } else if (w.tracker.result === 'success') {
        return; // started: the startup probe is done
      }
      if (!w.tracker.due(this.clock.now() - t.startedAt)) return;
      const r = await runProbe(p, { podIP: t.podIP, container: t.container, containerId: t.containerId, cri: this.cri });
      if (w.stopped) return;
      if (!r.ok) {
        this.recorder.event(t.pod as any, 'Warning', 'Unhealthy', `${TYPE_LABEL[w.type]} probe failed: ${r.message.trim()}`,
          { ...objectReference(t.pod as any, { group: '', version: 'v1', kind: 'Pod' }), fieldPath: `spec.containers{${t.container.name}}` });
      }
      if (w.tracker.observe(r.ok ? 'success' : 'failure')) this.onChange(w.podUid);
    } finally {
      this.schedule(w, t, p, period);
    }
  }

  result(containerId: string, type: ProbeType): ProbeResult | undefined {
    return this.workers.get(this.key(containerId, type))?.tracker.result;
  }

  /** Ready: readiness success (or no readiness probe) once started. */
  isReady(containerId: string, c: Container): boolean {
    if (!this.isStarted(containerId, c)) return false;
    if (!c.readinessProbe) return true;
    return this.result(containerId, 'readiness') === 'success';
  }
  isStarted(containerId: string, c: Container): boolean {
    if (!c.startupProbe) return true;
    return this.result(containerId, 'startup') === 'success';
  }
  /** 'liveness' or 'startup' when that probe failed (the container must be restarted). */
  failed(containerId: string): ProbeType | undefined {
    if (this.result(containerId, 'liveness') === 'failure') return 'liveness';
    if (this.result(containerId, 'startup') === 'failure') return 'startup';
    return undefined;
  }

  /** Stop the workers of containers not in `keep` (for one pod) or of a whole pod. */
  removePod(podUid: string, keep: Set<string> = new Set()): void {
    for (const [k, w] of this.workers) {
      if (w.podUid !== podUid || keep.has(w.containerId)) continue;
      w.stopped = true;
      w.timer?.cancel();
      this.workers.delete(k);
    }
  }

  stopAll(): void {
    for (const w of this.workers.values()) { w.stopped = true; w.timer?.cancel(); }
    this.workers.clear();
  }
}
