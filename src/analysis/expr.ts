/**
 * The condition language of AnalysisTemplates (successCondition / failureCondition), as Argo Rollouts evaluates it
 * with expr-lang (github.com/expr-lang/expr) over `result`. Parsing is done by jsep (configured here with expr's
 * operators); the evaluator is ours. Supported, as Argo's documentation and users write it:
 *   literals (numbers, 'strings', "strings", true, false, nil, [arrays]); `result`; `result[0]`, `result[-1]`,
 *   `result.field`, `result["field"]`, `result?.field`; + - * / % ** ; == != < <= > >= ; && || ! and `and or not`;
 *   `in`, `not in`, `contains`, `startsWith`, `endsWith`, `matches`; `a ?? b`; `c ? a : b`; parentheses;
 *   Argo's helpers asInt, asFloat, isNaN, isInf, isNil, default(v, d); expr builtins len, abs, ceil, floor, round,
 *   int, float, string, lower, upper, trim, first, last, keys, values, sum, mean, median, min, max; and predicates
 *   all/any/none/one/filter/map/count(list, {# > 0}) (also `{.field > 0}` and `#index`).
 * The condition must evaluate to a boolean ("expected bool, but got float64" otherwise), as Argo requires.
 * kubelite extension (docs/ROLLOUTS contract): `result[0]` of a scalar result is the scalar, so a template written
 * for a one-element Prometheus vector also works with the built-in provider's plain number.
 * Errors are ExprError with expr-like messages ("unknown name x", "index out of range: 0 (array length is 0)").
 */
import jsep from 'jsep';

export class ExprError extends Error {}

type Node = jsep.Expression;

// ---------------------------------------------------------------------------------------------- parser set-up
// jsep's operator tables are process-wide; only this module uses jsep directly (jsonpath-plus bundles its own).

const COMPARE = 7;
jsep.addBinaryOp('or', 1);
jsep.addBinaryOp('and', 2);
for (const op of ['in', 'not in', 'contains', 'startsWith', 'endsWith', 'matches']) jsep.addBinaryOp(op, COMPARE);
jsep.addBinaryOp('??', 12); // expr: nil coalescing binds tighter than arithmetic
jsep.addUnaryOp('not');
jsep.addLiteral('nil', null);
jsep.addIdentifierChar('#');

const OCURLY = 123, CCURLY = 125, PERIOD = 46, QMARK = 63, COLON = 58;

/** Parse an expression, then expect `closer` after it (consumed); used by `{…}` and `?…:`. */
function expressionThen(scope: jsep.HookScope, closer: number): jsep.Expression {
  const node = scope.gobbleExpression();
  if (!node) scope.throwError('Expected expression');
  scope.gobbleSpaces();
  if (scope.code !== closer) scope.throwError(`Expected ${String.fromCharCode(closer)}`);
  scope.index++;
  return node;
}

jsep.plugins.register({
  name: 'kubelite-expr',
  init(j: typeof jsep) {
    // Predicate closures `{ # > 0 }` and the `.field` shorthand for `#.field` inside them.
    j.hooks.add('gobble-token', function closure(env) {
      if (this.code === OCURLY) {
        this.index++;
        env.node = { type: 'Closure', body: expressionThen(this, CCURLY) };
      } else if (this.code === PERIOD && /[A-Za-z_]/.test(this.expr.charAt(this.index + 1))) {
        this.index++;
        const property = this.gobbleIdentifier()!;
        env.node = this.gobbleTokenProperty({ type: 'MemberExpression', computed: false, object: { type: 'Identifier', name: '#' }, property });
      }
    });
    // Ternary `test ? a : b` (lowest precedence, right-associative).
    j.hooks.add('after-expression', function ternary(env) {
      if (env.node && this.code === QMARK) {
        this.index++;
        const consequent = expressionThen(this, COLON);
        const alternate = this.gobbleExpression();
        if (!alternate) this.throwError('Expected expression');
        env.node = { type: 'ConditionalExpression', test: env.node, consequent, alternate };
      }
    });
  },
} as jsep.IPlugin);

