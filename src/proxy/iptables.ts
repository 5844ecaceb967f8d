/** Running iptables: atomic restores (--noflush), saves with counters, and idempotent jump rules. */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

export interface ExecResult { code: number; stdout: string; stderr: string }

export function exec(cmd: string, args: string[], input?: string): Promise<ExecResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', (e) => resolve({ code: -1, stdout, stderr: stderr + String(e) }));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.on('error', () => { /* the command exited without reading its input */ });
    p.stdin.end(input ?? '');
  });
}

export class Iptables {
  /** `netns`: run inside that network namespace (ip netns exec), e.g. a test's own fixture. */
  constructor(private netns?: string, private bin = 'iptables') {}

  private run(cmd: string, args: string[], input?: string): Promise<ExecResult> {
    return this.netns ? exec('ip', ['netns', 'exec', this.netns, cmd, ...args], input) : exec(cmd, args, input);
  }

  /** Apply rules atomically, leaving chains not mentioned alone (iptables-restore --noflush). */
  async restore(text: string): Promise<void> {
    const r = await this.run(`${this.bin}-restore`, ['-w', '5', '--noflush'], text);
    if (r.code !== 0) throw new Error(`iptables-restore failed (${r.code}): ${r.stderr.trim()}\n--- input ---\n${numbered(text, r.stderr)}`);
  }

  async save(table: string, counters = false): Promise<string> {
    const r = await this.run(`${this.bin}-save`, ['-t', table, ...(counters ? ['-c'] : [])]);
    if (r.code !== 0) throw new Error(`iptables-save -t ${table} failed: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Insert a rule at the top of a built-in chain unless it is there already. */
  async ensureJump(table: string, chain: string, rule: string[]): Promise<void> {
    const c = await this.run(this.bin, ['-w', '5', '-t', table, '-C', chain, ...rule]);
    if (c.code === 0) return;
    const r = await this.run(this.bin, ['-w', '5', '-t', table, '-I', chain, '1', ...rule]);
    if (r.code !== 0) throw new Error(`iptables -t ${table} -I ${chain} failed: ${r.stderr.trim()}`);
  }

  /** Remove every copy of a rule. */
  async deleteJump(table: string, chain: string, rule: string[]): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const r = await this.run(this.bin, ['-w', '5', '-t', table, '-D', chain, ...rule]);
      if (r.code !== 0) return;
    }
  }
}

function numbered(text: string, err: string): string {
  const m = /line:? (\d+)/i.exec(err);
  const lines = text.split('\n');
  if (!m) return lines.slice(0, 40).join('\n');
  const n = Number(m[1]);
  return lines.slice(Math.max(0, n - 3), n + 2).map((l, i) => `${Math.max(1, n - 2) + i}: ${l}`).join('\n');
}

/** Read a sysctl under /proc/sys (e.g. 'net/ipv4/ip_forward'). */
export function readSysctl(path: string): string | undefined {
  try { return readFileSync(`/proc/sys/${path}`, 'utf8').trim(); } catch { return undefined; }
}
export function writeSysctl(path: string, value: string): boolean {
  try { writeFileSync(`/proc/sys/${path}`, value); return true; } catch { return false; }
}
