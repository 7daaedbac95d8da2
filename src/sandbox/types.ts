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
}

export type SandboxOutcome = 'ok' | 'timeout' | 'oom' | 'crashed';

export interface SandboxResult {
  outcome: SandboxOutcome;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs untrusted programs isolated from the host: no network, read-only root, non-root, limited. */
export interface Sandbox {
  readonly backend: 'docker' | 'bubblewrap';
  run(spec: SandboxRunSpec): Promise<SandboxResult>;
}

export function classify(exitCode: number | null, timedOut: boolean, oom: boolean): SandboxOutcome {
  if (timedOut) return 'timeout';
  if (oom) return 'oom';
  return exitCode === 0 ? 'ok' : 'crashed';
}
