/**
 * A container's CRI mounts from its volumeMounts (upstream kubelet_pods.go makeMounts): the volume's host path,
 * or with subPath / subPathExpr (expanded against the container's environment) a path inside it — created as a
 * directory when missing, resolved through symlinks and refused when it leaves the volume (upstream's safe
 * subpath). readOnly per mount, always for API-data volumes; mountPropagation as CRI propagation.
 * A subPath mount is bound to what the path is when the container starts: later ConfigMap updates do not reach it
 * (as upstream).
 */
import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import type { Container } from 'kubernetes-types/core/v1.d.ts';
import type { Mount, MountPropagation } from '../cri/types.ts';
import { expandWith } from '../env.ts';
import type { MountedVolume } from './manager.ts';

const PROPAGATION: Record<string, MountPropagation> = {
  None: 'PROPAGATION_PRIVATE', HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER', Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

/** upstream ExpandContainerVolumeMounts: every referenced variable must have a non-empty value. */
export function expandSubPathExpr(expr: string, env: Map<string, string>): string {
  const missing = new Set<string>();
  const out = expandWith(expr, (k) => {
    const v = env.get(k);
    if (!v) missing.add(k);
    return v ?? '';
  });
  if (missing.size) throw new Error(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

/** The CRI mounts of `c`; throws (CreateContainerConfigError) with upstream's messages. */
export function containerMounts(c: Container, volumes: Map<string, MountedVolume>, env: Map<string, string>): Mount[] {
  const out: Mount[] = [];
  for (const vm of c.volumeMounts ?? []) {
    const vol = volumes.get(vm.name);
    if (!vol) throw new Error(`cannot find volume "${vm.name}" to mount into container "${c.name}"`);
    let hostPath = vol.hostPath;
    let subPath = vm.subPath ?? '';
    if (vm.subPathExpr) subPath = expandSubPathExpr(vm.subPathExpr, env);
    if (subPath) {
      if (isAbsolute(subPath)) throw new Error(`error SubPath \`${subPath}\` must not be an absolute path`);
      if (subPath.split('/').includes('..')) throw new Error(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
      const full = join(vol.hostPath, subPath);
      if (!existsSync(full)) {
        try {
          const base = realpathSync(vol.hostPath);
          mkdirSync(full, { recursive: true, mode: statSync(base).mode & 0o777 });
        } catch { throw new Error(`failed to create subPath directory for volumeMount "${vm.name}" of container "${c.name}"`); }
      }
      let real: string;
      try {
        real = realpathSync(full);
        const base = realpathSync(vol.hostPath);
        if (real !== base && !real.startsWith(base.endsWith(sep) ? base : base + sep)) throw new Error('outside');
        // An API-data volume's files live in its timestamped dir (..data/key): bind that, not the symlink.
      } catch { throw new Error(`failed to prepare subPath for volumeMount "${vm.name}" of container "${c.name}"`); }
      hostPath = real;
    }
    out.push({
      containerPath: vm.mountPath, hostPath, readonly: !!vm.readOnly || vol.readOnly,
      propagation: PROPAGATION[vm.mountPropagation ?? 'None'] ?? 'PROPAGATION_PRIVATE',
    });
  }
  return out;
}
