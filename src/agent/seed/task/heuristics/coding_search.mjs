/**
 * Offline coding, part two: a small program search over a function's visible examples, no LLM.
 * Bottom-up enumeration of expressions over the function's arguments, smallest first, in a bounded
 * expression language (argument projections, constants seen in the examples, arithmetic,
 * comparisons, boolean ops, string and array ops, indexing, ternaries), each family switchable in
 * task/params.json `domains.coding.search`. Two expressions that give the same values on every
 * example are one (observational equivalence: only the first, smallest, is kept), which keeps the
 * enumeration small. The first expression that uses an argument and reproduces every example is
 * returned; a constant only when several examples with different arguments all expect it (with a
 * single example, any constant would fit: an expression over the arguments is the better guess).
 *
 * Bounded: every candidate costs one evaluation per example, and the search stops at
 * `maxEvaluations`; `timeBudgetMs` is only a safety net (the evaluation budget is what keeps the
 * result deterministic). Each operator's function is self-contained, so the written module carries
 * its source (`fn.toString()`) and computes exactly what was checked here.
 */

export const FAMILIES = [
  'arithmetic',
  'comparison',
  'logic',
  'string',
  'array',
  'index',
  'ternary',
  'constants',
];

export const SEARCH_DEFAULTS = {
  enabled: true,
  maxSize: 5,
  maxEvaluations: 60000,
  timeBudgetMs: 300,
  families: Object.fromEntries(FAMILIES.map((f) => [f, true])),
};

/** Values larger than this (as JSON, over all examples) are never operands: they only cost time. */
const MAX_VECTOR_CHARS = 20000;
const MAX_CONSTANTS = 12;

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const isInt = (v) => Number.isInteger(v);
const isStr = (v) => typeof v === 'string';
const isBool = (v) => typeof v === 'boolean';
const isArr = (v) => Array.isArray(v);
const isNums = (v) => isArr(v) && v.every(isNum);
const isStrs = (v) => isArr(v) && v.every(isStr);
const isPrim = (v) => isNum(v) || isStr(v) || isBool(v);
const sameType = (a, b) => typeof a === typeof b;
const ordered = (a, b) => (isNum(a) && isNum(b)) || (isStr(a) && isStr(b));

/**
 * The expression language. `ok` checks the operands (per example; a candidate whose operands fail
 * it on any example is dropped), `fn` computes (self-contained: its source goes into the module),
 * `show` writes the readable form for the module's header.
 */
