/**
 * containerd as these machines need it (see shared/reference/container-runtime-on-these-machines.md):
 * no systemd, so it runs as a background process with a pid file; the CRI plugin uses the local pause image,
 * restrict_oom_score_adj (CAP_SYS_RESOURCE is missing), runc with cgroupfs, Debian's CNI plugins in
 * /usr/lib/cni with a bridge conflist, and registry hosts.toml files that make the local registry the mirror of
 * docker.io and an insecure registry of its own.
 *
 * An "instance" is one containerd with its own socket, root, state, CNI bridge and pod subnet. The main node
 * uses the `default` instance on the standard socket; extra nodes on the same machine (`kubelite node
 * --pod-cidr ...`) get their own instance so each node has its own pods, bridge and subnet.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError, pidAlive, readPid, run, socketAnswers, startDaemon, stopPid, waitFor } from './host.ts';
import { REGISTRY } from './images.ts';

export const STATE_DIR = process.env.KUBELITE_STATE_DIR ?? '/var/lib/kubelite';
export const PAUSE_IMAGE = `${REGISTRY}/kubelite/pause:3.9`;
export const DEFAULT_POD_CIDR = '10.88.0.0/16';

export interface ContainerdInstance {
  name: string;
  socket: string;
  root: string;
  state: string;
  dir: string; // config, CNI conf, pid, log
  bridge: string;
  podCIDR: string;
  networkName: string;
  streamPort: number;
}

/** Paths and names of an instance. `default` uses containerd's standard socket and root. */
export function containerdInstance(name = 'default', podCIDR = DEFAULT_POD_CIDR): ContainerdInstance {
  if (name === 'default') {
    return {
      name, socket: '/run/containerd/containerd.sock', root: '/var/lib/containerd', state: '/run/containerd',
      dir: join(STATE_DIR, 'containerd'), bridge: 'cni0', podCIDR, networkName: 'kubelite', streamPort: 10010,
    };
  }
  const h = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return {
    name, socket: `/run/kubelite/containerd-${h}/containerd.sock`, root: join(STATE_DIR, `containerd-${h}`, 'root'),
    state: `/run/kubelite/containerd-${h}`, dir: join(STATE_DIR, `containerd-${h}`), bridge: `kl${h}`, podCIDR,
    networkName: `kubelite-${h}`, streamPort: 0,
  };
}

function registryHostsDir(): string { return join(STATE_DIR, 'registry', 'hosts.d'); }

/** hosts.toml files: docker.io → local mirror first (falls back to Docker Hub when online); the local registry over http. */
export function writeRegistryHosts(): void {
  const base = registryHostsDir();
  mkdirSync(join(base, 'docker.io'), { recursive: true });
  mkdirSync(join(base, REGISTRY), { recursive: true });
  writeFileSync(join(base, 'docker.io', 'hosts.toml'), [
    '# kubelite: the local registry is the mirror of docker.io (images built offline from Debian packages).',
    'server = "https://registry-1.docker.io"',
    '',
    `[host."http://${REGISTRY}"]`,
    '  capabilities = ["pull", "resolve"]',
    '  skip_verify = true',
    '',
  ].join('\n'));
  writeFileSync(join(base, REGISTRY, 'hosts.toml'), [
    '# kubelite: the local insecure registry.',
    `server = "http://${REGISTRY}"`,
    '',
    `[host."http://${REGISTRY}"]`,
    '  capabilities = ["pull", "resolve", "push"]',
    '  skip_verify = true',
    '',
  ].join('\n'));
}

export function cniConflist(inst: ContainerdInstance): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: inst.networkName,
    plugins: [
      {
        type: 'bridge', bridge: inst.bridge, isGateway: true, ipMasq: false, hairpinMode: true, promiscMode: false,
        ipam: { type: 'host-local', ranges: [[{ subnet: inst.podCIDR }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(inst.dir, 'ipam') },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }, null, 2);
}

export function containerdConfig(inst: ContainerdInstance): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `# Written by kubelite setup (containerd 1.6 config schema).
version = 2
root = "${inst.root}"
state = "${inst.state}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${inst.socket}"

[ttrpc]
  address = ""

[debug]
  address = ""

[metrics]
  address = ""

[${cri}]
  sandbox_image = "${PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "${inst.streamPort}"
  enable_selinux = false
  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.containerd.runtimes.runc.options]
        SystemdCgroup = false
  [${cri}.cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${join(inst.dir, 'net.d')}"
    max_conf_num = 1
  [${cri}.registry]
    config_path = "${registryHostsDir()}"
`;
}

