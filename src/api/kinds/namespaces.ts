/** core/v1 namespaces (upstream pkg/registry/core/namespace/strategy.go). */
import { asArray, asObj, child, index, invalid, isObj, notSupported } from '../validation/field.ts';
import { nameIsDNSLabel, validateMeta } from '../validation/meta.ts';
import { isQualifiedName } from '../validation/names.ts';
import type { KubeObject } from '../resource.ts';
import type { FieldError } from '../errors.ts';
import { clone, define, keepAllButStatus, metaOf, status, str, sub } from './common.ts';
import { namespaceTable } from '../tables/cluster.ts';
import { enumOf } from '../definitions/index.ts';
import { serveFinalize } from '../../apiserver/subresources/status.ts';
import { namespaceHooks } from '../../apiserver/kindhooks.ts';

type Obj = Record<string, unknown>;
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function validateFinalizers(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, f] of asArray(asObj(obj.spec).finalizers).entries()) {
    const fp = index('spec.finalizers', i);
    if (typeof f !== 'string') { errs.push(invalid(fp, f, 'must be a string')); continue; }
    for (const m of isQualifiedName(f)) errs.push(invalid(fp, f, m));
    if (!f.includes('/') && f !== 'kubernetes') errs.push(invalid(fp, f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

const NAMESPACE_PHASES = enumOf('io.k8s.api.core.v1.NamespaceStatus', 'phase');

export const namespaces = define({
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false,
  shortNames: ['ns'],
  // upstream serves no deletecollection for namespaces
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [status('', 'v1', 'Namespace'), sub('finalize', '', 'v1', 'Namespace', ['update'], { serve: serveFinalize, prepareForUpdate: prepareForFinalize })],
  schemaName: 'io.k8s.api.core.v1.Namespace',
  // not in the garbage collector's graph (as before: namespaces go through the namespace controller)
  garbageCollected: false,
  table: namespaceTable,
  fieldSelectors: {
    accepted: ['status.phase', 'metadata.name'],
    fields: (n) => ({ 'status.phase': str(n?.status?.phase) }),
  },
  rest: () => namespaceHooks,
  hasGeneration: false,
  defaults(obj) {
    // SetDefaults_Namespace: the immutable name label; SetDefaults_NamespaceStatus: phase Active.
    const m = metaOf(obj);
    if (typeof m.name === 'string' && m.name) {
      if (!isObj(m.labels)) m.labels = {};
      (m.labels as Obj)[NAMESPACE_NAME_LABEL] = m.name;
    }
    if (isObj(obj.status) && !obj.status.phase) obj.status.phase = 'Active';
  },
  validate(obj, old) {
    const errs = validateMeta(obj, old, false, nameIsDNSLabel);
    errs.push(...validateFinalizers(obj));
    return errs;
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
    if (!isObj(obj.spec)) obj.spec = {};
    const spec = obj.spec as Obj;
    const f = asArray<string>(spec.finalizers);
    if (!f.includes('kubernetes')) spec.finalizers = [...f, 'kubernetes'];
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers only change through /finalize; status only through /status.
    obj.spec = clone(old.spec ?? {});
    obj.status = clone(old.status);
  },
  prepareForStatusUpdate(obj, old) { keepAllButStatus(obj, old); },
  validateStatus(obj, old) {
    const errs = validateMeta(obj, old, false, nameIsDNSLabel);
    const ph = asObj(obj.status).phase;
    if (ph !== undefined && !NAMESPACE_PHASES.includes(String(ph))) errs.push(notSupported(child('status', 'phase'), ph, NAMESPACE_PHASES));
    if (asObj(obj.metadata).deletionTimestamp && ph === 'Active') errs.push(invalid('status.phase', ph, 'A namespace may not be set to active if it is being terminated'));
    return errs;
  },
});

/** The /finalize subresource: only spec.finalizers change (upstream namespaceFinalizeStrategy). */
function prepareForFinalize(obj: KubeObject, old: KubeObject): void {
  const finalizers = clone(asObj(obj.spec).finalizers);
  for (const k of Object.keys(obj)) if (k !== 'apiVersion' && k !== 'kind') delete obj[k];
  Object.assign(obj, clone({ ...old, apiVersion: obj.apiVersion ?? old.apiVersion, kind: obj.kind ?? old.kind }));
  obj.spec = { ...asObj(old.spec), finalizers: finalizers ?? [] };
}
