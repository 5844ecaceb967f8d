import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBinary, formatDecimal, milliValue, scaledValue } from '../../../src/api/resource-quantity.ts';

test('milli values are exact and round up (Quantity.MilliValue)', () => {
  const cases: [unknown, number | undefined][] = [
    ['0.9', 900], ['1.1', 1100], ['100m', 100], ['1', 1000], [2, 2000], ['1.5', 1500], ['250u', 1], ['1n', 1],
    ['1Ki', 1_024_000], ['1Mi', 1_048_576_000], ['1e3', 1_000_000], ['1k', 1_000_000], ['0', 0], ['-100m', -100],
    ['abc', undefined], ['', undefined], ['1Zi', undefined],
  ];
  for (const [q, want] of cases) assert.equal(milliValue(q), want, String(q));
  assert.equal(scaledValue('123456789n', -9), 123_456_789);
  assert.equal(scaledValue('20Mi', 0), 20 * 1024 * 1024);
});

test('canonical DecimalSI text (nanocores, millicores)', () => {
  const cases: [number, number, string][] = [
    [0, -9, '0'], [123_456_789, -9, '123456789n'], [250_000_000, -9, '250m'], [2_000_000_000, -9, '2'],
    [1_500, -3, '1500m'], [2_000, -3, '2'], [5_000_000, -3, '5k'], [1_000_001_000, -9, '1000001u'], [7, 0, '7'],
  ];
  for (const [v, scale, want] of cases) assert.equal(formatDecimal(v, scale), want, `${v}e${scale}`);
});

test('canonical BinarySI text (bytes)', () => {
  const cases: [number, string][] = [[0, '0'], [1000, '1000'], [1024, '1Ki'], [10_264_576, '10024Ki'], [20 * 1024 * 1024, '20Mi'], [3 * 1024 ** 3, '3Gi']];
  for (const [v, want] of cases) assert.equal(formatBinary(v), want, String(v));
});
