/** Resource limits for one sandbox session. */
export interface SandboxLimits {
  memoryMb: number;
  cpus: number;
  pids: number;
  timeoutSec: number;
  scratchMb: number;
}

export interface SandboxRunSpec {
  /** Files copied into /work before the command runs (relative path → content). */
  files: Record<string, string | Buffer>;
  /** argv, run with /work as working directory. */
  command: string[];
  /** The complete environment: nothing from the host is inherited. */
  env?: Record<string, string>;
  stdin?: string;
  limits: SandboxLimits;
  /** Labels for the janitor (run id, node id). */
  labels?: Record<string, string>;
  /** Paths under /work (files or folders) copied out after the run. Symlinks are never followed. */
  outputs?: string[];
  /** A host folder holding the LLM gateway's socket, mounted read-only at /run/hyperagents. */
  socketDir?: string;
  /** Aborting kills the session (a cancelled activity); the result then reports `crashed`. */
  signal?: AbortSignal;
  /** Sees stdout as it arrives (e.g. to checkpoint a batch's answers before the session ends). */
  onStdout?: (chunk: Buffer) => void;
}

/** Files copied out of the sandbox, by path relative to /work, and what was refused. */
export interface SandboxOutputs {
  files: Record<string, Buffer>;
  skipped: Array<{ path: string; reason: string }>;
}

/**
 * How a session ended. `policy`: the sandbox stopped the program for breaking a rule it can detect
 * (e.g. writing more than the stdout/stderr cap), as opposed to a limit the kernel enforced.
 */
export type SandboxOutcome = 'ok' | 'timeout' | 'oom' | 'crashed' | 'policy';

export interface SandboxResult {
  outcome: SandboxOutcome;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  outputs: SandboxOutputs;
  /** Why the session was classified `policy`, when it was. */
  violation?: string;
}

/** Runs untrusted programs isolated from the host: no network, read-only root, non-root, limited. */
export interface Sandbox {
  readonly backend: 'docker' | 'bubblewrap';
  run(spec: SandboxRunSpec): Promise<SandboxResult>;
}

export function classify(
  exitCode: number | null,
  timedOut: boolean,
  oom: boolean,
  violation?: string,
): SandboxOutcome {
  // A policy kill is what caused the exit; a timeout or OOM seen afterwards is a consequence of it.
  if (violation) return 'policy';
  if (timedOut) return 'timeout';
  if (oom) return 'oom';
  return exitCode === 0 ? 'ok' : 'crashed';
}

/**
 * Copy-out caps: an agent cannot make the host read unbounded data. `depth`: names with more
 * segments than this (relative to /work) are skipped, the folder at the limit listed once.
 */
export const OUTPUT_LIMITS = { files: 5000, bytes: 64 * 1024 * 1024, depth: 64 };

/** stdout and stderr are each kept up to this size; a program writing more is killed (`policy`). */
export const STREAM_CAP = 8 * 1024 * 1024;

export function emptyOutputs(): SandboxOutputs {
  return { files: {}, skipped: [] };
}
