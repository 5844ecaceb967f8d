/** core/v1 configmaps and secrets (upstream ValidateConfigMap / ValidateSecret and their strategies). */
import { asObj, deepEqual, forbidden, invalid, isObj, key, required } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { isConfigMapKey } from '../validation/names.ts';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../resource.ts';
import { define, str } from './common.ts';
import { configMapTable, secretTable } from '../tables/cluster.ts';

type Obj = Record<string, unknown>;
const MAX_SIZE = 1024 * 1024;

function validateKeys(data: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(asObj(data))) for (const m of isConfigMapKey(k)) errs.push(invalid(key(path, k), k, m));
  return errs;
}

export const configmaps = define({
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true,
  shortNames: ['cm'],
  schemaName: 'io.k8s.api.core.v1.ConfigMap',
  table: configMapTable,
  hasGeneration: false,
  defaults() {},
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    errs.push(...validateKeys(obj.data, 'data'), ...validateKeys(obj.binaryData, 'binaryData'));
    let size = 0;
    for (const [k, v] of Object.entries(asObj(obj.data))) {
      if (typeof v === 'string') size += v.length;
      if (Object.prototype.hasOwnProperty.call(asObj(obj.binaryData), k)) errs.push(invalid(key('binaryData', k), k, 'duplicate of key present in data'));
    }
    for (const v of Object.values(asObj(obj.binaryData))) if (typeof v === 'string') size += Math.floor(v.length * 3 / 4);
    if (size > MAX_SIZE) errs.push({ type: 'FieldValueTooLong', field: '', message: `Too long: may not be more than ${MAX_SIZE} bytes` });
    if (old && old.immutable === true) {
      if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (!deepEqual(obj.data ?? {}, old.data ?? {})) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
      if (!deepEqual(obj.binaryData ?? {}, old.binaryData ?? {})) errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
    }
    return errs;
  },
});

/** stringData is write-only: merged into data (base64) and dropped, as the upstream conversion does. */
function mergeStringData(obj: KubeObject): void {
  if (!isObj(obj.stringData)) { delete obj.stringData; return; }
  const data = (isObj(obj.data) ? obj.data : (obj.data = {})) as Obj;
  for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
  delete obj.stringData;
}

const SECRET_TYPE_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export const secrets = define({
  group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true,
  schemaName: 'io.k8s.api.core.v1.Secret',
  table: secretTable,
  fieldSelectors: {
    accepted: ['type', 'metadata.namespace', 'metadata.name'],
    fields: (s) => ({ type: str(s?.type) }),
  },
  hasGeneration: false,
  defaults(obj) {
    if (!obj.type) obj.type = 'Opaque';
    mergeStringData(obj);
  },
  validate(obj, old) {
    const errs = validateMeta(obj, old, true, nameIsDNSSubdomain);
    errs.push(...validateKeys(obj.data, 'data'));
    let size = 0;
    for (const v of Object.values(asObj(obj.data))) {
      if (typeof v !== 'string') continue;
      size += Math.floor(v.length * 3 / 4);
    }
    for (const [k, v] of Object.entries(asObj(obj.data))) {
      if (typeof v === 'string' && !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) errs.push(invalid(key('data', k), '<secret contents redacted>', 'illegal base64 data'));
    }
    if (size > MAX_SIZE) errs.push({ type: 'FieldValueTooLong', field: 'data', message: `Too long: may not be more than ${MAX_SIZE} bytes` });
    const type = String(obj.type ?? '');
    for (const k of SECRET_TYPE_KEYS[type] ?? []) if (!Object.prototype.hasOwnProperty.call(asObj(obj.data), k)) errs.push(required(key('data', k)));
    if (type === 'kubernetes.io/basic-auth' && !('username' in asObj(obj.data)) && !('password' in asObj(obj.data))) {
      errs.push(required(key('data', 'username')), required(key('data', 'password')));
    }
    if (type === 'kubernetes.io/ssh-auth' && !('ssh-privatekey' in asObj(obj.data))) errs.push(required(key('data', 'ssh-privatekey')));
    if (type === 'kubernetes.io/service-account-token' && !asObj(asObj(obj.metadata).annotations)['kubernetes.io/service-account.name']) {
      errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
    }
    if (old) {
      if (obj.type !== old.type) errs.push(invalid('type', obj.type, 'field is immutable'));
      if (old.immutable === true) {
        if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
        if (!deepEqual(obj.data ?? {}, old.data ?? {})) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
      }
    }
    return errs;
  },
});
