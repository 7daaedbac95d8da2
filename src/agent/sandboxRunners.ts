import type { Domain, Task, UntrustedRunner } from '../domains';
import type { BatchRunner, TaskAnswer } from '../evaluation';
import { SANDBOX_ENV, SANDBOX_NODE, type Sandbox, type SandboxLimits } from '../sandbox';
import type { ProgramFiles } from './program';
import { readTaskLines, runHarness } from './runInSandbox';

export interface BatchOptions {
  sandbox: () => Promise<Sandbox>;
  limits: SandboxLimits;
  program: ProgramFiles;
  domain: Domain;
  perTaskSec: number;
  /** Upper bound for one batch session. */
  maxBatchSec: number;
  labels?: Record<string, string>;
  /** LLM gateway socket for the task agent, when an endpoint is configured. */
  gateway?: { socketDir: string };
  signal?: AbortSignal;
}

/** Runs a batch of agent views through the program's task agent in one sandbox session. */
export function sandboxBatchRunner(o: BatchOptions): BatchRunner {
  return async (tasks: Task[]): Promise<Map<string, TaskAnswer>> => {
    const answers = new Map<string, TaskAnswer>();
    if (tasks.length === 0) return answers;
    const perTaskMs = o.perTaskSec * 1000;
    const res = await runHarness({
      sandbox: await o.sandbox(),
      program: o.program,
      script: 'run_tasks.mjs',
      input: { domain: o.domain.name, describe: o.domain.describe(), perTaskTimeoutMs: perTaskMs, tasks },
      limits: { ...o.limits, timeoutSec: Math.min(o.maxBatchSec, 30 + tasks.length * o.perTaskSec) },
      labels: o.labels,
      signal: o.signal,
      socketDir: o.gateway?.socketDir,
    });
    for (const line of readTaskLines(res.stdout)) {
      answers.set(
        line.id,
        line.error !== undefined ? { error: line.error } : { prediction: line.prediction, trace: line.trace },
      );
    }
    if (answers.size === 0 && res.outcome !== 'ok') {
      for (const t of tasks)
        answers.set(t.id, { error: `task runner ${res.outcome}: ${res.stderr.slice(0, 200)}` });
    }
    return answers;
  };
}

/** Domains that execute predictions (coding, reward design) do it in a fresh sandbox session each. */
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