/** Write the config files of an instance; true when something changed (a running containerd must restart). */
function writeInstanceFiles(inst: ContainerdInstance): boolean {
  mkdirSync(join(inst.dir, 'net.d'), { recursive: true });
  let changed = false;
  const put = (p: string, s: string) => {
    let old = '';
    try { old = readFileSync(p, 'utf8'); } catch { /* new */ }
    if (old !== s) { writeFileSync(p, s); changed = true; }
  };
  put(join(inst.dir, 'config.toml'), containerdConfig(inst));
  put(join(inst.dir, 'net.d', '10-kubelite.conflist'), cniConflist(inst));
  if (inst.name !== 'default') writeFileSync(join(inst.dir, 'instance.json'), JSON.stringify({ name: inst.name, podCIDR: inst.podCIDR }));
  return changed;
}

/**
 * The pod bridge's gateway: the first address of the pod CIDR, with its prefix — what the CNI bridge plugin
 * (isGateway, host-local IPAM) puts on the bridge and what every pod's default route names.
 */
export function podGateway(inst: ContainerdInstance): { ip: string; prefix: number } {
  const [net, bits] = inst.podCIDR.split('/');
  const o = net.split('.').map(Number);
  const n = (((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3] + 1) >>> 0;
  return { ip: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), prefix: Number(bits) };
}

/**
 * Create the pod bridge with its gateway address now, not at the first pod (the CNI bridge plugin accepts a
 * bridge that already has its gateway address): node services that only pods should reach (cluster DNS, the API
 * server behind the `kubernetes` Service) listen on it. Returns the gateway address.
 */
export async function ensurePodBridge(inst: ContainerdInstance): Promise<string> {
  const gw = podGateway(inst);
  if ((await run('ip', ['link', 'show', inst.bridge])).code !== 0) {
    const r = await run('ip', ['link', 'add', 'name', inst.bridge, 'type', 'bridge']);
    if (r.code !== 0 && (await run('ip', ['link', 'show', inst.bridge])).code !== 0) throw new SetupError(`could not create the pod bridge ${inst.bridge}: ${r.stderr.trim()}`);
  }
  const addrs = (await run('ip', ['-4', '-o', 'addr', 'show', 'dev', inst.bridge])).stdout;
  if (!addrs.includes(` ${gw.ip}/`)) {
    const r = await run('ip', ['addr', 'add', `${gw.ip}/${gw.prefix}`, 'dev', inst.bridge]);
    if (r.code !== 0 && !/exists/i.test(r.stderr)) throw new SetupError(`could not give the pod bridge ${inst.bridge} its gateway ${gw.ip}/${gw.prefix}: ${r.stderr.trim()}`);
  }
  await run('ip', ['link', 'set', inst.bridge, 'up']);
  return gw.ip;
}

/** Start (or keep) containerd for an instance and wait for its socket. Returns the socket path. */
export async function ensureContainerd(inst: ContainerdInstance, log: (s: string) => void): Promise<string> {
  writeRegistryHosts();
  const changed = writeInstanceFiles(inst);
  const pidFile = join(inst.dir, 'containerd.pid');
  const pid = readPid(pidFile);
  const ours = pidAlive(pid);
  if (ours && !changed && await socketAnswers(inst.socket)) return inst.socket;
  if (ours) {
    log(`  containerd (${inst.name}) config changed: restarting it (running containers keep running)`);
    await stopPid(pid, 10000);
  } else if (await socketAnswers(inst.socket)) {
    throw new SetupError(`containerd is already running on ${inst.socket} but was not started by kubelite, so it lacks the CRI settings ` +
      `these machines need. Stop it (e.g. \`kill $(pidof containerd)\`) and run \`kubelite setup\` again.`);
  }
  mkdirSync(inst.root, { recursive: true });
  mkdirSync(inst.state, { recursive: true });
  rmSync(inst.socket, { force: true });
  const logFile = join(inst.dir, 'containerd.log');
  log(`  starting containerd (${inst.name}) on ${inst.socket}`);
  const newPid = startDaemon('containerd', ['--config', join(inst.dir, 'config.toml')], pidFile, logFile);
  const ok = await waitFor('containerd socket', async () => pidAlive(newPid) && socketAnswers(inst.socket), 20000, 50);
  if (!ok) {
    let tail = '';
    try { tail = readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n'); } catch { /* none */ }
    throw new SetupError(`containerd did not start (socket ${inst.socket} not answering after 20 s). Its log ${logFile} ends with:\n${tail}\n` +
      `Fix the cause above (is another containerd running? is ${inst.root} writable?) and run \`kubelite setup\` again.`);
  }
  return inst.socket;
}

/** Stop an instance's containerd (its containers should have been removed first) and its bridge. */
export async function stopContainerd(inst: ContainerdInstance, opts: { purge?: boolean } = {}): Promise<void> {
  const pidFile = join(inst.dir, 'containerd.pid');
  const pid = readPid(pidFile);
  if (pidAlive(pid)) await stopPid(pid, 10000);
  rmSync(pidFile, { force: true });
  if (opts.purge) {
    await run('ip', ['link', 'del', inst.bridge]);
    rmSync(join(inst.dir, 'ipam'), { recursive: true, force: true });
    if (inst.name !== 'default') rmSync(inst.dir, { recursive: true, force: true });
  }
}

