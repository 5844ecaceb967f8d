/** Helpers of the resource-metrics and autoscaling e2e tests: a CPU-burning Deployment and its cgroup counters. */
import { readFileSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';

/** Holds 20 MB in a shell variable, then spins until /tmp/stop exists. */
export const BURN_SCRIPT = 'x=$(yes aaaaaaaaa | head -c 20000000); while [ ! -e /tmp/stop ]; do :; done; exec sleep 100000';

export function burnDeployment(name: string, replicas = 1): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'burn', image: 'kubelite/busybox', command: ['sh', '-c', BURN_SCRIPT],
            resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '100m' } },
          }],
        },
      },
    },
  });
}

/** The container's cgroup v1 directory under a controller (containerd cgroupfs: <pod cgroup parent>/<container id>). */
export function cgroupDir(controller: 'cpuacct' | 'memory', pod: Pod, container = 0): string {
  const id = pod.status!.containerStatuses![container].containerID!.replace(/^containerd:\/\//, '');
  return `/sys/fs/cgroup/${controller}/kubelite/pod${pod.metadata!.uid}/${id}`;
}
export const cpuNanos = (pod: Pod) => Number(readFileSync(`${cgroupDir('cpuacct', pod)}/cpuacct.usage`, 'utf8').trim());
export function workingSet(pod: Pod): number {
  const dir = cgroupDir('memory', pod);
  const usage = Number(readFileSync(`${dir}/memory.usage_in_bytes`, 'utf8').trim());
  const inactive = Number(/^total_inactive_file (\d+)$/m.exec(readFileSync(`${dir}/memory.stat`, 'utf8'))?.[1] ?? 0);
  return usage - inactive;
}

