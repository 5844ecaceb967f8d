/**
 * Prometheus on demand: Debian's `prometheus` binary (installed by `kubelite setup`) started by `kubelite up` as a
 * child process the first time an AnalysisRun's prometheus metric gives no `address`, and only then.
 *
 *   <dir>/prometheus.yml        its configuration (prometheus-config.ts), rewritten at each start
 *   <dir>/targets/proxy.json    file_sd: the service proxy's metrics endpoint (setProxyMetricsUrl)
 *   <dir>/targets/pods.json     file_sd: pods annotated prometheus.io/scrape: "true", from a pod informer
 *   <dir>/data/                 the TSDB (retention 2h, at most 256MB)
 *   <dir>/prometheus.log        its output (warnings and errors)
 *   <dir>/prometheus.pid        so a Prometheus left behind by a killed kubelite is stopped at the next start
 * It listens on 127.0.0.1 only, on a free port. address() starts it (once, whoever asks concurrently), waits until
 * it is ready and has scraped each target once, and returns its URL. If it dies, the next caller gets the crash
 * as an error (failure() hands it to a measurement that was in flight), and the call after that starts it again.
 * stop() ends it with the cluster.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import type { KubeObject } from '../api/resource.ts';
import { R } from '../client/resources.ts';
import { pidAlive, readPid, stopPid } from '../node-setup/host.ts';
import { freeLoopbackPort } from '../util/ports.ts';
import type { OnDemandPrometheusEndpoint } from './providers/prometheus.ts';
import {
  PAGE_TITLE, firstScrapeDone, podScrapeTargets, prometheusArgs, prometheusConfig, proxyScrapeTargets,
  type ActiveTarget, type Pod, type TargetGroup,
} from './prometheus-config.ts';

/** Where the pods come from: calls onChange with the full list whenever it changes; returns a stop function. */
export type PodWatch = (onChange: (pods: Pod[]) => void) => Promise<() => Promise<void>>;

export interface OnDemandPrometheusOptions {
  /** Its own directory (config, targets, data, log): <kubelite data dir>/prometheus. */
  dir: string;
  /** The executable (default `prometheus`, Debian's /usr/bin/prometheus). */
  binary?: string;
  /** The pods to consider for scraping (see podInformerWatch); none when omitted. */
  watchPods?: PodWatch;
  /** Name of this node, a label on the proxy's series. */
  nodeName?: string;
  scrapeIntervalSeconds?: number;
  retentionTime?: string;
  /** How long to wait for /-/ready (default 60 s) and then for the first scrape of every target (default 20 s). */
  readyTimeoutMs?: number;
  firstScrapeTimeoutMs?: number;
  log?: (msg: string) => void;
}

export interface OnDemandPrometheusStatus { running: boolean; pid?: number; url?: string; startedInMs?: number; rssBytes?: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson(url: string, timeoutMs = 2000): Promise<any> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return r.json();
}

/** Write a file so that a reader sees the old or the new content, never half of it. */
function writeAtomic(file: string, content: string): void {
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
}

/** Whether pid is a Prometheus that kubelite started (its command line carries kubelite's page title). */
function isOurPrometheus(pid: number): boolean {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(`--web.page-title=${PAGE_TITLE}`); } catch { return false; }
}

/** Stop the Prometheus recorded in <dir>/prometheus.pid if it still runs (its kubelite was killed). */
export async function stopLeftoverPrometheus(dir: string): Promise<number | undefined> {
  const pid = readPid(join(dir, 'prometheus.pid'));
  if (!pid || !pidAlive(pid) || !isOurPrometheus(pid)) return undefined;
  await stopPid(pid, 10_000);
  return pid;
}

/** The last meaningful lines of Prometheus' log, for error messages. */
function logTail(file: string, from: number): string {
  let text = '';
  try { text = readFileSync(file, 'utf8').slice(from); } catch { return ''; }
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const errs = lines.filter((l) => /level=(error|fatal)|panic|err=/.test(l));
  return (errs.length ? errs : lines).slice(-3).join(' / ').slice(0, 600);
}

export class OnDemandPrometheus implements OnDemandPrometheusEndpoint {
  private proc?: ChildProcess;
  private url?: string;
  private starting?: Promise<string>;
  private crash?: string;
  private closed = false;
  private expectedExit = false;
  private startedInMs?: number;
  private proxyUrl?: string;
  private pods: Pod[] = [];
  private stopPods?: () => Promise<void>;
  private readonly log: (m: string) => void;
  private readonly files: { config: string; proxy: string; pods: string; data: string; log: string; pid: string };