// ---------------------------------------------------------------------------------------------- values

type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

/** Go-style type names, as expr's messages use them. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'function') return 'func';
  return 'map[string]interface {}';
}

const isMap = (v: unknown): v is Record<string, Value> => v !== null && typeof v === 'object' && !Array.isArray(v);

function fmt(v: unknown): string {
  if (typeof v === 'string') return v;
  try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
}

function equal(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return a === b;
}

const mismatch = (op: string, a: unknown, b: unknown) =>
  new ExprError(`invalid operation: ${op} (mismatched types ${typeName(a)} and ${typeName(b)})`);

function num(op: string, v: unknown): number {
  if (typeof v !== 'number') throw new ExprError(`invalid operation: ${op} (mismatched types ${typeName(v)} and float64)`);
  return v;
}

function bool(op: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ExprError(`invalid operation: ${op} (mismatched types ${typeName(v)} and bool)`);
  return v;
}

// ---------------------------------------------------------------------------------------------- compile

export interface CompiledExpr { source: string; ast: Node }

const FUNCTIONS = new Set([
  'asInt', 'asFloat', 'isNaN', 'isInf', 'isNil', 'default',
  'len', 'abs', 'ceil', 'floor', 'round', 'int', 'float', 'string', 'lower', 'upper', 'trim', 'first', 'last',
  'keys', 'values', 'sum', 'mean', 'median', 'min', 'max',
  'all', 'any', 'none', 'one', 'filter', 'map', 'count',
]);
const PREDICATES = new Set(['all', 'any', 'none', 'one', 'filter', 'map', 'count']);
const SUPPORTED_BINARY = new Set([
  '||', 'or', '&&', 'and', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '**', '??',
  'in', 'not in', 'contains', 'startsWith', 'endsWith', 'matches',
]);
const SUPPORTED_UNARY = new Set(['!', 'not', '-', '+']);

const cache = new Map<string, CompiledExpr>();
const CACHE_MAX = 512;

/** Parse and check an expression (names, operators); throws ExprError. Compiled expressions are cached. */
export function compileExpr(source: string): CompiledExpr {
  const hit = cache.get(source);
  if (hit) return hit;
  if (source.trim() === '') throw new ExprError('unexpected end of expression');
  let ast: Node;
  try {
    ast = jsep(source);
  } catch (e) {
    const err = e as Error & { description?: string; index?: number };
    throw new ExprError(err.description !== undefined ? `${err.description} (1:${(err.index ?? 0) + 1})` : err.message);
  }
  check(ast, 0);
  const c = { source, ast };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(source, c);
  return c;
}

/** Reject what the evaluator cannot run, before any measurement is taken. `depth` = nesting of closures. */
function check(n: Node, depth: number): void {
  switch (n.type) {
    case 'Literal': return;
    case 'Identifier': {
      const name = n.name as string;
      if (name === 'result') return;
      if ((name === '#' || name === '#index') && depth > 0) return;
      throw new ExprError(`unknown name ${name}`);
    }
    case 'ArrayExpression': for (const e of n.elements as (Node | null)[]) if (e) check(e, depth); return;
    case 'MemberExpression':
      check(n.object as Node, depth);
      if (n.computed) check(n.property as Node, depth);
      return;
    case 'UnaryExpression':
      if (!SUPPORTED_UNARY.has(n.operator as string)) throw new ExprError(`unsupported operator ${n.operator}`);
      check(n.argument as Node, depth);
      return;
    case 'BinaryExpression':
      if (!SUPPORTED_BINARY.has(n.operator as string)) throw new ExprError(`unsupported operator ${n.operator}`);
      check(n.left as Node, depth);
      check(n.right as Node, depth);
      return;
    case 'ConditionalExpression':
      check(n.test as Node, depth); check(n.consequent as Node, depth); check(n.alternate as Node, depth);
      return;
    case 'CallExpression': {
      const callee = n.callee as Node;
      if (callee.type !== 'Identifier' || !FUNCTIONS.has(callee.name as string)) {
        throw new ExprError(callee.type === 'Identifier' ? `unknown func ${callee.name}` : 'only built-in functions can be called');
      }
      const args = n.arguments as Node[];
      const pred = PREDICATES.has(callee.name as string);
      args.forEach((a, i) => {
        if (a.type === 'Closure') {
          if (!(pred && i === 1)) throw new ExprError(`a predicate {…} is only allowed as the second argument of ${[...PREDICATES].join(', ')}`);
          check(a.body as Node, depth + 1);
        } else check(a, pred && i === 1 ? depth + 1 : depth);
      });
      return;
    }
    case 'Closure': throw new ExprError('a predicate {…} is only allowed as an argument of all, any, filter, …');
    case 'Compound': throw new ExprError('unexpected token: one expression expected');
    default: throw new ExprError(`unsupported syntax (${n.type})`);
  }
}

