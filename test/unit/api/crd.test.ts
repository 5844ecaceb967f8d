// The pure parts of custom resources: structural-schema rules (upstream's schema/validation_test.go cases),
// value validation, defaulting, the JSONPath subset of printer columns, and discovery's version order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateStructural, validateOpenAPISchema } from '../../../src/api/crd/structural.ts';
import { validateCustomResource } from '../../../src/api/crd/validate.ts';
import { applyDefaults, publishedSchema } from '../../../src/api/crd/schema.ts';
import { evaluate, parseJsonPath } from '../../../src/api/crd/jsonpath.ts';
import { compareKubeAwareVersion } from '../../../src/api/crd/versions.ts';
import { printerTable } from '../../../src/api/crd/resource.ts';
import { findUnknownFields, pruneUnknownFields } from '../../../src/api/schema-walk.ts';
import { setCustomDefinition } from '../../../src/api/definitions/index.ts';

const texts = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);

test('structural: the int-or-string patterns are the only typed junctors allowed', () => {
  const ok = { type: 'object', properties: {
    a: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
    b: { 'x-kubernetes-int-or-string': true, allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { pattern: '^\\d+%?$' }] },
    c: { 'x-kubernetes-preserve-unknown-fields': true },
  } };
  assert.deepEqual(validateStructural(ok, 'p'), []);
  const bad = { type: 'object', properties: {
    a: { type: 'string', anyOf: [{ type: 'integer' }, { type: 'boolean' }] }, // not the int-or-string pattern
    d: { type: 'object', allOf: [{ description: 'x', nullable: true, default: {}, properties: { metadata: {} } }] },
  } };
  assert.deepEqual(texts(validateStructural(bad, 'p')), [
    'p.properties[a].anyOf[0].type: Forbidden: must be empty to be structural',
    'p.properties[a].anyOf[1].type: Forbidden: must be empty to be structural',
    'p.properties[d].allOf[0].default: Forbidden: must be undefined to be structural',
    'p.properties[d].allOf[0].description: Forbidden: must be empty to be structural',
    'p.properties[d].allOf[0].nullable: Forbidden: must be false to be structural',
    'p.properties[d].allOf[0].properties[metadata]: Forbidden: must not be specified in a nested context',
  ]);
});

test('structural: root type, array items, embedded resources, metadata restrictions', () => {
  assert.deepEqual(texts(validateStructural({ type: 'string' }, 'p')), ['p.type: Invalid value: "string": must be object at the root']);
  assert.deepEqual(texts(validateStructural({}, 'p')), ['p.type: Required value: must not be empty at the root']);
  assert.deepEqual(texts(validateStructural({ type: 'object', properties: { l: { type: 'array', items: {} } } }, 'p')), ['p.properties[l].items.type: Required value: must not be empty for specified array items']);
  assert.deepEqual(texts(validateStructural({ type: 'object', properties: { e: { type: 'string', 'x-kubernetes-embedded-resource': true } } }, 'p')), [
    'p.properties[e].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
    'p.properties[e].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true',
  ]);
  assert.deepEqual(validateStructural({ type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } } } }, 'p'), []);
  assert.deepEqual(texts(validateStructural({ type: 'object', properties: { kind: { type: 'integer' } } }, 'p')), ['p.properties[kind].type: Invalid value: "integer": must be string']);
});

test('the OpenAPI subset CRDs allow', () => {
  assert.deepEqual(texts(validateOpenAPISchema({ type: 'object', $ref: '#/x', uniqueItems: true, items: [{}], 'x-kubernetes-preserve-unknown-fields': false, properties: { n: { type: 'null' } } }, 'p')), [
    'p.$ref: Forbidden: $ref is not supported',
    'p.items: Forbidden: items must be a schema object and not an array',
    'p.uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
    'p.x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined',
    'p.properties[n].type: Forbidden: type cannot be set to null',
  ]);
  assert.deepEqual(texts(validateOpenAPISchema({ type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'map' }, 'p')), [
    'p.x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map',
  ]);
});

test('value validation: formats, exclusive bounds, multipleOf, nullable, list-type map keys, oneOf/not', () => {
  const schema = { type: 'object', properties: { spec: { type: 'object', properties: {
    when: { type: 'string', format: 'date-time' },
    ip: { type: 'string', format: 'ipv4' },
    pct: { type: 'number', minimum: 0, exclusiveMinimum: true, multipleOf: 0.5 },
    maybe: { type: 'string', nullable: true },
    never: { type: 'string' },
    ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } },
    choice: { type: 'string', oneOf: [{ pattern: '^a' }, { pattern: 'b$' }] },
    other: { type: 'string', not: { enum: ['forbidden'] } },
  } } } };
  const errs = validateCustomResource({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n' }, spec: {
    when: 'yesterday', ip: '300.1.1.1', pct: 0, maybe: null, never: null, ports: [{ name: 'http' }, { name: 'http' }], choice: 'ab', other: 'forbidden',
  } }, schema);
  assert.deepEqual(texts(errs), [
    'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
    'spec.ip: Invalid value: "300.1.1.1": spec.ip in body must be of type ipv4: "300.1.1.1"',
    'spec.pct: Invalid value: 0: spec.pct in body should be greater than 0',
    'spec.never: Invalid value: "null": spec.never in body must be of type string: "null"',
    'spec.ports[1]: Duplicate value: map[string]string{"name":"http"}',
    'spec.choice: Invalid value: "ab": spec.choice in body must validate one and only one schema (oneOf)',
    'spec.other: Invalid value: "forbidden": spec.other in body must not validate the schema (not)',
  ]);
});

