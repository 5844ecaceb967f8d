/**
 * Host set-up for a kubelite node: `kubelite setup`, and the first step of `kubelite up`.
 * Idempotent and fast when already done. Steps:
 *   1. Debian packages (apt-get, noninteractive) — containerd, runc, CNI plugins, registry, image tools, etcd, haproxy,
 *      prometheus (run by `kubelite up` on demand, never as Debian's service: see quietDebianPrometheus).
 *   2. A local OCI registry on 127.0.0.1:5000 (own config; Debian's listens everywhere with auth).
 *   3. Offline images built from Debian packages (nginx, httpd, pause, kubelite/busybox, curlimages/curl), cached, pushed.
 *   4. containerd with the CRI settings these machines need, started in the background.
 * Anything that cannot be done throws a SetupError whose message says what and how to fix it.
 */
import { existsSync, mkdirSync, writeFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError, pidAlive, readPid, run, startDaemon, stopPid, waitFor, which } from './host.ts';
import { RECIPES, REGISTRY, buildImage, pushImage, registryUp } from './images.ts';
import { STATE_DIR, containerdInstance, ensureContainerd, ensurePodBridge, stopContainerd, type ContainerdInstance } from './containerd.ts';
import { quietDebianPrometheus } from './prometheus.ts';

export { SetupError } from './host.ts';
export { containerdInstance, ensureContainerd, STATE_DIR, DEFAULT_POD_CIDR, PAUSE_IMAGE } from './containerd.ts';

export const PACKAGES = [
  'containerd', 'runc', 'containernetworking-plugins', 'docker-registry', 'skopeo', 'umoci', 'busybox-static',
  'iptables', 'iproute2', 'mmdebstrap', 'etcd-server', 'gcc', 'libc6-dev', 'ca-certificates',
  // the service proxy's L7 traffic router (src/proxy/router) runs Debian's HAProxy
  'haproxy',
  // the analysis controller's on-demand Prometheus (src/analysis/prometheus-server.ts) runs Debian's prometheus
  'prometheus',
];

async function missingPackages(): Promise<string[]> {
  const r = await run('dpkg-query', ['-W', '-f', '${Package} ${Status}\n', ...PACKAGES]);
  const ok = new Set(r.stdout.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]));
  return PACKAGES.filter((p) => !ok.has(p));
}

/** Install what is missing; returns the packages installed now. */
async function ensurePackages(log: (s: string) => void): Promise<string[]> {
  const missing = await missingPackages();
  if (!missing.length) { log('packages: installed'); return []; }
  if (!(await which('apt-get'))) {
    throw new SetupError(`these Debian packages are missing and apt-get is not available to install them: ${missing.join(' ')}. ` +
      'kubelite nodes need Debian 12 (bookworm) or a derivative; install the packages with your package manager and run `kubelite setup` again.');
  }
  log(`packages: installing ${missing.join(' ')} (apt-get)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
  let r = await install();
  if (r.code !== 0) {
    await run('apt-get', ['update', '-q'], { env });
    r = await install();
  }
  if (r.code !== 0) {
    throw new SetupError(`apt-get could not install ${missing.join(' ')}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}. ` +
      'Check that the Debian mirror is reachable (`apt-get update`) and run `kubelite setup` again.');
  }
  log('packages: installed');
  return missing;
}

function registryConfig(dataDir: string): string {
  return `# Written by kubelite setup: the local registry, loopback only, no auth.
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${dataDir}
  delete:
    enabled: true
http:
  addr: ${REGISTRY}
`;
}

async function ensureRegistry(log: (s: string) => void): Promise<void> {
  const dir = join(STATE_DIR, 'registry');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const cfg = join(dir, 'config.yml');
  writeFileSync(cfg, registryConfig(join(dir, 'data')));
  if (await registryUp()) { log(`registry: running on ${REGISTRY}`); return; }
  const pidFile = join(dir, 'registry.pid');
  const old = readPid(pidFile);
  if (pidAlive(old)) await stopPid(old, 3000);
  const pid = startDaemon('docker-registry', ['serve', cfg], pidFile, join(dir, 'registry.log'));
  if (!(await waitFor('registry', async () => pidAlive(pid) && registryUp(), 15000))) {
    let tail = '';
    try { tail = readFileSync(join(dir, 'registry.log'), 'utf8').split('\n').slice(-5).join('\n'); } catch { /* none */ }
    throw new SetupError(`the local registry did not start on ${REGISTRY} (is the port taken by another program?). Log:\n${tail}`);
  }
  log(`registry: started on ${REGISTRY}`);
}

async function ensureImages(log: (s: string) => void): Promise<void> {
  for (const r of RECIPES) {
    let layout: string;
    try {
      layout = await buildImage(STATE_DIR, r, log);
    } catch (e) {
      throw new SetupError(`building the offline image ${r.repo} failed: ${(e as Error).message}. ` +
        'Images are built from Debian packages with mmdebstrap: check that the Debian mirror is reachable and run `kubelite setup` again.');
    }
    await pushImage(STATE_DIR, layout, r, log);
  }
  const short = (repo: string) => repo.replace(/^library\//, '');
  log(`images: ${RECIPES.map((r) => [r.repo, ...(r.aliases ?? [])].map(short).join(' = ')).join(', ')} in the local registry (mirror of docker.io)`);
}

let inFlight: Promise<{ containerdSocket: string; registry: string; podGateway: string }> | undefined;

/** Prepare this host to run pods. Safe to call again (and concurrently in one process). */
export function setupHost(opts: { log: (s: string) => void }): Promise<{ containerdSocket: string; registry: string; podGateway: string }> {
  inFlight ??= doSetup(opts.log).finally(() => { inFlight = undefined; });
  return inFlight;
}

async function doSetup(log: (s: string) => void): Promise<{ containerdSocket: string; registry: string; podGateway: string }> {
  const t0 = Date.now();
  if (process.getuid?.() !== 0) {
    throw new SetupError('kubelite setup needs root (it installs packages, starts containerd and creates network devices): run it with sudo.');
  }
  try {
    const installed = await ensurePackages(log);
    await quietDebianPrometheus(installed.includes('prometheus'), log);
    await ensureRegistry(log);
    await ensureImages(log);
    const socket = await ensureContainerd(containerdInstance('default'), log);
    log(`containerd: running on ${socket}`);
    const podGateway = await ensurePodBridge(containerdInstance('default'));
    log(`setup done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { containerdSocket: socket, registry: REGISTRY, podGateway };
  } catch (e) {
    if (e instanceof SetupError) throw e;
    throw new SetupError(`kubelite setup failed: ${(e as Error).message}`);
  }
}

