/**
 * Running the harness as a child process with `node`. Inside a sandbox another runner does the same
 * with the sandbox's own process launcher; this one serves the host (tests, local evaluation).
 */
import { sourceOrBuilt } from '../../host/assets';
import { runLocalProcess } from '../../host/localProcess';
import { parseHarnessResponse, type HarnessRequest, type HarnessResponse } from './protocol';

/** A failed run of the harness itself (not of the module): every call then counts as failed. */
export interface HarnessFailure {
  failure: string;
}

export interface HarnessRunner {
  run(request: HarnessRequest): Promise<HarnessResponse | HarnessFailure>;
}

export function isHarnessFailure(r: HarnessResponse | HarnessFailure): r is HarnessFailure {
  return 'failure' in r;
}

/** The harness script (copied beside the compiled output by the build). */
export function harnessScriptPath(): string {
  return sourceOrBuilt('src/domains/coding/harness.mjs');
}

/**
 * Upper bound on a whole harness run: the first load, the budget, then at most one more call that
 * started just inside the budget and the reload after it, plus start-up slack.
 */
export function overallTimeoutMs(request: HarnessRequest): number {
  return request.budgetMs + 2 * request.loadTimeoutMs + request.timeoutMs + 10_000;
}

export class NodeHarnessRunner implements HarnessRunner {
  constructor(
    private readonly nodePath: string = process.execPath,
    private readonly scriptPath: string = harnessScriptPath(),
  ) {}

  async run(request: HarnessRequest): Promise<HarnessResponse | HarnessFailure> {
    const ran = await runLocalProcess({
      command: this.nodePath,
      args: [this.scriptPath],
      // No inherited environment: the module has no business with the host's variables.
      env: pickEnv(['PATH', 'TMPDIR']),
      stdin: JSON.stringify(request),
      timeoutMs: overallTimeoutMs(request),
    });
    if (ran.error) return { failure: `could not start the harness: ${ran.error.message}` };
    if (ran.violation) return { failure: `harness ${ran.violation}` };
    if (ran.timedOut) return { failure: 'harness exceeded its overall time limit' };
    if (ran.exitCode !== 0)
      return {
        failure: `harness exited with ${ran.exitCode ?? ran.signal}: ${ran.stderr.slice(-STDERR_TAIL).trim()}`,
      };
    try {
      return parseHarnessResponse(ran.stdout);
    } catch (e) {
      return { failure: `harness output unreadable: ${(e as Error).message}` };
    }
  }
}

/** How much of the harness's stderr a failure quotes: its end, where node prints the error. */
const STDERR_TAIL = 2000;

function pickEnv(names: string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const n of names) if (process.env[n] !== undefined) env[n] = process.env[n];
  return env;
}
