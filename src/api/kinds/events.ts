/** core/v1 events and coordination.k8s.io/v1 leases: small kinds without spec/status split. */
import { asObj, invalid, required } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { define, str } from './common.ts';
import { eventTable, leaseTable } from '../tables/cluster.ts';

export const events = define({
  group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true,
  shortNames: ['ev'],
  schemaName: 'io.k8s.api.core.v1.Event',
  // upstream's garbage collector ignores events
  garbageCollected: false,
  table: eventTable,
  fieldSelectors: {
    accepted: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
      'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason',
      'reportingComponent', 'source', 'type', 'metadata.namespace', 'metadata.name'],
    fields: (e) => {
      const io = e?.involvedObject ?? {};
      return {
        'involvedObject.kind': str(io.kind),
        'involvedObject.namespace': str(io.namespace),
        'involvedObject.name': str(io.name),
        'involvedObject.uid': str(io.uid),
        'involvedObject.apiVersion': str(io.apiVersion),
        'involvedObject.resourceVersion': str(io.resourceVersion),
        'involvedObject.fieldPath': str(io.fieldPath),
        reason: str(e?.reason),
        reportingComponent: str(e?.reportingComponent),
        source: str(e?.source?.component || e?.reportingComponent),
        type: str(e?.type),
      };
    },
  },
  hasGeneration: false,
  defaults() {},
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    const io = asObj(obj.involvedObject);
    const ns = asObj(obj.metadata).namespace;
    if (io.namespace && ns && io.namespace !== ns) errs.push(invalid('involvedObject.namespace', io.namespace, 'does not match event.namespace'));
    if (typeof obj.count === 'number' && obj.count < 0) errs.push(invalid('count', obj.count, 'must be greater than or equal to 0'));
    if (!obj.involvedObject) errs.push(required('involvedObject'));
    return errs;
  },
});

export const leases = define({
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true,
  schemaName: 'io.k8s.api.coordination.v1.Lease',
  table: leaseTable,
  hasGeneration: false,
  defaults() {},
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    const spec = asObj(obj.spec);
    if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds !== null && !(typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds > 0)) {
      errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
    }
    if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) errs.push(invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
    return errs;
  },
});
