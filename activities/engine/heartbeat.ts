import { Context } from '@temporalio/activity';
import { HEARTBEAT_EVERY_MS } from '../../workflows/activityOptions';

/**
 * Heartbeats every HEARTBEAT_EVERY_MS while `work` runs, so a lost worker is noticed within the
 * heartbeat timeout, and hands `work` the activity's cancellation signal: a cancelled run kills its
 * sandbox session instead of letting it run to its time limit.
 */
export async function withHeartbeat<T>(
  detail: string,
  work: (signal?: AbortSignal) => Promise<T>,
): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    return work(); // called outside an activity (tests of the library code)
  }
  ctx.heartbeat(detail);
  const timer = setInterval(() => ctx.heartbeat(detail), HEARTBEAT_EVERY_MS);
  try {
    const result = await work(ctx.cancellationSignal);
    // The session was killed by the cancellation: report it as such, not as the agent's fault.
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    return result;
  } finally {
    clearInterval(timer);
  }
}