export const OPERATORS = [
  // arithmetic
  {
    name: 'add',
    family: 'arithmetic',
    ok: (a, b) => isNum(a) && isNum(b),
    fn: (a, b) => a + b,
    show: (a, b) => `${a} + ${b}`,
  },
  {
    name: 'sub',
    family: 'arithmetic',
    ok: (a, b) => isNum(a) && isNum(b),
    fn: (a, b) => a - b,
    show: (a, b) => `${a} - ${b}`,
  },
  {
    name: 'mul',
    family: 'arithmetic',
    ok: (a, b) => isNum(a) && isNum(b),
    fn: (a, b) => a * b,
    show: (a, b) => `${a} * ${b}`,
  },
  {
    name: 'div',
    family: 'arithmetic',
    ok: (a, b) => isNum(a) && isNum(b) && b !== 0,
    fn: (a, b) => a / b,
    show: (a, b) => `${a} / ${b}`,
  },
  {
    name: 'idiv',
    family: 'arithmetic',
    ok: (a, b) => isNum(a) && isNum(b) && b !== 0,
    fn: (a, b) => Math.floor(a / b),
    show: (a, b) => `floor(${a} / ${b})`,
  },
  {
    name: 'mod',
    family: 'arithmetic',
    ok: (a, b) => isNum(a) && isNum(b) && b !== 0,
    fn: (a, b) => a % b,
    show: (a, b) => `${a} % ${b}`,
  },
  { name: 'neg', family: 'arithmetic', ok: isNum, fn: (a) => -a, show: (a) => `-${a}` },
  { name: 'abs', family: 'arithmetic', ok: isNum, fn: (a) => Math.abs(a), show: (a) => `abs(${a})` },
  // comparison
  {
    name: 'eq',
    family: 'comparison',
    ok: (a, b) => isPrim(a) && sameType(a, b),
    fn: (a, b) => a === b,
    show: (a, b) => `${a} === ${b}`,
  },
  { name: 'lt', family: 'comparison', ok: ordered, fn: (a, b) => a < b, show: (a, b) => `${a} < ${b}` },
  { name: 'gt', family: 'comparison', ok: ordered, fn: (a, b) => a > b, show: (a, b) => `${a} > ${b}` },
  { name: 'le', family: 'comparison', ok: ordered, fn: (a, b) => a <= b, show: (a, b) => `${a} <= ${b}` },
  { name: 'ge', family: 'comparison', ok: ordered, fn: (a, b) => a >= b, show: (a, b) => `${a} >= ${b}` },
  { name: 'even', family: 'comparison', ok: isInt, fn: (a) => a % 2 === 0, show: (a) => `${a} % 2 === 0` },
  {
    name: 'empty',
    family: 'comparison',
    ok: (a) => isStr(a) || isArr(a),
    fn: (a) => a.length === 0,
    show: (a) => `${a}.length === 0`,
  },
  // logic
  { name: 'not', family: 'logic', ok: isBool, fn: (a) => !a, show: (a) => `!${a}` },
  {
    name: 'and',
    family: 'logic',
    ok: (a, b) => isBool(a) && isBool(b),
    fn: (a, b) => a && b,
    show: (a, b) => `${a} && ${b}`,
  },
  {
    name: 'or',
    family: 'logic',
    ok: (a, b) => isBool(a) && isBool(b),
    fn: (a, b) => a || b,
    show: (a, b) => `${a} || ${b}`,
  },
  // strings
  { name: 'strLength', family: 'string', ok: isStr, fn: (s) => s.length, show: (s) => `${s}.length` },
  {
    name: 'upper',
    family: 'string',
    ok: isStr,
    fn: (s) => s.toUpperCase(),
    show: (s) => `${s}.toUpperCase()`,
  },
  {
    name: 'lower',
    family: 'string',
    ok: isStr,
    fn: (s) => s.toLowerCase(),
    show: (s) => `${s}.toLowerCase()`,
  },
  {
    name: 'strReverse',
    family: 'string',
    ok: isStr,
    fn: (s) => [...s].reverse().join(''),
    show: (s) => `reverse(${s})`,
  },
  { name: 'trim', family: 'string', ok: isStr, fn: (s) => s.trim(), show: (s) => `${s}.trim()` },
  {
    name: 'concat',
    family: 'string',
    ok: (a, b) => isStr(a) && isStr(b),
    fn: (a, b) => a + b,
    show: (a, b) => `${a} + ${b}`,
  },
  {
    name: 'split',
    family: 'string',
    ok: (s, sep) => isStr(s) && isStr(sep),
    fn: (s, sep) => s.split(sep),
    show: (s, sep) => `${s}.split(${sep})`,
  },
  {
    name: 'includes',
    family: 'string',
    ok: (s, t) => isStr(s) && isStr(t),
    fn: (s, t) => s.includes(t),
    show: (s, t) => `${s}.includes(${t})`,
  },
  {
    name: 'startsWith',
    family: 'string',
    ok: (s, t) => isStr(s) && isStr(t),
    fn: (s, t) => s.startsWith(t),
    show: (s, t) => `${s}.startsWith(${t})`,
  },
  {
    name: 'endsWith',
    family: 'string',
    ok: (s, t) => isStr(s) && isStr(t),
    fn: (s, t) => s.endsWith(t),
    show: (s, t) => `${s}.endsWith(${t})`,
  },
  {
    name: 'repeat',
    family: 'string',
    ok: (s, n) => isStr(s) && isInt(n) && n >= 0 && n <= 100,
    fn: (s, n) => s.repeat(n),
    show: (s, n) => `${s}.repeat(${n})`,
  },
  // arrays
  { name: 'arrLength', family: 'array', ok: isArr, fn: (xs) => xs.length, show: (xs) => `${xs}.length` },
  {
    name: 'sum',
    family: 'array',
    ok: isNums,
    fn: (xs) => xs.reduce((s, x) => s + x, 0),
    show: (xs) => `sum(${xs})`,
  },
  {
    name: 'max',
    family: 'array',
    ok: (xs) => isNums(xs) && xs.length > 0,
    fn: (xs) => Math.max(...xs),
    show: (xs) => `max(${xs})`,
  },
  {
    name: 'min',
    family: 'array',
    ok: (xs) => isNums(xs) && xs.length > 0,
    fn: (xs) => Math.min(...xs),
    show: (xs) => `min(${xs})`,
  },
  {
    name: 'sort',
    family: 'array',
    ok: (xs) => isNums(xs) || isStrs(xs),
    fn: (xs) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    show: (xs) => `sort(${xs})`,
  },
  {
    name: 'arrReverse',
    family: 'array',
    ok: isArr,
    fn: (xs) => [...xs].reverse(),
    show: (xs) => `reverse(${xs})`,
  },
  {
    name: 'join',
    family: 'array',
    ok: (xs, sep) => (isStrs(xs) || isNums(xs)) && isStr(sep),
    fn: (xs, sep) => xs.join(sep),
    show: (xs, sep) => `${xs}.join(${sep})`,
  },
  {
    name: 'has',
    family: 'array',
    ok: (xs, x) => isArr(xs) && isPrim(x),
    fn: (xs, x) => xs.includes(x),
    show: (xs, x) => `${xs}.includes(${x})`,
  },
  {
    name: 'append',
    family: 'array',
    ok: (a, b) => isArr(a) && isArr(b),
    fn: (a, b) => [...a, ...b],
    show: (a, b) => `[...${a}, ...${b}]`,
  },
  {
    name: 'double',
    family: 'array',
    ok: isNums,
    fn: (xs) => xs.map((x) => x * 2),
    show: (xs) => `${xs}.map(x => x * 2)`,
  },
  {
    name: 'square',
    family: 'array',
    ok: isNums,
    fn: (xs) => xs.map((x) => x * x),
    show: (xs) => `${xs}.map(x => x * x)`,
  },
  {
    name: 'increment',
    family: 'array',
    ok: isNums,
    fn: (xs) => xs.map((x) => x + 1),
    show: (xs) => `${xs}.map(x => x + 1)`,
  },
  {
    name: 'negate',
    family: 'array',
    ok: isNums,
    fn: (xs) => xs.map((x) => -x),
    show: (xs) => `${xs}.map(x => -x)`,
  },
  {
    name: 'uppers',
    family: 'array',
    ok: isStrs,
    fn: (xs) => xs.map((x) => x.toUpperCase()),
    show: (xs) => `${xs}.map(x => x.toUpperCase())`,
  },
  {
    name: 'lowers',
    family: 'array',
    ok: isStrs,
    fn: (xs) => xs.map((x) => x.toLowerCase()),
    show: (xs) => `${xs}.map(x => x.toLowerCase())`,
  },
  {
    name: 'lengths',
    family: 'array',
    ok: (xs) => isStrs(xs) || (isArr(xs) && xs.every(isArr)),
    fn: (xs) => xs.map((x) => x.length),
    show: (xs) => `${xs}.map(x => x.length)`,
  },
  {
    name: 'evens',
    family: 'array',
    ok: isNums,
    fn: (xs) => xs.filter((x) => x % 2 === 0),
    show: (xs) => `${xs}.filter(x => x % 2 === 0)`,
  },
  {
    name: 'odds',
    family: 'array',
    ok: isNums,
    fn: (xs) => xs.filter((x) => x % 2 !== 0),
    show: (xs) => `${xs}.filter(x => x % 2 !== 0)`,
  },
  {
    name: 'positives',
    family: 'array',
    ok: isNums,
    fn: (xs) => xs.filter((x) => x > 0),
    show: (xs) => `${xs}.filter(x => x > 0)`,
  },
  {
    name: 'nonEmpty',
    family: 'array',
    ok: isStrs,
    fn: (xs) => xs.filter((x) => x !== ''),
    show: (xs) => `${xs}.filter(x => x !== '')`,
  },
  // indexing
  {
    name: 'at',
    family: 'index',
    ok: (xs, i) => (isArr(xs) || isStr(xs)) && isInt(i) && i >= 0 && i < xs.length,
    fn: (xs, i) => xs[i],
    show: (xs, i) => `${xs}[${i}]`,
  },
  {
    name: 'last',
    family: 'index',
    ok: (xs) => (isArr(xs) || isStr(xs)) && xs.length > 0,
    fn: (xs) => xs[xs.length - 1],
    show: (xs) => `last(${xs})`,
  },
  {
    name: 'slice',
    family: 'index',
    ok: (xs, i) => (isArr(xs) || isStr(xs)) && isInt(i),
    fn: (xs, i) => xs.slice(i),
    show: (xs, i) => `${xs}.slice(${i})`,
  },
  // ternary (its branches are arguments or constants, see branchTuples)
  {
    name: 'if',
    family: 'ternary',
    ok: (c) => isBool(c),
    fn: (c, a, b) => (c ? a : b),
    show: (c, a, b) => `${c} ? ${a} : ${b}`,
  },
];
for (const op of OPERATORS) op.arity = op.fn.length;

