/**
 * What the agent sees for one exercise, and what it must not: the description, the signatures and a
 * few example cases go into `input`; every other case (with its expected value) is the `label`.
 */
import type { CanonicalCase } from './canonical';
import type { CodingExercise } from './exercise-source';
import { argumentsFor, deriveSignatures, type FunctionSignature } from './signature';

export interface CodingTaskOptions {
  /** How many cases are shown as examples; at least one case always stays hidden. */
  examples: number;
  /** Cases under these scenarios are left out: their `expected` is prose, not a value to compare. */
  excludedScenarios: readonly string[];
}

export const DEFAULT_CODING_TASK_OPTIONS: CodingTaskOptions = {
  examples: 3,
  excludedScenarios: ['random', 'immutable'],
};

export const MODULE_CONTRACT =
  'Return the source of one ES module (ESM, loaded from a .mjs file by Node 20, no packages besides ' +
  'Node builtins). Export one function per entry of `functions`, under that name, taking the listed ' +
  'parameters in order (a parameter a case does not use receives undefined). Each call must return a ' +
  'plain JSON value (string, finite number, boolean, null, array, plain object), or a Promise of one, ' +
  'equal to the expected value. An expected value of the form {"error": "<message>"} means the call ' +
  'must throw (ideally an Error with that message). A default export of an object holding the ' +
  'functions is accepted too.';

export interface FunctionSpec {
  name: string;
  params: string[];
}

export interface ExampleCase {
  description: string;
  function: string;
  /** Arguments by parameter name. */
  args: Record<string, unknown>;
  expected: unknown;
}

/** The agent's input for one exercise. Holds no hidden case. */
export interface CodingTaskInput {
  exercise: string;
  description: string;
  moduleContract: string;
  functions: FunctionSpec[];
  examples: ExampleCase[];
}

/** One hidden case, ready to run: the call, and the expected value kept on the host. */
export interface HiddenCase {
  uuid: string;
  description: string;
  fn: string;
  args: unknown[];
  expected: unknown;
}

export interface CodingLabel {
  cases: HiddenCase[];
}

export interface CodingTask {
  id: string;
  input: CodingTaskInput;
  label: CodingLabel;
}

/** The task for an exercise, or null when fewer than one case would remain hidden. */
export function buildCodingTask(
  exercise: CodingExercise,
  options: CodingTaskOptions = DEFAULT_CODING_TASK_OPTIONS,
): CodingTask | null {
  const excluded = new Set(options.excludedScenarios);
  const usable = exercise.cases.filter((c) => !c.scenarios.some((s) => excluded.has(s)));
  if (usable.length === 0) return null;
  const signatures = deriveSignatures(usable);
  const byProperty = new Map(signatures.map((s) => [s.property, s]));
  const sig = (c: CanonicalCase): FunctionSignature => byProperty.get(c.property) as FunctionSignature;

  const shown = chooseExamples(usable, Math.min(options.examples, usable.length - 1));
  return {
    id: exercise.slug,
    input: {
      exercise: exercise.slug,
      description: exercise.description,
      moduleContract: MODULE_CONTRACT,
      functions: signatures.map((s) => ({ name: s.name, params: [...s.params] })),
      examples: usable.filter((c) => shown.has(c.uuid)).map((c) => toExample(c, sig(c))),
    },
    label: {
      cases: usable.filter((c) => !shown.has(c.uuid)).map((c) => toHidden(c, sig(c))),
    },
  };
}

/**
 * The first case of each property in turn (so every function has an example when k allows), then
 * the next cases in document order, up to k.
 */
function chooseExamples(cases: readonly CanonicalCase[], k: number): Set<string> {
  const chosen = new Set<string>();
  const firstOfProperty = new Map<string, string>();
  for (const c of cases) if (!firstOfProperty.has(c.property)) firstOfProperty.set(c.property, c.uuid);
  for (const uuid of [...firstOfProperty.values(), ...cases.map((c) => c.uuid)]) {
    if (chosen.size >= k) break;
    chosen.add(uuid);
  }
  return chosen;
}

function caseTitle(c: CanonicalCase): string {
  return [...c.groupPath, c.description].filter((s) => s !== '').join(' > ');
}

function toExample(c: CanonicalCase, s: FunctionSignature): ExampleCase {
  const values = argumentsFor(s, c.input);
  const args: Record<string, unknown> = {};
  s.params.forEach((p, i) => {
    if (s.inputKeys[i] !== undefined && s.inputKeys[i] in c.input) args[p] = values[i];
  });
  return { description: caseTitle(c), function: s.name, args, expected: c.expected };
}

function toHidden(c: CanonicalCase, s: FunctionSignature): HiddenCase {
  return {
    uuid: c.uuid,
    description: caseTitle(c),
    fn: s.name,
    args: argumentsFor(s, c.input),
    expected: c.expected,
  };
}