// ---------------------------------------------------------------------------------------------- evaluate

interface Scope { result: Value; it?: Value; index?: number }

export function evaluate(c: CompiledExpr | string, result: unknown): unknown {
  const compiled = typeof c === 'string' ? compileExpr(c) : c;
  return ev(compiled.ast, { result: (result === undefined ? null : result) as Value });
}

/** Evaluate a condition: the value must be a boolean. Throws ExprError. */
export function evalCondition(condition: string, result: unknown): boolean {
  const v = evaluate(condition, result);
  if (typeof v !== 'boolean') throw new ExprError(`expected bool, but got ${typeName(v)}`);
  return v;
}

function ev(n: Node, s: Scope): Value {
  switch (n.type) {
    case 'Literal': return n.value as Value;
    case 'Identifier':
      if (n.name === 'result') return s.result;
      if (n.name === '#') return s.it ?? null;
      if (n.name === '#index') return s.index ?? null;
      throw new ExprError(`unknown name ${n.name}`);
    case 'ArrayExpression': return (n.elements as (Node | null)[]).map((e) => (e ? ev(e, s) : null));
    case 'MemberExpression': return member(n, s);
    case 'UnaryExpression': {
      const v = ev(n.argument as Node, s);
      switch (n.operator) {
        case '!': case 'not': return !bool(n.operator, v);
        case '-': return -num('-', v);
        default: return num('+', v);
      }
    }
    case 'BinaryExpression': return binary(n.operator as string, n.left as Node, n.right as Node, s);
    case 'ConditionalExpression': {
      const t = ev(n.test as Node, s);
      if (typeof t !== 'boolean') throw new ExprError(`non-bool expression (type ${typeName(t)}) used as condition`);
      return ev((t ? n.consequent : n.alternate) as Node, s);
    }
    case 'CallExpression': return call((n.callee as Node).name as string, n.arguments as Node[], s);
    default: throw new ExprError(`unsupported syntax (${n.type})`);
  }
}

function member(n: Node, s: Scope): Value {
  const obj = ev(n.object as Node, s);
  const key: Value = n.computed ? ev(n.property as Node, s) : ((n.property as Node).name as string);
  if (obj === null) {
    if (n.optional) return null;
    throw new ExprError(`cannot fetch ${fmt(key)} from <nil>`);
  }
  if (Array.isArray(obj) || typeof obj === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw new ExprError(`cannot fetch ${fmt(key)} from ${typeName(obj)}`);
    const i = key < 0 ? obj.length + key : key;
    if (i < 0 || i >= obj.length) throw new ExprError(`index out of range: ${key} (array length is ${obj.length})`);
    return obj[i];
  }
  if (isMap(obj)) {
    if (typeof key !== 'string') throw new ExprError(`cannot fetch ${fmt(key)} from ${typeName(obj)}`);
    return Object.hasOwn(obj, key) ? obj[key] : null;
  }
  // A scalar indexed as a one-element vector (kubelite's built-in provider returns plain numbers).
  if (n.computed && (key === 0 || key === -1)) return obj;
  throw new ExprError(`type ${typeName(obj)} has no field ${fmt(key)}`);
}