/** The search settings in effect: task/params.json's section over the defaults, numbers sane. */
export function searchSettings(params = {}) {
  const s = params ?? {};
  const num = (v, d, lo, hi) =>
    typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : d;
  return {
    enabled: s.enabled !== false,
    maxSize: Math.round(num(s.maxSize, SEARCH_DEFAULTS.maxSize, 1, 12)),
    maxEvaluations: Math.round(num(s.maxEvaluations, SEARCH_DEFAULTS.maxEvaluations, 0, 5_000_000)),
    timeBudgetMs: num(s.timeBudgetMs, SEARCH_DEFAULTS.timeBudgetMs, 1, 10_000),
    families: Object.fromEntries(FAMILIES.map((f) => [f, s.families?.[f] ?? SEARCH_DEFAULTS.families[f]])),
  };
}

/** JSON-value equality as the coding domain scores it (numbers within a relative 1e-9). */
export function jsonEqual(expected, actual) {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return (
      expected === actual ||
      Math.abs(expected - actual) <= 1e-9 * Math.max(1, Math.abs(expected), Math.abs(actual))
    );
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual) || expected.length !== actual.length) return false;
    return expected.every((e, i) => jsonEqual(e, actual[i]));
  }
  const isObj = (v) => typeof v === 'object' && v !== null;
  if (isObj(expected) && isObj(actual)) {
    const keys = Object.keys(expected);
    if (keys.length !== Object.keys(actual).length) return false;
    return keys.every((k) => Object.hasOwn(actual, k) && jsonEqual(expected[k], actual[k]));
  }
  return expected === actual;
}

