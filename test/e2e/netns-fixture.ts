/**
 * A self-contained network for proxy tests: a "node" network namespace with a bridge (hairpin on, as the CNI
 * bridge plugin with hairpinMode), and "pod" namespaces on veths, each running busybox httpd that answers with
 * its own name. Nothing touches the host's network; destroy() kills the servers and deletes the namespaces.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface FixturePod { name: string; netns: string; ip: string; veth: string; server?: ChildProcess }

export interface NetnsFixture {
  node: string; // the node's netns
  bridgeIP: string;
  pods: FixturePod[];
  /** Run a command in a namespace. */
  exec(netns: string, cmd: string, args: string[], timeoutMs?: number): string;
  /** GET http://host:port/ from a namespace (busybox wget); the body, or '' on failure. */
  curl(netns: string, url: string, extra?: string[]): string;
  startServer(pod: FixturePod, port: number): Promise<void>;
  destroy(): void;
}

const sh = (cmd: string, args: string[], timeout = 10000) => execFileSync(cmd, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });

export async function createFixture(podCount: number, opts: { subnet?: string; port?: number } = {}): Promise<NetnsFixture> {
  const id = randomBytes(3).toString('hex');
  const node = `klt-${id}-node`;
  const subnet = opts.subnet ?? '10.88.0';
  const bridgeIP = `${subnet}.1`;
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-netns-'));
  const pods: FixturePod[] = [];
  const fx: NetnsFixture = {
    node, bridgeIP, pods,
    exec: (ns, cmd, args, timeoutMs) => sh('ip', ['netns', 'exec', ns, cmd, ...args], timeoutMs),
    curl: (ns, url, extra = []) => {
      // busybox wget (busybox-static is installed by `kubelite setup`), bounded by timeout(1): its own -T crashes.
      try { return sh('ip', ['netns', 'exec', ns, 'timeout', '3', 'busybox', 'wget', '-qO-', ...extra, url], 8000).trim(); } catch { return ''; }
    },
    startServer: async (pod, port) => {
      const root = join(dir, pod.name);
      mkdirSync(root, { recursive: true });
      writeFileSync(join(root, 'index.html'), `${pod.name}\n`);
      pod.server = spawn('ip', ['netns', 'exec', pod.netns, 'busybox', 'httpd', '-f', '-p', String(port), '-h', root], { stdio: 'ignore' });
      for (let i = 0; i < 50; i++) {
        if (fx.curl(pod.netns, `http://127.0.0.1:${port}/`) === pod.name) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`httpd in ${pod.name} did not start`);
    },
    destroy: () => {
      for (const p of pods) { try { p.server?.kill('SIGKILL'); } catch { /* gone */ } }
      for (const p of pods) { try { sh('ip', ['netns', 'del', p.netns]); } catch { /* gone */ } }
      try { sh('ip', ['netns', 'del', node]); } catch { /* gone */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    sh('ip', ['netns', 'add', node]);
    fx.exec(node, 'ip', ['link', 'set', 'lo', 'up']);
    fx.exec(node, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    fx.exec(node, 'ip', ['addr', 'add', `${bridgeIP}/24`, 'dev', 'br0']);
    fx.exec(node, 'ip', ['link', 'set', 'br0', 'up']);
    // The node's "default route" (like eth0's): Service IPs are routed here unless a rule translates them.
    fx.exec(node, 'ip', ['route', 'add', 'default', 'dev', 'br0']);
    fx.exec(node, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    fx.exec(node, 'sysctl', ['-qw', 'net.ipv4.conf.all.route_localnet=1']);
    for (let i = 0; i < podCount; i++) {
      const name = `pod${i}`;
      const netns = `klt-${id}-p${i}`;
      const ip = `${subnet}.${i + 2}`;
      const veth = `v${id}${i}`;
      sh('ip', ['netns', 'add', netns]);
      fx.exec(node, 'ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
      fx.exec(node, 'ip', ['link', 'set', veth, 'master', 'br0', 'up']);
      fx.exec(node, 'bridge', ['link', 'set', 'dev', veth, 'hairpin', 'on']);
      fx.exec(netns, 'ip', ['link', 'set', 'lo', 'up']);
      fx.exec(netns, 'ip', ['addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      fx.exec(netns, 'ip', ['link', 'set', 'eth0', 'up']);
      fx.exec(netns, 'ip', ['route', 'add', 'default', 'via', bridgeIP]);
      const pod: FixturePod = { name, netns, ip, veth };
      pods.push(pod);
      if (opts.port) await fx.startServer(pod, opts.port);
    }
  } catch (e) {
    fx.destroy();
    throw e;
  }
  return fx;
}