function binary(op: string, ln: Node, rn: Node, s: Scope): Value {
  // Short-circuit operators first: `len(result) > 0 && result[0] > 1` must not index an empty result.
  if (op === '&&' || op === 'and') return bool(op, ev(ln, s)) ? bool(op, ev(rn, s)) : false;
  if (op === '||' || op === 'or') return bool(op, ev(ln, s)) ? true : bool(op, ev(rn, s));
  if (op === '??') { const l = ev(ln, s); return l === null ? ev(rn, s) : l; }
  const a = ev(ln, s), b = ev(rn, s);
  switch (op) {
    case '==': return equal(a, b);
    case '!=': return !equal(a, b);
    case '<': case '<=': case '>': case '>=': {
      if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) throw mismatch(op, a, b);
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
    case '+':
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      throw mismatch(op, a, b);
    case '-': case '*': case '/': case '%': case '**': {
      if (typeof a !== 'number' || typeof b !== 'number') throw mismatch(op, a, b);
      if (op === '%') {
        if (!Number.isInteger(a) || !Number.isInteger(b)) throw mismatch(op, a, b);
        if (b === 0) throw new ExprError('integer divide by zero');
        return a % b;
      }
      return op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a ** b;
    }
    case 'in': case 'not in': {
      let found: boolean;
      if (Array.isArray(b)) found = b.some((x) => equal(x, a));
      else if (isMap(b)) {
        if (typeof a !== 'string') throw mismatch(op, a, b);
        found = Object.hasOwn(b, a);
      } else if (b === null) found = false;
      else throw mismatch(op, a, b);
      return op === 'in' ? found : !found;
    }
    case 'contains': case 'startsWith': case 'endsWith': case 'matches': {
      if (typeof a !== 'string' || typeof b !== 'string') throw mismatch(op, a, b);
      if (op === 'contains') return a.includes(b);
      if (op === 'startsWith') return a.startsWith(b);
      if (op === 'endsWith') return a.endsWith(b);
      let re: RegExp;
      try { re = new RegExp(b); } catch (e) { throw new ExprError(`invalid regular expression ${JSON.stringify(b)}: ${(e as Error).message}`); }
      return re.test(a);
    }
    default: throw new ExprError(`unsupported operator ${op}`);
  }
}

// ---------------------------------------------------------------------------------------------- functions

function arity(name: string, args: Node[], min: number, max = min): void {
  if (args.length < min) throw new ExprError(`not enough arguments to call ${name}`);
  if (args.length > max) throw new ExprError(`too many arguments to call ${name}`);
}

function list(name: string, v: Value): Value[] {
  if (!Array.isArray(v)) throw new ExprError(`invalid argument for ${name} (type ${typeName(v)})`);
  return v;
}

function numbers(name: string, args: Value[]): number[] {
  const flat = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return flat.map((x) => {
    if (typeof x !== 'number') throw new ExprError(`invalid argument for ${name} (type ${typeName(x)})`);
    return x;
  });
}