/**
 * Values a call may return: finite numbers, strings, booleans, null, arrays and plain objects of them.
 * Self-contained: the written module carries its source to check an expression's answer.
 */
export function representable(v) {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(representable);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.values(v).every(representable);
  }
  return false;
}

/** Short constants from the examples (scalars and array elements), then 0, 1, 2, '', ' ', true, false. */
function constantsOf(examples) {
  const out = [];
  const seen = new Set();
  const add = (v) => {
    if (!(isNum(v) || (isStr(v) && v.length <= 12) || isBool(v))) return;
    const k = JSON.stringify(v);
    if (seen.has(k) || out.length >= MAX_CONSTANTS) return;
    seen.add(k);
    out.push(v);
  };
  for (const v of [0, 1, 2, '', ' ', true, false]) add(v);
  for (const e of examples) {
    for (const v of [...e.args, e.expected]) {
      if (Array.isArray(v)) v.slice(0, 4).forEach(add);
      else add(v);
    }
  }
  return out;
}

/**
 * Searches an expression over `names` (the parameters) that maps every example's `args` (values in
 * parameter order) to its `expected` value. Returns { found: {show, tree} | null, evaluations,
 * candidates, kept, ms, stop: 'found' | 'exhausted' | 'budget' | 'time' | 'off' }.
 * tree: { arg: i } | { const: v } | { op: name, kids: [tree...] }.
 */
