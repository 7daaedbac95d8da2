/**
 * Running the harness as a child process with `node`. Inside a sandbox another runner does the same
 * with the sandbox's own process launcher; this one serves the host (tests, local evaluation).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
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

/** harness.mjs next to this file (ts-jest, ts-node) or in the source tree (compiled dist/). */
export function harnessScriptPath(): string {
  const candidates = [
    path.join(__dirname, 'harness.mjs'),
    path.resolve(__dirname, '..', '..', '..', '..', 'src', 'domains', 'coding', 'harness.mjs'),
  ];
  const found = candidates.find((p) => fs.existsSync(p));
  if (found === undefined) throw new Error(`coding harness not found; looked in ${candidates.join(', ')}`);
  return found;
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

  run(request: HarnessRequest): Promise<HarnessResponse | HarnessFailure> {
    return new Promise((resolve) => {
      // No inherited environment: the module has no business with the host's variables.
      const child = spawn(this.nodePath, [this.scriptPath], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: pickEnv(['PATH', 'TMPDIR']),
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, overallTimeoutMs(request));
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
      child.stdin.on('error', () => undefined); // the child may die before reading all of stdin
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ failure: `could not start the harness: ${e.message}` });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) return resolve({ failure: 'harness exceeded its overall time limit' });
        if (code !== 0)
          return resolve({ failure: `harness exited with ${code ?? signal}: ${stderr.trim()}` });
        try {
          resolve(parseHarnessResponse(stdout));
        } catch (e) {
          resolve({ failure: `harness output unreadable: ${(e as Error).message}` });
        }
      });
      child.stdin.end(JSON.stringify(request));
    });
  }
}

function pickEnv(names: string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const n of names) if (process.env[n] !== undefined) env[n] = process.env[n];
  return env;
}
