/**
 * Container logs for `kubectl logs`: read the CRI log files of a container (logs-paths.ts) and write the text,
 * honouring the upstream PodLogOptions: previous, tailLines, timestamps, sinceSeconds/sinceTime, limitBytes,
 * follow. Partial ("P") entries are joined with the entries that complete them, as the kubelet does.
 */
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseCriLogLine } from '../logs-paths.ts';
import { decodePodLogOptions } from '../../api/options.ts';

export interface LogOptions {
  tailLines?: number;
  timestamps?: boolean;
  /** Only entries at or after this time (ms since epoch). */
  sinceMs?: number;
  limitBytes?: number;
  follow?: boolean;
}

/** The kubelet's PodLogOptions (decoded and validated as upstream, src/api/options.ts), as the reader needs them. */
export function logOptionsFromQuery(q: URLSearchParams, now = Date.now()): LogOptions & { previous: boolean; container?: string } {
  const o = decodePodLogOptions(q);
  let sinceMs: number | undefined;
  if (o.sinceSeconds !== undefined) sinceMs = now - o.sinceSeconds * 1000;
  if (o.sinceTime !== undefined) sinceMs = Date.parse(o.sinceTime);
  return {
    container: o.container, previous: o.previous, follow: o.follow, timestamps: o.timestamps,
    tailLines: o.tailLines, sinceMs, limitBytes: o.limitBytes,
  };
}

/** Turns CRI log text into output lines, keeping state across chunks (partial lines and P entries). */
export class CriLogDecoder {
  private rest = '';
  private pending = new Map<string, { time: string; text: string }>();
  constructor(private opts: LogOptions) {}

  /** Feed raw file text; returns completed output lines (each ending in "\n"). */
  push(text: string): string[] {
    const data = this.rest + text;
    const lines = data.split('\n');
    this.rest = lines.pop() ?? '';
    const out: string[] = [];
    for (const l of lines) {
      const e = parseCriLogLine(l);
      if (!e) continue;
      const p = this.pending.get(e.stream);
      const time = p?.time ?? e.time;
      const body = (p?.text ?? '') + e.text;
      if (e.partial) { this.pending.set(e.stream, { time, text: body }); continue; }
      this.pending.delete(e.stream);
      if (this.opts.sinceMs !== undefined && Date.parse(time) < this.opts.sinceMs) continue;
      out.push(this.opts.timestamps ? `${time} ${body}\n` : `${body}\n`);
    }
    return out;
  }
}

/** Limits the bytes written (limitBytes); reports when the limit is reached. */
class Limiter {
  written = 0;
  constructor(private out: Writable, private limit?: number) {}
  get full(): boolean { return this.limit !== undefined && this.written >= this.limit; }
  write(s: string): void {
    if (this.full) return;
    let b = Buffer.from(s, 'utf8');
    if (this.limit !== undefined && this.written + b.length > this.limit) b = b.subarray(0, this.limit - this.written);
    this.written += b.length;
    this.out.write(b);
  }
}

/**
 * Write the log of one container run to `out`. With follow, keep reading appended data until `shouldStop()`
 * answers true (container restarted, client gone) — checked every poll interval.
 */
export async function streamLogFile(path: string, out: Writable, opts: LogOptions, shouldStop: () => boolean | Promise<boolean>, pollMs = 200): Promise<void> {
  const dec = new CriLogDecoder(opts);
  const lim = new Limiter(out, opts.limitBytes);
  const fh = await open(path, 'r');
  try {
    let pos = 0;
    const readMore = async (): Promise<string> => {
      const st = await fh.stat();
      if (st.size < pos) pos = 0; // truncated / rotated in place
      if (st.size === pos) return '';
      const buf = Buffer.alloc(st.size - pos);
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      pos += bytesRead;
      return buf.subarray(0, bytesRead).toString('utf8');
    };
    let lines = dec.push(await readMore());
    if (opts.tailLines !== undefined) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
    for (const l of lines) lim.write(l);
    if (!opts.follow) return;
    while (!lim.full && !(out as any).destroyed) {
      const more = await readMore();
      if (more) { for (const l of dec.push(more)) lim.write(l); continue; }
      if (await shouldStop()) {
        // Drain what was written before the stop.
        for (const l of dec.push(await readMore())) lim.write(l);
        return;
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    await fh.close();
  }
}

