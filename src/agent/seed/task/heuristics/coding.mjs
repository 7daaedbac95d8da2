/**
 * Offline coding: writes an ES module without any LLM. Each function answers a visible example's
 * arguments with that example's expected value (or throws its error); any other call gets the
 * expression a small program search over the visible examples found for that function
 * (coding_search.mjs, settings in task/params.json `search`), or, when none fits, a fallback chosen
 * in task/params.json. Honest about what it is: a lookup table, a searched expression, a default.
 */
import {
  helperSource,
  representable,
  searchExpression,
  treeOperators,
  treeSource,
} from './coding_search.mjs';

export const FALLBACKS = [
  'first-example',
  'first-argument',
  'zero',
  'empty-string',
  'empty-array',
  'empty-object',
  'null',
  'false',
  'true',
  'throw',
];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function isErrorExpectation(expected) {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) return false;
  const keys = Object.keys(expected);
  return keys.length === 1 && keys[0] === 'error' && typeof expected.error === 'string';
}

const asAnswer = (expected) =>
  isErrorExpectation(expected) ? { throws: expected.error } : { value: expected };

function fallbackAnswer(fallback, firstExpected) {
  const constants = {
    zero: 0,
    'empty-string': '',
    'empty-array': [],
    'empty-object': {},
    null: null,
    false: false,
    true: true,
  };
  if (fallback === 'throw') return { throws: 'not implemented' };
  if (fallback in constants) return { value: constants[fallback] };
  return firstExpected === undefined ? { value: null } : asAnswer(firstExpected);
}

/**
 * The module's source. `report`, when given, receives one entry per function:
 * { function, expression (readable, or null), evaluations, ms, stop }.
 */
export function writeStubModule(input, params, report = []) {
  const fallback = FALLBACKS.includes(params.fallback) ? params.fallback : 'first-example';
  const functions = (Array.isArray(input.functions) ? input.functions : []).filter((f) =>
    IDENTIFIER.test(f?.name ?? ''),
  );
  const examples = Array.isArray(input.examples) ? input.examples : [];
  const bodies = [];
  const used = new Set();
  const found = [];
  for (const f of functions) {
    const names = Array.isArray(f.params) ? f.params : [];
    const mine = examples.filter((e) => e?.function === f.name);
    const argsOf = (e) => names.map((p) => e.args?.[p] ?? null);
    // Only value examples are searched; an expected error stays in the lookup table.
    const values = mine
      .filter((e) => !isErrorExpectation(e.expected))
      .map((e) => ({ args: argsOf(e), expected: e.expected }));
    const search = searchExpression(names, values, params.search);
    report.push({
      function: f.name,
      expression: search.found?.show ?? null,
      evaluations: search.evaluations,
      ms: search.ms,
      stop: search.stop,
    });
    if (search.found) {
      treeOperators(search.found.tree, used);
      found.push(`//   ${f.name}(${names.join(', ')}) = ${search.found.show}`);
    } else found.push(`//   ${f.name}(${names.join(', ')}): no expression fits, '${fallback}' fallback`);
    const table = {};
    if (params.memorizeExamples !== false) {
      for (const e of mine) table[JSON.stringify(argsOf(e))] = asAnswer(e.expected);
    }
    bodies.push(
      `const __table_${f.name} = new Map(Object.entries(${JSON.stringify(table)}));`,
      `export function ${f.name}(...args) {`,
      `  const a = args.slice(0, ${names.length}).map((x) => (x === undefined ? null : x));`,
      `  if (__table_${f.name}.has(__key(a))) return __answer(__table_${f.name}.get(__key(a)));`,
      ...(search.found
        ? [
            '  try {',
            `    const v = ${treeSource(search.found.tree, 'a')};`,
            '    if (__representable(v)) return v;',
            '  } catch {',
            "    // not this expression's input: the fallback answers",
            '  }',
          ]
        : []),
      fallback === 'first-argument'
        ? '  return args[0] ?? null;'
        : `  return __answer(${JSON.stringify(fallbackAnswer(fallback, mine[0]?.expected))});`,
      '}',
    );
  }
  const lines = [
    `// Offline module for ${JSON.stringify(String(input.exercise ?? ''))}: program search over the visible examples, no LLM.`,
    `// Visible examples are looked up; other calls get the searched expression, else the '${fallback}' fallback.`,
    ...found,
    'const __key = (args) => JSON.stringify(args);',
    'const __answer = (v) => { if (v && v.throws !== undefined) throw new Error(v.throws); return v.value; };',
    `const __representable = ${representable.toString()};`,
    ...helperSource(used),
    ...bodies,
  ];
  return lines.join('\n') + '\n';
}
