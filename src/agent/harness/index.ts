/**
 * Where the seed program and the sandbox harness live, and the JSON each harness script reads and
 * writes. The engine copies SEED_DIR to the sandbox's /work/program (generation 0), HARNESS_DIR's
 * .mjs files to /work/harness, and the LLM agent client to /work/harness/llm.mjs, then runs
 * `node /work/harness/<script> /work/program` with one JSON object on stdin.
 */
import type { TrainHistory } from '../../archive/views';
import { sourceOrBuilt } from '../../host/assets';

export const SEED_DIR = sourceOrBuilt('src/agent/seed');
/** DGM's meta agent (its META_SET only), which the `dgm` method runs in place of the seed's. */
export const DGM_DIR = sourceOrBuilt('src/agent/dgm');
export const HARNESS_DIR = sourceOrBuilt('src/agent/harness');
/** The name the agent client must have inside the harness folder. */
export const HARNESS_LLM_CLIENT = 'llm.mjs';

export const HARNESS_SCRIPTS = {
  runTasks: 'run_tasks.mjs',
  runMeta: 'run_meta.mjs',
  runSelect: 'run_select.mjs',
  runValidate: 'run_validate.mjs',
} as const;

/** The .mjs files of the harness (scripts and their helpers), all to be copied together. */
export const HARNESS_FILES = [
  'common.mjs',
  'load_worker.mjs',
  'rng.mjs',
  'run_meta.mjs',
  'run_select.mjs',
  'run_tasks.mjs',
  'run_validate.mjs',
  'task_runner.mjs',
  'task_worker.mjs',
  'tools.mjs',
] as const;

/** run_tasks.mjs stdin. Tasks must be agent views (id and input only). */
export interface RunTasksRequest {
  domain: string;
  describe: string;
  /** Overrides the task agent's params.json entry for this domain. */
  params?: Record<string, unknown>;
  /** Per task; the first task of each worker includes importing the program. Default 60000. */
  perTaskTimeoutMs?: number;
  /** Heap limit of the worker running the task agent. */
  memoryMb?: number;
  /** Tasks run at once, each in its own worker thread with its own time limit. Default 1. */
  concurrency?: number;
  tasks: { id: string; input: unknown }[];
}
/** One stdout line per task as it finishes (any order: match by id); then `{ done: true, count }`. */
export interface TaskResultLine {
  id: string;
  prediction?: unknown;
  trace?: unknown;
  error?: string;
  ms: number;
}
export interface RunTasksDone {
  done: true;
  count: number;
}

/** run_meta.mjs stdin. `history` holds train-split results only (see `trainHistoryOf`). */
export interface RunMetaRequest {
  history: TrainHistory;
  generationsLeft: number;
  seed: number | string;
  domains: string[];
  limits?: { maxTurns?: number; timeLimitMs?: number; deadlineMs?: number; bashTimeoutMs?: number };
}
export type RunMetaResponse =
  { strategy: 'llm' | 'offline'; summary: string; turns: number } | { error: string };

/** run_select.mjs: stdin is `EditableSelectorInput` (src/selection/editable.ts). */
export type RunSelectResponse = { parentId: string } | { error: string };

export interface RunValidateRequest {
  /** Echoed in the verdict line only: the host's way to tell the harness's verdict from a forged one. */
  nonce: string;
  domain: string;
  describe: string;
  task?: { id: string; input: unknown };
  params?: Record<string, unknown>;
  /** Smoke task limit (default 60000) and module-import limit (default 20000). */
  timeoutMs?: number;
  loadTimeoutMs?: number;
}
export interface RunValidateResponse {
  nonce: string;
  ok: boolean;
  reasons: string[];
  smoke?: { ms: number; prediction?: unknown; error?: string };
}
