/**
 * The domain contract: what every evaluation domain supplies to the engine.
 *
 * Labels are kept apart from tasks by construction: a `Task` holds only what the agent may see,
 * and the labels of a loaded split live in a separate host-only map. Anything sent into a sandbox
 * must go through `agentView`, which copies `id` and `input` and nothing else.
 */

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/** One task as the agent sees it. `input` must never contain the label. */
export interface Task<Input = unknown> {
  readonly id: string;
  readonly input: Input;
}

/** The tasks of every split, and the labels of all of them (host only, never serialised to a sandbox). */
export interface LoadedTasks<Input = unknown, Label = unknown> {
  readonly splits: Readonly<Record<Split, readonly Task<Input>[]>>;
  readonly labels: ReadonlyMap<string, Label>;
}

/** Where to get data and how to split it. Every field is optional; domains document their defaults. */
export interface LoadOptions {
  /** Seed of the split shuffle; same seed, same splits. Default 0. */
  readonly seed?: number;
  /** Tasks per split (paper default 100 each). Ignored by domains with fixed splits (math-grading). */
  readonly sizes?: Partial<Readonly<Record<Split, number>>>;
  /** Root of a local mirror laid out as README "Domain data" shows. Default: $HYPERAGENTS_DATA_DIR. */
  readonly dataDir?: string;
  /** A file in the domain's documented generic format, used instead of the configured data set. */
  readonly dataFile?: string;
  /** Download cache. Default: ~/.cache/hyperagents/data. */
  readonly cacheDir?: string;
  /** May the loader download from the public upstream when no mirror or cache has the data? */
  readonly allowDownload?: boolean;
  /** The downloader (an interface so tests can point it at a loopback server). */
  readonly fetchUrl?: (url: string) => Promise<Uint8Array>;
}

/** The score of one task, in [0, 1], and whatever explains it. */
export interface TaskScore {
  readonly score: number;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Aggregate metrics of a batch of tasks; `score` in [0, 1] is the primary one, others are extra. */
export interface Metrics {
  readonly score: number;
  readonly [metric: string]: number;
}

/** Staged evaluation: score `sampleSize` tasks first; evaluate the full split only if the staged score > gate. */
export interface StagedEvaluation {
  readonly sampleSize: number;
  readonly gate: number;
}
export const DEFAULT_STAGED: StagedEvaluation = { sampleSize: 10, gate: 0 };

/** Runs untrusted code (e.g. a generated module) in the sandbox, for domains whose scoring needs it. */
export interface UntrustedRunRequest {
  /** Files to place in an empty working folder, by relative path. */
  readonly files: Readonly<Record<string, string>>;
  readonly command: readonly string[];
  /** Written to the command's stdin (data that should not lie in a file the code it runs can read). */
  readonly stdin?: string;
  readonly timeoutMs: number;
}
export interface UntrustedRunResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}
export type UntrustedRunner = (request: UntrustedRunRequest) => Promise<UntrustedRunResult>;

/** What the host gives a scorer besides prediction and label. */
export interface ScoreContext {
  readonly taskId: string;
  readonly signal?: AbortSignal;
  /** Present when the evaluator has a sandbox; domains that execute predictions require it. */
  readonly runUntrusted?: UntrustedRunner;
}

/** One prediction to score, with its label, for `Domain.scoreMany`. */
export interface ScoreItem<Label = unknown> {
  readonly taskId: string;
  readonly prediction: unknown;
  readonly label: Label;
}

export interface Domain<Input = unknown, Label = unknown> {
  /** Unique, stable, used in config and reports (e.g. 'paper-review'). */
  readonly name: string;
  /** Text for the agent: what an input looks like and what prediction to return. Never mentions labels' values of tasks. */
  describe(): string;
  loadTasks(options?: LoadOptions): Promise<LoadedTasks<Input, Label>>;
  /**
   * Scores one prediction on the host. The prediction comes from untrusted code, so it is `unknown`:
   * a malformed prediction scores 0 with an explanation in `details`, it never throws.
   */
  score(prediction: unknown, label: Label, context: ScoreContext): TaskScore | Promise<TaskScore>;
  /**
   * Scores many predictions at once, each exactly as `score` would: for scorers that pay a sandbox
   * session per call (coding runs a whole batch in one). The evaluation uses it when present.
   */
  scoreMany?(items: readonly ScoreItem<Label>[], context: Omit<ScoreContext, 'taskId'>): Promise<TaskScore[]>;
  /** Aggregates per-task scores (in task order). Must return score 0 for an empty list. */
  aggregate(perTask: readonly TaskScore[]): Metrics;
  readonly staged: StagedEvaluation;
  /**
   * Tasks of a batch to run at once by default (the run's `evaluation.concurrency` overrides it):
   * LLM-bound agents wait on the model, CPU-bound ones would only contend for the sandbox's CPUs.
   */
  readonly concurrency?: number;
  /**
   * Where `score` is a plain comparison (1 when the prediction equals one value, trimmed and
   * case-insensitive), that value for a label. Lets the meta agent score its own tries on train
   * tasks in its sandbox; absent where scoring needs the host (executing code, partial credit).
   */
  expectedPrediction?(label: Label): unknown;
}

/**
 * The only form in which a task may leave the host. Copies `id` and `input` through JSON so that
 * no extra property, prototype or getter on the task object can carry anything else along.
 */
export function agentView<Input>(task: Task<Input>): Task<Input> {
  return JSON.parse(JSON.stringify({ id: task.id, input: task.input })) as Task<Input>;
}

/** Mean of per-task scores; 0 for none. The usual primary metric. */
export function meanScore(perTask: readonly TaskScore[]): number {
  if (perTask.length === 0) return 0;
  return perTask.reduce((sum, t) => sum + t.score, 0) / perTask.length;
}

/** A prediction that must be one of a fixed set of words: trimmed and lower-cased, else undefined. */
export function normalizeChoice<T extends string>(prediction: unknown, choices: readonly T[]): T | undefined {
  if (typeof prediction !== 'string') return undefined;
  const p = prediction.trim().toLowerCase();
  return (choices as readonly string[]).includes(p) ? (p as T) : undefined;
}
