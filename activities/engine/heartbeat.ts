import { Context } from '@temporalio/activity';
import { HEARTBEAT_EVERY_MS } from '../../workflows/activityOptions';

/**
 * What a heartbeat carries: what the activity does and, where it counts tasks (an evaluation
 * stage), how many are done of how many. Clients read it from the pending activities of a running
 * generation (`hyperagents run --follow`, `status --watch`); heartbeats recorded before it carried
 * the `what` string alone.
 */
export interface HeartbeatDetail {
  what: string;
  done?: number;
  total?: number;
}

/** Reports tasks done of total; the next heartbeat carries it. */
export type ReportProgress = (done: number, total: number) => void;

/**
 * Heartbeats every HEARTBEAT_EVERY_MS while `work` runs, so a lost worker is noticed within the
 * heartbeat timeout, and hands `work` the activity's cancellation signal: a cancelled run kills its
 * sandbox session instead of letting it run to its time limit. `work` may report its progress.
 */
export async function withHeartbeat<T>(
  what: string,
  work: (signal?: AbortSignal, progress?: ReportProgress) => Promise<T>,
): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    return work(); // called outside an activity (tests of the library code)
  }
  let detail: HeartbeatDetail = { what };
  const progress: ReportProgress = (done, total) => {
    const changed = detail.done !== done || detail.total !== total;
    detail = { what, done, total };
    // The SDK throttles heartbeats to the server; the last one of a burst is sent.
    if (changed) ctx.heartbeat(detail);
  };
  ctx.heartbeat(detail);
  const timer = setInterval(() => ctx.heartbeat(detail), HEARTBEAT_EVERY_MS);
  try {
    const result = await work(ctx.cancellationSignal, progress);
    // The session was killed by the cancellation: report it as such, not as the agent's fault.
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    return result;
  } finally {
    clearInterval(timer);
  }
}
