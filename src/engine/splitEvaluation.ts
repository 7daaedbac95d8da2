import type { ProgramFiles } from '../agent/program';
import { sandboxBatchRunner, sandboxUntrustedRunner } from '../agent/sandboxRunners';
import type { Domain, ScoreContext, Task } from '../domains';
import { evaluateSplit, type BatchRunner, type SplitReport } from '../evaluation';
import type { GatewaySession } from '../llm';
import type { EngineDeps } from './deps';

/** How a program's task agent runs in the sandbox on one domain's tasks. */
export interface SandboxSession {
  program: ProgramFiles;
  domain: Domain;
  perTaskSec: number;
  /** Tasks run at once within a batch (`evaluationConcurrency`). */
  concurrency: number;
  maxBatchSec: number;
  /** Janitor labels of the sandbox sessions. */
  sessionLabels: Record<string, string>;
  gateway?: GatewaySession;
  signal?: AbortSignal;
}

/** One split's tasks of one domain, through a program's task agent in the sandbox, scored on the host. */
export interface SplitRun extends SandboxSession {
  tasks: readonly Task[];
  labels: ReadonlyMap<string, unknown>;
  /** The staged subset; the rest runs only when its score passes `gate`. All tasks: no staging. */
  staged: readonly Task[];
  gate: number;
  /** Wraps the sandbox runner and the domain (e.g. to report progress). */
  around?: { run?: (run: BatchRunner) => BatchRunner; domain?: (domain: Domain) => Domain };
}

/** The batch runner and the scorers' context for a session: the one place both are built. */
export function sandboxRunners(
  deps: Pick<EngineDeps, 'sandbox' | 'limits'>,
  s: SandboxSession,
): { run: BatchRunner; context: Omit<ScoreContext, 'taskId'> } {
  const run = sandboxBatchRunner({
    sandbox: deps.sandbox,
    limits: deps.limits,
    program: s.program,
    domain: s.domain,
    perTaskSec: s.perTaskSec,
    concurrency: s.concurrency,
    maxBatchSec: s.maxBatchSec,
    labels: s.sessionLabels,
    gateway: s.gateway,
    signal: s.signal,
  });
  return {
    run,
    context: { runUntrusted: sandboxUntrustedRunner(deps.sandbox, deps.limits, s.signal), signal: s.signal },
  };
}

/** How `hyperagents eval` and the benches evaluate a split (evolution nodes go stage by stage: evaluate.ts). */
export function runSplit(deps: Pick<EngineDeps, 'sandbox' | 'limits'>, r: SplitRun): Promise<SplitReport> {
  const { run, context } = sandboxRunners(deps, r);
  return evaluateSplit({
    domain: r.around?.domain?.(r.domain) ?? r.domain,
    tasks: r.tasks,
    labels: r.labels,
    staged: r.staged,
    gate: r.gate,
    run: r.around?.run?.(run) ?? run,
    llmAvailable: r.gateway !== undefined,
    context,
  });
}
