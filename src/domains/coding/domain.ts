/** The coding domain as an engine `Domain`: a thin adapter over the parser, task builder, harness and scorer. */
import * as fs from 'fs';
import { loadPinnedExerciseSource } from './download-source';
// The contract's vocabulary: every built-in domain imports the same names from it.
import {
  DEFAULT_STAGED,
  SPLITS,
  meanScore,
  type Domain,
  type LoadOptions,
  type LoadedTasks,
  type Metrics,
  type ScoreContext,
  type Task,
  type TaskScore,
  type UntrustedRunner,
} from '../contract';
import { codingDataDir, FileExerciseSource, type ExerciseSource } from './exercise-source';
import {
  buildHarnessRequest,
  DEFAULT_HARNESS_LIMITS,
  parseHarnessResponse,
  type HarnessLimits,
  type HarnessRequest,
  type HarnessResponse,
} from './protocol';
import { harnessScriptPath, NodeHarnessRunner, overallTimeoutMs, type HarnessFailure } from './run-harness';
import { DEFAULT_SCORE_OPTIONS, scoreExercise, type ScoreOptions } from './score';
import { splitExercises } from './split';
import {
  buildCodingTask,
  DEFAULT_CODING_TASK_OPTIONS,
  MODULE_CONTRACT,
  type CodingLabel,
  type CodingTask,
  type CodingTaskInput,
  type CodingTaskOptions,
} from './task';

export interface CodingDomainOptions {
  /** `polyglot`: the exercises of Aider's polyglot benchmark (the paper's choice); `all`: every exercise. */
  pool: 'polyglot' | 'all';
  includeDeprecated: boolean;
  task: CodingTaskOptions;
  limits: HarnessLimits;
  scoring: ScoreOptions;
  /**
   * Without a sandbox (`ScoreContext.runUntrusted`), run the harness as a plain child process on the
   * host. Off by default: predictions are untrusted code. For tests and local trials only.
   */
  allowHostExecution: boolean;
  /** Replaces the file mirror (tests, other stores). */
  source?: ExerciseSource;
}

export const DEFAULT_CODING_DOMAIN_OPTIONS: CodingDomainOptions = {
  pool: 'polyglot',
  includeDeprecated: false,
  task: DEFAULT_CODING_TASK_OPTIONS,
  limits: DEFAULT_HARNESS_LIMITS,
  scoring: DEFAULT_SCORE_OPTIONS,
  allowHostExecution: false,
};

/** Every usable task of the pool, sorted by id (before splitting). */
export function loadCodingTasks(source: ExerciseSource, options: CodingDomainOptions): CodingTask[] {
  const available = new Set(source.listSlugs());
  const slugs =
    options.pool === 'polyglot' ? source.polyglotSlugs().filter((s) => available.has(s)) : [...available];
  const tasks: CodingTask[] = [];
  for (const slug of slugs.sort()) {
    const exercise = source.readExercise(slug);
    if (exercise.deprecated && !options.includeDeprecated) continue;
    const task = buildCodingTask(exercise, options.task);
    if (task !== null && task.label.cases.length > 0) tasks.push(task);
  }
  return tasks;
}

export function createCodingDomain(
  overrides: Partial<CodingDomainOptions> = {},
): Domain<CodingTaskInput, CodingLabel> {
  const options: CodingDomainOptions = { ...DEFAULT_CODING_DOMAIN_OPTIONS, ...overrides };

  async function runHarness(
    request: HarnessRequest,
    context: ScoreContext,
  ): Promise<HarnessResponse | HarnessFailure> {
    if (context.runUntrusted !== undefined) return runInSandbox(context.runUntrusted, request);
    if (options.allowHostExecution) return new NodeHarnessRunner().run(request);
    return { failure: 'no sandbox available to run the module (ScoreContext.runUntrusted is missing)' };
  }

  return {
    name: 'coding',
    staged: DEFAULT_STAGED,
    describe: () =>
      'Coding (Exercism problems). The input holds `exercise` (slug), `description` (the problem ' +
      'statement), `functions` (names and parameter names to export), `examples` (a few cases: ' +
      'function, args by parameter name, expected value) and `moduleContract`. The prediction is a ' +
      `string: the source of a JavaScript module. ${MODULE_CONTRACT} The module is run on hidden ` +
      'cases of the same functions; the score is the fraction of them passed.',

    async loadTasks(load: LoadOptions = {}): Promise<LoadedTasks<CodingTaskInput, CodingLabel>> {
      // The polyglot pool is pinned (mirror checked by sha256, or cache, or download); 'all' reads the mirror.
      const source =
        options.source ??
        (options.pool === 'polyglot'
          ? await loadPinnedExerciseSource(load)
          : new FileExerciseSource(codingDataDir(load.dataDir)));
      const tasks = loadCodingTasks(source, options);
      const byId = new Map(tasks.map((t) => [t.id, t]));
      const ids = splitExercises([...byId.keys()], load.seed ?? 0, load.sizes ?? {});
      const view = (id: string): Task<CodingTaskInput> => ({ id, input: (byId.get(id) as CodingTask).input });
      const splits = { train: ids.train.map(view), val: ids.val.map(view), test: ids.test.map(view) };
      const labels = new Map(
        SPLITS.flatMap((s) => ids[s]).map((id) => [id, (byId.get(id) as CodingTask).label]),
      );
      return { splits, labels };
    },

    async score(prediction: unknown, label: CodingLabel, context: ScoreContext): Promise<TaskScore> {
      if (typeof prediction !== 'string' || prediction.trim() === '') {
        return { score: 0, details: { error: 'prediction must be the module source as a non-empty string' } };
      }
      const request = buildHarnessRequest(prediction, label.cases, options.limits);
      const result = scoreExercise(label.cases, await runHarness(request, context), options.scoring);
      // Verdicts carry uuids, statuses and the module's own messages, never expected values.
      const details = {
        passed: result.passed,
        total: result.total,
        solved: result.solved,
        ...(result.loadError !== undefined ? { loadError: result.loadError } : {}),
        cases: result.cases,
      };
      return { score: result.fraction, details };
    },

    aggregate(perTask: readonly TaskScore[]): Metrics {
      const solved = perTask.filter((t) => t.score === 1).length;
      return {
        score: meanScore(perTask),
        solvedFraction: perTask.length === 0 ? 0 : solved / perTask.length,
      };
    },
  };
}

/** Runs the harness through the sandbox's runner: the harness file and the request, nothing else. */
async function runInSandbox(
  run: UntrustedRunner,
  request: HarnessRequest,
): Promise<HarnessResponse | HarnessFailure> {
  const result = await run({
    files: {
      'harness.mjs': fs.readFileSync(harnessScriptPath(), 'utf8'),
      'request.json': JSON.stringify(request),
    },
    command: ['node', 'harness.mjs', 'request.json'],
    timeoutMs: overallTimeoutMs(request),
  });
  if (result.timedOut) return { failure: 'harness exceeded its overall time limit in the sandbox' };
  if (result.exitCode !== 0)
    return { failure: `harness exited with ${result.exitCode}: ${result.stderr.slice(-500)}` };
  try {
    return parseHarnessResponse(result.stdout);
  } catch (e) {
    return { failure: `harness output unreadable: ${(e as Error).message}` };
  }
}