  constructor(private opts: OnDemandPrometheusOptions) {
    this.log = opts.log ?? ((m) => console.log(m));
    const d = opts.dir;
    this.files = {
      config: join(d, 'prometheus.yml'), proxy: join(d, 'targets', 'proxy.json'), pods: join(d, 'targets', 'pods.json'),
      data: join(d, 'data'), log: join(d, 'prometheus.log'), pid: join(d, 'prometheus.pid'),
    };
  }

  /** The service proxy's metrics URL (undefined when it stops): scraped as job "kubelite-proxy". */
  setProxyMetricsUrl(url: string | undefined): void {
    this.proxyUrl = url;
    if (this.stopPods || this.proc) this.writeTargets();
  }

  /** Start Prometheus if it is not running, and return its base URL (http://127.0.0.1:<port>). */
  address(): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the on-demand Prometheus is stopped: the cluster is shutting down'));
    if (this.crash) {
      const m = this.crash;
      this.crash = undefined;
      return Promise.reject(new Error(m));
    }
    if (this.proc && this.url && !this.starting) return Promise.resolve(this.url);
    this.starting ??= this.start().finally(() => { this.starting = undefined; });
    return this.starting;
  }

  /**
   * After a failed query: the crash not yet reported, if Prometheus died (then the next address() starts it
   * again). A connection cut by a dying process can arrive before its exit, so this waits for the exit a moment.
   */
  async failure(): Promise<string | undefined> {
    const p = this.proc;
    if (!this.crash && p && p.exitCode === null && p.signalCode === null) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        p.once('exit', () => { clearTimeout(t); setImmediate(r); });
      });
    }
    const m = this.crash;
    this.crash = undefined;
    return m;
  }

  status(): OnDemandPrometheusStatus {
    const pid = this.proc?.pid;
    let rssBytes: number | undefined;
    if (pid) {
      try {
        const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        if (kb) rssBytes = Number(kb) * 1024;
      } catch { /* gone */ }
    }
    return { running: !!this.proc && !!this.url, pid, url: this.url, startedInMs: this.startedInMs, rssBytes };
  }

  async stop(): Promise<void> {
    this.closed = true;
    try { await this.starting; } catch { /* it failed: nothing more to stop than below */ }
    await this.stopProcess();
    const sp = this.stopPods;
    this.stopPods = undefined;
    await sp?.();
  }

  private async stopProcess(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.expectedExit = true;
    const exited = new Promise<void>((r) => { if (p.exitCode !== null || p.signalCode !== null) r(); else p.once('exit', () => r()); });
    p.kill('SIGTERM');
    const killer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    this.proc = undefined;
    this.url = undefined;
  }

  private writeTargets(): void {
    const proxy: TargetGroup[] = proxyScrapeTargets(this.proxyUrl, this.opts.nodeName);
    const pods = podScrapeTargets(this.pods);
    mkdirSync(join(this.opts.dir, 'targets'), { recursive: true });
    const write = (file: string, groups: TargetGroup[]) => {
      const text = `${JSON.stringify(groups, null, 1)}\n`;
      let old = '';
      try { old = readFileSync(file, 'utf8'); } catch { /* first time */ }
      if (old !== text) writeAtomic(file, text);
    };
    write(this.files.proxy, proxy);
    write(this.files.pods, pods);
  }

  /** Targets written now, i.e. what Prometheus should have once discovery caught up. */
  private targetCount(): number {
    return proxyScrapeTargets(this.proxyUrl).length + podScrapeTargets(this.pods).length;
  }

  private async start(): Promise<string> {
    const t0 = Date.now();
    const { dir } = this.opts;
    mkdirSync(this.files.data, { recursive: true });
    const left = await stopLeftoverPrometheus(dir);
    if (left) this.log(`prometheus: stopped pid ${left} left behind by an earlier kubelite`);
    if (!this.stopPods && this.opts.watchPods) {
      this.stopPods = await this.opts.watchPods((pods) => { this.pods = pods; this.writeTargets(); });
    }
    this.writeTargets();
    writeAtomic(this.files.config, prometheusConfig({ proxyTargetsFile: this.files.proxy, podTargetsFile: this.files.pods, scrapeIntervalSeconds: this.opts.scrapeIntervalSeconds }));

    let lastErr = '';
    for (let attempt = 0; attempt < 3 && !this.closed; attempt++) {
      const port = await freeLoopbackPort();
      const url = `http://127.0.0.1:${port}`;
      const logStart = (() => { try { return readFileSync(this.files.log).length; } catch { return 0; } })();
      const fd = openSync(this.files.log, 'a');
      let child: ChildProcess;
      try {
        child = spawn(this.opts.binary ?? 'prometheus', prometheusArgs({
          configFile: this.files.config, storageDir: this.files.data, listen: `127.0.0.1:${port}`, retentionTime: this.opts.retentionTime,
        }), { cwd: dir, stdio: ['ignore', fd, fd], detached: true });
      } finally { closeSync(fd); }
      const spawnErr = await new Promise<Error | undefined>((r) => { child.once('error', r); child.once('spawn', () => r(undefined)); });
      if (spawnErr) {
        throw new Error(`could not start Prometheus (${this.opts.binary ?? 'prometheus'}): ${spawnErr.message}; install it with \`kubelite setup\` (Debian package prometheus) or give kubelite up --prometheus-address`);
      }
      let exited: string | undefined;
      this.expectedExit = false;
      child.once('exit', (code, sig) => {
        exited = sig ? `signal ${sig}` : `code ${code}`;
        if (this.proc !== child) return;
        this.proc = undefined;
        this.url = undefined;
        if (!this.expectedExit && !this.closed) {
          this.crash = `the on-demand Prometheus (pid ${child.pid}) exited unexpectedly (${exited})${logTail(this.files.log, logStart) ? `: ${logTail(this.files.log, logStart)}` : ''}; it is started again at the next measurement`;
          this.log(`prometheus: ${this.crash}`);
        }
      });
      this.proc = child;
      writeFileSync(this.files.pid, `${child.pid}\n`);

      const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 60_000);
      let ready = false;
      while (!ready && !exited && !this.closed && Date.now() < deadline) {
        try { ready = (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok; } catch { /* not yet */ }
        if (!ready) await sleep(100);
      }
      if (ready && this.proc === child) {
        this.url = url;
        this.crash = undefined;
        this.startedInMs = Date.now() - t0;
        const scraped = await this.waitFirstScrape(url);
        if (this.proc !== child) { lastErr = this.crash ?? 'it exited while starting'; break; }
        this.log(`prometheus: started on ${url} (pid ${child.pid}, ready in ${this.startedInMs} ms, ${scraped ? 'every target scraped' : 'targets not all scraped yet'} after ${Date.now() - t0} ms; data ${this.files.data})`);
        return url;
      }
      const tail = logTail(this.files.log, logStart);
      if (!exited) await this.stopProcess();
      this.crash = undefined;
      lastErr = exited ? `exited (${exited})${tail ? `: ${tail}` : ''}` : `not ready after ${(this.opts.readyTimeoutMs ?? 60_000) / 1000} s${tail ? `: ${tail}` : ''}`;
      if (!/address already in use/.test(tail)) break; // only a lost race for the port is worth another try
    }
    if (this.closed) throw new Error('the on-demand Prometheus is stopped: the cluster is shutting down');
    this.crash = undefined;
    throw new Error(`the on-demand Prometheus did not start: ${lastErr || 'it exited while starting'} (log: ${this.files.log})`);
  }

  /** Wait (bounded) until Prometheus has scraped every target once, so the first query after a start sees data. */
  private async waitFirstScrape(url: string): Promise<boolean> {
    const deadline = Date.now() + (this.opts.firstScrapeTimeoutMs ?? 20_000);
    while (Date.now() < deadline && this.url === url) {
      try {
        const doc = await getJson(`${url}/api/v1/targets?state=active`);
        if (firstScrapeDone((doc?.data?.activeTargets ?? []) as ActiveTarget[], this.targetCount())) return true;
      } catch { /* retried */ }
      await sleep(250);
    }
    return false;
  }
}

/** PodWatch from an informer on all pods, through the API server (debounced: one write per burst of events). */
export function podInformerWatch(client: KubeClient, debounceMs = 200): PodWatch {
  return async (onChange) => {
    const inf = new Informer<Pod & KubeObject>(client, R.pods);
    let timer: NodeJS.Timeout | undefined;
    const changed = () => {
      if (timer) return;
      timer = setTimeout(() => { timer = undefined; onChange(inf.list()); }, debounceMs);
    };
    inf.addHandler({ add: changed, update: changed, delete: changed });
    await inf.start();
    onChange(inf.list());
    return async () => { if (timer) clearTimeout(timer); await inf.stop(); };
  };
}
