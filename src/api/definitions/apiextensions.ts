/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition, with upstream's protobuf field numbers
 * (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/generated.proto). JSON and the JSONSchemaProps unions
 * (OrArray, OrBool, OrStringArray) are untyped in OpenAPI, as upstream publishes them: any JSON; protobuf carries
 * them as small messages of their own (`special`).
 */
import type { Schema } from '../schema.ts';
import { arr, atomicList, bool, bytes, enumStr, int32, int64, keyedList, kind, listKind, map, num, obj, ref, str, strList, time } from './builders.ts';

export const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
const a = (n: string, d?: string, extra: Partial<Schema> = {}) => ref(APIEXT + n, d, extra);
const special = (description: string, kind: NonNullable<NonNullable<Schema['x-kubelite-protobuf']>['special']>): Schema =>
  ({ description, 'x-kubelite-protobuf': { special: kind } });

const PROPS = APIEXT + 'JSONSchemaProps';
const props = (d?: string) => a('JSONSchemaProps', d);

export const apiextensionsDefinitions: Record<string, Schema> = {
  [APIEXT + 'JSON']: special('JSON represents any valid JSON value. These types are supported: bool, int64, float64, string, []interface{}, map[string]interface{} and nil.', 'json'),
  [APIEXT + 'JSONSchemaPropsOrArray']: special('JSONSchemaPropsOrArray represents a value that can either be a JSONSchemaProps or an array of JSONSchemaProps. Mainly here for serialization purposes.', 'jsonSchemaPropsOrArray'),
  [APIEXT + 'JSONSchemaPropsOrBool']: special('JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. Defaults to true for the boolean property.', 'jsonSchemaPropsOrBool'),
  [APIEXT + 'JSONSchemaPropsOrStringArray']: special('JSONSchemaPropsOrStringArray represents a JSONSchemaProps or a string array.', 'jsonSchemaPropsOrStringArray'),
  [APIEXT + 'ExternalDocumentation']: obj('ExternalDocumentation allows referencing an external resource for extended documentation.', {
    description: str(), url: str(),
  }, { proto: 'description=1 url=2' }),
  [APIEXT + 'ValidationRule']: obj('ValidationRule describes a validation rule written in the CEL expression language.', {
    fieldPath: str('fieldPath represents the field path returned when the validation fails. It must be a relative JSON path (i.e. with array notation) scoped to the location of this x-kubernetes-validations extension in the schema and refer to an existing field.'),
    message: str('Message represents the message displayed when validation fails. The message is required if the Rule contains line breaks. The message must not contain line breaks. If unset, the message is "failed rule: {Rule}". e.g. "must be a URL with the host matching spec.host"'),
    messageExpression: str('MessageExpression declares a CEL expression that evaluates to the validation failure message that is returned when this rule fails. Since messageExpression is used as a failure message, it must evaluate to a string.'),
    optionalOldSelf: bool('optionalOldSelf is used to opt a transition rule into evaluation even when the object is first created, or if the old object is missing the value.'),
    reason: enumStr(['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'], 'reason provides a machine-readable validation failure reason that is returned to the caller when a request fails this validation rule. If not set, default to use "FieldValueInvalid".'),
    rule: str('Rule represents the expression which will be evaluated by CEL. ref: https://github.com/google/cel-spec The Rule is scoped to the location of the x-kubernetes-validations extension in the schema. The `self` variable in the CEL expression is bound to the scoped value.', { default: '' }),
  }, { required: ['rule'], proto: 'rule=1 message=2 messageExpression=3 reason=4? fieldPath=5 optionalOldSelf=6?' }),
  [PROPS]: obj('JSONSchemaProps is a JSON-Schema following Specification Draft 4 (http://json-schema.org/).', {
    $ref: str(), $schema: str(),
    additionalItems: a('JSONSchemaPropsOrBool'),
    additionalProperties: a('JSONSchemaPropsOrBool'),
    allOf: atomicList(props(), undefined),
    anyOf: atomicList(props(), undefined),
    default: a('JSON', 'default is a default value for undefined object fields. Defaulting is a beta feature under the CustomResourceDefaulting feature gate. Defaulting requires spec.preserveUnknownFields to be false.'),
    definitions: map(undefined, props()),
    dependencies: map(undefined, a('JSONSchemaPropsOrStringArray')),
    description: str(),
    enum: atomicList(a('JSON'), undefined),
    example: a('JSON'),
    exclusiveMaximum: bool(), exclusiveMinimum: bool(),
    externalDocs: a('ExternalDocumentation'),
    format: str('format is an OpenAPI v3 format string. Unknown formats are ignored. The following formats are validated: bsonobjectid, uri, email, hostname, ipv4, ipv6, cidr, mac, uuid, uuid3, uuid4, uuid5, isbn, isbn10, isbn13, creditcard, ssn, hexcolor, rgbcolor, byte, password, date, duration, datetime.'),
    id: str(),
    items: a('JSONSchemaPropsOrArray'),
    maxItems: int64(), maxLength: int64(), maxProperties: int64(), maximum: num(),
    minItems: int64(), minLength: int64(), minProperties: int64(), minimum: num(),
    multipleOf: num(),
    not: props(),
    nullable: bool(),
    oneOf: atomicList(props(), undefined),
    pattern: str(),
    patternProperties: map(undefined, props()),
    properties: map(undefined, props()),
    required: strList(),
    title: str(),
    type: str(),
    uniqueItems: bool(),
    'x-kubernetes-embedded-resource': bool('x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta. The type must be object. It is allowed to further restrict the embedded object. kind, apiVersion and metadata are validated automatically. x-kubernetes-preserve-unknown-fields is allowed to be true, but does not have to be if the object is fully specified (up to kind, apiVersion, metadata).'),
    'x-kubernetes-int-or-string': bool('x-kubernetes-int-or-string specifies that this value is either an integer or a string. If this is true, an empty type is allowed and type as child of anyOf is permitted if following one of the following patterns:\n\n1) anyOf:\n   - type: integer\n   - type: string\n2) allOf:\n   - anyOf:\n     - type: integer\n     - type: string\n   - ... zero or more'),
    'x-kubernetes-list-map-keys': atomicList({ type: 'string', default: '' }, 'x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.'),
    'x-kubernetes-list-type': str('x-kubernetes-list-type annotates an array to further describe its topology. This extension must only be used on lists and may have 3 possible values: `atomic`, `set` and `map`. Defaults to atomic for arrays.'),
    'x-kubernetes-map-type': str('x-kubernetes-map-type annotates an object to further describe its topology. This extension must only be used when type is object and may have 2 possible values: `granular` and `atomic`.'),
    'x-kubernetes-preserve-unknown-fields': bool('x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema. This affects fields recursively, but switches back to normal pruning behaviour if nested properties or additionalProperties are specified in the schema. This can either be true or undefined. False is forbidden.'),
    'x-kubernetes-validations': keyedList(a('ValidationRule', undefined, { default: {} }), 'rule', 'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.'),
  }, {
    proto: 'id=1 $schema=2 $ref=3? description=4 type=5 format=6 title=7 default=8? maximum=9? exclusiveMaximum=10 minimum=11? exclusiveMinimum=12 ' +
      'maxLength=13? minLength=14? pattern=15 maxItems=16? minItems=17? uniqueItems=18 multipleOf=19? enum=20 maxProperties=21? minProperties=22? required=23 ' +
      'items=24? allOf=25 oneOf=26 anyOf=27 not=28? properties=29 additionalProperties=30? patternProperties=31 dependencies=32 additionalItems=33? definitions=34 ' +
      'externalDocs=35? example=36? nullable=37 x-kubernetes-preserve-unknown-fields=38? x-kubernetes-embedded-resource=39 x-kubernetes-int-or-string=40 ' +
      'x-kubernetes-list-map-keys=41 x-kubernetes-list-type=42? x-kubernetes-map-type=43? x-kubernetes-validations=44',
  }),
  [APIEXT + 'CustomResourceValidation']: obj('CustomResourceValidation is a list of validation methods for CustomResources.', {
    openAPIV3Schema: props('openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.'),
  }, { proto: 'openAPIV3Schema=1' }),
  [APIEXT + 'CustomResourceSubresourceStatus']: obj('CustomResourceSubresourceStatus defines how to serve the status subresource for CustomResources. Status is represented by the `.status` JSON path inside of a CustomResource. When set, * exposes a /status subresource for the custom resource * PUT requests to the /status subresource take a custom resource object, and ignore changes to anything except the status stanza * PUT/POST/PATCH requests to the custom resource ignore changes to the status stanza', {}, { proto: '' }),
  [APIEXT + 'CustomResourceSubresourceScale']: obj('CustomResourceSubresourceScale defines how to serve the scale subresource for CustomResources.', {
    labelSelectorPath: str('labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.status` or `.spec`. Must be set to work with HorizontalPodAutoscaler. The field pointed by this JSON path must be a string field (not a complex selector struct) which contains a serialized label selector in string form.'),
    specReplicasPath: str('specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.spec`. If there is no value under the given path in the custom resource, the `/scale` subresource will return an error on GET.', { default: '' }),
    statusReplicasPath: str('statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.status`. If there is no value under the given path in the custom resource, the `status.replicas` value in the `/scale` subresource will default to 0.', { default: '' }),
  }, { required: ['specReplicasPath', 'statusReplicasPath'], proto: 'specReplicasPath=1 statusReplicasPath=2 labelSelectorPath=3?' }),
  [APIEXT + 'CustomResourceSubresources']: obj('CustomResourceSubresources defines the status and scale subresources for CustomResources.', {
    scale: a('CustomResourceSubresourceScale', 'scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.'),
    status: a('CustomResourceSubresourceStatus', 'status indicates the custom resource should serve a `/status` subresource. When enabled: 1. requests to the custom resource primary endpoint ignore changes to the `status` stanza of the object. 2. requests to the custom resource `/status` subresource ignore changes to anything other than the `status` stanza of the object.'),
  }, { proto: 'status=1? scale=2?' }),
  [APIEXT + 'CustomResourceColumnDefinition']: obj('CustomResourceColumnDefinition specifies a column for server side printing.', {
    description: str('description is a human readable description of this column.'),
    format: str("format is an optional OpenAPI type definition for this column. The 'name' format is applied to the primary identifier column to assist in clients identifying column is the resource name. See https://github.com/OAI/OpenAPI-Specification/blob/master/versions/2.0.md#data-types for details."),
    jsonPath: str('jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column.', { default: '' }),
    name: str('name is a human readable name for the column.', { default: '' }),
    priority: int32('priority is an integer defining the relative importance of this column compared to others. Lower numbers are considered higher priority. Columns that may be omitted in limited space scenarios should be given a priority greater than 0.'),
    type: str('type is an OpenAPI type definition for this column. See https://github.com/OAI/OpenAPI-Specification/blob/master/versions/2.0.md#data-types for details.', { default: '' }),
  }, { required: ['name', 'type', 'jsonPath'], proto: 'name=1 type=2 format=3 description=4 priority=5 jsonPath=6' }),
  [APIEXT + 'SelectableField']: obj('SelectableField specifies the JSON path of a field that may be used with field selectors.', {
    jsonPath: str('jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field selector value. Only JSON paths without the array notation are allowed. Must point to a field of type string, boolean or integer. Types with enum values and strings with formats are allowed. If jsonPath refers to absent field in a resource, the jsonPath evaluates to an empty string. Must not point to metdata fields. Required.', { default: '' }),
  }, { required: ['jsonPath'], proto: 'jsonPath=1' }),
  [APIEXT + 'CustomResourceDefinitionVersion']: obj('CustomResourceDefinitionVersion describes a version for CRD.', {
    additionalPrinterColumns: atomicList(a('CustomResourceColumnDefinition', undefined, { default: {} }), 'additionalPrinterColumns specifies additional columns returned in Table output. See https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables for details. If no columns are specified, a single column displaying the age of the custom resource is used.'),
    deprecated: bool('deprecated indicates this version of the custom resource API is deprecated. When set to true, API requests to this version receive a warning header in the server response. Defaults to false.'),
    deprecationWarning: str('deprecationWarning overrides the default warning returned to API clients. May only be set when `deprecated` is true. The default warning indicates this version is deprecated and recommends use of the newest served version of equal or greater stability, if one exists.'),
    name: str('name is the version name, e.g. “v1”, “v2beta1”, etc. The custom resources are served under this version at `/apis/<group>/<version>/...` if `served` is true.', { default: '' }),
    schema: a('CustomResourceValidation', 'schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.'),
    selectableFields: atomicList(a('SelectableField', undefined, { default: {} }), 'selectableFields specifies paths to fields that may be used as field selectors. A maximum of 8 selectable fields are allowed. See https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors'),
    served: bool('served is a flag enabling/disabling this version from being served via REST APIs', { default: false }),
    storage: bool('storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true.', { default: false }),
    subresources: a('CustomResourceSubresources', 'subresources specify what subresources this version of the defined custom resource have.'),
  }, { required: ['name', 'served', 'storage'], proto: 'name=1 served=2 storage=3 deprecated=7 deprecationWarning=8? schema=4 subresources=5 additionalPrinterColumns=6 selectableFields=9' }),
  [APIEXT + 'CustomResourceDefinitionNames']: obj('CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition', {
    categories: strList("categories is a list of grouped resources this custom resource belongs to (e.g. 'all'). This is published in API discovery documents, and used by clients to support invocations like `kubectl get all`."),
    kind: str('kind is the serialized kind of the resource. It is normally CamelCase and singular. Custom resource instances will use this value as the `kind` attribute in API calls.', { default: '' }),
    listKind: str('listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".'),
    plural: str('plural is the plural name of the resource to serve. The custom resources are served under `/apis/<group>/<version>/.../<plural>`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`). Must be all lowercase.', { default: '' }),
    shortNames: strList('shortNames are short names for the resource, exposed in API discovery documents, and used by clients to support invocations like `kubectl get <shortname>`. It must be all lowercase.'),
    singular: str('singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`.'),
  }, { required: ['plural', 'kind'], proto: 'plural=1 singular=2 shortNames=3 kind=4 listKind=5 categories=6' }),
  [APIEXT + 'ServiceReference']: obj('ServiceReference holds a reference to Service.legacy.k8s.io', {
    name: str('name is the name of the service. Required', { default: '' }),
    namespace: str('namespace is the namespace of the service. Required', { default: '' }),
    path: str('path is an optional URL path at which the webhook will be contacted.'),
    port: int32('port is an optional service port at which the webhook will be contacted. `port` should be a valid port number (1-65535, inclusive). Defaults to 443 for backward compatibility.'),
  }, { required: ['namespace', 'name'], proto: 'namespace=1 name=2 path=3? port=4?' }),
  [APIEXT + 'WebhookClientConfig']: obj('WebhookClientConfig contains the information to make a TLS connection with the webhook.', {
    caBundle: bytes("caBundle is a PEM encoded CA bundle which will be used to validate the webhook's server certificate. If unspecified, system trust roots on the apiserver are used."),
    service: a('ServiceReference', 'service is a reference to the service for this webhook. Either service or url must be specified.'),
    url: str('url gives the location of the webhook, in standard URL form (`scheme://host:port/path`). Exactly one of `url` or `service` must be specified.'),
  }, { proto: 'url=3? service=1 caBundle=2' }),
  [APIEXT + 'WebhookConversion']: obj('WebhookConversion describes how to call a conversion webhook', {
    clientConfig: a('WebhookClientConfig', 'clientConfig is the instructions for how to call the webhook if strategy is `Webhook`.'),
    conversionReviewVersions: strList('conversionReviewVersions is an ordered list of preferred `ConversionReview` versions the Webhook expects. The API server will use the first version in the list which it supports.'),
  }, { required: ['conversionReviewVersions'], proto: 'clientConfig=2 conversionReviewVersions=3' }),
  [APIEXT + 'CustomResourceConversion']: obj('CustomResourceConversion describes how to convert different versions of a CR.', {
    strategy: enumStr(['None', 'Webhook'], 'strategy specifies how custom resources are converted between versions. Allowed values are: - `"None"`: The converter only change the apiVersion and would not touch any other field in the custom resource. - `"Webhook"`: API Server will call to an external webhook to do the conversion. Additional information\n  is needed for this option. This requires spec.preserveUnknownFields to be false, and spec.conversion.webhook to be set.', { default: '' }),
    webhook: a('WebhookConversion', 'webhook describes how to call the conversion webhook. Required when `strategy` is set to `"Webhook"`.'),
  }, { required: ['strategy'], proto: 'strategy=1 webhook=2' }),
  [APIEXT + 'CustomResourceDefinitionSpec']: obj('CustomResourceDefinitionSpec describes how a user wants their resource to appear', {
    conversion: a('CustomResourceConversion', 'conversion defines conversion settings for the CRD.'),
    group: str('group is the API group of the defined custom resource. The custom resources are served under `/apis/<group>/...`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`).', { default: '' }),
    names: a('CustomResourceDefinitionNames', 'names specify the resource and kind names for the custom resource.', { default: {} }),
    preserveUnknownFields: bool('preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage. apiVersion, kind, metadata and known fields inside metadata are always preserved. This field is deprecated in favor of setting `x-preserve-unknown-fields` to true in `spec.versions[*].schema.openAPIV3Schema`. See https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning for details.'),
    scope: enumStr(['Cluster', 'Namespaced'], 'scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.', { default: '' }),
    versions: atomicList(a('CustomResourceDefinitionVersion', undefined, { default: {} }), 'versions is the list of all API versions of the defined custom resource. Version names are used to compute the order in which served versions are listed in API discovery. If the version string is "kube-like", it will sort above non "kube-like" version strings, which are ordered lexicographically. "Kube-like" versions start with a "v", then are followed by a number (the major version), then optionally the string "alpha" or "beta" and another number (the minor version). These are sorted first by GA > beta > alpha (where GA is a version with no suffix such as beta or alpha), and then by comparing major version, then minor version. An example sorted list of versions: v10, v2, v1, v11beta2, v10beta3, v3beta1, v12alpha1, v11alpha2, foo1, foo10.'),
  }, { required: ['group', 'names', 'scope', 'versions'], proto: 'group=1 names=3 scope=4 versions=7 conversion=9 preserveUnknownFields=10' }),
  [APIEXT + 'CustomResourceDefinitionCondition']: obj('CustomResourceDefinitionCondition contains details for the current condition of this pod.', {
    lastTransitionTime: time('lastTransitionTime last time the condition transitioned from one status to another.'),
    message: str('message is a human-readable message indicating details about last transition.'),
    reason: str('reason is a unique, one-word, CamelCase reason for the condition\'s last transition.'),
    status: str('status is the status of the condition. Can be True, False, Unknown.', { default: '' }),
    type: str('type is the type of the condition. Types include Established, NamesAccepted and Terminating.', { default: '' }),
  }, { required: ['type', 'status'], proto: 'type=1 status=2 lastTransitionTime=3 reason=4 message=5' }),
  [APIEXT + 'CustomResourceDefinitionStatus']: obj('CustomResourceDefinitionStatus indicates the state of the CustomResourceDefinition', {
    acceptedNames: a('CustomResourceDefinitionNames', 'acceptedNames are the names that are actually being used to serve discovery. They may be different than the names in spec.', { default: {} }),
    conditions: arr(a('CustomResourceDefinitionCondition', undefined, { default: {} }), 'conditions indicate state for particular aspects of a CustomResourceDefinition', { listType: 'map', mapKeys: ['type'] }),
    storedVersions: strList('storedVersions lists all versions of CustomResources that were ever persisted. Tracking these versions allows a migration path for stored versions in etcd. The field is mutable so a migration controller can finish a migration to another version (ensuring no old objects are left in storage), and then remove the rest of the versions from this list. Versions may not be removed from `spec.versions` while they exist in this list.'),
  }, { proto: 'conditions=1 acceptedNames=2 storedVersions=3' }),
  [APIEXT + 'CustomResourceDefinition']: kind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.', {
    spec: a('CustomResourceDefinitionSpec', 'spec describes how the user wants the resources to appear', { default: {} }),
    status: a('CustomResourceDefinitionStatus', 'status indicates the actual state of the CustomResourceDefinition', { default: {} }),
  }, { required: ['spec'], proto: 'spec=2 status=3' }),
  [APIEXT + 'CustomResourceDefinitionList']: listKind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinitionList', APIEXT + 'CustomResourceDefinition', 'CustomResourceDefinitionList is a list of CustomResourceDefinition objects.'),
};
