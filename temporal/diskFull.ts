import * as fs from 'fs';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';

/** A disk with less free space than this counts as full. */
const FULL_BELOW_BYTES = 64 * 2 ** 20;

/** Those of `paths` whose file system is full, each with what it has left. */
export function fullDisks(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    try {
      const st = fs.statfsSync(p);
      const free = st.bavail * st.bsize;
      return free < FULL_BELOW_BYTES ? [`${p} has ${Math.floor(free / 2 ** 20)} MB free`] : [];
    } catch {
      return [];
    }
  });
}

/**
 * A full disk shows up far from its cause: a 500 from the S3 server, an OCI runtime error from
 * dockerd, a sandbox session that "crashed". When an activity fails while a disk the worker depends
 * on (the state folder, the temp folder of sandbox work areas) is full, its failure says so first,
 * so the operator reads the cause in the Temporal UI and the worker's log. The failure is otherwise
 * unchanged (a retryable one is still retried, and succeeds once space is freed).
 */
export class DiskFullDiagnosis implements ActivityInboundCallsInterceptor {
  constructor(private readonly paths: readonly string[]) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    try {
      return await next(input);
    } catch (e) {
      const full = fullDisks(this.paths);
      if (full.length > 0 && e instanceof Error) e.message = `disk full: ${full.join('; ')}: ${e.message}`;
      throw e;
    }
  }
}
