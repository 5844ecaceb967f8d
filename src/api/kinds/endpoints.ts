/** core/v1 endpoints and discovery.k8s.io/v1 endpointslices. */
import { asArray, asObj, child, duplicate, index, invalid, notSupported, required } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { PORT_RANGE_MSG, isDNS1123Label, isValidIP, isValidPortNum } from '../validation/names.ts';
import type { FieldError } from '../errors.ts';
import { define } from './common.ts';
import { enumOf } from '../definitions/index.ts';
import { endpointsTable, endpointSliceTable } from '../tables/services.ts';

type Obj = Record<string, unknown>;
const PROTOCOLS = enumOf('io.k8s.api.discovery.v1.EndpointPort', 'protocol');

function validatePort(p: Obj, pp: string, names: Set<string>, needName: boolean, allowNoPort: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (p.name !== undefined && p.name !== '') {
    const n = String(p.name);
    for (const m of isDNS1123Label(n)) errs.push(invalid(child(pp, 'name'), n, m));
    if (names.has(n)) errs.push(duplicate(child(pp, 'name'), n));
    names.add(n);
  } else if (needName) errs.push(required(child(pp, 'name')));
  if (!(allowNoPort && (p.port === undefined || p.port === null)) && !isValidPortNum(p.port)) errs.push(invalid(child(pp, 'port'), p.port ?? 0, PORT_RANGE_MSG));
  if (p.protocol !== undefined && !PROTOCOLS.includes(String(p.protocol))) errs.push(notSupported(child(pp, 'protocol'), p.protocol, PROTOCOLS));
  return errs;
}

export const endpoints = define({
  group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true,
  listKind: 'EndpointsList', singular: 'endpoints', shortNames: ['ep'],
  schemaName: 'io.k8s.api.core.v1.Endpoints',
  table: endpointsTable,
  hasGeneration: false,
  defaults(obj) {
    for (const s of asArray(obj.subsets)) for (const p of asArray(asObj(s).ports)) { const o = asObj(p); if (!o.protocol && typeof p === 'object') o.protocol = 'TCP'; }
  },
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    for (const [i, s0] of asArray(obj.subsets).entries()) {
      const s = asObj(s0);
      const sp = index('subsets', i);
      for (const list of ['addresses', 'notReadyAddresses']) {
        for (const [j, a0] of asArray(s[list]).entries()) {
          const a = asObj(a0);
          const ap = child(index(child(sp, list), j), 'ip');
          if (!a.ip) errs.push(required(ap));
          else if (!isValidIP(String(a.ip))) errs.push(invalid(ap, a.ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
        }
      }
      const ports = asArray(s.ports);
      const names = new Set<string>();
      for (const [j, p] of ports.entries()) errs.push(...validatePort(asObj(p), index(child(sp, 'ports'), j), names, ports.length > 1, false));
    }
    return errs;
  },
});

const ADDRESS_TYPES = enumOf('io.k8s.api.discovery.v1.EndpointSlice', 'addressType');
export const endpointslices = define({
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true,
  schemaName: 'io.k8s.api.discovery.v1.EndpointSlice',
  table: endpointSliceTable,
  hasGeneration: true,
  defaults(obj) {
    for (const p of asArray(obj.ports)) { const o = asObj(p); if (typeof p === 'object' && !o.protocol) o.protocol = 'TCP'; if (typeof p === 'object' && o.name === undefined) o.name = ''; }
  },
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    const at = obj.addressType;
    if (!at) errs.push(required('addressType'));
    else if (!ADDRESS_TYPES.includes(String(at))) errs.push(notSupported('addressType', at, ADDRESS_TYPES));
    if (old && old.addressType !== at) errs.push(invalid('addressType', at, 'field is immutable'));
    const eps = asArray(obj.endpoints);
    if (eps.length > 1000) errs.push({ type: 'FieldValueTooMany', field: 'endpoints', message: `Too many: ${eps.length}: must have at most 1000 items` });
    for (const [i, e0] of eps.entries()) {
      const e = asObj(e0);
      const ep = index('endpoints', i);
      const addrs = asArray(e.addresses);
      if (addrs.length === 0) errs.push(required(child(ep, 'addresses'), 'must contain at least 1 address'));
      for (const [j, a] of addrs.entries()) {
        if ((at === 'IPv4' || at === 'IPv6') && (typeof a !== 'string' || !isValidIP(a))) errs.push(invalid(index(child(ep, 'addresses'), j), a, 'must be a valid IP address'));
      }
      if (e.hostname) for (const m of isDNS1123Label(String(e.hostname))) errs.push(invalid(child(ep, 'hostname'), e.hostname, m));
    }
    const names = new Set<string>();
    for (const [i, p] of asArray(obj.ports).entries()) errs.push(...validatePort(asObj(p), index('ports', i), names, false, true));
    return errs;
  },
});
