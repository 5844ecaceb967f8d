/**
 * Cases of upstream k8s.io/apimachinery/pkg/util/strategicpatch patch_test.go (custom and raw test cases:
 * original + patch → expected, and current + three-way patch → result), on a schema equivalent to its MergeItem.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategicMergePatchWithSchema } from '../../../src/api/patch/strategic.ts';
import { StatusError } from '../../../src/api/errors.ts';
import type { Schema } from '../../../src/api/schema.ts';

const ref = (name: string, extra: Partial<Schema> = {}): Schema => ({ $ref: name, ...extra });
const str: Schema = { type: 'string' };
const defs: Record<string, Schema> = {
  MergeItem: { type: 'object', properties: {
    name: str, value: str, other: str,
    mergingList: { type: 'array', items: ref('MergeItem'), 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
    nonMergingList: { type: 'array', items: ref('MergeItem') },
    mergingIntList: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-patch-strategy': 'merge' },
    nonMergingIntList: { type: 'array', items: { type: 'integer' } },
    mergeItemPtr: ref('MergeItem', { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' }),
    simpleMap: { type: 'object', additionalProperties: str },
    replacingItem: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-patch-strategy': 'replace' },
    retainKeysMap: ref('RetainKeysMergeItem', { 'x-kubernetes-patch-strategy': 'retainKeys' }),
    retainKeysMergingList: { type: 'array', items: ref('MergeItem'), 'x-kubernetes-patch-strategy': 'merge,retainKeys', 'x-kubernetes-patch-merge-key': 'name' },
  } },
  RetainKeysMergeItem: { type: 'object', properties: {
    name: str, value: str, other: str, simpleMap: { type: 'object', additionalProperties: str },
    mergingIntList: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-patch-strategy': 'merge' },
    mergingList: { type: 'array', items: ref('MergeItem'), 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
    nonMergingList: { type: 'array', items: ref('MergeItem') },
  } },
};
const resolve = (s: Schema | undefined): Schema | undefined => {
  if (!s?.$ref) return s;
  const { $ref, ...outer } = s;
  return { ...defs[$ref], ...outer };
};
const smp = (o: object, p: object) => strategicMergePatchWithSchema(o, p, defs.MergeItem, { resolve });

const cases: [string, object, object, object][] = [
  ['unique scalars when merging lists', { mergingIntList: [1, 2] }, { mergingIntList: [2, 3] }, { mergingIntList: [1, 2, 3] }],
  ['delete map from nested map', { simpleMap: { key1: 1, key2: 1 } }, { simpleMap: { $patch: 'delete' } }, { simpleMap: {} }],
  ['delete all items from merging list', { mergingList: [{ name: 1 }, { name: 2 }] }, { mergingList: [{ $patch: 'replace' }] }, { mergingList: [] }],
  ['merge empty merging lists', { mergingList: [] }, { mergingList: [] }, { mergingList: [] }],
  ['delete all keys from map', { name: 1, value: 1 }, { $patch: 'replace' }, {}],
  ['add key and delete all keys from map', { name: 1, value: 1 }, { other: 'a', $patch: 'replace' }, { other: 'a' }],
  ['de-duplicate entries in a merging list',
    { mergingList: [{ name: 1 }, { name: 1 }, { name: 2, value: 'a' }, { name: 3 }, { name: 3 }] },
    { mergingList: [{ name: 1, $patch: 'delete' }, { name: 3, $patch: 'delete' }] },
    { mergingList: [{ name: 1 }, { name: 2, value: 'a' }, { name: 3 }] }],
  ['delete all duplicate entries in a merging list',
    { mergingList: [{ name: 1 }, { name: 1 }, { name: 2, value: 'a' }, { name: 3 }, { name: 3 }] },
    { mergingList: [{ name: 1, $patch: 'delete' }, { name: 1, $patch: 'delete' }, { name: 3, $patch: 'delete' }, { name: 3, $patch: 'delete' }] },
    { mergingList: [{ name: 2, value: 'a' }] }],
  ['retainKeys map can add a field', { retainKeysMap: { name: 'foo' } }, { retainKeysMap: { value: 'bar' } }, { retainKeysMap: { name: 'foo', value: 'bar' } }],
  ['retainKeys map can change a field', { retainKeysMap: { name: 'foo', value: 'a' } }, { retainKeysMap: { value: 'b' } }, { retainKeysMap: { name: 'foo', value: 'b' } }],
  ['retainKeys map can delete a field', { retainKeysMap: { name: 'foo', value: 'a' } }, { retainKeysMap: { value: null } }, { retainKeysMap: { name: 'foo' } }],
  ['retainKeys map merge an empty map', { retainKeysMap: { name: 'foo', value: 'a' } }, { retainKeysMap: {} }, { retainKeysMap: { name: 'foo', value: 'a' } }],
  ['retainKeys list can add a field', { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo' }] }, { retainKeysMergingList: [{ name: 'foo', value: 'a' }] },
    { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] }],
  ['retainKeys list can delete a field', { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] }, { retainKeysMergingList: [{ name: 'foo', value: null }] },
    { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo' }] }],
  ['preserve the order from the patch in a merging list', { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
    { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, other: 'x' }] },
    { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, value: 'b', other: 'x' }] }],
  ['preserve the order from the patch in a merging list 2', { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
    { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }] },
    { mergingList: [{ name: 2, value: 'b' }, { name: 3, value: 'c' }, { name: 1, value: 'a' }] }],
  ['preserve the order from the patch in a merging int list', { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1, 2] }, { mergingIntList: [3, 1, 2] }],
  ['preserve the order from the patch in a merging int list 2', { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1] }, { mergingIntList: [2, 3, 1] }],
  ['$setElementOrder contains item that is not present in the list to be merged', { mergingList: [{ name: 1 }, { name: 3 }] },
    { '$setElementOrder/mergingList': [{ name: 3 }, { name: 2 }, { name: 1 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
    { mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] }],
  ['$setElementOrder contains item that is not present in the int list', { mergingIntList: [1, 3] }, { '$setElementOrder/mergingIntList': [3, 2, 1] }, { mergingIntList: [3, 1] }],
  ['add field and delete field from map', { name: 1, other: 'a' }, { name: null, value: 1 }, { value: 1, other: 'a' }],
  ['delete field from nested map', { simpleMap: { key1: 1, key2: 1, other: 'a' } }, { simpleMap: { key2: null } }, { simpleMap: { key1: 1, other: 'a' } }],
  ['replace list of scalars', { nonMergingIntList: [1, 4] }, { nonMergingIntList: [2, 3] }, { nonMergingIntList: [2, 3] }],
  ['delete all maps from merging list', { mergingList: [{ name: 1, other: 'a' }, { name: 2, other: 'b' }] },
    { mergingList: [{ name: 1, $patch: 'delete' }, { name: 2, $patch: 'delete' }] }, { mergingList: [] }],
  ['delete all maps from empty merging list', { mergingList: [] }, { mergingList: [{ name: 1, $patch: 'delete' }, { name: 2, $patch: 'delete' }] }, { mergingList: [] }],
  ['defined null values are dropped', { name: 2 }, { name: 1, value: 1, other: null }, { name: 1, value: 1 }],
  ['delete items in lists of scalars (three-way)', { mergingIntList: [1, 2, 3, 4] },
    { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] }, { mergingIntList: [1, 2, 4] }],
  ['delete all duplicate items in lists of scalars', { mergingIntList: [1, 2, 3, 3, 4] },
    { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] }, { mergingIntList: [1, 2, 4] }],
  ['add and delete items in lists of scalars', { mergingIntList: [1, 2, 3] },
    { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3], mergingIntList: [4] }, { mergingIntList: [1, 2, 4] }],
  ['merge lists of maps (three-way)', { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }] },
    { '$setElementOrder/mergingList': [{ name: 4 }, { name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 4, value: 4 }, { name: 3, value: 3 }] },
    { mergingList: [{ name: 4, value: 4 }, { name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }, { name: 3, value: 3 }] }],
  ['merge lists of maps with conflict (three-way)', { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 3, other: 'b' }] },
    { '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 2, value: 2 }, { name: 3, value: 3 }] },
    { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }, { name: 3, value: 3 }] }],
  ['add field to map in merging list', { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }] },
    { '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }], mergingList: [{ name: 1, value: 1 }] },
    { mergingList: [{ name: 1, value: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }] }],
  ['replace directive on a replace-strategy field', { replacingItem: { a: 1, b: 2 } }, { replacingItem: { c: 3 } }, { replacingItem: { c: 3 } }],
  ['merge into a pointer struct with merge strategy', { mergeItemPtr: { name: 'a', value: 'x' } }, { mergeItemPtr: { other: 'y' } }, { mergeItemPtr: { name: 'a', value: 'x', other: 'y' } }],
];

for (const [name, original, patch, want] of cases) {
  test(`upstream: ${name}`, () => assert.deepEqual(smp(original, patch), want));
}

test('upstream: errors', () => {
  const msg = (o: object, p: object) => { try { smp(o, p); } catch (e) { assert.ok(e instanceof StatusError); return e.message; } return 'ok'; };
  assert.match(msg({ mergingList: [{ name: 1 }, { name: 3 }, { name: 2 }] },
    { '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] }), /doesn't match/);
  assert.match(msg({ mergingIntList: [1, 3, 2] }, { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] }), /doesn't match/);
  assert.match(msg({ mergingList: [{ name: 1, value: 'a' }] }, { mergingList: [{ value: 'b' }] }), /does not contain declared merge key/);
  assert.match(msg({ retainKeysMap: { name: 'foo' } }, { retainKeysMap: { $retainKeys: ['name'], value: 'x' } }), /invalid patch format of retainKeys/);
});
