/**
 * The offline heuristic for the coding domain: writes a module without any LLM. Each function
 * answers a visible example's arguments with that example's expected value (or throws its error),
 * and anything else with a fallback chosen by parameters, which the offline strategy can evolve.
 * Honest about what it is: a lookup table plus a default, not a solver.
 */
import { isErrorExpectation } from './canonical';
import type { CodingTaskInput } from './task';

export const stubFallbacks = [
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
] as const;
export type StubFallback = (typeof stubFallbacks)[number];

export interface StubParams {
  /** Answer the exact arguments of a visible example with its expected value. */
  memorizeExamples: boolean;
  /** What any other call returns. */
  fallback: StubFallback;
}

export const DEFAULT_STUB_PARAMS: StubParams = { memorizeExamples: true, fallback: 'first-example' };

export function generateStubModule(input: CodingTaskInput, params: StubParams = DEFAULT_STUB_PARAMS): string {
  const lines = [
    `// Offline stub for ${input.exercise}: example lookup + '${params.fallback}' fallback, no LLM.`,
  ];
  lines.push('const key = (args) => JSON.stringify(args);');
  lines.push(
    'const answer = (v) => { if (v && v.throws !== undefined) throw new Error(v.throws); return v.value; };',
  );
  for (const f of input.functions) {
    const examples = input.examples.filter((e) => e.function === f.name);
    const table: Record<string, unknown> = {};
    if (params.memorizeExamples) {
      for (const e of examples) table[JSON.stringify(f.params.map((p) => e.args[p]))] = asAnswer(e.expected);
    }
    const fallback = fallbackAnswer(params.fallback, examples[0]?.expected);
    lines.push(
      `const ${f.name}Table = new Map(Object.entries(${JSON.stringify(table)}));`,
      `export function ${f.name}(...args) {`,
      `  const k = key(args.slice(0, ${f.params.length}).map((a) => (a === undefined ? null : a)));`,
      `  if (${f.name}Table.has(k)) return answer(${f.name}Table.get(k));`,
      params.fallback === 'first-argument'
        ? '  return args[0] ?? null;'
        : `  return answer(${JSON.stringify(fallback)});`,
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

type Answer = { value: unknown } | { throws: string };

function asAnswer(expected: unknown): Answer {
  return isErrorExpectation(expected) ? { throws: expected.error } : { value: expected };
}

function fallbackAnswer(fallback: StubFallback, firstExpected: unknown): Answer {
  switch (fallback) {
    case 'first-example':
      return firstExpected === undefined ? { value: null } : asAnswer(firstExpected);
    case 'first-argument':
      return { value: null }; // unused: the generated code returns its first argument
    case 'zero':
      return { value: 0 };
    case 'empty-string':
      return { value: '' };
    case 'empty-array':
      return { value: [] };
    case 'empty-object':
      return { value: {} };
    case 'null':
      return { value: null };
    case 'false':
      return { value: false };
    case 'true':
      return { value: true };
    case 'throw':
      return { throws: 'not implemented' };
  }
}