export function searchExpression(names, examples, params = {}) {
  const settings = searchSettings(params);
  const started = Date.now();
  const n = examples.length;
  const result = (found, stop) => ({
    found,
    evaluations,
    candidates,
    kept: kept.length,
    ms: Date.now() - started,
    stop,
  });
  let evaluations = 0;
  let candidates = 0;
  const kept = [];
  if (!settings.enabled || n === 0 || names.length === 0) return result(null, 'off');

  const target = examples.map((e) => e.expected);
  const matches = (vec) => vec.every((v, i) => jsonEqual(target[i], v));
  // Within a size, the cheap shapes first: unary operators, then ternaries (simple branches), then
  // binary operators (whose operand pairs are most of the candidates).
  const shape = (op) => (op.arity === 1 ? 0 : op.name === 'if' ? 1 : 2);
  const ops = OPERATORS.filter((op) => settings.families[op.family]).sort((a, b) => shape(a) - shape(b));
  const bySize = [[]];
  const seen = new Map();
  let stop = null;
  let answer = null;

  // Keeps a new candidate unless an earlier (smaller) one gives the same values; true when it answers.
  // An expression over the arguments that answers beats a constant-only one with the same values.
  const keep = (size, vec, tree, show, usesArg) => {
    const key = JSON.stringify(vec);
    if (key === undefined) return false;
    const entry = { vec, tree, show, usesArg };
    if (key.length > MAX_VECTOR_CHARS) {
      // Too large to build on (every operator over it would cost its size): it may only answer as is.
      if (size === 1 && usesArg && matches(vec)) answer = entry;
      return answer !== null;
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      if (!usesArg || earlier.usesArg || !matches(vec)) return false;
      answer = entry;
      return true;
    }
    seen.set(key, entry);
    (bySize[size] ??= []).push(entry);
    kept.push(entry);
    if (usesArg && matches(vec)) answer = entry;
    return answer !== null;
  };
  const spend = (cost) => {
    evaluations += cost;
    candidates += 1;
    if (evaluations > settings.maxEvaluations) stop = 'budget';
    else if ((candidates & 255) === 0 && Date.now() - started > settings.timeBudgetMs) stop = 'time';
    return stop === null;
  };

  // Several examples, one answer, different arguments: the answer is that constant.
  if (settings.families.constants && n >= 2 && target.every((v) => jsonEqual(target[0], v))) {
    const distinct = new Set(examples.map((e) => JSON.stringify(e.args))).size > 1;
    if (distinct && representable(target[0])) {
      spend(n);
      return result(
        { vec: target, tree: { const: target[0] }, show: JSON.stringify(target[0]), usesArg: false },
        'found',
      );
    }
  }

  // Size 1: the arguments, then the constants.
  for (const [i, name] of names.entries()) {
    if (!spend(n)) return result(null, stop);
    const vec = examples.map((e) => e.args[i]);
    if (vec.every(representable) && keep(1, vec, { arg: i }, name, true)) return result(answer, 'found');
  }
  if (settings.families.constants) {
    for (const c of constantsOf(examples)) {
      if (!spend(1)) return result(null, stop);
      keep(
        1,
        examples.map(() => c),
        { const: c },
        JSON.stringify(c),
        false,
      );
    }
  }

  // Size k: an operator over operands whose sizes add up to k - 1.
  for (let size = 2; size <= settings.maxSize; size++) {
    bySize[size] ??= [];
    for (const op of ops) {
      const tuples =
        op.name === 'if' ? branchTuples(bySize, size) : operandTuples(bySize, op.arity, size - 1);
      for (const kids of tuples) {
        if (!spend(n)) return result(null, stop);
        const vec = apply(op, kids, n);
        if (vec === null) continue;
        const tree = { op: op.name, kids: kids.map((k) => k.tree) };
        const show = op.show(...kids.map((k) => (k.tree.op === undefined ? k.show : `(${k.show})`)));
        if (
          keep(
            size,
            vec,
            tree,
            show,
            kids.some((k) => k.usesArg),
          )
        )
          return result(answer, 'found');
      }
    }
  }
  return result(null, 'exhausted');
}

/** The operator on every example, or null when an operand fails its check or a value is not JSON. */
function apply(op, kids, n) {
  const vec = new Array(n);
  for (let i = 0; i < n; i++) {
    const args = kids.map((k) => k.vec[i]);
    if (!op.ok(...args)) return null;
    let v;
    try {
      v = op.fn(...args);
    } catch {
      return null;
    }
    if (!representable(v)) return null;
    vec[i] = v;
  }
  return vec;
}

/** Every tuple of `arity` kept entries whose sizes add up to `total` (each size at least 1). */
function* operandTuples(bySize, arity, total) {
  if (arity === 1) {
    yield* (bySize[total] ?? []).map((e) => [e]);
    return;
  }
  for (let first = 1; first <= total - (arity - 1); first++) {
    for (const e of bySize[first] ?? []) {
      for (const rest of operandTuples(bySize, arity - 1, total - first)) yield [e, ...rest];
    }
  }
}

/** A ternary's operands: a condition over the arguments, simple branches (an argument or a constant each). */
function* branchTuples(bySize, size) {
  for (const c of bySize[size - 3] ?? []) {
    if (!c.usesArg) continue;
    for (const a of bySize[1]) for (const b of bySize[1]) yield [c, a, b];
  }
}

/**
 * JS source for a found tree, over an argument array named `argsName`: operator helpers are named
 * `__op_<name>` (their definitions come from `helperSource`).
 */
export function treeSource(tree, argsName = 'a') {
  if (tree.arg !== undefined) return `${argsName}[${tree.arg}]`;
  if (tree.op === undefined) return JSON.stringify(tree.const);
  return `__op_${tree.op}(${tree.kids.map((k) => treeSource(k, argsName)).join(', ')})`;
}

/** The operator names a tree uses. */
export function treeOperators(tree, out = new Set()) {
  if (tree.op !== undefined) {
    out.add(tree.op);
    for (const k of tree.kids) treeOperators(k, out);
  }
  return out;
}

/** `const __op_<name> = <fn source>;` for each named operator, in the language's order. */
export function helperSource(names) {
  return OPERATORS.filter((op) => names.has(op.name)).map(
    (op) => `const __op_${op.name} = ${op.fn.toString()};`,
  );
}
