import { Context } from '@temporalio/activity';

/** Heartbeats every 10 s while `work` runs, so a lost worker is noticed within the heartbeat timeout. */
export async function withHeartbeat<T>(detail: string, work: () => Promise<T>): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    return work(); // called outside an activity (tests of the library code)
  }
  ctx.heartbeat(detail);
  const timer = setInterval(() => ctx.heartbeat(detail), 10_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
