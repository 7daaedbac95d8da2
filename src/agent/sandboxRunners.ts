import type { Domain, Task, UntrustedRunner } from '../domains';
import { BatchCutShortError, type BatchRunner, type TaskAnswer } from '../evaluation';
import { SANDBOX_ENV, SANDBOX_NODE, type Sandbox, type SandboxLimits } from '../sandbox';
import type { ProgramFiles } from './program';
import { readTaskLines, runHarness, taskLineStream } from './runInSandbox';

export interface BatchOptions {
  sandbox: () => Promise<Sandbox>;
  limits: SandboxLimits;
  program: ProgramFiles;
  domain: Domain;
  perTaskSec: number;
  /** Tasks run at once inside the session (run_tasks.mjs's pool). */
  concurrency: number;
  /** Upper bound for one batch session. */
  maxBatchSec: number;
  labels?: Record<string, string>;
  /** LLM gateway socket for the task agent, when an endpoint is configured. */
  gateway?: { socketDir: string };
  signal?: AbortSignal;
}

/** Seconds a batch session may take: its tasks in `concurrency` lanes, plus start-up. */
export function batchSessionSec(tasks: number, perTaskSec: number, concurrency: number): number {
  return 30 + Math.ceil(tasks / Math.max(1, concurrency)) * perTaskSec;
}

function answerOf(line: ReturnType<typeof readTaskLines>[number]): TaskAnswer {
  return line.error !== undefined
    ? { error: line.error }
    : { prediction: line.prediction, trace: line.trace };
}

/**
 * Runs a batch of agent views through the program's task agent in one sandbox session, handing
 * each answer to `onAnswer` as it arrives. A task's own time-out or error is its answer; a session
 * that ends before every task answered (time-out, crash) throws BatchCutShortError after the
 * answers it did give were handed over: the rest were never tried, so they are not scored 0.
 */
export function sandboxBatchRunner(o: BatchOptions): BatchRunner {
  return async (tasks: Task[], onAnswer?: (id: string, answer: TaskAnswer) => void) => {
    const answers = new Map<string, TaskAnswer>();
    if (tasks.length === 0) return answers;
    const wanted = new Set(tasks.map((t) => t.id));
    const take = (line: ReturnType<typeof readTaskLines>[number]) => {
      if (!wanted.has(line.id) || answers.has(line.id)) return;
      answers.set(line.id, answerOf(line));
      onAnswer?.(line.id, answers.get(line.id)!);
    };
    const res = await runHarness({
      sandbox: await o.sandbox(),
      program: o.program,
      script: 'run_tasks.mjs',
      input: {
        domain: o.domain.name,
        describe: o.domain.describe(),
        perTaskTimeoutMs: o.perTaskSec * 1000,
        concurrency: o.concurrency,
        tasks,
      },
      limits: {
        ...o.limits,
        timeoutSec: Math.min(o.maxBatchSec, batchSessionSec(tasks.length, o.perTaskSec, o.concurrency)),
      },
      labels: o.labels,
      signal: o.signal,
      socketDir: o.gateway?.socketDir,
      onStdout: taskLineStream(take),
    });
    // The stream saw every line, unless the sandbox kept stdout apart; the final text is the record.
    for (const line of readTaskLines(res.stdout)) take(line);
    if (answers.size < tasks.length) {
      throw new BatchCutShortError(
        `the task runner's session ended (${res.outcome}) with ${tasks.length - answers.size} of ` +
          `${tasks.length} task(s) unanswered: ${res.stderr.slice(-300)}`,
      );
    }
    return answers;
  };
}

/** Domains that execute predictions run them in fresh sandbox sessions: coding a batch each, reward design one each. */
export function sandboxUntrustedRunner(
  sandbox: () => Promise<Sandbox>,
  limits: SandboxLimits,
  signal?: AbortSignal,
): UntrustedRunner {
  return async (req) => {
    const res = await (
      await sandbox()
    ).run({
      files: { ...req.files },
      command: req.command.map((c) => (c === 'node' ? SANDBOX_NODE : c)),
      env: { ...SANDBOX_ENV },
      ...(req.stdin !== undefined ? { stdin: req.stdin } : {}),
      limits: { ...limits, timeoutSec: Math.ceil(req.timeoutMs / 1000) + 5 },
      signal,
    });
    return {
      exitCode: res.exitCode,
      stdout: res.stdout,
      stderr: res.stderr,
      timedOut: res.outcome === 'timeout',
    };
  };
}
