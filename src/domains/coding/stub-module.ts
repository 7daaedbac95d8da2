/**
 * The offline heuristic for the coding domain: writes a module without any LLM. Each function
 * answers a visible example's arguments with that example's expected value (or throws its error),
 * and anything else with a fallback chosen by parameters, which the offline strategy can evolve.
 * Honest about what it is: a lookup table plus a default, not a solver. The seed program carries
 * the same logic in `src/agent/seed/task/heuristics/coding.mjs`: the agent's copy is self-contained
 * and evolvable, this one is the host's fixed baseline, so the two are meant to drift apart.
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
  // Helper names start with "__", which no generated export name can (see toIdentifier).
  const lines = [
    `// Offline stub for ${input.exercise}: example lookup + '${params.fallback}' fallback, no LLM.`,
    'const __stubKey = (args) => JSON.stringify(args);',
    'const __stubAnswer = (v) => { if (v.throws !== undefined) throw new Error(v.throws); return v.value; };',
  ];
  for (const f of input.functions) {
    const examples = input.examples.filter((e) => e.function === f.name);
    const table: Record<string, Answer> = {};
    if (params.memorizeExamples) {
      for (const e of examples) table[JSON.stringify(f.params.map((p) => e.args[p]))] = asAnswer(e.expected);
    }
    const fallback =
      params.fallback === 'first-argument'
        ? 'args[0] ?? null'
        : `__stubAnswer(${JSON.stringify(fallbackAnswer(params.fallback, examples[0]?.expected))})`;
    const table_ = `__table_${f.name}`;
    lines.push(
      `const ${table_} = new Map(Object.entries(${JSON.stringify(table)}));`,
      `export function ${f.name}(...args) {`,
      `  const k = __stubKey(args.slice(0, ${f.params.length}).map((a) => (a === undefined ? null : a)));`,
      `  if (${table_}.has(k)) return __stubAnswer(${table_}.get(k));`,
      `  return ${fallback};`,
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
    case 'first-argument': // unused: the generated code returns its first argument instead
      return { value: null };
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
