/**
 * Validating admission (upstream k8s.io/apiserver/pkg/admission ValidationInterface): plugins that see every
 * write after defaulting and validation, before it is stored — dry runs included — and may refuse it with a
 * StatusError (upstream admission.NewForbidden: 403 `<resource> "<name>" is forbidden: <why>`). The registry
 * runs them on create, update (whole object or a subresource, with the old object) and delete; subresource
 * handlers that write through other paths (pods/eviction, serviceaccounts/token) call `registry.admit` with
 * their own object. Plugins read current objects with the registry's get.
 */
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import type { UserInfo } from './auth.ts';
import { StatusError } from '../api/errors.ts';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  def: Pick<ResourceDef, 'group' | 'plural' | 'kind'>;
  namespace?: string;
  /** The object's name (for a create, the new object's). */
  name: string;
  subresource?: string;
  /** The object being written (CREATE/UPDATE; for subresources such as eviction, the request's object). */
  object?: KubeObject;
  /** The stored object (UPDATE/DELETE). */
  oldObject?: KubeObject;
  user: UserInfo;
}

export interface ObjectGetter {
  get(def: ResourceDef, namespace: string | undefined, name: string): Promise<KubeObject>;
}

export interface ValidatingAdmission {
  validate(a: AdmissionAttributes, objects: ObjectGetter): void | Promise<void>;
}

/** upstream admission.NewForbidden. */
export function admissionForbidden(a: Pick<AdmissionAttributes, 'def' | 'name'>, why: string): StatusError {
  const gr = a.def.group ? `${a.def.plural}.${a.def.group}` : a.def.plural;
  return new StatusError(403, 'Forbidden', `${gr} "${a.name}" is forbidden: ${why}`, { name: a.name || undefined, group: a.def.group || undefined, kind: a.def.plural });
}
