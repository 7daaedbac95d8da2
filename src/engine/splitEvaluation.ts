import type { ProgramFiles } from '../agent/program';
import { sandboxBatchRunner, sandboxUntrustedRunner } from '../agent/sandboxRunners';
import type { Domain, Task } from '../domains';
import { evaluateSplit, type BatchRunner, type SplitReport } from '../evaluation';
import type { GatewaySession } from '../llm';
import type { EngineDeps } from './deps';

/** One split's tasks of one domain, through a program's task agent in the sandbox, scored on the host. */
export interface SplitRun {
  program: ProgramFiles;
  domain: Domain;
  tasks: readonly Task[];
  labels: ReadonlyMap<string, unknown>;
  /** The staged subset; the rest runs only when its score passes `gate`. All tasks: no staging. */
  staged: readonly Task[];
  gate: number;
  perTaskSec: number;
  maxBatchSec: number;
  /** Janitor labels of the sandbox sessions. */
  sessionLabels: Record<string, string>;
  gateway?: GatewaySession;
  signal?: AbortSignal;
  /** Wraps the sandbox runner and the domain (e.g. to report progress). */
  around?: { run?: (run: BatchRunner) => BatchRunner; domain?: (domain: Domain) => Domain };
}

/** The one way the engine evaluates a split: evolution nodes, `hyperagents eval` and the benches. */
export function runSplit(deps: Pick<EngineDeps, 'sandbox' | 'limits'>, r: SplitRun): Promise<SplitReport> {
  const run = sandboxBatchRunner({
    sandbox: deps.sandbox,
    limits: deps.limits,
    program: r.program,
    domain: r.domain,
    perTaskSec: r.perTaskSec,
    maxBatchSec: r.maxBatchSec,
    labels: r.sessionLabels,
    gateway: r.gateway,
    signal: r.signal,
  });
  return evaluateSplit({
    domain: r.around?.domain?.(r.domain) ?? r.domain,
    tasks: r.tasks,
    labels: r.labels,
    staged: r.staged,
    gate: r.gate,
    run: r.around?.run?.(run) ?? run,
    llmAvailable: r.gateway !== undefined,
    context: { runUntrusted: sandboxUntrustedRunner(deps.sandbox, deps.limits, r.signal), signal: r.signal },
  });
}
