/**
 * Kubernetes API errors as metav1.Status. Every layer throws StatusError; the HTTP layer serialises it.
 * Message shapes follow upstream k8s.io/apimachinery/pkg/api/errors.
 */
export type CauseType =
  | 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueDuplicate'
  | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueNotFound'
  | 'FieldValueTypeInvalid' | 'FieldManagerConflict' | 'UnexpectedServerResponse';

/** A field error; `message` is the full upstream text, e.g. `Invalid value: "Foo": a lowercase RFC 1123 ...`. */
export interface FieldError {
  type: CauseType;
  field: string;
  message: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message: string; field?: string }[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(public code: number, public reason: string, message: string, public details?: StatusDetails) {
    super(message);
  }
  /** Keys in metav1.Status's field order (kind, apiVersion, metadata, status, message, reason, details, code), as
   * upstream serialises it: clients that print or compare the body byte for byte (the Python client's
   * FailToCreateError) see the same text. */
  toStatus(): Status {
    return {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason,
      ...(this.details ? { details: this.details } : {}), code: this.code,
    };
  }
}

/** "deployments.apps" or "pods" (core group has no suffix). */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(resource: string, group: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, { name, group: group || undefined, kind: resource });
}
/** Upstream's answer for a path no route serves (go-restful's 404 via NewGenericServerResponse): its details are
 * present and empty, `"details":{}` on the wire. */
export function resourceNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}
/** The 405 of a method no route of a served path takes (go-restful's, via NewGenericServerResponse: empty details). */
export function routeMethodNotAllowed(): StatusError {
  return new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}
export function alreadyExists(resource: string, group: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, { name, group: group || undefined, kind: resource });
}
export function conflict(resource: string, group: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`, { name, group: group || undefined, kind: resource });
}
/** 422: `The Deployment "bad" is invalid: spec.x: Invalid value: ...` (several errors joined in brackets, as upstream). */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): StatusError {
  const parts = errs.map((e) => `${e.field}: ${e.message}`);
  const agg = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${agg}`, {
    name, group: group || undefined, kind,
    causes: errs.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}
export function badRequest(message: string): StatusError { return new StatusError(400, 'BadRequest', message); }
export function expired(message: string): StatusError { return new StatusError(410, 'Expired', message); }
export function unsupportedMediaType(ct: string): StatusError { return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${ct})`); }
export function tooLarge(): StatusError { return new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'); }
export function unauthorized(): StatusError { return new StatusError(401, 'Unauthorized', 'Unauthorized'); }
/** upstream NewInternalError(err): the error's text again as the one cause. */
export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