test('defaulting: missing properties and non-nullable nulls get their default; absent parents are not made up', () => {
  const schema = { type: 'object', properties: {
    spec: { type: 'object', default: {}, properties: { replicas: { type: 'integer', default: 1 }, mode: { type: 'string', default: 'auto' } } },
    extra: { type: 'object', properties: { x: { type: 'string', default: 'x' } } },
    list: { type: 'array', items: { type: 'object', properties: { w: { type: 'integer', default: 5 } } } },
  } };
  const a: Record<string, unknown> = { list: [{}, { w: 2 }] };
  applyDefaults(a, schema);
  assert.deepEqual(a, { list: [{ w: 5 }, { w: 2 }], spec: { replicas: 1, mode: 'auto' } });
  const b: Record<string, unknown> = { spec: { replicas: null, mode: 'manual' } };
  applyDefaults(b, schema);
  assert.deepEqual(b, { spec: { replicas: 1, mode: 'manual' } });
});

test('pruning: unknown fields go, except under preserve-unknown-fields; an object naming no properties holds none', () => {
  setCustomDefinition('com.example.test.v1.Thing', publishedSchema({ type: 'object', properties: {
    spec: { type: 'object', properties: { keep: { type: 'string' }, open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { typed: { type: 'object', properties: { a: { type: 'string' } } } } }, closed: { type: 'object' } } },
  } }, 'test.example.com', 'v1', 'Thing'));
  try {
    const obj = { apiVersion: 'test.example.com/v1', kind: 'Thing', metadata: { name: 'n', bogusMeta: 1 }, spec: { keep: 'k', drop: 1, open: { free: 1, typed: { a: 'a', b: 'b' } }, closed: { x: 1 } }, top: 1 };
    assert.deepEqual(findUnknownFields(obj, 'com.example.test.v1.Thing').sort(), ['metadata.bogusMeta', 'spec.closed.x', 'spec.drop', 'spec.open.typed.b', 'top']);
    pruneUnknownFields(obj, 'com.example.test.v1.Thing');
    assert.deepEqual(obj, { apiVersion: 'test.example.com/v1', kind: 'Thing', metadata: { name: 'n' }, spec: { keep: 'k', open: { free: 1, typed: { a: 'a' } }, closed: {} } });
  } finally {
    setCustomDefinition('com.example.test.v1.Thing', undefined);
  }
});

test('printer columns: simple paths, indexes, filters; types as cells; AGE by default', () => {
  const obj = { metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { n: 3.7, tags: ['a', 'b'], 'dotted.key': 'd' },
    status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True' }] } };
  assert.deepEqual(evaluate(parseJsonPath('.status.conditions[?(@.type=="Ready")].status'), obj), ['True']);
  assert.deepEqual(evaluate(parseJsonPath('{.spec.tags[1]}'), obj), ['b']);
  assert.deepEqual(evaluate(parseJsonPath(".spec['dotted.key']"), obj), ['d']);
  assert.deepEqual(evaluate(parseJsonPath('.spec.tags[*]'), obj), ['a', 'b']);
  assert.deepEqual(evaluate(parseJsonPath('.spec.missing.deeper'), obj), []);
  assert.throws(() => parseJsonPath('.spec..x'), /unrecognized character/);
  const t = printerTable([
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'N', type: 'integer', jsonPath: '.spec.n' },
    { name: 'Tags', type: 'string', jsonPath: '.spec.tags' },
    { name: 'Missing', type: 'string', jsonPath: '.spec.nope' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ]);
  assert.deepEqual(t.row(obj, Date.parse('2026-01-01T00:05:00Z')), ['x', 'True', 3, '["a","b"]', null, '5m']);
  assert.deepEqual(printerTable(undefined).columns.map((c) => c.name), ['Name', 'Age']);
});

test('kube-aware version order (upstream\'s example list)', () => {
  const sorted = ['foo10', 'v11alpha2', 'v1', 'v3beta1', 'v10', 'foo1', 'v12alpha1', 'v2', 'v10beta3', 'v11beta2'].sort(compareKubeAwareVersion);
  assert.deepEqual(sorted, ['v10', 'v2', 'v1', 'v11beta2', 'v10beta3', 'v3beta1', 'v12alpha1', 'v11alpha2', 'foo1', 'foo10']);
});