/** Instances started by kubelite (default plus extra nodes), from the state dir. */
function knownInstances(): ContainerdInstance[] {
  const out: ContainerdInstance[] = [containerdInstance('default')];
  let names: string[] = [];
  try { names = readdirSync(STATE_DIR).filter((n) => n.startsWith('containerd-')); } catch { /* none */ }
  for (const n of names) {
    try {
      const meta = JSON.parse(readFileSync(join(STATE_DIR, n, 'instance.json'), 'utf8'));
      out.push(containerdInstance(meta.name, meta.podCIDR));
    } catch { /* not an instance */ }
  }
  return out;
}

/** Remove every pod sandbox of an instance through CRI, so containers, netns and IPs are released. */
async function removeAllPods(inst: ContainerdInstance, log: (s: string) => void): Promise<void> {
  if (!existsSync(inst.socket)) return;
  const { CriClient } = await import('../kubelet/cri/client.ts');
  const cri = new CriClient(inst.socket);
  try {
    const sbs = await cri.listPodSandbox();
    for (const sb of sbs) {
      await cri.stopPodSandbox(sb.id).catch(() => {});
      await cri.removePodSandbox(sb.id).catch(() => {});
    }
    if (sbs.length) log(`  removed ${sbs.length} pod sandboxes (${inst.name})`);
  } catch { /* containerd not answering */ } finally { cri.close(); }
}

/** Remove one extra node's containerd instance (`kubelite node --name`): its pods, containerd, bridge, state. */
export async function teardownNodeInstance(name: string, log: (s: string) => void = () => {}): Promise<void> {
  const inst = knownInstances().find((i) => i.name === name);
  if (!inst || inst.name === 'default') return;
  await removeAllPods(inst, log);
  await stopContainerd(inst, { purge: true });
}

/**
 * Undo setup: stop the registry and the containerd instances kubelite started. With `purge`, also remove all
 * pods, the CNI bridges and their IP allocations, and the registry's data and image cache.
 */
export async function teardown(opts: { log: (s: string) => void; purge?: boolean }): Promise<void> {
  const log = opts.log;
  for (const inst of knownInstances()) {
    if (opts.purge) await removeAllPods(inst, log);
    await stopContainerd(inst, { purge: opts.purge });
    log(`containerd (${inst.name}): stopped`);
  }
  const regPid = readPid(join(STATE_DIR, 'registry', 'registry.pid'));
  if (pidAlive(regPid)) { await stopPid(regPid, 3000); log('registry: stopped'); }
  rmSync(join(STATE_DIR, 'registry', 'registry.pid'), { force: true });
  if (opts.purge) {
    // The CNI portmap plugin's top-level chains (per-pod chains went with the pods).
    for (const [chain, parents] of [['CNI-HOSTPORT-DNAT', ['PREROUTING', 'OUTPUT']], ['CNI-HOSTPORT-MASQ', ['POSTROUTING']], ['CNI-HOSTPORT-SETMARK', []]] as const) {
      for (const parent of parents) {
        while ((await run('iptables', ['-w', '-t', 'nat', '-D', parent, '-m', 'comment', '--comment', 'CNI portfwd requiring masquerade', '-j', chain])).code === 0) { /* removed one */ }
        while ((await run('iptables', ['-w', '-t', 'nat', '-D', parent, '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', chain])).code === 0) { /* removed one */ }
        while ((await run('iptables', ['-w', '-t', 'nat', '-D', parent, '-j', chain])).code === 0) { /* removed one */ }
      }
    }
    for (const chain of ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-SETMARK']) {
      await run('iptables', ['-w', '-t', 'nat', '-F', chain]);
      await run('iptables', ['-w', '-t', 'nat', '-X', chain]);
    }
    rmSync(join(STATE_DIR, 'registry'), { recursive: true, force: true });
    rmSync(join(STATE_DIR, 'images'), { recursive: true, force: true });
    log(`removed ${STATE_DIR}/registry and the image cache`);
  }
}
