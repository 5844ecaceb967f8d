/**
 * The one schema source per kind: an OpenAPI v3 (JSON Schema subset) description with the Kubernetes
 * extensions. From it derive: unknown-field detection (fieldValidation Strict/Warn), the /openapi/v3 documents,
 * strategic-merge-patch merge keys/strategies, server-side-apply list types, and `kubectl explain`.
 *
 * Named types are referenced as `{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }`
 * and registered in the definitions table (see src/api/definitions*.ts).
 */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string; // int32, int64, date-time, int-or-string, byte, double
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  default?: unknown;
  $ref?: string;
  allOf?: Schema[];
  /** Free-form object whose content is not checked (e.g. RawExtension, managedFields.fieldsV1). */
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  /** Strategic merge patch */
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string; // 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace'
  /** Server-side apply */
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}
