/** core/v1 nodes (upstream pkg/registry/core/node/strategy.go). */
import { asArray, asObj, child, duplicate, index, invalid, isObj, notSupported, required } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { clone, define, keepStatus, status, sub } from './common.ts';
import { nodeTable } from '../tables/cluster.ts';
import { enumOf } from '../definitions/index.ts';

type Obj = Record<string, unknown>;
const EFFECTS = enumOf('io.k8s.api.core.v1.Taint', 'effect');

function validateTaints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, t0] of asArray(asObj(obj.spec).taints).entries()) {
    const t = asObj(t0);
    const tp = index('spec.taints', i);
    if (!t.key) errs.push(required(child(tp, 'key')));
    else for (const m of isQualifiedName(String(t.key))) errs.push(invalid(child(tp, 'key'), t.key, m));
    if (t.value) for (const m of isValidLabelValue(String(t.value))) errs.push(invalid(child(tp, 'value'), t.value, m));
    if (!t.effect) errs.push(required(child(tp, 'effect')));
    else if (!EFFECTS.includes(String(t.effect))) errs.push(notSupported(child(tp, 'effect'), t.effect, EFFECTS));
    const k = `${t.key}:${t.effect}`;
    if (seen.has(k)) errs.push(duplicate(tp, `${t.key}:${t.effect}`));
    seen.add(k);
  }
  return errs;
}

export const nodes = define({
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false,
  shortNames: ['no'],
  subresources: [status('', 'v1', 'Node'), sub('proxy', '', 'v1', 'NodeProxyOptions', ['create', 'delete', 'get', 'patch', 'update'])],
  schemaName: 'io.k8s.api.core.v1.Node',
  table: nodeTable,
  fieldSelectors: {
    accepted: ['metadata.name', 'spec.unschedulable'],
    fields: (n) => ({ 'spec.unschedulable': String(n?.spec?.unschedulable === true) }),
  },
  hasGeneration: false,
  defaults(obj) {
    // SetDefaults_NodeStatus: allocatable defaults to capacity.
    if (isObj(obj.status) && isObj(obj.status.capacity) && !isObj(obj.status.allocatable)) obj.status.allocatable = clone(obj.status.capacity);
  },
  validate(obj, old) {
    const errs = validateMeta(obj, old, false, nameIsDNSSubdomain);
    errs.push(...validateTaints(obj));
    if (old) {
      const o = asObj(old.spec), n = asObj(obj.spec);
      if (o.podCIDR && n.podCIDR !== o.podCIDR) errs.push(invalid('spec.podCIDR', n.podCIDR ?? '', 'node updates may not change podCIDR except from "" to valid'));
      if (o.providerID && n.providerID !== o.providerID) errs.push(invalid('spec.providerID', n.providerID ?? '', 'node updates may not change providerID except from "" to valid'));
    }
    return errs;
  },
  // Nodes register themselves with their status: keep what the kubelet sends on create.
  prepareForUpdate(obj, old) { keepStatus(obj, old); },
  prepareForStatusUpdate(obj, old) {
    obj.spec = clone(old.spec);
  },
});