function parseGoInt(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new ExprError(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function parseGoFloat(s: string): number {
  const t = s.trim() === s ? s : '';
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new ExprError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(t);
}

function predicate(name: string, args: Node[], s: Scope): Value {
  arity(name, args, 2);
  const items = list(name, ev(args[0], s));
  const body = args[1].type === 'Closure' ? (args[1].body as Node) : args[1];
  const run = (it: Value, index: number) => ev(body, { result: s.result, it, index });
  const test = (it: Value, index: number) => {
    const r = run(it, index);
    if (typeof r !== 'boolean') throw new ExprError(`predicate of ${name} must return bool, got ${typeName(r)}`);
    return r;
  };
  switch (name) {
    case 'all': return items.every(test);
    case 'any': return items.some(test);
    case 'none': return !items.some(test);
    case 'one': return items.filter(test).length === 1;
    case 'filter': return items.filter(test);
    case 'count': return items.filter(test).length;
    default: return items.map(run);
  }
}

function call(name: string, args: Node[], s: Scope): Value {
  if (PREDICATES.has(name)) return predicate(name, args, s);
  const vals = args.map((a) => ev(a, s));
  const one = () => { arity(name, args, 1); return vals[0]; };
  const n1 = () => { const v = one(); if (typeof v !== 'number') throw new ExprError(`invalid argument for ${name} (type ${typeName(v)})`); return v; };
  const s1 = () => { const v = one(); if (typeof v !== 'string') throw new ExprError(`invalid argument for ${name} (type ${typeName(v)})`); return v; };
  switch (name) {
    case 'asInt': {
      const v = one();
      if (typeof v === 'number') return Math.trunc(v);
      if (typeof v === 'string') return parseGoInt(v);
      throw new ExprError(`asInt() not supported on ${typeName(v)} ${fmt(v)}`);
    }
    case 'asFloat': {
      const v = one();
      if (typeof v === 'number') return v;
      if (typeof v === 'string') return parseGoFloat(v);
      throw new ExprError(`asFloat() not supported on ${typeName(v)} ${fmt(v)}`);
    }
    case 'isNaN': return Number.isNaN(n1());
    case 'isInf': { const v = n1(); return v === Infinity || v === -Infinity; }
    case 'isNil': return one() === null;
    case 'default': arity(name, args, 2); return vals[0] === null ? vals[1] : vals[0];
    case 'len': {
      const v = one();
      if (Array.isArray(v) || typeof v === 'string') return v.length;
      if (isMap(v)) return Object.keys(v).length;
      throw new ExprError(`invalid argument for len (type ${typeName(v)})`);
    }
    case 'abs': return Math.abs(n1());
    case 'ceil': return Math.ceil(n1());
    case 'floor': return Math.floor(n1());
    case 'round': return Math.round(n1());
    case 'int': { const v = one(); return typeof v === 'string' ? parseGoInt(v) : Math.trunc(num('int', v)); }
    case 'float': { const v = one(); return typeof v === 'string' ? parseGoFloat(v) : num('float', v); }
    case 'string': { const v = one(); return typeof v === 'string' ? v : fmt(v); }
    case 'lower': return s1().toLowerCase();
    case 'upper': return s1().toUpperCase();
    case 'trim': return s1().trim();
    case 'first': { const l = list(name, one()); return l.length ? l[0] : null; }
    case 'last': { const l = list(name, one()); return l.length ? l[l.length - 1] : null; }
    case 'keys': { const v = one(); if (!isMap(v)) throw new ExprError(`invalid argument for keys (type ${typeName(v)})`); return Object.keys(v); }
    case 'values': { const v = one(); if (!isMap(v)) throw new ExprError(`invalid argument for values (type ${typeName(v)})`); return Object.values(v); }
    case 'sum': return numbers(name, [list(name, one())]).reduce((a, b) => a + b, 0);
    case 'mean': { const l = numbers(name, [list(name, one())]); return l.length ? l.reduce((a, b) => a + b, 0) / l.length : 0; }
    case 'median': {
      const l = numbers(name, [list(name, one())]).sort((a, b) => a - b);
      if (!l.length) return 0;
      const m = l.length >> 1;
      return l.length % 2 ? l[m] : (l[m - 1] + l[m]) / 2;
    }
    case 'min': case 'max': {
      if (!args.length) throw new ExprError(`not enough arguments to call ${name}`);
      const l = numbers(name, vals);
      if (!l.length) throw new ExprError(`not enough arguments to call ${name}`);
      return name === 'min' ? Math.min(...l) : Math.max(...l);
    }
    default: throw new ExprError(`unknown func ${name}`);
  }
}
