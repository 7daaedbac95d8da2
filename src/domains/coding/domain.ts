/** The coding domain as an engine `Domain`: a thin adapter over the parser, task builder, harness and scorer. */
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
  type ScoreItem,
  type Task,
  type TaskScore,
} from '../contract';
import { codingDataDir, FileExerciseSource, type ExerciseSource } from './exercise-source';
import { localProcessRunner } from '../reward-design/local-runner';
import { mapLimit } from '../../util/concurrency';
import { DEFAULT_HARNESS_LIMITS, harnessExercise, type HarnessLimits } from './protocol';
import { runHarness, type HarnessFailure } from './run-harness';
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
   * At most this many exercises are scored in one harness session; 1 gives a session per exercise,
   * as before batching (bench/coding-eval.ts compares the two).
   */
  batchSize: number;
  /** Harness sessions of one `scoreMany` run at once; its exercises are shared evenly among them. */
  sessions: number;
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
  batchSize: 32,
  sessions: 2,
  allowHostExecution: false,
};

/** Fewest exercises worth a session of their own when a batch is shared among parallel sessions. */
const MIN_PER_SESSION = 8;

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

  /**
   * Scores a batch: the predictions that are module sources go to the harness in sessions of
   * `batchSize` exercises (ids are positions in the batch; labels stay here), the rest score 0.
   */
  async function scoreMany(
    items: readonly ScoreItem<CodingLabel>[],
    context: Omit<ScoreContext, 'taskId'>,
  ): Promise<TaskScore[]> {
    const scores: TaskScore[] = items.map(() => ({
      score: 0,
      details: { error: 'prediction must be the module source as a non-empty string' },
    }));
    const runnable = items.flatMap((item, i) =>
      typeof item.prediction === 'string' && item.prediction.trim() !== '' ? [{ i, item }] : [],
    );
    const run = context.runUntrusted ?? (options.allowHostExecution ? localProcessRunner : undefined);
    // As many sessions as run at once, each with at least MIN_PER_SESSION exercises (a session's
    // start costs about as much as that many exercises), more when one would exceed batchSize.
    const sessions = Math.max(1, options.sessions);
    const count = Math.max(
      Math.ceil(runnable.length / Math.max(1, options.batchSize)),
      Math.min(sessions, Math.floor(runnable.length / MIN_PER_SESSION)),
    );
    const size = Math.max(1, Math.ceil(runnable.length / count));
    const batches: (typeof runnable)[] = [];
    for (let k = 0; k < runnable.length; k += size) batches.push(runnable.slice(k, k + size));
    await mapLimit(batches, sessions, async (batch) => {
      const exercises = batch.map(({ i, item }) =>
        harnessExercise(String(i), item.prediction as string, item.label.cases),
      );
      const responses =
        run === undefined
          ? new Map<string, HarnessFailure>()
          : await runHarness(run, exercises, options.limits);
      for (const { i, item } of batch) {
        const response = responses.get(String(i)) ?? {
          failure: 'no sandbox available to run the module (ScoreContext.runUntrusted is missing)',
        };
        const result = scoreExercise(item.label.cases, response, options.scoring);
        // Verdicts carry uuids, statuses and the module's own messages, never expected values.
        const details = {
          passed: result.passed,
          total: result.total,
          solved: result.solved,
          ...(result.loadError !== undefined ? { loadError: result.loadError } : {}),
          cases: result.cases,
        };
        scores[i] = { score: result.fraction, details };
      }
    });
    return scores;
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
      const { taskId, ...rest } = context;
      const [only] = await scoreMany([{ taskId, prediction, label }], rest);
      return only as TaskScore;
    },

    scoreMany,

    aggregate(perTask: readonly TaskScore[]): Metrics {
      const solved = perTask.filter((t) => t.score === 1).length;
      return {
        score: meanScore(perTask),
        solvedFraction: perTask.length === 0 ? 0 : solved / perTask.length,
      };
    },
  };
}
