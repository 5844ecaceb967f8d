// The condition language (expr-lang as Argo Rollouts uses it): tables of expression × result → value or error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalCondition, evaluate, compileExpr, ExprError } from '../../../src/analysis/expr.ts';

const T = true, F = false;

test('conditions Argo users write evaluate as expr does', () => {
  const cases: [string, unknown, boolean][] = [
    // Argo's documentation and evaluate_test.go
    ['result == true', true, T],
    ['result == false', true, F],
    ['result >= 0.95', 0.97, T],
    ['result[0] >= 0.95', [0.99], T],
    ['result[0] >= 0.95', [0.9], F],
    ['result[0] < 0.01', [0.02], F],
    ['all(result.service_apdex.values.values, {# > 1})', { service_apdex: { label: null, values: { values: [2, 2] } } }, T],
    ['2 in result', [2, 2], T],
    ['3 in result', [2, 2], F],
    ['result > 1', 5, T],
    ['asInt(result) == 1', '1', T],
    ['asInt(result) == 1', 1, T],
    ['asInt(result) == 1', 1.123, T],
    ['asFloat(result) == 1.1', '1.1', T],
    ['asFloat(result) >= 1.1', '1.1', T],
    ['asFloat(result) <= 1.1', '1.1', T],
    ['asFloat(result) == 1', 1, T],
    ['result == \'true\'', 'true', T],
    ['result.ok && result.count > 3', { ok: true, count: 4 }, T],
    ['result["ok"]', { ok: true }, T],
    ['isNaN(result)', NaN, T],
    ['isNaN(result) || result >= 0.95', NaN, T],
    ['isInf(result)', Infinity, T],
    ['isInf(result)', 1, F],
    ['isNil(result)', null, T],
    ['isNil(result)', [], F],
    ['default(result, 0) >= 0', null, T],
    ['default(result, 5) == 3', 3, T],
    ['len(result) > 0 && result[0] > 0.9', [], F],
    ['len(result) == 0 || result[0] > 0.9', [], T],
    // operators and precedence
    ['1 + 2 * 3 == 7', 0, T],
    ['(1 + 2) * 3 == 9', 0, T],
    ['2 ** 3 ** 2 == 512', 0, T],
    ['7 % 3 == 1', 0, T],
    ['7 / 2 == 3.5', 0, T],
    ['-result < 0', 2, T],
    ['not (result > 1) and true', 0, T],
    ['!(result > 1) && true', 0, T],
    ['result > 1 or result < -1', -2, T],
    ['result > 1 ? result < 10 : false', 5, T],
    ['result > 1 ? false : result == 0 ? true : false', 0, T],
    ['3 not in result', [1, 2], T],
    ['"a" in result', { a: 1 }, T],
    ['result contains "ok"', 'all ok', T],
    ['result startsWith "ok"', 'ok!', T],
    ['result endsWith "!"', 'ok!', T],
    ['result matches "^o.!$"', 'ok!', T],
    ['(result ?? 3) == 3', null, T],
    ['result?.a?.b == nil', null, T],
    ['result[-1] == 3', [1, 2, 3], T],
    ['result == [1, 2]', [1, 2], T],
    ['any(result, {# > 2})', [1, 3], T],
    ['none(result, {# > 2})', [1, 2], T],
    ['one(result, {# > 1})', [1, 2], T],
    ['count(result, # > 1) == 2', [1, 2, 3], T],
    ['len(filter(result, {.x > 1})) == 1', [{ x: 1 }, { x: 2 }], T],
    ['map(result, {# * 2})[1] == 4', [1, 2], T],
    ['all(result, {#index >= 0})', [5, 6], T],
    ['sum(result) == 6 && mean(result) == 2 && median(result) == 2', [1, 2, 3], T],
    ['max(result) == 3 && min(1, 2) == 1', [1, 3, 2], T],
    ['abs(result) == 2 && floor(2.7) == 2 && ceil(2.1) == 3 && round(2.5) == 3', -2, T],
    ['lower(result) == "ok" && upper("a") == "A" && trim(" x ") == "x"', 'OK', T],
    ['first(result) == 1 && last(result) == 3', [1, 2, 3], T],
    ['int("42") == 42 && float("1.5") == 1.5 && string(1) == "1"', 0, T],
    ['"x" + "y" == "xy"', 0, T],
    // kubelite: the built-in provider's plain number also answers to result[0]
    ['result[0] >= 0.95', 0.97, T],
  ];
  for (const [expr, result, want] of cases) {
    assert.equal(evalCondition(expr, result), want, `${expr} with ${JSON.stringify(result)}`);
  }
});

test('errors are worded as expr words them', () => {
  const cases: [string, unknown, RegExp][] = [
    ['1', true, /^expected bool, but got int$/],
    ['result', 0.5, /^expected bool, but got float64$/],
    ['invalidVariable', true, /^unknown name invalidVariable$/],
    ['foo(1)', 1, /^unknown func foo$/],
    ['result[0] > 1', [], /^index out of range: 0 \(array length is 0\)$/],
    ['result.a > 1', null, /^cannot fetch a from <nil>$/],
    ['asInt(result) == 1.1', '1.1', /^strconv\.ParseInt: parsing "1\.1": invalid syntax$/],
    ['asFloat(result) == 1.1', 'NotANum', /^strconv\.ParseFloat: parsing "NotANum": invalid syntax$/],
    ['result > "a"', 1, /^invalid operation: > \(mismatched types int and string\)$/],
    ['result && true', 1, /^invalid operation: && \(mismatched types int and bool\)$/],
    ['result.Name() == "hi"', true, /only built-in functions can be called/],
    ['(1', 1, /Unclosed \(/],
    ['a b', 1, /one expression expected/],
    ['1 === 1', 1, /unsupported operator ===/],
    ['{# > 1}', 1, /predicate/],
    ['all(result, {# > 1)', [1], /Expected \}/],
    ['result > 1 ? true', 1, /Expected :/],
    ['#', 1, /unknown name #/],
    ['', 1, /unexpected end of expression/],
    ['len(result) > 0', 3, /invalid argument for len \(type int\)/],
  ];
  for (const [expr, result, re] of cases) {
    assert.throws(() => evalCondition(expr, result), (e: unknown) => e instanceof ExprError && re.test((e as Error).message), `${expr}`);
  }
});

test('equality across types is false, not an error; values compare deeply', () => {
  assert.equal(evaluate('asFloat(result) == "1.1"', '1.1'), false);
  assert.equal(evaluate('result == nil', 0), false);
  assert.equal(evaluate('result', { a: [1, { b: 2 }] }) !== null, true);
  assert.equal(evalCondition('result == [1, [2, 3]]', [1, [2, 3]]), true);
});

test('short-circuit: the right side of && / || / ?: is not evaluated when it cannot matter', () => {
  assert.equal(evalCondition('false && result[5] > 1', []), false);
  assert.equal(evalCondition('true || result[5] > 1', []), true);
  assert.equal(evalCondition('len(result) == 0 ? true : result[9] > 1', []), true);
});

test('compileExpr rejects unknown names before anything is measured and caches the parse', () => {
  assert.throws(() => compileExpr('reslt > 1'), /unknown name reslt/);
  assert.throws(() => compileExpr('all(result, {x > 1})'), /unknown name x/);
  const a = compileExpr('result > 1');
  assert.equal(compileExpr('result > 1'), a);
});
