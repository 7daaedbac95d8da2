/**
 * Running a program as a plain child process of the host, for the places that run one outside any
 * sandbox (the coding harness and the reward-design runner, in tests and local trials). It contains
 * crashes, hangs and floods of output, not malice.
 */
import { spawn } from 'child_process';
// The sandbox's watchdog (a leaf module: timers and capped buffers, no backend) so the time limit
// and output cap behave the same for a local child as for a sandbox session.
import { SessionWatchdog, type WatchdogReport } from '../sandbox/watchdog';

export interface LocalProcessSpec {
  command: string;
  args: readonly string[];
  /** The complete environment: nothing from the host is inherited. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, which is then closed (at once when there is none). */
  stdin?: string;
  /** The process is killed after this long (`timedOut`). */
  timeoutMs: number;
}

export interface LocalProcessResult extends WatchdogReport {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why the process could not be started or waited for, if so. */
  error?: Error;
}

/**
 * Runs the program to its end. stdout and stderr are each kept up to the sandbox's stream cap and
 * writing past it kills the program (`violation`), so a child cannot make the host hold unbounded
 * output. Never rejects: a failure to start is reported in `error`.
 */
export function runLocalProcess(spec: LocalProcessSpec): Promise<LocalProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: spec.env,
    });
    const watchdog = new SessionWatchdog({ kill: () => child.kill('SIGKILL'), timeoutMs: spec.timeoutMs });
    child.stdout.on('data', watchdog.stdout);
    child.stderr.on('data', watchdog.stderr);
    // A failed start is reported by 'error' and then 'close' again: the first one settles.
    let settled = false;
    const settle = (exitCode: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (settled) return;
      settled = true;
      resolve({ exitCode, signal, ...watchdog.finish(), ...(error ? { error } : {}) });
    };
    child.on('error', (error) => settle(null, null, error));
    child.on('close', (code, signal) => settle(code, signal));
    child.stdin.on('error', () => undefined); // the child may die before reading all of stdin
    child.stdin.end(spec.stdin ?? '');
  });
}
