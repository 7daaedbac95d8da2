import { randomBytes } from 'crypto';
import { readValidateVerdict, runHarness } from '../../agent/runInSandbox';
import type { ProgramFiles } from '../../agent/program';
import { agentView } from '../../domains';
import type { EngineDeps } from '../deps';
import { numericSeed, sizesFor } from '../seeds';
import type { RunConfig } from '../types';

/** Sandbox time for loading the program's modules and one smoke task. */
const VALIDATION_SESSION_SEC = 90;
const SMOKE_TASK_MS = 30_000;

/**
 * Checks a program in the sandbox: its modules load and a smoke task (first train task of the run's
 * first domain) runs. Returns the reasons it is invalid; none when it passed.
 */
export async function validateProgram(
  deps: EngineDeps,
  config: RunConfig,
  program: ProgramFiles,
  signal?: AbortSignal,
): Promise<string[]> {
  const domain = deps.domains.domain(config.domains[0]!);
  const loaded = await deps.domains.tasks(domain, numericSeed(config.seed), sizesFor(config, domain.name));
  const task = loaded.splits.train[0];
  const nonce = randomBytes(16).toString('hex');
  const res = await runHarness({
    sandbox: await deps.sandbox(),
    program,
    script: 'run_validate.mjs',
    input: {
      nonce,
      domain: domain.name,
      describe: domain.describe(),
      task: task && agentView(task),
      timeoutMs: SMOKE_TASK_MS,
    },
    limits: { ...deps.limits, timeoutSec: VALIDATION_SESSION_SEC },
    signal,
  });
  const verdict = readValidateVerdict(res.stdout, nonce);
  if (!verdict) return [`validation produced no verdict (${res.outcome}): ${res.stderr.slice(0, 300)}`];
  return verdict.ok ? [] : verdict.reasons.length > 0 ? verdict.reasons : ['validation failed'];
}
