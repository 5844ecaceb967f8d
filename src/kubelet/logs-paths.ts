/**
 * Where container logs live, shared by the node agent (which gives containerd a CRI log_path per container)
 * and the kubelet's streaming server (which reads them for `kubectl logs`).
 *
 *   <root>/<podUid>/<containerName>/<restartCount>.log     (root: the node agent's podLogRoot, default /var/log/pods)
 *
 * Files are in the CRI log format written by containerd: one line per write,
 *   `<RFC3339Nano timestamp> <stdout|stderr> <P|F> <text>`
 * where P marks a partial line (continued by the next entry) and F a full one.
 */
import { join } from 'node:path';
import { readdirSync } from 'node:fs';

export const DEFAULT_POD_LOG_ROOT = '/var/log/pods';

/** CRI PodSandboxConfig.log_directory of a pod. */
export function podLogDir(podUid: string, root = DEFAULT_POD_LOG_ROOT): string {
  return join(root, podUid);
}

/** CRI ContainerConfig.log_path, relative to the pod log dir. */
export function relativeLogPath(containerName: string, restartCount: number): string {
  return join(containerName, `${restartCount}.log`);
}

/** Absolute path of the log of one run (restartCount = attempt) of a container. */
export function logPathFor(podUid: string, containerName: string, restartCount: number, root = DEFAULT_POD_LOG_ROOT): string {
  return join(podLogDir(podUid, root), relativeLogPath(containerName, restartCount));
}

/** Restart counts that have a log file for a container, ascending (the last is the current run). */
export function logRunsFor(podUid: string, containerName: string, root = DEFAULT_POD_LOG_ROOT): number[] {
  try {
    return readdirSync(join(podLogDir(podUid, root), containerName))
      .map((f) => /^(\d+)\.log$/.exec(f)?.[1]).filter((x): x is string => x !== undefined).map(Number).sort((a, b) => a - b);
  } catch { return []; }
}

export interface CriLogLine { time: string; stream: 'stdout' | 'stderr'; partial: boolean; text: string }

/** Parse one CRI log line; undefined for a malformed line. */
export function parseCriLogLine(line: string): CriLogLine | undefined {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  const c = b < 0 ? -1 : line.indexOf(' ', b + 1);
  if (c < 0) {
    // A full empty line may have no trailing space after the tag.
    if (b > 0 && (line.slice(b + 1) === 'F' || line.slice(b + 1) === 'P')) {
      const stream = line.slice(a + 1, b);
      if (stream !== 'stdout' && stream !== 'stderr') return undefined;
      return { time: line.slice(0, a), stream, partial: line.slice(b + 1) === 'P', text: '' };
    }
    return undefined;
  }
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = line.slice(b + 1, c);
  return { time: line.slice(0, a), stream, partial: tag === 'P', text: line.slice(c + 1) };
}
