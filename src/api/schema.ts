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
  /** JSON Schema value validations: what CustomResourceDefinition schemas use (src/api/crd). */
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  title?: string;
  example?: unknown;
  externalDocs?: { description?: string; url?: string };
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
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
  /** kubelite-only (not served in /openapi): how upstream's protobuf encodes this object. See ProtobufAnnotation. */
  'x-kubelite-protobuf'?: ProtobufAnnotation;
}

/**
 * Protobuf facts of one object schema, as upstream's generated.proto files assign them (k8s.io/api,
 * k8s.io/apimachinery). src/api/protobuf.ts decodes request bodies from these, and nothing else.
 */
export interface ProtobufAnnotation {
  /** Property → field number. More than one number: the property belongs to a Go embedded (`json:",inline"`)
   *  struct that protobuf nests as its own message, e.g. Volume.hostPath is field 1 of VolumeSource, field 2. */
  fields?: Record<string, ProtobufField>;
  /** Properties upstream's protobuf message does not carry, each with the reason. */
  absent?: Record<string, string>;
  /** A type protobuf encodes as its own small message but JSON as a scalar (or raw JSON). */
  special?: 'time' | 'microTime' | 'intOrString' | 'quantity' | 'fieldsV1' | 'duration'
    // apiextensions' JSON (raw bytes) and the JSONSchemaProps unions (a schema, or an array / bool / string list)
    | 'json' | 'jsonSchemaPropsOrArray' | 'jsonSchemaPropsOrBool' | 'jsonSchemaPropsOrStringArray';
  /** On a kind no client sends as protobuf (a custom resource upstream), with the reason. */
  notCarried?: string;
}
export interface ProtobufField {
  path: number[];
  /** A Go pointer (or a field without omitempty): present on the wire means present in JSON, even when zero. */
  keepZero?: boolean;
}
